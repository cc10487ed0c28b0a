//! The columnar batch behind `Engine.quote_frame`.
//!
//! The Python half (`ratecard/_frame.py`) turns a pandas, polars or Arrow frame into plain
//! little-endian column buffers (`bytes`), strings dictionary-encoded; this half reads events
//! straight out of them, borrowing every string, prices them with the core in one session (tier
//! usage carries down the frame), and hands back one buffer per output column. No Python object
//! is made per row in either direction.
//!
//! Frames repeat themselves, so rows are priced once per distinct row, by the core's plan of
//! which events can share a pricing ([`ratecard::Twins`]). A row's key is its event type, its
//! data and, when amounts are expressed in other assets, the rate period of its instant
//! ([`ratecard::Engine::rate_period`]). Every column arrives dictionary-encoded (Arrow's hash
//! kernel numbers its distinct values), so a row's key is one integer: its columns' dictionary
//! indices in mixed radix.

use crate::engine::Engine;
use crate::errors::{guard, Fail, Result};
use crate::from_py::OptionArgs;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use ratecard::catalog::product::PriceKind;
use ratecard::event::scalar_from_f64;
use ratecard::{Code, Decimal, Error, ErrorKind, Event, Instant, Issue, Place, Scalar};
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// One input column's values, as the Python half encodes them.
enum Data<'a> {
    /// Arrow large_utf8: `n + 1` i64 offsets into the UTF-8 bytes.
    Str {
        offsets: &'a [u8],
        bytes: &'a [u8],
    },
    /// i32 indices into a dictionary of strings.
    Dict(&'a [u8], Box<Column<'a>>),
    I64(&'a [u8]),
    F64(&'a [u8]),
    Bool(&'a [u8]),
    /// decimal128 values (i128) at a scale.
    Dec(&'a [u8], u32),
    /// Microseconds since the epoch, UTC.
    Micros(&'a [u8]),
    Null,
}

struct Column<'a> {
    name: String,
    data: Data<'a>,
    valid: Option<&'a [u8]>,
    rows: usize,
}

/// A column spec's Python objects, kept alive while columns borrow their bytes:
/// `(kind, values, extra, validity, scale, dictionary_spec)`.
struct Spec<'py> {
    kind: String,
    buffers: [Option<Bound<'py, PyBytes>>; 3],
    scale: u32,
    dictionary: Option<Box<Spec<'py>>>,
}

impl<'py> Spec<'py> {
    fn read(spec: &Bound<'py, PyTuple>) -> PyResult<Spec<'py>> {
        let bytes = |i: usize| -> PyResult<Option<Bound<'py, PyBytes>>> {
            let item = spec.get_item(i)?;
            Ok(if item.is_none() {
                None
            } else {
                Some(item.cast_into::<PyBytes>()?)
            })
        };
        let dictionary = match spec.get_item(5) {
            Ok(d) if !d.is_none() => Some(Box::new(Spec::read(&d.cast_into::<PyTuple>()?)?)),
            _ => None,
        };
        let (kind, scale) = (spec.get_item(0)?.extract()?, spec.get_item(4)?.extract()?);
        Ok(Spec {
            kind,
            buffers: [bytes(1)?, bytes(2)?, bytes(3)?],
            scale,
            dictionary,
        })
    }
}

impl Spec<'_> {
    /// How many values a (dictionary's) spec holds, from its buffers.
    fn rows(&self) -> usize {
        let bytes = self.buffers[0].as_ref().map_or(0, |b| b.as_bytes().len());
        match self.kind.as_str() {
            "str" => (bytes / 8).saturating_sub(1),
            "dec" => bytes / 16,
            "bool" => bytes,
            "dict" => bytes / 4,
            "null" => 0,
            _ => bytes / 8,
        }
    }
}

fn word<const N: usize>(bytes: &[u8], i: usize) -> Option<[u8; N]> {
    let start = i.checked_mul(N)?;
    bytes
        .get(start..start.checked_add(N)?)
        .and_then(|s| s.try_into().ok())
}

/// Microseconds since the epoch (the output's unit).
fn micros(t: Instant) -> i64 {
    i64::try_from(t.unix_nanos().div_euclid(1000)).unwrap_or(i64::MAX)
}

/// An instant, and its microseconds since the epoch (the output's unit, computed once).
type When = (Instant, i64);
type Parsed = std::result::Result<Option<When>, (Code, String)>;

impl<'a> Column<'a> {
    fn read(name: &str, spec: &'a Spec<'_>, n: usize) -> PyResult<Column<'a>> {
        let [values, extra, valid] = spec
            .buffers
            .each_ref()
            .map(|b| b.as_ref().map(|b| b.as_bytes()));
        let values = values.unwrap_or_default();
        let width = match spec.kind.as_str() {
            "i64" | "f64" | "ts" | "str" => 8,
            "dec" => 16,
            "dict" => 4,
            "bool" => 1,
            _ => 0,
        };
        let short = |what: &str| {
            PyValueError::new_err(format!(
                "column {name:?}: {what} buffer is shorter than its {n} rows"
            ))
        };
        let rows = if spec.kind == "str" { n + 1 } else { n };
        if values.len() < rows * width {
            return Err(short("values"));
        }
        if valid.is_some_and(|v| v.len() < n) {
            return Err(short("validity"));
        }
        let data = match spec.kind.as_str() {
            "str" => Data::Str {
                offsets: values,
                bytes: extra.unwrap_or_default(),
            },
            "dict" => {
                let dictionary = spec
                    .dictionary
                    .as_deref()
                    .ok_or_else(|| short("dictionary"))?;
                Data::Dict(
                    values,
                    Box::new(Column::read(name, dictionary, dictionary.rows())?),
                )
            }
            "i64" => Data::I64(values),
            "f64" => Data::F64(values),
            "bool" => Data::Bool(values),
            "dec" => Data::Dec(values, spec.scale),
            "ts" => Data::Micros(values),
            "null" => Data::Null,
            other => {
                return Err(PyValueError::new_err(format!(
                    "column {name:?}: unknown column kind {other:?}"
                )))
            }
        };
        Ok(Column {
            name: name.to_string(),
            data,
            valid,
            rows: n,
        })
    }

    fn is_valid(&self, i: usize) -> bool {
        !matches!(self.data, Data::Null) && self.valid.is_none_or(|v| v.get(i) == Some(&1))
    }

    /// The dictionary index of row `i`, for dictionary columns.
    fn index(&self, i: usize) -> Option<usize> {
        match &self.data {
            Data::Dict(b, _) => usize::try_from(i32::from_le_bytes(word::<4>(b, i)?)).ok(),
            _ => None,
        }
    }

    /// Row `i` as a small number, for twins' keys: 0 for null, else its dictionary index + 1
    /// (`None` for an index out of range, and for columns not dictionary-encoded, which the
    /// Python half never sends).
    fn code(&self, i: usize) -> Option<u64> {
        match &self.data {
            Data::Dict(_, inner) if self.is_valid(i) => self
                .index(i)
                .filter(|k| *k < inner.rows)
                .map(|k| k as u64 + 1),
            Data::Dict(..) | Data::Null => Some(0),
            _ => None,
        }
    }

    /// How many codes [`Column::code`] can give.
    fn radix(&self) -> Option<u64> {
        match &self.data {
            Data::Dict(_, inner) => Some(inner.rows as u64 + 1),
            Data::Null => Some(1),
            _ => None,
        }
    }

    fn str_at(&self, i: usize) -> Option<std::result::Result<&'a str, String>> {
        if !self.is_valid(i) {
            return None;
        }
        Some(match &self.data {
            Data::Str { offsets, bytes } => {
                let at = |k| {
                    word::<8>(offsets, k).and_then(|w| usize::try_from(i64::from_le_bytes(w)).ok())
                };
                match at(i).zip(at(i + 1)).and_then(|(a, b)| bytes.get(a..b)) {
                    Some(s) => std::str::from_utf8(s).map_err(|e| format!("not UTF-8: {e}")),
                    None => Err("string offsets out of range".into()),
                }
            }
            Data::Dict(_, inner) => match self.index(i) {
                Some(k) => return inner.str_at(k),
                None => Err("dictionary index out of range".into()),
            },
            _ => Err("expected strings".into()),
        })
    }

    /// The row's value as event data; `None` for a null (an absent key).
    fn scalar_at(&self, i: usize) -> Option<Scalar<'a>> {
        if !self.is_valid(i) {
            return None;
        }
        Some(match &self.data {
            Data::Str { .. } => match self.str_at(i)? {
                Ok(s) => Scalar::Str(Cow::Borrowed(s)),
                Err(m) => Scalar::Invalid(m),
            },
            Data::Dict(_, inner) => match self.index(i) {
                Some(k) => inner.scalar_at(k)?,
                None => Scalar::Invalid("dictionary index out of range".into()),
            },
            Data::I64(b) => Scalar::Num(Decimal::from(i64::from_le_bytes(word::<8>(b, i)?))),
            Data::F64(b) => scalar_from_f64(f64::from_le_bytes(word::<8>(b, i)?)),
            Data::Bool(b) => Scalar::Bool(b.get(i).is_some_and(|x| *x != 0)),
            Data::Dec(b, scale) => {
                let m = i128::from_le_bytes(word::<16>(b, i)?);
                match Decimal::try_from_i128_with_scale(m, *scale) {
                    Ok(d) => Scalar::Num(d),
                    Err(_) => Scalar::Invalid(format!("{m}e-{scale} does not fit in a decimal")),
                }
            }
            Data::Micros(b) => {
                match Instant::from_unix_micros(i64::from_le_bytes(word::<8>(b, i)?)) {
                    Some(t) => Scalar::Str(Cow::Owned(t.to_rfc3339())),
                    None => Scalar::Invalid("timestamp out of range".into()),
                }
            }
            Data::Null => return None,
        })
    }

    /// Row `i` as an instant (`occurred_at`). `parsed` holds a dictionary column's strings, each
    /// parsed once ([`Column::parse_dictionary`]).
    fn instant_at(&self, i: usize, parsed: &[Parsed]) -> Parsed {
        if !self.is_valid(i) {
            return Ok(None);
        }
        match &self.data {
            Data::Micros(b) => word::<8>(b, i)
                .map(i64::from_le_bytes)
                .and_then(|us| Some((Instant::from_unix_micros(us)?, us)))
                .map(Some)
                .ok_or((Code::InvalidTimestamp, "timestamp out of range".into())),
            Data::Dict(..) => match self.index(i).and_then(|k| parsed.get(k)) {
                Some(p) => p.clone(),
                None => Err((Code::InvalidType, "dictionary index out of range".into())),
            },
            Data::Str { .. } => match self.str_at(i) {
                Some(Ok(s)) => Instant::parse(s)
                    .map(|t| Some((t, micros(t))))
                    .map_err(|m| (Code::InvalidTimestamp, m)),
                Some(Err(m)) => Err((Code::InvalidType, m)),
                None => Ok(None),
            },
            _ => Err((
                Code::InvalidType,
                "occurred_at must be an RFC 3339 string or a UTC timestamp column".into(),
            )),
        }
    }

    fn parse_dictionary(&self) -> Vec<Parsed> {
        match &self.data {
            Data::Dict(_, inner) => (0..inner.rows).map(|k| inner.instant_at(k, &[])).collect(),
            _ => Vec::new(),
        }
    }
}

/// Strings of the output, numbered in first-seen order (Arrow dictionary encoding).
#[derive(Default)]
struct Interner {
    index: FxHashMap<String, i32>,
    values: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: &str) -> i32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = i32::try_from(self.values.len()).unwrap_or(i32::MAX);
        self.index.insert(s.to_string(), i);
        self.values.push(s.to_string());
        i
    }
}

/// One output row, without its event row and instant: product, price and currency (interned),
/// the amount as a decimal128 integer, and where its equivalents start in [`Out::equivalents`].
#[derive(Clone, Copy)]
struct FeeRow(i32, i32, i32, i128, usize);

/// The output columns. A twin's rows repeat its first's fee rows, equivalents shared.
#[derive(Default)]
struct Out {
    rows: Vec<i64>,
    at: Vec<i64>,
    fees: Vec<FeeRow>,
    names: [Interner; 3],
    /// Each priced fee's equivalents, one per `express_in` asset.
    equivalents: Vec<i128>,
}

/// A decimal as an Arrow decimal128 integer at `scale`; an error at the row when it does not fit.
fn scaled(d: Decimal, scale: u32, row: usize, what: &str) -> std::result::Result<i128, Error> {
    let d = if d.scale() > scale { d.normalize() } else { d };
    let up = scale
        .checked_sub(d.scale())
        .and_then(|up| 10i128.checked_pow(up));
    up.and_then(|up| d.mantissa().checked_mul(up))
        .ok_or_else(|| {
            let message = format!("{what} does not fit an Arrow decimal128(38, {scale})");
            Error::one(
                ErrorKind::Overflow,
                &format!("[{row}]"),
                Code::DecimalOverflow,
                message,
            )
        })
}

/// A column of fixed-width values as a `bytes` object, written in place.
fn le_bytes<'py, T: Copy, const N: usize>(
    py: Python<'py>,
    values: impl ExactSizeIterator<Item = T>,
    to: impl Fn(T) -> [u8; N],
) -> PyResult<Bound<'py, PyBytes>> {
    PyBytes::new_with(py, values.len() * N, |buf| {
        for (chunk, v) in buf.chunks_exact_mut(N).zip(values) {
            chunk.copy_from_slice(&to(v));
        }
        Ok(())
    })
}

/// Quotes every row of a frame; see `ratecard/_frame.py` for the column encoding.
#[pyfunction]
#[pyo3(signature = (engine, n, event_type, occurred_at, data, *, at=None, express_in=None, products=None, prior_usage=None, now=None))]
#[allow(clippy::too_many_arguments)]
pub fn _quote_columns<'py>(
    py: Python<'py>,
    engine: &Bound<'py, Engine>,
    n: usize,
    event_type: &Bound<'py, PyTuple>,
    occurred_at: Option<&Bound<'py, PyTuple>>,
    data: Vec<(String, Bound<'py, PyTuple>)>,
    at: Option<&Bound<'py, PyAny>>,
    express_in: Option<&Bound<'py, PyAny>>,
    products: Option<&Bound<'py, PyAny>>,
    prior_usage: Option<&Bound<'py, PyAny>>,
    now: Option<&Bound<'py, PyAny>>,
) -> Result<Bound<'py, PyTuple>> {
    guard(|| {
        let engine = &engine.get().inner;
        let args = OptionArgs {
            at,
            now,
            express_in,
            products,
            prior_usage,
            explain: Some(false),
            options: None,
        };
        let options = args.read(py, false)?;
        // The core checks the options (express_in's assets included) once, here.
        let mut session = engine.session(&options)?;
        let specs = data
            .iter()
            .map(|(name, spec)| Ok((name, Spec::read(spec)?)))
            .collect::<PyResult<Vec<_>>>()?;
        let (type_spec, time_spec) = (
            Spec::read(event_type)?,
            occurred_at.map(Spec::read).transpose()?,
        );
        let types = Column::read("event_type", &type_spec, n)?;
        let times = time_spec
            .as_ref()
            .map(|s| Column::read("occurred_at", s, n))
            .transpose()?;
        let parsed = times
            .as_ref()
            .map(Column::parse_dictionary)
            .unwrap_or_default();
        let columns = specs
            .iter()
            .map(|(name, spec)| Column::read(name, spec, n))
            .collect::<PyResult<Vec<_>>>()?;

        // Amounts share one column, at the largest precision of any asset a price charges in
        // (every fee is rounded to its own, smaller or equal, one).
        let mut amount_scale = 0;
        for price in engine.catalog().products.iter().flat_map(|p| &p.prices) {
            if let PriceKind::Usage(usage) = &price.kind {
                for p in &usage.pricing {
                    amount_scale =
                        amount_scale.max(engine.asset_info(&p.asset).map_or(0, |a| a.precision));
                }
            }
        }
        let targets: Vec<(String, u32)> = options
            .express_in
            .iter()
            .filter_map(|code| {
                engine
                    .asset_info(code)
                    .map(|a| (a.code.clone(), a.precision))
            })
            .collect();

        let read_event = |i: usize, issues: &mut Vec<Issue>| -> Event<'_> {
            let at = |field: &str| format!("[{i}].{field}");
            let event_type = match types.str_at(i) {
                Some(Ok(s)) => s,
                Some(Err(m)) => {
                    issues.push(Issue::new(at("event_type"), Code::InvalidType, m));
                    ""
                }
                None => {
                    issues.push(Issue::new(
                        at("event_type"),
                        Code::MissingField,
                        "event_type is null",
                    ));
                    ""
                }
            };
            let occurred_at = match times.as_ref().map(|t| t.instant_at(i, &parsed)) {
                Some(Ok(t)) => t.map(|w| w.0),
                Some(Err((code, m))) => {
                    issues.push(Issue::new(at("occurred_at"), code, m));
                    None
                }
                None => None,
            };
            let data = columns
                .iter()
                .filter_map(|c| Some((Cow::Borrowed(c.name.as_str()), c.scalar_at(i)?)))
                .collect();
            let event = Event {
                id: None,
                event_type: Cow::Borrowed(event_type),
                occurred_at,
                data,
            };
            if issues.is_empty() {
                if let Err(e) = event.check(&format!("[{i}]")) {
                    issues.extend(e.issues);
                }
            }
            event
        };

        // Row keys: the rate period (only when converting), the event type, every data column.
        let converting = !targets.is_empty() && !engine.rate_boundaries().is_empty();
        let periods = if converting {
            engine.rate_boundaries().len() as u64 * 2 + 2
        } else {
            1
        };
        let keyed: Vec<&Column<'_>> = std::iter::once(&types).chain(&columns).collect();
        let radices: Option<Vec<u64>> = keyed.iter().map(|c| c.radix()).collect();
        let keyed = radices
            .filter(|r| {
                r.iter()
                    .try_fold(periods, |acc, x| acc.checked_mul(*x))
                    .is_some()
            })
            .map(|r| (keyed, r));
        let mut twins = engine.twins::<u64>();
        let (fixed_at, now_at) = (
            options.at.map(|t| (t, micros(t))),
            options.now.map(|t| (t, micros(t))),
        );
        let mut out = Out {
            rows: Vec::with_capacity(n),
            at: Vec::with_capacity(n),
            fees: Vec::with_capacity(n),
            ..Out::default()
        };
        // The fee rows of each row priced, and of each row the twins placed, its place there.
        let (mut priced, mut placed): (Vec<(usize, usize)>, Vec<usize>) = Default::default();
        let mut issues = Vec::new();
        for i in 0..n {
            let instant = match times.as_ref().map(|t| t.instant_at(i, &parsed)) {
                // A bad timestamp: the core's reading below reports it.
                Some(Err(_)) => None,
                Some(Ok(t)) => fixed_at.or(t).or(now_at),
                None => fixed_at.or(now_at),
            };
            let place = match (instant, &keyed) {
                (Some((t, _)), Some((columns, radices))) => {
                    let period = if converting { engine.rate_period(t) } else { 0 };
                    let mut key = Some(period);
                    for (c, radix) in columns.iter().zip(radices) {
                        key = key.zip(c.code(i)).map(|(k, code)| k * radix + code);
                    }
                    let event_type = match twins.reads_types() {
                        true => types.str_at(i).and_then(|t| t.ok()).unwrap_or(""),
                        false => "",
                    };
                    key.map(|key| twins.place(event_type, key))
                }
                _ => None,
            };
            let us = instant.map_or(0, |w| w.1);
            // Twins number the rows they place; `placed[n]` is where the `n`-th is in `priced`.
            if let Some(Place::Twin(first)) = place {
                let at = placed.get(first).and_then(|p| priced.get(*p));
                let (start, end) = at.copied().unwrap_or_default();
                for k in start..end {
                    let fee = out.fees.get(k).copied();
                    out.rows.push(i as i64);
                    out.at.push(us);
                    out.fees.extend(fee);
                }
                continue;
            }
            if place.is_some() {
                placed.push(priced.len());
            }
            let event = read_event(i, &mut issues);
            if !issues.is_empty() {
                // Every bad row (up to a hundred issues) is reported at once; nothing is priced.
                for j in i + 1..n {
                    if issues.len() >= 100 {
                        break;
                    }
                    read_event(j, &mut issues);
                }
                break;
            }
            // Streamed: rows are taken from each quote as it is priced, so memory stays flat.
            let q = session
                .quote(&event)
                .map_err(|e| Fail::from(e).prefixed(i))?;
            let start = out.fees.len();
            for fee in &q.fees {
                let first = out.equivalents.len();
                for ((_, scale), (_, eq)) in targets.iter().zip(fee.equivalents.0.iter()) {
                    out.equivalents
                        .push(scaled(eq.value, *scale, i, "equivalent")?);
                }
                let [products, prices, currencies] = &mut out.names;
                let amount = scaled(fee.amount.value, amount_scale, i, "amount")?;
                let ids = (
                    products.id(fee.product_code),
                    prices.id(fee.price_name),
                    currencies.id(fee.currency),
                );
                out.rows.push(i as i64);
                out.at.push(micros(q.at));
                out.fees.push(FeeRow(ids.0, ids.1, ids.2, amount, first));
            }
            priced.push((start, out.fees.len()));
        }
        if !issues.is_empty() {
            return Err(Error::new(ErrorKind::InvalidEvent, issues).into());
        }

        let m = out.rows.len();
        let fees = &out.fees;
        let equivalents = PyList::empty(py);
        for (j, (code, scale)) in targets.iter().enumerate() {
            let eq = |f: &FeeRow| out.equivalents.get(f.4 + j).copied().unwrap_or_default();
            let column = le_bytes(py, fees.iter().map(eq), i128::to_le_bytes)?;
            equivalents.append((code, *scale, column))?;
        }
        let [products, prices, currencies] = std::mem::take(&mut out.names);
        let names = |f: fn(&FeeRow) -> i32, interner: Interner| -> PyResult<_> {
            Ok((
                le_bytes(py, fees.iter().map(f), i32::to_le_bytes)?,
                interner.values,
            ))
        };
        let result = (
            m,
            le_bytes(py, out.rows.iter().copied(), i64::to_le_bytes)?,
            le_bytes(py, out.at.iter().copied(), i64::to_le_bytes)?,
            names(|f| f.0, products)?,
            names(|f| f.1, prices)?,
            names(|f| f.2, currencies)?,
            (
                amount_scale,
                le_bytes(py, fees.iter().map(|f| f.3), i128::to_le_bytes)?,
            ),
            equivalents,
        );
        Ok(result.into_pyobject(py)?)
    })
}

//! The columnar batch behind `Engine.quote_frame`.
//!
//! The Python half (`ratecard/_frame.py`) hands over each column of a pandas, polars or Arrow
//! frame as Arrow's dictionary encoding: one little-endian `i32` per row (an index into the
//! column's distinct values), a validity mask, and the distinct values themselves as Python
//! objects, read by the same rules as an event dict's. No Python object is made per row in
//! either direction: events are built from the indices, priced with the core in one session
//! (tier usage carries down the frame), and the output goes back as one buffer per column.
//!
//! Frames repeat themselves, so rows are priced once per distinct row, by the core's plan of
//! which events can share a pricing ([`ratecard::Twins`]). A row's key is one integer: its
//! columns' indices in mixed radix, with, when amounts are expressed in other assets, the rate
//! period of its instant ([`ratecard::Engine::rate_period`]).

use crate::engine::Engine;
use crate::errors::{guard, Fail, Result};
use crate::from_py::{self, cached, OptionArgs};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use ratecard::catalog::product::PriceKind;
use ratecard::event::scalar_from_f64;
use ratecard::{Code, Decimal, Error, ErrorKind, Event, Gathered, Instant, Issue, Place, Scalar};
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// One column: each row's index into `values`, its distinct values (a null row has none).
/// Without indices, row `i` is `values[i]` (numbers mostly distinct, not worth numbering), and
/// a column without values is all nulls.
struct Column<'a, T> {
    indices: Option<&'a [u8]>,
    valid: Option<&'a [u8]>,
    values: Vec<T>,
}

/// An instant, and its microseconds since the epoch (the output's unit, computed once).
type When = std::result::Result<(Instant, i64), (Code, String)>;

/// A column from the Python half, `(indices, validity, values)`, its `bytes` kept alive while
/// a [`Column`] borrows them.
struct Spec<'py>([Option<Bound<'py, PyBytes>>; 2], Bound<'py, PyAny>);

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
        Ok(Spec([bytes(0)?, bytes(1)?], spec.get_item(2)?))
    }
}

impl<'a, T> Column<'a, T> {
    /// A column of `n` rows; `read` turns each distinct value into a `T`.
    fn read(
        spec: &'a Spec<'_>,
        n: usize,
        read: impl Fn(&Bound<'_, PyAny>) -> PyResult<T>,
    ) -> PyResult<Self> {
        let values = spec
            .1
            .try_iter()?
            .map(|v| read(&v?))
            .collect::<PyResult<Vec<T>>>()?;
        Column::with(spec, n, values)
    }

    fn with(spec: &'a Spec<'_>, n: usize, values: Vec<T>) -> PyResult<Self> {
        let [indices, valid] = spec.0.each_ref().map(|b| b.as_ref().map(|b| b.as_bytes()));
        let rows = match indices {
            Some(b) => b.len() / 4,
            None if values.is_empty() => n,
            None => values.len(),
        };
        let fits = rows >= n && valid.is_none_or(|v| v.len() >= n);
        match fits {
            true => Ok(Column {
                indices,
                valid,
                values,
            }),
            false => Err(pyo3::exceptions::PyValueError::new_err(format!(
                "a column is shorter than its {n} rows"
            ))),
        }
    }
}

impl<'a> Column<'a, Scalar<'static>> {
    /// A data column. Its distinct values are Python objects, or, for floats and integers
    /// (which may be as many as the rows), `("f64" | "i64", bytes)`: no Python object each.
    fn data(spec: &'a Spec<'_>, n: usize) -> PyResult<Self> {
        let Ok((kind, bytes)) = spec.1.extract::<(String, Bound<'_, PyBytes>)>() else {
            return Column::read(spec, n, data_value);
        };
        let words = bytes
            .as_bytes()
            .chunks_exact(8)
            .filter_map(|w| <[u8; 8]>::try_from(w).ok());
        let values = match kind.as_str() {
            "f64" => words
                .map(|w| scalar_from_f64(f64::from_le_bytes(w)))
                .collect(),
            _ => words
                .map(|w| Scalar::Num(Decimal::from(i64::from_le_bytes(w))))
                .collect(),
        };
        Column::with(spec, n, values)
    }
}

impl<'a, T> Column<'a, T> {
    /// Row `i`'s index into `values`: `Ok(None)` for a null, `Err` for one out of range.
    fn index(&self, i: usize) -> std::result::Result<Option<usize>, ()> {
        let null = self.values.is_empty() || self.valid.is_some_and(|v| v.get(i) != Some(&1));
        let k = match self.indices {
            None => Some(i),
            Some(b) => i
                .checked_mul(4)
                .and_then(|k| b.get(k..k + 4))
                .and_then(|b| b.try_into().ok())
                .map(i32::from_le_bytes)
                .and_then(|k| usize::try_from(k).ok()),
        };
        match (null, k) {
            (true, _) => Ok(None),
            (false, Some(k)) if k < self.values.len() => Ok(Some(k)),
            _ => Err(()),
        }
    }

    /// How many codes [`Column::code`] gives; `None` for a column without indices.
    fn radix(&self) -> Option<u64> {
        match self.indices {
            Some(_) => Some(self.values.len() as u64 + 1),
            None if self.values.is_empty() => Some(1),
            None => None,
        }
    }

    /// Row `i` as a small number, for twins' keys: 0 for a null, else its index + 1.
    fn code(&self, i: usize) -> Option<u64> {
        self.index(i).ok().map(|k| k.map_or(0, |k| k as u64 + 1))
    }

    fn value(&self, i: usize) -> std::result::Result<Option<&T>, String> {
        match self.index(i) {
            Ok(k) => Ok(k.and_then(|k| self.values.get(k))),
            Err(()) => Err("dictionary index out of range".into()),
        }
    }
}

/// A value of a data column: an event dict's value, or an aware `datetime` as RFC 3339 text.
fn data_value(v: &Bound<'_, PyAny>) -> PyResult<Scalar<'static>> {
    match from_py::datetime(v, ErrorKind::InvalidEvent, "") {
        Ok(Some(t)) => Ok(Scalar::Str(Cow::Owned(t.to_rfc3339()))),
        _ => from_py::scalar(v, cached(v.py())?),
    }
}

/// A value of `occurred_at`: an RFC 3339 string or an aware `datetime`.
fn time_value(v: &Bound<'_, PyAny>) -> PyResult<When> {
    match from_py::instant(v, ErrorKind::InvalidEvent, "") {
        Ok(t) => Ok(Ok((t, micros(t)))),
        Err(Fail::Core(e)) => Ok(Err(e
            .issues
            .into_iter()
            .next()
            .map_or((Code::InvalidTimestamp, String::new()), |i| {
                (i.code, i.message)
            }))),
        Err(Fail::Py(e)) => Err(e),
    }
}

/// Microseconds since the epoch (the output's unit).
fn micros(t: Instant) -> i64 {
    i64::try_from(t.unix_nanos().div_euclid(1000)).unwrap_or(i64::MAX)
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
    /// Each output row's fee, in `kept` (repeated rows share them).
    fees: Vec<u32>,
    kept: Vec<FeeRow>,
    names: [Interner; 3],
    /// Each priced fee's equivalents, one per `express_in` asset.
    equivalents: Vec<i128>,
}

/// A row priced: its fee rows in [`Out::kept`], its warnings in [`Notes::issues`], or that it
/// could not be priced.
#[derive(Default)]
struct Priced {
    fees: std::ops::Range<usize>,
    notes: std::ops::Range<usize>,
    failed: bool,
}

/// What the rows could not be priced for (errors) and what their quotes warn about, as an issues
/// table: each row's issues are indices into `issues` (a twin shares its first's warnings).
#[derive(Default)]
struct Notes {
    rows: Vec<i64>,
    which: Vec<u32>,
    /// Whether each is an error (else a warning), and the issue, its path the row's own.
    issues: Vec<(bool, Issue)>,
}

impl Notes {
    fn add(&mut self, row: usize, list: &[Issue], error: bool) -> std::ops::Range<usize> {
        let start = self.issues.len();
        for issue in list {
            self.rows.push(row as i64);
            self.which.push(self.issues.len() as u32);
            self.issues.push((error, issue.clone()));
        }
        start..self.issues.len()
    }

    fn errors(&mut self, row: usize, list: &[Issue]) {
        self.add(row, list, true);
    }

    fn warnings(&mut self, row: usize, list: &[Issue]) -> std::ops::Range<usize> {
        self.add(row, list, false)
    }

    /// A twin's row, with its first's warnings.
    fn repeat(&mut self, row: usize, of: std::ops::Range<usize>) {
        for k in of {
            self.rows.push(row as i64);
            self.which.push(k as u32);
        }
    }
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
#[pyo3(signature = (engine, n, event_type, occurred_at, data, *, at=None, express_in=None, products=None, prior_usage=None, now=None, raise_errors=true))]
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
    raise_errors: bool,
) -> Result<Bound<'py, PyTuple>> {
    // Whether the caller said when to price rows without a time (`now=False` says never).
    let timed = [at, now]
        .into_iter()
        .flatten()
        .any(|v| !v.is_none() && !v.is_instance_of::<pyo3::types::PyBool>());
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
            on_error: None,
            more: Vec::new(),
        };
        let options = args.read(py, false)?;
        // The core checks the options (express_in's assets included) once, here.
        let mut session = engine.session(&options)?;
        let (type_spec, time_spec) = (
            Spec::read(event_type)?,
            occurred_at.map(Spec::read).transpose()?,
        );
        let specs = data
            .iter()
            .map(|(name, c)| Ok((name.as_str(), Spec::read(c)?)))
            .collect::<PyResult<Vec<_>>>()?;
        let types = Column::read(&type_spec, n, data_value)?;
        let times = time_spec
            .as_ref()
            .map(|t| Column::read(t, n, time_value))
            .transpose()?;
        let columns = specs
            .iter()
            .map(|(name, c)| Ok((*name, Column::data(c, n)?)))
            .collect::<PyResult<Vec<_>>>()?;
        // A column the rows' prices need and the frame lacks: refused before any row.
        let mut names: Vec<&str> = vec!["event_type"];
        names.extend(time_spec.as_ref().map(|_| "occurred_at"));
        names.extend(columns.iter().map(|(name, _)| *name));
        let kinds = types.values.iter().filter_map(|v| match v {
            Scalar::Str(s) => Some(s.as_ref()),
            _ => None,
        });
        let missing = engine.missing_columns(&names, kinds, timed);
        if !missing.is_empty() {
            return Err(Error::new(ErrorKind::InvalidArgument, missing).into());
        }

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

        // A row's event; its problems (paths its own, the row says which) into `issues`.
        let read_event = |i: usize, issues: &mut Vec<Issue>| -> Event<'_> {
            let at = |field: &str| field.to_string();
            let event_type = match types.value(i) {
                Ok(Some(Scalar::Str(s))) => s,
                problem => {
                    let (code, m) = match problem {
                        Ok(None) => (Code::MissingField, "event_type is null".into()),
                        Err(m) => (Code::InvalidType, m),
                        Ok(Some(_)) => (Code::InvalidType, "event_type must be a string".into()),
                    };
                    issues.push(Issue::new(at("event_type"), code, m));
                    ""
                }
            };
            let occurred_at = match times.as_ref().map(|t| t.value(i)) {
                Some(Ok(Some(Ok((t, _))))) => Some(*t),
                Some(Ok(Some(Err((code, m))))) => {
                    issues.push(Issue::new(at("occurred_at"), *code, m.clone()));
                    None
                }
                Some(Err(m)) => {
                    issues.push(Issue::new(at("occurred_at"), Code::InvalidType, m));
                    None
                }
                Some(Ok(None)) | None => None,
            };
            let mut data = Vec::with_capacity(columns.len());
            for (name, c) in &columns {
                let value = match c.value(i) {
                    Ok(None) => continue,
                    Ok(Some(Scalar::Str(s))) => Scalar::Str(Cow::Borrowed(s)),
                    Ok(Some(other)) => other.clone(),
                    Err(m) => Scalar::Invalid(m),
                };
                data.push((Cow::Borrowed(*name), value));
            }
            let event = Event {
                id: None,
                event_type: Cow::Borrowed(event_type),
                occurred_at,
                data,
                extra: Vec::new(),
            };
            if issues.is_empty() {
                if let Err(e) = event.check("") {
                    issues.extend(e.issues);
                }
            }
            event
        };

        // Row keys: the rate period (only when converting), the event type, every data column.
        let converting = !targets.is_empty() && !engine.rate_boundaries().is_empty();
        // Whether a row is priced at the current time (no time of its own, no `at`) is in the
        // key too: its quote says so (`priced_at_now`).
        let periods = 2 * if converting {
            engine.rate_boundaries().len() as u64 * 2 + 2
        } else {
            1
        };
        let keyed: Vec<&Column<'_, Scalar<'_>>> = std::iter::once(&types)
            .chain(columns.iter().map(|(_, c)| c))
            .collect();
        let space = keyed
            .iter()
            .try_fold(periods, |acc, c| acc.checked_mul(c.radix()?));
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
        // Each row priced: its fee rows in `kept`, its warnings in `notes`, and whether it could
        // not be priced (its twins are then read again, for their own issues). Of each row the
        // twins placed, its place there.
        let (mut priced, mut placed): (Vec<Priced>, Vec<usize>) = Default::default();
        let mut notes = Notes::default();
        let mut bad = Gathered::default();
        for i in 0..n {
            let (instant, untimed) = match times.as_ref().map(|t| t.value(i)) {
                Some(Ok(Some(Ok(t)))) => (fixed_at.or(Some(*t)), false),
                // A bad timestamp: the core's reading below reports it.
                Some(Ok(Some(Err(_))) | Err(_)) => (None, false),
                Some(Ok(None)) | None => (fixed_at.or(now_at), fixed_at.is_none()),
            };
            let place = match (instant, space) {
                (Some((t, _)), Some(_)) => {
                    let period = if converting { engine.rate_period(t) } else { 0 };
                    let mut key = Some(period * 2 + u64::from(untimed));
                    for c in &keyed {
                        let radix = c.radix().unwrap_or(1);
                        key = key.zip(c.code(i)).map(|(k, code)| k * radix + code);
                    }
                    let event_type = match (twins.reads_types(), types.value(i)) {
                        (true, Ok(Some(Scalar::Str(s)))) => s,
                        _ => "",
                    };
                    key.map(|key| twins.place(event_type, key))
                }
                _ => None,
            };
            let us = instant.map_or(0, |w| w.1);
            // Twins number the rows they place; `placed[n]` is where the `n`-th is in `priced`.
            let first = match place {
                Some(Place::Twin(first)) => placed.get(first).and_then(|p| priced.get(*p)),
                _ => None,
            };
            if let Some(first) = first.filter(|f| !f.failed) {
                for k in first.fees.clone() {
                    out.rows.push(i as i64);
                    out.at.push(us);
                    out.fees.push(k as u32);
                }
                notes.repeat(i, first.notes.clone());
                continue;
            }
            if matches!(place, Some(Place::New(_) | Place::Alone(_))) {
                placed.push(priced.len());
            }
            let mut issues = Vec::new();
            let event = read_event(i, &mut issues);
            // With errors raised, rows after a bad one are only read, for their issues.
            let pricing = issues.is_empty() && (!raise_errors || bad.is_empty());
            let q = match pricing.then(|| session.quote(&event)) {
                Some(Ok(q)) => Some(q),
                Some(Err(e)) => {
                    issues.extend(e.issues);
                    None
                }
                None => None,
            };
            let Some(q) = q else {
                if !issues.is_empty() {
                    notes.errors(i, &issues);
                    bad.add(
                        Error::new(ErrorKind::InvalidEvent, issues).prefixed(&format!("[{i}]")),
                    );
                }
                priced.push(Priced {
                    failed: true,
                    ..Priced::default()
                });
                if raise_errors && bad.is_full() {
                    break;
                }
                continue;
            };
            // Streamed: rows are taken from each quote as it is priced, so memory stays flat.
            let start = out.kept.len();
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
                out.fees.push(out.kept.len() as u32);
                out.kept.push(FeeRow(ids.0, ids.1, ids.2, amount, first));
            }
            let warned = notes.warnings(i, &q.warnings);
            priced.push(Priced {
                fees: start..out.kept.len(),
                notes: warned,
                failed: false,
            });
        }
        if raise_errors {
            bad.into_result().map_err(Fail::from)?;
        }

        // Each output row's fee is an index into the fees priced (`kept`), which Arrow's `take`
        // expands into the output columns.
        let kept = &out.kept;
        let equivalents = PyList::empty(py);
        for (j, (code, scale)) in targets.iter().enumerate() {
            let eq = |f: &FeeRow| out.equivalents.get(f.4 + j).copied().unwrap_or_default();
            equivalents.append((
                code,
                *scale,
                le_bytes(py, kept.iter().map(eq), i128::to_le_bytes)?,
            ))?;
        }
        let [products, prices, currencies] = std::mem::take(&mut out.names);
        let names = |f: fn(&FeeRow) -> i32, interner: Interner| -> PyResult<_> {
            Ok((
                le_bytes(py, kept.iter().map(f), i32::to_le_bytes)?,
                interner.values,
            ))
        };
        let issues = (
            le_bytes(py, notes.rows.iter().copied(), i64::to_le_bytes)?,
            le_bytes(py, notes.which.iter().copied(), u32::to_le_bytes)?,
            notes
                .issues
                .iter()
                .map(|(error, i)| (*error, i.path.as_str(), i.code.as_str(), i.message.as_str()))
                .collect::<Vec<_>>(),
        );
        let result = (
            out.rows.len(),
            le_bytes(py, out.rows.iter().copied(), i64::to_le_bytes)?,
            le_bytes(py, out.at.iter().copied(), i64::to_le_bytes)?,
            le_bytes(py, out.fees.iter().copied(), u32::to_le_bytes)?,
            kept.len(),
            (
                names(|f| f.0, products)?,
                names(|f| f.1, prices)?,
                names(|f| f.2, currencies)?,
            ),
            (
                amount_scale,
                le_bytes(py, kept.iter().map(|f| f.3), i128::to_le_bytes)?,
            ),
            equivalents,
            issues,
        );
        Ok(result.into_pyobject(py)?)
    })
}

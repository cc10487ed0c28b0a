//! The columnar batch behind `Engine.quote_frame`.
//!
//! The Python half (`ratecard/_frame.py`) turns a pandas, polars or Arrow frame into plain
//! little-endian column buffers (`bytes`); this half reads events straight out of them,
//! borrowing every string, quotes them, and hands back one buffer per output column. No Python
//! object is created per row in either direction.

use crate::engine::{options_for, Engine};
use crate::errors::{guard, OrRaise};
use crate::input::{prefixed, OptionArgs};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use ratecard::event::scalar_from_double;
use ratecard::product::PriceKind;
use ratecard::{Code, Decimal, Error, ErrorKind, Event, Instant, Scalar};
use std::borrow::Cow;
use std::collections::HashMap;

/// One input column, as the Python half encodes it: `(kind, values, offsets_or_none,
/// validity_or_none, scale)`.
enum Data<'a> {
    /// Arrow large_utf8: `n + 1` i64 offsets into the UTF-8 bytes.
    Str { offsets: &'a [u8], bytes: &'a [u8] },
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
}

fn word<const N: usize>(bytes: &[u8], i: usize) -> Option<[u8; N]> {
    bytes
        .get(i.checked_mul(N)?..i.checked_mul(N)?.checked_add(N)?)
        .and_then(|s| <[u8; N]>::try_from(s).ok())
}

/// A column spec's Python objects, kept alive while columns borrow their bytes.
struct Spec<'py> {
    kind: String,
    values: Option<Bound<'py, PyBytes>>,
    extra: Option<Bound<'py, PyBytes>>,
    valid: Option<Bound<'py, PyBytes>>,
    scale: u32,
}

impl<'py> Spec<'py> {
    fn read(spec: &Bound<'py, PyTuple>) -> PyResult<Spec<'py>> {
        let bytes_at = |i: usize| -> PyResult<Option<Bound<'py, PyBytes>>> {
            let item = spec.get_item(i)?;
            if item.is_none() {
                return Ok(None);
            }
            Ok(Some(item.cast_into::<PyBytes>()?))
        };
        Ok(Spec {
            kind: spec.get_item(0)?.extract()?,
            values: bytes_at(1)?,
            extra: bytes_at(2)?,
            valid: bytes_at(3)?,
            scale: spec.get_item(4)?.extract()?,
        })
    }
}

impl<'a> Column<'a> {
    fn read(name: String, spec: &'a Spec<'_>, n: usize) -> PyResult<Column<'a>> {
        let kind = &spec.kind;
        let values: &'a [u8] = spec.values.as_ref().map(|b| b.as_bytes()).unwrap_or_default();
        let extra: Option<&'a [u8]> = spec.extra.as_ref().map(|b| b.as_bytes());
        let valid: Option<&'a [u8]> = spec.valid.as_ref().map(|b| b.as_bytes());
        let scale = spec.scale;
        let width = match kind.as_str() {
            "i64" | "f64" | "ts" => 8,
            "bool" => 1,
            "dec" => 16,
            _ => 0,
        };
        let short = |what: &str| {
            pyo3::exceptions::PyValueError::new_err(format!(
                "column {name:?}: {what} buffer is shorter than the frame ({n} rows)"
            ))
        };
        if values.len() < n * width {
            return Err(short("values"));
        }
        if valid.is_some_and(|v| v.len() < n) {
            return Err(short("validity"));
        }
        let data = match kind.as_str() {
            "str" => {
                let offsets = values;
                if offsets.len() < (n + 1) * 8 {
                    return Err(short("offsets"));
                }
                Data::Str {
                    offsets,
                    bytes: extra.unwrap_or_default(),
                }
            }
            "i64" => Data::I64(values),
            "f64" => Data::F64(values),
            "bool" => Data::Bool(values),
            "dec" => Data::Dec(values, scale),
            "ts" => Data::Micros(values),
            "null" => Data::Null,
            other => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "column {name:?}: unknown column kind {other:?}"
                )))
            }
        };
        Ok(Column { name, data, valid })
    }

    fn is_valid(&self, i: usize) -> bool {
        !matches!(self.data, Data::Null) && self.valid.is_none_or(|v| v.get(i) == Some(&1))
    }

    fn str_at(&self, i: usize) -> Option<Result<&'a str, String>> {
        if !self.is_valid(i) {
            return None;
        }
        let Data::Str { offsets, bytes } = self.data else {
            return None;
        };
        let span = word::<8>(offsets, i)
            .zip(word::<8>(offsets, i + 1))
            .map(|(a, b)| (i64::from_le_bytes(a), i64::from_le_bytes(b)))
            .and_then(|(a, b)| Some((usize::try_from(a).ok()?, usize::try_from(b).ok()?)))
            .and_then(|(a, b)| bytes.get(a..b));
        Some(match span {
            Some(s) => std::str::from_utf8(s).map_err(|e| format!("not UTF-8: {e}")),
            None => Err("string offsets out of range".into()),
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
            Data::I64(b) => Scalar::Num(Decimal::from(i64::from_le_bytes(word::<8>(b, i)?))),
            Data::F64(b) => scalar_from_double(f64::from_le_bytes(word::<8>(b, i)?)),
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

    fn instant_at(&self, i: usize) -> Result<Option<Instant>, (Code, String)> {
        if !self.is_valid(i) {
            return Ok(None);
        }
        match &self.data {
            Data::Micros(b) => word::<8>(b, i)
                .map(i64::from_le_bytes)
                .and_then(Instant::from_unix_micros)
                .map(Some)
                .ok_or((Code::InvalidTimestamp, "timestamp out of range".into())),
            Data::Str { .. } => match self.str_at(i) {
                Some(Ok(s)) => Instant::parse(s)
                    .map(Some)
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
}

/// Strings seen in the output, numbered in first-seen order (Arrow dictionary encoding).
#[derive(Default)]
struct Interner<'e> {
    index: HashMap<&'e str, i32>,
    values: Vec<&'e str>,
}

impl<'e> Interner<'e> {
    fn id(&mut self, s: &'e str) -> i32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = i32::try_from(self.values.len()).unwrap_or(i32::MAX);
        self.index.insert(s, i);
        self.values.push(s);
        i
    }
}

/// A decimal as an Arrow decimal128 integer at `scale`.
fn scaled(d: Decimal, scale: u32) -> Option<i128> {
    let d = if d.scale() > scale { d.normalize() } else { d };
    let up = scale.checked_sub(d.scale())?;
    d.mantissa().checked_mul(10i128.checked_pow(up)?)
}

fn le_bytes<T: Copy, const N: usize>(values: &[T], to: impl Fn(T) -> [u8; N]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() * N);
    for v in values {
        out.extend_from_slice(&to(*v));
    }
    out
}

struct Out<'e> {
    rows: Vec<i64>,
    at: Vec<i64>,
    product: Vec<i32>,
    price: Vec<i32>,
    currency: Vec<i32>,
    amount: Vec<i128>,
    equivalents: Vec<Vec<i128>>,
    products: Interner<'e>,
    prices: Interner<'e>,
    currencies: Interner<'e>,
}

fn overflow(row: usize, what: &str, scale: u32) -> Error {
    Error::one(
        ErrorKind::Overflow,
        &format!("[{row}]"),
        Code::DecimalOverflow,
        format!("{what} does not fit an Arrow decimal128(38, {scale})"),
    )
}

impl<'e> Out<'e> {
    fn push(
        &mut self,
        row: usize,
        quote: &ratecard::Quote<'e>,
        amount_scale: u32,
        scales: &[u32],
    ) -> Result<(), Error> {
        let at = i64::try_from(quote.at.unix_nanos().div_euclid(1000)).unwrap_or(i64::MAX);
        for fee in &quote.fees {
            self.rows.push(i64::try_from(row).unwrap_or(i64::MAX));
            self.at.push(at);
            self.product.push(self.products.id(fee.product_code));
            self.price.push(self.prices.id(fee.price_name));
            self.currency.push(self.currencies.id(fee.currency));
            let amount = scaled(fee.amount.value, amount_scale)
                .ok_or_else(|| overflow(row, "amount", amount_scale))?;
            self.amount.push(amount);
            for ((column, scale), (_, eq)) in self
                .equivalents
                .iter_mut()
                .zip(scales)
                .zip(&fee.equivalents.0)
            {
                column.push(scaled(eq.value, *scale).ok_or_else(|| overflow(row, "equivalent", *scale))?);
            }
        }
        Ok(())
    }
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
) -> PyResult<Bound<'py, PyTuple>> {
    guard(py, || {
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
        let options = options_for(py, &args, false)?;
        let type_spec = Spec::read(event_type)?;
        let occurred_spec = occurred_at.map(Spec::read).transpose()?;
        let data_specs = data
            .iter()
            .map(|(name, spec)| Ok((name.clone(), Spec::read(spec)?)))
            .collect::<PyResult<Vec<_>>>()?;
        let types = Column::read("event_type".into(), &type_spec, n)?;
        let occurred = occurred_spec
            .as_ref()
            .map(|spec| Column::read("occurred_at".into(), spec, n))
            .transpose()?;
        let columns = data_specs
            .iter()
            .map(|(name, spec)| Column::read(name.clone(), spec, n))
            .collect::<PyResult<Vec<_>>>()?;

        // Scales: amounts share one column, so it takes the largest precision of any asset a
        // price charges in (every fee amount is rounded to its own, smaller or equal, one).
        let mut amount_scale = 0;
        let mut tiered = false;
        for product in &engine.catalog().products {
            for price in &product.prices {
                if let PriceKind::Usage(usage) = &price.kind {
                    tiered |= usage.pricing_model.has_tiers();
                    for p in &usage.pricing {
                        if let Some(info) = engine.asset_info(&p.asset) {
                            amount_scale = amount_scale.max(info.precision);
                        }
                    }
                }
            }
        }
        let mut targets = Vec::new();
        let mut issues = Vec::new();
        for (i, code) in options.express_in.iter().enumerate() {
            match engine.asset_info(code) {
                Some(info) => targets.push((info.code.clone(), info.precision)),
                None => issues.push(ratecard::Issue::new(
                    format!("express_in[{i}]"),
                    Code::UnknownAsset,
                    format!("{code:?} is neither an asset of this catalog nor an ISO 4217 currency"),
                )),
            }
        }
        if !issues.is_empty() {
            return Err(Error::new(ErrorKind::InvalidArgument, issues)).or_raise(py);
        }
        let scales: Vec<u32> = targets.iter().map(|t| t.1).collect();

        let mut events: Vec<Event<'_>> = Vec::with_capacity(n);
        let mut issues = Vec::new();
        for i in 0..n {
            let event_type = match types.str_at(i) {
                Some(Ok(s)) => s,
                Some(Err(m)) => {
                    issues.push(ratecard::Issue::new(format!("[{i}].event_type"), Code::InvalidType, m));
                    ""
                }
                None => {
                    issues.push(ratecard::Issue::new(
                        format!("[{i}].event_type"),
                        Code::MissingField,
                        "event_type is null",
                    ));
                    ""
                }
            };
            let occurred = match occurred.as_ref().map(|c| c.instant_at(i)) {
                None | Some(Ok(None)) => None,
                Some(Ok(t)) => t,
                Some(Err((code, m))) => {
                    issues.push(ratecard::Issue::new(format!("[{i}].occurred_at"), code, m));
                    None
                }
            };
            let mut fields = Vec::with_capacity(columns.len());
            for c in &columns {
                if let Some(v) = c.scalar_at(i) {
                    fields.push((Cow::Borrowed(c.name.as_str()), v));
                }
            }
            let event = Event {
                id: None,
                event_type: Cow::Borrowed(event_type),
                occurred_at: occurred,
                data: fields,
            };
            if issues.is_empty() {
                if let Err(e) = event.check(&format!("[{i}]")) {
                    issues.extend(e.issues);
                }
            }
            if issues.len() >= 100 {
                break;
            }
            events.push(event);
        }
        if !issues.is_empty() {
            return Err(Error::new(ErrorKind::InvalidEvent, issues)).or_raise(py);
        }

        let mut out = Out {
            rows: Vec::with_capacity(n),
            at: Vec::with_capacity(n),
            product: Vec::with_capacity(n),
            price: Vec::with_capacity(n),
            currency: Vec::with_capacity(n),
            amount: Vec::with_capacity(n),
            equivalents: vec![Vec::with_capacity(n); targets.len()],
            products: Interner::default(),
            prices: Interner::default(),
            currencies: Interner::default(),
        };
        if tiered {
            // Tier usage must accumulate through the whole frame, in order.
            let quotes = engine.quote_many(&events, &options).or_raise(py)?;
            for (i, q) in quotes.iter().enumerate() {
                out.push(i, q, amount_scale, &scales).or_raise(py)?;
            }
        } else {
            // Without tiers each event prices alone: stream, keeping one quote at a time.
            for (i, event) in events.iter().enumerate() {
                let q = engine
                    .quote(event, &options)
                    .map_err(|e| prefixed(e, i))
                    .or_raise(py)?;
                out.push(i, &q, amount_scale, &scales).or_raise(py)?;
            }
        }

        let m = out.rows.len();
        let equivalents = PyList::empty(py);
        for ((code, scale), column) in targets.iter().zip(&out.equivalents) {
            let bytes = PyBytes::new(py, &le_bytes(column, i128::to_le_bytes));
            equivalents.append((code, *scale, bytes))?;
        }
        let result = (
            m,
            PyBytes::new(py, &le_bytes(&out.rows, i64::to_le_bytes)),
            PyBytes::new(py, &le_bytes(&out.at, i64::to_le_bytes)),
            (
                PyBytes::new(py, &le_bytes(&out.product, i32::to_le_bytes)),
                out.products.values.clone(),
            ),
            (
                PyBytes::new(py, &le_bytes(&out.price, i32::to_le_bytes)),
                out.prices.values.clone(),
            ),
            (
                PyBytes::new(py, &le_bytes(&out.currency, i32::to_le_bytes)),
                out.currencies.values.clone(),
            ),
            (
                amount_scale,
                PyBytes::new(py, &le_bytes(&out.amount, i128::to_le_bytes)),
            ),
            equivalents,
        );
        result.into_pyobject(py).map_err(PyErr::from)
    })
}

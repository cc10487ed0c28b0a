//! The columnar batch behind `Engine.quote_frame`.
//!
//! The Python half (`ratecard/_frame.py`) turns a pandas, polars or Arrow frame into plain
//! little-endian column buffers (`bytes`), strings dictionary-encoded; this half reads events
//! straight out of them, borrowing every string, quotes them with the core, and hands back one
//! buffer per output column. No Python object is created per row in either direction.
//!
//! Frames repeat themselves (a few event types and models, volumes from a small set), so
//! without tiers (whose usage carries from row to row) identical rows are quoted once: a row's
//! fees depend only on its event type, its data and, through the conversion rates in force,
//! on which rate period its instant falls in. Everything else is the core's work, row by row.

use crate::engine::{options_for, Engine};
use crate::errors::{guard, OrRaise};
use crate::input::{prefixed, OptionArgs};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use ratecard::catalog::product::PriceKind;
use ratecard::event::scalar_from_f64;
use ratecard::{Code, Decimal, Error, ErrorKind, Event, Instant, Scalar};
use std::borrow::Cow;
use std::collections::HashMap;

/// One input column's values, as the Python half encodes them.
enum Data<'a> {
    /// Arrow large_utf8: `n + 1` i64 offsets into the UTF-8 bytes.
    Str {
        offsets: &'a [u8],
        bytes: &'a [u8],
    },
    /// i32 indices into a dictionary column (strings).
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
}

/// A column spec's Python objects, kept alive while columns borrow their bytes:
/// `(kind, values, extra, validity, scale, dictionary_spec)`.
struct Spec<'py> {
    kind: String,
    values: Option<Bound<'py, PyBytes>>,
    extra: Option<Bound<'py, PyBytes>>,
    valid: Option<Bound<'py, PyBytes>>,
    scale: u32,
    dictionary: Option<Box<Spec<'py>>>,
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
        let dictionary = match spec.len() > 5 {
            true => {
                let d = spec.get_item(5)?;
                match d.is_none() {
                    true => None,
                    false => Some(Box::new(Spec::read(&d.cast_into::<PyTuple>()?)?)),
                }
            }
            false => None,
        };
        Ok(Spec {
            kind: spec.get_item(0)?.extract()?,
            values: bytes_at(1)?,
            extra: bytes_at(2)?,
            valid: bytes_at(3)?,
            scale: spec.get_item(4)?.extract()?,
            dictionary,
        })
    }
}

fn word<const N: usize>(bytes: &[u8], i: usize) -> Option<[u8; N]> {
    bytes
        .get(i.checked_mul(N)?..i.checked_mul(N)?.checked_add(N)?)
        .and_then(|s| <[u8; N]>::try_from(s).ok())
}

impl<'a> Column<'a> {
    fn read(name: String, spec: &'a Spec<'_>, n: usize) -> PyResult<Column<'a>> {
        let kind = spec.kind.as_str();
        let values: &'a [u8] = spec
            .values
            .as_ref()
            .map(|b| b.as_bytes())
            .unwrap_or_default();
        let extra: Option<&'a [u8]> = spec.extra.as_ref().map(|b| b.as_bytes());
        let valid: Option<&'a [u8]> = spec.valid.as_ref().map(|b| b.as_bytes());
        let width = match kind {
            "i64" | "f64" | "ts" => 8,
            "bool" => 1,
            "dict" => 4,
            "dec" => 16,
            "str" => 8,
            _ => 0,
        };
        let short = |what: &str| {
            pyo3::exceptions::PyValueError::new_err(format!(
                "column {name:?}: {what} buffer is shorter than its {n} rows"
            ))
        };
        let rows = if kind == "str" { n + 1 } else { n };
        if values.len() < rows * width {
            return Err(short("values"));
        }
        if valid.is_some_and(|v| v.len() < n) {
            return Err(short("validity"));
        }
        let data = match kind {
            "str" => Data::Str {
                offsets: values,
                bytes: extra.unwrap_or_default(),
            },
            "dict" => {
                let Some(dictionary) = spec.dictionary.as_deref() else {
                    return Err(short("dictionary"));
                };
                let size = dictionary
                    .values
                    .as_ref()
                    .map_or(0, |b| b.as_bytes().len() / 8);
                let inner = Column::read(name.clone(), dictionary, size.saturating_sub(1))?;
                Data::Dict(values, Box::new(inner))
            }
            "i64" => Data::I64(values),
            "f64" => Data::F64(values),
            "bool" => Data::Bool(values),
            "dec" => Data::Dec(values, spec.scale),
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

    /// The dictionary index of row `i`, for dictionary columns.
    fn index(&self, i: usize) -> Option<usize> {
        match &self.data {
            Data::Dict(b, _) => usize::try_from(i32::from_le_bytes(word::<4>(b, i)?)).ok(),
            _ => None,
        }
    }

    fn str_at(&self, i: usize) -> Option<Result<&'a str, String>> {
        if !self.is_valid(i) {
            return None;
        }
        match &self.data {
            Data::Str { offsets, bytes } => {
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
            Data::Dict(_, inner) => match self.index(i) {
                Some(k) => inner.str_at(k),
                None => Some(Err("dictionary index out of range".into())),
            },
            _ => Some(Err("expected strings".into())),
        }
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
}

type Parsed = Result<Option<Instant>, (Code, String)>;

fn parse_instant(column: &Column<'_>, i: usize) -> Parsed {
    if !column.is_valid(i) {
        return Ok(None);
    }
    match &column.data {
        Data::Micros(b) => word::<8>(b, i)
            .map(i64::from_le_bytes)
            .and_then(Instant::from_unix_micros)
            .map(Some)
            .ok_or((Code::InvalidTimestamp, "timestamp out of range".into())),
        Data::Str { .. } => match column.str_at(i) {
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

/// An instant and its microseconds since the epoch (the output column's unit).
type When = (Instant, i64);

/// `occurred_at`, with each distinct string of a dictionary column parsed once.
struct Times<'c, 'a> {
    column: &'c Column<'a>,
    parsed: Vec<Result<Option<When>, (Code, String)>>,
}

impl<'c, 'a> Times<'c, 'a> {
    fn new(column: &'c Column<'a>) -> Times<'c, 'a> {
        let parsed = match &column.data {
            Data::Dict(_, inner) => {
                let size = match &inner.data {
                    Data::Str { offsets, .. } => (offsets.len() / 8).saturating_sub(1),
                    _ => 0,
                };
                (0..size)
                    .map(|k| parse_instant(inner, k).map(|t| t.map(|t| (t, micros(t)))))
                    .collect()
            }
            _ => Vec::new(),
        };
        Times { column, parsed }
    }

    fn at(&self, i: usize) -> Result<Option<When>, (Code, String)> {
        if !self.column.is_valid(i) {
            return Ok(None);
        }
        match &self.column.data {
            Data::Dict(..) => match self.column.index(i).and_then(|k| self.parsed.get(k)) {
                Some(Ok(w)) => Ok(*w),
                Some(Err(e)) => Err(e.clone()),
                None => Err((Code::InvalidType, "dictionary index out of range".into())),
            },
            Data::Micros(b) => {
                let us = word::<8>(b, i).map(i64::from_le_bytes);
                match us.and_then(|us| Some((Instant::from_unix_micros(us)?, us))) {
                    Some(w) => Ok(Some(w)),
                    None => Err((Code::InvalidTimestamp, "timestamp out of range".into())),
                }
            }
            _ => parse_instant(self.column, i).map(|t| t.map(|t| (t, micros(t)))),
        }
    }
}

/// Strings seen in the output, numbered in first-seen order (Arrow dictionary encoding).
#[derive(Default)]
struct Interner {
    index: HashMap<String, i32>,
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

/// A decimal as an Arrow decimal128 integer at `scale`.
fn scaled(d: Decimal, scale: u32) -> Option<i128> {
    let d = if d.scale() > scale { d.normalize() } else { d };
    let up = scale.checked_sub(d.scale())?;
    d.mantissa().checked_mul(10i128.checked_pow(up)?)
}

/// A column of fixed-width values as a `bytes` object, written in place (one copy, not two).
fn le_bytes<'py, T: Copy, const N: usize>(
    py: Python<'py>,
    values: &[T],
    to: impl Fn(T) -> [u8; N],
) -> PyResult<Bound<'py, PyBytes>> {
    PyBytes::new_with(py, values.len() * N, |buf| {
        for (chunk, v) in buf.chunks_exact_mut(N).zip(values) {
            chunk.copy_from_slice(&to(*v));
        }
        Ok(())
    })
}

/// One output row, without its event row and instant.
#[derive(Clone)]
struct FeeRow {
    product: i32,
    price: i32,
    currency: i32,
    amount: i128,
    /// Index of the first of this fee's equivalents in `Out::memo_equivalents`.
    equivalents: usize,
}

struct Out {
    rows: Vec<i64>,
    at: Vec<i64>,
    product: Vec<i32>,
    price: Vec<i32>,
    currency: Vec<i32>,
    amount: Vec<i128>,
    equivalents: Vec<Vec<i128>>,
    products: Interner,
    prices: Interner,
    currencies: Interner,
    amount_scale: u32,
    scales: Vec<u32>,
    /// Fees of memoized rows, and their equivalents (`scales.len()` per fee).
    memo_fees: Vec<FeeRow>,
    memo_equivalents: Vec<i128>,
}

fn overflow(row: usize, what: &str, scale: u32) -> Error {
    Error::one(
        ErrorKind::Overflow,
        &format!("[{row}]"),
        Code::DecimalOverflow,
        format!("{what} does not fit an Arrow decimal128(38, {scale})"),
    )
}

fn micros(t: Instant) -> i64 {
    i64::try_from(t.unix_nanos().div_euclid(1000)).unwrap_or(i64::MAX)
}

impl Out {
    /// Turns a quote's fees into rows; returns the range they take in the memo store when
    /// `remember` is set.
    fn push(
        &mut self,
        row: usize,
        quote: &ratecard::Quote<'_>,
        remember: bool,
    ) -> Result<(usize, usize), Error> {
        let start = self.memo_fees.len();
        for fee in &quote.fees {
            let amount = scaled(fee.amount.value, self.amount_scale)
                .ok_or_else(|| overflow(row, "amount", self.amount_scale))?;
            let fee_row = FeeRow {
                product: self.products.id(fee.product_code),
                price: self.prices.id(fee.price_name),
                currency: self.currencies.id(fee.currency),
                amount,
                equivalents: self.memo_equivalents.len(),
            };
            let mut eqs = Vec::with_capacity(self.scales.len());
            for (scale, (_, eq)) in self.scales.iter().zip(&fee.equivalents.0) {
                eqs.push(
                    scaled(eq.value, *scale).ok_or_else(|| overflow(row, "equivalent", *scale))?,
                );
            }
            self.emit(row, micros(quote.at), &fee_row, &eqs);
            if remember {
                self.memo_equivalents.extend_from_slice(&eqs);
                self.memo_fees.push(fee_row);
            }
        }
        Ok((start, self.memo_fees.len()))
    }

    fn emit(&mut self, row: usize, at: i64, fee: &FeeRow, equivalents: &[i128]) {
        self.rows.push(i64::try_from(row).unwrap_or(i64::MAX));
        self.at.push(at);
        self.product.push(fee.product);
        self.price.push(fee.price);
        self.currency.push(fee.currency);
        self.amount.push(fee.amount);
        for (column, eq) in self.equivalents.iter_mut().zip(equivalents) {
            column.push(*eq);
        }
    }

    fn replay(&mut self, row: usize, at: i64, range: (usize, usize)) {
        let width = self.scales.len();
        for k in range.0..range.1 {
            let Some(fee) = self.memo_fees.get(k) else {
                continue;
            };
            self.rows.push(i64::try_from(row).unwrap_or(i64::MAX));
            self.at.push(at);
            self.product.push(fee.product);
            self.price.push(fee.price);
            self.currency.push(fee.currency);
            self.amount.push(fee.amount);
            let eqs = self
                .memo_equivalents
                .get(fee.equivalents..fee.equivalents + width)
                .unwrap_or_default();
            for (column, eq) in self.equivalents.iter_mut().zip(eqs) {
                column.push(*eq);
            }
        }
    }
}

/// FxHash (rustc's hasher): memo keys are short byte strings made by this process, so a fast
/// non-cryptographic hash is enough, and SipHash would be a third of the per-row cost.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let word = u64::from_le_bytes(<[u8; 8]>::try_from(c).unwrap_or_default());
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(K);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxBuild = std::hash::BuildHasherDefault<Fx>;

/// Each row's value of one column as a small number: 0 for null, then 1, 2, ... per distinct
/// value, so that a row's key is one integer (mixed radix) instead of a byte string.
struct Factor<'c, 'a> {
    column: &'c Column<'a>,
    /// Codes built by a first pass, for columns that are not dictionary-encoded already.
    built: Vec<u32>,
    radix: u64,
}

impl<'c, 'a> Factor<'c, 'a> {
    /// `None` when the column has so many distinct values that memoizing would not pay.
    fn new(column: &'c Column<'a>, n: usize) -> Option<Factor<'c, 'a>> {
        let cell = |b: &[u8], i: usize, w: usize| -> u128 {
            let mut out = [0u8; 16];
            if let (Some(src), Some(dst)) = (b.get(i * w..i * w + w), out.get_mut(..w)) {
                dst.copy_from_slice(src);
            }
            u128::from_le_bytes(out)
        };
        let (bytes, width) = match &column.data {
            Data::Dict(_, inner) => {
                let size = match &inner.data {
                    Data::Str { offsets, .. } => (offsets.len() / 8).saturating_sub(1),
                    _ => 0,
                };
                return Some(Factor {
                    column,
                    built: Vec::new(),
                    radix: size as u64 + 1,
                });
            }
            Data::Null => {
                return Some(Factor {
                    column,
                    built: Vec::new(),
                    radix: 1,
                })
            }
            Data::I64(b) | Data::F64(b) | Data::Micros(b) => (*b, 8),
            Data::Dec(b, _) => (*b, 16),
            Data::Bool(b) => (*b, 1),
            // Strings always arrive dictionary-encoded from the Python half.
            Data::Str { .. } => return None,
        };
        let mut seen: HashMap<u128, u32, FxBuild> = HashMap::default();
        let mut built = Vec::with_capacity(n);
        for i in 0..n {
            if !column.is_valid(i) {
                built.push(0);
                continue;
            }
            let next = u32::try_from(seen.len() + 1).ok()?;
            built.push(*seen.entry(cell(bytes, i, width)).or_insert(next));
            if i == MEMO_PROBE && seen.len() > MEMO_PROBE / 2 {
                return None;
            }
        }
        let radix = seen.len() as u64 + 1;
        Some(Factor {
            column,
            built,
            radix,
        })
    }

    fn code(&self, i: usize) -> u64 {
        match &self.column.data {
            Data::Dict(..) if self.column.is_valid(i) => {
                self.column.index(i).map_or(0, |k| k as u64 + 1)
            }
            Data::Dict(..) | Data::Null => 0,
            _ => self.built.get(i).copied().map_or(0, u64::from),
        }
    }
}

/// Where a row key's fees are: a direct table for small key spaces, a hash map otherwise.
enum Memo {
    Table(Vec<u32>),
    Map(HashMap<u64, u32, FxBuild>),
}

impl Memo {
    fn get(&self, key: u64) -> Option<usize> {
        let slot = match self {
            Memo::Table(t) => usize::try_from(key).ok().and_then(|k| t.get(k)).copied(),
            Memo::Map(m) => m.get(&key).copied(),
        }?;
        (slot != u32::MAX).then_some(slot as usize)
    }

    fn insert(&mut self, key: u64, slot: usize) {
        let slot = u32::try_from(slot).unwrap_or(u32::MAX);
        match self {
            Memo::Table(t) => {
                if let Some(x) = usize::try_from(key).ok().and_then(|k| t.get_mut(k)) {
                    *x = slot;
                }
            }
            Memo::Map(m) => {
                m.insert(key, slot);
            }
        }
    }
}

/// Rows looked at before deciding whether memoizing pays, and the hit rate it must reach.
const MEMO_PROBE: usize = 4096;
const MEMO_ENTRIES: usize = 1 << 20;

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
        let times = occurred.as_ref().map(Times::new);
        let columns = data_specs
            .iter()
            .map(|(name, spec)| Column::read(name.clone(), spec, n))
            .collect::<PyResult<Vec<_>>>()?;

        // Amounts share one column, so it takes the largest precision of any asset a price
        // charges in (every fee amount is rounded to its own, smaller or equal, one).
        let mut amount_scale = 0;
        let tiered = engine.has_tiered_prices();
        for product in &engine.catalog().products {
            for price in &product.prices {
                if let PriceKind::Usage(usage) = &price.kind {
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
                    format!(
                        "{code:?} is neither an asset of this catalog nor an ISO 4217 currency"
                    ),
                )),
            }
        }
        if !issues.is_empty() {
            return Err(Error::new(ErrorKind::InvalidArgument, issues)).or_raise(py);
        }

        let read_event = |i: usize, issues: &mut Vec<ratecard::Issue>| -> Event<'_> {
            let event_type = match types.str_at(i) {
                Some(Ok(s)) => s,
                Some(Err(m)) => {
                    issues.push(ratecard::Issue::new(
                        format!("[{i}].event_type"),
                        Code::InvalidType,
                        m,
                    ));
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
            let occurred = match times.as_ref().map(|t| t.at(i)) {
                None | Some(Ok(None)) => None,
                Some(Ok(t)) => t.map(|w| w.0),
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
            event
        };

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
            amount_scale,
            scales: targets.iter().map(|t| t.1).collect(),
            memo_fees: Vec::new(),
            memo_equivalents: Vec::new(),
        };
        let mut issues = Vec::new();
        // One batch, priced row by row in order: tier usage carries down the frame. A row a
        // tiered price prices depends on the rows before it, so only the others are memoized.
        let mut session = engine.session(&options).or_raise(py)?;
        // Fees never depend on rates; equivalents do, and only through the core's rate
        // periods (`Engine::rate_period`).
        let boundaries: &[Instant] = if targets.is_empty() {
            &[]
        } else {
            engine.rate_boundaries()
        };
        let fixed_at = options.at.map(|t| (t, micros(t)));
        let now_at = options.now.map(|t| (t, micros(t)));
        // Row keys: event type, rate period (only when converting), then every data column.
        let periods = if boundaries.is_empty() {
            1
        } else {
            boundaries.len() as u64 * 2 + 2
        };
        let factors: Option<Vec<Factor<'_, '_>>> = std::iter::once(&types)
            .chain(columns.iter())
            .map(|c| Factor::new(c, n))
            .collect();
        let space = factors.as_ref().and_then(|f| {
            f.iter()
                .try_fold(periods, |acc, x| acc.checked_mul(x.radix))
        });
        let mut memo = match space {
            Some(size) if size <= (1 << 22).min(4 * n as u64 + 4096) => {
                Some(Memo::Table(vec![u32::MAX; size as usize]))
            }
            Some(_) => Some(Memo::Map(HashMap::default())),
            None => None,
        };
        let factors = factors.unwrap_or_default();
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        let mut hits = 0usize;
        for i in 0..n {
            if memo.is_some() && i == MEMO_PROBE && hits < MEMO_PROBE / 4 {
                // Mostly distinct rows: keys would cost more than they save.
                memo = None;
            }
            let instant = match times.as_ref().map(|t| t.at(i)) {
                // A bad timestamp: the core's path below reports it.
                Some(Err(_)) => None,
                Some(Ok(t)) => fixed_at.or(t).or(now_at),
                None => fixed_at.or(now_at),
            };
            let in_tiers = tiered
                && types
                    .str_at(i)
                    .and_then(Result::ok)
                    .is_some_and(|t| engine.prices_in_tiers(t));
            let mut key = None;
            if let (false, Some(m), Some((t, us))) = (in_tiers, memo.as_ref(), instant) {
                let period = if boundaries.is_empty() {
                    0
                } else {
                    engine.rate_period(t)
                };
                let k = factors
                    .iter()
                    .fold(period, |acc, f| acc * f.radix + f.code(i));
                if let Some(range) = m.get(k).and_then(|slot| ranges.get(slot)).copied() {
                    hits += 1;
                    out.replay(i, us, range);
                    continue;
                }
                key = Some(k);
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
                .map_err(|e| prefixed(e, i))
                .or_raise(py)?;
            let remember = key.is_some() && ranges.len() < MEMO_ENTRIES;
            let range = out.push(i, &q, remember).or_raise(py)?;
            if let (true, Some(k), Some(m)) = (remember, key, memo.as_mut()) {
                m.insert(k, ranges.len());
                ranges.push(range);
            }
        }
        if !issues.is_empty() {
            return Err(Error::new(ErrorKind::InvalidEvent, issues)).or_raise(py);
        }

        let m = out.rows.len();
        let equivalents = PyList::empty(py);
        for ((code, scale), column) in targets.iter().zip(&out.equivalents) {
            let bytes = le_bytes(py, column, i128::to_le_bytes)?;
            equivalents.append((code, *scale, bytes))?;
        }
        let result = (
            m,
            le_bytes(py, &out.rows, i64::to_le_bytes)?,
            le_bytes(py, &out.at, i64::to_le_bytes)?,
            (
                le_bytes(py, &out.product, i32::to_le_bytes)?,
                out.products.values.clone(),
            ),
            (
                le_bytes(py, &out.price, i32::to_le_bytes)?,
                out.prices.values.clone(),
            ),
            (
                le_bytes(py, &out.currency, i32::to_le_bytes)?,
                out.currencies.values.clone(),
            ),
            (amount_scale, le_bytes(py, &out.amount, i128::to_le_bytes)?),
            equivalents,
        );
        result.into_pyobject(py)
    })
}

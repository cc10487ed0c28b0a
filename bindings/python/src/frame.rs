//! The columnar batch behind `Engine.quote_frame`.
//!
//! The frame arrives as an Arrow C stream (`from_arrow`): each column's rows numbered by their
//! distinct values, each value read once by the rules an event dict's value is read by. Events
//! are built from the numbers, priced with the core in one session (tier usage carries down the
//! frame) with the GIL released, and the output goes back as Arrow (`to_arrow`). No Python
//! object is made per row in either direction.
//!
//! Frames repeat themselves, so rows are priced once per distinct row, by the core's plan of
//! which events can share a pricing ([`ratecard::Twins`]). A row's key is one integer: its
//! columns' codes in mixed radix, with, when amounts are expressed in other assets, the rate
//! period of its instant ([`ratecard::Engine::rate_period`]).

use crate::engine::Engine;
use crate::errors::{fail, guard, Fail, Result};
use crate::from_arrow::{self, micros, Column, Frame, When};
use crate::from_py::OptionArgs;
use crate::to_arrow::{self, ArrowStream, Table};
use pyo3::prelude::*;
use ratecard::catalog::product::PriceKind;
use ratecard::{Code, Decimal, Error, ErrorKind, Event, Gathered, Issue, Place, Scalar};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::sync::Arc;

/// Strings of the output, numbered in first-seen order (Arrow dictionary encoding).
#[derive(Default)]
struct Interner {
    index: FxHashMap<String, u32>,
    values: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.index.insert(s.to_string(), i);
        self.values.push(s.to_string());
        i
    }
}

/// One output row, without its event row and instant: product, price and currency (interned),
/// the amount as a decimal128 integer, and where its equivalents start in [`Out::equivalents`].
#[derive(Clone, Copy)]
struct FeeRow(u32, u32, u32, i128, usize);

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

/// How often, in rows, a long frame reports its progress and lets Ctrl-C through.
const STRIDE: usize = 1 << 16;

/// Quotes every row of a frame exported as an Arrow C stream; `ratecard/_frame.py` is its
/// front. Returns the fees and the issues, each a table as an [`ArrowStream`].
#[pyfunction]
#[pyo3(signature = (engine, source, *, at=None, express_in=None, products=None, prior_usage=None, now=None, raise_errors=true, dictionary=false, progress=None))]
#[allow(clippy::too_many_arguments)]
pub fn _quote_arrow<'py>(
    py: Python<'py>,
    engine: &Bound<'py, Engine>,
    source: &Bound<'py, PyAny>,
    at: Option<&Bound<'py, PyAny>>,
    express_in: Option<&Bound<'py, PyAny>>,
    products: Option<&Bound<'py, PyAny>>,
    prior_usage: Option<&Bound<'py, PyAny>>,
    now: Option<&Bound<'py, PyAny>>,
    raise_errors: bool,
    dictionary: bool,
    progress: Option<Py<PyAny>>,
) -> Result<(ArrowStream, ArrowStream)> {
    // Whether the caller said when to price rows without a time (`now=False` says never).
    let timed = [at, now]
        .into_iter()
        .flatten()
        .any(|v| !v.is_none() && !v.is_instance_of::<pyo3::types::PyBool>());
    guard(|| {
        let engine = &engine.get().inner;
        let mut args = OptionArgs::new(at, express_in, products, prior_usage, None, now, None)?;
        args.explain = Some(false);
        let options = args.read(py, false)?;
        let frame = from_arrow::read_stream(source)?;
        let how = How {
            timed,
            raise_errors,
            dictionary,
            progress,
        };
        // Nothing below touches a Python object: other threads run while the frame is priced.
        py.detach(|| price(engine, &frame, &options, &how))
    })
}

/// What the caller asked of a frame's pricing besides the quote options.
struct How {
    timed: bool,
    raise_errors: bool,
    dictionary: bool,
    progress: Option<Py<PyAny>>,
}

impl How {
    /// Reports `done` of `total` rows (and lets Ctrl-C through, on the main thread).
    fn tick(&self, done: usize, total: usize) -> Result<()> {
        Python::attach(|py| {
            py.check_signals()?;
            match &self.progress {
                Some(f) => f.call1(py, (done, total)).map(drop),
                None => Ok(()),
            }
        })
        .map_err(Fail::Py)
    }
}

/// An argument error about one of the frame's columns.
fn column_error(name: &str, code: Code, message: String) -> Fail {
    fail(ErrorKind::InvalidArgument, name, code, message)
}

/// A column's type, checked before any row is read: naive timestamps and types no event value
/// has are refused.
fn check_type(name: &str, t: &arrow_schema::DataType, time: bool) -> Result<()> {
    if from_arrow::is_naive(t) {
        let message = format!(
            "column '{name}' holds naive timestamps (no time zone); localize it first, e.g. df[col].dt.tz_localize('UTC')"
        );
        return Err(column_error(name, Code::InvalidTimestamp, message));
    }
    if time && !from_arrow::is_time(t) {
        let message = format!(
            "column '{name}' must hold RFC 3339 strings or time-zone-aware timestamps, not {t}"
        );
        return Err(column_error(name, Code::InvalidType, message));
    }
    if !from_arrow::is_data(t) {
        let message = format!(
            "column '{name}' has type {t}; event data must be strings, numbers or booleans"
        );
        return Err(column_error(name, Code::InvalidType, message));
    }
    Ok(())
}

fn price(
    engine: &ratecard::Engine,
    frame: &Frame,
    options: &ratecard::QuoteOptions,
    how: &How,
) -> Result<(ArrowStream, ArrowStream)> {
    let n = frame.rows;
    // The core checks the options (express_in's assets included) once, here.
    let mut session = engine.session(options)?;
    let Some(type_arrays) = frame.column("event_type") else {
        let message = "the frame has no 'event_type' column".to_string();
        return Err(column_error("event_type", Code::MissingField, message));
    };
    if !type_arrays
        .iter()
        .all(|a| from_arrow::is_text(a.data_type()))
    {
        let message = "the 'event_type' column must hold strings".to_string();
        return Err(column_error("event_type", Code::InvalidType, message));
    }
    let reserved = ["event_type", "id", "occurred_at"];
    let mut data_names = Vec::new();
    for field in frame.schema.fields() {
        let name = field.name().as_str();
        if name == "occurred_at" {
            check_type(name, field.data_type(), true)?;
        } else if !reserved.contains(&name) {
            check_type(name, field.data_type(), false)?;
            data_names.push(name);
        }
    }
    let unread = |name: &str| {
        let message = format!("column '{name}' could not be read");
        column_error(name, Code::InvalidType, message)
    };
    let types = from_arrow::column(&type_arrays, n, from_arrow::data_value)
        .ok_or_else(|| unread("event_type"))?;
    let times: Option<Column<When>> = match frame.column("occurred_at") {
        Some(arrays) => Some(
            from_arrow::column(&arrays, n, from_arrow::time_value)
                .ok_or_else(|| unread("occurred_at"))?,
        ),
        None => None,
    };
    let mut columns = Vec::with_capacity(data_names.len());
    for name in &data_names {
        let arrays = frame.column(name).unwrap_or_default();
        let column =
            from_arrow::column(&arrays, n, from_arrow::data_value).ok_or_else(|| unread(name))?;
        columns.push((*name, column));
    }

    // A column the rows' prices need and the frame lacks: refused before any row.
    let names: Vec<&str> = frame.names().collect();
    let kinds = types.values().filter_map(|v| match v {
        Scalar::Str(s) => Some(s.as_ref()),
        _ => None,
    });
    let missing = engine.missing_columns(&names, kinds, how.timed);
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
        let event_type = match types.value(i) {
            Some(Scalar::Str(s)) => s.as_ref(),
            problem => {
                let (code, m) = match problem {
                    None => (Code::MissingField, "event_type is null"),
                    Some(_) => (Code::InvalidType, "event_type must be a string"),
                };
                issues.push(Issue::new("event_type".to_string(), code, m.to_string()));
                ""
            }
        };
        let occurred_at = match times.as_ref().and_then(|t| t.value(i)) {
            Some(Ok((t, _))) => Some(*t),
            Some(Err((code, m))) => {
                issues.push(Issue::new("occurred_at".to_string(), *code, m.clone()));
                None
            }
            None => None,
        };
        let mut data = Vec::with_capacity(columns.len());
        for (name, c) in &columns {
            let value = match c.value(i) {
                None => continue,
                Some(Scalar::Str(s)) => Scalar::Str(Cow::Borrowed(s.as_ref())),
                Some(other) => other.clone(),
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
    // Whether a row is priced at the current time (no time of its own, no `at`) is in the key
    // too: its quote says so (`priced_at_now`).
    let periods = 2 * if converting {
        engine.rate_boundaries().len() as u64 * 2 + 2
    } else {
        1
    };
    let keyed: Vec<&Column<Scalar<'_>>> = std::iter::once(&types)
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
    // Each row priced: its fee rows in `kept`, its warnings in `notes`, and whether it could not
    // be priced (its twins are then read again, for their own issues). Of each row the twins
    // placed, its place there.
    let (mut priced, mut placed): (Vec<Priced>, Vec<usize>) = Default::default();
    let mut notes = Notes::default();
    let mut bad = Gathered::default();
    for i in 0..n {
        if i % STRIDE == 0 && i > 0 {
            how.tick(i, n)?;
        }
        let (instant, untimed) = match times.as_ref().and_then(|t| t.value(i)) {
            Some(Ok(t)) => (fixed_at.or(Some(*t)), false),
            // A bad timestamp: the core's reading below reports it.
            Some(Err(_)) => (None, false),
            None => (fixed_at.or(now_at), fixed_at.is_none()),
        };
        let place = match (instant, space) {
            (Some((t, _)), Some(_)) => {
                let period = if converting { engine.rate_period(t) } else { 0 };
                let mut key = period * 2 + u64::from(untimed);
                for c in &keyed {
                    key = key * c.radix().unwrap_or(1) + c.code(i);
                }
                let event_type = match (twins.reads_types(), types.value(i)) {
                    (true, Some(Scalar::Str(s))) => s.as_ref(),
                    _ => "",
                };
                Some(twins.place(event_type, key))
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
        let pricing = issues.is_empty() && (!how.raise_errors || bad.is_empty());
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
                bad.add(Error::new(ErrorKind::InvalidEvent, issues).prefixed(&format!("[{i}]")));
            }
            priced.push(Priced {
                failed: true,
                ..Priced::default()
            });
            if how.raise_errors && bad.is_full() {
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
    if how.raise_errors {
        bad.into_result().map_err(Fail::from)?;
    }
    how.tick(n, n)?;
    Ok((
        fees_table(frame, out, amount_scale, &targets, how.dictionary)?,
        issues_table(notes, how.dictionary)?,
    ))
}

/// The fees: one row per fee, each row's fee expanded from the fees priced (`kept`).
fn fees_table(
    frame: &Frame,
    out: Out,
    amount_scale: u32,
    targets: &[(String, u32)],
    dictionary: bool,
) -> Result<ArrowStream> {
    let fee = |j: usize| out.fees.get(j).and_then(|&k| out.kept.get(k as usize));
    let m = out.rows.len();
    let rows = arrow_array::Int64Array::from(out.rows);
    let mut table = Table::default();
    table.add("row", Arc::new(rows.clone()));
    for name in ["id", "event_type"] {
        if let Some((arrays, field)) = frame.column(name).zip(frame.field(name)) {
            let column = to_arrow::take(&arrays, field.data_type(), rows.values(), dictionary)?;
            table.add(name, column);
        }
    }
    let [products, prices, currencies] = &out.names;
    let names = [
        (
            "product_code",
            products,
            (|f: &FeeRow| f.0) as fn(&FeeRow) -> u32,
        ),
        ("price_name", prices, |f: &FeeRow| f.1),
        ("currency", currencies, |f: &FeeRow| f.2),
    ];
    let mut text = Vec::new();
    for (name, interner, pick) in names {
        let codes = (0..m).map(|j| fee(j).map_or(u32::MAX, pick));
        text.push((name, to_arrow::text(&interner.values, codes, dictionary)?));
    }
    let amount = (0..m).map(|j| fee(j).map_or(0, |f| f.3)).collect();
    let mut equivalents = Vec::new();
    for (t, (code, scale)) in targets.iter().enumerate() {
        let eq = |j: usize| fee(j).and_then(|f| out.equivalents.get(f.4 + t)).copied();
        let values = (0..m).map(|j| eq(j).unwrap_or_default()).collect();
        equivalents.push((code, to_arrow::decimals(values, *scale)?));
    }
    table.add("at", to_arrow::timestamps(out.at));
    for (name, column) in text {
        table.add(name, column);
    }
    table.add("amount", to_arrow::decimals(amount, amount_scale)?);
    for (code, column) in equivalents {
        table.add(code, column);
    }
    table.finish()
}

/// The rows' issues, one row each: `row`, `severity`, `path`, `code` and `message`.
fn issues_table(notes: Notes, dictionary: bool) -> Result<ArrowStream> {
    let mut table = Table::default();
    table.add("row", to_arrow::int64(notes.rows));
    // Each row's issue is an index into the distinct issues, expanded per column.
    let field = |f: fn(&(bool, Issue)) -> &str| notes.issues.iter().map(f).collect::<Vec<_>>();
    let columns: [(&str, Vec<&str>); 4] = [
        (
            "severity",
            field(|(e, _)| if *e { "error" } else { "warning" }),
        ),
        ("path", field(|(_, i)| i.path.as_str())),
        ("code", field(|(_, i)| i.code.as_str())),
        ("message", field(|(_, i)| i.message.as_str())),
    ];
    for (name, values) in columns {
        let which = notes.which.iter().copied();
        table.add(name, to_arrow::text(&values, which, dictionary)?);
    }
    table.finish()
}

//! The columnar batch behind `Engine.quote_frame`.
//!
//! The frame arrives as an Arrow C stream (`from_arrow`): each column's rows numbered by their
//! distinct values, each value read once by the rules an event dict's value is read by. Events
//! are built from the numbers and priced (`rows`) with the GIL released, in one session (tier
//! usage carries down the frame). The output goes back as Arrow (`to_arrow`). No Python object
//! is made per row in either direction.

use crate::engine::Engine;
use crate::errors::{fail, guard, Fail, Result};
use crate::from_arrow::{self, micros, Column, Frame, When};
use crate::from_py::OptionArgs;
use crate::rows::{price_rows, Cells, FeeRow, Notes, Out, Part, Plan};
use crate::to_arrow::{self, ArrowStream, Table};
use pyo3::prelude::*;
use ratecard::catalog::product::PriceKind;
use ratecard::{Code, Error, ErrorKind, Issue, Scalar};
use std::sync::Arc;

/// Quotes every row of a frame exported as an Arrow C stream; `ratecard/_frame.py` is its
/// front. Returns the fees and the issues, each a table as an [`ArrowStream`].
#[pyfunction]
#[pyo3(signature = (engine, source, *, at=None, express_in=None, products=None, prior_usage=None, now=None, raise_errors=true, dictionary=false, shared_amounts=false, threads=true, progress=None))]
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
    shared_amounts: bool,
    threads: bool,
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
            shared_amounts,
            threads,
            progress,
        };
        // Nothing below touches a Python object: other threads run while the frame is priced.
        py.detach(|| price(engine, &frame, &options, &how))
    })
}

/// `first` on a second thread while `second` runs on this one (or both here, in turn, when
/// `threads` is off), and their answers.
fn both<A: Send, B>(
    threads: bool,
    first: impl FnOnce() -> A + Send,
    second: impl FnOnce() -> B,
) -> Result<(A, B)> {
    if !threads {
        return Ok((first(), second()));
    }
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(first);
        let b = second();
        (a.join(), b)
    });
    let a = a.map_err(|_| {
        let message = "internal error in ratecard: a thread pricing the frame panicked";
        fail(ErrorKind::InvalidArgument, "", Code::Internal, message)
    })?;
    Ok((a, b))
}

/// A data column read, or `None` when its type is not read.
type DataColumn<'f> = (&'f str, Option<Column<Scalar<'f>>>);

/// What the caller asked of a frame's pricing besides the quote options.
struct How {
    timed: bool,
    raise_errors: bool,
    dictionary: bool,
    /// Amounts as dictionaries of the distinct fees' (what pandas' Decimals are made from, one
    /// per distinct fee) rather than one decimal128 a row.
    shared_amounts: bool,
    /// Whether a second thread may help (off where the caller already runs frames in parallel).
    threads: bool,
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
    engine.session(options)?;
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
    // The columns are numbered on two threads (event types and every other data column on one,
    // times and the rest on the other): numbering is most of a repetitive frame's time.
    fn data_column<'f>(frame: &'f Frame, name: &'f str, n: usize) -> DataColumn<'f> {
        let arrays = frame.column(name).unwrap_or_default();
        (name, from_arrow::column(&arrays, n, from_arrow::data_value))
    }
    let ((types, odd), (times, data)) = both(
        how.threads,
        || {
            let types = from_arrow::column(&type_arrays, n, from_arrow::data_value);
            let odd: Vec<_> = data_names
                .iter()
                .skip(1)
                .step_by(2)
                .map(|name| data_column(frame, name, n))
                .collect();
            (types, odd)
        },
        || {
            let times = frame
                .column("occurred_at")
                .map(|arrays| from_arrow::column(&arrays, n, from_arrow::time_value));
            let even = data_names
                .iter()
                .step_by(2)
                .map(|name| data_column(frame, name, n))
                .collect::<Vec<_>>();
            (times, even)
        },
    )?;
    let types = types.ok_or_else(|| unread("event_type"))?;
    let times: Option<Column<When>> = match times {
        Some(column) => Some(column.ok_or_else(|| unread("occurred_at"))?),
        None => None,
    };
    // Back in the frame's order: even, odd, even, ...
    let mut columns = Vec::with_capacity(data_names.len());
    let (mut even, mut odd) = (data.into_iter(), odd.into_iter());
    for i in 0..data_names.len() {
        let next = if i % 2 == 0 { even.next() } else { odd.next() };
        if let Some((name, column)) = next {
            columns.push((name, column.ok_or_else(|| unread(name))?));
        }
    }

    let cells = Cells {
        types,
        times,
        data: columns,
    };

    // A column the rows' prices need and the frame lacks: refused before any row.
    let names: Vec<&str> = frame.names().collect();
    let kinds = cells.types.values().filter_map(|v| match v {
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

    // Row keys: the rate period (only when converting), the event type, every data column.
    let converting = !targets.is_empty() && !engine.rate_boundaries().is_empty();
    // Whether a row is priced at the current time (no time of its own, no `at`) is in the key
    // too: its quote says so (`priced_at_now`).
    let periods = 2 * if converting {
        engine.rate_boundaries().len() as u64 * 2 + 2
    } else {
        1
    };
    let space = std::iter::once(&cells.types)
        .chain(cells.data.iter().map(|(_, c)| c))
        .try_fold(periods, |acc, c| acc.checked_mul(c.radix()?));
    let plan = Plan {
        targets,
        amount_scale,
        converting,
        space,
        fixed_at: options.at.map(|t| (t, micros(t))),
        now_at: options.now.map(|t| (t, micros(t))),
    };
    let done = std::cell::Cell::new(0);
    let tick = |k: usize| {
        done.set((done.get() + k).min(n));
        how.tick(done.get(), n)
    };
    let part = price_rows(
        engine,
        options,
        &cells,
        &plan,
        0..n,
        how.raise_errors,
        &tick,
    )?;
    let Part { out, notes, bad } = part;
    if how.raise_errors {
        bad.into_result()?;
    }
    how.tick(n, n)?;
    Ok((
        fees_table(
            frame,
            &cells.types,
            out,
            plan.amount_scale,
            &plan.targets,
            how,
        )?,
        issues_table(notes)?,
    ))
}

/// The fees: one row per fee, each row's fee expanded from the fees priced (`kept`).
fn fees_table(
    frame: &Frame,
    types: &Column<Scalar<'_>>,
    out: Out,
    amount_scale: u32,
    targets: &[(String, u32)],
    how: &How,
) -> Result<ArrowStream> {
    let dictionary = how.dictionary;
    let fee = |j: usize| out.fees.get(j).and_then(|&k| out.kept.get(k as usize));
    let m = out.rows.len();
    let rows = arrow_array::Int64Array::from(out.rows);
    let mut table = Table::default();
    table.add("row", Arc::new(rows.clone()));
    if let Some((arrays, field)) = frame.column("id").zip(frame.field("id")) {
        let column = to_arrow::take(&arrays, field.data_type(), rows.values(), dictionary)?;
        table.add("id", column);
    }
    let [products, prices, currencies] = &out.names;
    let named = [
        (
            "product_code",
            products,
            (|f: &FeeRow| f.0) as fn(&FeeRow) -> u32,
        ),
        ("price_name", prices, |f: &FeeRow| f.1),
        ("currency", currencies, |f: &FeeRow| f.2),
    ];
    // A decimal column of the fees' values: each row's, or (shared) the distinct fees' with
    // each row's index into them.
    let decimals = |value: &dyn Fn(&FeeRow) -> i128, scale: u32| -> Result<arrow_array::ArrayRef> {
        if how.shared_amounts {
            let values = out.kept.iter().map(value).collect();
            return to_arrow::shared_decimals(values, scale, &out.fees);
        }
        let values = (0..m).map(|j| fee(j).map_or(0, value)).collect();
        to_arrow::decimals(values, scale)
    };
    // The fees' text columns (every row's bytes copied, most of the table's time) are written on
    // a second thread while this one writes the rest.
    let (text, rest) = both(
        how.threads,
        || {
            let mut text = Vec::new();
            for (name, interner, pick) in named {
                let codes = (0..m).map(|j| fee(j).map_or(u32::MAX, pick));
                text.push((name, to_arrow::text(&interner.values, codes, dictionary)?));
            }
            Ok::<_, crate::errors::Fail>(text)
        },
        || {
            // Event types from their column's distinct values (a priced row's is text).
            let names: Vec<&str> = types
                .values()
                .map(|v| match v {
                    Scalar::Str(s) => s.as_ref(),
                    _ => "",
                })
                .collect();
            let codes = rows
                .values()
                .iter()
                .map(|&r| (types.code(r as usize) as u32).saturating_sub(1));
            let event_type = to_arrow::text(&names, codes, dictionary)?;
            let amount = decimals(&|f: &FeeRow| f.3, amount_scale)?;
            let mut equivalents = Vec::new();
            for (t, (code, scale)) in targets.iter().enumerate() {
                let eq = |f: &FeeRow| out.equivalents.get(f.4 + t).copied().unwrap_or_default();
                equivalents.push((code, decimals(&eq, *scale)?));
            }
            Ok::<_, crate::errors::Fail>((event_type, amount, equivalents))
        },
    )?;
    let text = text?;
    let (event_type, amount, equivalents) = rest?;
    table.add("event_type", event_type);
    table.add("at", to_arrow::timestamps(out.at));
    for (name, column) in text {
        table.add(name, column);
    }
    table.add("amount", amount);
    for (code, column) in equivalents {
        table.add(code, column);
    }
    table.finish()
}

/// The rows' issues, one row each: `row`, `severity`, `path`, `code` and `message`.
/// Text is plain: an issue's path and message are its own (a dictionary's values must differ).
fn issues_table(notes: Notes) -> Result<ArrowStream> {
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
        table.add(name, to_arrow::text(&values, which, false)?);
    }
    table.finish()
}

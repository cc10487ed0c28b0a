//! Frames: a table of events (one row an event, one column a data field) priced whole, in
//! Arrow's columnar format, for the faces that take DataFrames (the Python wheel's
//! `quote_frame`, and through it Spark and Dask). Built with the `arrow` feature.
//!
//! Each column's rows are numbered by their distinct values ([`cells`]), so that each value is
//! read once, by the rules an event dict's value is read by, and repeated rows are priced once
//! ([`rows`], by the batch's [`crate::Twins`]), in one session (tier usage carries down the
//! frame). The fees and the rows' issues come back as Arrow record batches ([`tables`]). A face
//! only moves the frame in (an Arrow C stream, read into a [`Frame`]) and the batches out.

pub mod cells;
pub mod customers;
pub mod rows;
pub mod tables;

use crate::catalog::product::PriceKind;
use crate::engine::Engine;
use crate::event::Scalar;
use crate::issue::{Code, Error, ErrorKind, Issue};
use crate::options::QuoteOptions;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::SchemaRef;
use cells::{micros, Column, When};
use rows::{price_rows, Cells, FeeRow, Notes, Out, Part, Plan};
use std::sync::Arc;
use tables::Table;

/// A frame's record batches, as its exporter streamed them.
pub struct Frame {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    pub rows: usize,
}

impl Frame {
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Frame {
        let rows = batches.iter().map(RecordBatch::num_rows).sum();
        Frame {
            schema,
            batches,
            rows,
        }
    }

    /// A column's arrays, one per batch; `None` when the frame has no such column.
    pub fn column(&self, name: &str) -> Option<Vec<&ArrayRef>> {
        let i = self.schema.index_of(name).ok()?;
        Some(self.batches.iter().map(|b| b.column(i)).collect())
    }

    pub fn field(&self, name: &str) -> Option<&arrow_schema::Field> {
        self.schema.field_with_name(name).ok()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.schema.fields().iter().map(|f| f.name().as_str())
    }
}

/// What the caller asks of a frame's pricing besides the quote options.
#[derive(Debug, Clone, Copy, Default)]
pub struct FrameOptions {
    /// Whether the caller said when to price rows without a time (`at` or `now`).
    pub timed: bool,
    /// Whether a bad row fails the frame (with every bad row's issues), rather than being left
    /// out and listed in the issues.
    pub raise_errors: bool,
    /// Text columns as dictionaries rather than plain `utf8`.
    pub dictionary: bool,
    /// Amounts as dictionaries of the distinct fees' (what pandas' Decimals are made from, one
    /// per distinct fee) rather than one decimal128 a row.
    pub shared_amounts: bool,
    /// Whether a second thread may help (off where the caller already runs frames in parallel).
    pub threads: bool,
}

/// How often, in rows, a long frame reports its progress (and a face lets Ctrl-C through).
pub use rows::STRIDE;

/// Reports `done` of `total` rows; an error stops the frame with it.
pub type Progress<'p> = &'p dyn Fn(usize, usize) -> Result<(), Error>;

impl Engine {
    /// Prices every row of `frame`: the fees (one row per fee: `row`, `event_type`, `at`,
    /// `product_code`, `price_name`, `currency`, `amount` as `decimal128(38, s)`, one column per
    /// `express_in` asset) and the rows' issues (`row`, `severity`, `path`, `code`, `message`),
    /// each a record batch; the columns are described with `quote_frame` in the Python wheel's
    /// README, which calls this. `progress(done, total)` is called every [`STRIDE`] rows and at
    /// the end; an error from it stops the frame.
    ///
    /// ```
    /// use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
    /// use ratecard::frame::{Frame, FrameOptions};
    /// use std::sync::Arc;
    ///
    /// let engine = ratecard::Engine::from_json(include_str!("../../../examples/catalog.json"))?;
    /// let column = |v: Vec<&str>| Arc::new(StringArray::from(v)) as ArrayRef;
    /// let batch = RecordBatch::try_from_iter([
    ///     ("event_type", column(vec!["video_generated", "video_generated"])),
    ///     ("occurred_at", column(vec!["2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"])),
    ///     ("model", column(vec!["gen4", "gen4_turbo"])),
    ///     ("quality", column(vec!["hd", "sd"])),
    ///     ("seconds", Arc::new(Float64Array::from(vec![4.0, 10.0])) as ArrayRef),
    /// ])?;
    /// let frame = Frame::new(batch.schema(), vec![batch]);
    /// let how = FrameOptions { raise_errors: true, threads: true, ..FrameOptions::default() };
    /// let (fees, issues) = engine.price_frame(&frame, &Default::default(), &how, &|_, _| Ok(()))?;
    /// let amounts = arrow_array::cast::as_primitive_array::<arrow_array::types::Decimal128Type>(
    ///     fees.column_by_name("amount").unwrap(),
    /// );
    /// // At the largest scale of any asset the catalog prices in (USD: 2), as in every face.
    /// assert_eq!(amounts.value_as_string(0), "60.00");
    /// assert_eq!(amounts.value_as_string(1), "50.00");
    /// assert_eq!(issues.num_rows(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn price_frame(
        &self,
        frame: &Frame,
        options: &QuoteOptions,
        how: &FrameOptions,
        progress: Progress<'_>,
    ) -> Result<(RecordBatch, RecordBatch), Error> {
        price(self, frame, options, how, progress)
    }
}

/// `first` on a second thread while `second` runs on this one (or both here, in turn, when
/// `threads` is off), and their answers.
pub(super) fn both<A: Send, B>(
    threads: bool,
    first: impl FnOnce() -> A + Send,
    second: impl FnOnce() -> B,
) -> Result<(A, B), Error> {
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
        Error::one(ErrorKind::InvalidArgument, "", Code::Internal, message)
    })?;
    Ok((a, b))
}

/// A data column read, or `None` when its type is not read.
type DataColumn<'f> = (&'f str, Option<Column<Scalar<'f>>>);

/// An argument error about one of the frame's columns.
fn column_error(name: &str, code: Code, message: String) -> Error {
    Error::one(ErrorKind::InvalidArgument, name, code, message)
}

/// A column's type, checked before any row is read: naive timestamps and types no event value
/// has are refused.
fn check_type(name: &str, t: &arrow_schema::DataType, time: bool) -> Result<(), Error> {
    if cells::is_naive(t) {
        let message = format!(
            "column '{name}' holds naive timestamps (no time zone); localize it first, e.g. df[col].dt.tz_localize('UTC')"
        );
        return Err(column_error(name, Code::InvalidTimestamp, message));
    }
    if time && !cells::is_time(t) {
        let message = format!(
            "column '{name}' must hold RFC 3339 strings or time-zone-aware timestamps, not {t}"
        );
        return Err(column_error(name, Code::InvalidType, message));
    }
    if !cells::is_data(t) {
        let message = format!(
            "column '{name}' has type {t}; event data must be strings, numbers or booleans"
        );
        return Err(column_error(name, Code::InvalidType, message));
    }
    Ok(())
}

fn price(
    engine: &Engine,
    frame: &Frame,
    options: &QuoteOptions,
    how: &FrameOptions,
    progress: Progress<'_>,
) -> Result<(RecordBatch, RecordBatch), Error> {
    // The core checks the options (express_in's assets included) once, here.
    engine.session(options)?;
    let cells = read_cells(engine, frame, how, &[])?;
    price_cells(engine, frame, &cells, options, how, progress)
}

/// The frame's cells: its event types, times and data columns (all but `event_type`, `id`,
/// `occurred_at` and `besides`), each column's type checked and its rows numbered; refused
/// when a column the rows' prices need is missing.
fn read_cells<'f>(
    engine: &Engine,
    frame: &'f Frame,
    how: &FrameOptions,
    besides: &[&str],
) -> Result<Cells<'f>, Error> {
    let n = frame.rows;
    let Some(type_arrays) = frame.column("event_type") else {
        let message = "the frame has no 'event_type' column".to_string();
        return Err(column_error("event_type", Code::MissingField, message));
    };
    if !type_arrays.iter().all(|a| cells::is_text(a.data_type())) {
        let message = "the 'event_type' column must hold strings".to_string();
        return Err(column_error("event_type", Code::InvalidType, message));
    }
    let reserved = ["event_type", "id", "occurred_at"];
    let mut data_names = Vec::new();
    for field in frame.schema.fields() {
        let name = field.name().as_str();
        if name == "occurred_at" {
            check_type(name, field.data_type(), true)?;
        } else if !reserved.contains(&name) && !besides.contains(&name) {
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
        (name, cells::column(&arrays, n, cells::data_value))
    }
    let ((types, odd), (times, data)) = both(
        how.threads,
        || {
            let types = cells::column(&type_arrays, n, cells::data_value);
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
                .map(|arrays| cells::column(&arrays, n, cells::time_value));
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
        return Err(Error::new(ErrorKind::InvalidArgument, missing));
    }
    Ok(cells)
}

fn price_cells(
    engine: &Engine,
    frame: &Frame,
    cells: &Cells<'_>,
    options: &QuoteOptions,
    how: &FrameOptions,
    progress: Progress<'_>,
) -> Result<(RecordBatch, RecordBatch), Error> {
    let n = frame.rows;

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
        progress(done.get(), n)
    };
    let part = price_rows(engine, options, cells, &plan, 0..n, how.raise_errors, &tick)?;
    let Part { out, notes, bad } = part;
    if how.raise_errors {
        bad.into_result()?;
    }
    progress(n, n)?;
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
    how: &FrameOptions,
) -> Result<RecordBatch, Error> {
    let dictionary = how.dictionary;
    let fee = |j: usize| out.fees.get(j).and_then(|&k| out.kept.get(k as usize));
    let m = out.rows.len();
    let rows = arrow_array::Int64Array::from(out.rows);
    let mut table = Table::default();
    table.add("row", Arc::new(rows.clone()));
    if let Some((arrays, field)) = frame.column("id").zip(frame.field("id")) {
        let column = tables::take(&arrays, field.data_type(), rows.values(), dictionary)?;
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
    let decimals = |value: &dyn Fn(&FeeRow) -> i128, scale: u32| -> Result<ArrayRef, Error> {
        if how.shared_amounts {
            let values = out.kept.iter().map(value).collect();
            return tables::shared_decimals(values, scale, &out.fees);
        }
        let values = (0..m).map(|j| fee(j).map_or(0, value)).collect();
        tables::decimals(values, scale)
    };
    // The fees' text columns (every row's bytes copied, most of the table's time) are written on
    // a second thread while this one writes the rest.
    let (text, rest) = both(
        how.threads,
        || {
            let mut text = Vec::new();
            for (name, interner, pick) in named {
                let codes = (0..m).map(|j| fee(j).map_or(u32::MAX, pick));
                text.push((name, tables::text(&interner.values, codes, dictionary)?));
            }
            Ok::<_, Error>(text)
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
            let event_type = tables::text(&names, codes, dictionary)?;
            let amount = decimals(&|f: &FeeRow| f.3, amount_scale)?;
            let mut equivalents = Vec::new();
            for (t, (code, scale)) in targets.iter().enumerate() {
                let eq = |f: &FeeRow| out.equivalents.get(f.4 + t).copied().unwrap_or_default();
                equivalents.push((code, decimals(&eq, *scale)?));
            }
            Ok::<_, Error>((event_type, amount, equivalents))
        },
    )?;
    let text = text?;
    let (event_type, amount, equivalents) = rest?;
    table.add("event_type", event_type);
    table.add("at", tables::timestamps(out.at));
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
fn issues_table(notes: Notes) -> Result<RecordBatch, Error> {
    let mut table = Table::default();
    table.add("row", tables::int64(notes.rows));
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
        table.add(name, tables::text(&values, which, false)?);
    }
    table.finish()
}

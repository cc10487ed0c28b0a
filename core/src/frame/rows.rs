//! Rows of a frame priced: the loop behind `quote_frame`.
//!
//! Frames repeat themselves, so rows are priced once per distinct row, by the core's plan of
//! which events can share a pricing ([`crate::Twins`]). A row's key is one integer: its
//! columns' codes in mixed radix, with, when amounts are expressed in other assets, the rate
//! period of its instant ([`crate::Engine::rate_period`]).

use super::cells::{micros, Column, When};
use crate::{Code, Decimal, Error, ErrorKind, Event, Gathered, Instant, Issue, Place, Scalar};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::ops::Range;

/// How often, in rows, a long frame reports its progress and lets Ctrl-C through.
pub const STRIDE: usize = 1 << 16;

/// The frame's columns, read: what each row's event is made of.
pub struct Cells<'a> {
    pub types: Column<Scalar<'a>>,
    pub times: Option<Column<When>>,
    pub data: Vec<(&'a str, Column<Scalar<'a>>)>,
}

/// What every range of a frame is priced with besides its cells.
pub struct Plan {
    /// Each `express_in` asset and its precision.
    pub targets: Vec<(String, u32)>,
    /// The scale of the `amount` column.
    pub amount_scale: u32,
    /// Whether rows' keys carry their rate period (only when converting).
    pub converting: bool,
    /// How many keys the rows can have; `None`: too many, or a column read row by row.
    pub space: Option<u64>,
    pub fixed_at: Option<(Instant, i64)>,
    pub now_at: Option<(Instant, i64)>,
}

/// Rows priced: their fee rows, their issues, and the errors of rows not priced.
#[derive(Default)]
pub struct Part {
    pub out: Out,
    pub notes: Notes,
    pub bad: Gathered,
}

/// Strings of the output, numbered in first-seen order (Arrow dictionary encoding).
#[derive(Default)]
pub struct Interner {
    index: FxHashMap<String, u32>,
    pub values: Vec<String>,
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
pub struct FeeRow(pub u32, pub u32, pub u32, pub i128, pub usize);

/// The output columns. A twin's rows repeat its first's fee rows, equivalents shared.
#[derive(Default)]
pub struct Out {
    pub rows: Vec<i64>,
    pub at: Vec<i64>,
    /// Each output row's fee, in `kept` (repeated rows share them).
    pub fees: Vec<u32>,
    pub kept: Vec<FeeRow>,
    pub names: [Interner; 3],
    /// Each priced fee's equivalents, one per `express_in` asset.
    pub equivalents: Vec<i128>,
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
pub struct Notes {
    pub rows: Vec<i64>,
    pub which: Vec<u32>,
    /// Whether each is an error (else a warning), and the issue, its path the row's own.
    pub issues: Vec<(bool, Issue)>,
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

/// Row `i`'s event; its problems (paths its own, the row says which) into `issues`.
pub(super) fn read_event<'c>(cells: &'c Cells<'_>, i: usize, issues: &mut Vec<Issue>) -> Event<'c> {
    let event_type = match cells.types.value(i) {
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
    let occurred_at = match cells.times.as_ref().and_then(|t| t.value(i)) {
        Some(Ok((t, _))) => Some(*t),
        Some(Err((code, m))) => {
            issues.push(Issue::new("occurred_at".to_string(), *code, m.clone()));
            None
        }
        None => None,
    };
    let mut data = Vec::with_capacity(cells.data.len());
    for (name, c) in &cells.data {
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
}

/// Prices the rows of `rows`, in order; `tick(k)` says `k` more rows were read.
#[allow(clippy::too_many_arguments)]
pub fn price_rows(
    engine: &crate::Engine,
    options: &crate::QuoteOptions,
    cells: &Cells<'_>,
    plan: &Plan,
    rows: Range<usize>,
    raise_errors: bool,
    tick: &dyn Fn(usize) -> Result<(), Error>,
) -> Result<Part, Error> {
    let read_event = |i: usize, issues: &mut Vec<Issue>| read_event(cells, i, issues);
    let mut twins = engine.twins::<u64>();
    let mut session = engine.session(options)?;
    let keyed: Vec<&Column<Scalar<'_>>> = std::iter::once(&cells.types)
        .chain(cells.data.iter().map(|(_, c)| c))
        .collect();
    let mut out = Out {
        rows: Vec::with_capacity(rows.len()),
        at: Vec::with_capacity(rows.len()),
        fees: Vec::with_capacity(rows.len()),
        ..Out::default()
    };
    // Each row priced: its fee rows in `kept`, its warnings in `notes`, and whether it could not
    // be priced (its twins are then read again, for their own issues). Of each row the twins
    // placed, its place there.
    let (mut priced, mut placed): (Vec<Priced>, Vec<usize>) = Default::default();
    let mut notes = Notes::default();
    let mut bad = Gathered::default();
    for i in rows.clone() {
        if (i - rows.start) % STRIDE == 0 && i > rows.start {
            tick(STRIDE)?;
        }
        let (instant, untimed) = match cells.times.as_ref().and_then(|t| t.value(i)) {
            Some(Ok(t)) => (plan.fixed_at.or(Some(*t)), false),
            // A bad timestamp: the core's reading below reports it.
            Some(Err(_)) => (None, false),
            None => (plan.fixed_at.or(plan.now_at), plan.fixed_at.is_none()),
        };
        let place = match (instant, plan.space) {
            (Some((t, _)), Some(_)) => {
                let period = if plan.converting {
                    engine.rate_period(t)
                } else {
                    0
                };
                let mut key = period * 2 + u64::from(untimed);
                for c in &keyed {
                    key = key * c.radix().unwrap_or(1) + c.code(i);
                }
                let event_type = match (twins.reads_types(), cells.types.value(i)) {
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
                bad.add(Error::new(ErrorKind::InvalidEvent, issues).prefixed(&format!("[{i}]")));
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
            for ((_, scale), (_, eq)) in plan.targets.iter().zip(fee.equivalents.0.iter()) {
                out.equivalents
                    .push(scaled(eq.value, *scale, i, "equivalent")?);
            }
            let [products, prices, currencies] = &mut out.names;
            let amount = scaled(fee.amount.value, plan.amount_scale, i, "amount")?;
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
    Ok(Part { out, notes, bad })
}

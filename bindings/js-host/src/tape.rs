//! The tape: a compact binary form of events in and quotes out, for the JavaScript faces.
//!
//! Why it exists: in WebAssembly and in a Node addon the price of a single quote is set by the
//! boundary, not by the arithmetic (BENCHMARKS.md measures each way across). Writing an event as JSON,
//! reading it back in Rust, writing the Quote as JSON and `JSON.parse`-ing it again cost about
//! ten times the pricing itself, and so do strings passed as call arguments (a Node addon spends
//! more converting one string argument than pricing). So the JavaScript side writes each event
//! as bytes into memory both sides can see (WebAssembly's own memory; for the addon, an
//! `ArrayBuffer` it registered once), calls without arguments, and reads the quote back from
//! bytes. Only what varies crosses: an event's type, instant and the data values the catalog's
//! prices read ([`Engine::data_fields`]), in that order (the id never changes a price, and the
//! JavaScript side puts it on the quote itself); a quote's amounts, with each
//! fee's constant fields (product, price, asset, rates, dimensions) sent once as a numbered
//! *template* that the JavaScript decoder keeps.
//!
//! The tape is an optimisation and nothing else: whatever it cannot carry (explanation steps,
//! any error) makes these functions return `false` or `None`, and the binding answers through
//! the JSON path, whose output is the reference. The JavaScript tests check that both give the
//! same objects for every conformance vector. It lives here, beside the two JavaScript bindings
//! that use it, and the core knows nothing of it: what it needs of the core is plain API (an
//! event's data fields, a fee's shape key, a batch's [`ratecard::Twins`]).
//!
//! The grammar of records, batches and answers, and the scratch header, are in `docs/tape.md`
//! (the JavaScript writer and decoder, in the one JavaScript source, follow the same page).
//!
//! Amounts and decimals travel as their text (`"51.00"`), written by the same code as the JSON
//! path's. A number is read exactly as the JSON path reads the same number written by
//! `JSON.stringify` ([`scalar_from_f64`]), so a tape event prices like its JSON form to the last
//! digit.

use ratecard::event::scalar_from_f64;
use ratecard::{Engine, Event, Fee, Instant, Place, Quote, QuoteOptions, Scalar, Step};
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// Templates kept per engine before new fee shapes are sent in the scratch slot instead:
/// wildcard dimensions can make the shapes unbounded, the memory must not be.
pub const MAX_TEMPLATES: usize = 4096;

/// The fee templates one decoder knows. Single quotes share one per engine (the decoder reads
/// each answer before the next call); a batch uses its own, so concurrent batches never
/// interleave.
/// A `Tape` belongs to one engine (its keys are that engine's fee shapes): a binding keeps it
/// beside its engine.
#[derive(Debug, Default, Clone)]
pub struct Tape {
    /// Templates by the fee's shape key's price value and a hash of its dimensions
    /// ([`Fee::shape_key`]); the dimensions are compared in full before a template is reused,
    /// so a hash collision costs a comparison, never a wrong fee.
    templates: FxHashMap<(usize, u64), Vec<Template>>,
    count: usize,
    /// The last instant written and its text: a batch's events often share one.
    at: Option<(Instant, String)>,
    /// The last `occurred_at` text read and its instant.
    parsed: Option<(Vec<u8>, Instant)>,
    /// Scratch space for a quote's body.
    body: Vec<u8>,
}

/// A template's dimensions (what the origin does not fix: the values, and which of the billed
/// dimensions the event had at all) and its number.
type Template = (Vec<(String, String)>, u32);

// ---------------------------------------------------------------------------------------------
// Reading

/// A cursor over tape bytes; every read is checked, and `None` means "not a well-formed tape".
struct Cursor<'t> {
    bytes: &'t [u8],
    pos: usize,
}

impl<'t> Cursor<'t> {
    fn new(bytes: &'t [u8]) -> Cursor<'t> {
        Cursor { bytes, pos: 0 }
    }

    fn u8(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn take(&mut self, n: usize) -> Option<&'t [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    fn len(&mut self) -> Option<usize> {
        match self.u8()? {
            255 => {
                let b = self.take(4)?;
                let n = u32::from_le_bytes([*b.first()?, *b.get(1)?, *b.get(2)?, *b.get(3)?]);
                usize::try_from(n).ok()
            }
            n => Some(usize::from(n)),
        }
    }

    /// A record's string (`rstr`), not checked to be UTF-8: written out, or the batch's
    /// `strings` entry it names.
    fn rbytes(&mut self, strings: &[&'t [u8]]) -> Option<&'t [u8]> {
        if self.bytes.get(self.pos) == Some(&REPEAT) {
            self.pos += 1;
            let k = self.len()?;
            return strings.get(k).copied();
        }
        let n = self.len()?;
        self.take(n)
    }

    fn rstr(&mut self, strings: &[&'t [u8]]) -> Option<&'t str> {
        std::str::from_utf8(self.rbytes(strings)?).ok()
    }

    /// An optional string's bytes (empty when absent), not checked to be UTF-8.
    fn opt_bytes(&mut self, strings: &[&'t [u8]]) -> Option<&'t [u8]> {
        match self.u8()? {
            0 => Some(&[]),
            1 => self.rbytes(strings),
            _ => None,
        }
    }

    /// A JavaScript number as sent: a double, read only to be turned into the decimal its
    /// shortest text names ([`scalar_from_f64`]); it never enters arithmetic.
    fn f64(&mut self) -> Option<f64> {
        let b: [u8; 8] = self.take(8)?.try_into().ok()?;
        Some(f64::from_le_bytes(b))
    }

    fn done(&self) -> bool {
        self.pos == self.bytes.len()
    }
}

/// The length byte that makes a record's string a name for one of its batch's strings (written
/// once each, after the records): a batch repeats its event types, instants and dimension
/// values, naming them costs the writer less than copying their bytes, and records that name
/// the same strings are the same bytes, which is how twins are found.
const REPEAT: u8 = 254;

/// A record read: its event, and the `occurred_at` text as sent (empty when absent), which the
/// answer refers to.
struct Read<'t> {
    event: Event<'t>,
    occurred: &'t [u8],
}

/// Reads one record at the cursor; `None` when it is not a well-formed record for this engine
/// or the event it holds is not valid (the binding then uses the JSON path, which reports the
/// exact error).
fn read_record<'t>(
    engine: &'t Engine,
    c: &mut Cursor<'t>,
    strings: &[&'t [u8]],
    parsed: &mut Option<(Vec<u8>, Instant)>,
) -> Option<Read<'t>> {
    let event_type = c.rstr(strings)?;
    let occurred = c.opt_bytes(strings)?;
    let occurred_at = if occurred.is_empty() {
        None
    } else {
        match parsed {
            Some((text, t)) if text.as_slice() == occurred => Some(*t),
            _ => {
                let t = Instant::parse(std::str::from_utf8(occurred).ok()?).ok()?;
                *parsed = Some((occurred.to_vec(), t));
                Some(t)
            }
        }
    };
    let fields = engine.data_fields(event_type);
    if c.len()? != fields.len() {
        return None;
    }
    let mut data = Vec::with_capacity(fields.len());
    for field in fields {
        let value = match c.u8()? {
            0 => continue,
            1 => Scalar::Str(Cow::Borrowed(c.rstr(strings)?)),
            2 => match scalar_from_f64(c.f64()?) {
                Scalar::Invalid(_) => return None,
                n => n,
            },
            3 => Scalar::Bool(true),
            4 => Scalar::Bool(false),
            5 => Scalar::Null,
            _ => return None,
        };
        data.push((Cow::Borrowed(field.as_str()), value));
    }
    let event = Event {
        id: None,
        event_type: Cow::Borrowed(event_type),
        occurred_at,
        data,
        extra: Vec::new(),
    };
    event.check("").ok()?;
    Some(Read { event, occurred })
}

/// Steps over one record without reading it (no UTF-8 checks, no numbers, no allocation):
/// its bytes, which tell twins apart (a name means the same string wherever it appears).
fn skip_record<'t>(c: &mut Cursor<'t>) -> Option<&'t [u8]> {
    fn skip_str(c: &mut Cursor<'_>) -> Option<()> {
        if c.bytes.get(c.pos) == Some(&REPEAT) {
            c.pos += 1;
            return c.len().map(|_| ());
        }
        let n = c.len()?;
        c.take(n).map(|_| ())
    }
    let start = c.pos;
    skip_str(c)?;
    match c.u8()? {
        0 => {}
        1 => skip_str(c)?,
        _ => return None,
    }
    for _ in 0..c.len()? {
        match c.u8()? {
            0 | 3 | 4 | 5 => {}
            1 => skip_str(c)?,
            2 => {
                c.take(8)?;
            }
            _ => return None,
        }
    }
    c.bytes.get(start..c.pos)
}

/// Reads one event record (the whole of `record`); `None` when it is not a well-formed record
/// for this engine.
pub fn read_event<'t>(engine: &'t Engine, record: &'t [u8]) -> Option<Event<'t>> {
    let mut c = Cursor::new(record);
    let read = read_record(engine, &mut c, &[], &mut None)?;
    c.done().then_some(read.event)
}

/// Whether a record carries its own instant (else a quote needs `at` or the host's clock).
pub fn has_instant(record: &[u8]) -> bool {
    let mut c = Cursor::new(record);
    c.rbytes(&[]).is_some() && c.opt_bytes(&[]).is_some_and(|b| !b.is_empty())
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Appends a length; false when it does not fit the tape's 32 bits.
fn put_len(out: &mut Vec<u8>, n: usize) -> bool {
    match u8::try_from(n) {
        Ok(b) if b < 255 => out.push(b),
        _ => match u32::try_from(n) {
            Ok(n) => {
                out.push(255);
                out.extend_from_slice(&n.to_le_bytes());
            }
            Err(_) => return false,
        },
    }
    true
}

fn put_str(out: &mut Vec<u8>, s: &str) -> bool {
    put_len(out, s.len()) && {
        out.extend_from_slice(s.as_bytes());
        true
    }
}

/// Appends text written by `write` (amounts and decimals, ASCII, far shorter than 255 bytes)
/// as a `str`, its length filled in afterwards.
fn put_text(out: &mut Vec<u8>, write: impl FnOnce(&mut Vec<u8>)) -> bool {
    let at = out.len();
    out.push(0);
    write(out);
    match (u8::try_from(out.len() - at - 1), out.get_mut(at)) {
        (Ok(n), Some(slot)) if n < 255 => {
            *slot = n;
            true
        }
        _ => false,
    }
}

fn put_amount(out: &mut Vec<u8>, a: ratecard::Amount) -> bool {
    put_text(out, |o| ratecard::number::push_amount(o, a))
}

fn put_decimal(out: &mut Vec<u8>, d: ratecard::Decimal) -> bool {
    put_text(out, |o| ratecard::number::push_decimal(o, d))
}

fn mask_of(fee: &Fee<'_>) -> u8 {
    let mut mask = 0u8;
    for (bit, on) in [
        (1, fee.price_id.is_some()),
        (2, fee.dimensions.is_some()),
        (4, fee.volume_field.is_some()),
        (8, fee.input_volume.is_some()),
        (16, fee.unit_price.is_some()),
        (32, fee.volume_rate.is_some()),
        (64, fee.package_size.is_some()),
        (128, fee.description.is_some()),
    ] {
        if on {
            mask |= bit;
        }
    }
    mask
}

/// A fee's dimensions. The keys vary too: a price's origin fixes which dimensions it bills, but
/// an event without one of them leaves it out.
fn dim_pairs<'f>(fee: &'f Fee<'_>) -> &'f [(&'f str, Cow<'f, str>)] {
    fee.shape_key().1
}

fn dims_hash(fee: &Fee<'_>) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    for (k, v) in dim_pairs(fee) {
        h.write(k.as_bytes());
        h.write(&[0x1f]);
        h.write(v.as_bytes());
        h.write(&[0x1f]);
    }
    h.finish()
}

/// Whether a template's dimensions are the fee's.
fn same_dims(dims: &[(String, String)], fee: &Fee<'_>) -> bool {
    let pairs = dim_pairs(fee);
    dims.len() == pairs.len()
        && dims
            .iter()
            .zip(pairs)
            .all(|((a, b), (k, v))| a == k && b == v)
}

/// The constant part of a fee, as a template.
fn define(out: &mut Vec<u8>, fee: &Fee<'_>) -> bool {
    out.push(mask_of(fee));
    let mut ok = put_str(out, fee.product_code);
    if let Some(id) = fee.price_id {
        ok &= put_str(out, id);
    }
    for s in [
        fee.price_name,
        fee.currency,
        fee.event_type,
        fee.usage_type.as_str(),
    ] {
        ok &= put_str(out, s);
    }
    if let Some(dims) = &fee.dimensions {
        ok &= put_len(out, dims.0.len());
        for (k, v) in &dims.0 {
            ok &= put_str(out, k) && put_str(out, v);
        }
    }
    if let Some(field) = fee.volume_field {
        ok &= put_str(out, field);
    }
    for d in [fee.unit_price, fee.volume_rate, fee.package_size]
        .into_iter()
        .flatten()
    {
        ok &= put_decimal(out, d);
    }
    if let Some(text) = fee.description {
        ok &= put_str(out, text);
    }
    ok
}

impl Tape {
    pub fn new() -> Tape {
        Tape::default()
    }

    fn fee(&mut self, out: &mut Vec<u8>, fee: &Fee<'_>) -> bool {
        let key = (fee.shape_key().0, dims_hash(fee));
        let known = self.templates.get(&key).and_then(|bucket| {
            bucket
                .iter()
                .find_map(|(dims, k)| same_dims(dims, fee).then_some(*k))
        });
        let mut ok = match known {
            Some(k) => put_len(out, k as usize * 2),
            None => {
                let k = if self.count < MAX_TEMPLATES {
                    let k = self.count;
                    self.count += 1;
                    let dims = dim_pairs(fee)
                        .iter()
                        .map(|(k, v)| ((*k).to_string(), v.to_string()))
                        .collect();
                    self.templates
                        .entry(key)
                        .or_default()
                        .push((dims, k as u32));
                    k
                } else {
                    MAX_TEMPLATES
                };
                put_len(out, k * 2 + 1) && define(out, fee)
            }
        };
        if let Some(v) = fee.input_volume {
            ok &= put_decimal(out, v);
        }
        ok &= put_amount(out, fee.amount);
        for (_, a) in &fee.equivalents.0 {
            ok &= put_amount(out, *a);
        }
        ok
    }

    /// Appends `quote` (with `occurred`, the `occurred_at` text its record carried); false
    /// (with `out` in any state, and templates the decoder may not have seen) when it cannot be
    /// taped.
    fn write_quote(&mut self, out: &mut Vec<u8>, quote: &Quote<'_>, occurred: &[u8]) -> bool {
        if !quote.explain.is_empty() {
            return false;
        }
        let at = match self.at.take() {
            Some((t, text)) if t == quote.at => text,
            _ => quote.at.to_string(),
        };
        let same_at = at.as_bytes() == occurred;
        let distinct = quote
            .fees
            .iter()
            .enumerate()
            .all(|(i, f)| quote.fees.iter().take(i).all(|g| g.currency != f.currency));
        out.push(u8::from(!same_at) | if distinct { 0 } else { 2 });
        let mut ok = true;
        if !same_at {
            ok &= put_str(out, &at);
        }
        self.at = Some((quote.at, at));
        ok &= put_len(out, quote.fees.len());
        for fee in &quote.fees {
            ok &= self.fee(out, fee);
        }
        if !distinct {
            ok &= put_len(out, quote.totals.0.len());
            for (code, amount) in &quote.totals.0 {
                ok &= put_str(out, code) && put_amount(out, *amount);
            }
        }
        for (_, amount) in &quote.equivalents.0 {
            ok &= put_amount(out, *amount);
        }
        ok &= put_len(out, quote.warnings.len());
        for w in &quote.warnings {
            ok &=
                put_str(out, &w.path) && put_str(out, w.code.as_str()) && put_str(out, &w.message);
        }
        ok
    }

    fn forget(&mut self) {
        self.templates.clear();
        self.count = 0;
    }
}

/// The answer's head: the express_in codes as the quotes spell them (every quote of a call has
/// the same ones, in the same order; none without quotes).
fn write_head(out: &mut Vec<u8>, quote: Option<&Quote<'_>>) -> bool {
    let codes = quote
        .map(|q| q.equivalents.0.as_slice())
        .unwrap_or_default();
    let mut ok = put_len(out, codes.len());
    for (code, _) in codes {
        ok &= put_str(out, code);
    }
    ok
}

/// The tape's two ways in: one event record, or a batch of them.
pub trait TapeQuotes {
    /// One event record quoted onto `out` (an answer holding one quote), using and growing
    /// `tape`'s templates; false when the record or its quote cannot travel by tape (then
    /// `out` holds nothing useful). `options.explain` must be off.
    fn quote_tape(
        &self,
        tape: &mut Tape,
        record: &[u8],
        options: &QuoteOptions,
        out: &mut Vec<u8>,
    ) -> bool;

    /// A batch of records quoted onto `out` (an answer holding one quote per record) with
    /// templates of its own, tier usage accumulating in order as in [`Engine::quote_many`];
    /// false when any record or quote cannot travel by tape. With `options.explain`, events
    /// with twins carry their explanation (once for all of them) and the others none: the
    /// decoder computes those when first read (refused when an event is priced in tiers).
    ///
    /// Events that differ at most in their id are priced once and their quote repeated for
    /// each, as [`ratecard::Twins`] plans: event logs repeat themselves, and this is most of a
    /// batch's speed.
    fn quote_many_tape(&self, input: &[u8], options: &QuoteOptions, out: &mut Vec<u8>) -> bool;
}

impl TapeQuotes for Engine {
    fn quote_tape(
        &self,
        tape: &mut Tape,
        record: &[u8],
        options: &QuoteOptions,
        out: &mut Vec<u8>,
    ) -> bool {
        let mut c = Cursor::new(record);
        let Some(read) = read_record(self, &mut c, &[], &mut tape.parsed) else {
            return false;
        };
        if !c.done() {
            return false;
        }
        let Ok(quote) = self.quote(&read.event, options) else {
            return false;
        };
        if !write_head(out, Some(&quote)) {
            return false;
        }
        // A failed write may have added templates the decoder never saw: forget them all.
        let ok = tape.write_quote(out, &quote, read.occurred);
        if !ok {
            tape.forget();
        }
        ok
    }

    fn quote_many_tape(&self, input: &[u8], options: &QuoteOptions, out: &mut Vec<u8>) -> bool {
        tape_batch(self, input, options, out).is_some()
    }
}

fn tape_batch<'i>(
    engine: &'i Engine,
    input: &'i [u8],
    options: &QuoteOptions,
    out: &mut Vec<u8>,
) -> Option<()> {
    let mut c = Cursor::new(input);
    // Past the batch limit, the JSON path gives the error.
    let n = c.len().filter(|n| *n <= ratecard::limits::BATCH_EVENTS)?;
    let mut tape = Tape::new();
    let mut parsed = None;
    // The events to price, the `occurred_at` text each was sent with, and for each record
    // the event that prices it.
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut occurred: Vec<&[u8]> = Vec::new();
    let mut plan: Vec<usize> = Vec::with_capacity(n.min(input.len()));
    // The records, then the strings they name.
    let mut records: Vec<&[u8]> = Vec::with_capacity(n.min(input.len()));
    for _ in 0..n {
        records.push(skip_record(&mut c)?);
    }
    let m = c.len()?;
    let mut strings: Vec<&[u8]> = Vec::with_capacity(m.min(input.len()));
    for _ in 0..m {
        let len = c.len()?;
        strings.push(c.take(len)?);
    }
    if !c.done() {
        return None;
    }
    let mut read = |record: &'i [u8]| -> Option<()> {
        let mut one = Cursor::new(record);
        let r = read_record(engine, &mut one, &strings, &mut parsed)?;
        events.push(r.event);
        occurred.push(r.occurred);
        Some(())
    };
    // Each record's first twin, by the record's bytes (the same event but for its id, which
    // records leave out, and a name means the same string wherever it appears): only the
    // first of each is read.
    let mut twins = engine.twins::<&[u8]>();
    let reads_types = twins.reads_types();
    for record in &records {
        let event_type = if reads_types {
            let mut c = Cursor::new(record);
            std::str::from_utf8(c.rbytes(&strings)?).ok()?
        } else {
            ""
        };
        match twins.place(event_type, record) {
            Place::Twin(j) => plan.push(j),
            Place::New(j) => {
                read(record)?;
                plan.push(j);
            }
            Place::Alone(j) => {
                if options.explain {
                    // A lone quote's explanation is computed when first read, from its
                    // event alone, which usage carried through the batch would make wrong:
                    // the JSON path explains.
                    return None;
                }
                read(record)?;
                plan.push(j);
            }
        }
    }
    // With explanations wanted, events with twins are explained at once, once: their quotes
    // carry one explanation between them (a group, sent once and referred to after). Lone
    // events leave theirs to the decoder, which asks when it is first read.
    let explain = options.explain;
    let mut members = vec![0u32; if explain { events.len() } else { 0 }];
    for j in &plan {
        if let Some(m) = members.get_mut(*j) {
            *m += 1;
        }
    }
    let quiet;
    let pricing = if explain {
        quiet = QuoteOptions {
            explain: false,
            ..options.clone()
        };
        &quiet
    } else {
        options
    };
    // The bodies of the distinct quotes, written in the order of their first use, so that
    // every template is defined before a later quote refers to it; and the explanations.
    let mut bodies = std::mem::take(&mut tape.body);
    let mut spans: Vec<(usize, usize)> = Vec::with_capacity(events.len());
    let mut steps: Vec<u8> = Vec::new();
    let mut groups: Vec<Option<(usize, usize)>> = Vec::new();
    let mut ok = true;
    let mut head = false;
    engine
        .quote_each(&events, pricing, |j, quote| {
            if !head {
                head = true;
                ok &= write_head(out, Some(&quote));
            }
            if ok {
                let start = bodies.len();
                let sent = occurred.get(j).copied().unwrap_or_default();
                ok = tape.write_quote(&mut bodies, &quote, sent);
                spans.push((start, bodies.len()));
                let group = if members.get(j).is_some_and(|m| *m > 1) {
                    let begin = steps.len();
                    let explained = events.get(j).and_then(|event| {
                        let again = QuoteOptions {
                            at: Some(quote.at),
                            explain: true,
                            ..options.clone()
                        };
                        engine.quote(event, &again).ok()
                    });
                    match explained {
                        Some(q) => ok &= write_steps(&mut steps, &q.explain),
                        None => ok = false,
                    }
                    // The quote says an explanation follows it.
                    if let Some(flags) = bodies.get_mut(start) {
                        *flags |= 4;
                    }
                    Some((begin, steps.len()))
                } else {
                    None
                };
                groups.push(group);
            }
        })
        .ok()?;
    if !head {
        ok &= write_head(out, None);
    }
    if !ok {
        return None;
    }
    if spans.len() == n {
        // No twins: the bodies are the answer as they stand.
        out.extend_from_slice(&bodies);
        return Some(());
    }
    out.reserve(bodies.len() + steps.len() + 4 * n);
    // A quote is sent whole at its first use, with its explanation group if it has one;
    // its twins after that only name it (the decoder copies the quote it built, which
    // costs less than reading it again) and the group.
    let mut first: Vec<Option<(usize, usize)>> = vec![None; spans.len()];
    let mut next = 0usize;
    for (i, j) in plan.into_iter().enumerate() {
        let group = groups.get(j).copied().flatten();
        match *first.get(j)? {
            Some((k, g)) => {
                out.push(if group.is_some() { 8 | 4 } else { 8 });
                ok &= put_len(out, k);
                if group.is_some() {
                    ok &= put_len(out, g * 2);
                }
            }
            None => {
                let (start, end) = *spans.get(j)?;
                out.extend_from_slice(bodies.get(start..end)?);
                if let Some((begin, finish)) = group {
                    ok &= put_len(out, next * 2 + 1);
                    out.extend_from_slice(steps.get(begin..finish)?);
                }
                *first.get_mut(j)? = Some((i, next));
                if group.is_some() {
                    next += 1;
                }
            }
        }
    }
    ok.then_some(())
}

/// An explanation: `len n, (len fee+1 (0: none), str kind, str text)*n`.
fn write_steps(out: &mut Vec<u8>, steps: &[Step]) -> bool {
    let mut ok = put_len(out, steps.len());
    for step in steps {
        ok &= put_len(out, step.fee.map_or(0, |f| f + 1));
        ok &= put_str(out, step.kind) && put_str(out, &step.text);
    }
    ok
}

impl Tape {
    /// Forgets every template (after an answer the decoder never read).
    pub fn reset(&mut self) {
        *self = Tape::new();
    }
}

#[cfg(test)]
#[path = "../tests/support/tape_decode.rs"]
mod test_decode;

#[cfg(test)]
mod tests {
    use super::test_decode::{Decoder, Sent};
    use super::*;
    use crate::scratch::{answer_in_place, Header, FLAG_CLOCK};

    const CATALOG: &str = r#"{"assets": [{"code": "CR", "name": "Credits", "precision": 2,
        "rates": [{"source": "USD", "rate": "0.01"}]}],
      "products": [{"name": "Video", "code": "video", "prices": [{"name": "Render",
        "type": "usage_based", "billing_model": {"type": "real_time"},
        "usage_calculation": {"event_type": "render", "usage_type": "volume",
          "volume_field": "seconds", "billable_dimensions": ["model"]},
        "pricing": [{"asset": "CR", "values": [
          {"dimensions": {"model": "gen4"}, "values": [{"volume_rate": "12"}]},
          {"dimensions": {"model": "*"}, "values": [{"volume_rate": "5"}]}]}]}]}]}"#;

    const AT: &str = "2026-03-01T12:00:00Z";

    fn engine() -> Engine {
        Engine::from_json(CATALOG).unwrap()
    }

    fn no_explain() -> QuoteOptions {
        QuoteOptions {
            explain: false,
            ..QuoteOptions::default()
        }
    }

    /// A record as the JavaScript writer makes it.
    enum V<'a> {
        S(&'a str),
        N(f64),
        Absent,
    }

    /// A record's string written out: a length of 254 takes the long form (254 names a string).
    fn put_rstr(out: &mut Vec<u8>, s: &str) {
        if s.len() == usize::from(REPEAT) {
            out.push(255);
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        } else {
            put_str(out, s);
        }
    }

    /// (Records leave the id out; tests pass it for the decoder, which puts it on the quote.)
    fn record(_id: Option<&str>, at: Option<&str>, values: &[V<'_>]) -> Vec<u8> {
        let mut out = Vec::new();
        put_rstr(&mut out, "render");
        match at {
            None => out.push(0),
            Some(s) => {
                out.push(1);
                put_rstr(&mut out, s);
            }
        }
        put_len(&mut out, values.len());
        for v in values {
            match v {
                V::S(s) => {
                    out.push(1);
                    put_rstr(&mut out, s);
                }
                V::N(x) => {
                    out.push(2);
                    out.extend_from_slice(&x.to_le_bytes());
                }
                V::Absent => out.push(0),
            }
        }
        out
    }

    /// The JSON path's quote of the same event, as a value without `explain`.
    fn reference(e: &Engine, json: &str, options: &QuoteOptions) -> serde_json::Value {
        let event = Event::from_json(json).unwrap();
        let mut v = serde_json::to_value(e.quote(&event, options).unwrap()).unwrap();
        v.as_object_mut().unwrap().remove("explain");
        v
    }

    #[test]
    fn data_fields_are_what_the_prices_read() {
        let e = engine();
        assert_eq!(e.data_fields("render"), ["seconds", "model"]);
        assert!(e.data_fields("other").is_empty());
    }

    #[test]
    fn an_event_record_reads_like_its_json() {
        let e = engine();
        let rec = record(Some("evt_1"), Some(AT), &[V::N(4.25), V::S("gen4")]);
        let from_tape = read_event(&e, &rec).unwrap();
        // The id stays with the JavaScript side (it never changes a price).
        let json = r#"{"event_type":"render","occurred_at":"2026-03-01T12:00:00Z","data":{"seconds":4.25,"model":"gen4"}}"#;
        assert_eq!(from_tape, Event::from_json(json).unwrap());
        // Numbers read as the JSON path reads JavaScript's text of them, huge ones included.
        let big = record(None, None, &[V::N(1e21), V::Absent]);
        let big = read_event(&e, &big).unwrap();
        let json = Event::from_json(r#"{"event_type":"render","data":{"seconds":1e+21}}"#).unwrap();
        assert_eq!(big.get("seconds"), json.get("seconds"));
        assert!(has_instant(&rec));
        assert!(!has_instant(&record(None, None, &[V::Absent, V::Absent])));
    }

    #[test]
    fn a_batch_names_its_strings() {
        let e = engine();
        // The batch's strings: "render", AT, a model name as long as the name byte.
        let model = "g".repeat(254);
        let strings = ["render", AT, model.as_str()];
        let named = |seconds: f64| {
            let mut r = vec![REPEAT, 0, 1, REPEAT, 1, 2, 2];
            r.extend_from_slice(&seconds.to_le_bytes());
            r.extend_from_slice(&[1, REPEAT, 2]);
            r
        };
        // Names and strings written out mix.
        let first = record(None, Some(AT), &[V::N(2.0), V::S(&model)]);
        let records = [first, named(2.0), named(3.0), named(2.0)];
        let mut out = Vec::new();
        assert!(e.quote_many_tape(&named_batch(&records, &strings), &no_explain(), &mut out));
        let sent: Vec<Sent<'_>> = (0..records.len())
            .map(|_| Sent {
                event_type: "render",
                id: None,
                occurred: AT,
            })
            .collect();
        let want: Vec<serde_json::Value> = [2, 2, 3, 2]
            .iter()
            .map(|s| {
                let json = format!(
                    r#"{{"event_type":"render","occurred_at":"{AT}","data":{{"seconds":{s},"model":"{model}"}}}}"#
                );
                reference(&e, &json, &no_explain())
            })
            .collect();
        assert_eq!(Decoder::new().answer(&out, &sent), want);
        // Records naming the same strings are twins: the last is sent as the second's copy.
        assert!(out.ends_with(&[8, 1]), "{out:?}");
        // A name for a string the batch does not have, a batch without its strings, and any
        // name outside a batch are refused.
        assert!(!e.quote_many_tape(
            &named_batch(&[named(2.0)], &strings[..2]),
            &no_explain(),
            &mut Vec::new()
        ));
        assert!(!e.quote_many_tape(&batch(&[named(2.0)])[..12], &no_explain(), &mut Vec::new()));
        assert!(read_event(&e, &named(2.0)).is_none());
    }

    #[test]
    fn malformed_records_are_refused_not_guessed() {
        let e = engine();
        let good = record(None, Some(AT), &[V::N(4.0), V::S("gen4")]);
        assert!(read_event(&e, &good).is_some());
        // Every truncation, and anything after a record, is refused.
        for cut in 0..good.len() {
            assert!(read_event(&e, &good[..cut]).is_none(), "cut at {cut}");
        }
        let mut longer = good.clone();
        longer.push(0);
        assert!(read_event(&e, &longer).is_none());
        // Another number of fields than the type's, a bad tag, a bad instant, a non-finite
        // number, bytes that are not UTF-8, an empty event type.
        for bad in [
            record(None, Some(AT), &[V::N(4.0)]),
            record(None, Some("soon"), &[V::N(4.0), V::S("gen4")]),
            record(None, Some(AT), &[V::N(f64::NAN), V::S("gen4")]),
            record(None, Some(AT), &[V::N(f64::INFINITY), V::S("gen4")]),
        ] {
            assert!(read_event(&e, &bad).is_none());
        }
        let mut tag = good.clone();
        let last_tag = tag.len() - 6;
        tag[last_tag] = 9;
        assert!(read_event(&e, &tag).is_none());
        let mut utf = good.clone();
        let n = utf.len();
        utf[n - 1] = 0xff;
        assert!(read_event(&e, &utf).is_none());
        let mut empty = Vec::new();
        put_str(&mut empty, " ");
        empty.extend_from_slice(&[0, 0, 0]);
        assert!(read_event(&e, &empty).is_none());
    }

    #[test]
    fn a_quote_sends_its_template_once_and_says_what_json_says() {
        let e = engine();
        let mut tape = Tape::new();
        let mut decoder = Decoder::new();
        let sent = [Sent {
            event_type: "render",
            id: None,
            occurred: AT,
        }];
        let json = r#"{"event_type":"render","occurred_at":"2026-03-01T12:00:00Z","data":{"seconds":4.25,"model":"gen4"}}"#;
        let rec = record(None, Some(AT), &[V::N(4.25), V::S("gen4")]);
        let mut first = Vec::new();
        assert!(e.quote_tape(&mut tape, &rec, &no_explain(), &mut first));
        // No express codes; flags 0 (at as sent, totals from fees); one fee defining template 0.
        assert_eq!(&first[..5], &[0, 0, 1, 1, 2 | 4 | 8 | 32]);
        let want = reference(&e, json, &no_explain());
        assert_eq!(decoder.answer(&first, &sent), std::slice::from_ref(&want));
        let mut second = Vec::new();
        assert!(e.quote_tape(&mut tape, &rec, &no_explain(), &mut second));
        // Template 0 by reference, then input_volume and amount; no warnings.
        assert_eq!(
            second,
            [0, 0, 1, 0, 4, b'4', b'.', b'2', b'5', 5, b'5', b'1', b'.', b'0', b'0', 0]
        );
        assert_eq!(decoder.answer(&second, &sent), [want]);
        // Express codes, an instant other than the one sent, a warning.
        let options = QuoteOptions {
            express_in: vec!["usd".into(), "CR".into()],
            at: Some(Instant::parse("2026-04-01T00:00:00+02:00").unwrap()),
            ..no_explain()
        };
        let rec = record(Some("e1"), Some(AT), &[V::N(-1.0), V::S("x")]);
        let json = r#"{"id":"e1","event_type":"render","occurred_at":"2026-03-01T12:00:00Z","data":{"seconds":-1,"model":"x"}}"#;
        let mut out = Vec::new();
        assert!(e.quote_tape(&mut tape, &rec, &options, &mut out));
        let sent = [Sent {
            event_type: "render",
            id: Some("e1"),
            occurred: AT,
        }];
        assert_eq!(decoder.answer(&out, &sent), [reference(&e, json, &options)]);
    }

    #[test]
    fn what_the_tape_cannot_carry_falls_back() {
        let e = engine();
        let mut tape = Tape::new();
        let rec = record(None, Some(AT), &[V::N(4.0), V::S("gen4")]);
        let mut out = Vec::new();
        // Explanation steps travel as JSON only.
        assert!(!e.quote_tape(&mut tape, &rec, &QuoteOptions::default(), &mut out));
        // Errors are the JSON path's to report: no instant at all here.
        let none = record(None, None, &[V::N(4.0), V::S("gen4")]);
        assert!(!e.quote_tape(&mut tape, &none, &no_explain(), &mut out));
        // An unknown express_in asset is an error too.
        let options = QuoteOptions {
            express_in: vec!["NOPE".into()],
            ..no_explain()
        };
        assert!(!e.quote_tape(&mut tape, &rec, &options, &mut out));
    }

    fn batch(records: &[Vec<u8>]) -> Vec<u8> {
        named_batch(records, &[])
    }

    fn named_batch(records: &[Vec<u8>], strings: &[&str]) -> Vec<u8> {
        let mut input = Vec::new();
        put_len(&mut input, records.len());
        for r in records {
            input.extend_from_slice(r);
        }
        put_len(&mut input, strings.len());
        for s in strings {
            put_str(&mut input, s);
        }
        input
    }

    #[test]
    fn a_template_is_reused_only_for_the_same_dimension_keys_and_values() {
        // The example's video price bills model and quality; an event without one leaves it out
        // of its fee's dimensions, so the same value under another key is another template.
        let e = Engine::from_json(include_str!("../../../examples/catalog.json")).unwrap();
        let mut tape = Tape::new();
        let mut decoder = Decoder::new();
        let options = no_explain();
        for data in [
            r#"{"seconds":2,"model":"sd"}"#,
            r#"{"seconds":2,"quality":"sd"}"#,
            r#"{"seconds":2,"model":"sd"}"#,
        ] {
            let json =
                format!(r#"{{"event_type":"video_generated","occurred_at":"{AT}","data":{data}}}"#);
            let event = Event::from_json(&json).unwrap();
            // The record as the JavaScript writer makes it, for this type's fields.
            let mut rec = Vec::new();
            put_rstr(&mut rec, "video_generated");
            rec.push(1);
            put_rstr(&mut rec, AT);
            let fields = e.data_fields("video_generated");
            put_len(&mut rec, fields.len());
            for f in fields {
                match event.get(f) {
                    Some(Scalar::Str(v)) => {
                        rec.push(1);
                        put_rstr(&mut rec, v);
                    }
                    Some(Scalar::Num(_)) => {
                        rec.push(2);
                        rec.extend_from_slice(&2.0f64.to_le_bytes());
                    }
                    _ => rec.push(0),
                }
            }
            let mut out = Vec::new();
            assert!(e.quote_tape(&mut tape, &rec, &options, &mut out));
            let sent = Sent {
                event_type: "video_generated",
                id: None,
                occurred: AT,
            };
            let got = decoder.answer(&out, &[sent]);
            assert_eq!(got, [reference(&e, &json, &options)], "{data}");
        }
    }

    #[test]
    fn in_a_catalog_with_tiers_only_tiered_events_lose_their_twins() {
        // "render" is priced per second; "stored" in tiers, whose usage carries through the batch.
        let catalog = r#"{"assets": [{"code": "CR", "name": "Credits", "precision": 2}],
          "products": [{"name": "P", "code": "p", "prices": [
            {"name": "Render", "type": "usage_based", "billing_model": {"type": "real_time"},
             "usage_calculation": {"event_type": "render", "usage_type": "volume",
               "volume_field": "seconds"},
             "pricing": [{"asset": "CR", "values": [{"volume_rate": "2"}]}]},
            {"name": "Store", "type": "usage_based", "billing_model": {"type": "real_time"},
             "usage_calculation": {"event_type": "stored", "usage_type": "volume",
               "volume_field": "gb"},
             "pricing_model": "tiered", "tiering": {"basis": "volume", "period": "monthly"},
             "pricing": [{"asset": "CR", "values": [{"up_to": 10, "volume_rate": "1"},
               {"volume_rate": "0.5"}]}]}]}]}"#;
        let e = Engine::from_json(catalog).unwrap();
        assert!(e.prices_in_tiers("stored") && !e.prices_in_tiers("render"));
        let typed = |t: &str, v: f64| {
            let mut r = Vec::new();
            put_rstr(&mut r, t);
            r.push(1);
            put_rstr(&mut r, AT);
            r.extend_from_slice(&[1, 2]);
            r.extend_from_slice(&v.to_le_bytes());
            r
        };
        let list = [
            ("render", 3.0),
            ("stored", 8.0),
            ("render", 3.0),
            ("stored", 8.0),
            ("render", 3.0),
        ];
        let records: Vec<Vec<u8>> = list.iter().map(|(t, v)| typed(t, *v)).collect();
        let mut out = Vec::new();
        assert!(e.quote_many_tape(&batch(&records), &no_explain(), &mut out));
        let sent: Vec<Sent<'_>> = list
            .iter()
            .map(|(t, _)| Sent {
                event_type: t,
                id: None,
                occurred: AT,
            })
            .collect();
        let texts: Vec<String> = list
            .iter()
            .map(|(t, v)| {
                let field = if *t == "stored" { "gb" } else { "seconds" };
                format!(r#"{{"event_type":"{t}","occurred_at":"{AT}","data":{{"{field}":{v}}}}}"#)
            })
            .collect();
        let events: Vec<Event<'_>> = texts.iter().map(|t| Event::from_json(t).unwrap()).collect();
        let want: Vec<serde_json::Value> = e
            .quote_many(&events, &no_explain())
            .unwrap()
            .iter()
            .map(|q| {
                let mut v = serde_json::to_value(q).unwrap();
                v.as_object_mut().unwrap().remove("explain");
                v
            })
            .collect();
        let got = Decoder::new().answer(&out, &sent);
        assert_eq!(got, want);
        // The second "stored" event is past the first tier: not its twin's quote.
        assert_ne!(got[1]["fees"][0]["amount"], got[3]["fees"][0]["amount"]);
        // The renders' twins are copies of the first (a repeat names quote 0).
        assert!(out.ends_with(&[8, 0]), "{out:?}");
        // Explanations of tiered events are the JSON path's; of the others, the tape's.
        let explained = QuoteOptions::default();
        assert!(!e.quote_many_tape(&batch(&records), &explained, &mut Vec::new()));
        let renders = [records[0].clone(), records[2].clone()];
        assert!(e.quote_many_tape(&batch(&renders), &explained, &mut Vec::new()));
    }

    #[test]
    fn a_batch_has_its_own_templates_and_prices_twins_once() {
        let e = engine();
        let events = [
            (Some("a"), 1.0, "gen4"),
            (Some("b"), 1.0, "gen4"),
            (None, 2.5, "gen4"),
            (None, 1.0, "other"),
            (Some("c"), 1.0, "gen4"),
        ];
        let records: Vec<Vec<u8>> = events
            .iter()
            .map(|(id, s, m)| record(*id, Some(AT), &[V::N(*s), V::S(m)]))
            .collect();
        let options = QuoteOptions {
            express_in: vec!["USD".into()],
            ..no_explain()
        };
        let mut out = Vec::new();
        assert!(e.quote_many_tape(&batch(&records), &options, &mut out));
        let sent: Vec<Sent<'_>> = events
            .iter()
            .map(|(id, _, _)| Sent {
                event_type: "render",
                id: *id,
                occurred: AT,
            })
            .collect();
        let want: Vec<serde_json::Value> = events
            .iter()
            .map(|(id, s, m)| {
                let id = id.map(|i| format!(r#""id":"{i}","#)).unwrap_or_default();
                let json = format!(
                    r#"{{{id}"event_type":"render","occurred_at":"{AT}","data":{{"seconds":{s},"model":"{m}"}}}}"#
                );
                reference(&e, &json, &options)
            })
            .collect();
        assert_eq!(Decoder::new().answer(&out, &sent), want);
        // Explanations wanted: the twins carry theirs (one group, sent once), the lone events
        // none (their decoder asks when one is first read).
        let explained = QuoteOptions {
            express_in: vec!["USD".into()],
            ..QuoteOptions::default()
        };
        let mut out = Vec::new();
        assert!(e.quote_many_tape(&batch(&records), &explained, &mut out));
        let got = Decoder::new().answer(&out, &sent);
        for (i, (id, s, m)) in events.iter().enumerate() {
            let id = id.map(|i| format!(r#""id":"{i}","#)).unwrap_or_default();
            let json = format!(
                r#"{{{id}"event_type":"render","occurred_at":"{AT}","data":{{"seconds":{s},"model":"{m}"}}}}"#
            );
            let event = Event::from_json(&json).unwrap();
            let mut full = serde_json::to_value(e.quote(&event, &explained).unwrap()).unwrap();
            let twins = events
                .iter()
                .filter(|(_, s2, m2)| s2 == s && m2 == m)
                .count();
            if twins == 1 {
                full.as_object_mut().unwrap().remove("explain");
            } else {
                assert!(!full["explain"].as_array().unwrap().is_empty());
            }
            assert_eq!(got[i], full, "event {i}");
        }
        let mut empty = Vec::new();
        assert!(e.quote_many_tape(&[0, 0], &no_explain(), &mut empty));
        assert_eq!(empty, [0]);
        // A count that promises more records than there are is refused.
        assert!(!e.quote_many_tape(&[2, 0], &no_explain(), &mut Vec::new()));
    }

    #[test]
    fn answers_are_written_after_the_record_or_ask_for_room() {
        let mut scratch = vec![0u8; 32];
        scratch[0] = 7;
        scratch[4] = FLAG_CLOCK as u8;
        scratch[8] = 3;
        scratch[12..15].copy_from_slice(b"abc");
        let mut out = Vec::new();
        let n = answer_in_place(&mut scratch, &mut out, |h, input, out| {
            assert_eq!(
                h,
                Header {
                    handle: 7,
                    flags: FLAG_CLOCK,
                    len: 3
                }
            );
            assert_eq!(input, b"abc");
            out.extend_from_slice(b"XYZ");
            true
        });
        assert_eq!(n, 3);
        assert_eq!(&scratch[15..18], b"XYZ");
        // Too little room: the size needed; the JSON path: 0; a header promising more: 0.
        let big = answer_in_place(&mut scratch, &mut out, |_, _, out| {
            out.extend_from_slice(&[1; 40]);
            true
        });
        assert_eq!(big, -(15 + 40));
        assert_eq!(answer_in_place(&mut scratch, &mut out, |_, _, _| false), 0);
        scratch[8] = 200;
        assert_eq!(answer_in_place(&mut scratch, &mut out, |_, _, _| true), 0);
        assert_eq!(answer_in_place(&mut [0u8; 5], &mut out, |_, _, _| true), 0);
    }

    #[test]
    fn lengths_of_any_size_round_trip() {
        for n in [0usize, 1, 254, 255, 256, 70_000] {
            let mut out = Vec::new();
            assert!(put_len(&mut out, n));
            assert_eq!(Cursor::new(&out).len(), Some(n));
        }
        let long = "x".repeat(300);
        let mut out = Vec::new();
        put_str(&mut out, &long);
        assert_eq!(Cursor::new(&out).rstr(&[]), Some(long.as_str()));
    }
}

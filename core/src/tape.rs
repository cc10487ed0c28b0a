//! The tape: a compact text form of events in and quotes out, for the JavaScript faces.
//!
//! Why it exists: in WebAssembly and in a Node addon the price of a single quote is set by the
//! boundary, not by the arithmetic (`shared/design/performance.md`). Writing an event as JSON,
//! reading it back in Rust, writing the Quote as JSON and `JSON.parse`-ing it again cost about
//! ten times the pricing itself. The tape carries only what varies: an event's type, id, instant
//! and the data values the catalog's prices actually read ([`Engine::data_fields`]); a quote's
//! amounts, with each fee's constant fields (product, price, asset, rates, dimensions) sent once
//! as a numbered *template* that the JavaScript decoder keeps. The tape is an optimisation and
//! nothing else: whatever it cannot carry (explanation steps, a string holding a separator, any
//! error) makes these functions return `None`, and the binding answers through the JSON path,
//! whose output is the reference. `tests/js/tape.test.mjs` checks that both give the same
//! objects for every conformance vector.
//!
//! Grammar (`US` = U+001F between fields, `RS` = U+001E between the events of a batch):
//!
//! ```text
//! event    = event_type US id US occurred_at (US value)*   one value per data field, in order
//! id       = "" (absent) | "s" text
//! value    = "" (absent) | "s" text | "n" number | "t" | "f" | "z" (null)
//! quote    = "Q" US mask [US event_id] [US at] US n_express (US code)* US n_fees (US fee)*
//!            [US n_totals (US code US amount)*] (US amount)*n_express US n_warnings
//!            (US path US code US message)*
//! mask     = bit 1 event_id, bit 2 at (else the event's occurred_at as given), bit 4 totals
//!            (else one per fee: its currency and amount)
//! fee      = ref [US input_volume] US amount (US amount)*n_express
//! ref      = k (template k) | "+" k US template (define k, then use it) | "!" US template
//! template = mask US product_code [US price_id] US price_name US currency US event_type
//!            US usage_type [US n (US key US value)*n] [US volume_field] [US unit_price]
//!            [US volume_rate] [US package_size] [US description]
//!            mask bits: 1 price_id, 2 dimensions, 4 volume_field, 8 input_volume,
//!            16 unit_price, 32 volume_rate, 64 package_size, 128 description
//! batch    = "M" US n (US quote)*n
//! ```
//!
//! A number is read exactly as serde_json reads the same text in JSON (JavaScript's
//! `String(x)` and `JSON.stringify(x)` agree for finite numbers), so a tape event prices like
//! its JSON form to the last digit.

use crate::engine::{Engine, FnvMap};
use crate::event::{Event, Scalar};
use crate::instant::Instant;
use crate::quote::{Fee, Quote, QuoteOptions};
use std::borrow::Cow;
use std::fmt::Write;

/// Between the fields of an event or a quote.
pub const US: char = '\u{1f}';
/// Between the events of a batch.
pub const RS: char = '\u{1e}';

/// Templates kept per engine before new fee shapes are sent inline instead: wildcard
/// dimensions can make the shapes unbounded, the memory must not be.
const MAX_TEMPLATES: usize = 4096;

/// The fee templates one decoder knows. Sync calls share one per engine (the decoder reads each
/// answer before the next call); a batch uses its own, so concurrent batches never interleave.
#[derive(Debug, Default, Clone)]
pub struct Tape {
    /// The engine whose addresses `templates` holds (see [`Fee::origin`]).
    engine: u64,
    /// Templates by the fee's origin (its price value's address in the engine) and a hash of
    /// its dimension values; the values are compared in full before a template is reused, so a
    /// hash collision costs a comparison, never a wrong fee.
    templates: FnvMap<(usize, u64), Vec<Template>>,
    count: usize,
    def: String,
    /// The last instant written and its text: a batch's events often share one.
    at: Option<(Instant, String)>,
    /// The last `occurred_at` text read and its instant.
    parsed: Option<(String, Instant)>,
    /// Scratch space for a quote's body.
    body: String,
}

/// A template's dimension values (what the origin does not fix) and its number.
type Template = (Vec<String>, u32);

fn mask_of(fee: &Fee<'_>) -> u32 {
    let mut mask = 0u32;
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

/// The template's strings, in template order.
fn strs_of<'f>(fee: &'f Fee<'_>) -> impl Iterator<Item = &'f str> + 'f {
    let dims = fee
        .dimensions
        .iter()
        .flat_map(|d| d.0.iter().flat_map(|(k, v)| [*k, v.as_ref()]));
    [
        Some(fee.product_code),
        fee.price_id,
        Some(fee.price_name),
        Some(fee.currency),
    ]
    .into_iter()
    .flatten()
    .chain([fee.event_type, fee.usage_type.as_str()])
    .chain(dims)
    .chain(fee.volume_field)
    .chain(fee.description)
}

fn dims_of<'f>(fee: &'f Fee<'_>) -> impl Iterator<Item = &'f str> + 'f {
    fee.dimensions
        .iter()
        .flat_map(|d| d.0.iter().map(|(_, v)| v.as_ref()))
}

fn dims_hash(fee: &Fee<'_>) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::engine::Fnv::default();
    for v in dims_of(fee) {
        h.write(v.as_bytes());
        h.write(&[0x1f]);
    }
    h.finish()
}

/// Reads one event record; `None` when it is not a well-formed record for this engine (the
/// binding then uses the JSON path, which reports the exact error).
pub fn read_event<'t>(engine: &'t Engine, record: &'t str) -> Option<Event<'t>> {
    read_with(engine, record, &mut None)
}

/// A JSON number's text as serde_json reads it into event data (an integer exactly, anything
/// else as a double named by its shortest text). Short plain texts, which a double represents
/// to the digit, skip the double.
fn number(text: &str) -> Option<Scalar<'_>> {
    let body = text.strip_prefix('-').unwrap_or(text);
    let plain = !body.is_empty()
        && !text.starts_with("-0")
        && (!body.starts_with('0') || body.len() == 1 || body.starts_with("0."))
        && body.len() <= 16
        && body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && body.bytes().filter(|b| *b == b'.').count() <= 1
        && !body.ends_with('.');
    if plain {
        if body.contains('.') {
            // At most 15 significant digits: the double nearest this text prints as it.
            let d = crate::number::parse_decimal(text).ok()?;
            return Some(Scalar::Num(d.normalize()));
        }
        if let Ok(i) = text.parse::<i64>() {
            return Some(Scalar::Num(rust_decimal::Decimal::from(i)));
        }
    }
    match serde_json::from_str::<Scalar<'_>>(text).ok()? {
        Scalar::Str(_) | Scalar::Invalid(_) => None,
        n => Some(n),
    }
}

fn read_with<'t>(
    engine: &'t Engine,
    record: &'t str,
    parsed: &mut Option<(String, Instant)>,
) -> Option<Event<'t>> {
    let mut parts = record.split(US);
    let event_type = parts.next()?;
    let id = match parts.next()? {
        "" => None,
        s => Some(Cow::Borrowed(s.strip_prefix('s')?)),
    };
    let occurred_at = match parts.next()? {
        "" => None,
        s => match parsed {
            Some((text, t)) if text == s => Some(*t),
            _ => {
                let t = Instant::parse(s).ok()?;
                *parsed = Some((s.to_string(), t));
                Some(t)
            }
        },
    };
    let fields = engine.data_fields(event_type);
    let mut data = Vec::with_capacity(fields.len());
    for field in fields {
        let raw = parts.next()?;
        let value = match raw.as_bytes().first() {
            None => continue,
            Some(b's') => Scalar::Str(Cow::Borrowed(raw.get(1..)?)),
            Some(b'n') => number(raw.get(1..)?)?,
            Some(b't') if raw.len() == 1 => Scalar::Bool(true),
            Some(b'f') if raw.len() == 1 => Scalar::Bool(false),
            Some(b'z') if raw.len() == 1 => Scalar::Null,
            Some(_) => return None,
        };
        data.push((Cow::Borrowed(field.as_str()), value));
    }
    if parts.next().is_some() {
        return None;
    }
    let event = Event {
        id,
        event_type: Cow::Borrowed(event_type),
        occurred_at,
        data,
    };
    event.check("").ok()?;
    Some(event)
}

/// Whether a record carries its own instant (else a quote needs `at` or the host's clock).
pub fn has_instant(record: &str) -> bool {
    !occurred_text(record).is_empty()
}

/// The text of the record's `occurred_at`, to tell the decoder "the instant you sent".
fn occurred_text(record: &str) -> &str {
    record.split(US).nth(2).unwrap_or_default()
}

fn clean(s: &str) -> bool {
    !s.contains([US, RS])
}

/// Appends `US` and a field; false when the field holds a separator.
fn put(out: &mut String, s: &str) -> bool {
    out.push(US);
    out.push_str(s);
    clean(s)
}

fn put_amount(out: &mut String, a: crate::number::Amount) {
    out.push(US);
    crate::number::push_amount(out, a);
}

fn put_decimal(out: &mut String, d: rust_decimal::Decimal) {
    out.push(US);
    crate::number::push_decimal(out, d);
}

impl Tape {
    pub fn new() -> Tape {
        Tape::default()
    }

    /// The constant part of a fee as template text (in `self.def`); false when a string holds
    /// a separator.
    fn define(&mut self, fee: &Fee<'_>, mask: u32) -> bool {
        let def = &mut self.def;
        def.clear();
        let _ = write!(def, "{mask}");
        let mut ok = true;
        let mut strs = strs_of(fee);
        // product_code, price_id?, price_name, currency, event_type, usage_type
        let head = 5 + usize::from(fee.price_id.is_some());
        for s in strs.by_ref().take(head) {
            ok &= put(def, s);
        }
        if let Some(dims) = &fee.dimensions {
            put_count(def, dims.0.len());
            for s in strs.by_ref().take(dims.0.len() * 2) {
                ok &= put(def, s);
            }
        }
        if let Some(field) = fee.volume_field {
            ok &= put(def, field);
        }
        for d in [fee.unit_price, fee.volume_rate, fee.package_size]
            .into_iter()
            .flatten()
        {
            put_decimal(def, d);
        }
        if let Some(text) = fee.description {
            ok &= put(def, text);
        }
        ok
    }

    fn fee(&mut self, out: &mut String, fee: &Fee<'_>) -> bool {
        let key = (fee.origin, dims_hash(fee));
        let known = self.templates.get(&key).and_then(|bucket| {
            bucket.iter().find_map(|(dims, k)| {
                dims.iter()
                    .map(String::as_str)
                    .eq(dims_of(fee))
                    .then_some(*k)
            })
        });
        out.push(US);
        match known {
            Some(k) => {
                out.pop();
                put_count(out, k as usize);
            }
            None => {
                if !self.define(fee, mask_of(fee)) {
                    return false;
                }
                if self.count < MAX_TEMPLATES {
                    let k = self.count as u32;
                    self.count += 1;
                    let dims = dims_of(fee).map(str::to_string).collect();
                    self.templates.entry(key).or_default().push((dims, k));
                    let _ = write!(out, "+{k}");
                } else {
                    out.push('!');
                }
                out.push(US);
                out.push_str(&self.def);
            }
        }
        if let Some(v) = fee.input_volume {
            put_decimal(out, v);
        }
        put_amount(out, fee.amount);
        for (_, a) in &fee.equivalents.0 {
            put_amount(out, *a);
        }
        true
    }

    /// Appends `quote` to `out`; false (with `out` in any state) when it cannot be taped.
    /// `occurred` is the event's `occurred_at` as the caller wrote it.
    pub fn write_quote(&mut self, out: &mut String, quote: &Quote<'_>, occurred: &str) -> bool {
        let mut body = std::mem::take(&mut self.body);
        body.clear();
        let done = match self.write_body(&mut body, quote, occurred) {
            Some(mask) => {
                write_head(out, mask, quote.event_id) && {
                    out.push_str(&body);
                    true
                }
            }
            None => false,
        };
        self.body = body;
        done
    }

    /// What follows a quote's event id: `[US at] US n_express ...`. Returns the quote's mask
    /// bits other than the id's, or `None` when the quote cannot be taped.
    fn write_body(&mut self, out: &mut String, quote: &Quote<'_>, occurred: &str) -> Option<u32> {
        if !quote.explain.is_empty() {
            return None;
        }
        let at = match self.at.take() {
            Some((t, text)) if t == quote.at => text,
            _ => quote.at.to_string(),
        };
        let same_at = at == occurred;
        let distinct = quote
            .fees
            .iter()
            .enumerate()
            .all(|(i, f)| quote.fees.iter().take(i).all(|g| g.currency != f.currency));
        let mask = if same_at { 0 } else { 2 } | if distinct { 0 } else { 4 };
        let mut ok = true;
        if !same_at {
            put(out, &at);
        }
        self.at = Some((quote.at, at));
        put_count(out, quote.equivalents.0.len());
        for (code, _) in &quote.equivalents.0 {
            ok &= put(out, code);
        }
        put_count(out, quote.fees.len());
        for fee in &quote.fees {
            ok &= self.fee(out, fee);
        }
        if !distinct {
            put_count(out, quote.totals.0.len());
            for (code, amount) in &quote.totals.0 {
                ok &= put(out, code);
                put_amount(out, *amount);
            }
        }
        for (_, amount) in &quote.equivalents.0 {
            put_amount(out, *amount);
        }
        put_count(out, quote.warnings.len());
        for w in &quote.warnings {
            ok &= put(out, &w.path);
            put(out, w.code.as_str());
            ok &= put(out, &w.message);
        }
        ok.then_some(mask)
    }
}

/// `Q US mask [US event_id]`; false when the id holds a separator.
fn write_head(out: &mut String, mask: u32, event_id: Option<&str>) -> bool {
    out.push('Q');
    put_count(out, (mask | u32::from(event_id.is_some())) as usize);
    match event_id {
        Some(id) => put(out, id),
        None => true,
    }
}

/// Appends `US` and a count, without the formatter.
fn put_count(out: &mut String, n: usize) {
    out.push(US);
    let mut buf = [0u8; 20];
    let mut len = 0;
    let mut v = n;
    loop {
        if let Some(slot) = buf.get_mut(len) {
            *slot = b'0' + (v % 10) as u8;
        }
        len += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for b in buf.iter().take(len).rev() {
        out.push(char::from(*b));
    }
}

impl Engine {
    /// One event record quoted as a tape quote, using (and growing) `tape`'s templates; `None`
    /// when the record or its quote cannot travel by tape. `options.explain` must be off.
    pub fn quote_tape(
        &self,
        tape: &mut Tape,
        record: &str,
        options: &QuoteOptions,
    ) -> Option<String> {
        if tape.engine != self.id.0 {
            // Another engine's addresses mean nothing here: start over (the decoder's copies
            // are redefined as the new templates are sent).
            *tape = Tape::new();
            tape.engine = self.id.0;
        }
        let event = read_with(self, record, &mut tape.parsed)?;
        let quote = self.quote(&event, options).ok()?;
        let mut out = String::with_capacity(64);
        // A failed write may have added templates the decoder never saw: forget them all.
        if tape.write_quote(&mut out, &quote, occurred_text(record)) {
            Some(out)
        } else {
            tape.templates.clear();
            tape.count = 0;
            None
        }
    }

    /// A batch of records (separated by `RS`) as one tape batch with its own templates, tier
    /// usage accumulating in order as in [`Engine::quote_many`]; `None` when any record or quote
    /// cannot travel by tape.
    ///
    /// Without tiered prices a quote depends on nothing but its own event, so events that differ
    /// at most in their id are priced once and their quote repeated with each id: event logs
    /// repeat themselves (a few types, models and sizes), and this is most of a batch's speed.
    pub fn quote_many_tape(&self, records: &str, options: &QuoteOptions) -> Option<String> {
        let texts: Vec<&str> = if records.is_empty() {
            Vec::new()
        } else {
            records.split(RS).collect()
        };
        let mut out = String::with_capacity(texts.len().saturating_mul(24).saturating_add(8));
        out.push('M');
        put_count(&mut out, texts.len());
        let mut tape = Tape::new();
        tape.engine = self.id.0;
        let mut parsed = None;
        if self.has_tiered_prices() {
            let mut events = Vec::with_capacity(texts.len());
            for text in &texts {
                events.push(read_with(self, text, &mut parsed)?);
            }
            let mut ok = true;
            self.quote_each(&events, options, |i, quote| {
                if ok {
                    out.push(US);
                    let occurred = texts.get(i).map(|t| occurred_text(t)).unwrap_or_default();
                    ok = tape.write_quote(&mut out, &quote, occurred);
                }
            })
            .ok()?;
            return ok.then_some(out);
        }
        // Each record's id, and the index of the first record with the same rest.
        let mut firsts: FnvMap<(&str, &str), usize> = FnvMap::default();
        let mut uniques: Vec<&str> = Vec::new();
        let mut plan: Vec<(usize, Option<&str>)> = Vec::with_capacity(texts.len());
        for text in &texts {
            let (event_type, rest) = text.split_once(US)?;
            let (id, rest) = rest.split_once(US)?;
            let id = match id {
                "" => None,
                s => Some(s.strip_prefix('s')?),
            };
            let j = *firsts.entry((event_type, rest)).or_insert_with(|| {
                uniques.push(text);
                uniques.len() - 1
            });
            plan.push((j, id));
        }
        let mut events = Vec::with_capacity(uniques.len());
        for text in &uniques {
            events.push(read_with(self, text, &mut parsed)?);
        }
        // The bodies of the distinct quotes, written in the order of their first use, so that
        // every template is defined before a later quote refers to it.
        let mut bodies = String::new();
        let mut spans: Vec<(u32, usize, usize)> = Vec::with_capacity(uniques.len());
        let mut ok = true;
        self.quote_each(&events, options, |j, quote| {
            if ok {
                let start = bodies.len();
                let occurred = uniques.get(j).map(|t| occurred_text(t)).unwrap_or_default();
                match tape.write_body(&mut bodies, &quote, occurred) {
                    Some(mask) => spans.push((mask, start, bodies.len())),
                    None => ok = false,
                }
            }
        })
        .ok()?;
        if !ok {
            return None;
        }
        for (j, id) in plan {
            let (mask, start, end) = *spans.get(j)?;
            out.push(US);
            write_head(&mut out, mask, id);
            out.push_str(bodies.get(start..end)?);
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOG: &str = r#"{"assets": [{"code": "CR", "name": "Credits", "precision": 2,
        "rates": [{"source": "USD", "rate": "0.01"}]}],
      "products": [{"name": "Video", "code": "video", "prices": [{"name": "Render",
        "type": "usage_based", "billing_model": {"type": "real_time"},
        "usage_calculation": {"event_type": "render", "usage_type": "volume",
          "volume_field": "seconds", "billable_dimensions": ["model"]},
        "pricing": [{"asset": "CR", "values": [
          {"dimensions": {"model": "gen4"}, "values": [{"volume_rate": "12"}]},
          {"dimensions": {"model": "*"}, "values": [{"volume_rate": "5"}]}]}]}]}]}"#;

    fn engine() -> Engine {
        Engine::from_json(CATALOG).unwrap()
    }

    fn no_explain() -> QuoteOptions {
        QuoteOptions {
            explain: false,
            ..QuoteOptions::default()
        }
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
        let record = "render\u{1f}sevt_1\u{1f}2026-03-01T12:00:00Z\u{1f}n4.25\u{1f}sgen4";
        let from_tape = read_event(&e, record).unwrap();
        let json = r#"{"id":"evt_1","event_type":"render","occurred_at":"2026-03-01T12:00:00Z","data":{"seconds":4.25,"model":"gen4"}}"#;
        assert_eq!(from_tape, Event::from_json(json).unwrap());
        // Numbers go through serde_json exactly as in JSON, including huge integers.
        let big = read_event(&e, "render\u{1f}\u{1f}\u{1f}n1e+21\u{1f}").unwrap();
        let json = Event::from_json(r#"{"event_type":"render","data":{"seconds":1e+21}}"#).unwrap();
        assert_eq!(big.get("seconds"), json.get("seconds"));
    }

    /// What the JSON path reads; what it reports as invalid, the tape leaves to it (`None`).
    fn serde_number(text: &str) -> Option<Scalar<'_>> {
        match serde_json::from_str::<Scalar<'_>>(text).ok()? {
            Scalar::Invalid(_) => None,
            n => Some(n),
        }
    }

    proptest::proptest! {
        #[test]
        fn numbers_read_as_serde_json_reads_them(bits in proptest::num::u64::ANY, small in -100_000i64..100_000, places in 0u32..8) {
            let x = f64::from_bits(bits);
            if x.is_finite() {
                // Rust prints a double's shortest digits, as JavaScript does (without exponents).
                let text = format!("{x}");
                proptest::prop_assert_eq!(number(&text), serde_number(&text), "{}", text);
            }
            let y = small as f64 / 10f64.powi(places as i32);
            let text = format!("{y}");
            proptest::prop_assert_eq!(number(&text), serde_number(&text), "{}", text);
            let text = small.to_string();
            proptest::prop_assert_eq!(number(&text), serde_number(&text), "{}", text);
        }

        #[test]
        fn decimals_are_written_as_display_writes_them(lo in proptest::num::u32::ANY, mid in proptest::num::u32::ANY, hi in 0u32..4, neg in proptest::bool::ANY, scale in 0u32..=28) {
            let d = rust_decimal::Decimal::from_parts(lo, mid, hi, neg, scale);
            let mut out = String::new();
            crate::number::push_decimal(&mut out, d);
            proptest::prop_assert_eq!(out, d.to_string());
            let amount = crate::number::Amount::new(d, scale.min(6));
            let mut out = String::new();
            crate::number::push_amount(&mut out, amount);
            proptest::prop_assert_eq!(out, amount.to_string());
        }
    }

    #[test]
    fn number_edge_cases_read_as_serde_json_reads_them() {
        for text in [
            "0",
            "-0",
            "0.25",
            "-0.5",
            "4.25",
            "12",
            "-12",
            "0.30000000000000004",
            "1e+21",
            "1e-7",
            "123456789012345678",
            "18446744073709551616",
            "1.5",
            "100.0",
            "007",
        ] {
            assert_eq!(number(text), serde_number(text), "{text}");
        }
    }

    #[test]
    fn malformed_records_are_refused_not_guessed() {
        let e = engine();
        for bad in [
            "render",
            "render\u{1f}evt\u{1f}\u{1f}\u{1f}",
            "render\u{1f}\u{1f}soon\u{1f}\u{1f}",
            "render\u{1f}\u{1f}\u{1f}nNaN\u{1f}",
            "render\u{1f}\u{1f}\u{1f}n\"4\"\u{1f}",
            "render\u{1f}\u{1f}\u{1f}x\u{1f}",
            "render\u{1f}\u{1f}\u{1f}\u{1f}\u{1f}extra",
            "\u{1f}\u{1f}",
        ] {
            assert!(read_event(&e, bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn a_quote_sends_its_template_once() {
        let e = engine();
        let mut tape = Tape::new();
        let record = "render\u{1f}\u{1f}2026-03-01T12:00:00Z\u{1f}n4.25\u{1f}sgen4";
        let first = e.quote_tape(&mut tape, record, &no_explain()).unwrap();
        assert_eq!(
            first,
            "Q\u{1f}0\u{1f}0\u{1f}1\u{1f}+0\u{1f}46\u{1f}video\u{1f}Render\u{1f}CR\u{1f}render\u{1f}volume\u{1f}1\u{1f}model\u{1f}gen4\u{1f}seconds\u{1f}12\u{1f}4.25\u{1f}51.00\u{1f}0"
        );
        let second = e.quote_tape(&mut tape, record, &no_explain()).unwrap();
        assert_eq!(
            second,
            "Q\u{1f}0\u{1f}0\u{1f}1\u{1f}0\u{1f}4.25\u{1f}51.00\u{1f}0"
        );
    }

    #[test]
    fn what_the_tape_cannot_carry_falls_back() {
        let e = engine();
        let mut tape = Tape::new();
        let record = "render\u{1f}\u{1f}2026-03-01T12:00:00Z\u{1f}n4\u{1f}sgen4";
        // Explanation steps travel as JSON only.
        assert!(e
            .quote_tape(&mut tape, record, &QuoteOptions::default())
            .is_none());
        // A separator inside a value would break the framing.
        let odd = "render\u{1f}\u{1f}2026-03-01T12:00:00Z\u{1f}n4\u{1f}sgen\u{1e}4";
        assert!(e.quote_tape(&mut tape, odd, &no_explain()).is_none());
        // Errors are the JSON path's to report.
        assert!(e
            .quote_tape(&mut tape, "render\u{1f}\u{1f}\u{1f}n4\u{1f}", &no_explain())
            .is_none());
    }

    #[test]
    fn a_batch_has_its_own_templates() {
        let e = engine();
        let one = "render\u{1f}\u{1f}2026-03-01T12:00:00Z\u{1f}n1\u{1f}sgen4";
        let two = "render\u{1f}\u{1f}2026-03-01T12:00:00Z\u{1f}n2\u{1f}sgen4";
        let batch = e
            .quote_many_tape(&format!("{one}\u{1e}{two}"), &no_explain())
            .unwrap();
        assert!(batch.starts_with("M\u{1f}2\u{1f}Q"));
        assert_eq!(batch.matches("+0").count(), 1);
        assert!(batch.ends_with("\u{1f}0\u{1f}2\u{1f}24.00\u{1f}0"));
        assert_eq!(
            e.quote_many_tape("", &no_explain()).as_deref(),
            Some("M\u{1f}0")
        );
    }

    #[test]
    fn a_batch_prices_events_that_differ_only_in_their_ids_once() {
        let e = engine();
        let a = "render\u{1f}sa\u{1f}2026-03-01T12:00:00Z\u{1f}n1\u{1f}sgen4";
        let b = "render\u{1f}sb\u{1f}2026-03-01T12:00:00Z\u{1f}n1\u{1f}sgen4";
        let none = "render\u{1f}\u{1f}2026-03-01T12:00:00Z\u{1f}n1\u{1f}sgen4";
        let batch = e
            .quote_many_tape(&format!("{a}\u{1e}{b}\u{1e}{none}"), &no_explain())
            .unwrap();
        let body = "\u{1f}0\u{1f}1\u{1f}+0\u{1f}46\u{1f}video\u{1f}Render\u{1f}CR\u{1f}render\u{1f}volume\u{1f}1\u{1f}model\u{1f}gen4\u{1f}seconds\u{1f}12\u{1f}1\u{1f}12.00\u{1f}0";
        assert_eq!(
            batch,
            format!("M\u{1f}3\u{1f}Q\u{1f}1\u{1f}a{body}\u{1f}Q\u{1f}1\u{1f}b{body}\u{1f}Q\u{1f}0{body}")
        );
    }
}

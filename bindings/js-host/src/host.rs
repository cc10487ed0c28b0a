//! What both JavaScript bindings do with an engine, as plain Rust (tested natively): the JSON
//! entry points (text in, text out, the reference the tape is tested against), the options
//! parsed once per distinct text, and tape quotes through a scratch memory. The bindings only
//! carry these across: `#[wasm_bindgen]` in `bindings/wasm`, `#[napi]` in `bindings/node`.
//!
//! Every error is the core's, serialized as `{code, message, issues}` ([`Failure::payload`]):
//! each binding throws it the way its host can (a string from WebAssembly, an `Error` with a
//! prefix from the addon) and the one JavaScript wrapper rebuilds a `RatecardError` from it.

use crate::scratch::{answer_in_place, read_header, FLAG_CLOCK, FLAG_EXPLAIN, FLAG_OPTIONS};
use crate::tape::{has_instant, read_event, Tape, TapeQuotes};
use ratecard::{
    Code, Engine, Error, ErrorKind, Event, Instant, Issue, PreviewOptions, QuoteOptions, Spelling,
};
use serde::Serialize;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// What an entry point fails with before it becomes a JavaScript exception.
#[derive(Debug)]
pub enum Failure {
    Core(Error),
    /// A panic or a serializer failure: a bug in ratecard, never the caller's input.
    Internal(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

impl Failure {
    /// A call on an engine after its `free()` (the wrappers say the same before calling).
    pub fn freed() -> Failure {
        invalid_argument("", Code::InvalidValue, "this Engine was freed")
    }

    /// The error as the wrapper reads it: `{code, message, issues}`.
    pub fn payload(&self) -> String {
        let text = match self {
            Failure::Core(e) => serde_json::to_string(e).ok(),
            Failure::Internal(message) => serde_json::to_string(&serde_json::json!({
                "code": "internal",
                "message": format!("internal error: {message}"),
                "issues": [Issue::new("", Code::Internal, message.clone())],
            }))
            .ok(),
        };
        // Serializing plain strings and codes cannot fail in practice; never panic if it did.
        text.unwrap_or_else(|| {
            r#"{"code":"internal","message":"unserializable error","issues":[]}"#.into()
        })
    }
}

fn invalid_argument(path: &str, code: Code, message: impl Into<String>) -> Failure {
    Failure::Core(Error::one(ErrorKind::InvalidArgument, path, code, message))
}

/// Runs `f`, turning a panic into an `internal` failure: a host must never die of one (where
/// panics unwind; the browser module is built to abort, and the core never panics on input).
pub fn guard<T>(f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            Err(Failure::Internal(format!(
                "ratecard panicked ({what}); please report it with the input"
            )))
        }
    }
}

pub fn to_json<T: Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string(value)
        .map_err(|e| Failure::Internal(format!("could not serialize the result: {e}")))
}

/// A decimal argument given as JSON text (`"\"0.10\""` or `0.1`), read like any wire decimal.
fn decimal_arg(json: &str, path: &str) -> Result<ratecard::Decimal, Failure> {
    let value = ratecard::parse_json(json)?;
    ratecard::number::decimal_from_value(&value, path)
        .map_err(|issue| Failure::Core(Error::new(ErrorKind::InvalidArgument, vec![issue])))
}

/// A catalog's validation report as JSON (in strict mode, warnings count as errors), its
/// expressions checked against `examples_json` (a JSON array of events) unless that is empty;
/// fails only for text that is not JSON and for bad examples.
pub fn validate(catalog_json: &str, strict: bool, examples_json: &str) -> Result<String, Failure> {
    let report = match examples_json {
        "" => ratecard::validate_json(catalog_json)?,
        examples => ratecard::validate_json_with_examples(catalog_json, examples)?,
    };
    to_json(&if strict { report.strict() } else { report })
}

/// The options of the last call, parsed: callers tend to pass the same options every time.
#[derive(Default)]
struct OptionsCache {
    text: String,
    options: QuoteOptions,
    /// Whether the caller gave `now` (then the host clock is not used).
    explicit_now: bool,
}

impl OptionsCache {
    /// The options for this call: parsed from `text` (empty means the defaults) unless they are
    /// the last call's, with `now` the host's clock when the caller gave none.
    fn get(&mut self, text: &str, now: Option<Instant>) -> Result<&QuoteOptions, Failure> {
        if self.text != text {
            let options = if text.is_empty() {
                QuoteOptions::default()
            } else {
                QuoteOptions::from_json_spelled(text, Spelling::Camel)?
            };
            self.explicit_now = options.now.is_some();
            self.options = options;
            self.text.clear();
            self.text.push_str(text);
        }
        if !self.explicit_now {
            self.options.now = now;
        }
        Ok(&self.options)
    }
}

/// An engine and what a JavaScript host keeps beside it. `now` arguments are the host's clock
/// (`None`: the caller asked for none, so an event without an instant is `missing_instant`).
pub struct Host {
    engine: Arc<Engine>,
    options: OptionsCache,
    /// The fee templates the JavaScript decoder holds for single quotes (`tape.rs`).
    tape: Tape,
    /// The options the wrapper set for tape quotes (`None`: they did not read).
    tape_options: Option<QuoteOptions>,
    out: Vec<u8>,
    /// The last wallet a preview read (`WalletCache`).
    wallets: ratecard::wallet::WalletCache,
}

impl Host {
    /// An engine of catalog JSON text; in strict mode a catalog with warnings is refused.
    pub fn new(catalog_json: &str, strict: bool) -> Result<Host, Failure> {
        Ok(Host {
            engine: Arc::new(Engine::build_json(catalog_json, strict)?),
            options: OptionsCache::default(),
            tape: Tape::new(),
            tape_options: None,
            out: Vec::new(),
            wallets: Default::default(),
        })
    }

    /// The engine, to share with work off the calling thread.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// The catalog's warnings as a JSON array of issues.
    pub fn warnings(&self) -> Result<String, Failure> {
        to_json(&self.engine.warnings())
    }

    /// The data keys the prices of an event type read (the tape's fields), joined by U+001F.
    pub fn data_fields(&self, event_type: &str) -> String {
        self.engine.data_fields(event_type).join("\u{1f}")
    }

    /// Whether a price is tiered: then a batch's quotes depend on the events before them, and
    /// the wrappers price it in one piece rather than in chunks.
    pub fn tiered(&self) -> bool {
        self.engine.has_tiered_prices()
    }

    /// One event (JSON text) quoted; options in the wire form (JSON text), empty for none.
    pub fn quote(
        &mut self,
        event_json: &str,
        options_json: &str,
        now: Option<Instant>,
    ) -> Result<String, Failure> {
        // Options first, as the core's own vector runner reads them.
        let options = self.options.get(options_json, now)?;
        let event = Event::from_json(event_json)?;
        to_json(&self.engine.quote(&event, options)?)
    }

    /// The options of a batch, for a caller that prices it elsewhere (on a worker).
    pub fn options(
        &mut self,
        options_json: &str,
        now: Option<Instant>,
    ) -> Result<QuoteOptions, Failure> {
        Ok(self.options.get(options_json, now)?.clone())
    }

    /// A JSON array of events (or one event) quoted; a JSON array of quotes.
    pub fn quote_many(
        &mut self,
        events_json: &str,
        options_json: &str,
        now: Option<Instant>,
    ) -> Result<String, Failure> {
        let options = self.options.get(options_json, now)?;
        quote_many_json(&self.engine, events_json, options)
    }

    /// Converts an amount (JSON text of a string or number) at an RFC 3339 instant, or at `now`
    /// when `at` is empty.
    pub fn convert(
        &self,
        amount_json: &str,
        from: &str,
        to: &str,
        at: &str,
        now: Option<Instant>,
    ) -> Result<String, Failure> {
        let amount = decimal_arg(amount_json, "amount")?;
        let at = if at.is_empty() {
            now.ok_or_else(|| {
                invalid_argument("at", Code::MissingInstant, "no `at` and no current time")
            })?
        } else {
            Instant::parse(at).map_err(|m| invalid_argument("at", Code::InvalidTimestamp, m))?
        };
        to_json(&self.engine.convert(amount, from, to, at)?)
    }

    /// What a JSON array of events (or one event) would draw from a wallet (JSON text), under
    /// wallet options in the wire form (empty for none); the Preview as JSON text.
    pub fn preview(
        &mut self,
        wallet_json: &str,
        events_json: &str,
        options_json: &str,
        now: Option<Instant>,
    ) -> Result<String, Failure> {
        let options = self.wallet_options(options_json, now)?;
        let wallet = self.wallets.read(&self.engine, wallet_json)?;
        Ok(self.engine.preview_json(wallet, events_json, &options)?)
    }

    /// How many more events like one (JSON text) a wallet (JSON text) covers, and the largest
    /// volume; the answer as JSON text.
    pub fn affordable(
        &mut self,
        wallet_json: &str,
        event_json: &str,
        options_json: &str,
        now: Option<Instant>,
    ) -> Result<String, Failure> {
        let options = self.wallet_options(options_json, now)?;
        let wallet = self.wallets.read(&self.engine, wallet_json)?;
        Ok(self.engine.affordable_json(wallet, event_json, &options)?)
    }

    /// What an amount (JSON text of a string or number) of a currency buys of an event (JSON
    /// text); the answer as JSON text.
    pub fn buys(
        &self,
        amount_json: &str,
        currency: &str,
        event_json: &str,
        options_json: &str,
        now: Option<Instant>,
    ) -> Result<String, Failure> {
        let amount = decimal_arg(amount_json, "amount")?;
        let options = self.wallet_options(options_json, now)?;
        Ok(self
            .engine
            .buys_json(amount, currency, event_json, &options)?)
    }

    /// The wallet (JSON text) a new subscriber of a product gets from its entitlements: at
    /// `at` (RFC 3339, or `now` when empty) until `until` (empty: the first period).
    pub fn entitlements(
        &self,
        product: &str,
        at: &str,
        until: &str,
        now: Option<Instant>,
    ) -> Result<String, Failure> {
        let instant = |text: &str, path: &str| {
            Instant::parse(text).map_err(|m| invalid_argument(path, Code::InvalidTimestamp, m))
        };
        let at = match at {
            "" => now.ok_or_else(|| {
                invalid_argument("at", Code::MissingInstant, "no `at` and no current time")
            })?,
            text => instant(text, "at")?,
        };
        let until = match until {
            "" => None,
            text => Some(instant(text, "until")?),
        };
        Ok(self.engine.entitlements_json(product, at, until)?)
    }

    fn wallet_options(&self, text: &str, now: Option<Instant>) -> Result<PreviewOptions, Failure> {
        let value = match text {
            "" => serde_json::Value::Null,
            text => ratecard::parse_json(text)?,
        };
        let mut options =
            PreviewOptions::from_value_spelled(&self.engine, &value, Spelling::Camel)?;
        options.quote.now = options.quote.now.or(now);
        Ok(options)
    }

    /// Display text for an amount (JSON text of a string or number) of an asset.
    pub fn format(&self, amount_json: &str, asset: &str) -> Result<String, Failure> {
        let amount = decimal_arg(amount_json, "amount")?;
        Ok(self.engine.format(amount, asset)?)
    }

    /// Sets the options of tape quotes (wire JSON text; the explanation is always off, the
    /// wrapper asks for it lazily). False when they do not read: the JSON path reports why.
    pub fn set_tape_options(&mut self, options_json: &str) -> bool {
        let options = QuoteOptions::from_json_spelled(options_json, Spelling::Camel);
        self.tape_options = options.ok().map(|mut o| {
            o.explain = false;
            o
        });
        self.tape_options.is_some()
    }

    /// The record in `scratch` (`scratch.rs`) quoted by tape, the answer written after it: its
    /// length, 0 for the JSON path, or minus the scratch size it needs. `now` is asked only
    /// when the header allows the host clock and the record has no instant of its own.
    pub fn quote_scratch(
        &mut self,
        scratch: &mut [u8],
        now: impl FnOnce() -> Option<Instant>,
    ) -> i64 {
        let Host {
            engine,
            tape,
            tape_options,
            out,
            ..
        } = self;
        let n = answer_in_place(scratch, out, |header, record, out| {
            let clock = || if has_instant(record) { None } else { now() };
            match tape_options_for(tape_options.as_ref(), header.flags, clock) {
                Some(options) => engine.quote_tape(tape, record, &options, out),
                None => false,
            }
        });
        if n < 0 {
            // The decoder will never read this answer: forget what it defined.
            tape.reset();
        }
        n
    }

    /// The options of a tape batch with these header flags (`FLAG_EXPLAIN` asks for
    /// explanations); `None`: use the JSON path.
    pub fn batch_options(
        &self,
        flags: u32,
        now: impl FnOnce() -> Option<Instant>,
    ) -> Option<QuoteOptions> {
        let mut options = tape_options_for(self.tape_options.as_ref(), flags, now)?;
        options.explain = flags & FLAG_EXPLAIN != 0;
        Some(options)
    }

    /// The batch in `scratch` quoted by tape, as [`Host::quote_scratch`].
    pub fn quote_batch_scratch(
        &mut self,
        scratch: &mut [u8],
        now: impl FnOnce() -> Option<Instant>,
    ) -> i64 {
        let options = read_header(scratch).and_then(|h| self.batch_options(h.flags, now));
        let Host { engine, out, .. } = self;
        answer_in_place(scratch, out, |_, records, out| match options {
            Some(options) => engine.quote_many_tape(records, &options, out),
            None => false,
        })
    }

    /// The explanation steps (JSON) of one event record quoted at `at` (the instant its tape
    /// quote was priced at), with the options as given (wire JSON text, or empty).
    pub fn explain_record(
        &mut self,
        record: &[u8],
        options_json: &str,
        at: &str,
    ) -> Result<String, Failure> {
        let mut options = self.options.get(options_json, None)?.clone();
        options.at = Some(
            Instant::parse(at).map_err(|m| invalid_argument("at", Code::InvalidTimestamp, m))?,
        );
        let event = read_event(&self.engine, record)
            .ok_or_else(|| invalid_argument("", Code::InvalidValue, "not an event record"))?;
        to_json(&self.engine.explain(&event, &options)?)
    }
}

/// The options of a tape call with these header flags: the defaults or those the wrapper set,
/// with the host clock when the caller allows it (`FLAG_CLOCK`) and nothing else says when to
/// price; `None` when the options set did not read.
fn tape_options_for(
    set: Option<&QuoteOptions>,
    flags: u32,
    now: impl FnOnce() -> Option<Instant>,
) -> Option<QuoteOptions> {
    let mut options = if flags & FLAG_OPTIONS != 0 {
        set?.clone()
    } else {
        QuoteOptions {
            explain: false,
            ..QuoteOptions::default()
        }
    };
    if options.now.is_none() && options.at.is_none() && flags & FLAG_CLOCK != 0 {
        options.now = now();
    }
    Some(options)
}

/// A batch of events (JSON text) quoted as the JSON text of an array of quotes; bad events as
/// `options.on_error` says ([`Engine::quote_many_json`]): with `"return"` each one's error takes
/// its place, which the wrapper turns into a RatecardError.
pub fn quote_many_json(
    engine: &Engine,
    events_json: &str,
    options: &QuoteOptions,
) -> Result<String, Failure> {
    let events = Event::each_from_json(events_json)?;
    Ok(engine.quote_many_json(events.iter().map(Result::as_ref), options)?)
}

/// Panics inside [`guard`], for tests that prove a panic becomes an `internal` error and leaves
/// the host alive. Not part of the public JavaScript API.
pub fn panic_for_tests() -> Result<String, Failure> {
    guard(|| {
        let issues: Vec<Issue> = Vec::new();
        // An index past the end: a real panic, on purpose.
        #[allow(clippy::indexing_slicing)]
        Ok(issues[0].message.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::SCRATCH_HEADER;
    use serde_json::Value;

    const CATALOG: &str = r#"{
      "assets": [{"code": "IMG", "name": "Image credits", "precision": 2, "label": "image", "symbol": "📸",
                  "rates": [{"source": "USD", "rate": 0.10},
                            {"source": "USD", "valid_from": "2026-02-26T15:51:28.071Z", "rate": 0.12}]}],
      "products": [{"name": "Images", "code": "images", "prices": [{
        "name": "Image", "type": "usage_based", "billing_model": {"type": "real_time"},
        "usage_calculation": {"event_type": "image_generated", "usage_type": "unit"},
        "pricing": [{"asset": "IMG", "values": [{"unit_price": 1}]}]}]}]
    }"#;

    /// 2026-03-01T12:00:00Z, after the rate change to 0.12.
    fn march() -> Option<Instant> {
        Instant::from_unix_millis(1_772_366_400_000)
    }

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    fn error(f: Failure) -> Value {
        parse(&f.payload())
    }

    #[test]
    fn quotes_with_the_host_clock_when_the_event_has_no_time() {
        let mut host = Host::new(CATALOG, false).unwrap();
        let q = host
            .quote(
                r#"{"event_type":"image_generated"}"#,
                r#"{"express_in":["USD"]}"#,
                march(),
            )
            .unwrap();
        let q = parse(&q);
        assert_eq!(q["at"], "2026-03-01T12:00:00Z");
        assert_eq!(q["totals"]["IMG"], "1.00");
        assert_eq!(q["equivalents"]["USD"], "0.12");
    }

    #[test]
    fn an_explicit_now_beats_the_host_clock_and_the_cache_tracks_the_text() {
        let mut host = Host::new(CATALOG, false).unwrap();
        let event = r#"{"event_type":"image_generated"}"#;
        let early = r#"{"express_in":["USD"],"now":"2026-01-01T00:00:00Z"}"#;
        let q = parse(&host.quote(event, early, march()).unwrap());
        assert_eq!(q["equivalents"]["USD"], "0.10");
        let q = parse(&host.quote(event, "", march()).unwrap());
        assert_eq!(q["equivalents"], serde_json::json!({}));
        assert_eq!(q["at"], "2026-03-01T12:00:00Z");
    }

    #[test]
    fn errors_are_the_core_error_as_json() {
        let err = error(Host::new(r#"{"assets": 5}"#, false).err().unwrap());
        assert_eq!(err["code"], "invalid_catalog");
        assert_eq!(err["issues"][0]["path"], "assets");
        assert_eq!(
            error(Host::new("{", false).err().unwrap())["code"],
            "invalid_json"
        );

        let mut host = Host::new(CATALOG, false).unwrap();
        let err = error(host.quote(r#"{"data":{}}"#, "", None).err().unwrap());
        assert_eq!(err["code"], "invalid_event");
        assert_eq!(err["issues"][0]["code"], "missing_field");
        let err = host.quote(r#"{"event_type":"x"}"#, r#"{"bogus":1}"#, None);
        assert_eq!(error(err.err().unwrap())["code"], "invalid_argument");
        // The engine still works after bad input.
        assert!(host.quote(r#"{"event_type":"x"}"#, "", march()).is_ok());
        // A panic inside the guard is an `internal` error, never the end of the host.
        let panicked = error(panic_for_tests().err().unwrap());
        assert_eq!(panicked["code"], "internal");
        assert_eq!(panicked["issues"][0]["code"], "internal");
    }

    #[test]
    fn nesting_deeper_than_serde_json_allows_is_invalid_json_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(
            error(Host::new(&deep, false).err().unwrap())["code"],
            "invalid_json"
        );
        let mut host = Host::new(CATALOG, false).unwrap();
        let event = format!(r#"[{{"event_type":"x","data":{{"a":{deep}}}}}]"#);
        // serde_json skips an unwanted value without recursing: a plain invalid_type.
        let err = error(host.quote_many(&event, "", None).err().unwrap());
        assert_eq!(err["issues"][0]["path"], "[0].data.a");
        assert_eq!(err["issues"][0]["code"], "invalid_type");
        assert_eq!(
            error(validate(&deep, false, "").err().unwrap())["code"],
            "invalid_json"
        );
    }

    #[test]
    fn convert_and_format_read_decimals_like_the_core() {
        let host = Host::new(CATALOG, false).unwrap();
        let c = parse(
            &host
                .convert("0.1", "USD", "IMG", "2026-01-01T00:00:00Z", None)
                .unwrap(),
        );
        assert_eq!(c["destination_amount"], "1.00");
        assert_eq!(host.format(r#""1.5""#, "IMG").unwrap(), "📸 1.50 image");
        let err = error(host.format(r#""NaN""#, "IMG").err().unwrap());
        assert_eq!(err["issues"][0]["code"], "invalid_decimal");
        let err = error(host.convert("1", "USD", "IMG", "soon", None).err().unwrap());
        assert_eq!(err["issues"][0]["code"], "invalid_timestamp");
        let err = error(host.convert("1", "USD", "IMG", "", None).err().unwrap());
        assert_eq!(err["issues"][0]["code"], "missing_instant");
    }

    /// What the JavaScript side writes: the header and an `image_generated` record.
    fn write_record(scratch: &mut Vec<u8>, flags: u32, occurred: Option<&str>) -> Vec<u8> {
        let mut record = vec![15];
        record.extend_from_slice(b"image_generated");
        match occurred {
            Some(t) => {
                record.push(1);
                record.push(t.len() as u8);
                record.extend_from_slice(t.as_bytes());
            }
            None => record.push(0),
        }
        record.push(0); // no data fields
        scratch.clear();
        scratch.resize(256, 0);
        scratch[..4].copy_from_slice(&0u32.to_le_bytes());
        scratch[4..8].copy_from_slice(&flags.to_le_bytes());
        scratch[8..12].copy_from_slice(&(record.len() as u32).to_le_bytes());
        scratch[12..12 + record.len()].copy_from_slice(&record);
        record
    }

    #[test]
    fn the_tape_path_prices_like_the_json_path_and_explains_alike() {
        let mut host = Host::new(CATALOG, false).unwrap();
        let json = host
            .quote(
                r#"{"event_type":"image_generated","occurred_at":"2026-03-01T12:00:00Z"}"#,
                r#"{"express_in":["USD"]}"#,
                None,
            )
            .unwrap();
        let json = parse(&json);
        let mut scratch = Vec::new();
        assert!(host.set_tape_options(r#"{"express_in":["USD"]}"#));
        let record = write_record(&mut scratch, FLAG_OPTIONS, Some("2026-03-01T12:00:00Z"));
        let n = host.quote_scratch(&mut scratch, || None);
        assert!(n > 0);
        let record_end = SCRATCH_HEADER + record.len();
        let answer = &scratch[record_end..record_end + n as usize];
        // The code USD, flags 0, one fee defining template 0, ..., then the fee's amount and USD
        // equivalent (1.00 IMG at the rate in force then: 0.12), the quote's USD total, no warnings.
        assert_eq!(&answer[..7], &[1, 3, b'U', b'S', b'D', 0, 1]);
        assert!(
            answer.ends_with(b"\x041.00\x040.12\x040.12\x00"),
            "{answer:?}"
        );
        let steps = host
            .explain_record(&record, r#"{"express_in":["USD"]}"#, "2026-03-01T12:00:00Z")
            .unwrap();
        assert_eq!(parse(&steps), json["explain"]);
        assert!(!json["explain"].as_array().unwrap().is_empty());
        // Options that do not read go the JSON path, which reports them.
        assert!(!host.set_tape_options("{\"bogus\":1}"));
        write_record(&mut scratch, FLAG_OPTIONS, Some("2026-03-01T12:00:00Z"));
        assert_eq!(host.quote_scratch(&mut scratch, || None), 0);
        // Without an instant: the host clock when allowed, else the JSON path (an error).
        write_record(&mut scratch, FLAG_CLOCK, None);
        assert!(host.quote_scratch(&mut scratch, march) > 0);
        write_record(&mut scratch, 0, None);
        assert_eq!(host.quote_scratch(&mut scratch, march), 0);
        // The clock is not asked when the record has an instant of its own.
        write_record(&mut scratch, FLAG_CLOCK, Some("2026-03-01T12:00:00Z"));
        assert!(host.quote_scratch(&mut scratch, || panic!("the clock was read")) > 0);
    }
}

//! The binding's logic, free of wasm-bindgen so that it runs (and is tested) natively.
//!
//! The JSON functions take JSON text and give JSON text; an `Err` is the core error serialized
//! as `{code, message, issues}`. The tape functions read records from the engine's scratch
//! memory and write their answers there (`core/src/tape.rs`).

use ratecard::{tape, Code, Engine, Error, ErrorKind, Event, Instant, QuoteOptions, Tape};

/// The core error as the JSON the JavaScript side rebuilds a `RatecardError` from.
pub fn error_json(error: &Error) -> String {
    serde_json::to_string(error).unwrap_or_else(|_| {
        // Unreachable in practice (an Error is strings and codes), but never panic.
        r#"{"code":"invalid_argument","message":"unserializable error","issues":[]}"#.into()
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| {
        error_json(&Error::one(
            ErrorKind::InvalidArgument,
            "",
            Code::Internal,
            format!("could not serialize the result: {e}"),
        ))
    })
}

fn invalid_argument(path: &str, code: Code, message: impl Into<String>) -> String {
    error_json(&Error::one(ErrorKind::InvalidArgument, path, code, message))
}

/// The host's clock, as the core takes it; `None` when the host sent no usable time.
fn instant_from_millis(now_ms: f64) -> Option<Instant> {
    if now_ms.is_finite() {
        // Milliseconds from `Date.now()` are integral; dropping a fraction loses nothing real.
        #[allow(clippy::cast_possible_truncation)]
        Instant::from_unix_millis(now_ms.trunc() as i64)
    } else {
        None
    }
}

/// A decimal argument given as JSON text (a string or a number), read like any decimal input.
fn decimal_arg(amount_json: &str, path: &str) -> Result<ratecard::Decimal, String> {
    let value = ratecard::parse_json(amount_json).map_err(|e| error_json(&e))?;
    ratecard::number::decimal_from_value(&value, path)
        .map_err(|issue| error_json(&Error::new(ErrorKind::InvalidArgument, vec![issue])))
}

/// Catalog JSON text's validation report.
pub fn validate(catalog_json: &str) -> Result<String, String> {
    let report = ratecard::validate_json(catalog_json).map_err(|e| error_json(&e))?;
    to_json(&report)
}

/// The options of the last call, parsed: callers tend to pass the same options every time.
struct CachedOptions {
    text: String,
    options: QuoteOptions,
    /// Whether the caller gave `now` (then the host clock is not used).
    explicit_now: bool,
}

impl CachedOptions {
    /// The options for this call: parsed from `text` (empty means the defaults) unless they are
    /// the last call's, with `now` set to the host's clock when the caller gave none.
    fn get(&mut self, text: &str, now_ms: f64) -> Result<&QuoteOptions, String> {
        if self.text != text {
            let options = if text.is_empty() {
                QuoteOptions::default()
            } else {
                QuoteOptions::from_json(text).map_err(|e| error_json(&e))?
            };
            *self = CachedOptions {
                text: text.to_string(),
                explicit_now: options.now.is_some(),
                options,
            };
        }
        if !self.explicit_now {
            self.options.now = instant_from_millis(now_ms);
        }
        Ok(&self.options)
    }
}

/// An engine plus the binding's per-engine state.
pub struct Glue {
    engine: Engine,
    options: CachedOptions,
    /// The fee templates the JavaScript decoder holds for single quotes (`core/src/tape.rs`).
    tape: Tape,
    /// The memory the JavaScript side writes records into and reads answers from (see
    /// [`tape::answer_in_place`]): part of this module's memory, so no call carries a string.
    scratch: Vec<u8>,
    /// The options the wrapper set for tape quotes (`None`: they did not read).
    tape_options: Option<QuoteOptions>,
    out: Vec<u8>,
}

impl Glue {
    pub fn new(catalog_json: &str) -> Result<Glue, String> {
        let engine = Engine::from_json(catalog_json).map_err(|e| error_json(&e))?;
        Ok(Glue {
            engine,
            options: CachedOptions {
                text: String::new(),
                options: QuoteOptions::default(),
                explicit_now: false,
            },
            tape: Tape::new(),
            scratch: Vec::new(),
            tape_options: None,
            out: Vec::new(),
        })
    }

    /// The data keys the prices of an event type read, joined by U+001F.
    pub fn data_fields(&self, event_type: &str) -> String {
        self.engine.data_fields(event_type).join("\u{1f}")
    }

    /// The scratch memory, at least `min` bytes long (its content kept): where it starts.
    pub fn scratch(&mut self, min: usize) -> &mut [u8] {
        if self.scratch.len() < min {
            self.scratch.resize(min, 0);
        }
        &mut self.scratch
    }

    /// Sets the options of tape quotes (wire JSON text; the explanation is always off, the
    /// wrapper asks for it lazily). False when they do not read: the JSON path reports why.
    pub fn set_tape_options(&mut self, options_json: &str) -> bool {
        self.tape_options = QuoteOptions::from_json(options_json).ok().map(|mut o| {
            o.explain = false;
            o
        });
        self.tape_options.is_some()
    }

    /// The options of a tape quote: the defaults or those set, with the host clock when the
    /// caller allows it (`FLAG_CLOCK`) and nothing else says when to price.
    fn options_for(
        tape_options: Option<&QuoteOptions>,
        flags: u32,
        now_ms: f64,
    ) -> Option<QuoteOptions> {
        let mut options = if flags & tape::FLAG_OPTIONS != 0 {
            tape_options?.clone()
        } else {
            QuoteOptions {
                explain: false,
                ..QuoteOptions::default()
            }
        };
        if options.now.is_none() && flags & tape::FLAG_CLOCK != 0 {
            options.now = instant_from_millis(now_ms);
        }
        Some(options)
    }

    /// The record in the scratch quoted by tape, the answer written after it: its length, 0 for
    /// the JSON path, or minus the scratch size it needs.
    pub fn quote_scratch(&mut self, now_ms: f64) -> i64 {
        let Glue {
            engine,
            tape,
            scratch,
            tape_options,
            out,
            ..
        } = self;
        let n = tape::answer_in_place(scratch, out, |header, record, out| match Glue::options_for(
            tape_options.as_ref(),
            header.flags,
            now_ms,
        ) {
            Some(options) => engine.quote_tape(tape, record, &options, out),
            None => false,
        });
        if n < 0 {
            tape.reset();
        }
        n
    }

    /// The batch in the scratch quoted by tape, as [`Glue::quote_scratch`].
    pub fn quote_many_scratch(&mut self, now_ms: f64) -> i64 {
        let Glue {
            engine,
            scratch,
            tape_options,
            out,
            ..
        } = self;
        tape::answer_in_place(
            scratch,
            out,
            |header, records, out| match Glue::options_for(
                tape_options.as_ref(),
                header.flags,
                now_ms,
            ) {
                Some(mut options) => {
                    options.explain = header.flags & tape::FLAG_EXPLAIN != 0;
                    engine.quote_many_tape(records, &options, out)
                }
                None => false,
            },
        )
    }

    /// The explanation steps (JSON) of the record in the scratch quoted at `at` (the instant its
    /// tape quote was priced at), with the options as given (wire JSON text, or empty).
    pub fn explain_scratch(&mut self, options_json: &str, at: &str) -> Result<String, String> {
        let mut options = self.options.get(options_json, f64::NAN)?.clone();
        options.explain = true;
        options.at = Some(
            Instant::parse(at).map_err(|m| invalid_argument("at", Code::InvalidTimestamp, m))?,
        );
        let header = tape::read_header(&self.scratch)
            .ok_or_else(|| invalid_argument("", Code::InvalidValue, "no event record"))?;
        let record = self
            .scratch
            .get(tape::SCRATCH_HEADER..tape::SCRATCH_HEADER + header.len)
            .unwrap_or_default();
        let event = tape::read_event(&self.engine, record)
            .ok_or_else(|| invalid_argument("", Code::InvalidValue, "not an event record"))?;
        let quote = self
            .engine
            .quote(&event, &options)
            .map_err(|e| error_json(&e))?;
        to_json(&quote.explain)
    }

    pub fn warnings(&self) -> String {
        to_json(&self.engine.warnings()).unwrap_or_else(|_| "[]".into())
    }

    pub fn quote(
        &mut self,
        event_json: &str,
        options_json: &str,
        now_ms: f64,
    ) -> Result<String, String> {
        // Options first, as the core's own vector runner reads them.
        let options = self.options.get(options_json, now_ms)?;
        let event = Event::from_json(event_json).map_err(|e| error_json(&e))?;
        let quote = self
            .engine
            .quote(&event, options)
            .map_err(|e| error_json(&e))?;
        to_json(&quote)
    }

    pub fn quote_many(
        &mut self,
        events_json: &str,
        options_json: &str,
        now_ms: f64,
    ) -> Result<String, String> {
        let options = self.options.get(options_json, now_ms)?;
        let events = Event::many_from_json(events_json).map_err(|e| error_json(&e))?;
        self.engine
            .quote_many_json(&events, options)
            .map_err(|e| error_json(&e))
    }

    pub fn convert(
        &self,
        amount_json: &str,
        from: &str,
        to: &str,
        at: &str,
        now_ms: f64,
    ) -> Result<String, String> {
        let amount = decimal_arg(amount_json, "amount")?;
        let at = if at.is_empty() {
            instant_from_millis(now_ms).ok_or_else(|| {
                invalid_argument("at", Code::MissingInstant, "no `at` and no current time")
            })?
        } else {
            Instant::parse(at).map_err(|m| invalid_argument("at", Code::InvalidTimestamp, m))?
        };
        let conversion = self
            .engine
            .convert(amount, from, to, at)
            .map_err(|e| error_json(&e))?;
        to_json(&conversion)
    }

    pub fn format(&self, amount_json: &str, asset: &str) -> Result<String, String> {
        let amount = decimal_arg(amount_json, "amount")?;
        self.engine
            .format(amount, asset)
            .map_err(|e| error_json(&e))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
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

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn quotes_with_the_host_clock_when_the_event_has_no_time() {
        let mut glue = Glue::new(CATALOG).unwrap();
        // 2026-03-01T12:00:00Z, after the rate change to 0.12.
        let q = glue
            .quote(
                r#"{"event_type":"image_generated"}"#,
                r#"{"express_in":["USD"]}"#,
                1_772_366_400_000.0,
            )
            .unwrap();
        let q = parse(&q);
        assert_eq!(q["at"], "2026-03-01T12:00:00Z");
        assert_eq!(q["totals"]["IMG"], "1.00");
        assert_eq!(q["equivalents"]["USD"], "0.12");
    }

    #[test]
    fn an_explicit_now_beats_the_host_clock_and_the_cache_tracks_the_text() {
        let mut glue = Glue::new(CATALOG).unwrap();
        let event = r#"{"event_type":"image_generated"}"#;
        let early = r#"{"express_in":["USD"],"now":"2026-01-01T00:00:00Z"}"#;
        let q = parse(&glue.quote(event, early, 1_772_366_400_000.0).unwrap());
        assert_eq!(q["equivalents"]["USD"], "0.10");
        let q = parse(&glue.quote(event, "", 1_772_366_400_000.0).unwrap());
        assert_eq!(q["equivalents"], serde_json::json!({}));
        assert_eq!(q["at"], "2026-03-01T12:00:00Z");
    }

    #[test]
    fn errors_are_the_core_error_as_json() {
        let err = Glue::new(r#"{"assets": 5}"#).err().unwrap();
        let err = parse(&err);
        assert_eq!(err["code"], "invalid_catalog");
        assert_eq!(err["issues"][0]["path"], "assets");

        let err = Glue::new("{").err().unwrap();
        assert_eq!(parse(&err)["code"], "invalid_json");

        let mut glue = Glue::new(CATALOG).unwrap();
        let err = glue.quote(r#"{"data":{}}"#, "", 0.0).err().unwrap();
        let err = parse(&err);
        assert_eq!(err["code"], "invalid_event");
        assert_eq!(err["issues"][0]["code"], "missing_field");

        let err = glue
            .quote(r#"{"event_type":"x"}"#, r#"{"bogus":1}"#, 0.0)
            .err()
            .unwrap();
        assert_eq!(parse(&err)["code"], "invalid_argument");
        // The engine still works after bad input.
        assert!(glue.quote(r#"{"event_type":"x"}"#, "", 0.0).is_ok());
    }

    #[test]
    fn nesting_deeper_than_serde_json_allows_is_invalid_json_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse(&Glue::new(&deep).err().unwrap());
        assert_eq!(err["code"], "invalid_json");
        let mut glue = Glue::new(CATALOG).unwrap();
        let event = format!(r#"[{{"event_type":"x","data":{{"a":{deep}}}}}]"#);
        // serde_json skips an unwanted value without recursing: a plain invalid_type.
        let err = parse(&glue.quote_many(&event, "", 0.0).err().unwrap());
        assert_eq!(err["issues"][0]["path"], "[0].data.a");
        assert_eq!(err["issues"][0]["code"], "invalid_type");
        let err = parse(&validate(&deep).err().unwrap());
        assert_eq!(err["code"], "invalid_json");
    }

    #[test]
    fn convert_and_format_read_decimals_like_the_core() {
        let glue = Glue::new(CATALOG).unwrap();
        let c = parse(
            &glue
                .convert("0.1", "USD", "IMG", "2026-01-01T00:00:00Z", 0.0)
                .unwrap(),
        );
        assert_eq!(c["destination_amount"], "1.00");
        assert_eq!(glue.format(r#""1.5""#, "IMG").unwrap(), "📸 1.50 image");
        let err = parse(&glue.format(r#""NaN""#, "IMG").err().unwrap());
        assert_eq!(err["issues"][0]["code"], "invalid_decimal");
        let err = parse(&glue.convert("1", "USD", "IMG", "soon", 0.0).err().unwrap());
        assert_eq!(err["issues"][0]["code"], "invalid_timestamp");
        let err = parse(&glue.convert("1", "USD", "IMG", "", f64::NAN).err().unwrap());
        assert_eq!(err["issues"][0]["code"], "missing_instant");
    }

    /// What the JavaScript side writes: the header and an `image_generated` record.
    fn write_record(glue: &mut Glue, flags: u32, occurred: Option<&str>) {
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
        let scratch = glue.scratch(256);
        scratch[..4].copy_from_slice(&0u32.to_le_bytes());
        scratch[4..8].copy_from_slice(&flags.to_le_bytes());
        scratch[8..12].copy_from_slice(&(record.len() as u32).to_le_bytes());
        scratch[12..12 + record.len()].copy_from_slice(&record);
    }

    #[test]
    fn the_tape_path_prices_like_the_json_path_and_explains_alike() {
        let mut glue = Glue::new(CATALOG).unwrap();
        let json = glue
            .quote(
                r#"{"event_type":"image_generated","occurred_at":"2026-03-01T12:00:00Z"}"#,
                r#"{"express_in":["USD"]}"#,
                f64::NAN,
            )
            .unwrap();
        let json = parse(&json);
        assert!(glue.set_tape_options(r#"{"express_in":["USD"]}"#));
        write_record(&mut glue, tape::FLAG_OPTIONS, Some("2026-03-01T12:00:00Z"));
        let n = glue.quote_scratch(f64::NAN);
        assert!(n > 0);
        let record_end = 12 + usize::from(glue.scratch[8]);
        let answer = &glue.scratch[record_end..record_end + n as usize];
        // The code USD, flags 0, one fee defining template 0, ..., then the fee's amount and USD
        // equivalent (1.00 IMG at the rate in force then: 0.12), the quote's USD total, no warnings.
        assert_eq!(&answer[..7], &[1, 3, b'U', b'S', b'D', 0, 1]);
        assert!(
            answer.ends_with(b"\x041.00\x040.12\x040.12\x00"),
            "{answer:?}"
        );
        let steps = glue
            .explain_scratch(r#"{"express_in":["USD"]}"#, "2026-03-01T12:00:00Z")
            .unwrap();
        assert_eq!(parse(&steps), json["explain"]);
        assert!(!json["explain"].as_array().unwrap().is_empty());
        // Options that do not read go the JSON path, which reports them.
        assert!(!glue.set_tape_options("{\"bogus\":1}"));
        write_record(&mut glue, tape::FLAG_OPTIONS, Some("2026-03-01T12:00:00Z"));
        assert_eq!(glue.quote_scratch(f64::NAN), 0);
        // Without an instant: the host clock when allowed, else the JSON path (an error).
        write_record(&mut glue, tape::FLAG_CLOCK, None);
        assert!(glue.quote_scratch(1_772_366_400_000.0) > 0);
        write_record(&mut glue, 0, None);
        assert_eq!(glue.quote_scratch(1_772_366_400_000.0), 0);
    }
}

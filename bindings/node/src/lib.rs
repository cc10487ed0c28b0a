//! The Node.js face of ratecard: a napi-rs addon that only translates.
//!
//! Two ways across. Event objects go by the tape (`core/src/tape.rs`): the JavaScript wrapper
//! writes each event as a binary record into a scratch `ArrayBuffer` it registered once
//! ([`set_scratch`]), and [`quote_scratch`] takes no arguments at all, because napi-rs spends
//! more converting one argument than the core spends pricing; batches pass their records as one
//! `Uint8Array`. Everything else crosses as JSON text, once per call and once per batch, which
//! is also the reference the tape is tested against. The wrapper in `packages/node` owns the
//! rest of the contract: camelCase options, `Date`s, and the `RatecardError` class.
//!
//! Errors leave as a JavaScript `Error` whose message is [`ERROR_PREFIX`] followed by the core
//! error serialized in the wire format (`{code, message, issues}`); the wrapper turns it into a
//! `RatecardError`. Every entry point runs inside [`guard`], so a panic anywhere below becomes an
//! `internal` error instead of taking the host process down.
//!
//! Beside napi-derive's glue, this crate's one `unsafe` block is in [`quote_scratch`]: the
//! registered scratch memory borrowed as a slice for the length of a synchronous call.

use napi::bindgen_prelude::{AsyncTask, Uint8Array};
use napi::{Env, Task};
use napi_derive::napi;
use ratecard::{tape, Code, Engine, Event, Instant, Issue, QuoteOptions, Tape};
use serde::Serialize;
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Marks a thrown message as a ratecard error payload, for the JavaScript wrapper.
pub const ERROR_PREFIX: &str = "RATECARD_ERROR:";

/// What an entry point fails with before it becomes a JavaScript exception.
enum Failure {
    Core(ratecard::Error),
    /// A panic or a serializer failure: a bug in ratecard, never the caller's input.
    Internal(String),
}

impl From<ratecard::Error> for Failure {
    fn from(e: ratecard::Error) -> Self {
        Failure::Core(e)
    }
}

impl Failure {
    fn into_napi(self) -> napi::Error {
        let payload = match self {
            Failure::Core(e) => serde_json::to_string(&e).ok(),
            Failure::Internal(message) => {
                let issue = Issue::new("", Code::Internal, message.clone());
                serde_json::to_string(&serde_json::json!({
                    "code": "internal",
                    "message": format!("internal error: {message}"),
                    "issues": [issue],
                }))
                .ok()
            }
        };
        // Serializing a plain error cannot fail in practice; if it did, the wrapper still sees
        // the prefix and reports `internal`.
        napi::Error::from_reason(format!(
            "{ERROR_PREFIX}{}",
            payload.unwrap_or_else(|| "{}".into())
        ))
    }
}

/// Runs `f`, turning a panic into an `internal` failure: a server must never die of one.
fn guard<T>(f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
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

/// [`guard`] for a synchronous entry point, converting to the exception napi throws.
fn entry<T>(f: impl FnOnce() -> Result<T, Failure>) -> napi::Result<T> {
    guard(f).map_err(Failure::into_napi)
}

fn to_json<T: Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string(value)
        .map_err(|e| Failure::Internal(format!("could not serialize the result: {e}")))
}

/// The host's current time: the core reads no clock, so the binding supplies it. Whole
/// milliseconds, like JavaScript's `Date.now()` and @ratecard/wasm, so both packages print the
/// same kind of instant.
fn host_now() -> Option<Instant> {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
    Instant::from_unix_millis(i64::try_from(since.as_millis()).ok()?)
}

fn invalid_argument(path: &str, code: Code, message: String) -> ratecard::Error {
    ratecard::Error::one(ratecard::ErrorKind::InvalidArgument, path, code, message)
}

/// A decimal argument given as JSON text (`"\"0.10\""` or `0.1`), read like any wire decimal.
fn decimal_arg(json: &str, path: &str) -> Result<ratecard::Decimal, Failure> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        invalid_argument(
            path,
            Code::InvalidDecimal,
            format!("expected a decimal string or number: {e}"),
        )
    })?;
    ratecard::number::decimal_from_value(&value, path)
        .map_err(|issue| ratecard::Error::new(ratecard::ErrorKind::InvalidArgument, vec![issue]))
        .map_err(Failure::from)
}

/// The options of the last quote call, kept with their text: a server quoting with the same
/// options thousands of times a second parses them once. `now` is filled per call.
#[derive(Default)]
struct OptionsCache {
    text: String,
    options: QuoteOptions,
    explicit_now: bool,
}

impl OptionsCache {
    /// The options for `text`; `clock` is false when the caller asked for no host clock
    /// (`now: null`), so that an event without an instant is a `missing_instant` error.
    fn get(&mut self, text: Option<&str>, clock: bool) -> Result<QuoteOptions, Failure> {
        let text = text.unwrap_or("");
        if text != self.text {
            let options = if text.is_empty() {
                QuoteOptions::default()
            } else {
                QuoteOptions::from_json(text)?
            };
            self.explicit_now = options.now.is_some();
            self.options = options;
            self.text.clear();
            self.text.push_str(text);
        }
        let mut options = self.options.clone();
        if !self.explicit_now && clock {
            options.now = host_now();
        }
        Ok(options)
    }
}

/// A validated, indexed catalog (the raw addon; JavaScript code uses the `Engine` wrapper).
#[napi]
pub struct NativeEngine {
    /// `None` once freed: `free()` drops the engine at once rather than at garbage collection
    /// (a batch still running on a worker keeps its own reference until it ends).
    engine: Option<Arc<Engine>>,
    /// Interior mutability: methods take `&self`, because napi keeps a method's borrow of the
    /// object while its async task is pending, and batches may overlap.
    options: RefCell<OptionsCache>,
    /// This engine's slot in [`SINGLES`], for [`quote_scratch`].
    handle: u32,
}

/// What a single tape quote needs: the engine, the fee templates its JavaScript decoder holds
/// (`core/src/tape.rs`), the options the wrapper last set for single quotes (`None`: they did
/// not read, use the JSON path) and the answer being written.
struct Single {
    engine: Arc<Engine>,
    tape: RefCell<Tape>,
    options: RefCell<Option<QuoteOptions>>,
    out: RefCell<Vec<u8>>,
}

thread_local! {
    /// Engines by handle, for [`quote_scratch`]: a plain function without arguments skips what
    /// napi-rs costs per argument and per method call (a single `u32` argument costs five times
    /// a call without one). A slot lives as long as its `NativeEngine`.
    static SINGLES: RefCell<Vec<Option<std::rc::Rc<Single>>>> = const { RefCell::new(Vec::new()) };

    /// The JavaScript wrapper's scratch memory (see [`set_scratch`]).
    static SCRATCH: RefCell<Option<Uint8Array>> = const { RefCell::new(None) };
}

impl NativeEngine {
    /// Releases this engine's slot in [`SINGLES`] (and with it the engine, unless a batch on a
    /// worker still holds it).
    fn release(&mut self) {
        self.engine = None;
        // Once only: the slot is reused by the next engine, which a second release (the
        // garbage collector's drop after `free()`) must not clear.
        let handle = std::mem::replace(&mut self.handle, u32::MAX);
        // `try_with`: at thread exit the table may be gone already, and then so is the slot.
        let _ = SINGLES.try_with(|cell| {
            if let Ok(mut slots) = cell.try_borrow_mut() {
                if let Some(slot) = slots.get_mut(handle as usize) {
                    *slot = None;
                }
            }
        });
    }

    /// The engine, or the error of a call on a freed one (the wrapper checks first).
    fn engine(&self) -> Result<&Arc<Engine>, Failure> {
        self.engine.as_ref().ok_or_else(|| {
            Failure::Core(invalid_argument(
                "",
                Code::InvalidValue,
                "this Engine was freed".into(),
            ))
        })
    }
}

impl Drop for NativeEngine {
    fn drop(&mut self) {
        self.release();
    }
}

fn register(engine: &Arc<Engine>) -> u32 {
    SINGLES.with(|cell| {
        let mut slots = cell.borrow_mut();
        let single = std::rc::Rc::new(Single {
            engine: Arc::clone(engine),
            tape: RefCell::new(Tape::new()),
            options: RefCell::new(None),
            out: RefCell::new(Vec::new()),
        });
        match slots.iter().position(Option::is_none) {
            Some(free) => {
                if let Some(slot) = slots.get_mut(free) {
                    *slot = Some(single);
                }
                free as u32
            }
            None => {
                slots.push(Some(single));
                (slots.len() - 1) as u32
            }
        }
    })
}

fn single(handle: u32) -> Option<std::rc::Rc<Single>> {
    SINGLES.with(|cell| {
        cell.try_borrow()
            .ok()
            .and_then(|slots| slots.get(handle as usize).cloned().flatten())
    })
}

/// Registers the memory the wrapper writes event records into and reads answers from, for
/// [`quote_scratch`]: one per thread, replaced when the wrapper needs a bigger one.
#[napi]
pub fn set_scratch(scratch: Uint8Array) {
    SCRATCH.with(|cell| {
        if let Ok(mut slot) = cell.try_borrow_mut() {
            *slot = Some(scratch);
        }
    });
}

/// Sets the options of the engine with this handle's single tape quotes (wire JSON text; the
/// explanation is always off, the wrapper asks for it lazily). False when they do not read: the
/// JSON path then reports why.
#[napi]
pub fn set_tape_options(handle: u32, options_json: String) -> napi::Result<bool> {
    entry(|| {
        let Some(single) = single(handle) else {
            return Err(Failure::Internal(format!("no engine with handle {handle}")));
        };
        let options = QuoteOptions::from_json(&options_json).ok().map(|mut o| {
            o.explain = false;
            o
        });
        let ok = options.is_some();
        if let Ok(mut slot) = single.options.try_borrow_mut() {
            *slot = options;
        }
        Ok(ok)
    })
}

/// One event record quoted by tape, through the registered scratch memory (see
/// `core/src/tape.rs`): the header names the engine, the flags and the record's length, the
/// record follows it, and the answer is written right after the record. Returns the answer's
/// length; 0 means "use the JSON path"; a negative number is the scratch size the answer needs
/// (the wrapper grows the scratch and asks again).
#[napi]
pub fn quote_scratch() -> napi::Result<i32> {
    entry(|| {
        SCRATCH.with(|cell| {
            let mut slot = cell
                .try_borrow_mut()
                .map_err(|_| Failure::Internal("the scratch is in use (re-entrant call)".into()))?;
            let Some(scratch) = slot.as_mut() else {
                return Err(Failure::Internal("no scratch memory registered".into()));
            };
            // SAFETY: the wrapper registered this buffer and keeps it alive (so does the
            // reference napi-rs holds); it is only ever touched here, during a synchronous call
            // on the JavaScript thread that owns it, while no JavaScript runs, and the RefCell
            // above makes this the only Rust borrow of it.
            let bytes = unsafe { scratch.as_mut() };
            quote_into(bytes)
        })
    })
}

fn quote_into(scratch: &mut [u8]) -> Result<i32, Failure> {
    let handle = ratecard::tape::read_header(scratch).map_or(u32::MAX, |h| h.handle);
    let Some(single) = single(handle) else {
        return Err(Failure::Internal(format!("no engine with handle {handle}")));
    };
    let (Ok(mut tape), Ok(mut out)) = (single.tape.try_borrow_mut(), single.out.try_borrow_mut())
    else {
        return Err(Failure::Internal(
            "the tape is in use (re-entrant call)".into(),
        ));
    };
    let n = tape::answer_in_place(scratch, &mut out, |header, record, out| {
        let clock = header.flags & tape::FLAG_CLOCK != 0;
        let options = if header.flags & tape::FLAG_OPTIONS != 0 {
            match single.options.try_borrow().ok().and_then(|o| o.clone()) {
                Some(mut o) => {
                    if o.now.is_none() && o.at.is_none() && clock {
                        o.now = host_now();
                    }
                    o
                }
                None => return false,
            }
        } else {
            QuoteOptions {
                now: if clock && !tape::has_instant(record) {
                    host_now()
                } else {
                    None
                },
                explain: false,
                ..QuoteOptions::default()
            }
        };
        single.engine.quote_tape(&mut tape, record, &options, out)
    });
    if n < 0 {
        // The decoder will never read this answer: forget what it defined.
        tape.reset();
    }
    Ok(i32::try_from(n).unwrap_or(0))
}

impl NativeEngine {
    /// Options for a tape batch (`explain` as asked: see `quote_many_tape`); `None` when they
    /// do not read, so that the JSON path reports why.
    fn tape_options(&self, text: Option<&str>, clock: bool, explain: bool) -> Option<QuoteOptions> {
        if text.is_none_or(str::is_empty) {
            // The defaults need no cache (and the cache would compare and clone).
            return Some(QuoteOptions {
                now: if clock { host_now() } else { None },
                explain,
                ..QuoteOptions::default()
            });
        }
        let mut options = self.options(text, clock).ok()?;
        options.explain = explain;
        Some(options)
    }

    fn options(&self, text: Option<&str>, clock: bool) -> Result<QuoteOptions, Failure> {
        let mut cache = self.options.try_borrow_mut().map_err(|_| {
            Failure::Internal("the options cache is in use (re-entrant call)".into())
        })?;
        cache.get(text, clock)
    }
}

#[napi]
impl NativeEngine {
    /// Builds an engine from catalog JSON text; throws `invalid_json` or `invalid_catalog`.
    #[napi(constructor)]
    pub fn new(catalog_json: String) -> napi::Result<Self> {
        entry(|| {
            let engine = Arc::new(Engine::from_json(&catalog_json)?);
            let handle = register(&engine);
            Ok(NativeEngine {
                engine: Some(engine),
                options: RefCell::new(OptionsCache::default()),
                handle,
            })
        })
    }

    /// Drops the engine now; later calls fail.
    #[napi]
    pub fn free(&mut self) {
        self.release();
    }

    /// The catalog's warnings as a JSON array of issues.
    #[napi]
    pub fn warnings(&self) -> napi::Result<String> {
        entry(|| to_json(&self.engine()?.warnings()))
    }

    /// One event (JSON text) quoted; options in the wire form (JSON text), or none.
    #[napi]
    pub fn quote(
        &self,
        event_json: String,
        options_json: Option<String>,
        clock: bool,
    ) -> napi::Result<String> {
        entry(|| {
            let options = self.options(options_json.as_deref(), clock)?;
            let event = Event::from_json(&event_json)?;
            to_json(&self.engine()?.quote(&event, &options)?)
        })
    }

    /// A JSON array of events (or one event) quoted in one crossing; a JSON array of quotes.
    #[napi]
    pub fn quote_many(
        &self,
        events_json: String,
        options_json: Option<String>,
        clock: bool,
    ) -> napi::Result<String> {
        entry(|| {
            let options = self.options(options_json.as_deref(), clock)?;
            quote_many_json(self.engine()?, &events_json, &options)
        })
    }

    /// [`NativeEngine::quote_many`] on a libuv worker thread; resolves to the same JSON text.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn quote_many_async(
        &self,
        events_json: String,
        options_json: Option<String>,
        clock: bool,
    ) -> napi::Result<AsyncTask<QuoteManyTask>> {
        // Options are read here, on the calling thread, so that their errors and the host
        // clock are those of the call, not of whenever the worker runs.
        let (options, engine) = entry(|| {
            Ok((
                self.options(options_json.as_deref(), clock)?,
                Arc::clone(self.engine()?),
            ))
        })?;
        Ok(AsyncTask::new(QuoteManyTask {
            engine,
            events_json,
            options,
        }))
    }

    /// The data keys the prices of an event type read, joined by U+001F (the tape's fields).
    #[napi]
    pub fn data_fields(&self, event_type: String) -> String {
        self.engine
            .as_ref()
            .map(|e| e.data_fields(&event_type).join("\u{1f}"))
            .unwrap_or_default()
    }

    /// This engine's handle for the scratch header of `quoteScratch`.
    #[napi(getter)]
    pub fn handle(&self) -> u32 {
        self.handle
    }

    /// A batch of event records (`core/src/tape.rs`) quoted as one tape answer; `null`: use the
    /// JSON path. `options_json` as for the methods; `explain`: events with twins carry their
    /// explanation (the others' are asked for when first read).
    #[napi]
    pub fn quote_many_tape(
        &self,
        records: Uint8Array,
        options_json: Option<String>,
        clock: bool,
        explain: bool,
    ) -> napi::Result<Option<Uint8Array>> {
        entry(|| {
            let engine = self.engine()?;
            Ok(self
                .tape_options(options_json.as_deref(), clock, explain)
                .and_then(|options| many_tape(engine, &records, &options)))
        })
    }

    /// [`NativeEngine::quote_many_tape`] on a libuv worker thread (the records are copied first).
    #[napi(ts_return_type = "Promise<Uint8Array | null>")]
    pub fn quote_many_tape_async(
        &self,
        records: Uint8Array,
        options_json: Option<String>,
        clock: bool,
        explain: bool,
    ) -> napi::Result<AsyncTask<QuoteManyTapeTask>> {
        let (options, engine) = entry(|| {
            Ok((
                self.tape_options(options_json.as_deref(), clock, explain),
                Arc::clone(self.engine()?),
            ))
        })?;
        Ok(AsyncTask::new(QuoteManyTapeTask {
            engine,
            records: records.to_vec(),
            options,
        }))
    }

    /// The explanation steps (JSON) of one event record quoted at `at`, the instant its tape
    /// quote was priced at: what `quote.explain` reads when first asked for.
    #[napi]
    pub fn explain_tape(
        &self,
        record: Uint8Array,
        options_json: Option<String>,
        at: String,
    ) -> napi::Result<String> {
        entry(|| {
            let mut options = self.options(options_json.as_deref(), false)?;
            options.explain = true;
            options.at = Some(
                Instant::parse(&at)
                    .map_err(|m| invalid_argument("at", Code::InvalidTimestamp, m))?,
            );
            let engine = self.engine()?;
            let event = tape::read_event(engine, &record).ok_or_else(|| {
                invalid_argument("", Code::InvalidValue, "not an event record".into())
            })?;
            to_json(&engine.quote(&event, &options)?.explain)
        })
    }

    /// Converts an amount (JSON text of a string or number) from one asset to another, at an
    /// RFC 3339 instant or, when none is given, now.
    #[napi]
    pub fn convert(
        &self,
        amount_json: String,
        from: String,
        to: String,
        at: Option<String>,
    ) -> napi::Result<String> {
        entry(|| {
            let amount = decimal_arg(&amount_json, "amount")?;
            let at = match at {
                Some(text) => Instant::parse(&text)
                    .map_err(|m| invalid_argument("at", Code::InvalidTimestamp, m))?,
                None => host_now().ok_or_else(|| {
                    invalid_argument(
                        "at",
                        Code::MissingInstant,
                        "the host clock is before 1970".into(),
                    )
                })?,
            };
            to_json(&self.engine()?.convert(amount, &from, &to, at)?)
        })
    }

    /// Display text for an amount (JSON text of a string or number) of an asset.
    #[napi]
    pub fn format(&self, amount_json: String, asset: String) -> napi::Result<String> {
        entry(|| {
            let amount = decimal_arg(&amount_json, "amount")?;
            Ok(self.engine()?.format(amount, &asset)?)
        })
    }
}

fn quote_many_json(
    engine: &Engine,
    events_json: &str,
    options: &QuoteOptions,
) -> Result<String, Failure> {
    let events = Event::many_from_json(events_json)?;
    Ok(engine.quote_many_json(&events, options)?)
}

/// A batch priced off the main thread. The engine is shared (`Arc`), never copied.
pub struct QuoteManyTask {
    engine: Arc<Engine>,
    events_json: String,
    options: QuoteOptions,
}

impl Task for QuoteManyTask {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<String> {
        entry(|| quote_many_json(&self.engine, &self.events_json, &self.options))
    }

    fn resolve(&mut self, _env: Env, output: String) -> napi::Result<String> {
        Ok(output)
    }
}

/// A batch's tape answer, as the bytes handed to JavaScript.
fn many_tape(engine: &Engine, records: &[u8], options: &QuoteOptions) -> Option<Uint8Array> {
    let mut out = Vec::with_capacity(records.len().saturating_mul(2).saturating_add(16));
    engine
        .quote_many_tape(records, options, &mut out)
        .then(|| Uint8Array::new(out))
}

/// A tape batch priced off the main thread.
pub struct QuoteManyTapeTask {
    engine: Arc<Engine>,
    records: Vec<u8>,
    options: Option<QuoteOptions>,
}

impl Task for QuoteManyTapeTask {
    type Output = Option<Vec<u8>>;
    type JsValue = Option<Uint8Array>;

    fn compute(&mut self) -> napi::Result<Option<Vec<u8>>> {
        entry(|| {
            Ok(self.options.as_ref().and_then(|options| {
                let mut out = Vec::new();
                self.engine
                    .quote_many_tape(&self.records, options, &mut out)
                    .then_some(out)
            }))
        })
    }

    fn resolve(&mut self, _env: Env, output: Option<Vec<u8>>) -> napi::Result<Option<Uint8Array>> {
        Ok(output.map(Uint8Array::new))
    }
}

/// Validates catalog JSON text; the report as JSON. Throws only for text that is not JSON.
#[napi]
pub fn validate(catalog_json: String) -> napi::Result<String> {
    entry(|| to_json(&ratecard::validate_json(&catalog_json)?))
}

/// The JSON Schema of a catalog, as JSON text.
#[napi]
pub fn schema() -> napi::Result<String> {
    entry(|| Ok(ratecard::schema_json().to_string()))
}

/// The version of the ratecard core inside.
#[napi]
pub fn version() -> String {
    ratecard::VERSION.to_string()
}

/// Panics inside the boundary guard, so tests can prove a panic becomes an `internal` error
/// and leaves the process alive. Not part of the public JavaScript API.
#[napi(js_name = "__panicForTests")]
pub fn panic_for_tests() -> napi::Result<String> {
    entry(deliberate_panic)
}

#[allow(clippy::panic)]
fn deliberate_panic() -> Result<String, Failure> {
    panic!("deliberate panic for the boundary test")
}

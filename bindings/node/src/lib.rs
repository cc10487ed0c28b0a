//! The Node.js face of ratecard: exports `ratecard-js-host` (`bindings/js-host`) with napi-rs.
//!
//! Two ways across. Event objects go by the tape: the JavaScript wrapper writes each event as a
//! binary record into a scratch `ArrayBuffer` it registered once ([`set_scratch`]), and
//! [`quote_scratch`] takes no arguments at all, because napi-rs spends more converting one
//! argument than the core spends pricing; batches pass their records as one `Uint8Array`.
//! Everything else crosses as JSON text, once per call and once per batch. What only Node has is
//! here: the table of engines by handle for argument-free calls, batches on libuv's workers, and
//! the host clock.
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
use ratecard::{Engine, Instant, QuoteOptions};
use ratecard_js_host::host::{panic_for_tests as deliberate_panic, quote_many_json};
use ratecard_js_host::scratch::read_header;
use ratecard_js_host::{guard, Failure, Host, TapeQuotes};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Marks a thrown message as a ratecard error payload, for the JavaScript wrapper.
pub const ERROR_PREFIX: &str = "RATECARD_ERROR:";

/// [`guard`] for an entry point, converting to the exception napi throws.
fn entry<T>(f: impl FnOnce() -> Result<T, Failure>) -> napi::Result<T> {
    guard(f).map_err(|e| napi::Error::from_reason(format!("{ERROR_PREFIX}{}", e.payload())))
}

/// The host's current time: the core reads no clock, so the binding supplies it. Whole
/// milliseconds, like JavaScript's `Date.now()` and @ratecard/wasm, so both packages print the
/// same kind of instant.
fn host_now() -> Option<Instant> {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
    Instant::from_unix_millis(i64::try_from(since.as_millis()).ok()?)
}

/// The clock of a call: the host's, unless the caller asked for none (`now: null`).
fn clock(on: bool) -> Option<Instant> {
    if on {
        host_now()
    } else {
        None
    }
}

fn busy() -> Failure {
    Failure::Internal("the engine is in use (a re-entrant call)".into())
}

thread_local! {
    /// Engines by handle, for [`quote_scratch`]: a plain function without arguments skips what
    /// napi-rs costs per argument and per method call (a single `u32` argument costs five times
    /// a call without one). A slot lives until its engine is freed or collected.
    static HOSTS: RefCell<Vec<Option<Rc<RefCell<Host>>>>> = const { RefCell::new(Vec::new()) };

    /// The JavaScript wrapper's scratch memory (see [`set_scratch`]).
    static SCRATCH: RefCell<Option<Uint8Array>> = const { RefCell::new(None) };
}

fn register(host: &Rc<RefCell<Host>>) -> u32 {
    HOSTS.with(|cell| {
        let mut slots = cell.borrow_mut();
        match slots.iter().position(Option::is_none) {
            Some(free) => {
                if let Some(slot) = slots.get_mut(free) {
                    *slot = Some(Rc::clone(host));
                }
                free as u32
            }
            None => {
                slots.push(Some(Rc::clone(host)));
                (slots.len() - 1) as u32
            }
        }
    })
}

fn host_of(handle: u32) -> Result<Rc<RefCell<Host>>, Failure> {
    HOSTS
        .with(|cell| {
            cell.try_borrow()
                .ok()
                .and_then(|slots| slots.get(handle as usize).cloned().flatten())
        })
        .ok_or_else(|| Failure::Internal(format!("no engine with handle {handle}")))
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

/// Sets the options of the engine with this handle's single tape quotes (wire JSON text). False
/// when they do not read: the JSON path then reports why.
#[napi]
pub fn set_tape_options(handle: u32, options_json: String) -> napi::Result<bool> {
    entry(|| {
        let host = host_of(handle)?;
        let mut host = host.try_borrow_mut().map_err(|_| busy())?;
        Ok(host.set_tape_options(&options_json))
    })
}

/// One event record quoted by tape, through the registered scratch memory
/// (`bindings/js-host/src/scratch.rs`): the header names the engine, the flags and the record's
/// length, the record follows it, and the answer is written right after the record. Returns the
/// answer's length; 0 means "use the JSON path"; a negative number is the scratch size the
/// answer needs (the wrapper grows the scratch and asks again).
#[napi]
pub fn quote_scratch() -> napi::Result<i32> {
    entry(|| {
        SCRATCH.with(|cell| {
            let mut slot = cell.try_borrow_mut().map_err(|_| busy())?;
            let Some(scratch) = slot.as_mut() else {
                return Err(Failure::Internal("no scratch memory registered".into()));
            };
            // SAFETY: the wrapper registered this buffer and keeps it alive (so does the
            // reference napi-rs holds); it is only ever touched here, during a synchronous call
            // on the JavaScript thread that owns it, while no JavaScript runs, and the RefCell
            // above makes this the only Rust borrow of it.
            let bytes = unsafe { scratch.as_mut() };
            let handle = read_header(bytes).map_or(u32::MAX, |h| h.handle);
            let host = host_of(handle)?;
            let mut host = host.try_borrow_mut().map_err(|_| busy())?;
            let n = host.quote_scratch(bytes, host_now);
            Ok(i32::try_from(n).unwrap_or(0))
        })
    })
}

/// A validated, indexed catalog (the raw addon; JavaScript code uses the `Engine` wrapper).
#[napi]
pub struct NativeEngine {
    /// `None` once freed: `free()` drops the engine at once rather than at garbage collection
    /// (a batch still running on a worker keeps its own reference until it ends).
    host: Option<Rc<RefCell<Host>>>,
    /// This engine's slot in [`HOSTS`], for [`quote_scratch`].
    handle: u32,
}

impl NativeEngine {
    /// Gives up this engine's slot in [`HOSTS`] and its host, once: the slot is reused by the
    /// next engine, which a second release (the collector's drop after `free()`) must not clear.
    fn release(&mut self) {
        self.host = None;
        let handle = std::mem::replace(&mut self.handle, u32::MAX);
        // `try_with`: at thread exit the table may be gone already, and then so is the slot.
        let _ = HOSTS.try_with(|cell| {
            if let Ok(mut slots) = cell.try_borrow_mut() {
                if let Some(slot) = slots.get_mut(handle as usize) {
                    *slot = None;
                }
            }
        });
    }

    /// Runs `f` on the host (the wrapper checks for a freed engine first).
    fn with<T>(&self, f: impl FnOnce(&mut Host) -> Result<T, Failure>) -> napi::Result<T> {
        entry(|| {
            let host = self.host.as_ref().ok_or_else(Failure::freed)?;
            let mut host = host.try_borrow_mut().map_err(|_| busy())?;
            f(&mut host)
        })
    }
}

impl Drop for NativeEngine {
    fn drop(&mut self) {
        self.release();
    }
}

#[napi]
impl NativeEngine {
    /// Builds an engine from catalog JSON text; throws `invalid_json` or `invalid_catalog`
    /// (in strict mode also for a catalog with warnings).
    #[napi(constructor)]
    pub fn new(catalog_json: String, strict: bool) -> napi::Result<Self> {
        entry(|| {
            let host = Rc::new(RefCell::new(Host::new(&catalog_json, strict)?));
            let handle = register(&host);
            Ok(NativeEngine {
                host: Some(host),
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
        self.with(|host| host.warnings())
    }

    /// One event (JSON text) quoted; options in the wire form (JSON text), or none.
    #[napi]
    pub fn quote(
        &self,
        event_json: String,
        options_json: Option<String>,
        clock: bool,
    ) -> napi::Result<String> {
        let options = options_json.unwrap_or_default();
        self.with(|host| host.quote(&event_json, &options, self::clock(clock)))
    }

    /// A JSON array of events (or one event) quoted in one crossing; a JSON array of quotes.
    #[napi]
    pub fn quote_many(
        &self,
        events_json: String,
        options_json: Option<String>,
        clock: bool,
    ) -> napi::Result<String> {
        let options = options_json.unwrap_or_default();
        self.with(|host| host.quote_many(&events_json, &options, self::clock(clock)))
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
        let text = options_json.unwrap_or_default();
        let (options, engine) = self.with(|host| {
            Ok((
                host.options(&text, self::clock(clock))?,
                Arc::clone(host.engine()),
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
    pub fn data_fields(&self, event_type: String) -> napi::Result<String> {
        self.with(|host| Ok(host.data_fields(&event_type)))
    }

    /// Whether a price is tiered (a batch is then priced in one piece).
    #[napi]
    pub fn tiered(&self) -> napi::Result<bool> {
        self.with(|host| Ok(host.tiered()))
    }

    /// This engine's handle for the scratch header of `quoteScratch`.
    #[napi(getter)]
    pub fn handle(&self) -> u32 {
        self.handle
    }

    /// A batch of event records (`bindings/js-host/src/tape.rs`) quoted as one tape answer;
    /// `null`: use the JSON path. `options_json` as for the methods; `explain`: events with
    /// twins carry their explanation (the others' are asked for when first read).
    #[napi]
    pub fn quote_many_tape(
        &self,
        records: Uint8Array,
        options_json: Option<String>,
        clock: bool,
        explain: bool,
    ) -> napi::Result<Option<Uint8Array>> {
        let text = options_json.unwrap_or_default();
        self.with(|host| {
            let Some(options) = batch_options(host, &text, clock, explain) else {
                return Ok(None);
            };
            Ok(many_tape(host.engine(), &records, &options).map(Uint8Array::new))
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
        let text = options_json.unwrap_or_default();
        let (options, engine) = self.with(|host| {
            Ok((
                batch_options(host, &text, clock, explain),
                Arc::clone(host.engine()),
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
        let text = options_json.unwrap_or_default();
        self.with(|host| host.explain_record(&record, &text, &at))
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
        let at = at.unwrap_or_default();
        self.with(|host| host.convert(&amount_json, &from, &to, &at, host_now()))
    }

    /// What events (JSON text) would draw from a wallet (JSON text); the Preview as JSON text.
    #[napi]
    pub fn preview(
        &self,
        wallet_json: String,
        events_json: String,
        options_json: Option<String>,
        clock: bool,
    ) -> napi::Result<String> {
        let options = options_json.unwrap_or_default();
        self.with(|host| host.preview(&wallet_json, &events_json, &options, self::clock(clock)))
    }

    /// How many more events like one (JSON text) a wallet (JSON text) covers; JSON text.
    #[napi]
    pub fn affordable(
        &self,
        wallet_json: String,
        event_json: String,
        options_json: Option<String>,
        clock: bool,
    ) -> napi::Result<String> {
        let options = options_json.unwrap_or_default();
        self.with(|host| host.affordable(&wallet_json, &event_json, &options, self::clock(clock)))
    }

    /// What an amount of a currency buys of an event (JSON text); JSON text.
    #[napi]
    pub fn buys(
        &self,
        amount_json: String,
        currency: String,
        event_json: String,
        options_json: Option<String>,
        clock: bool,
    ) -> napi::Result<String> {
        let options = options_json.unwrap_or_default();
        let now = self::clock(clock);
        self.with(|host| host.buys(&amount_json, &currency, &event_json, &options, now))
    }

    /// The wallet a new subscriber of a product gets from its entitlements (JSON text).
    #[napi]
    pub fn entitlements(
        &self,
        product: String,
        at: Option<String>,
        until: Option<String>,
    ) -> napi::Result<String> {
        let (at, until) = (at.unwrap_or_default(), until.unwrap_or_default());
        self.with(|host| host.entitlements(&product, &at, &until, host_now()))
    }

    /// Display text for an amount (JSON text of a string or number) of an asset.
    #[napi]
    pub fn format(&self, amount_json: String, asset: String) -> napi::Result<String> {
        self.with(|host| host.format(&amount_json, &asset))
    }
}

/// The options of a tape batch (the JSON path's, with `explain` as asked); `None` when they do
/// not read, so that the JSON path reports why.
fn batch_options(host: &mut Host, text: &str, clock: bool, explain: bool) -> Option<QuoteOptions> {
    let mut options = host.options(text, self::clock(clock)).ok()?;
    options.explain = explain;
    Some(options)
}

/// A batch's tape answer, or `None` for the JSON path.
fn many_tape(engine: &Engine, records: &[u8], options: &QuoteOptions) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(records.len().saturating_mul(2).saturating_add(16));
    engine
        .quote_many_tape(records, options, &mut out)
        .then_some(out)
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
            Ok(self
                .options
                .as_ref()
                .and_then(|options| many_tape(&self.engine, &self.records, options)))
        })
    }

    fn resolve(&mut self, _env: Env, output: Option<Vec<u8>>) -> napi::Result<Option<Uint8Array>> {
        Ok(output.map(Uint8Array::new))
    }
}

/// Validates catalog JSON text; the report as JSON (strict: warnings count as errors), the
/// expressions checked against example events (a JSON array; empty: none). Throws only for
/// text that is not JSON and for bad examples.
#[napi]
pub fn validate(catalog_json: String, strict: bool, examples_json: String) -> napi::Result<String> {
    entry(|| ratecard_js_host::validate(&catalog_json, strict, &examples_json))
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
    deliberate_panic()
        .map_err(|e| napi::Error::from_reason(format!("{ERROR_PREFIX}{}", e.payload())))
}

//! ratecard's WebAssembly face: exports `ratecard-js-host` (`bindings/js-host`) with
//! wasm-bindgen, and translates nothing itself.
//!
//! Event objects cross by the tape (`bindings/js-host/src/tape.rs`): the JavaScript side writes
//! binary records into each engine's scratch area of this module's memory and calls without
//! strings; the answer is written next to the record. Everything else crosses as JSON text, one
//! string in and one out per call (per batch for `quote_many`): cheaper than converting object
//! graphs field by field (BENCHMARKS.md), byte for byte the wire format, and serde_json's
//! 128-level nesting limit refuses deep input before any recursion can exhaust the wasm stack.
//! Errors leave as the core's serialized error (`{code, message, issues}`), thrown as a string
//! that the JavaScript wrapper turns into a `RatecardError`. The host clock is `now_ms`
//! (`Date.now()`, NaN for none).

use ratecard::Instant;
use ratecard_js_host::scratch::{read_header, SCRATCH_HEADER};
use ratecard_js_host::{Failure, Host};
use wasm_bindgen::prelude::*;

fn js(result: Result<String, Failure>) -> Result<String, JsValue> {
    result.map_err(|e| JsValue::from_str(&e.payload()))
}

/// The host's clock as the core takes it; `None` when the host sent no usable time.
fn clock(now_ms: f64) -> Option<Instant> {
    // Milliseconds from `Date.now()` are integral; dropping a fraction loses nothing real.
    #[allow(clippy::cast_possible_truncation)]
    now_ms
        .is_finite()
        .then(|| Instant::from_unix_millis(now_ms.trunc() as i64))
        .flatten()
}

/// An engine built from catalog JSON text (wrapped by the JavaScript `Engine` class), and the
/// scratch memory the JavaScript side writes records into and reads answers from: part of this
/// module's memory, so no call carries a string.
#[wasm_bindgen]
pub struct RawEngine {
    host: Host,
    scratch: Vec<u8>,
}

#[wasm_bindgen]
impl RawEngine {
    #[wasm_bindgen(constructor)]
    pub fn new(catalog_json: &str, strict: bool) -> Result<RawEngine, JsValue> {
        let host = Host::new(catalog_json, strict).map_err(|e| JsValue::from_str(&e.payload()))?;
        Ok(RawEngine {
            host,
            scratch: Vec::new(),
        })
    }

    /// The catalog's warnings as a JSON array of issues.
    pub fn warnings(&self) -> Result<String, JsValue> {
        js(self.host.warnings())
    }

    /// One event's quote as JSON; `options_json` is the wire form or empty for the defaults.
    pub fn quote(
        &mut self,
        event_json: &str,
        options_json: &str,
        now_ms: f64,
    ) -> Result<String, JsValue> {
        js(self.host.quote(event_json, options_json, clock(now_ms)))
    }

    /// A JSON array of quotes for a JSON array of events (one crossing per batch).
    pub fn quote_many(
        &mut self,
        events_json: &str,
        options_json: &str,
        now_ms: f64,
    ) -> Result<String, JsValue> {
        js(self
            .host
            .quote_many(events_json, options_json, clock(now_ms)))
    }

    /// The data keys the prices of an event type read (the tape's fields), joined by U+001F.
    #[wasm_bindgen(js_name = dataFields)]
    pub fn data_fields(&self, event_type: &str) -> String {
        self.host.data_fields(event_type)
    }

    /// Whether a price is tiered (a batch is then priced in one piece).
    pub fn tiered(&self) -> bool {
        self.host.tiered()
    }

    /// The scratch memory, grown to at least `min` bytes (its content kept): where it starts in
    /// this module's memory.
    pub fn scratch(&mut self, min: usize) -> usize {
        if self.scratch.len() < min {
            self.scratch.resize(min, 0);
        }
        self.scratch.as_ptr() as usize
    }

    /// Sets the options of tape quotes (wire JSON text); false: they do not read.
    #[wasm_bindgen(js_name = setTapeOptions)]
    pub fn set_tape_options(&mut self, options_json: &str) -> bool {
        self.host.set_tape_options(options_json)
    }

    /// The record in the scratch quoted by tape: the answer's length, 0 for the JSON path, or
    /// minus the scratch size it needs.
    #[wasm_bindgen(js_name = quoteScratch)]
    pub fn quote_scratch(&mut self, now_ms: f64) -> f64 {
        self.host.quote_scratch(&mut self.scratch, || clock(now_ms)) as f64
    }

    /// The batch in the scratch quoted by tape, as `quoteScratch`.
    #[wasm_bindgen(js_name = quoteManyTape)]
    pub fn quote_many_tape(&mut self, now_ms: f64) -> f64 {
        self.host
            .quote_batch_scratch(&mut self.scratch, || clock(now_ms)) as f64
    }

    /// The explanation steps (JSON) of the record in the scratch quoted at `at`.
    #[wasm_bindgen(js_name = explainScratch)]
    pub fn explain_scratch(&mut self, options_json: &str, at: &str) -> Result<String, JsValue> {
        let record = read_header(&self.scratch)
            .and_then(|h| self.scratch.get(SCRATCH_HEADER..SCRATCH_HEADER + h.len))
            .unwrap_or_default();
        js(self.host.explain_record(record, options_json, at))
    }

    /// `amount_json` is a JSON string or number; `at` is RFC 3339 or empty for `now_ms`.
    pub fn convert(
        &self,
        amount_json: &str,
        from: &str,
        to: &str,
        at: &str,
        now_ms: f64,
    ) -> Result<String, JsValue> {
        js(self.host.convert(amount_json, from, to, at, clock(now_ms)))
    }

    /// What events (JSON text) would draw from a wallet (JSON text), under options (JSON text,
    /// empty for none); the Preview as JSON text. `now_ms` as for `quote`.
    pub fn preview(
        &mut self,
        wallet_json: &str,
        events_json: &str,
        options_json: &str,
        now_ms: f64,
    ) -> Result<String, JsValue> {
        js(self
            .host
            .preview(wallet_json, events_json, options_json, clock(now_ms)))
    }

    /// How many more events like one (JSON text) a wallet (JSON text) covers; JSON text.
    pub fn affordable(
        &mut self,
        wallet_json: &str,
        event_json: &str,
        options_json: &str,
        now_ms: f64,
    ) -> Result<String, JsValue> {
        js(self
            .host
            .affordable(wallet_json, event_json, options_json, clock(now_ms)))
    }

    /// What an amount (JSON text) of a currency buys of an event (JSON text); JSON text.
    pub fn buys(
        &self,
        amount_json: &str,
        currency: &str,
        event_json: &str,
        options_json: &str,
        now_ms: f64,
    ) -> Result<String, JsValue> {
        let now = clock(now_ms);
        js(self
            .host
            .buys(amount_json, currency, event_json, options_json, now))
    }

    /// The wallet a new subscriber of a product gets from its entitlements (JSON text); `at`
    /// and `until` RFC 3339 or empty.
    pub fn entitlements(
        &self,
        product: &str,
        at: &str,
        until: &str,
        now_ms: f64,
    ) -> Result<String, JsValue> {
        js(self.host.entitlements(product, at, until, clock(now_ms)))
    }

    pub fn format(&self, amount_json: &str, asset: &str) -> Result<String, JsValue> {
        js(self.host.format(amount_json, asset))
    }
}

/// The validation report of catalog JSON text, as JSON (strict: warnings count as errors), the
/// expressions checked against example events (a JSON array; empty: none).
#[wasm_bindgen]
pub fn validate(catalog_json: &str, strict: bool, examples_json: &str) -> Result<String, JsValue> {
    js(ratecard_js_host::validate(
        catalog_json,
        strict,
        examples_json,
    ))
}

/// This module's memory, where the JavaScript side reads and writes the scratch.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

#[wasm_bindgen]
pub fn version() -> String {
    ratecard::VERSION.to_string()
}

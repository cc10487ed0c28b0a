//! ratecard's WebAssembly face: translates between JavaScript and the `ratecard` core.
//!
//! Event objects cross by the tape (`core/src/tape.rs`): the JavaScript side writes binary
//! records into each engine's scratch area of this module's memory and calls without strings;
//! the answer is written next to the record. Everything else crosses as JSON text, one string
//! in and one out per call (per batch for `quote_many`): measured in
//! `shared/design/performance.md`, that is cheaper than converting object graphs field by field
//! with serde-wasm-bindgen, it keeps the wire format's snake_case keys and string amounts byte
//! for byte, and serde_json's 128-level nesting limit refuses deep input before any recursion
//! can exhaust the wasm stack. The JSON path is also the reference the tape is tested against.
//!
//! The hand-written JavaScript in `packages/wasm/ratecard.js` owns the JavaScript side:
//! camelCase options, `Date`s, the host clock and the `RatecardError` class. Errors leave this
//! crate as the core's own serialized [`ratecard::Error`] (`{code, message, issues}`), thrown
//! as a string that the JavaScript side turns into a `RatecardError`.
//!
//! The logic lives in [`glue`] as plain Rust (tested natively); this file only exports it.

pub mod glue;

use wasm_bindgen::prelude::*;

fn js(result: Result<String, String>) -> Result<String, JsValue> {
    result.map_err(|e| JsValue::from_str(&e))
}

/// An engine built from catalog JSON text (wrapped by the JavaScript `Engine` class).
#[wasm_bindgen]
pub struct RawEngine(glue::Glue);

#[wasm_bindgen]
impl RawEngine {
    #[wasm_bindgen(constructor)]
    pub fn new(catalog_json: &str) -> Result<RawEngine, JsValue> {
        glue::Glue::new(catalog_json)
            .map(RawEngine)
            .map_err(|e| JsValue::from_str(&e))
    }

    /// The catalog's warnings as a JSON array of issues.
    pub fn warnings(&self) -> String {
        self.0.warnings()
    }

    /// One event's quote as JSON; `options_json` is the wire form or empty for the defaults,
    /// `now_ms` the host's clock (milliseconds since the epoch).
    pub fn quote(
        &mut self,
        event_json: &str,
        options_json: &str,
        now_ms: f64,
    ) -> Result<String, JsValue> {
        js(self.0.quote(event_json, options_json, now_ms))
    }

    /// A JSON array of quotes for a JSON array of events (one crossing per batch).
    pub fn quote_many(
        &mut self,
        events_json: &str,
        options_json: &str,
        now_ms: f64,
    ) -> Result<String, JsValue> {
        js(self.0.quote_many(events_json, options_json, now_ms))
    }

    /// The data keys the prices of an event type read (the tape's fields), joined by U+001F.
    #[wasm_bindgen(js_name = dataFields)]
    pub fn data_fields(&self, event_type: &str) -> String {
        self.0.data_fields(event_type)
    }

    /// The scratch memory (`core/src/tape.rs`), grown to at least `min` bytes: where it starts
    /// in this module's memory. The JavaScript side writes records there and reads answers.
    pub fn scratch(&mut self, min: usize) -> usize {
        self.0.scratch(min).as_ptr() as usize
    }

    /// Sets the options of tape quotes (wire JSON text); false: they do not read.
    #[wasm_bindgen(js_name = setTapeOptions)]
    pub fn set_tape_options(&mut self, options_json: &str) -> bool {
        self.0.set_tape_options(options_json)
    }

    /// The record in the scratch quoted by tape: the answer's length, 0 for the JSON path, or
    /// minus the scratch size it needs. `now_ms` is the host clock (NaN: none).
    #[wasm_bindgen(js_name = quoteScratch)]
    pub fn quote_scratch(&mut self, now_ms: f64) -> f64 {
        self.0.quote_scratch(now_ms) as f64
    }

    /// The batch in the scratch quoted by tape, as `quoteScratch`.
    #[wasm_bindgen(js_name = quoteManyTape)]
    pub fn quote_many_tape(&mut self, now_ms: f64) -> f64 {
        self.0.quote_many_scratch(now_ms) as f64
    }

    /// The explanation steps (JSON) of the record in the scratch quoted at `at`.
    #[wasm_bindgen(js_name = explainScratch)]
    pub fn explain_scratch(&mut self, options_json: &str, at: &str) -> Result<String, JsValue> {
        js(self.0.explain_scratch(options_json, at))
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
        js(self.0.convert(amount_json, from, to, at, now_ms))
    }

    pub fn format(&self, amount_json: &str, asset: &str) -> Result<String, JsValue> {
        js(self.0.format(amount_json, asset))
    }
}

/// The validation report of catalog JSON text, as JSON.
#[wasm_bindgen]
pub fn validate(catalog_json: &str) -> Result<String, JsValue> {
    js(glue::validate(catalog_json))
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

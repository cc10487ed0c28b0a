//! ratecard's WebAssembly face: translates between JavaScript and the `ratecard` core.
//!
//! Everything crosses the boundary as JSON text, one string in and one string out per call
//! (per batch for `quote_many`): measured in `shared/design/performance.md`, that is cheaper
//! than converting object graphs field by field with serde-wasm-bindgen, it keeps the wire
//! format's snake_case keys and string amounts byte for byte, and serde_json's 128-level
//! nesting limit refuses deep input before any recursion can exhaust the wasm stack.
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

    #[wasm_bindgen(js_name = hasTieredPrices)]
    pub fn has_tiered_prices(&self) -> bool {
        self.0.has_tiered_prices()
    }

    /// One event record quoted as a tape quote (`core/src/tape.rs`); `undefined`: use the JSON
    /// path.
    #[wasm_bindgen(js_name = quoteTape)]
    pub fn quote_tape(&mut self, record: &str, options_json: &str, now_ms: f64) -> Option<String> {
        self.0.quote_tape(record, options_json, now_ms)
    }

    /// Event records (separated by U+001E) as one tape batch; `undefined`: use the JSON path.
    #[wasm_bindgen(js_name = quoteManyTape)]
    pub fn quote_many_tape(
        &mut self,
        records: &str,
        options_json: &str,
        now_ms: f64,
    ) -> Option<String> {
        self.0.quote_many_tape(records, options_json, now_ms)
    }

    /// The explanation steps (JSON) of an event record quoted at `at`.
    #[wasm_bindgen(js_name = explainTape)]
    pub fn explain_tape(
        &mut self,
        record: &str,
        options_json: &str,
        at: &str,
    ) -> Result<String, JsValue> {
        js(self.0.explain_tape(record, options_json, at))
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

#[wasm_bindgen]
pub fn version() -> String {
    ratecard::VERSION.to_string()
}

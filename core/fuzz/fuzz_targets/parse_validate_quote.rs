//! Feeds arbitrary bytes through every entry point that takes untrusted text: catalog
//! validation, engine construction, event parsing, options parsing, quoting (JSON and tape)
//! and conversion.
//! Any panic is a bug (the core promises never to panic on input).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ratecard::{Decimal, Engine, Event, Instant, QuoteOptions};
use ratecard_js_host::{Tape, TapeQuotes};

const CATALOG: &str = include_str!("../../../examples/tutorial-catalog.json");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Split the input: catalog | event | options, so each part is explored.
    let mut parts = text.splitn(3, '\u{1}');
    let catalog = parts.next().unwrap_or_default();
    let event = parts.next().unwrap_or_default();
    let options = parts.next().unwrap_or_default();
    let _ = ratecard::validate_json(catalog);
    let now = Instant::from_unix_millis(1_772_366_400_000);
    let options = QuoteOptions { now, ..QuoteOptions::from_json(options).unwrap_or_default() };
    for engine in [Engine::from_json(catalog), Engine::from_json(CATALOG)].into_iter().flatten() {
        if let Ok(events) = Event::many_from_json(event) {
            let _ = engine.quote_many(&events, &options);
        }
        // The same bytes as tape records (the JavaScript faces' fast path).
        let quiet = QuoteOptions { explain: false, ..options.clone() };
        let _ = engine.quote_tape(&mut Tape::new(), event.as_bytes(), &quiet, &mut Vec::new());
        let _ = engine.quote_many_tape(event.as_bytes(), &quiet, &mut Vec::new());
        let _ = ratecard_js_host::tape::read_event(&engine, event.as_bytes());
        if let Ok(amount) = ratecard::parse_decimal(event) {
            for (from, to) in [("USD", "CREDIT"), ("CREDIT", "VIDGENMIN"), ("VIDGENMIN", "USD")] {
                let _ = engine.convert(amount, from, to, now.unwrap_or_else(|| unreachable!()));
            }
            let _ = engine.format(amount * Decimal::NEGATIVE_ONE, "CREDIT");
        }
    }
});

//! The tape against the JSON path, checked with proptest: the same quote either way, and any
//! bytes refused without a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/tape_decode.rs"]
mod tape_decode;

use proptest::prelude::*;
use ratecard::{Decimal, Engine, Event, QuoteOptions};
use ratecard_js_host::{Tape, TapeQuotes};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The tape is a faster way to the same quote: a tape answer decodes to what the JSON path
    /// says, for any volume (as a number or as text) and dimension value, and arbitrary bytes
    /// never panic.
    #[test]
    fn the_tape_quotes_like_the_json_path(seconds in 0i64..10_000_000, places in 0u32..6, as_text in any::<bool>(), model in "[a-z0-9]{1,6}", id in proptest::option::of("[a-z0-9_]{1,8}"), junk in proptest::collection::vec(any::<u8>(), 0..60)) {
        let engine = Engine::from_json(r#"{"assets": [{"code": "CR", "name": "Credits", "precision": 2, "rates": [{"source": "USD", "rate": "0.01"}]}],
          "products": [{"name": "Video", "code": "video", "prices": [{"name": "Render", "type": "usage_based", "billing_model": {"type": "real_time"},
            "usage_calculation": {"event_type": "render", "usage_type": "volume", "volume_field": "seconds", "billable_dimensions": ["model"]},
            "pricing": [{"asset": "CR", "values": [{"dimensions": {"model": "gen4"}, "values": [{"volume_rate": "12"}]},
                                                    {"dimensions": {"model": "*"}, "values": [{"volume_rate": "5.5"}]}]}]}]}]}"#).unwrap();
        let volume = Decimal::new(seconds, places);
        // A JavaScript number holding this volume, and the text JSON.stringify gives it.
        let number: f64 = volume.to_string().parse().unwrap();
        let options = QuoteOptions { explain: false, express_in: vec!["USD".into()], ..QuoteOptions::default() };
        let value = if as_text { format!("\"{volume}\"") } else { format!("{number}") };
        let id_json = id.as_ref().map(|i| format!(r#""id":"{i}","#)).unwrap_or_default();
        let json = format!(r#"{{{id_json}"event_type":"render","occurred_at":"2026-03-01T12:00:00Z","data":{{"seconds":{value},"model":"{model}"}}}}"#);
        let event = Event::from_json(&json).unwrap();
        let mut want = serde_json::to_value(engine.quote(&event, &options).unwrap()).unwrap();
        want.as_object_mut().unwrap().remove("explain");

        let mut record = vec![6];
        record.extend_from_slice(b"render");
        // (No id: it stays with the caller, and the decoder puts it on the quote.)
        record.push(1);
        record.push(20);
        record.extend_from_slice(b"2026-03-01T12:00:00Z");
        record.push(2);
        if as_text {
            let text = volume.to_string();
            record.push(1);
            record.push(text.len() as u8);
            record.extend_from_slice(text.as_bytes());
        } else {
            record.push(2);
            record.extend_from_slice(&number.to_le_bytes());
        }
        record.push(1);
        record.push(model.len() as u8);
        record.extend_from_slice(model.as_bytes());
        let mut out = Vec::new();
        prop_assert!(engine.quote_tape(&mut Tape::new(), &record, &options, &mut out));
        let sent = [tape_decode::Sent { event_type: "render", id: id.as_deref(), occurred: "2026-03-01T12:00:00Z" }];
        prop_assert_eq!(tape_decode::Decoder::new().answer(&out, &sent), vec![want]);

        let _ = engine.quote_tape(&mut Tape::new(), &junk, &options, &mut Vec::new());
        let _ = engine.quote_many_tape(&junk, &options, &mut Vec::new());
        let mut prefixed = record.clone();
        prefixed.extend_from_slice(&junk);
        let _ = engine.quote_tape(&mut Tape::new(), &prefixed, &options, &mut Vec::new());
    }

}

//! Runs one quote scenario of `core/benches/quote.rs` N times, for instruction counts under
//! callgrind (`scripts/bench-instructions.sh`, which compares two revisions): instructions are
//! repeatable whatever else the machine does, where times on these 2-core machines are not.
//!
//!     cargo run --release -p ratecard --example quote_loop -- tiered 20000
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ratecard::{Decimal, Engine, Event, Instant, QuoteOptions, Scalar};
use serde_json::{json, Value};
use std::hint::black_box;

fn usage(name: &str, calc: Value, extra: Value, pricing: Value) -> Value {
    let mut p = json!({"name": name, "type": "usage_based", "billing_model": {"type": "real_time"},
                       "usage_calculation": calc, "pricing": pricing});
    if let (Some(p), Some(e)) = (p.as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    p
}

/// The benchmark's catalog (`core/benches/quote.rs`).
fn catalog() -> Value {
    let dims: Vec<Value> = ["gen4", "gen4_turbo", "*"]
        .iter()
        .flat_map(|m| {
            ["hd", "*"].iter().flat_map(move |q| {
                ["1080p", "*"].iter().map(move |r| {
                    let exact = [m, q, r].iter().filter(|x| ***x != "*").count() as i64;
                    json!({"dimensions": {"model": m, "quality": q, "resolution": r},
                           "values": [{"volume_rate": 5 + exact * 3}]})
                })
            })
        })
        .collect();
    json!({
        "assets": [
            {"code": "CREDIT", "name": "Credits", "precision": 0, "rates": [{"source": "USD", "inverse_rate": 100}]},
            {"code": "IMG", "name": "Image credits", "precision": 2,
             "rates": [{"source": "USD", "rate": 0.10}, {"source": "USD", "rate": 0.12, "valid_from": "2026-02-26T15:51:28.071Z"}]}
        ],
        "products": [{"code": "bench", "name": "Bench", "prices": [
            usage("unit", json!({"event_type": "image_generated", "usage_type": "unit"}), json!({}),
                  json!([{"asset": "IMG", "values": [{"unit_price": 1}]}])),
            usage("video", json!({"event_type": "video_generated", "usage_type": "volume", "volume_field": "seconds",
                                  "billable_dimensions": ["model", "quality", "resolution"]}), json!({}),
                  json!([{"asset": "CREDIT", "values": dims}])),
            usage("tokens", json!({"event_type": "response_completed", "usage_type": "volume", "volume_field": "tokens"}),
                  json!({"pricing_model": "package"}),
                  json!([{"asset": "USD", "values": [{"volume_rate": "0.002", "package_size": 1000}]}])),
            usage("storage", json!({"event_type": "file_stored", "usage_type": "volume", "volume_field": "gb"}),
                  json!({"pricing_model": "tiered", "tiering": {"basis": "volume", "period": "monthly"}}),
                  json!([{"asset": "USD", "values": [
                      {"up_to": 100, "volume_rate": "0.10"}, {"up_to": 1000, "volume_rate": "0.08"},
                      {"up_to": 10000, "volume_rate": "0.05"}, {"volume_rate": "0.02"}]}])),
        ]}]
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().expect("a scenario: unit, video, package, tiered, video_usd, video_img, video_explain, convert, convert_assets, parse");
    let n: usize = args.next().map_or(100_000, |s| s.parse().expect("a count"));
    let engine = Engine::new(&catalog()).unwrap();
    let at = Instant::parse("2026-03-01T12:00:00Z").unwrap();
    let lean = QuoteOptions {
        at: Some(at),
        explain: false,
        ..QuoteOptions::default()
    };
    let explained = QuoteOptions {
        at: Some(at),
        ..QuoteOptions::default()
    };
    let in_usd = QuoteOptions {
        express_in: vec!["USD".into()],
        ..lean.clone()
    };
    // CREDIT → IMG goes through 0.12 USD: a quotient that does not end (the exact slow path).
    let in_img = QuoteOptions {
        express_in: vec!["IMG".into()],
        ..lean.clone()
    };
    let unit = Event::new("image_generated");
    let video = Event::new("video_generated")
        .with("model", Scalar::Str("gen4".into()))
        .with("quality", Scalar::Str("hd".into()))
        .with("resolution", Scalar::Str("720p".into()))
        .with("seconds", Scalar::Num(Decimal::new(45, 1)));
    let tokens =
        Event::new("response_completed").with("tokens", Scalar::Num(Decimal::from(12_345)));
    let storage = Event::new("file_stored").with("gb", Scalar::Num(Decimal::new(15_05, 1)));
    let amount = Decimal::new(12_345, 2);
    let texts = ["4.25", "12345678901234567890.123", "1.5e-7"];
    for _ in 0..n {
        match which.as_str() {
            "unit" => drop(black_box(engine.quote(black_box(&unit), &lean).unwrap())),
            "video" => drop(black_box(engine.quote(black_box(&video), &lean).unwrap())),
            "package" => drop(black_box(engine.quote(black_box(&tokens), &lean).unwrap())),
            "tiered" => drop(black_box(engine.quote(black_box(&storage), &lean).unwrap())),
            "video_usd" => drop(black_box(engine.quote(black_box(&video), &in_usd).unwrap())),
            "video_img" => drop(black_box(engine.quote(black_box(&video), &in_img).unwrap())),
            "video_explain" => drop(black_box(
                engine.quote(black_box(&video), &explained).unwrap(),
            )),
            "convert" => drop(black_box(
                engine.convert(black_box(amount), "USD", "IMG", at).unwrap(),
            )),
            "convert_assets" => drop(black_box(
                engine
                    .convert(black_box(amount), "CREDIT", "IMG", at)
                    .unwrap(),
            )),
            "parse" => {
                for t in texts {
                    black_box(ratecard::parse_decimal(black_box(t)).unwrap());
                }
            }
            "none" => {}
            other => panic!("unknown scenario {other}"),
        }
    }
}

//! Runs one quote scenario of `core/benches/quote.rs` N times, for instruction counts under
//! callgrind (`scripts/bench-instructions.sh`, which compares two revisions): instructions are
//! repeatable whatever else the machine does, where times on these 2-core machines are not.
//!
//!     cargo run --release -p ratecard --example quote_loop -- tiered 20000
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ratecard::{Decimal, Engine, Event, Instant, QuoteOptions, Scalar};
use serde_json::Value;
use std::hint::black_box;

/// The benchmark's catalog (`core/benches/catalog.json`).
fn catalog() -> Value {
    serde_json::from_str(include_str!("../benches/catalog.json")).unwrap()
}

const WALLET: &str = r#"{"accounts": [{"id": "default:CREDIT", "name": "default", "asset": "CREDIT", "available": "500",
  "grants": [
    {"id": "promo", "available": "50", "purpose": "promotion", "effective_at": "2026-01-01T00:00:00Z", "expires_at": "2026-04-01T00:00:00Z"},
    {"id": "plan-feb", "available": "100", "purpose": "bundled", "effective_at": "2026-01-01T00:00:00Z", "expires_at": "2026-03-01T00:00:00Z"},
    {"id": "plan-mar", "available": "100", "purpose": "bundled", "effective_at": "2026-01-01T00:00:00Z", "expires_at": "2026-04-01T00:00:00Z"},
    {"id": "paid-1", "available": "150", "purpose": "paid", "effective_at": "2026-01-01T00:00:00Z", "expires_at": "2027-01-01T00:00:00Z"},
    {"id": "paid-2", "available": "100", "purpose": "paid", "effective_at": "2026-01-01T00:00:00Z", "expires_at": "2027-02-01T00:00:00Z"}]}]}"#;

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().expect("a scenario: unit, video, package, tiered, video_usd, video_img, video_explain, convert, convert_assets, preview, parse");
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
    // The wallet benchmark's five grants (`core/benches/wallet.rs`): the video event draws
    // from the first two live ones.
    let (wallet, _) = engine
        .read_wallet(&serde_json::from_str(WALLET).unwrap())
        .unwrap();
    let previewed = ratecard::PreviewOptions {
        quote: lean.clone(),
        ..ratecard::PreviewOptions::default()
    };
    let videos = [video.clone()];
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
            "preview" => drop(black_box(
                engine
                    .preview(&wallet, Vec::new(), black_box(&videos), &previewed)
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

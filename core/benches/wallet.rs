//! Criterion benchmarks of the wallet operations against a quote of the same event: `preview`
//! of one event against a wallet of five grants (target: within 2x a quote), `affordable` of a
//! volume price (target: within ten quotes). `cargo bench -p ratecard --bench wallet`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use ratecard::{Engine, Event, PreviewOptions, QuoteOptions};
use std::hint::black_box;

const WALLET: &str = r#"{"accounts": [{"id": "default:CREDIT", "name": "default", "asset": "CREDIT", "available": "500",
  "grants": [
    {"id": "promo", "available": "50", "purpose": "promotion", "effective_at": "2026-01-01T00:00:00Z", "expires_at": "2026-04-01T00:00:00Z", "created_at": "2026-01-01T00:00:00Z"},
    {"id": "plan-feb", "available": "100", "purpose": "bundled", "effective_at": "2026-01-01T00:00:00Z", "expires_at": "2026-03-01T00:00:00Z", "created_at": "2026-01-01T00:00:00Z"},
    {"id": "plan-mar", "available": "100", "purpose": "bundled", "effective_at": "2026-01-01T00:00:00Z", "expires_at": "2026-04-01T00:00:00Z", "created_at": "2026-01-01T00:00:00Z"},
    {"id": "paid-1", "available": "150", "purpose": "paid", "effective_at": "2026-01-01T00:00:00Z", "expires_at": "2027-01-01T00:00:00Z", "created_at": "2026-01-01T00:00:00Z"},
    {"id": "paid-2", "available": "100", "purpose": "paid", "effective_at": "2026-01-01T00:00:00Z", "expires_at": "2027-02-01T00:00:00Z", "created_at": "2026-01-01T00:00:00Z"}]}]}"#;
const EVENT: &str = r#"{"event_type": "video_generated", "occurred_at": "2026-03-10T12:00:00Z", "data": {"model": "gen4", "quality": "hd", "seconds": 4}}"#;

fn bench(c: &mut Criterion) {
    let engine = Engine::from_json(include_str!("../../examples/catalog.json")).unwrap();
    let event = Event::from_json(EVENT).unwrap();
    let quiet = QuoteOptions {
        explain: false,
        ..QuoteOptions::default()
    };
    let options = PreviewOptions {
        quote: quiet.clone(),
        ..PreviewOptions::default()
    };
    let (wallet, warnings) = engine
        .read_wallet(&ratecard::parse_json(WALLET).unwrap())
        .unwrap();
    let events = [event.clone()];
    let mut g = c.benchmark_group("wallet");
    g.bench_function("quote", |b| {
        b.iter(|| black_box(engine.quote(&event, &quiet).unwrap()))
    });
    g.bench_function("parse_json (wallet text)", |b| {
        b.iter(|| black_box(ratecard::parse_json(WALLET).unwrap()))
    });
    g.bench_function("read_wallet (JSON text)", |b| {
        b.iter(|| {
            black_box(
                engine
                    .read_wallet(&ratecard::parse_json(WALLET).unwrap())
                    .unwrap(),
            )
        })
    });
    g.bench_function("preview (read wallet)", |b| {
        b.iter(|| {
            black_box(
                engine
                    .preview(&wallet, warnings.clone(), &events, &options)
                    .unwrap(),
            )
        })
    });
    g.bench_function(
        "preview_json (texts in and out, the wallet read again)",
        |b| {
            b.iter(|| {
                let read = engine.read_wallet_json(WALLET).unwrap();
                black_box(engine.preview_json(&read, EVENT, &options).unwrap())
            })
        },
    );
    let mut cache = ratecard::wallet::WalletCache::default();
    g.bench_function("preview_json (texts in and out, the wallet cached)", |b| {
        b.iter(|| {
            let read = cache.read(&engine, WALLET).unwrap();
            black_box(engine.preview_json(read, EVENT, &options).unwrap())
        })
    });
    g.bench_function("affordable (read wallet)", |b| {
        b.iter(|| black_box(engine.affordable(&wallet, &event, &options).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! A quote priced through a `volume_aggregation` expression against the same price read from a
//! field (goal: within 1.3x). `cargo bench -p ratecard --bench expression`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use ratecard::{Engine, Event, QuoteOptions};
use serde_json::json;
use std::hint::black_box;

fn engine(calculation: serde_json::Value) -> Engine {
    Engine::new(&json!({
        "assets": [{"code": "CR", "name": "Credits", "precision": 2, "rates": [{"source": "USD", "rate": "0.01"}]}],
        "products": [{"name": "P", "code": "p", "prices": [{"name": "Video", "type": "usage_based",
            "billing_model": {"type": "real_time"}, "usage_calculation": calculation,
            "pricing": [{"asset": "CR", "values": [{"volume_rate": "1.5"}]}]}]}]
    }))
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let field =
        engine(json!({"event_type": "v", "usage_type": "volume", "volume_field": "seconds"}));
    let same =
        engine(json!({"event_type": "v", "usage_type": "volume", "volume_aggregation": "seconds"}));
    let minutes = engine(
        json!({"event_type": "v", "usage_type": "volume", "volume_aggregation": "ceil(seconds / 60)"}),
    );
    let tokens = engine(
        json!({"event_type": "v", "usage_type": "volume", "volume_aggregation": "input_tokens + output_tokens"}),
    );
    let event = Event::from_json(
        r#"{"event_type": "v", "occurred_at": "2026-03-01T12:00:00Z",
            "data": {"seconds": 61, "input_tokens": 1000, "output_tokens": 250}}"#,
    )
    .unwrap();
    let options = QuoteOptions {
        explain: false,
        ..QuoteOptions::default()
    };
    let mut g = c.benchmark_group("expression");
    for (name, engine) in [
        ("volume_field seconds", &field),
        ("expression `seconds`", &same),
        ("expression `ceil(seconds / 60)`", &minutes),
        ("expression `input_tokens + output_tokens`", &tokens),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| black_box(engine.quote(&event, &options).unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Criterion benchmarks of the core's hot paths. `just bench-core` runs them; BENCHMARKS.md
//! records the results.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ratecard::{Decimal, Engine, Event, Instant, QuoteOptions, Scalar};
use serde_json::{json, Value};
use std::hint::black_box;

fn usage(name: &str, event: &str, usage: Value, extra: Value, pricing: Value) -> Value {
    let mut price = json!({
        "name": name, "type": "usage_based", "billing_model": {"type": "real_time"},
        "usage_calculation": usage, "pricing": pricing
    });
    if let (Some(p), Some(e)) = (price.as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    let _ = event;
    price
}

/// The benchmarks' catalog (also the instruction counts' in `examples/quote_loop.rs`, and the
/// tape's in `bindings/js-host/benches`): a unit, a three-way dimensional volume (12
/// dimensional prices), a packaged volume and a graduated tiered price.
fn catalog() -> Value {
    serde_json::from_str(include_str!("catalog.json")).unwrap()
}

fn big_catalog(prices: usize) -> Value {
    let list: Vec<Value> = (0..prices)
        .map(|i| {
            usage(
                &format!("price {i}"),
                "",
                json!({"event_type": format!("event_{}", i % 100), "usage_type": "volume", "volume_field": "n",
                       "billable_dimensions": ["model"]}),
                json!({}),
                json!([{"asset": "USD", "values": [
                    {"dimensions": {"model": "a"}, "values": [{"volume_rate": "0.01", "min_amount": "0.05"}]},
                    {"dimensions": {"model": "*"}, "values": [{"volume_rate": "0.02"}]}]}]),
            )
        })
        .collect();
    let products: Vec<Value> = list
        .chunks(10)
        .enumerate()
        .map(|(i, chunk)| json!({"code": format!("p{i}"), "name": format!("Product {i}"), "prices": chunk}))
        .collect();
    json!({"assets": [], "products": products})
}

fn bench(c: &mut Criterion) {
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

    let unit = Event::new("image_generated");
    let video = Event::new("video_generated")
        .with("model", Scalar::Str("gen4".into()))
        .with("quality", Scalar::Str("hd".into()))
        .with("resolution", Scalar::Str("720p".into()))
        .with("seconds", Scalar::Num(Decimal::new(45, 1)));
    let tokens =
        Event::new("response_completed").with("tokens", Scalar::Num(Decimal::from(12_345)));
    let storage = Event::new("file_stored").with("gb", Scalar::Num(Decimal::new(15_05, 1)));

    let mut g = c.benchmark_group("quote");
    g.bench_function("unit", |b| {
        b.iter(|| engine.quote(black_box(&unit), &lean).unwrap())
    });
    g.bench_function("dimensional_3way", |b| {
        b.iter(|| engine.quote(black_box(&video), &lean).unwrap())
    });
    g.bench_function("package_volume", |b| {
        b.iter(|| engine.quote(black_box(&tokens), &lean).unwrap())
    });
    g.bench_function("tiered", |b| {
        b.iter(|| engine.quote(black_box(&storage), &lean).unwrap())
    });
    g.bench_function("dimensional_3way_in_usd", |b| {
        b.iter(|| engine.quote(black_box(&video), &in_usd).unwrap())
    });
    g.bench_function("dimensional_3way_explained", |b| {
        b.iter(|| engine.quote(black_box(&video), &explained).unwrap())
    });
    let quote = engine.quote(&video, &lean).unwrap();
    g.bench_function("serialize_dimensional_quote", |b| {
        b.iter(|| serde_json::to_string(black_box(&quote)).unwrap())
    });
    let event_text = r#"{"event_type":"video_generated","data":{"model":"gen4","quality":"hd","resolution":"720p","seconds":4.5}}"#;
    g.bench_function("parse_event", |b| {
        b.iter(|| Event::from_json(black_box(event_text)).unwrap())
    });
    g.bench_function("dimensional_3way_from_json", |b| {
        let text = r#"{"event_type":"video_generated","data":{"model":"gen4","quality":"hd","resolution":"720p","seconds":4.5}}"#;
        b.iter(|| {
            let event = Event::from_json(black_box(text)).unwrap();
            serde_json::to_string(&engine.quote(&event, &lean).unwrap()).unwrap()
        })
    });
    g.finish();

    let models = ["gen4", "gen4_turbo", "veo"];
    let events: Vec<Event<'_>> = (0..100_000)
        .map(|i| {
            Event::new("video_generated")
                .with("model", Scalar::Str(models[i % 3].into()))
                .with(
                    "quality",
                    Scalar::Str(if i % 2 == 0 { "hd" } else { "sd" }.into()),
                )
                .with("resolution", Scalar::Str("1080p".into()))
                .with("seconds", Scalar::Num(Decimal::from(i % 60)))
        })
        .collect();
    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    g.throughput(Throughput::Elements(events.len() as u64));
    g.bench_function("quote_each_100k", |b| {
        b.iter(|| {
            engine
                .quote_each(black_box(&events), &lean, |_, q| drop(black_box(q)))
                .unwrap()
        })
    });
    g.bench_function("quote_many_json_100k", |b| {
        b.iter(|| {
            engine
                .quote_many_json(black_box(&events).iter().map(Ok), &lean)
                .unwrap()
        })
    });
    g.bench_function("quote_many_100k", |b| {
        b.iter(|| engine.quote_many(black_box(&events), &lean).unwrap())
    });
    g.finish();

    let big = big_catalog(1000);
    let mut g = c.benchmark_group("catalog");
    g.sample_size(20);
    g.bench_function("validate_1000_prices", |b| {
        b.iter(|| ratecard::validate(black_box(&big)))
    });
    g.bench_function("engine_1000_prices", |b| {
        b.iter_batched(
            || big.clone(),
            |v| Engine::new(&v).unwrap(),
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let mut g = c.benchmark_group("convert");
    let amount = Decimal::new(12_345, 2);
    g.bench_function("usd_to_img", |b| {
        b.iter(|| engine.convert(black_box(amount), "USD", "IMG", at).unwrap())
    });
    g.bench_function("credit_to_img", |b| {
        b.iter(|| {
            engine
                .convert(black_box(amount), "CREDIT", "IMG", at)
                .unwrap()
        })
    });
    g.finish();

    // Decimal text as events and catalogs carry it (number.rs reads it, not rust_decimal).
    let mut g = c.benchmark_group("decimal");
    for text in [
        "4.25",
        "0.1234567",
        "-12345.678901234",
        "123456789.0123456789012",
        "1.5e-7",
    ] {
        g.bench_function(format!("parse {text}"), |b| {
            b.iter(|| ratecard::parse_decimal(black_box(text)).unwrap())
        });
    }
    g.finish();

    // The hand-written RFC 3339 reader and writer against the `time` crate they replaced.
    let mut g = c.benchmark_group("instant");
    let text = "2026-02-26T16:51:28.071+01:00";
    g.bench_function("parse", |b| {
        b.iter(|| Instant::parse(black_box(text)).unwrap())
    });
    g.bench_function("parse_by_time", |b| {
        b.iter(|| {
            time::OffsetDateTime::parse(
                black_box(text),
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap()
            .to_offset(time::UtcOffset::UTC)
        })
    });
    let t = Instant::parse(text).unwrap();
    let by_time = time::OffsetDateTime::from_unix_timestamp_nanos(t.unix_nanos()).unwrap();
    g.bench_function("display", |b| b.iter(|| black_box(t).to_string()));
    g.bench_function("format_by_time", |b| {
        b.iter(|| {
            black_box(by_time)
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

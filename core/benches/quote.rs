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
            {"code": "IMG", "name": "Image credits", "precision": 2, "symbol": "📸", "label": "image",
             "rates": [{"source": "USD", "rate": 0.10}, {"source": "USD", "rate": 0.12, "valid_from": "2026-02-26T15:51:28.071Z"}]}
        ],
        "products": [{"code": "bench", "name": "Bench", "prices": [
            usage("unit", "image_generated", json!({"event_type": "image_generated", "usage_type": "unit"}), json!({}),
                  json!([{"asset": "IMG", "values": [{"unit_price": 1}]}])),
            usage("video", "video_generated",
                  json!({"event_type": "video_generated", "usage_type": "volume", "volume_field": "seconds",
                         "billable_dimensions": ["model", "quality", "resolution"]}), json!({}),
                  json!([{"asset": "CREDIT", "values": dims}])),
            usage("tokens", "response_completed",
                  json!({"event_type": "response_completed", "usage_type": "volume", "volume_field": "tokens"}),
                  json!({"pricing_model": "package"}),
                  json!([{"asset": "USD", "values": [{"volume_rate": "0.002", "package_size": 1000}]}])),
            usage("storage", "file_stored",
                  json!({"event_type": "file_stored", "usage_type": "volume", "volume_field": "gb"}),
                  json!({"pricing_model": "tiered", "tiering": {"basis": "volume", "period": "monthly"}}),
                  json!([{"asset": "USD", "values": [
                      {"up_to": 100, "volume_rate": "0.10"}, {"up_to": 1000, "volume_rate": "0.08"},
                      {"up_to": 10000, "volume_rate": "0.05"}, {"volume_rate": "0.02"}]}])),
        ]}]
    })
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
    // The tape (what the JavaScript faces use): record in, compact quote out.
    let record = tape_record(4.5, "gen4", "hd", "720p");
    let fields = engine.data_fields("video_generated").join(",");
    assert_eq!(fields, "seconds,model,quality,resolution");
    let mut tape = ratecard::Tape::new();
    let mut out = Vec::new();
    g.bench_function("dimensional_3way_tape", |b| {
        b.iter(|| {
            out.clear();
            assert!(engine.quote_tape(&mut tape, black_box(&record), &lean, &mut out));
        })
    });
    g.bench_function("read_event_tape", |b| {
        b.iter(|| ratecard::tape::read_event(&engine, black_box(&record)).unwrap())
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
        b.iter(|| engine.quote_many_json(black_box(&events), &lean).unwrap())
    });
    // As the JavaScript writer makes a batch: records naming their strings (byte 254, then the
    // string's number), the strings once after them.
    let strings = [
        "video_generated",
        "2026-03-01T12:00:00Z",
        "gen4",
        "gen4_turbo",
        "veo",
        "hd",
        "sd",
        "1080p",
    ];
    let mut records = vec![255];
    records.extend_from_slice(&100_000u32.to_le_bytes());
    for i in 0..100_000usize {
        records.extend_from_slice(&[254, 0, 1, 254, 1, 4, 2]);
        records.extend_from_slice(&((i % 60) as f64).to_le_bytes());
        let model = 2 + (i % 3) as u8;
        let quality = if i % 2 == 0 { 5 } else { 6 };
        records.extend_from_slice(&[1, 254, model, 1, 254, quality, 1, 254, 7]);
    }
    records.push(strings.len() as u8);
    for s in strings {
        records.push(s.len() as u8);
        records.extend_from_slice(s.as_bytes());
    }
    g.bench_function("quote_many_tape_100k", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            assert!(engine.quote_many_tape(black_box(&records), &lean, &mut out));
            out
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

/// A `video_generated` event as a tape record (`core/src/tape.rs`), as the JavaScript writer
/// makes it: seconds, model, quality, resolution.
fn tape_record(seconds: f64, model: &str, quality: &str, resolution: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let put = |out: &mut Vec<u8>, s: &str| {
        out.push(s.len() as u8);
        out.extend_from_slice(s.as_bytes());
    };
    put(&mut out, "video_generated");
    out.push(1);
    put(&mut out, "2026-03-01T12:00:00Z");
    out.extend_from_slice(&[4, 2]);
    out.extend_from_slice(&seconds.to_le_bytes());
    for s in [model, quality, resolution] {
        out.push(1);
        put(&mut out, s);
    }
    out
}

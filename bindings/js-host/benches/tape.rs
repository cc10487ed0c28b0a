//! Criterion benchmarks of the tape (`src/tape.rs`), the JavaScript faces' hot path, on the core
//! benchmarks' catalog (`core/benches/catalog.json`). `just bench-core` runs them with the
//! core's; BENCHMARKS.md records the results.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ratecard::{Engine, Instant, QuoteOptions};
use ratecard_js_host::tape::read_event;
use ratecard_js_host::{Tape, TapeQuotes};
use std::hint::black_box;

/// A `video_generated` event as a tape record, as the JavaScript writer makes it: seconds,
/// model, quality, resolution.
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

fn bench(c: &mut Criterion) {
    let engine = Engine::from_json(include_str!("../../../core/benches/catalog.json")).unwrap();
    let lean = QuoteOptions {
        at: Some(Instant::parse("2026-03-01T12:00:00Z").unwrap()),
        explain: false,
        ..QuoteOptions::default()
    };
    let mut g = c.benchmark_group("tape");
    // Record in, compact quote out.
    let record = tape_record(4.5, "gen4", "hd", "720p");
    let fields = engine.data_fields("video_generated").join(",");
    assert_eq!(fields, "seconds,model,quality,resolution");
    let mut tape = Tape::new();
    let mut out = Vec::new();
    g.bench_function("dimensional_3way_tape", |b| {
        b.iter(|| {
            out.clear();
            assert!(engine.quote_tape(&mut tape, black_box(&record), &lean, &mut out));
        })
    });
    g.bench_function("read_event_tape", |b| {
        b.iter(|| read_event(&engine, black_box(&record)).unwrap())
    });
    g.finish();

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
    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("quote_many_tape_100k", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            assert!(engine.quote_many_tape(black_box(&records), &lean, &mut out));
            out
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

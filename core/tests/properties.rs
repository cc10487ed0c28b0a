//! Invariants that must hold for every input, checked with proptest.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use ratecard::{Decimal, Engine, Event, Instant, QuoteOptions, Scalar};
use serde_json::{json, Value};

fn at() -> Instant {
    Instant::parse("2026-03-01T12:00:00Z").unwrap()
}

/// A decimal with up to `places` decimal places, from 1 to `max` units of the last place.
fn decimal(max: i64, places: u32) -> impl Strategy<Value = Decimal> {
    (1..=max).prop_map(move |n| Decimal::new(n, places))
}

fn one_asset_catalog(precision: u32, rate: Option<Decimal>, inverse: Option<Decimal>) -> Engine {
    let mut entry = json!({"source": "USD"});
    if let Some(r) = rate {
        entry["rate"] = json!(r.to_string());
    }
    if let Some(i) = inverse {
        entry["inverse_rate"] = json!(i.to_string());
    }
    Engine::new(&json!({
        "assets": [{"code": "CR", "name": "Credits", "precision": precision, "rates": [entry]}],
        "products": []
    }))
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// asset → fiat → asset comes back within one unit of the asset's precision, plus what one
    /// unit of fiat precision is worth in the asset (the fiat leg's own rounding).
    #[test]
    fn conversions_round_trip_within_one_unit(
        precision in 0u32..=6,
        use_inverse in any::<bool>(),
        rate in decimal(100_000, 4),
        units in 0i64..10_000_000,
    ) {
        let (r, i) = if use_inverse { (None, Some(rate)) } else { (Some(rate), None) };
        let engine = one_asset_catalog(precision, r, i);
        let amount = Decimal::new(units, precision);
        let usd = engine.convert(amount, "CR", "USD", at()).unwrap();
        let back = engine.convert(usd.destination_amount.value, "USD", "CR", at()).unwrap();
        let unit = Decimal::new(1, precision);
        // One cent of rounding on the fiat leg is worth inverse_rate cents in units.
        let cent_in_units = Decimal::new(1, 2) * back.inverse_rate;
        let slack = unit + cent_in_units;
        let diff = (back.destination_amount.value - amount).abs();
        prop_assert!(diff <= slack, "{amount} CR -> {} USD -> {} CR (slack {slack})", usd.destination_amount, back.destination_amount);
        // Units bought round down: never more units than the money pays for (checked with the
        // rate as given, so the check itself is exact).
        let paid = usd.destination_amount.value;
        let bought = back.destination_amount.value;
        if use_inverse {
            prop_assert!(bought <= paid * rate, "{paid} USD bought {bought} CR at {rate} CR/USD");
        } else {
            prop_assert!(bought * rate <= paid, "{paid} USD bought {bought} CR at {rate} USD/CR");
        }
    }

    /// fiat → asset → fiat never gives back more money than went in (units round down).
    #[test]
    fn buying_units_never_creates_money(
        use_inverse in any::<bool>(),
        rate in decimal(100_000, 4),
        cents in 0i64..100_000_000,
    ) {
        let (r, i) = if use_inverse { (None, Some(rate)) } else { (Some(rate), None) };
        let engine = one_asset_catalog(2, r, i);
        let usd = Decimal::new(cents, 2);
        let units = engine.convert(usd, "USD", "CR", at()).unwrap();
        let bought = units.destination_amount.value;
        // Checked with the rate as the catalog gives it, so the check itself is exact (the
        // conversion's `rate` for an inverse rate is 1 / inverse, rounded to 28 digits).
        if use_inverse {
            prop_assert!(bought <= usd * rate, "{usd} USD bought {bought} CR at {rate} CR/USD");
        } else {
            prop_assert!(bought * rate <= usd, "{usd} USD bought {bought} CR worth {}", bought * rate);
        }
    }

    /// More volume never costs less, for flat, package and graduated-tier prices.
    #[test]
    fn fee_never_decreases_as_volume_grows(
        model in prop::sample::select(vec!["flat", "package", "tiered"]),
        rate in decimal(10_000, 3),
        package in 1i64..1000,
        bounds in prop::collection::vec(1i64..1000, 0..4),
        rates in prop::collection::vec(0i64..10_000, 4),
        min in proptest::option::of(0i64..500),
        volumes in prop::collection::vec(0i64..100_000, 2..8),
    ) {
        let mut ups: Vec<i64> = bounds.clone();
        ups.sort_unstable();
        ups.dedup();
        let values: Vec<Value> = if model == "tiered" {
            let mut v: Vec<Value> = ups
                .iter()
                .zip(&rates)
                .map(|(u, r)| json!({"up_to": u, "volume_rate": Decimal::new(*r, 3).to_string()}))
                .collect();
            v.push(json!({"volume_rate": rate.to_string()}));
            v
        } else {
            let mut v = json!({"volume_rate": rate.to_string(), "package_size": package});
            if let Some(m) = min {
                v["min_amount"] = json!(m);
            }
            vec![v]
        };
        let engine = Engine::new(&json!({
            "products": [{"code": "p", "name": "P", "prices": [{
                "name": "v", "type": "usage_based", "billing_model": {"type": "real_time"},
                "pricing_model": model,
                "usage_calculation": {"event_type": "e", "usage_type": "volume", "volume_field": "n"},
                "pricing": [{"asset": "USD", "values": values}]
            }]}]
        }))
        .unwrap();
        let mut sorted = volumes.clone();
        sorted.sort_unstable();
        let options = QuoteOptions { at: Some(at()), explain: false, ..QuoteOptions::default() };
        let mut last = Decimal::MIN;
        for v in sorted {
            let event = Event::new("e").with("n", Scalar::Num(Decimal::new(v, 1)));
            let quote = engine.quote(&event, &options).unwrap();
            let amount = quote.fees[0].amount.value;
            prop_assert!(amount >= last, "volume {} cost {amount}, less than {last} for a smaller volume", Decimal::new(v, 1));
            last = amount;
        }
    }

    /// Graduated tiers price units, not events: an event of `n` units a `unit_aggregation`
    /// expression counts costs what the same units cost split over several events in a batch.
    #[test]
    fn graduated_units_cost_the_same_however_split(
        bounds in prop::collection::vec(1i64..60, 0..4),
        rates in prop::collection::vec(0i64..1_000, 5),
        parts in prop::collection::vec(0i64..25, 1..6),
    ) {
        let mut ups = bounds.clone();
        ups.sort_unstable();
        ups.dedup();
        let mut values: Vec<Value> = ups
            .iter()
            .zip(&rates)
            .map(|(u, r)| json!({"up_to": u, "unit_price": Decimal::new(*r, 2).to_string()}))
            .collect();
        values.push(json!({"unit_price": Decimal::new(rates[4], 2).to_string()}));
        let engine = Engine::new(&json!({
            "products": [{"code": "p", "name": "P", "prices": [{
                "name": "u", "type": "usage_based", "billing_model": {"type": "real_time"},
                "pricing_model": "tiered",
                "usage_calculation": {"event_type": "e", "usage_type": "unit", "unit_aggregation": "n"},
                "pricing": [{"asset": "USD", "values": values}]
            }]}]
        }))
        .unwrap();
        let options = QuoteOptions { at: Some(at()), explain: false, ..QuoteOptions::default() };
        let total: i64 = parts.iter().sum();
        let one = Event::new("e").with("n", Scalar::Num(Decimal::from(total)));
        let whole = engine.quote(&one, &options).unwrap().fees[0].amount.value;
        let events: Vec<Event> = parts
            .iter()
            .map(|n| Event::new("e").with("n", Scalar::Num(Decimal::from(*n))))
            .collect();
        let split: Decimal = engine
            .quote_many(&events, &options)
            .unwrap()
            .iter()
            .map(|q| q.fees[0].amount.value)
            .sum();
        prop_assert_eq!(whole, split, "{} units as {:?}", total, parts);
    }

    /// Same input, same output, through JSON and back.
    #[test]
    fn quotes_are_deterministic(seconds in 0i64..100_000, model in "[a-z]{1,6}") {
        let catalog = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/tutorial-catalog.json")).unwrap();
        let a = Engine::from_json(&catalog).unwrap();
        let b = Engine::from_json(&catalog).unwrap();
        let text = json!({"event_type": "image_generated", "occurred_at": "2026-03-01T00:00:00Z",
                          "data": {"model": model, "minutes": Decimal::new(seconds, 2).to_string()}}).to_string();
        let event = Event::from_json(&text).unwrap();
        let options = QuoteOptions { express_in: vec!["CREDIT".into(), "USD".into()], ..QuoteOptions::default() };
        let qa = serde_json::to_string(&a.quote(&event, &options).unwrap()).unwrap();
        let qb = serde_json::to_string(&b.quote(&event, &options).unwrap()).unwrap();
        prop_assert_eq!(qa, qb);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// A number from JavaScript or Python reads as the JSON path reads the text they write for
    /// it (their shortest round-trip digits, which Rust's `{}` also prints, without exponents),
    /// and that is the decimal those digits name, as the plain reference below reads them.
    #[test]
    fn numbers_read_as_the_json_path_reads_their_text(bits in any::<u64>(), small in -100_000_000i64..100_000_000, places in 0u32..12, e in -40i32..40) {
        for x in [f64::from_bits(bits), small as f64 / 10f64.powi(places as i32), (small as f64) * 10f64.powi(e)] {
            if !x.is_finite() {
                continue;
            }
            let reference = match ratecard::parse_decimal(&x.to_string()) {
                Ok(d) => Scalar::Num(d.normalize()),
                Err((_, message)) => Scalar::Invalid(message),
            };
            let fast = ratecard::event::scalar_from_double(x);
            if let (Scalar::Num(a), Scalar::Num(b)) = (&fast, &reference) {
                if a != b {
                    // Two shortest texts equally close to the double: Rust's formatter picks
                    // the upper, JavaScript and Python (and ratecard) the even last digit.
                    let (ta, tb) = (a.to_string(), b.to_string());
                    prop_assert_eq!(ta.len(), tb.len(), "{}", x);
                    prop_assert_eq!(ta.parse::<f64>().unwrap(), x);
                    let last = ta.bytes().last().unwrap() - b'0';
                    prop_assert!(last % 2 == 0, "{} {} {}", x, ta, tb);
                    prop_assert_eq!((*a - Decimal::from_f64_retain(x).unwrap()).abs(), (*b - Decimal::from_f64_retain(x).unwrap()).abs());
                    continue;
                }
                prop_assert_eq!(a.to_string(), b.to_string(), "{}", x);
            }
            prop_assert_eq!(&fast, &reference, "{}", x);
            let text = format!("{x}");
            let want: Scalar<'_> = serde_json::from_str(&text).unwrap();
            let got = ratecard::event::scalar_from_f64(x);
            prop_assert_eq!(&got, &want, "{}", x);
            if let (Scalar::Num(a), Scalar::Num(b)) = (&got, &want) {
                // The same digits, not only the same value: volumes are echoed as text.
                prop_assert_eq!(a.to_string(), b.to_string(), "{}", x);
            }
        }
    }
}

/// Any JSON value: the shapes a fuzzer or a careless caller might send.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[a-zA-Z0-9_*. -]{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "USD",
            "IMG",
            "usage_based",
            "unit",
            "volume",
            "tiered",
            "bulk",
            "package",
            "*",
            "real_time",
            "1e400",
            "NaN",
            "-0",
            "2026-02-26T15:51:28.071Z",
            "99999999999999999999999999999",
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        let keys = prop::sample::select(vec![
            "assets",
            "products",
            "code",
            "name",
            "precision",
            "rates",
            "source",
            "rate",
            "inverse_rate",
            "valid_from",
            "valid_to",
            "schedule",
            "prices",
            "type",
            "billing_model",
            "usage_calculation",
            "event_type",
            "usage_type",
            "volume_field",
            "pricing",
            "asset",
            "values",
            "unit_price",
            "volume_rate",
            "package_size",
            "up_to",
            "min_amount",
            "max_amount",
            "dimensions",
            "pricing_model",
            "tiering",
            "billable_dimensions",
            "symbol",
            "settings",
            "rounding",
            "data",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..6).prop_map(|m| Value::Object(
                m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    /// Arbitrary JSON never panics: validate, build an engine, quote arbitrary events.
    #[test]
    fn arbitrary_json_never_panics(catalog in arbitrary_json(), event in arbitrary_json(), options in arbitrary_json()) {
        let report = ratecard::validate(&catalog);
        let engine = Engine::new(&catalog);
        prop_assert_eq!(report.valid, engine.is_ok());
        let text = event.to_string();
        if let (Ok(engine), Ok(event)) = (engine, Event::from_json(&text)) {
            let options = QuoteOptions::from_value(&options).unwrap_or_default();
            let _ = engine.quote(&event, &QuoteOptions { now: Some(at()), ..options });
            let _ = engine.convert(Decimal::new(12345, 2), "USD", "IMG", at());
        }
    }

    /// Arbitrary text never panics the JSON entry points.
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let _ = ratecard::validate_json(&text);
        let _ = Event::many_from_json(&text);
        let _ = QuoteOptions::from_json(&text);
        let _ = ratecard::parse_decimal(&text);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let err = ratecard::validate_json(&deep).unwrap_err();
    assert_eq!(err.code(), "invalid_json");
    let deep_event = format!(
        "{{\"event_type\":\"e\",\"data\":{{\"x\":{}{}}}}}",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    // The nested value is skipped without recursion and reported as the wrong type.
    let err = Event::from_json(&deep_event).unwrap_err();
    assert_eq!(err.code(), "invalid_event");
    assert_eq!(err.issues[0].path, "data.x");
}

#[test]
fn huge_catalog_validates() {
    let price = |i: usize| {
        json!({
            "name": format!("p{i}"), "type": "usage_based", "billing_model": {"type": "real_time"},
            "usage_calculation": {"event_type": format!("e{}", i % 50), "usage_type": "unit"},
            "pricing": [{"asset": "USD", "values": [{"unit_price": "0.01"}]}]
        })
    };
    let catalog = json!({"products": [{"code": "big", "name": "Big", "prices": (0..5000).map(price).collect::<Vec<_>>()}]});
    let report = ratecard::validate(&catalog);
    assert!(report.valid, "{:?}", report.errors.first());
}

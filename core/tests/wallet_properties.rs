//! Invariants of wallet previews, for any wallet and any run of events (proptest).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use ratecard::{Decimal, Engine, Event, PreviewOptions};
use serde_json::{json, Value};
use std::str::FromStr;

fn engine() -> Engine {
    let price = |name: &str, event: &str, values: Value, volume: Option<&str>| {
        let mut uc = json!({"event_type": event, "usage_type": if volume.is_some() { "volume" } else { "unit" }});
        if let Some(v) = volume {
            uc["volume_field"] = json!(v);
        }
        json!({"name": name, "type": "usage_based", "billing_model": {"type": "real_time"},
               "usage_calculation": uc, "pricing": [{"asset": "CR", "values": [values]}]})
    };
    Engine::new(&json!({
        "assets": [{"code": "CR", "name": "Credits", "precision": 2, "rates": [{"source": "USD", "inverse_rate": 3}]}],
        "products": [{"name": "P", "code": "p", "prices": [
            price("Image", "image", json!({"unit_price": "5"}), None),
            price("Video", "video", json!({"volume_rate": "1.25"}), Some("seconds")),
        ]}]
    }))
    .unwrap()
}

fn day(d: u32) -> String {
    format!("2026-03-{:02}T00:00:00Z", d.clamp(1, 28))
}

/// A grant: amount in cents, purpose, optional priority, optional expiry day, effective day.
fn grant() -> impl Strategy<Value = Value> {
    (
        0i64..5_000,
        prop::sample::select(vec!["promotion", "bundled", "paid", "gift"]),
        prop::option::of(0i64..3),
        prop::option::of(1u32..28),
        1u32..10,
    )
        .prop_map(|(cents, purpose, priority, expires, effective)| {
            json!({"available": Decimal::new(cents, 2).to_string(), "purpose": purpose, "priority": priority,
                   "expires_at": expires.map(day), "effective_at": day(effective)})
        })
}

fn event() -> impl Strategy<Value = Value> {
    (any::<bool>(), 0i64..2_000, 1u32..28).prop_map(|(image, tenths, d)| {
        if image {
            json!({"event_type": "image", "occurred_at": day(d)})
        } else {
            json!({"event_type": "video", "occurred_at": day(d), "data": {"seconds": Decimal::new(tenths, 1).to_string()}})
        }
    })
}

fn d(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap()).unwrap()
}

/// A one-account wallet of `grants` (named g0, g1, ...) and `extra_cents` held by no grant:
/// the wallet read, its warnings, and its balance.
fn wallet_of(
    engine: &Engine,
    grants: Vec<Value>,
    extra_cents: i64,
) -> (ratecard::Wallet, Vec<ratecard::Issue>, Decimal) {
    let grants: Vec<Value> = grants
        .into_iter()
        .enumerate()
        .map(|(i, mut g)| {
            g["id"] = json!(format!("g{i}"));
            g
        })
        .collect();
    let held: Decimal = grants.iter().map(|g| d(&g["available"])).sum();
    let available = held + Decimal::new(extra_cents, 2);
    let wallet = json!({"accounts": [{"asset": "CR", "available": available.to_string(), "grants": grants}]});
    let (wallet, warnings) = engine.read_wallet(&wallet).unwrap();
    (wallet, warnings, available)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// Every charge is drawn or short, never both more nor less; no grant gives more than it
    /// holds; the balance after is what was there less every charge and every expired
    /// leftover; a top-up buys at least the shortfall.
    #[test]
    fn charges_are_drawn_or_short_exactly(
        grants in prop::collection::vec(grant(), 0..6),
        extra_cents in 0i64..3_000,
        events in prop::collection::vec(event(), 0..25),
    ) {
        let engine = engine();
        let (wallet, warnings, available) = wallet_of(&engine, grants, extra_cents);
        let text = Value::Array(events).to_string();
        let events = Event::many_from_json(&text).unwrap();
        let preview = engine.preview(&wallet, warnings, &events, &PreviewOptions::default()).unwrap();
        let p = serde_json::to_value(&preview).unwrap();
        let mut drawn: std::collections::HashMap<String, Decimal> = Default::default();
        let mut charged = Decimal::ZERO;
        for e in p["events"].as_array().unwrap() {
            let total = e["quote"]["totals"].get("CR").map_or(Decimal::ZERO, d);
            let draws: Decimal = e["draws"].as_array().unwrap().iter().map(|x| d(&x["amount"])).sum();
            let short = e["shortfall"].get("CR").map_or(Decimal::ZERO, d);
            prop_assert_eq!(draws + short, total);
            for x in e["draws"].as_array().unwrap() {
                let key = x["grant"].as_str().unwrap_or("-").to_string();
                *drawn.entry(key).or_default() += d(&x["amount"]);
            }
            charged += total;
        }
        let last = events.iter().filter_map(|e| e.occurred_at).max();
        let mut expired = Decimal::ZERO;
        for g in wallet.accounts[0].grants.iter() {
            let used = drawn.get(&g.id).copied().unwrap_or_default();
            prop_assert!(used <= g.available, "grant {} gave {} of {}", g.id, used, g.available);
            if let (Some(t), Some(x)) = (last, g.expires_at) {
                if x <= t {
                    expired += g.available - used;
                }
            }
        }
        let after = d(&p["accounts"][0]["available_after"]);
        prop_assert_eq!(after, available - charged - expired);
        if let Some(top_up) = p["top_up"].get("CR") {
            prop_assert!(d(&top_up["buys"]) >= d(&p["shortfall"]["CR"]));
            prop_assert!(d(&top_up["amount"]) * Decimal::from(3) >= d(&p["shortfall"]["CR"]));
        }
        prop_assert_eq!(p["covered"].as_bool().unwrap(), p["shortfall"].as_object().unwrap().is_empty());
    }

    /// An overdraft limit no event reaches changes nothing: the preview that checks each
    /// event against it first (two passes) draws exactly what the one without a limit (one
    /// pass) draws, to the last grant and digit.
    #[test]
    fn a_limit_never_reached_draws_as_none(
        grants in prop::collection::vec(grant(), 0..6),
        extra_cents in 0i64..3_000,
        events in prop::collection::vec(event(), 0..25),
    ) {
        let engine = engine();
        let (wallet, warnings, _) = wallet_of(&engine, grants, extra_cents);
        let text = Value::Array(events).to_string();
        let events = Event::many_from_json(&text).unwrap();
        let free = engine.preview(&wallet, warnings.clone(), &events, &PreviewOptions::default()).unwrap();
        let limited = PreviewOptions {
            overdraft: ratecard::wallet::Overdraft::Limits(vec![("CR".into(), Decimal::from(1_000_000))]),
            ..PreviewOptions::default()
        };
        let checked = engine.preview(&wallet, warnings, &events, &limited).unwrap();
        prop_assert_eq!(serde_json::to_value(&free).unwrap(), serde_json::to_value(&checked).unwrap());
    }

    /// Any wallet-shaped JSON, however wrong its values, is read or refused, never a panic;
    /// with any options, a preview answers or fails.
    #[test]
    fn arbitrary_wallets_never_panic(
        amounts in prop::collection::vec(prop::sample::select(vec![
            json!("79228162514264337593543950335"), json!("-79228162514264337593543950335"), json!(1e300),
            json!("0.0000000000000000000000000001"), json!("abc"), json!(null), json!(-5), json!([1]), json!("1e28"),
        ]), 1..6),
        limit in prop::sample::select(vec![json!("refuse"), json!({"CR": "79228162514264337593543950335"}), json!({"CR": -1}), json!(7)]),
    ) {
        let engine = engine();
        let grants: Vec<Value> = amounts.iter().skip(1).enumerate()
            .map(|(i, a)| json!({"id": format!("g{i}"), "available": a, "purpose": "paid"})).collect();
        let wallet = json!({"accounts": [{"asset": "CR", "available": amounts[0], "grants": grants}]});
        let options = json!({"overdraft": limit, "auto_top_up": {"CR": {"threshold": "79228162514264337593543950335", "amount": "79228162514264337593543950335", "currency": "USD"}}});
        if let (Ok((wallet, warnings)), Ok(options)) = (engine.read_wallet(&wallet), PreviewOptions::from_value(&engine, &options)) {
            let text = json!([{"event_type": "video", "occurred_at": day(3), "data": {"seconds": "79228162514264337593543950"}},
                              {"event_type": "image", "occurred_at": day(4)}]).to_string();
            let events = Event::many_from_json(&text).unwrap();
            let _ = engine.preview(&wallet, warnings, &events, &options);
        }
    }
}

fn volume_engine(model: &str, rate: Decimal, package: u32, min: Option<Decimal>) -> Engine {
    let mut value = json!({"volume_rate": rate.to_string(), "package_size": package});
    if let Some(m) = min {
        value["min_amount"] = json!(m.to_string());
    }
    Engine::new(&json!({
        "assets": [{"code": "CR", "name": "Credits", "precision": 1, "rates": [{"source": "USD", "rate": "0.1"}]}],
        "products": [{"name": "P", "code": "p", "prices": [{"name": "V", "type": "usage_based",
            "billing_model": {"type": "real_time"}, "pricing_model": model,
            "usage_calculation": {"event_type": "v", "usage_type": "volume", "volume_field": "n"},
            "pricing": [{"asset": "CR", "values": [value]}]}]}]
    }))
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    /// The largest volume covered fits and one step more does not; the count of such events
    /// fits and one more does not: through package rounding, minimums and the asset's rounding.
    #[test]
    fn the_answer_fits_and_one_more_does_not(
        package in prop::bool::ANY,
        rate in 1i64..5_000,
        size in 1u32..90,
        min in prop::option::of(0i64..500),
        held in 0i64..100_000,
        step in prop::sample::select(vec!["1", "0.5", "0.01"]),
    ) {
        let model = if package { "package" } else { "flat" };
        let engine = volume_engine(model, Decimal::new(rate, 2), size, min.map(|m| Decimal::new(m, 1)));
        let held = Decimal::new(held, 1);
        let wallet = json!({"accounts": [{"asset": "CR", "available": held.to_string()}]});
        let (wallet, _) = engine.read_wallet(&wallet).unwrap();
        let text = json!({"event_type": "v", "occurred_at": "2026-03-01T00:00:00Z", "data": {"n": 7}}).to_string();
        let event = Event::from_json(&text).unwrap();
        let options = PreviewOptions { volume_step: Some(Decimal::from_str(step).unwrap()), ..PreviewOptions::default() };
        let answer = engine.affordable(&wallet, &event, &options).unwrap();
        let cost_of = |n: Decimal| {
            let text = json!({"event_type": "v", "occurred_at": "2026-03-01T00:00:00Z", "data": {"n": n.to_string()}}).to_string();
            let e = Event::from_json(&text).unwrap();
            let q = engine.quote(&e, &options.quote).unwrap();
            q.totals.get("CR").map_or(Decimal::ZERO, |a| a.value)
        };
        match &answer.volume {
            Some(v) => {
                prop_assert!(cost_of(v.value) <= held);
                prop_assert!(cost_of(v.value + Decimal::from_str(step).unwrap()) > held);
            }
            None => prop_assert!(cost_of(Decimal::ZERO) > held),
        }
        let one = answer.quote.totals.get("CR").map_or(Decimal::ZERO, |a| a.value);
        if let Some(n) = answer.count {
            prop_assert!(n * one <= held);
            prop_assert!((n + Decimal::ONE) * one > held);
        } else {
            prop_assert_eq!(one, Decimal::ZERO);
        }
    }
}

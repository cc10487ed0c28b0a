//! The engine against an exact reference model (`support/reference.rs`): random catalogs,
//! batches and options are quoted by the engine's public API and by the model, which computes
//! with big rationals and rounds once, and every fee, equivalent, total and error must agree.
//! A second property does the same for `Engine::convert`.
//!
//! ```text
//! cargo test -p ratecard --test exact_reference                         # 2048 + 2048 cases
//! PROPTEST_CASES=5000 cargo test -p ratecard --test exact_reference     # longer runs
//! EXACT_REFERENCE_PLAIN=1 cargo test ...    # decimals only in plain spelling (no 1e-3, 1.000…)
//! ```
//!
//! The `model_*` tests check the model itself against hand-computed answers; the `engine_*`
//! tests pin one minimal case of each kind of difference found against the engine.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/reference.rs"]
mod reference;

use proptest::option::weighted;
use proptest::prelude::*;
use proptest::sample::select;
use reference::{
    allocate, check_converts, check_quotes, fixed, parse_decimal, representable, round, show,
    spell, AssetRef, AssetSpec, Basis, CatalogSpec, ConvertScenario, ConvertSpec, EventSpec, Mode,
    Model, NumText, OptionsSpec, Period, PriceSpec, PricingModel, RateValueSpec, Scenario,
    SourceSpec, Usage, ValueSpec, EXACT_PAIRS, POISON, Q, SPECIAL,
};

/// `PROPTEST_CASES` if set, else `default`.
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// `(digits, scale)`: the value `digits × 10^-scale`, 1 to 29 significant digits.
fn magnitude() -> BoxedStrategy<(String, u32)> {
    prop_oneof![
        6 => ("[1-9][0-9]{0,2}", 0u32..=4),
        2 => ("[1-9][0-9]{0,27}", 0u32..=28),
        1 => ("[1-9]", 0u32..=28),
        1 => ("[1-9][0-9]{18,27}", 0u32..=28),
        2 => select(SPECIAL).prop_map(|(d, s)| (d.to_string(), s)),
    ]
    .boxed()
}

/// The spelling of generated decimals; `EXACT_REFERENCE_PLAIN=1` keeps them plain (to look
/// past differences in reading decimal text).
fn form() -> BoxedStrategy<u8> {
    if std::env::var_os("EXACT_REFERENCE_PLAIN").is_some_and(|v| v != "0") {
        return Just(0u8).boxed();
    }
    prop_oneof![14 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8), 1 => Just(3u8), 1 => Just(4u8)]
        .boxed()
}

fn positive() -> BoxedStrategy<NumText> {
    prop_oneof![
        12 => (magnitude(), form(), 1usize..=3)
            .prop_map(|((d, s), f, z)| NumText::Str(spell(&d, s, f, z))),
        1 => (1u64..=1000).prop_map(NumText::Int),
    ]
    .boxed()
}

fn non_negative() -> BoxedStrategy<NumText> {
    prop_oneof![1 => Just(NumText::s("0")), 9 => positive()].boxed()
}

/// Sometimes a value no decimal holds.
fn or_poison(s: BoxedStrategy<NumText>) -> BoxedStrategy<NumText> {
    prop_oneof![400 => s, 1 => select(POISON).prop_map(NumText::s)].boxed()
}

/// Mostly whole numbers: tier widths, package sizes, prior usage.
fn count() -> BoxedStrategy<NumText> {
    prop_oneof![
        4 => (1u64..=200).prop_map(|n| NumText::Str(n.to_string())),
        1 => (1u64..=20).prop_map(NumText::Int),
        2 => positive(),
    ]
    .boxed()
}

fn package_size() -> BoxedStrategy<NumText> {
    prop_oneof![
        3 => select(&["60", "1000", "1", "0.5", "3", "1e-28"][..]).prop_map(NumText::s),
        1 => positive(),
    ]
    .boxed()
}

fn rate_value() -> BoxedStrategy<RateValueSpec> {
    let num = || or_poison(positive());
    prop_oneof![
        4 => num().prop_map(|r| RateValueSpec { rate: Some(r), inverse_rate: None }),
        3 => num().prop_map(|i| RateValueSpec { rate: None, inverse_rate: Some(i) }),
        1 => select(EXACT_PAIRS).prop_map(|(r, i)| RateValueSpec {
            rate: Some(NumText::s(r)),
            inverse_rate: Some(NumText::s(i)),
        }),
    ]
    .boxed()
}

fn fiat() -> BoxedStrategy<usize> {
    prop_oneof![8 => Just(0usize), 2 => Just(1usize), 1 => Just(2usize), 1 => Just(3usize)].boxed()
}

fn source(fiat: BoxedStrategy<usize>) -> BoxedStrategy<SourceSpec> {
    // Shapes 1 and 3 leave times without a rate (no_rate): rarer.
    let shape =
        prop_oneof![8 => Just(0u8), 1 => Just(1u8), 2 => Just(2u8), 1 => Just(3u8), 2 => Just(4u8)];
    (fiat, shape, rate_value(), rate_value())
        .prop_map(|(fiat, shape, first, second)| SourceSpec {
            fiat,
            shape,
            first,
            second,
        })
        .boxed()
}

fn precision(eighteen: u32) -> BoxedStrategy<Option<u32>> {
    prop_oneof![
        1 => Just(None),
        4 => (0u32..=18).prop_map(Some),
        eighteen => Just(Some(18)),
        1 => Just(Some(0)),
    ]
    .boxed()
}

/// An asset with one or two fiat sources, the first mostly USD (assets without a common
/// source cannot express each other: no_rate).
fn asset(eighteen: u32) -> BoxedStrategy<AssetSpec> {
    let first = prop_oneof![4 => Just(0usize), 1 => fiat()].boxed();
    (
        precision(eighteen),
        source(first),
        weighted(0.4, source(fiat())),
    )
        .prop_map(|(precision, first, second)| AssetSpec {
            precision,
            sources: std::iter::once(first).chain(second).collect(),
        })
        .boxed()
}

/// Mostly custom assets and USD: two fiat currencies never convert, so other fiat currencies
/// would end many cases with no_rate.
fn asset_ref() -> BoxedStrategy<AssetRef> {
    prop_oneof![
        6 => (0usize..3).prop_map(AssetRef::Custom),
        3 => Just(AssetRef::Fiat(0)),
        1 => (1usize..4).prop_map(AssetRef::Fiat),
    ]
    .boxed()
}

fn mode() -> BoxedStrategy<Mode> {
    select(&Mode::ALL[..]).boxed()
}

fn value_spec() -> BoxedStrategy<ValueSpec> {
    let price = || or_poison(non_negative());
    (
        or_poison(count()),
        weighted(0.85, price()),
        weighted(0.85, price()),
        weighted(0.4, or_poison(package_size())),
        weighted(0.15, price()),
        weighted(0.15, price()),
    )
        .prop_map(
            |(up_to, unit_price, volume_rate, package_size, min_amount, max_amount)| ValueSpec {
                up_to: Some(up_to),
                unit_price,
                volume_rate,
                package_size,
                min_amount,
                max_amount,
            },
        )
        .boxed()
}

fn price() -> BoxedStrategy<PriceSpec> {
    let usage = select(&[Usage::Unit, Usage::Volume, Usage::UnitAndVolume][..]);
    let model = prop_oneof![
        3 => Just(PricingModel::Flat),
        1 => Just(PricingModel::Package),
        3 => Just(PricingModel::Tiered),
        2 => Just(PricingModel::Bulk),
    ];
    let basis = weighted(
        0.5,
        select(&[Basis::Unit, Basis::Volume, Basis::Package][..]),
    );
    let period = weighted(
        0.3,
        select(
            &[
                Period::Monthly,
                Period::Quarterly,
                Period::Yearly,
                Period::Lifetime,
            ][..],
        ),
    );
    (
        0usize..2,
        prop_oneof![3 => Just(0usize), 2 => Just(1usize)],
        usage,
        0usize..2,
        model,
        basis,
        period,
        asset_ref(),
        proptest::collection::vec(value_spec(), 1..=4),
        proptest::bool::weighted(0.3),
    )
        .prop_map(
            |(product, event, usage, field, model, basis, period, asset, values, last_bounded)| {
                PriceSpec {
                    product,
                    event,
                    usage,
                    field,
                    model,
                    basis,
                    period,
                    asset,
                    values,
                    last_bounded,
                }
            },
        )
        .boxed()
}

fn settings(modes: BoxedStrategy<Mode>) -> BoxedStrategy<Vec<(AssetRef, Mode)>> {
    proptest::collection::vec((asset_ref(), modes), 0..=2).boxed()
}

fn catalog() -> BoxedStrategy<CatalogSpec> {
    (
        proptest::collection::vec(asset(1), 1..=3),
        proptest::collection::vec(price(), 1..=3),
        settings(mode()),
        settings(mode()),
    )
        .prop_map(
            |(assets, prices, rounding, conversion_rounding)| CatalogSpec {
                assets,
                prices,
                rounding,
                conversion_rounding,
            },
        )
        .boxed()
}

fn volume() -> BoxedStrategy<NumText> {
    prop_oneof![200 => non_negative(), 1 => select(POISON).prop_map(NumText::s)].boxed()
}

fn event() -> BoxedStrategy<EventSpec> {
    (
        prop_oneof![5 => Just(0usize), 3 => Just(1usize), 1 => Just(2usize)],
        prop_oneof![8 => 0usize..=5, 1 => 6usize..=7],
        proptest::array::uniform2(weighted(0.92, volume())),
    )
        .prop_map(|(event, at, data)| EventSpec { event, at, data })
        .boxed()
}

fn options() -> BoxedStrategy<OptionsSpec> {
    let target = || (asset_ref(), proptest::bool::weighted(0.2));
    let express = prop_oneof![
        3 => Just(Vec::new()),
        5 => proptest::collection::vec(target(), 1..=1),
        2 => proptest::collection::vec(target(), 2..=3),
    ];
    let prior = prop_oneof![
        3 => Just(Vec::new()),
        2 => proptest::collection::vec((0usize..3, prop_oneof![4 => count(), 1 => non_negative()]), 1..=2),
    ];
    (weighted(0.25, 0usize..8), express, prior, any::<bool>())
        .prop_map(|(at, express_in, prior_usage, explain)| OptionsSpec {
            at,
            express_in,
            prior_usage,
            explain,
        })
        .boxed()
}

fn scenario() -> BoxedStrategy<Scenario> {
    (
        catalog(),
        proptest::collection::vec(event(), 1..=5),
        options(),
    )
        .prop_map(|(catalog, events, options)| {
            let mut s = Scenario {
                catalog,
                events,
                options,
            };
            s.normalize();
            s
        })
        .boxed()
}

fn convert_scenario() -> BoxedStrategy<ConvertScenario> {
    let amount = prop_oneof![
        4 => (1u128..=100_000, 0u32..=4),
        2 => (any::<u128>(), 0u32..=28),
        1 => (Just((1u128 << 96) - 1), 0u32..=28),
        1 => (Just(1u128), 0u32..=28),
        1 => Just((0u128, 0u32)),
    ];
    let custom = || (0usize..3).prop_map(AssetRef::Custom);
    let fiat =
        || prop_oneof![3 => Just(AssetRef::Fiat(0)), 1 => (1usize..4).prop_map(AssetRef::Fiat)];
    let pair = prop_oneof![
        3 => (custom(), custom()),
        3 => (fiat(), custom()),
        3 => (custom(), fiat()),
        1 => custom().prop_map(|a| (a, a)),
        1 => (fiat(), fiat()),
    ];
    let conversion =
        (amount, pair, 0usize..8).prop_map(|((mantissa, scale), (from, to), at)| ConvertSpec {
            mantissa,
            scale,
            from,
            to,
            at,
        });
    let units_bought = prop_oneof![2 => Just(Mode::Down), 2 => Just(Mode::Floor), 3 => mode()];
    (
        proptest::collection::vec(asset(3), 1..=3),
        settings(mode()),
        settings(units_bought.boxed()),
        proptest::collection::vec(conversion, 1..=6),
    )
        .prop_map(|(assets, rounding, conversion_rounding, conversions)| {
            let mut s = ConvertScenario {
                catalog: CatalogSpec {
                    assets,
                    prices: Vec::new(),
                    rounding,
                    conversion_rounding,
                },
                conversions,
            };
            s.normalize();
            s
        })
        .boxed()
}

proptest! {
    #![proptest_config(config(2048))]

    /// Every quote of a random catalog, batch and options is the model's, to the last digit.
    #[test]
    fn quotes_match_the_reference(s in scenario()) {
        if let Err(e) = check_quotes(&s) {
            return Err(TestCaseError::fail(e));
        }
    }

    /// Every conversion is the model's: one exact fraction, rounded once.
    #[test]
    fn conversions_match_the_reference(s in convert_scenario()) {
        if let Err(e) = check_converts(&s) {
            return Err(TestCaseError::fail(e));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The model checked by hand
// ---------------------------------------------------------------------------------------------

fn d(text: &str) -> Q {
    parse_decimal(text).unwrap()
}

fn n(text: &str) -> Option<NumText> {
    Some(NumText::s(text))
}

fn usd_source(rate: Option<&str>, inverse: Option<&str>) -> SourceSpec {
    let value = RateValueSpec {
        rate: rate.map(NumText::s),
        inverse_rate: inverse.map(NumText::s),
    };
    SourceSpec {
        fiat: 0,
        shape: 0,
        first: value.clone(),
        second: value,
    }
}

fn custom(precision: u32, rate: Option<&str>, inverse: Option<&str>) -> AssetSpec {
    AssetSpec {
        precision: Some(precision),
        sources: vec![usd_source(rate, inverse)],
    }
}

fn price_of(
    usage: Usage,
    model: PricingModel,
    asset: AssetRef,
    values: Vec<ValueSpec>,
) -> PriceSpec {
    PriceSpec {
        product: 0,
        event: 0,
        usage,
        field: 0,
        model,
        basis: None,
        period: None,
        asset,
        values,
        last_bounded: false,
    }
}

fn unit_price(asset: AssetRef, price: &str) -> PriceSpec {
    let value = ValueSpec {
        unit_price: n(price),
        ..ValueSpec::default()
    };
    price_of(Usage::Unit, PricingModel::Flat, asset, vec![value])
}

fn volume_price(model: PricingModel, rate: &str, package: Option<&str>) -> PriceSpec {
    let value = ValueSpec {
        volume_rate: n(rate),
        package_size: package.map(NumText::s),
        ..ValueSpec::default()
    };
    price_of(Usage::Volume, model, AssetRef::Fiat(0), vec![value])
}

/// Tiers `(up_to, volume_rate)` as given (already bounds, not widths).
fn tiers(model: PricingModel, list: &[(Option<&str>, &str)]) -> PriceSpec {
    let values = list
        .iter()
        .map(|(up, rate)| ValueSpec {
            up_to: up.map(NumText::s),
            volume_rate: n(rate),
            ..ValueSpec::default()
        })
        .collect();
    price_of(Usage::Volume, model, AssetRef::Fiat(0), values)
}

fn catalog_of(assets: Vec<AssetSpec>, prices: Vec<PriceSpec>) -> CatalogSpec {
    CatalogSpec {
        assets,
        prices,
        rounding: Vec::new(),
        conversion_rounding: Vec::new(),
    }
}

fn event_with(volume: Option<&str>, at: usize) -> EventSpec {
    EventSpec {
        event: 0,
        at,
        data: [volume.map(NumText::s), None],
    }
}

fn options_in(express: &[AssetRef]) -> OptionsSpec {
    OptionsSpec {
        at: None,
        express_in: express.iter().map(|a| (*a, false)).collect(),
        prior_usage: Vec::new(),
        explain: false,
    }
}

/// A scenario as written (no `normalize`: the hand-made specs are valid as they are).
fn scenario_of(catalog: CatalogSpec, events: Vec<EventSpec>, options: OptionsSpec) -> Scenario {
    Scenario {
        catalog,
        events,
        options,
    }
}

/// The model's quotes of a scenario, as `(fees, totals, equivalents)` text per quote.
fn model_quotes(s: &Scenario) -> Result<Vec<reference::QuoteOut>, reference::Fail> {
    let model = Model::build(&s.catalog)?;
    let options = model.options(&s.options, &s.catalog)?;
    let batch = model.quote_batch(&s.events, &options);
    match batch.failure {
        None => Ok(batch.quotes),
        Some((_, f)) => Err(f[0].clone()),
    }
}

fn amounts(list: &[(String, Q, u32)]) -> Vec<String> {
    list.iter()
        .map(|(c, v, p)| format!("{} {c}", fixed(v, *p)))
        .collect()
}

fn fee_amounts(quote: &reference::QuoteOut) -> Vec<String> {
    quote
        .fees
        .iter()
        .map(|f| format!("{} {}", fixed(&f.amount, f.precision), f.currency))
        .collect()
}

#[test]
fn model_parses_decimal_text_exactly() {
    assert_eq!(d("1e-28"), Q::new(1.into(), reference::pow10(28)));
    assert_eq!(d("100e-30"), d("0.0000000000000000000000000001"));
    assert_eq!(d("1.000000000000000000000000000000"), d("1"));
    assert_eq!(d(".5"), d("0.5"));
    assert_eq!(d("5."), d("5"));
    assert_eq!(d("-2.5E-3"), d("-0.0025"));
    assert_eq!(d("1.5e2"), d("150"));
    for bad in ["", ".", "e5", "1e", "1.2.3", "abc", " 1", "--1"] {
        assert_eq!(parse_decimal(bad), None, "{bad:?}");
    }
}

#[test]
fn model_knows_what_a_decimal_holds() {
    for ok in [
        "0",
        "1e-28",
        "79228162514264337593543950335",
        "7.9228162514264337593543950335",
        "0.4999999999999999999999999999",
        "2.9999999999999999999999999999",
        // 10^11 at 18 places has a 30-digit mantissa, but its trailing zeros can go.
        "100000000000.000000000000000000",
        "100e-30",
    ] {
        assert!(representable(&d(ok)), "{ok}");
    }
    for bad in [
        "1e-29",
        "79228162514264337593543950336",
        "99999999999.999999999999999999",
        "1.00000000000000000000000000001",
    ] {
        assert!(!representable(&d(bad)), "{bad}");
    }
    assert!(!representable(&(q1() / Q::from_integer(3.into()))));
}

fn q1() -> Q {
    d("1")
}

#[test]
fn model_rounds_in_each_mode() {
    let cases = [
        (Mode::HalfEven, "0.125", "0.12"),
        (Mode::HalfEven, "0.135", "0.14"),
        (Mode::HalfEven, "-0.125", "-0.12"),
        (Mode::HalfAwayFromZero, "0.125", "0.13"),
        (Mode::HalfAwayFromZero, "-0.125", "-0.13"),
        (
            Mode::HalfAwayFromZero,
            "0.1249999999999999999999999999",
            "0.12",
        ),
        (Mode::HalfTowardZero, "0.125", "0.12"),
        (
            Mode::HalfTowardZero,
            "0.1250000000000000000000000001",
            "0.13",
        ),
        (Mode::Down, "0.129", "0.12"),
        (Mode::Down, "-0.129", "-0.12"),
        (Mode::Up, "0.121", "0.13"),
        (Mode::Up, "0.12", "0.12"),
        (Mode::Floor, "-0.121", "-0.13"),
        (Mode::Floor, "0.129", "0.12"),
        (Mode::Ceiling, "-0.129", "-0.12"),
        (Mode::Ceiling, "0.121", "0.13"),
    ];
    for (mode, input, want) in cases {
        assert_eq!(show(&round(&d(input), 2, mode)), want, "{mode:?} {input}");
    }
    assert_eq!(show(&round(&d("2.5"), 0, Mode::HalfEven)), "2");
    assert_eq!(show(&round(&d("3.5"), 0, Mode::HalfEven)), "4");
    // 1/3 at 18 places, down.
    let third = q1() / Q::from_integer(3.into());
    assert_eq!(
        fixed(&round(&third, 18, Mode::Down), 18),
        "0.333333333333333333"
    );
}

#[test]
fn model_allocates_by_largest_remainder() {
    let third = q1() / Q::from_integer(3.into());
    let got = allocate(&d("1.00"), &[third.clone(), third.clone(), third], 2);
    let got: Vec<String> = got.iter().map(|x| fixed(x, 2)).collect();
    assert_eq!(got, ["0.34", "0.33", "0.33"]);
    // Equal remainders: the earlier part gets the unit.
    let got = allocate(&d("0.01"), &[d("0.005"), d("0.005")], 2);
    assert_eq!(got, [d("0.01"), d("0")]);
    // The larger remainder wins, wherever it is.
    let got = allocate(&d("0.01"), &[d("0.004"), d("0.006")], 2);
    assert_eq!(got, [d("0"), d("0.01")]);
    // Nothing left over: plain floors.
    let got = allocate(&d("0.20"), &[d("0.101"), d("0.099")], 2);
    assert_eq!(got, [d("0.10"), d("0.10")]);
}

/// Fees 0.02, 1.10 and 0.35 USD in an asset at rate 1.2 (precision 2, half_even): exactly
/// 1.47 / 1.2 = 1.225, a tie, which goes to the even 1.22. The fees' shares 1/60, 11/12 and
/// 7/24 floor to 0.01 + 0.91 + 0.29 = 1.21; the cent left goes to the largest remainder, and
/// the first two tie at 1/150, so the first fee gets it: 0.02, 0.91, 0.29.
fn tie_scenario() -> Scenario {
    let usd = AssetRef::Fiat(0);
    let prices = vec![
        unit_price(usd, "0.02"),
        unit_price(usd, "1.10"),
        unit_price(usd, "0.35"),
    ];
    scenario_of(
        catalog_of(vec![custom(2, Some("1.2"), None)], prices),
        vec![event_with(None, 0)],
        options_in(&[AssetRef::Custom(0)]),
    )
}

#[test]
fn model_rounds_the_exact_sum_of_equivalents_once() {
    let quotes = model_quotes(&tie_scenario()).unwrap();
    let q = &quotes[0];
    assert_eq!(fee_amounts(q), ["0.02 USD", "1.10 USD", "0.35 USD"]);
    assert_eq!(amounts(&q.totals), ["1.47 USD"]);
    assert_eq!(amounts(&q.equivalents), ["1.22 K0"]);
    let shares: Vec<String> = q
        .fees
        .iter()
        .map(|f| amounts(&f.equivalents).join(""))
        .collect();
    assert_eq!(shares, ["0.02 K0", "0.91 K0", "0.29 K0"]);
}

fn volume_scenario(price: PriceSpec, volume: &str) -> Scenario {
    scenario_of(
        catalog_of(vec![], vec![price]),
        vec![event_with(Some(volume), 0)],
        options_in(&[]),
    )
}

/// 0.4999999999999999999999999999 × 0.01 = 0.004999999999999999999999999999 USD: below half a
/// cent, so 0.00 (rounding the product to 28 places first would make it 0.005 and then 0.01).
fn below_half_cent() -> Scenario {
    volume_scenario(
        volume_price(PricingModel::Flat, "0.01", None),
        "0.4999999999999999999999999999",
    )
}

#[test]
fn model_rounds_28_digit_products_once() {
    let quotes = model_quotes(&below_half_cent()).unwrap();
    assert_eq!(fee_amounts(&quotes[0]), ["0.00 USD"]);
}

/// 1e-28 units with packages of 60: one whole package, 2.00 USD.
fn tiny_package() -> Scenario {
    volume_scenario(
        volume_price(PricingModel::Package, "2", Some("60")),
        "1e-28",
    )
}

#[test]
fn model_counts_a_sliver_as_one_package() {
    let quotes = model_quotes(&tiny_package()).unwrap();
    assert_eq!(fee_amounts(&quotes[0]), ["2.00 USD"]);
}

/// Graduated tiers bounded at 200: 250 units = 100 × 0.10 + 100 × 0.05 + 50 past the last
/// bound, still at 0.05: 17.50 USD.
fn past_the_last_tier() -> Scenario {
    volume_scenario(
        tiers(
            PricingModel::Tiered,
            &[(Some("100"), "0.10"), (Some("200"), "0.05")],
        ),
        "250",
    )
}

#[test]
fn model_prices_usage_past_a_bounded_last_tier_at_that_tier() {
    let quotes = model_quotes(&past_the_last_tier()).unwrap();
    assert_eq!(fee_amounts(&quotes[0]), ["17.50 USD"]);
    let bulk = volume_scenario(
        tiers(
            PricingModel::Bulk,
            &[(Some("100"), "0.10"), (Some("200"), "0.05")],
        ),
        "250",
    );
    assert_eq!(fee_amounts(&model_quotes(&bulk).unwrap()[0]), ["12.50 USD"]);
}

#[test]
fn model_carries_tier_usage_through_a_batch_from_the_prior_period() {
    // Unit tiers: first 2 events at 1.00, then 0.50. Prior usage 1 belongs to March; April
    // starts from zero.
    let mut price = price_of(
        Usage::Unit,
        PricingModel::Tiered,
        AssetRef::Fiat(0),
        vec![
            ValueSpec {
                up_to: n("2"),
                unit_price: n("1.00"),
                ..ValueSpec::default()
            },
            ValueSpec {
                unit_price: n("0.50"),
                ..ValueSpec::default()
            },
        ],
    );
    price.basis = Some(Basis::Unit);
    let mut options = options_in(&[]);
    options.prior_usage = vec![(0, NumText::s("1"))];
    let s = scenario_of(
        catalog_of(vec![], vec![price]),
        vec![
            event_with(None, 0),
            event_with(None, 3),
            event_with(None, 6),
        ],
        options,
    );
    let quotes = model_quotes(&s).unwrap();
    let got: Vec<Vec<String>> = quotes.iter().map(fee_amounts).collect();
    assert_eq!(got, [["1.00 USD"], ["0.50 USD"], ["1.00 USD"]]);
}

#[test]
fn model_clamps_then_rounds() {
    let mut price = volume_price(PricingModel::Flat, "0.01", None);
    price.values[0].min_amount = n("0.505");
    price.values[0].max_amount = n("5.00");
    let low = volume_scenario(price.clone(), "5");
    assert_eq!(fee_amounts(&model_quotes(&low).unwrap()[0]), ["0.51 USD"]);
    let high = volume_scenario(price, "1000");
    assert_eq!(fee_amounts(&model_quotes(&high).unwrap()[0]), ["5.00 USD"]);
}

#[test]
fn model_fails_when_a_rounded_fee_does_not_fit() {
    let k18 = |rate: &str| {
        let mut p = volume_price(PricingModel::Flat, rate, None);
        p.asset = AssetRef::Custom(0);
        catalog_of(vec![custom(18, Some("1"), None)], vec![p])
    };
    // 33333333333.333333333333333333 × 3 = 99999999999.999999999999999999: 29 nines at 18
    // places, more than 96 bits.
    let s = scenario_of(
        k18("3"),
        vec![event_with(Some("33333333333.333333333333333333"), 0)],
        options_in(&[]),
    );
    assert_eq!(model_quotes(&s).unwrap_err().code, "decimal_overflow");
    // 10^11 at 18 places fits: its trailing zeros can go.
    let s = scenario_of(
        k18("1"),
        vec![event_with(Some("100000000000"), 0)],
        options_in(&[]),
    );
    let quotes = model_quotes(&s).unwrap();
    assert_eq!(
        fee_amounts(&quotes[0]),
        ["100000000000.000000000000000000 K0"]
    );
}

#[test]
fn model_converts_through_the_first_shared_source() {
    // K0: EUR first (from 2026-03-10 only), then USD 0.10; K1: USD inverse 3, EUR 2.
    let k0 = AssetSpec {
        precision: Some(2),
        sources: vec![
            SourceSpec {
                fiat: 1,
                shape: 1,
                ..usd_source(Some("5"), None)
            },
            usd_source(Some("0.10"), None),
        ],
    };
    let k1 = AssetSpec {
        precision: Some(0),
        sources: vec![
            usd_source(None, Some("3")),
            SourceSpec {
                fiat: 1,
                ..usd_source(Some("2"), None)
            },
        ],
    };
    let model = Model::build(&catalog_of(vec![k0, k1], vec![])).unwrap();
    let (k0, k1) = (AssetRef::Custom(0), AssetRef::Custom(1));
    let at = |i: usize| reference::INSTANTS[i];
    // March 1: EUR not yet in force for K0, so through USD: 10 K0 = 1 USD = 3 K1.
    assert_eq!(model.convert(&d("10"), k0, k1, at(0)), Ok(d("3")));
    // March 10: EUR first: 10 K0 = 50 EUR = 25 K1.
    assert_eq!(model.convert(&d("10"), k0, k1, at(2)), Ok(d("25")));
    // USD → K1 (precision 0, down): 1.99 × 3 = 5.97 → 5.
    assert_eq!(
        model.convert(&d("1.99"), AssetRef::Fiat(0), k1, at(0)),
        Ok(d("5"))
    );
    // K0 → USD: 0.05 × 0.10 = 0.005 → 0.01 (half away from zero).
    assert_eq!(
        model.convert(&d("0.05"), k0, AssetRef::Fiat(0), at(0)),
        Ok(d("0.01"))
    );
    // USD → EUR: no FX rates.
    let err = model.convert(&d("1"), AssetRef::Fiat(0), AssetRef::Fiat(1), at(0));
    assert_eq!(err.unwrap_err().code, "no_rate");
    // The largest decimal of USD in K0 at 0.10 is ten times too large for a decimal.
    let max = d("79228162514264337593543950335");
    let err = model.convert(&max, AssetRef::Fiat(0), k0, at(0));
    assert_eq!(err.unwrap_err().code, "decimal_overflow");
}

#[test]
fn model_expresses_fees_by_allocation_that_adds_up() {
    // Three fees of 1 CR3 (inverse_rate 3) in USD: 1/3 each, 1.00 in total.
    let cr3 = AssetRef::Custom(0);
    let prices = vec![
        unit_price(cr3, "1"),
        unit_price(cr3, "1"),
        unit_price(cr3, "1"),
    ];
    let s = scenario_of(
        catalog_of(vec![custom(0, None, Some("3"))], prices),
        vec![event_with(None, 0)],
        options_in(&[AssetRef::Fiat(0), AssetRef::Custom(0)]),
    );
    let q = &model_quotes(&s).unwrap()[0];
    assert_eq!(amounts(&q.equivalents), ["1.00 USD", "3 K0"]);
    let shares: Vec<String> = q
        .fees
        .iter()
        .map(|f| amounts(&f.equivalents).join(", "))
        .collect();
    assert_eq!(
        shares,
        ["0.34 USD, 1 K0", "0.33 USD, 1 K0", "0.33 USD, 1 K0"]
    );
}

// ---------------------------------------------------------------------------------------------
// One minimal case of each kind of difference found against the engine
// ---------------------------------------------------------------------------------------------

/// The engine quotes `s` as the model does (the message has the catalog, events and options).
fn engine_agrees(s: &Scenario) {
    if let Err(e) = check_quotes(s) {
        panic!("{e}");
    }
}

fn engine_converts_as_the_model(catalog: CatalogSpec, conversions: Vec<ConvertSpec>) {
    let s = ConvertScenario {
        catalog,
        conversions,
    };
    if let Err(e) = check_converts(&s) {
        panic!("{e}");
    }
}

fn conversion(mantissa: u128, scale: u32, from: AssetRef, to: AssetRef) -> ConvertSpec {
    ConvertSpec {
        mantissa,
        scale,
        from,
        to,
        at: 0,
    }
}

const MAX: &str = "79228162514264337593543950335";

#[test]
fn engine_prices_usage_past_a_bounded_last_tier() {
    engine_agrees(&past_the_last_tier());
}

#[test]
fn engine_rounds_a_28_digit_product_once() {
    engine_agrees(&below_half_cent());
}

#[test]
fn engine_counts_a_sliver_as_one_package() {
    engine_agrees(&tiny_package());
}

/// 1e-28 units at 0.5 per package of 1e-28: exactly 0.50 USD.
#[test]
fn engine_divides_by_a_tiny_package_exactly() {
    let s = volume_scenario(
        volume_price(PricingModel::Flat, "0.5", Some("1e-28")),
        "1e-28",
    );
    assert_eq!(fee_amounts(&model_quotes(&s).unwrap()[0]), ["0.50 USD"]);
    engine_agrees(&s);
}

/// Under `ceiling`, a unit part of 1e-28 on top of 992 USD makes 992.01.
#[test]
fn engine_keeps_a_tiny_unit_part() {
    let value = ValueSpec {
        unit_price: n("0.0000000000000000000000000001"),
        volume_rate: n("992"),
        ..ValueSpec::default()
    };
    let price = price_of(
        Usage::UnitAndVolume,
        PricingModel::Flat,
        AssetRef::Fiat(0),
        vec![value],
    );
    let mut s = volume_scenario(price, "1");
    s.catalog.rounding = vec![(AssetRef::Fiat(0), Mode::Ceiling)];
    assert_eq!(fee_amounts(&model_quotes(&s).unwrap()[0]), ["992.01 USD"]);
    engine_agrees(&s);
}

/// Under `up`, 1e-28 × 0.01 = 1e-30 USD is more than nothing: 0.01.
#[test]
fn engine_rounds_a_tiny_product_up() {
    let mut s = volume_scenario(volume_price(PricingModel::Flat, "0.01", None), "1e-28");
    s.catalog.rounding = vec![(AssetRef::Fiat(0), Mode::Up)];
    assert_eq!(fee_amounts(&model_quotes(&s).unwrap()[0]), ["0.01 USD"]);
    engine_agrees(&s);
}

#[test]
fn engine_rounds_the_exact_sum_of_equivalents_once() {
    engine_agrees(&tie_scenario());
}

/// The largest decimal × 1.5 does not fit, but the fee is clamped to 1 USD: no overflow.
#[test]
fn engine_needs_no_intermediate_to_fit() {
    let mut price = volume_price(PricingModel::Flat, "1.5", None);
    price.values[0].max_amount = n("1");
    let s = volume_scenario(price, MAX);
    assert_eq!(fee_amounts(&model_quotes(&s).unwrap()[0]), ["1.00 USD"]);
    engine_agrees(&s);
}

/// K0 costs 10^20 USD, 1 USD buys 10^9 K1: 0.01 K0 is exactly 10^27 K1, though 10^20 × 10^9
/// does not fit a decimal.
#[test]
fn engine_expresses_through_rates_whose_product_does_not_fit() {
    let s = scenario_of(
        catalog_of(
            vec![
                custom(2, Some("100000000000000000000"), None),
                custom(0, None, Some("1000000000")),
            ],
            vec![unit_price(AssetRef::Custom(0), "0.01")],
        ),
        vec![event_with(None, 0)],
        options_in(&[AssetRef::Custom(1)]),
    );
    let q = &model_quotes(&s).unwrap()[0];
    assert_eq!(amounts(&q.equivalents), ["1000000000000000000000000000 K1"]);
    engine_agrees(&s);
}

/// 1 USD buys 0.3 K0 and 1 K1 costs 7e-28 USD: 1 K0 = 1 / (0.3 × 7e-28) K1 =
/// 4761904761904761904761904761.9…, 4761904761904761904761904762 at precision 0. (0.3 × 7e-28
/// rounded to 28 places is 2e-28, which would make it 5e27.)
#[test]
fn engine_multiplies_rates_out_exactly() {
    let catalog = catalog_of(
        vec![
            custom(2, None, Some("0.3")),
            custom(0, Some("0.0000000000000000000000000007"), None),
        ],
        vec![unit_price(AssetRef::Custom(0), "1")],
    );
    let s = scenario_of(
        catalog.clone(),
        vec![event_with(None, 0)],
        options_in(&[AssetRef::Custom(1)]),
    );
    let q = &model_quotes(&s).unwrap()[0];
    assert_eq!(amounts(&q.equivalents), ["4761904761904761904761904762 K1"]);
    engine_agrees(&s);
    // convert rounds down: …761.
    let (k0, k1) = (AssetRef::Custom(0), AssetRef::Custom(1));
    let model = Model::build(&catalog).unwrap();
    let at = reference::INSTANTS[0];
    assert_eq!(
        show(&model.convert(&d("1"), k0, k1, at).unwrap()),
        "4761904761904761904761904761"
    );
    engine_converts_as_the_model(catalog, vec![conversion(1, 0, k0, k1)]);
}

/// Two fees of the largest decimal in JPY: the total does not fit.
#[test]
fn engine_fails_a_total_that_does_not_fit() {
    let jpy = AssetRef::Fiat(2);
    let s = scenario_of(
        catalog_of(vec![], vec![unit_price(jpy, MAX), unit_price(jpy, MAX)]),
        vec![event_with(None, 0)],
        options_in(&[]),
    );
    assert_eq!(model_quotes(&s).unwrap_err().code, "decimal_overflow");
    engine_agrees(&s);
}

/// 1.00 USD at 3e-24 USD per K0 (precision 6) is 333333333333333333333333.333333 K0: 30
/// digits, more than a decimal holds.
#[test]
fn engine_fails_an_equivalent_that_does_not_fit() {
    let s = scenario_of(
        catalog_of(
            vec![custom(6, Some("0.000000000000000000000003"), None)],
            vec![unit_price(AssetRef::Fiat(0), "1.00")],
        ),
        vec![event_with(None, 0)],
        options_in(&[AssetRef::Custom(0)]),
    );
    assert_eq!(model_quotes(&s).unwrap_err().code, "decimal_overflow");
    engine_agrees(&s);
}

/// 33333333333.333333333333333333 × 3 = 99999999999.999999999999999999 K0 at 18 places: 29
/// nines, more than a decimal holds, so the quote fails (rounded to 28 digits it would print
/// as 100000000000.000000000000000000).
#[test]
fn engine_fails_a_fee_that_does_not_fit() {
    let mut price = volume_price(PricingModel::Flat, "3", None);
    price.asset = AssetRef::Custom(0);
    let s = scenario_of(
        catalog_of(vec![custom(18, Some("1"), None)], vec![price]),
        vec![event_with(Some("33333333333.333333333333333333"), 0)],
        options_in(&[]),
    );
    assert_eq!(model_quotes(&s).unwrap_err().code, "decimal_overflow");
    engine_agrees(&s);
}

/// 1.00000000000000000000000000001 (29 places) fits no decimal however it is written: the
/// catalog is rejected, not read as 1.
#[test]
fn engine_rejects_decimal_text_that_does_not_fit() {
    let s = scenario_of(
        catalog_of(
            vec![],
            vec![unit_price(
                AssetRef::Fiat(0),
                "1.00000000000000000000000000001e0",
            )],
        ),
        vec![event_with(None, 0)],
        options_in(&[]),
    );
    assert_eq!(model_quotes(&s).unwrap_err().code, "decimal_overflow");
    engine_agrees(&s);
}

/// A decimal is read by its value: 30 places of which the last are zeros, or a large negative
/// exponent, are fine when the value fits.
#[test]
fn engine_reads_decimal_text_by_value() {
    let mut price = volume_price(PricingModel::Flat, "0.10000000000000000000000000000", None);
    price.values[0].min_amount = n("100e-30");
    let s = volume_scenario(price, "1.000000000000000000000000000000");
    assert_eq!(fee_amounts(&model_quotes(&s).unwrap()[0]), ["0.10 USD"]);
    engine_agrees(&s);
}

/// 60000000000000000000000000.07 K0 at 1.5 USD is exactly 90000000000000000000000000.105 USD,
/// 90000000000000000000000000.11 half away from zero (rounding to 28 digits first gives .10).
#[test]
fn engine_converts_with_one_rounding() {
    let catalog = catalog_of(vec![custom(2, Some("1.5"), None)], vec![]);
    let (k0, usd) = (AssetRef::Custom(0), AssetRef::Fiat(0));
    let model = Model::build(&catalog).unwrap();
    let amount = d("60000000000000000000000000.07");
    let got = model
        .convert(&amount, k0, usd, reference::INSTANTS[0])
        .unwrap();
    assert_eq!(fixed(&got, 2), "90000000000000000000000000.11");
    engine_converts_as_the_model(
        catalog,
        vec![conversion(6000000000000000000000000007, 2, k0, usd)],
    );
}

/// 20 USD at 3e-28 USD per K0 buys 66666666666666666666666666666.67 K0, rounded down to …666:
/// never more units than were paid for.
#[test]
fn engine_never_rounds_units_bought_up() {
    let catalog = catalog_of(
        vec![custom(0, Some("0.0000000000000000000000000003"), None)],
        vec![],
    );
    let (usd, k0) = (AssetRef::Fiat(0), AssetRef::Custom(0));
    let model = Model::build(&catalog).unwrap();
    let got = model
        .convert(&d("20"), usd, k0, reference::INSTANTS[0])
        .unwrap();
    assert_eq!(show(&got), "66666666666666666666666666666");
    engine_converts_as_the_model(catalog, vec![conversion(20, 0, usd, k0)]);
}

/// 10^12 USD in K0 at 3 USD each, to 18 places: 333333333333.333333333333333333 has 30
/// digits, more than a decimal holds.
#[test]
fn engine_fails_a_conversion_that_does_not_fit() {
    let catalog = catalog_of(vec![custom(18, Some("3"), None)], vec![]);
    let (usd, k0) = (AssetRef::Fiat(0), AssetRef::Custom(0));
    let model = Model::build(&catalog).unwrap();
    let err = model.convert(&d("1000000000000"), usd, k0, reference::INSTANTS[0]);
    assert_eq!(err.unwrap_err().code, "decimal_overflow");
    engine_converts_as_the_model(catalog, vec![conversion(1_000_000_000_000, 0, usd, k0)]);
}

/// Found by a million-case run: a fee of 48750000058.30 USD in an asset at rate
/// 0.4999999999999999999999999999 (precision 18) is 97500000116.6000000000000000195… units; its
/// floor at 18 places has 29 digits, more than a decimal holds, but the part it is allocated
/// (the floor plus one unit, 97500000116.60000000000000002) fits. Allocation floors exactly.
#[test]
fn engine_allocates_a_part_whose_floor_does_not_fit() {
    let s = scenario_of(
        catalog_of(
            vec![custom(18, Some("0.4999999999999999999999999999"), None)],
            vec![
                unit_price(AssetRef::Custom(0), "1"),
                volume_price(PricingModel::Flat, "0.0000085523000000000000000000", None),
            ],
        ),
        vec![event_with(Some("5700221000000000.0000"), 0)],
        options_in(&[AssetRef::Custom(0)]),
    );
    assert!(model_quotes(&s).is_ok());
    engine_agrees(&s);
}

/// Found by a million-case run: 63894889594676244442292350809 K1 (0.08 USD) in K0 (2.4 USD,
/// precision 11) is 2129829653155874814743078360.3 exactly; at 11 places its digits pass 128 bits
/// before the trailing zeros are dropped, and the result fits.
#[test]
fn engine_converts_a_value_whose_places_pass_128_bits() {
    engine_converts_as_the_model(
        catalog_of(
            vec![
                custom(11, Some("2.4"), None),
                custom(2, Some("0.08"), Some("12.5")),
            ],
            vec![],
        ),
        vec![conversion(
            63894889594676244442292350809,
            0,
            AssetRef::Custom(1),
            AssetRef::Custom(0),
        )],
    );
}

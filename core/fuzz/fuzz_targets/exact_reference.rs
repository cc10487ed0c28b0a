//! The engine against the exact reference model of `core/tests/support/reference.rs`, for long
//! runs: the input bytes choose a catalog, a batch of events and quote options (or a list of
//! conversions), which the engine and the model must quote alike to the last digit. A
//! difference panics with the catalog, events and options JSON.
//!
//! ```text
//! cd core/fuzz && cargo +nightly fuzz run exact_reference -- -max_total_time=600
//! ```
//!
//! The generator mirrors the proptest strategies of `core/tests/exact_reference.rs`; every
//! choice reads a few bytes, and exhausted input reads as the simplest choice.
#![no_main]

#[path = "../../tests/support/reference.rs"]
mod reference;

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use reference::{
    check_converts, check_quotes, spell, AssetRef, AssetSpec, Basis, CatalogSpec, ConvertScenario,
    ConvertSpec, EventSpec, Mode, NumText, OptionsSpec, Period, PriceSpec, PricingModel,
    RateValueSpec, Scenario, SourceSpec, Usage, ValueSpec, EXACT_PAIRS, POISON, SPECIAL,
};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let result = match u.int_in_range(0u8..=3) {
        Ok(0) => convert_scenario(&mut u).map(|s| check_converts(&s)),
        _ => scenario(&mut u).map(|s| check_quotes(&s)),
    };
    if let Ok(Err(difference)) = result {
        panic!("{difference}");
    }
});

/// `true` with probability `n / d`.
fn chance(u: &mut Unstructured<'_>, n: u8, d: u8) -> Result<bool> {
    u.ratio(n, d)
}

/// Index `i` of a list of weights, drawn by weight.
fn weighted(u: &mut Unstructured<'_>, weights: &[u32]) -> Result<usize> {
    let total: u32 = weights.iter().sum();
    let mut pick = u.int_in_range(0..=total - 1)?;
    for (i, w) in weights.iter().enumerate() {
        if pick < *w {
            return Ok(i);
        }
        pick -= w;
    }
    Ok(weights.len() - 1)
}

fn digits(u: &mut Unstructured<'_>, min: usize, max: usize) -> Result<String> {
    let n = u.int_in_range(min..=max)?;
    let mut s = char::from(b'0' + u.int_in_range(1u8..=9)?).to_string();
    for _ in 1..n {
        s.push(char::from(b'0' + u.int_in_range(0u8..=9)?));
    }
    Ok(s)
}

fn magnitude(u: &mut Unstructured<'_>) -> Result<(String, u32)> {
    Ok(match weighted(u, &[6, 2, 1, 1, 2])? {
        0 => (digits(u, 1, 3)?, u.int_in_range(0..=4)?),
        1 => (digits(u, 1, 28)?, u.int_in_range(0..=28)?),
        2 => (digits(u, 1, 1)?, u.int_in_range(0..=28)?),
        3 => (digits(u, 19, 28)?, u.int_in_range(0..=28)?),
        _ => {
            let (d, s) = u.choose(SPECIAL)?;
            (d.to_string(), *s)
        }
    })
}

fn positive(u: &mut Unstructured<'_>) -> Result<NumText> {
    if chance(u, 1, 13)? {
        return Ok(NumText::Int(u.int_in_range(1..=1000)?));
    }
    let (d, s) = magnitude(u)?;
    let form = [0u8, 1, 2, 3, 4][weighted(u, &[14, 1, 1, 1, 1])?];
    let zeros = u.int_in_range(1..=3)?;
    Ok(NumText::Str(spell(&d, s, form, zeros)))
}

fn non_negative(u: &mut Unstructured<'_>) -> Result<NumText> {
    if chance(u, 1, 10)? {
        Ok(NumText::s("0"))
    } else {
        positive(u)
    }
}

fn or_poison(u: &mut Unstructured<'_>, n: NumText) -> Result<NumText> {
    if chance(u, 1, 200)? {
        Ok(NumText::s(u.choose(POISON)?))
    } else {
        Ok(n)
    }
}

fn count(u: &mut Unstructured<'_>) -> Result<NumText> {
    Ok(match weighted(u, &[4, 1, 2])? {
        0 => NumText::Str(u.int_in_range(1u64..=200)?.to_string()),
        1 => NumText::Int(u.int_in_range(1..=20)?),
        _ => positive(u)?,
    })
}

fn maybe<T>(
    u: &mut Unstructured<'_>,
    n: u8,
    d: u8,
    f: impl FnOnce(&mut Unstructured<'_>) -> Result<T>,
) -> Result<Option<T>> {
    if chance(u, n, d)? {
        f(u).map(Some)
    } else {
        Ok(None)
    }
}

fn rate_value(u: &mut Unstructured<'_>) -> Result<RateValueSpec> {
    Ok(match weighted(u, &[4, 3, 1])? {
        0 => {
            let r = positive(u)?;
            RateValueSpec {
                rate: Some(or_poison(u, r)?),
                inverse_rate: None,
            }
        }
        1 => {
            let i = positive(u)?;
            RateValueSpec {
                rate: None,
                inverse_rate: Some(or_poison(u, i)?),
            }
        }
        _ => {
            let (r, i) = u.choose(EXACT_PAIRS)?;
            RateValueSpec {
                rate: Some(NumText::s(r)),
                inverse_rate: Some(NumText::s(i)),
            }
        }
    })
}

fn fiat(u: &mut Unstructured<'_>) -> Result<usize> {
    weighted(u, &[8, 2, 1, 1])
}

fn source(u: &mut Unstructured<'_>, usd_first: bool) -> Result<SourceSpec> {
    let fiat = if usd_first && chance(u, 4, 5)? {
        0
    } else {
        fiat(u)?
    };
    Ok(SourceSpec {
        fiat,
        shape: [0u8, 1, 2, 3, 4][weighted(u, &[8, 1, 2, 1, 2])?],
        first: rate_value(u)?,
        second: rate_value(u)?,
    })
}

fn asset(u: &mut Unstructured<'_>, eighteen: u32) -> Result<AssetSpec> {
    let precision = match weighted(u, &[1, 4, eighteen, 1])? {
        0 => None,
        1 => Some(u.int_in_range(0..=18)?),
        2 => Some(18),
        _ => Some(0),
    };
    let mut sources = vec![source(u, true)?];
    if chance(u, 2, 5)? {
        sources.push(source(u, false)?);
    }
    Ok(AssetSpec { precision, sources })
}

fn asset_ref(u: &mut Unstructured<'_>) -> Result<AssetRef> {
    Ok(match weighted(u, &[6, 3, 1])? {
        0 => AssetRef::Custom(u.int_in_range(0..=2)?),
        1 => AssetRef::Fiat(0),
        _ => AssetRef::Fiat(u.int_in_range(1..=3)?),
    })
}

fn mode(u: &mut Unstructured<'_>) -> Result<Mode> {
    Ok(*u.choose(&Mode::ALL)?)
}

fn value_spec(u: &mut Unstructured<'_>) -> Result<ValueSpec> {
    let price = |u: &mut Unstructured<'_>| {
        let n = non_negative(u)?;
        or_poison(u, n)
    };
    let up_to = count(u)?;
    Ok(ValueSpec {
        up_to: Some(or_poison(u, up_to)?),
        unit_price: maybe(u, 17, 20, price)?,
        volume_rate: maybe(u, 17, 20, price)?,
        package_size: maybe(u, 2, 5, |u| {
            if chance(u, 3, 4)? {
                Ok(NumText::s(
                    u.choose(&["60", "1000", "1", "0.5", "3", "1e-28"])?,
                ))
            } else {
                positive(u)
            }
        })?,
        min_amount: maybe(u, 3, 20, price)?,
        max_amount: maybe(u, 3, 20, price)?,
    })
}

fn price(u: &mut Unstructured<'_>) -> Result<PriceSpec> {
    let product = u.int_in_range(0..=1)?;
    let event = weighted(u, &[3, 2])?;
    let usage = *u.choose(&[Usage::Unit, Usage::Volume, Usage::UnitAndVolume])?;
    let field = u.int_in_range(0..=1)?;
    let model = [
        PricingModel::Flat,
        PricingModel::Package,
        PricingModel::Tiered,
        PricingModel::Bulk,
    ][weighted(u, &[3, 1, 3, 2])?];
    let basis = maybe(u, 1, 2, |u| {
        u.choose(&[Basis::Unit, Basis::Volume, Basis::Package])
            .copied()
    })?;
    let period = maybe(u, 3, 10, |u| {
        u.choose(&[
            Period::Monthly,
            Period::Quarterly,
            Period::Yearly,
            Period::Lifetime,
        ])
        .copied()
    })?;
    let asset = asset_ref(u)?;
    let mut values = vec![value_spec(u)?];
    for _ in 0..u.int_in_range(0..=3)? {
        values.push(value_spec(u)?);
    }
    Ok(PriceSpec {
        product,
        event,
        usage,
        field,
        model,
        basis,
        period,
        asset,
        values,
        last_bounded: chance(u, 3, 10)?,
    })
}

fn settings(
    u: &mut Unstructured<'_>,
    mode: fn(&mut Unstructured<'_>) -> Result<Mode>,
) -> Result<Vec<(AssetRef, Mode)>> {
    let mut out = Vec::new();
    for _ in 0..u.int_in_range(0..=2)? {
        out.push((asset_ref(u)?, mode(u)?));
    }
    Ok(out)
}

fn assets(u: &mut Unstructured<'_>, eighteen: u32) -> Result<Vec<AssetSpec>> {
    let mut out = Vec::new();
    for _ in 0..u.int_in_range(1..=3)? {
        out.push(asset(u, eighteen)?);
    }
    Ok(out)
}

fn catalog(u: &mut Unstructured<'_>) -> Result<CatalogSpec> {
    let assets = assets(u, 1)?;
    let mut prices = Vec::new();
    for _ in 0..u.int_in_range(1..=3)? {
        prices.push(price(u)?);
    }
    Ok(CatalogSpec {
        assets,
        prices,
        rounding: settings(u, mode)?,
        conversion_rounding: settings(u, mode)?,
    })
}

fn volume(u: &mut Unstructured<'_>) -> Result<NumText> {
    if chance(u, 1, 200)? {
        Ok(NumText::s(u.choose(POISON)?))
    } else {
        non_negative(u)
    }
}

fn event(u: &mut Unstructured<'_>) -> Result<EventSpec> {
    let event = weighted(u, &[5, 3, 1])?;
    let at = if chance(u, 8, 9)? {
        u.int_in_range(0..=5)?
    } else {
        u.int_in_range(6..=7)?
    };
    Ok(EventSpec {
        event,
        at,
        data: [maybe(u, 23, 25, volume)?, maybe(u, 23, 25, volume)?],
    })
}

fn options(u: &mut Unstructured<'_>) -> Result<OptionsSpec> {
    let at = maybe(u, 1, 4, |u| u.int_in_range(0..=7))?;
    let targets = match weighted(u, &[3, 5, 2])? {
        0 => 0,
        1 => 1,
        _ => u.int_in_range(2..=3)?,
    };
    let mut express_in = Vec::new();
    for _ in 0..targets {
        express_in.push((asset_ref(u)?, chance(u, 1, 5)?));
    }
    let mut prior_usage = Vec::new();
    if chance(u, 2, 5)? {
        for _ in 0..u.int_in_range(1..=2)? {
            let price = u.int_in_range(0..=2)?;
            let quantity = if chance(u, 4, 5)? {
                count(u)?
            } else {
                non_negative(u)?
            };
            prior_usage.push((price, quantity));
        }
    }
    Ok(OptionsSpec {
        at,
        express_in,
        prior_usage,
        explain: u.arbitrary()?,
    })
}

fn scenario(u: &mut Unstructured<'_>) -> Result<Scenario> {
    let catalog = catalog(u)?;
    let mut events = Vec::new();
    for _ in 0..u.int_in_range(1..=5)? {
        events.push(event(u)?);
    }
    let mut s = Scenario {
        catalog,
        events,
        options: options(u)?,
    };
    s.normalize();
    Ok(s)
}

fn units_bought(u: &mut Unstructured<'_>) -> Result<Mode> {
    Ok(match weighted(u, &[2, 2, 3])? {
        0 => Mode::Down,
        1 => Mode::Floor,
        _ => mode(u)?,
    })
}

fn convert_scenario(u: &mut Unstructured<'_>) -> Result<ConvertScenario> {
    let assets = assets(u, 3)?;
    let rounding = settings(u, mode)?;
    let conversion_rounding = settings(u, units_bought)?;
    let mut conversions = Vec::new();
    for _ in 0..u.int_in_range(1..=6)? {
        let (mantissa, scale) = match weighted(u, &[4, 2, 1, 1, 1])? {
            0 => (u.int_in_range(1u128..=100_000)?, u.int_in_range(0..=4)?),
            1 => (u.arbitrary()?, u.int_in_range(0..=28)?),
            2 => ((1u128 << 96) - 1, u.int_in_range(0..=28)?),
            3 => (1, u.int_in_range(0..=28)?),
            _ => (0, 0),
        };
        let custom = |u: &mut Unstructured<'_>| u.int_in_range(0..=2).map(AssetRef::Custom);
        let fiat = |u: &mut Unstructured<'_>| -> Result<AssetRef> {
            Ok(if chance(u, 3, 4)? {
                AssetRef::Fiat(0)
            } else {
                AssetRef::Fiat(u.int_in_range(1..=3)?)
            })
        };
        let (from, to) = match weighted(u, &[3, 3, 3, 1, 1])? {
            0 => (custom(u)?, custom(u)?),
            1 => (fiat(u)?, custom(u)?),
            2 => (custom(u)?, fiat(u)?),
            3 => {
                let a = custom(u)?;
                (a, a)
            }
            _ => (fiat(u)?, fiat(u)?),
        };
        conversions.push(ConvertSpec {
            mantissa,
            scale,
            from,
            to,
            at: u.int_in_range(0..=7)?,
        });
    }
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
    Ok(s)
}

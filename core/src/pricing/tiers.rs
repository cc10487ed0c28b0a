//! Tiered (graduated) and bulk prices, and the periods their usage accumulates over.
//!
//! - `tiered` (graduated): the event's usage is laid after the usage already in the tiering
//!   period, and each part is priced by the tier it falls in. `bulk`: the whole event is priced
//!   by the tier that the period's usage reaches with this event (earlier events are not
//!   re-priced: the billing API charges in real time). A tier covers `(previous up_to, up_to]`;
//!   a bounded last tier also prices the usage past its bound. In a volume or package basis the
//!   unit part of a tiered price comes from the tier reached; in a unit basis, an event whose
//!   `unit_aggregation` expression counts several units has them laid across the tiers like a
//!   volume, and its volume part comes from the tier reached.
//! - Usage is counted in the price's basis (events, volume, or whole packages) per UTC calendar
//!   period (month, quarter, year) or over its lifetime ([`period_key`]), exactly.

use super::price::{div, unit_part, value_amount, volume_part, Computed, Overflow, PriceValue};
use super::{PricingModel, Shape, TierBasis, TierPeriod, UsageType};
use crate::exact::Exact;
use crate::instant::Instant;
use rust_decimal::Decimal;

/// This event's usage in the tiering basis: in a unit basis, one per event or the units a
/// `unit_aggregation` expression counts (`units`).
pub fn tier_usage(
    values: &[PriceValue],
    basis: TierBasis,
    volume: Decimal,
    units: Option<Decimal>,
) -> Result<Exact, Overflow> {
    match basis {
        TierBasis::Unit => Ok(Exact::Dec(units.unwrap_or(Decimal::ONE))),
        TierBasis::Volume => Ok(Exact::Dec(volume)),
        TierBasis::Package => {
            let size = values.first().map_or(Decimal::ONE, PriceValue::package);
            Ok(div(&Exact::Dec(volume), size)?.ceil())
        }
    }
}

/// The tier that cumulative usage `c` falls in: the first with `up_to >= c`; past a bounded
/// last tier, the last tier (it prices what lies beyond its bound, as `bulk` does).
fn tier_index(tiers: &[PriceValue], c: &Exact) -> usize {
    tiers
        .iter()
        .position(|t| t.up_to.is_none_or(|up| *c <= Exact::Dec(up)))
        .unwrap_or(tiers.len().saturating_sub(1))
}

/// Prices one event with tiers, given the usage already in the period (`prior`) and, when a
/// `unit_aggregation` expression counts them, the event's units.
pub(super) fn tiered<'v>(
    values: &'v [PriceValue],
    shape: Shape,
    volume: Decimal,
    units: Option<Decimal>,
    prior: &Exact,
    explain: bool,
) -> Result<Computed<'v>, Overflow> {
    let mut steps = Vec::new();
    let Some(first) = values.first() else {
        return Err(Overflow("a tiered price without tiers".into()));
    };
    let exact_volume = Exact::Dec(volume);
    let usage = tier_usage(values, shape.basis, volume, units)?;
    let end = prior.add(&usage);
    let reached_at = tier_index(values, &end);
    let reached = values.get(reached_at).unwrap_or(first);
    if explain {
        steps.push((
            "tier",
            format!(
                "{} usage {prior} before this event, {end} after it: tier {} ({})",
                shape.basis_name(units.is_some()),
                reached_at + 1,
                bound_text(values, reached_at)
            ),
        ));
    }
    // Graduated: the event's usage is split across the tiers it crosses. A unit basis without
    // a unit expression is one unit per event, which falls in one tier: priced as bulk.
    let graduated =
        shape.model == PricingModel::Tiered && (shape.basis != TierBasis::Unit || units.is_some());
    let amount = if !graduated {
        // bulk, or one event in a unit basis. A package basis bills whole packages, as
        // graduated package tiers do.
        let shape = match shape.basis {
            TierBasis::Package => Shape {
                model: PricingModel::Package,
                ..shape
            },
            _ => shape,
        };
        value_amount(reached, shape, &exact_volume, units, &mut steps, explain)?
    } else {
        // The part that is not tiered comes from the tier reached: the unit part when the
        // volume is tiered, the volume part when the units are.
        let untiered = match (shape.usage_type, shape.basis) {
            (UsageType::UnitAndVolume, TierBasis::Unit) => Some(volume_part(
                reached,
                &exact_volume,
                shape.model,
                &mut steps,
                explain,
            )?),
            (UsageType::UnitAndVolume, _) => Some(unit_part(reached, units, &mut steps, explain)),
            _ => None,
        };
        let tiered = graduate(values, prior, &end, explain, |i, tier, portion, past| {
            let i = i + 1;
            Ok(match shape.basis {
                // In package basis, the portion counts packages and the rate is per package.
                TierBasis::Package => {
                    let rate = Exact::Dec(tier.volume_rate.unwrap_or(Decimal::ZERO));
                    let amount = portion.mul(&rate);
                    if explain {
                        let text =
                            format!("tier {i}: {portion} packages{past} × {rate} = {amount}");
                        steps.push(("tier", text));
                    }
                    amount
                }
                TierBasis::Unit => {
                    let price = Exact::Dec(tier.unit_price.unwrap_or(Decimal::ZERO));
                    let amount = portion.mul(&price);
                    if explain {
                        let text = format!("tier {i}: {portion} units{past} × {price} = {amount}");
                        steps.push(("tier", text));
                    }
                    amount
                }
                TierBasis::Volume => {
                    if explain {
                        let text = format!("tier {i}: {portion} of the volume{past}");
                        steps.push(("tier", text));
                    }
                    volume_part(tier, portion, PricingModel::Tiered, &mut steps, explain)?
                }
            })
        })?;
        match untiered {
            Some(part) => part.add(&tiered),
            None => tiered,
        }
    };
    Ok(Computed {
        amount,
        value: reached,
        usage,
        steps,
    })
}

/// Lays the usage `(prior, end]` over the tiers and adds what `price` makes of each tier's
/// portion (`price(index, tier, portion, note)`, the note, when explaining, saying that a
/// bounded last tier prices usage past its bound).
#[inline]
fn graduate(
    values: &[PriceValue],
    prior: &Exact,
    end: &Exact,
    explain: bool,
    mut price: impl FnMut(usize, &PriceValue, &Exact, &str) -> Result<Exact, Overflow>,
) -> Result<Exact, Overflow> {
    let mut total = Exact::ZERO;
    let mut lower = Decimal::ZERO;
    let last = values.len().saturating_sub(1);
    for (i, tier) in values.iter().enumerate() {
        // The last tier takes all the usage left, bounded or not (`tier_index`).
        let upper = tier.up_to.filter(|_| i < last);
        let below_end = upper.filter(|u| Exact::Dec(*u) < *end);
        if let Some(u) = upper {
            // A tier wholly below the usage already in the period adds nothing.
            if Exact::Dec(u) <= *prior {
                lower = u;
                continue;
            }
        }
        let from = if Exact::Dec(lower) < *prior {
            prior.clone()
        } else {
            Exact::Dec(lower)
        };
        let to = below_end.map_or_else(|| end.clone(), Exact::Dec);
        let portion = to.sub(&from);
        if portion.is_negative() || portion.is_zero() {
            break;
        }
        let past = match tier.up_to {
            Some(bound) if explain && i == last && *end > Exact::Dec(bound) => {
                format!(" (past its up_to {bound}: the last tier prices the rest)")
            }
            _ => String::new(),
        };
        total = total.add(&price(i, tier, &portion, &past)?);
        match below_end {
            Some(u) => lower = u,
            None => break,
        }
    }
    Ok(total)
}

fn bound_text(tiers: &[PriceValue], i: usize) -> String {
    let lower = i
        .checked_sub(1)
        .and_then(|p| tiers.get(p))
        .and_then(|t| t.up_to);
    let upper = tiers.get(i).and_then(|t| t.up_to);
    match (lower, upper) {
        (None, Some(u)) => format!("up to {u}"),
        (Some(l), Some(u)) => format!("over {l} up to {u}"),
        (Some(l), None) => format!("over {l}"),
        (None, None) => "all usage".to_string(),
    }
}

impl Shape {
    /// What the basis counts: the unit basis counts units when a unit expression counts them
    /// (`counted`), else events.
    fn basis_name(&self, counted: bool) -> &'static str {
        match self.basis {
            TierBasis::Unit if counted => "unit",
            TierBasis::Unit => "event",
            TierBasis::Volume => "volume",
            TierBasis::Package => "package",
        }
    }
}

/// The tiering period `at` falls in, as a number: equal numbers, the same period.
pub fn period_key(period: TierPeriod, at: Instant) -> i64 {
    let year = i64::from(at.year());
    let month = i64::from(at.month());
    match period {
        TierPeriod::Lifetime => 0,
        TierPeriod::Monthly => year * 12 + month,
        TierPeriod::Quarterly => year * 4 + (month - 1) / 3,
        TierPeriod::Yearly => year,
    }
}

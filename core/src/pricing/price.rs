//! How one price turns one event into an amount, before rounding.
//!
//! The rules (the billing API's public examples, and ratecard's own where it is silent):
//!
//! - `unit`: `unit_price` per event.
//! - `volume`: `volume_rate × volume / package_size` (prorated; `package_size` defaults to 1),
//!   where volume is `data[volume_field]`. With `pricing_model: "package"` whole packages are
//!   billed, a partial one rounded up: `ceil(volume / package_size) × volume_rate`.
//! - `unit_and_volume`: the unit part plus the volume part.
//! - `tiered` (graduated): the event's usage is laid after the usage already in the tiering
//!   period, and each part is priced by the tier it falls in. `bulk`: the whole event is priced
//!   by the tier that the period's usage reaches with this event (earlier events are not
//!   re-priced: the billing API charges in real time). A tier covers `(previous up_to, up_to]`.
//!   The unit part of a tiered price comes from the tier reached.
//! - `min_amount` / `max_amount` clamp the amount of one event, after tiers.
//! - Which values apply to an event with dimensions: `dimensions.rs`.

use crate::exact::Exact;
use crate::product::{PricingModel, TierBasis, UsageType};
use rust_decimal::Decimal;

/// One PriceValue: a flat price, or one tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceValue {
    pub name: Option<String>,
    pub up_to: Option<Decimal>,
    pub unit_price: Option<Decimal>,
    pub volume_rate: Option<Decimal>,
    pub package_size: Option<Decimal>,
    pub min_amount: Option<Decimal>,
    pub max_amount: Option<Decimal>,
    pub path: String,
}

impl PriceValue {
    pub fn package(&self) -> Decimal {
        self.package_size.unwrap_or(Decimal::ONE)
    }
}

/// The shape of a usage price that the arithmetic needs.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub usage_type: UsageType,
    pub model: PricingModel,
    pub basis: TierBasis,
}

/// The amount of one event before clamping and rounding, and how it came about.
#[derive(Debug, Clone)]
pub struct Computed<'v> {
    /// Exact: rounded once, by the quote, after clamping (`exact.rs`).
    pub amount: Exact,
    /// The value whose parameters the fee reports (the only one, or the tier reached).
    pub value: &'v PriceValue,
    /// How much tier usage this event adds, in the tiering basis (exact: a batch's usage
    /// adds up without rounding).
    pub usage: Exact,
    /// `(kind, text)`: `tier` for tiers reached and crossed, `amount` for the arithmetic.
    pub steps: Vec<(&'static str, String)>,
}

/// Why a computation could not finish (a zero divisor, which validation keeps out of prices:
/// reported as an internal error, never as a number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overflow(pub String);

/// `a ÷ b` for a divisor validation keeps positive (package sizes).
fn div(a: &Exact, b: Decimal) -> Result<Exact, Overflow> {
    a.div(&Exact::Dec(b))
        .ok_or_else(|| Overflow(format!("{a} ÷ {b}")))
}

/// The volume part of `value` for `volume` units of volume, exactly.
fn volume_part(
    value: &PriceValue,
    volume: &Exact,
    model: PricingModel,
    steps: &mut Vec<(&'static str, String)>,
    explain: bool,
) -> Result<Exact, Overflow> {
    let rate = Exact::Dec(value.volume_rate.unwrap_or(Decimal::ZERO));
    let size = value.package();
    if model == PricingModel::Package {
        let packages = div(volume, size)?.ceil();
        let amount = packages.mul(&rate);
        if explain {
            steps.push((
                "amount",
                format!(
                    "{volume} ÷ {size} rounded up = {packages} whole packages × {rate} = {amount}"
                ),
            ));
        }
        return Ok(amount);
    }
    // Multiply before dividing; most volume prices are per one unit, and dividing by one is
    // skipped (it is the costliest step).
    let product = volume.mul(&rate);
    let amount = if size == Decimal::ONE {
        product
    } else {
        div(&product, size)?
    };
    if explain {
        if size == Decimal::ONE {
            steps.push(("amount", format!("volume {volume} × {rate} = {amount}")));
        } else {
            steps.push((
                "amount",
                format!("volume {volume} × {rate} per {size} = {amount}"),
            ));
        }
    }
    Ok(amount)
}

fn unit_part(value: &PriceValue, steps: &mut Vec<(&'static str, String)>, explain: bool) -> Exact {
    let price = value.unit_price.unwrap_or(Decimal::ZERO);
    if explain {
        steps.push(("amount", format!("unit price {price} per event")));
    }
    Exact::Dec(price)
}

/// The full formula of one value for one event.
fn value_amount(
    value: &PriceValue,
    shape: Shape,
    volume: &Exact,
    steps: &mut Vec<(&'static str, String)>,
    explain: bool,
) -> Result<Exact, Overflow> {
    match shape.usage_type {
        UsageType::Unit => Ok(unit_part(value, steps, explain)),
        UsageType::Volume => volume_part(value, volume, shape.model, steps, explain),
        UsageType::UnitAndVolume => {
            let u = unit_part(value, steps, explain);
            let v = volume_part(value, volume, shape.model, steps, explain)?;
            Ok(u.add(&v))
        }
    }
}

/// This event's usage in the tiering basis.
pub fn tier_usage(
    values: &[PriceValue],
    basis: TierBasis,
    volume: Decimal,
) -> Result<Exact, Overflow> {
    match basis {
        TierBasis::Unit => Ok(Exact::Dec(Decimal::ONE)),
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

/// Prices one event with `values` (already selected by dimension), given the usage already in
/// the tiering period. The amount is exact; the caller clamps and rounds it once.
pub fn compute<'v>(
    values: &'v [PriceValue],
    shape: Shape,
    volume: Decimal,
    prior: &Exact,
    explain: bool,
) -> Result<Option<Computed<'v>>, Overflow> {
    let mut steps = Vec::new();
    let Some(first) = values.first() else {
        return Ok(None);
    };
    let exact_volume = Exact::Dec(volume);
    if !shape.model.has_tiers() {
        let amount = value_amount(first, shape, &exact_volume, &mut steps, explain)?;
        return Ok(Some(Computed {
            amount,
            value: first,
            usage: Exact::ZERO,
            steps,
        }));
    }
    let usage = tier_usage(values, shape.basis, volume)?;
    let end = prior.add(&usage);
    let reached_at = tier_index(values, &end);
    let reached = values.get(reached_at).unwrap_or(first);
    if explain {
        steps.push((
            "tier",
            format!(
                "{} usage {prior} before this event, {end} after it: tier {} ({})",
                shape.basis_name(),
                reached_at + 1,
                bound_text(values, reached_at)
            ),
        ));
    }
    let graduated_volume = shape.model == PricingModel::Tiered && shape.basis != TierBasis::Unit;
    let amount = if !graduated_volume {
        // bulk, or a unit basis where one event is one unit and falls in one tier. A package
        // basis bills whole packages, as graduated package tiers do.
        let shape = match shape.basis {
            TierBasis::Package => Shape {
                model: PricingModel::Package,
                ..shape
            },
            _ => shape,
        };
        value_amount(reached, shape, &exact_volume, &mut steps, explain)?
    } else {
        let mut total = Exact::ZERO;
        if shape.usage_type == UsageType::UnitAndVolume {
            total = unit_part(reached, &mut steps, explain);
        }
        let mut lower = Decimal::ZERO;
        let last = values.len() - 1;
        for (i, tier) in values.iter().enumerate() {
            // The last tier takes all the usage left, bounded or not (`tier_index`).
            let upper = tier.up_to.filter(|_| i < last);
            let below_end = upper.filter(|u| Exact::Dec(*u) < end);
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
                Some(bound) if explain && i == last && end > Exact::Dec(bound) => {
                    format!(" (past its up_to {bound}: the last tier prices the rest)")
                }
                _ => String::new(),
            };
            let part = match shape.basis {
                // In package basis, the portion counts packages and the rate is per package.
                TierBasis::Package => {
                    let rate = Exact::Dec(tier.volume_rate.unwrap_or(Decimal::ZERO));
                    let amount = portion.mul(&rate);
                    if explain {
                        steps.push((
                            "tier",
                            format!(
                                "tier {}: {portion} packages{past} × {rate} = {amount}",
                                i + 1
                            ),
                        ));
                    }
                    amount
                }
                _ => {
                    if explain {
                        steps.push((
                            "tier",
                            format!("tier {}: {portion} of the volume{past}", i + 1),
                        ));
                    }
                    volume_part(tier, &portion, PricingModel::Tiered, &mut steps, explain)?
                }
            };
            total = total.add(&part);
            match below_end {
                Some(u) => lower = u,
                None => break,
            }
        }
        total
    };
    Ok(Some(Computed {
        amount,
        value: reached,
        usage,
        steps,
    }))
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
    fn basis_name(&self) -> &'static str {
        match self.basis {
            TierBasis::Unit => "event",
            TierBasis::Volume => "volume",
            TierBasis::Package => "package",
        }
    }
}

/// Clamps to `[min_amount, max_amount]`; says so when it changed anything.
pub fn clamp(amount: Exact, value: &PriceValue) -> (Exact, Option<String>) {
    if let Some(min) = value.min_amount {
        if amount < Exact::Dec(min) {
            return (
                Exact::Dec(min),
                Some(format!("{amount} raised to min_amount {min}")),
            );
        }
    }
    if let Some(max) = value.max_amount {
        if amount > Exact::Dec(max) {
            return (
                Exact::Dec(max),
                Some(format!("{amount} lowered to max_amount {max}")),
            );
        }
    }
    (amount, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn dividing_by_a_package_of_one_is_the_identity(lo in proptest::num::u32::ANY, mid in proptest::num::u32::ANY, hi in 0u32..1000, neg in proptest::bool::ANY, scale in 0u32..=28) {
            let x = Decimal::from_parts(lo, mid, hi, neg, scale);
            let q = x.checked_div(Decimal::ONE).unwrap();
            proptest::prop_assert_eq!(q.serialize(), x.serialize());
        }
    }
}

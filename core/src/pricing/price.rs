//! How one price turns one event into an amount, before rounding.
//!
//! The rules (the billing API's public examples, and ratecard's own where it is silent):
//!
//! - `unit`: `unit_price` per event.
//! - `volume`: `volume_rate × volume / package_size` (prorated; `package_size` defaults to 1),
//!   where volume is `data[volume_field]`. With `pricing_model: "package"` whole packages are
//!   billed, a partial one rounded up: `ceil(volume / package_size) × volume_rate`.
//! - `unit_and_volume`: the unit part plus the volume part.
//! - `tiered` and `bulk`: `tiers.rs`.
//! - `min_amount` / `max_amount` clamp the amount of one event, after tiers.
//! - Which values apply to an event with dimensions: `dimensions.rs`.

use super::{PricingModel, Shape, UsageType};
use crate::exact::Exact;
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
pub(super) fn div(a: &Exact, b: Decimal) -> Result<Exact, Overflow> {
    a.div(&Exact::Dec(b))
        .ok_or_else(|| Overflow(format!("{a} ÷ {b}")))
}

/// The volume part of `value` for `volume` units of volume, exactly.
pub(super) fn volume_part(
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

/// `unit_price` per event, or times the event's units when a `unit_aggregation` expression
/// counts them (`None`: one unit, the quote's common path, with nothing to multiply).
pub(super) fn unit_part(
    value: &PriceValue,
    units: Option<Decimal>,
    steps: &mut Vec<(&'static str, String)>,
    explain: bool,
) -> Exact {
    let price = value.unit_price.unwrap_or(Decimal::ZERO);
    let Some(units) = units else {
        if explain {
            steps.push(("amount", format!("unit price {price} per event")));
        }
        return Exact::Dec(price);
    };
    if explain {
        steps.push(("amount", format!("unit price {price} × {units} units")));
    }
    Exact::Dec(price).mul(&Exact::Dec(units))
}

/// The full formula of one value for one event.
pub(super) fn value_amount(
    value: &PriceValue,
    shape: Shape,
    volume: &Exact,
    units: Option<Decimal>,
    steps: &mut Vec<(&'static str, String)>,
    explain: bool,
) -> Result<Exact, Overflow> {
    match shape.usage_type {
        UsageType::Unit => Ok(unit_part(value, units, steps, explain)),
        UsageType::Volume | UsageType::Custom => {
            volume_part(value, volume, shape.model, steps, explain)
        }
        UsageType::UnitAndVolume => {
            let u = unit_part(value, units, steps, explain);
            let v = volume_part(value, volume, shape.model, steps, explain)?;
            Ok(u.add(&v))
        }
    }
}

/// Prices one event with `values` (already selected by dimension), given the usage already in
/// the tiering period (tiered and bulk prices: `tiers.rs`). The amount is exact; the caller
/// clamps and rounds it once.
///
/// `units` is the event's number of units when a `unit_aggregation` expression counts them
/// (`None`: one).
pub fn compute<'v>(
    values: &'v [PriceValue],
    shape: Shape,
    volume: Decimal,
    units: Option<Decimal>,
    prior: &Exact,
    explain: bool,
) -> Result<Option<Computed<'v>>, Overflow> {
    let Some(first) = values.first() else {
        return Ok(None);
    };
    let exact_volume = Exact::Dec(volume);
    if !shape.model.has_tiers() {
        let mut steps = Vec::new();
        let amount = value_amount(first, shape, &exact_volume, units, &mut steps, explain)?;
        return Ok(Some(Computed {
            amount,
            value: first,
            usage: Exact::ZERO,
            steps,
        }));
    }
    super::tiers::tiered(values, shape, volume, units, prior, explain).map(Some)
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

//! Pricing: how a usage price turns one event into an exact amount.
//!
//! [`price`] holds a price value's arithmetic (unit, volume, package, clamps), [`tiers`] the
//! tiered and bulk prices and their periods, [`dimensions`] which values apply to an event's
//! data. Nothing here reads a catalog: the catalog (`catalog/`) builds these from JSON.

pub mod dimensions;
pub mod price;
pub mod tiers;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageType {
    Unit,
    Volume,
    UnitAndVolume,
    /// Priced as `Volume`, its volume from the `volume_aggregation` expression.
    Custom,
}

impl UsageType {
    pub fn as_str(self) -> &'static str {
        match self {
            UsageType::Unit => "unit",
            UsageType::Volume => "volume",
            UsageType::UnitAndVolume => "unit_and_volume",
            UsageType::Custom => "custom",
        }
    }

    pub fn has_volume(self) -> bool {
        !matches!(self, UsageType::Unit)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PricingModel {
    Flat,
    Tiered,
    Bulk,
    Package,
}

impl PricingModel {
    pub fn as_str(self) -> &'static str {
        match self {
            PricingModel::Flat => "flat",
            PricingModel::Tiered => "tiered",
            PricingModel::Bulk => "bulk",
            PricingModel::Package => "package",
        }
    }

    pub fn has_tiers(self) -> bool {
        matches!(self, PricingModel::Tiered | PricingModel::Bulk)
    }
}

/// What a tier's `up_to` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierBasis {
    /// Events.
    Unit,
    /// The sum of the volume field.
    Volume,
    /// Whole packages of the volume (partial ones rounded up).
    Package,
}

/// The window over which tier usage accumulates, in UTC calendar terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierPeriod {
    Lifetime,
    Monthly,
    Quarterly,
    Yearly,
}

impl TierPeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            TierPeriod::Lifetime => "lifetime",
            TierPeriod::Monthly => "monthly",
            TierPeriod::Quarterly => "quarterly",
            TierPeriod::Yearly => "yearly",
        }
    }
}

/// The shape of a usage price that the arithmetic needs.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub usage_type: UsageType,
    pub model: PricingModel,
    pub basis: TierBasis,
}

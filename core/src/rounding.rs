//! Rounding: defined once, here.
//!
//! An amount is rounded exactly once, at the end of the computation that produced it, to its
//! asset's precision. Two modes matter per asset, and a catalog's `settings` can change either:
//!
//! | when | default for fiat | default for a custom asset | setting |
//! |---|---|---|---|
//! | a fee, a total, an equivalent (a price charged or valued) | `half_away_from_zero` | `half_even` | `settings.rounding` |
//! | a conversion into the asset (what an amount buys) | `half_away_from_zero` | `down` | `settings.conversion_rounding` |
//!
//! Fiat follows the commercial rule (half a cent rounds away from zero); custom assets follow
//! banker's rounding, OpenMeter's precedent, so that rounding errors do not drift one way over
//! millions of events. Units *bought* round down so nobody gets units they did not pay for.

use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt;

/// How to round to a number of decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoundingMode {
    /// Half to the even neighbour (banker's rounding): 0.125 → 0.12, 0.135 → 0.14.
    HalfEven,
    /// Half away from zero (commercial rounding): 0.125 → 0.13.
    HalfAwayFromZero,
    /// Half toward zero: 0.125 → 0.12.
    HalfTowardZero,
    /// Toward zero (truncate): 0.129 → 0.12.
    Down,
    /// Away from zero: 0.121 → 0.13.
    Up,
    /// Toward negative infinity.
    Floor,
    /// Toward positive infinity.
    Ceiling,
}

impl RoundingMode {
    pub const ALL: [RoundingMode; 7] = [
        RoundingMode::HalfEven,
        RoundingMode::HalfAwayFromZero,
        RoundingMode::HalfTowardZero,
        RoundingMode::Down,
        RoundingMode::Up,
        RoundingMode::Floor,
        RoundingMode::Ceiling,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RoundingMode::HalfEven => "half_even",
            RoundingMode::HalfAwayFromZero => "half_away_from_zero",
            RoundingMode::HalfTowardZero => "half_toward_zero",
            RoundingMode::Down => "down",
            RoundingMode::Up => "up",
            RoundingMode::Floor => "floor",
            RoundingMode::Ceiling => "ceiling",
        }
    }

    pub fn from_name(name: &str) -> Option<RoundingMode> {
        RoundingMode::ALL.into_iter().find(|m| m.as_str() == name)
    }

    fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfTowardZero => RoundingStrategy::MidpointTowardZero,
            RoundingMode::Down => RoundingStrategy::ToZero,
            RoundingMode::Up => RoundingStrategy::AwayFromZero,
            RoundingMode::Floor => RoundingStrategy::ToNegativeInfinity,
            RoundingMode::Ceiling => RoundingStrategy::ToPositiveInfinity,
        }
    }

    /// `value` rounded to `places` decimal places.
    pub fn round(self, value: Decimal, places: u32) -> Decimal {
        value.round_dp_with_strategy(places, self.strategy())
    }
}

impl fmt::Display for RoundingMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One unit of the last place: `ulp(2)` = 0.01.
pub fn ulp(places: u32) -> Decimal {
    Decimal::new(1, places.min(28))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn each_mode_rounds_a_half_as_documented() {
        let cases = [
            (RoundingMode::HalfEven, "0.125", "0.12"),
            (RoundingMode::HalfEven, "0.135", "0.14"),
            (RoundingMode::HalfAwayFromZero, "0.125", "0.13"),
            (RoundingMode::HalfTowardZero, "0.125", "0.12"),
            (RoundingMode::Down, "0.129", "0.12"),
            (RoundingMode::Up, "0.121", "0.13"),
            (RoundingMode::Floor, "-0.121", "-0.13"),
            (RoundingMode::Ceiling, "-0.129", "-0.12"),
        ];
        for (mode, input, want) in cases {
            assert_eq!(mode.round(d(input), 2), d(want), "{mode} {input}");
        }
    }
}

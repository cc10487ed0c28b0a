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

use crate::exact::Exact;
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

/// Splits `total` (already rounded to `places`) over exact `parts` so that the rounded parts
/// add up to it exactly: each part is floored, and the units left over go one each to the parts
/// with the largest remainders, ties to the earlier part (remainders are compared exactly, so a
/// tie is a tie). Without this, three fees of $0.333… would show $0.33 each under a total of
/// $1.00. `None` when a part does not fit a decimal.
///
/// The units left over are never more than the parts: every mode rounds `Σ parts` to at least
/// its floor, which is at least `Σ floor(part)`, and to less than `Σ floor(part)` plus one unit
/// per part.
pub fn allocate(total: Decimal, parts: &[Exact], places: u32) -> Option<Vec<Decimal>> {
    let unit = Exact::Dec(ulp(places));
    // Floors stay exact: a part may fit a decimal only once its unit is added back.
    let mut out: Vec<Exact> = parts
        .iter()
        .map(|p| p.rounded(places, RoundingMode::Floor))
        .collect();
    let mut left = out.iter().fold(Exact::Dec(total), |left, f| left.sub(f));
    let remainders: Vec<Exact> = parts.iter().zip(&out).map(|(p, f)| p.sub(f)).collect();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| remainders.get(b).cmp(&remainders.get(a)).then(a.cmp(&b)));
    for i in order {
        if left < unit {
            break;
        }
        let slot = out.get_mut(i)?;
        *slot = slot.add(&unit);
        left = left.sub(&unit);
    }
    out.iter().map(Exact::to_decimal).collect()
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

    #[test]
    fn allocation_sums_to_the_total() {
        let third = Exact::Dec(d("1")).div(&Exact::Dec(d("3"))).unwrap();
        let got = allocate(d("1.00"), &[third.clone(), third.clone(), third], 2).unwrap();
        assert_eq!(got, vec![d("0.34"), d("0.33"), d("0.33")]);
        assert_eq!(got.iter().copied().sum::<Decimal>(), d("1.00"));
    }

    #[test]
    fn allocation_gives_leftovers_to_largest_remainders() {
        let got = allocate(
            d("0.20"),
            &[Exact::Dec(d("0.101")), Exact::Dec(d("0.099"))],
            2,
        )
        .unwrap();
        assert_eq!(got, vec![d("0.10"), d("0.10")]);
    }

    /// The quote takes a lone fee's part to be the rounded total without calling `allocate`.
    #[test]
    fn one_part_is_the_total_in_every_mode() {
        let modes = [
            RoundingMode::HalfEven,
            RoundingMode::HalfAwayFromZero,
            RoundingMode::HalfTowardZero,
            RoundingMode::Floor,
            RoundingMode::Ceiling,
            RoundingMode::Up,
            RoundingMode::Down,
        ];
        for mode in modes {
            for p in [
                "0.125", "0.135", "-0.335", "-0.331", "7", "0.005", "-0.005", "12.3456",
            ] {
                for places in [0, 2, 3] {
                    let total = mode.round(d(p), places);
                    assert_eq!(
                        allocate(total, &[Exact::Dec(d(p))], places),
                        Some(vec![total]),
                        "{mode} {p} {places}"
                    );
                }
            }
        }
    }
}

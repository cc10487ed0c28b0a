//! Exact amounts: the arithmetic between a price's inputs and its one rounding.
//!
//! A decimal holds 28 digits, and a price's arithmetic can need more: 0.4999999999999999999999999999
//! × 0.01 has 30 places, 1.47 ÷ 1.2 is exactly 1.225, 1 ÷ 3 never ends. Cutting such a value to
//! 28 digits and then rounding it again to the asset's precision rounds twice, and a tie then
//! breaks the wrong way (1.225 cut to 1.2250000000000000000000000001 rounds half-even to 1.23).
//! So every value between the inputs and its one rounding is an [`Exact`]: a `Decimal` while
//! each step has been exact (nearly always, and as fast as plain decimals), a fraction of big
//! integers (`ratio.rs`) from the first step that is not.
//!
//! Nothing here rounds, saturates or overflows. [`Exact::round`] is the one place a value is
//! rounded (with a mode from `rounding.rs`), and it answers `None` when the rounded result does
//! not fit a decimal, which callers report as `decimal_overflow`: never a nearby number.

use crate::ratio::{Nat, Ratio};
use crate::rounding::{ulp, RoundingMode};
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::fmt;

/// The largest mantissa a decimal holds: 2^96 − 1.
const MAX_MANTISSA: u128 = (1 << 96) - 1;
/// The most places a decimal holds.
const MAX_SCALE: u32 = 28;

/// An exact rational value. See the module docs.
#[derive(Clone, Debug)]
pub enum Exact {
    /// Exact so far, and held by a decimal.
    Dec(Decimal),
    /// A step was not exact in 28 digits: the fraction itself (boxed: it is rare).
    Frac(Box<Ratio>),
}

impl From<Decimal> for Exact {
    fn from(d: Decimal) -> Exact {
        Exact::Dec(d)
    }
}

/// `10^0 ..= 10^38`: every power of ten an `i128` holds.
// Evaluated when compiling: an index out of range would fail the build, not a quote.
#[allow(clippy::indexing_slicing)]
const POW10: [i128; 39] = {
    let mut table = [1i128; 39];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// `10^n` for `n <= 38`.
fn pow10(n: u32) -> Option<i128> {
    POW10.get(n as usize).copied()
}

/// `mantissa × 10^-scale` as a decimal if one holds it exactly (trailing zeros are dropped as
/// far as needed to fit).
fn fit(mut mantissa: i128, mut scale: u32) -> Option<Decimal> {
    while scale > 0 && (scale > MAX_SCALE || mantissa.unsigned_abs() > MAX_MANTISSA) {
        if mantissa % 10 != 0 {
            return None;
        }
        mantissa /= 10;
        scale -= 1;
    }
    let magnitude = mantissa.unsigned_abs();
    if scale > MAX_SCALE || magnitude > MAX_MANTISSA {
        return None;
    }
    Some(Decimal::from_parts(
        magnitude as u32,
        (magnitude >> 32) as u32,
        (magnitude >> 64) as u32,
        mantissa < 0,
        scale,
    ))
}

/// `m × 10^k`, `None` past 128 bits. Mantissas are below 2^96, so for `k ≤ 9` (10^9 < 2^30)
/// the product always fits and needs no overflow check (which costs a call on 128 bits).
fn scale_up(m: i128, k: u32) -> Option<i128> {
    if k <= 9 {
        return Some(m * pow10(k)?);
    }
    m.checked_mul(pow10(k)?)
}

/// `a + b` in 128 bits, when a decimal holds it (rust_decimal's own sum, tried first, drops
/// places when the aligned sum passes 96 bits).
fn add_dec(a: Decimal, b: Decimal) -> Option<Decimal> {
    let (sa, sb) = (a.scale(), b.scale());
    let scale = sa.max(sb);
    let ma = scale_up(a.mantissa(), scale - sa)?;
    let mb = scale_up(b.mantissa(), scale - sb)?;
    fit(ma.checked_add(mb)?, scale)
}

/// `a × b` in 128 bits, when a decimal holds it (trailing zeros dropped as needed).
fn mul_dec(a: Decimal, b: Decimal) -> Option<Decimal> {
    let (ma, mb) = (a.mantissa(), b.mantissa());
    // Both below 2^63: the product fits 127 bits, no overflow check needed.
    let product = match (i64::try_from(ma), i64::try_from(mb)) {
        (Ok(x), Ok(y)) => i128::from(x) * i128::from(y),
        _ => ma.checked_mul(mb)?,
    };
    fit(product, a.scale() + b.scale())
}

/// `a ÷ b` when a decimal holds the quotient exactly: rust_decimal's quotient, kept only when
/// multiplying it back gives `a` again (its division rounds to 28 digits otherwise).
fn div_dec(a: Decimal, b: Decimal) -> Option<Decimal> {
    if b == Decimal::ONE {
        return Some(a);
    }
    // A power of ten (package sizes of 1,000 or 1,000,000) only moves the point.
    let mb = b.mantissa();
    if let Ok(k) = POW10.binary_search(&mb.abs()) {
        let m = if mb < 0 { -a.mantissa() } else { a.mantissa() };
        let shift = i64::from(a.scale()) + k as i64 - i64::from(b.scale());
        return match u32::try_from(shift) {
            Ok(scale) => fit(m, scale),
            Err(_) => fit(m.checked_mul(pow10(u32::try_from(-shift).ok()?)?)?, 0),
        };
    }
    let q = a.checked_div(b)?;
    // q × b == a exactly (a product at the sum of the scales dropped nothing) proves q exact.
    // (rust_decimal's quotient alone cannot say: it may stop short of its last places.)
    let back = match q.checked_mul(b) {
        Some(p) if p.scale() == q.scale() + b.scale() => p,
        _ => mul_dec(q, b)?,
    };
    (back == a).then_some(q)
}

fn ratio(d: Decimal) -> Ratio {
    Ratio::decimal(d.mantissa(), d.scale())
}

/// `±mantissa × 10^-scale` as a decimal, if one holds it (trailing zeros are dropped as far
/// as needed to fit).
fn fit_big(negative: bool, mantissa: &Nat, scale: u32) -> Option<Decimal> {
    let mut m = mantissa.clone();
    let mut s = scale;
    loop {
        if let Some(small) = m.to_u128() {
            if small <= MAX_MANTISSA && s <= MAX_SCALE {
                let signed = i128::try_from(small).ok()?;
                return fit(if negative { -signed } else { signed }, s);
            }
        }
        let (q, r) = m.divrem_small(10);
        if s == 0 || r != 0 {
            return None;
        }
        m = q;
        s -= 1;
    }
}

impl Exact {
    pub const ZERO: Exact = Exact::Dec(Decimal::ZERO);

    fn frac(r: Ratio) -> Exact {
        Exact::Frac(Box::new(r))
    }

    /// The value as a fraction (allocates; only the slow path calls it).
    fn ratio(&self) -> Ratio {
        match self {
            Exact::Dec(d) => ratio(*d),
            Exact::Frac(r) => (**r).clone(),
        }
    }

    // The arithmetic: a fast path for two decimals, inlined where it is used (rust_decimal's
    // own sum and product, kept when their scale shows no place was dropped: a property test
    // checks this against fractions), and the rest out of line.

    #[inline]
    pub fn add(&self, other: &Exact) -> Exact {
        if let (Exact::Dec(a), Exact::Dec(b)) = (self, other) {
            if let Some(sum) = a.checked_add(*b) {
                if sum.scale() == a.scale().max(b.scale()) {
                    return Exact::Dec(sum);
                }
            }
        }
        self.add_slow(other)
    }

    #[cold]
    #[inline(never)]
    fn add_slow(&self, other: &Exact) -> Exact {
        if let (Exact::Dec(a), Exact::Dec(b)) = (self, other) {
            if let Some(d) = add_dec(*a, *b) {
                return Exact::Dec(d);
            }
        }
        if other.is_zero() {
            return self.clone();
        }
        if self.is_zero() {
            return other.clone();
        }
        Exact::frac(self.ratio().add(&other.ratio()))
    }

    /// `self + −other`: one copy of the addition (rust_decimal inlines its own in each caller).
    #[inline]
    pub fn sub(&self, other: &Exact) -> Exact {
        self.add(&other.neg())
    }

    pub fn neg(&self) -> Exact {
        match self {
            Exact::Dec(d) => Exact::Dec(-*d),
            Exact::Frac(r) => Exact::frac(r.neg()),
        }
    }

    #[inline]
    pub fn mul(&self, other: &Exact) -> Exact {
        if let (Exact::Dec(a), Exact::Dec(b)) = (self, other) {
            if let Some(product) = a.checked_mul(*b) {
                if product.scale() == a.scale() + b.scale() {
                    return Exact::Dec(product);
                }
            }
        }
        self.mul_slow(other)
    }

    #[cold]
    #[inline(never)]
    fn mul_slow(&self, other: &Exact) -> Exact {
        if let (Exact::Dec(a), Exact::Dec(b)) = (self, other) {
            if let Some(d) = mul_dec(*a, *b) {
                return Exact::Dec(d);
            }
        }
        Exact::frac(self.ratio().mul(&other.ratio()))
    }

    /// `self ÷ other`; `None` only for a zero divisor (validation keeps those out of prices
    /// and rates, so callers report it as an internal error).
    pub fn div(&self, other: &Exact) -> Option<Exact> {
        if other.is_zero() {
            return None;
        }
        if let (Exact::Dec(a), Exact::Dec(b)) = (self, other) {
            if let Some(d) = div_dec(*a, *b) {
                return Some(Exact::Dec(d));
            }
            // ma/10^sa ÷ mb/10^sb = (ma × 10^sb) / (mb × 10^sa): one fraction, one reduction.
            let num = Nat::from_u128(a.mantissa().unsigned_abs()).mul(&Nat::pow10(b.scale()));
            let den = Nat::from_u128(b.mantissa().unsigned_abs()).mul(&Nat::pow10(a.scale()));
            let negative = a.is_sign_negative() != b.is_sign_negative();
            return Ratio::new(negative, num, den).map(Exact::frac);
        }
        self.ratio().div(&other.ratio()).map(Exact::frac)
    }

    pub fn is_zero(&self) -> bool {
        match self {
            Exact::Dec(d) => d.is_zero(),
            Exact::Frac(r) => r.is_zero(),
        }
    }

    pub fn is_negative(&self) -> bool {
        match self {
            Exact::Dec(d) => d.is_sign_negative() && !d.is_zero(),
            Exact::Frac(r) => r.negative,
        }
    }

    /// The smallest integer at or above the value (whole packages of a volume).
    pub fn ceil(&self) -> Exact {
        match self {
            Exact::Dec(d) => Exact::Dec(d.ceil()),
            Exact::Frac(r) => Exact::frac(r.ceil()),
        }
    }

    pub fn max(self, other: Exact) -> Exact {
        if other > self {
            other
        } else {
            self
        }
    }

    pub fn min(self, other: Exact) -> Exact {
        if other < self {
            other
        } else {
            self
        }
    }

    /// The value rounded once to `places` with `mode`; `None` when the result does not fit a
    /// decimal (more than 96 bits of mantissa once trailing zeros are dropped).
    pub fn round(&self, places: u32, mode: RoundingMode) -> Option<Decimal> {
        match self {
            Exact::Dec(d) if d.scale() <= places => Some(*d),
            Exact::Dec(d) if places <= MAX_SCALE => Some(mode.round(*d, places)),
            Exact::Dec(d) => Some(*d),
            Exact::Frac(r) => {
                let (negative, m) = round_ratio(r, places, mode);
                fit_big(negative, &m, places)
            }
        }
    }

    /// [`Exact::round`] kept exact, whether or not a decimal holds the result: for steps on
    /// the way to a final amount (allocation floors each part before adding units back).
    pub fn rounded(&self, places: u32, mode: RoundingMode) -> Exact {
        match self {
            Exact::Dec(_) => self
                .round(places, mode)
                .map_or_else(|| self.clone(), Exact::Dec),
            Exact::Frac(r) => {
                let (negative, m) = round_ratio(r, places, mode);
                match fit_big(negative, &m, places) {
                    Some(d) => Exact::Dec(d),
                    None => {
                        Ratio::new(negative, m, Nat::pow10(places)).map_or(Exact::ZERO, Exact::frac)
                    }
                }
            }
        }
    }

    /// The value itself as a decimal, when one holds it exactly.
    pub fn to_decimal(&self) -> Option<Decimal> {
        match self {
            Exact::Dec(d) => Some(*d),
            Exact::Frac(r) => r
                .terminating()
                .and_then(|(m, s)| fit_big(r.negative, &m, s)),
        }
    }

    /// The value as a decimal for display where a rounded figure is acceptable (a conversion's
    /// `rate`): exact when a decimal holds it, else rounded half to even to as many places
    /// (at most 28) as fit; `None` when not even its integer part fits.
    pub fn approximate(&self) -> Option<Decimal> {
        if let Some(d) = self.to_decimal() {
            return Some(d.normalize());
        }
        (0..=MAX_SCALE)
            .rev()
            .find_map(|places| self.round(places, RoundingMode::HalfEven))
            .map(|d| d.normalize())
    }
}

/// The sign and magnitude of `r × 10^places` rounded to an integer with `mode`.
fn round_ratio(r: &Ratio, places: u32, mode: RoundingMode) -> (bool, Nat) {
    // |r| × 10^places = whole + rest / den, with 0 ≤ rest < den.
    let (whole, rest, den) = r.scaled_parts(places);
    let inexact = !rest.is_zero();
    // 2 × rest against den: below, at or above half a unit.
    let half = rest.add(&rest).cmp(den);
    let negative = r.negative;
    // Whether the magnitude rounds up (away from zero) from `whole`.
    let away = match mode {
        RoundingMode::Down => false,
        RoundingMode::Up => inexact,
        RoundingMode::Floor => inexact && negative,
        RoundingMode::Ceiling => inexact && !negative,
        RoundingMode::HalfEven => match half {
            Ordering::Less => false,
            Ordering::Greater => true,
            Ordering::Equal => whole.is_odd(),
        },
        RoundingMode::HalfAwayFromZero => half != Ordering::Less,
        RoundingMode::HalfTowardZero => half == Ordering::Greater,
    };
    let m = if away {
        whole.add(&Nat::from_u128(1))
    } else {
        whole
    };
    (negative, m)
}

impl PartialEq for Exact {
    fn eq(&self, other: &Exact) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Exact {}

impl PartialOrd for Exact {
    fn partial_cmp(&self, other: &Exact) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Exact {
    #[inline]
    fn cmp(&self, other: &Exact) -> Ordering {
        match (self, other) {
            (Exact::Dec(a), Exact::Dec(b)) => a.cmp(b),
            _ => self.ratio().cmp(&other.ratio()),
        }
    }
}

/// Places shown of a value that has no finite decimal (or a very long one) in explanations.
const SHOWN_PLACES: u32 = 28;

/// Exact decimals as they are; anything else with 28 places and an ellipsis (`0.333…`), so an
/// explanation never shows a rounded figure as if it were the value.
impl fmt::Display for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = match self {
            Exact::Dec(d) => return write!(f, "{d}"),
            Exact::Frac(r) => r,
        };
        let sign = if r.negative { "-" } else { "" };
        match r.terminating().filter(|(_, s)| *s <= 2 * MAX_SCALE) {
            Some((m, scale)) => write_digits(f, sign, &m.to_decimal(), scale, ""),
            None => {
                let (whole, _, _) = r.scaled_parts(SHOWN_PLACES);
                write_digits(f, sign, &whole.to_decimal(), SHOWN_PLACES, "…")
            }
        }
    }
}

/// `digits × 10^-scale` in plain notation, then `more` (`…` when more digits follow).
fn write_digits(
    f: &mut fmt::Formatter<'_>,
    sign: &str,
    digits: &str,
    scale: u32,
    more: &str,
) -> fmt::Result {
    let scale = scale as usize;
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale - digits.len() + 1))
    } else {
        digits.to_string()
    };
    let (int, frac) = padded.split_at(padded.len() - scale);
    if frac.is_empty() {
        write!(f, "{sign}{int}{more}")
    } else {
        write!(f, "{sign}{int}.{frac}{more}")
    }
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
        Decimal::from_str(s).unwrap()
    }

    fn x(s: &str) -> Exact {
        Exact::Dec(d(s))
    }

    #[test]
    fn a_tie_is_seen_as_a_tie() {
        // 1.47 ÷ 1.2 = 1.225 exactly: half-even gives 1.22, not 1.23.
        let q = x("1.47").div(&x("1.2")).unwrap();
        assert_eq!(q.round(2, RoundingMode::HalfEven), Some(d("1.22")));
        assert_eq!(q.round(2, RoundingMode::HalfAwayFromZero), Some(d("1.23")));
    }

    #[test]
    fn thirty_places_round_once() {
        let p = x("0.4999999999999999999999999999").mul(&x("0.01"));
        assert!(matches!(p, Exact::Frac(_)));
        assert_eq!(p.round(2, RoundingMode::HalfEven), Some(d("0.00")));
        let q = x("0.0449999999999999999999999999").div(&x("3")).unwrap();
        assert_eq!(q.round(2, RoundingMode::HalfAwayFromZero), Some(d("0.01")));
        let r = x("2.9999999999999999999999999999").div(&x("3")).unwrap();
        assert_eq!(r.round(0, RoundingMode::Down), Some(d("0")));
    }

    #[test]
    fn a_sliver_of_a_package_is_a_package() {
        let packages = x("1e-28").div(&x("60")).unwrap().ceil();
        assert_eq!(packages.to_decimal(), Some(d("1")));
    }

    #[test]
    fn each_mode_rounds_fractions_as_decimals() {
        let values = ["0.125", "-0.125", "0.135", "-0.335", "0.121", "-0.129", "7"];
        for mode in RoundingMode::ALL {
            for v in values {
                // The same value as a fraction (× 3 ÷ 3 through the slow path).
                let frac = Exact::frac(ratio(d(v)).mul(&ratio(d("3"))))
                    .div(&x("3"))
                    .unwrap();
                assert_eq!(frac.round(2, mode), Some(mode.round(d(v), 2)), "{mode} {v}");
            }
        }
    }

    #[test]
    fn what_does_not_fit_is_none() {
        let big = x("79228162514264337593543950335").add(&x("1"));
        assert_eq!(big.to_decimal(), None);
        assert_eq!(big.round(2, RoundingMode::HalfEven), None);
        // 1e11 at 18 places is 1e29 units of the last place, but the value fits with fewer.
        assert_eq!(
            x("100000000000").round(18, RoundingMode::Down),
            Some(d("100000000000"))
        );
        let third = x("1").div(&x("3")).unwrap().add(&x("99999999999"));
        assert_eq!(third.round(18, RoundingMode::Down), None);
    }

    #[test]
    fn display_is_exact_or_says_it_is_not() {
        assert_eq!(
            x("1").div(&x("3")).unwrap().to_string(),
            "0.3333333333333333333333333333…"
        );
        let p = x("0.4999999999999999999999999999").mul(&x("0.01"));
        assert_eq!(p.to_string(), "0.004999999999999999999999999999");
        assert_eq!(x("1.50").to_string(), "1.50");
    }

    proptest::proptest! {
        /// The fast paths (rust_decimal's own sum and product, kept when their scale shows
        /// nothing was dropped) agree with fractions, for decimals of any size and scale.
        #[test]
        fn decimal_steps_are_the_exact_ones(
            (lo, mid, hi, neg, scale) in (proptest::num::u32::ANY, proptest::num::u32::ANY, proptest::num::u32::ANY, proptest::bool::ANY, 0u32..=28),
            (lo2, mid2, hi2, neg2, scale2) in (proptest::num::u32::ANY, proptest::num::u32::ANY, proptest::num::u32::ANY, proptest::bool::ANY, 0u32..=28),
            small in 0usize..4,
        ) {
            // Small mantissas too: most amounts have a few digits.
            let shrink = |x: u32| if small & 1 == 1 { x % 1000 } else { x };
            let a = Decimal::from_parts(shrink(lo), if small > 0 { 0 } else { mid }, if small > 1 { 0 } else { hi }, neg, scale);
            let b = Decimal::from_parts(shrink(lo2), if small > 0 { 0 } else { mid2 }, if small > 1 { 0 } else { hi2 }, neg2, scale2);
            let (x, y) = (Exact::Dec(a), Exact::Dec(b));
            let (ra, rb) = (ratio(a), ratio(b));
            proptest::prop_assert_eq!(x.add(&y).ratio(), ra.add(&rb));
            proptest::prop_assert_eq!(x.sub(&y).ratio(), ra.add(&rb.neg()));
            proptest::prop_assert_eq!(x.mul(&y).ratio(), ra.mul(&rb));
            if let (Some(q), Some(r)) = (x.div(&y), ra.div(&rb)) {
                proptest::prop_assert_eq!(q.ratio(), r);
            }
        }
    }

    #[test]
    fn approximate_rates() {
        assert_eq!(
            x("1").div(&x("3")).unwrap().approximate(),
            Some(d("0.3333333333333333333333333333"))
        );
        assert_eq!(x("0.10").approximate(), Some(d("0.1")));
    }

    #[test]
    fn allocation_sums_to_the_total() {
        let third = x("1").div(&x("3")).unwrap();
        let got = allocate(d("1.00"), &[third.clone(), third.clone(), third], 2).unwrap();
        assert_eq!(got, vec![d("0.34"), d("0.33"), d("0.33")]);
        assert_eq!(got.iter().copied().sum::<Decimal>(), d("1.00"));
    }

    #[test]
    fn allocation_gives_leftovers_to_largest_remainders() {
        let got = allocate(d("0.20"), &[x("0.101"), x("0.099")], 2).unwrap();
        assert_eq!(got, vec![d("0.10"), d("0.10")]);
        // An exact tie gives the unit to the earlier part.
        let half = x("0.005");
        let got = allocate(d("0.01"), &[half.clone(), half], 2).unwrap();
        assert_eq!(got, vec![d("0.01"), d("0.00")]);
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

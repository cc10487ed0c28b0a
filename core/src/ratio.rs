//! Fractions of big integers: what `exact.rs` falls back to when a step is not exact in 28
//! digits.
//!
//! Written here rather than taken from num-bigint and num-rational, which did the job but added
//! 24 KB (gzipped) to the browser's WebAssembly module and took it past its 150 KB budget
//! (BENCHMARKS.md, "Where the bytes go"). It holds only what exact amounts need: sums,
//! products, quotients, comparison, and the quotient and remainder that rounding needs. Values
//! are a few hundred bits at most, so the schoolbook algorithms serve. The tests check every
//! operation against num-rational on random values.

use std::cmp::Ordering;

/// A natural number: a `u128` while it fits (nearly always: the fast path), else base-2^32
/// digits, least significant first, without leading zero digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Nat {
    Small(u128),
    /// Only for values above `u128::MAX`.
    Big(Vec<u32>),
}

impl Default for Nat {
    fn default() -> Nat {
        Nat::Small(0)
    }
}

const BASE: u64 = 1 << 32;

/// The digits of `v`, least significant first.
fn digits_of(mut v: u128) -> Vec<u32> {
    let mut digits = Vec::with_capacity(5);
    while v > 0 {
        digits.push(v as u32);
        v >>= 32;
    }
    digits
}

impl Nat {
    pub fn from_u128(v: u128) -> Nat {
        Nat::Small(v)
    }

    /// Digits to a number, small again when it fits.
    fn from_digits(mut digits: Vec<u32>) -> Nat {
        while digits.last() == Some(&0) {
            digits.pop();
        }
        if digits.len() <= 4 {
            Nat::Small(
                digits
                    .iter()
                    .rev()
                    .fold(0u128, |acc, d| (acc << 32) | u128::from(*d)),
            )
        } else {
            Nat::Big(digits)
        }
    }

    fn digits(&self) -> std::borrow::Cow<'_, [u32]> {
        match self {
            Nat::Small(v) => std::borrow::Cow::Owned(digits_of(*v)),
            Nat::Big(d) => std::borrow::Cow::Borrowed(d),
        }
    }

    pub fn to_u128(&self) -> Option<u128> {
        match self {
            Nat::Small(v) => Some(*v),
            Nat::Big(_) => None,
        }
    }

    /// `10^n`.
    pub fn pow10(n: u32) -> Nat {
        if let Some(p) = 10u128.checked_pow(n) {
            return Nat::Small(p);
        }
        let mut out = Nat::Small(1);
        let mut left = n;
        while left > 0 {
            let step = left.min(9);
            out = out.mul(&Nat::Small(10u128.pow(step)));
            left -= step;
        }
        out
    }

    pub fn is_zero(&self) -> bool {
        matches!(self, Nat::Small(0))
    }

    pub fn is_one(&self) -> bool {
        matches!(self, Nat::Small(1))
    }

    pub fn is_odd(&self) -> bool {
        match self {
            Nat::Small(v) => v & 1 == 1,
            Nat::Big(d) => d.first().is_some_and(|d| d & 1 == 1),
        }
    }

    pub fn cmp(&self, other: &Nat) -> Ordering {
        match (self, other) {
            (Nat::Small(a), Nat::Small(b)) => a.cmp(b),
            (Nat::Small(_), Nat::Big(_)) => Ordering::Less,
            (Nat::Big(_), Nat::Small(_)) => Ordering::Greater,
            (Nat::Big(a), Nat::Big(b)) => a
                .len()
                .cmp(&b.len())
                .then_with(|| a.iter().rev().cmp(b.iter().rev())),
        }
    }

    pub fn add(&self, other: &Nat) -> Nat {
        if let (Nat::Small(a), Nat::Small(b)) = (self, other) {
            if let Some(s) = a.checked_add(*b) {
                return Nat::Small(s);
            }
        }
        let (a, b) = (self.digits(), other.digits());
        let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
        let mut out = Vec::with_capacity(long.len() + 1);
        let mut carry = 0u64;
        for (i, x) in long.iter().enumerate() {
            let s = u64::from(*x) + u64::from(short.get(i).copied().unwrap_or(0)) + carry;
            out.push(s as u32);
            carry = s >> 32;
        }
        out.push(carry as u32);
        Nat::from_digits(out)
    }

    /// `self − other` for `self ≥ other` (callers compare first; otherwise zero, never a panic).
    pub fn sub(&self, other: &Nat) -> Nat {
        if let (Nat::Small(a), Nat::Small(b)) = (self, other) {
            return Nat::Small(a.saturating_sub(*b));
        }
        let (a, b) = (self.digits(), other.digits());
        let mut out = Vec::with_capacity(a.len());
        let mut borrow = 0i64;
        for (i, x) in a.iter().enumerate() {
            let s = i64::from(*x) - i64::from(b.get(i).copied().unwrap_or(0)) - borrow;
            borrow = i64::from(s < 0);
            out.push(s as u32);
        }
        if borrow != 0 || b.len() > a.len() {
            return Nat::default();
        }
        Nat::from_digits(out)
    }

    pub fn mul(&self, other: &Nat) -> Nat {
        if let (Nat::Small(a), Nat::Small(b)) = (self, other) {
            if let Some(p) = a.checked_mul(*b) {
                return Nat::Small(p);
            }
        }
        let (a, b) = (self.digits(), other.digits());
        let mut out = vec![0u32; a.len() + b.len()];
        for (i, x) in a.iter().enumerate() {
            let mut carry = 0u64;
            if let Some(row) = out.get_mut(i..) {
                for (slot, y) in row.iter_mut().zip(b.iter()) {
                    // At most (2^32 − 1)^2 + 2 (2^32 − 1) = 2^64 − 1: no overflow.
                    let t = u64::from(*x) * u64::from(*y) + u64::from(*slot) + carry;
                    *slot = t as u32;
                    carry = t >> 32;
                }
                if let Some(slot) = row.get_mut(b.len()) {
                    *slot = carry as u32;
                }
            }
        }
        Nat::from_digits(out)
    }

    /// `(self ÷ d, self mod d)` for a one-digit `d > 0`.
    pub fn divrem_small(&self, d: u32) -> (Nat, u32) {
        let d = d.max(1);
        if let Nat::Small(v) = self {
            return (Nat::Small(v / u128::from(d)), (v % u128::from(d)) as u32);
        }
        let digits = self.digits();
        let d = u64::from(d);
        let mut q = vec![0u32; digits.len()];
        let mut rem = 0u64;
        for (slot, digit) in q.iter_mut().zip(digits.iter()).rev() {
            let cur = (rem << 32) | u64::from(*digit);
            *slot = (cur / d) as u32;
            rem = cur % d;
        }
        (Nat::from_digits(q), rem as u32)
    }

    fn shl(digits: &[u32], bits: u32) -> Vec<u32> {
        let mut out = Vec::with_capacity(digits.len() + 1);
        let mut carry = 0u32;
        for d in digits {
            if bits == 0 {
                out.push(*d);
            } else {
                out.push((d << bits) | carry);
                carry = d >> (32 - bits);
            }
        }
        out.push(carry);
        out
    }

    fn shr(digits: &[u32], bits: u32) -> Vec<u32> {
        let mut out = Vec::with_capacity(digits.len());
        for (i, d) in digits.iter().enumerate() {
            let high = digits.get(i + 1).copied().unwrap_or(0);
            out.push(if bits == 0 {
                *d
            } else {
                (d >> bits) | (high << (32 - bits))
            });
        }
        out
    }

    /// `(self ÷ divisor, self mod divisor)`; `None` for a zero divisor. Knuth's algorithm D
    /// (The Art of Computer Programming, 4.3.1) for divisors of several digits.
    pub fn divrem(&self, divisor: &Nat) -> Option<(Nat, Nat)> {
        if divisor.is_zero() {
            return None;
        }
        if let (Nat::Small(a), Nat::Small(b)) = (self, divisor) {
            return Some((Nat::Small(a / b), Nat::Small(a % b)));
        }
        if self.cmp(divisor) == Ordering::Less {
            return Some((Nat::default(), self.clone()));
        }
        let divisor_digits = divisor.digits();
        let n = divisor_digits.len();
        if n == 1 {
            let (q, r) = self.divrem_small(*divisor_digits.first()?);
            return Some((q, Nat::Small(u128::from(r))));
        }
        // Normalized so that the divisor's top digit has its high bit set.
        let shift = divisor_digits.last()?.leading_zeros();
        let mut b = Nat::shl(&divisor_digits, shift);
        b.truncate(n);
        let dividend = self.digits();
        let mut a = Nat::shl(&dividend, shift);
        let m = a.len() - n - 1;
        let b1 = u64::from(*b.last()?);
        let b2 = u64::from(*b.get(n - 2)?);
        let mut q = vec![0u32; m + 1];
        for j in (0..=m).rev() {
            let window = a.get_mut(j..=j + n)?;
            let top = (u64::from(*window.get(n)?) << 32) | u64::from(*window.get(n - 1)?);
            let next = u64::from(*window.get(n - 2)?);
            let mut qhat = top / b1;
            let mut rhat = top % b1;
            while qhat >= BASE || qhat * b2 > ((rhat << 32) | next) {
                qhat -= 1;
                rhat += b1;
                if rhat >= BASE {
                    break;
                }
            }
            // window −= qhat × b
            let mut borrow = 0i64;
            let mut carry = 0u64;
            for (w, d) in window.iter_mut().zip(b.iter().chain(std::iter::once(&0))) {
                let p = qhat * u64::from(*d) + carry;
                carry = p >> 32;
                let t = i64::from(*w) - borrow - i64::from(p as u32);
                *w = t as u32;
                borrow = i64::from(t < 0);
            }
            if borrow != 0 {
                // qhat was one too large (rare): add the divisor back.
                qhat -= 1;
                let mut carry = 0u64;
                for (w, d) in window.iter_mut().zip(b.iter().chain(std::iter::once(&0))) {
                    let t = u64::from(*w) + u64::from(*d) + carry;
                    *w = t as u32;
                    carry = t >> 32;
                }
            }
            *q.get_mut(j)? = qhat as u32;
        }
        a.truncate(n);
        let rest = Nat::shr(&a, shift);
        Some((Nat::from_digits(q), Nat::from_digits(rest)))
    }

    /// The greatest common divisor (Euclid's algorithm; `gcd(0, b) = b`).
    pub fn gcd(&self, other: &Nat) -> Nat {
        let (mut a, mut b) = (self.clone(), other.clone());
        while !b.is_zero() {
            if let (Nat::Small(x), Nat::Small(y)) = (&a, &b) {
                let (mut x, mut y) = (*x, *y);
                while y != 0 {
                    (x, y) = (y, x % y);
                }
                return Nat::Small(x);
            }
            let r = a.divrem(&b).map(|(_, r)| r).unwrap_or_default();
            a = b;
            b = r;
        }
        a
    }

    /// Decimal digits (`"0"` for zero).
    pub fn to_decimal(&self) -> String {
        // In nine-digit chunks for both forms (formatting a u128 directly would bring 128-bit
        // formatting into the WebAssembly module for explanations only).
        let mut chunks = Vec::new();
        let mut rest = self.clone();
        while !rest.is_zero() {
            let (q, r) = rest.divrem_small(1_000_000_000);
            chunks.push(r);
            rest = q;
        }
        let mut out = chunks.pop().map_or("0".to_string(), |c| c.to_string());
        for c in chunks.iter().rev() {
            out.push_str(&format!("{c:09}"));
        }
        out
    }
}

/// A fraction in lowest terms: a sign, a numerator and a positive denominator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ratio {
    pub negative: bool,
    pub num: Nat,
    pub den: Nat,
}

impl Ratio {
    /// `±num / den` in lowest terms (zero is never negative); `None` for a zero denominator.
    pub fn new(negative: bool, num: Nat, den: Nat) -> Option<Ratio> {
        if den.is_zero() {
            return None;
        }
        let (num, den) = if den.is_one() || num.is_zero() {
            let den = if num.is_zero() {
                Nat::from_u128(1)
            } else {
                den
            };
            (num, den)
        } else {
            let g = num.gcd(&den);
            if g.is_one() {
                (num, den)
            } else {
                (num.divrem(&g)?.0, den.divrem(&g)?.0)
            }
        };
        Some(Ratio {
            negative: negative && !num.is_zero(),
            num,
            den,
        })
    }

    /// `mantissa × 10^-scale`.
    pub fn decimal(mantissa: i128, scale: u32) -> Ratio {
        let num = Nat::from_u128(mantissa.unsigned_abs());
        Ratio::new(mantissa < 0, num, Nat::pow10(scale)).unwrap_or_else(Ratio::zero)
    }

    pub fn zero() -> Ratio {
        Ratio {
            negative: false,
            num: Nat::default(),
            den: Nat::from_u128(1),
        }
    }

    pub fn is_zero(&self) -> bool {
        self.num.is_zero()
    }

    pub fn neg(&self) -> Ratio {
        Ratio {
            negative: !self.negative && !self.num.is_zero(),
            ..self.clone()
        }
    }

    pub fn add(&self, other: &Ratio) -> Ratio {
        let (a, b) = if self.den == other.den {
            (self.num.clone(), other.num.clone())
        } else {
            (self.num.mul(&other.den), other.num.mul(&self.den))
        };
        let den = if self.den == other.den {
            self.den.clone()
        } else {
            self.den.mul(&other.den)
        };
        let (negative, num) = if self.negative == other.negative {
            (self.negative, a.add(&b))
        } else if a.cmp(&b) == Ordering::Less {
            (other.negative, b.sub(&a))
        } else {
            (self.negative, a.sub(&b))
        };
        Ratio::new(negative, num, den).unwrap_or_else(Ratio::zero)
    }

    pub fn mul(&self, other: &Ratio) -> Ratio {
        let num = self.num.mul(&other.num);
        let den = self.den.mul(&other.den);
        Ratio::new(self.negative != other.negative, num, den).unwrap_or_else(Ratio::zero)
    }

    /// `None` for a zero divisor.
    pub fn div(&self, other: &Ratio) -> Option<Ratio> {
        let num = self.num.mul(&other.den);
        let den = self.den.mul(&other.num);
        Ratio::new(self.negative != other.negative, num, den)
    }

    pub fn cmp(&self, other: &Ratio) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (negative, _) => {
                let by_size = self.num.mul(&other.den).cmp(&other.num.mul(&self.den));
                if negative {
                    by_size.reverse()
                } else {
                    by_size
                }
            }
        }
    }

    /// `|self| × 10^places` split into its whole part and what is left, as `(whole, rest,
    /// den)` with `rest < den`: what rounding to `places` needs.
    pub fn scaled_parts(&self, places: u32) -> (Nat, Nat, &Nat) {
        let scaled = self.num.mul(&Nat::pow10(places));
        let (whole, rest) = scaled.divrem(&self.den).unwrap_or_default();
        (whole, rest, &self.den)
    }

    /// The smallest integer at or above the value.
    pub fn ceil(&self) -> Ratio {
        let (whole, rest, _) = self.scaled_parts(0);
        let up = !self.negative && !rest.is_zero();
        let whole = if up {
            whole.add(&Nat::from_u128(1))
        } else {
            whole
        };
        Ratio::new(self.negative, whole, Nat::from_u128(1)).unwrap_or_else(Ratio::zero)
    }

    /// `(mantissa, scale)` with `|self| = mantissa × 10^-scale`, when the value has a finite
    /// decimal expansion (its denominator has no prime factor but 2 and 5).
    pub fn terminating(&self) -> Option<(Nat, u32)> {
        let mut den = self.den.clone();
        let (mut twos, mut fives) = (0u32, 0u32);
        loop {
            let (q, r) = den.divrem_small(2);
            if r != 0 {
                break;
            }
            den = q;
            twos += 1;
        }
        loop {
            let (q, r) = den.divrem_small(5);
            if r != 0 {
                break;
            }
            den = q;
            fives += 1;
        }
        if !den.is_one() {
            return None;
        }
        let scale = twos.max(fives);
        let (mantissa, _, _) = self.scaled_parts(scale);
        Some((mantissa, scale))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::{BigInt, BigUint};
    use num_rational::BigRational;
    use num_traits::Signed;
    use proptest::prelude::*;

    fn big(n: &Nat) -> BigUint {
        BigUint::from_slice(&n.digits())
    }

    fn nat(digits: &[u32]) -> Nat {
        Nat::from_digits(digits.to_vec())
    }

    fn reference(r: &Ratio) -> BigRational {
        let num = BigInt::from(big(&r.num));
        let num = if r.negative { -num } else { num };
        BigRational::new(num, BigInt::from(big(&r.den)))
    }

    fn ratio(negative: bool, num: &[u32], den: &[u32]) -> Option<Ratio> {
        Ratio::new(negative, nat(num), nat(den))
    }

    fn digits() -> impl Strategy<Value = Vec<u32>> {
        prop::collection::vec(
            prop_oneof![Just(0u32), Just(u32::MAX), Just(1u32), any::<u32>()],
            0..7,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

        #[test]
        fn naturals_agree_with_num_bigint(a in digits(), b in digits()) {
            let (x, y) = (nat(&a), nat(&b));
            let (bx, by) = (big(&x), big(&y));
            prop_assert_eq!(big(&x.add(&y)), &bx + &by);
            prop_assert_eq!(big(&x.mul(&y)), &bx * &by);
            prop_assert_eq!(x.cmp(&y), bx.cmp(&by));
            if bx >= by {
                prop_assert_eq!(big(&x.sub(&y)), &bx - &by);
            }
            match x.divrem(&y) {
                None => prop_assert!(y.is_zero()),
                Some((q, r)) => {
                    prop_assert_eq!(big(&q), &bx / &by);
                    prop_assert_eq!(big(&r), &bx % &by);
                }
            }
            prop_assert_eq!(x.to_decimal(), bx.to_string());
            prop_assert_eq!(big(&x.gcd(&y)), num_integer::Integer::gcd(&bx, &by));
        }

        #[test]
        fn fractions_agree_with_num_rational(
            a in (any::<bool>(), digits(), digits()),
            b in (any::<bool>(), digits(), digits()),
            places in 0u32..30,
        ) {
            let (Some(x), Some(y)) = (ratio(a.0, &a.1, &a.2), ratio(b.0, &b.1, &b.2)) else {
                return Ok(());
            };
            let (rx, ry) = (reference(&x), reference(&y));
            prop_assert_eq!(reference(&x), rx.clone());
            prop_assert_eq!(reference(&x.add(&y)), &rx + &ry);
            prop_assert_eq!(reference(&x.mul(&y)), &rx * &ry);
            prop_assert_eq!(reference(&x.neg()), -rx.clone());
            prop_assert_eq!(x.cmp(&y), rx.cmp(&ry));
            match x.div(&y) {
                None => prop_assert!(y.is_zero()),
                Some(q) => prop_assert_eq!(reference(&q), &rx / &ry),
            }
            prop_assert_eq!(reference(&x.ceil()), rx.ceil());
            let scale = BigRational::from_integer(BigInt::from(10u8).pow(places));
            let scaled = rx.abs() * scale;
            let (whole, rest, den) = x.scaled_parts(places);
            prop_assert_eq!(BigInt::from(big(&whole)), scaled.trunc().to_integer());
            prop_assert_eq!(
                BigRational::new(BigInt::from(big(&rest)), BigInt::from(big(den))),
                scaled.fract()
            );
        }
    }

    #[test]
    fn decimals_and_their_expansions() {
        let r = Ratio::decimal(-1225, 3);
        assert_eq!(
            r.terminating().map(|(m, s)| (m.to_decimal(), s)),
            Some(("1225".into(), 3))
        );
        let third = Ratio::decimal(1, 0).div(&Ratio::decimal(3, 0)).unwrap();
        assert_eq!(third.terminating(), None);
        assert_eq!(Nat::pow10(30).to_decimal(), format!("1{}", "0".repeat(30)));
    }
}

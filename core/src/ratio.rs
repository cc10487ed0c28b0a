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

/// A natural number: base-2^32 digits, least significant first, no leading zero digits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Nat(Vec<u32>);

const BASE: u64 = 1 << 32;

impl Nat {
    pub fn from_u128(mut v: u128) -> Nat {
        let mut digits = Vec::with_capacity(4);
        while v > 0 {
            digits.push(v as u32);
            v >>= 32;
        }
        Nat(digits)
    }

    pub fn to_u128(&self) -> Option<u128> {
        if self.0.len() > 4 {
            return None;
        }
        Some(
            self.0
                .iter()
                .rev()
                .fold(0u128, |acc, d| (acc << 32) | u128::from(*d)),
        )
    }

    /// `10^n`.
    pub fn pow10(n: u32) -> Nat {
        let mut out = Nat::from_u128(1);
        let mut left = n;
        while left > 0 {
            let step = left.min(9);
            out = out.mul_small(10u32.pow(step));
            left -= step;
        }
        out
    }

    pub fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    pub fn is_one(&self) -> bool {
        self.0 == [1]
    }

    pub fn is_odd(&self) -> bool {
        self.0.first().is_some_and(|d| d & 1 == 1)
    }

    fn trimmed(mut self) -> Nat {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
        self
    }

    pub fn cmp(&self, other: &Nat) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    pub fn add(&self, other: &Nat) -> Nat {
        let (long, short) = if self.0.len() >= other.0.len() {
            (self, other)
        } else {
            (other, self)
        };
        let mut out = Vec::with_capacity(long.0.len() + 1);
        let mut carry = 0u64;
        for (i, a) in long.0.iter().enumerate() {
            let s = u64::from(*a) + u64::from(short.0.get(i).copied().unwrap_or(0)) + carry;
            out.push(s as u32);
            carry = s >> 32;
        }
        if carry > 0 {
            out.push(carry as u32);
        }
        Nat(out)
    }

    /// `self − other` for `self ≥ other` (callers compare first; otherwise zero, never a panic).
    pub fn sub(&self, other: &Nat) -> Nat {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0i64;
        for (i, a) in self.0.iter().enumerate() {
            let s = i64::from(*a) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            borrow = i64::from(s < 0);
            out.push(s as u32);
        }
        if borrow != 0 || other.0.len() > self.0.len() {
            return Nat::default();
        }
        Nat(out).trimmed()
    }

    pub fn mul(&self, other: &Nat) -> Nat {
        if self.is_zero() || other.is_zero() {
            return Nat::default();
        }
        let mut out = vec![0u32; self.0.len() + other.0.len()];
        for (i, a) in self.0.iter().enumerate() {
            let mut carry = 0u64;
            if let Some(row) = out.get_mut(i..) {
                for (slot, b) in row.iter_mut().zip(&other.0) {
                    // At most (2^32 − 1)^2 + 2 (2^32 − 1) = 2^64 − 1: no overflow.
                    let t = u64::from(*a) * u64::from(*b) + u64::from(*slot) + carry;
                    *slot = t as u32;
                    carry = t >> 32;
                }
                if let Some(slot) = row.get_mut(other.0.len()) {
                    *slot = carry as u32;
                }
            }
        }
        Nat(out).trimmed()
    }

    fn mul_small(&self, m: u32) -> Nat {
        let mut out = Vec::with_capacity(self.0.len() + 1);
        let mut carry = 0u64;
        for d in &self.0 {
            let t = u64::from(*d) * u64::from(m) + carry;
            out.push(t as u32);
            carry = t >> 32;
        }
        if carry > 0 {
            out.push(carry as u32);
        }
        Nat(out).trimmed()
    }

    /// `(self ÷ d, self mod d)` for a one-digit `d > 0`.
    pub fn divrem_small(&self, d: u32) -> (Nat, u32) {
        let d = u64::from(d.max(1));
        let mut q = vec![0u32; self.0.len()];
        let mut rem = 0u64;
        for (slot, digit) in q.iter_mut().zip(&self.0).rev() {
            let cur = (rem << 32) | u64::from(*digit);
            *slot = (cur / d) as u32;
            rem = cur % d;
        }
        (Nat(q).trimmed(), rem as u32)
    }

    fn shl(&self, bits: u32) -> Nat {
        let (words, bits) = ((bits / 32) as usize, bits % 32);
        let mut out = vec![0u32; words];
        let mut carry = 0u32;
        for d in &self.0 {
            if bits == 0 {
                out.push(*d);
            } else {
                out.push((d << bits) | carry);
                carry = d >> (32 - bits);
            }
        }
        if carry > 0 {
            out.push(carry);
        }
        Nat(out).trimmed()
    }

    fn shr(&self, bits: u32) -> Nat {
        let (words, bits) = ((bits / 32) as usize, bits % 32);
        let rest = self.0.get(words..).unwrap_or_default();
        let mut out = Vec::with_capacity(rest.len());
        for (i, d) in rest.iter().enumerate() {
            let high = rest.get(i + 1).copied().unwrap_or(0);
            out.push(if bits == 0 {
                *d
            } else {
                (d >> bits) | (high << (32 - bits))
            });
        }
        Nat(out).trimmed()
    }

    /// `(self ÷ divisor, self mod divisor)`; `None` for a zero divisor. Knuth's algorithm D
    /// (The Art of Computer Programming, 4.3.1).
    pub fn divrem(&self, divisor: &Nat) -> Option<(Nat, Nat)> {
        let n = divisor.0.len();
        if n == 0 {
            return None;
        }
        if n == 1 {
            let (q, r) = self.divrem_small(*divisor.0.first()?);
            return Some((q, Nat::from_u128(u128::from(r))));
        }
        if self.cmp(divisor) == Ordering::Less {
            return Some((Nat::default(), self.clone()));
        }
        // Normalized so that the divisor's top digit has its high bit set.
        let shift = divisor.0.last()?.leading_zeros();
        let b = divisor.shl(shift).0;
        let mut a = self.shl(shift).0;
        a.resize(self.0.len() + 1, 0);
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
        Some((Nat(q).trimmed(), Nat(a).trimmed().shr(shift)))
    }

    /// The greatest common divisor (Euclid's algorithm; `gcd(0, b) = b`).
    pub fn gcd(&self, other: &Nat) -> Nat {
        let (mut a, mut b) = (self.clone(), other.clone());
        while !b.is_zero() {
            let r = a.divrem(&b).map(|(_, r)| r).unwrap_or_default();
            a = b;
            b = r;
        }
        a
    }

    /// Decimal digits (`"0"` for zero).
    pub fn to_decimal(&self) -> String {
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
        BigUint::from_slice(&n.0)
    }

    fn nat(digits: &[u32]) -> Nat {
        Nat(digits.to_vec()).trimmed()
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

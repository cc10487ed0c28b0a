//! An exact reference model of ratecard's arithmetic, and the harness that holds the engine to
//! it. Shared by `tests/exact_reference.rs` (proptest) and `fuzz/fuzz_targets/exact_reference.rs`
//! (cargo-fuzz), both through `#[path]`.
//!
//! The model is written from the rules alone (fees, packages, graduated and bulk tiers, clamps,
//! the seven rounding modes, totals, equivalents with largest-remainder allocation, conversions
//! through rate schedules) and computes every value as an exact `BigRational`: no rust_decimal
//! arithmetic, no intermediate rounding. The only rounding is the one the rules ask for, at the
//! end, to the asset's precision. A result that is not representable as a rust_decimal (a 96-bit
//! mantissa at a scale of at most 28, trailing zeros dropped) is a `decimal_overflow`.
//!
//! Parts, in order:
//! 1. numbers: exact decimal parsing, representability, rounding, allocation;
//! 2. the scenario: a plain-data description of a catalog, a batch of events and quote options
//!    (what the generators fill in), its `normalize` (makes any raw description valid) and its
//!    JSON rendering;
//! 3. the model: what every quote, total, equivalent and conversion must be;
//! 4. the harness: runs the engine's public API on the rendered JSON and compares.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

// ---------------------------------------------------------------------------------------------
// 1. Numbers
// ---------------------------------------------------------------------------------------------

/// An exact rational.
pub type Q = BigRational;

pub fn q(n: i64) -> Q {
    Q::from_integer(BigInt::from(n))
}

pub fn pow10(n: u32) -> BigInt {
    BigInt::from(10u32).pow(n)
}

/// 2^96: a rust_decimal mantissa is below it.
fn two_96() -> BigInt {
    BigInt::one() << 96usize
}

/// The exact value of decimal text: `[+-]? digits (. digits)? ([eE] [+-]? digits)?` (also `.5`
/// and `5.`). `None` for anything else, and for exponents of more than six digits (never
/// generated).
pub fn parse_decimal(text: &str) -> Option<Q> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    let digits = BigInt::parse_bytes(format!("{int}{frac}").as_bytes(), 10)?;
    let mut exp = -(frac.len() as i64);
    if let Some(e) = exponent {
        let (neg, d) = match e.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, e.strip_prefix('+').unwrap_or(e)),
        };
        if d.is_empty() || d.len() > 6 || !all_digits(d) {
            return None;
        }
        let v: i64 = d.parse().ok()?;
        exp += if neg { -v } else { v };
    }
    let value = if exp >= 0 {
        Q::from_integer(digits * pow10(exp as u32))
    } else {
        Q::new(digits, pow10((-exp) as u32))
    };
    Some(if negative { -value } else { value })
}

/// The smallest scale at which `q` is a whole number of units, if it is a terminating decimal.
pub fn min_scale(q: &Q) -> Option<u32> {
    let mut d = q.denom().clone();
    let (two, five) = (BigInt::from(2), BigInt::from(5));
    let (mut twos, mut fives) = (0u32, 0u32);
    while d.is_even() {
        d /= &two;
        twos += 1;
    }
    while (&d % &five).is_zero() {
        d /= &five;
        fives += 1;
    }
    d.is_one().then_some(twos.max(fives))
}

/// Whether a rust_decimal can hold `q` exactly: some scale `s <= 28` makes `q × 10^s` a whole
/// number below 2^96 in magnitude (trailing zeros may be dropped to fit).
pub fn representable(q: &Q) -> bool {
    if q.is_zero() {
        return true;
    }
    let Some(s) = min_scale(q) else {
        return false;
    };
    s <= 28 && (q * Q::from_integer(pow10(s))).to_integer().abs() < two_96()
}

/// Whether `q` (a multiple of 10^-places) written with exactly `places` decimals has a mantissa
/// below 2^96, i.e. whether a rust_decimal can carry it at that scale.
pub fn fits_at_scale(q: &Q, places: u32) -> bool {
    places <= 28 && (q * Q::from_integer(pow10(places))).to_integer().abs() < two_96()
}

/// The rounding modes of the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    HalfEven,
    HalfAwayFromZero,
    HalfTowardZero,
    Down,
    Up,
    Floor,
    Ceiling,
}

impl Mode {
    pub const ALL: [Mode; 7] = [
        Mode::HalfEven,
        Mode::HalfAwayFromZero,
        Mode::HalfTowardZero,
        Mode::Down,
        Mode::Up,
        Mode::Floor,
        Mode::Ceiling,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mode::HalfEven => "half_even",
            Mode::HalfAwayFromZero => "half_away_from_zero",
            Mode::HalfTowardZero => "half_toward_zero",
            Mode::Down => "down",
            Mode::Up => "up",
            Mode::Floor => "floor",
            Mode::Ceiling => "ceiling",
        }
    }
}

/// `value` rounded to `places` decimal places with `mode`, exactly.
pub fn round(value: &Q, places: u32, mode: Mode) -> Q {
    let scale = Q::from_integer(pow10(places));
    let x = value * &scale;
    let negative = x.is_negative();
    let magnitude = x.abs();
    let whole = magnitude.floor();
    let rest = &magnitude - &whole;
    let half = Q::new(BigInt::one(), BigInt::from(2));
    let whole = whole.to_integer();
    let away = match mode {
        Mode::Down => false,
        Mode::Up => !rest.is_zero(),
        Mode::HalfAwayFromZero => rest >= half,
        Mode::HalfTowardZero => rest > half,
        Mode::HalfEven => rest > half || (rest == half && whole.is_odd()),
        Mode::Floor => negative && !rest.is_zero(),
        Mode::Ceiling => !negative && !rest.is_zero(),
    };
    let k = if away { whole + 1 } else { whole };
    Q::new(if negative { -k } else { k }, pow10(places))
}

/// Splits `total` (a multiple of 10^-places) over the exact `parts`: each part floored to the
/// precision, then the units left over (`total − Σ floors`) handed out one each to the parts
/// with the largest exact remainder, ties to the earlier part.
pub fn allocate(total: &Q, parts: &[Q], places: u32) -> Vec<Q> {
    let unit = Q::new(BigInt::one(), pow10(places));
    let mut out: Vec<Q> = parts
        .iter()
        .map(|p| round(p, places, Mode::Floor))
        .collect();
    let floors: Q = out.iter().fold(Q::zero(), |a, b| a + b);
    let left = ((total - floors) / &unit).to_integer();
    assert!(
        !left.is_negative() && left <= BigInt::from(parts.len()),
        "allocation leftover {left} out of range: total {} parts {:?}",
        show(total),
        parts.iter().map(show).collect::<Vec<_>>()
    );
    let mut order: Vec<usize> = (0..parts.len()).collect();
    // Stable sort: among equal remainders the earlier part comes first.
    order.sort_by(|&a, &b| (&parts[b] - &out[b]).cmp(&(&parts[a] - &out[a])));
    let mut left: usize = left.try_into().unwrap();
    for i in order {
        if left == 0 {
            break;
        }
        out[i] = &out[i] + &unit;
        left -= 1;
    }
    out
}

/// `q` as decimal text with exactly `places` decimals (`q` must be a multiple of 10^-places).
pub fn fixed(q: &Q, places: u32) -> String {
    let k = (q * Q::from_integer(pow10(places))).to_integer();
    let digits = k.abs().to_string();
    let sign = if k.is_negative() { "-" } else { "" };
    if places == 0 {
        return format!("{sign}{digits}");
    }
    let p = places as usize;
    let padded = format!("{digits:0>width$}", width = p + 1);
    let (int, frac) = padded.split_at(padded.len() - p);
    format!("{sign}{int}.{frac}")
}

/// `q` for messages: shortest exact decimal text, or `n/d` when it does not terminate.
pub fn show(q: &Q) -> String {
    match min_scale(q) {
        Some(s) => fixed(q, s),
        None => format!("{}/{}", q.numer(), q.denom()),
    }
}

/// How many decimals a plain decimal string shows.
pub fn printed_scale(text: &str) -> u32 {
    text.split_once('.').map_or(0, |(_, f)| f.len() as u32)
}

// ---------------------------------------------------------------------------------------------
// 2. The scenario
// ---------------------------------------------------------------------------------------------

/// The fiat currencies used, with their ISO 4217 minor units.
pub const FIATS: [(&str, u32); 4] = [("USD", 2), ("EUR", 2), ("JPY", 0), ("BHD", 3)];
/// Instants events and `at` are drawn from: mostly March 2026, rate boundaries included.
pub const INSTANTS: [&str; 8] = [
    "2026-03-01T00:00:00Z",
    "2026-03-09T23:59:59Z",
    "2026-03-10T00:00:00Z",
    "2026-03-15T12:00:00Z",
    "2026-03-20T00:00:00Z",
    "2026-03-31T23:59:59Z",
    "2026-04-01T00:00:00Z",
    "2027-01-01T00:00:00Z",
];
pub const B_EARLY: &str = "2026-01-01T00:00:00Z";
pub const B_MID: &str = "2026-03-10T00:00:00Z";
pub const B_LATE: &str = "2026-03-20T00:00:00Z";
/// `c` has no price (a `no_price_matched` warning).
pub const EVENT_TYPES: [&str; 3] = ["a", "b", "c"];
pub const FIELDS: [&str; 2] = ["v", "w"];
pub const PRODUCTS: [&str; 2] = ["p", "q"];

// The generators' vocabulary (proptest and cargo-fuzz draw from the same values).

/// Values worth meeting often: 28 significant digits, the smallest decimal, the largest, ties.
pub const SPECIAL: &[(&str, u32)] = &[
    ("4999999999999999999999999999", 28), // 0.4999999999999999999999999999
    ("29999999999999999999999999999", 28), // 2.9999999999999999999999999999
    ("3333333333333333333333333333", 28), // 0.3333333333333333333333333333
    ("1", 28),                            // 1e-28
    ("79228162514264337593543950335", 0), // the largest decimal
    ("79228162514264337593543950335", 28), // 7.9228162514264337593543950335
    ("12", 1),
    ("1", 1),
    ("3", 0),
    ("60", 0),
    ("5", 3),
    ("125", 3),
    ("25", 1),
    ("1225", 3),
    ("1000000", 0),
    ("15", 1),
    ("7", 0),
];

/// Values no decimal holds: a catalog with one is rejected with `decimal_overflow`.
pub const POISON: &[&str] = &[
    "99999999999999999999999999999",
    "0.00000000000000000000000000001",
    "1.00000000000000000000000000001",
    "1e29",
    "5e-29",
    "79228162514264337593543950336",
    "1.00000000000000000000000000001e0",
    "7.9228162514264337593543950336E28",
    "1.23456789012345678901234567895e2",
];

/// Rates given both ways, agreeing exactly.
pub const EXACT_PAIRS: &[(&str, &str)] = &[
    ("0.08", "12.5"),
    ("0.5", "2"),
    ("0.0125", "80"),
    ("4", "0.25"),
    ("1.6", "0.625"),
    ("0.001", "1000"),
    ("3.2", "0.3125"),
];

/// Decimal text of `digits × 10^-scale` in one of several spellings: plain (0), with trailing
/// zeros (1, possibly past 28 places), `digits e-scale` (2), one digit before the point with an
/// exponent (3), and a mantissa with trailing zeros and a larger negative exponent (4).
pub fn spell(digits: &str, scale: u32, form: u8, zeros: usize) -> String {
    let plain = |d: &str, s: u32| {
        if s == 0 {
            return d.to_string();
        }
        let s = s as usize;
        let padded = format!("{d:0>w$}", w = s + 1);
        let (int, frac) = padded.split_at(padded.len() - s);
        format!("{int}.{frac}")
    };
    let z = "0".repeat(zeros);
    match form {
        0 => plain(digits, scale),
        1 if scale == 0 => format!("{digits}.{z}"),
        1 => format!("{}{z}", plain(digits, scale)),
        2 => format!("{digits}e-{scale}"),
        3 => {
            let (head, tail) = digits.split_at(1);
            let e = tail.len() as i64 - i64::from(scale);
            if tail.is_empty() {
                format!("{head}e{e}")
            } else {
                format!("{head}.{tail}E{e}")
            }
        }
        _ => format!("{digits}{z}e-{}", scale as usize + zeros),
    }
}

/// A decimal as the JSON carries it: a string (exact text) or a JSON integer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NumText {
    Str(String),
    Int(u64),
}

impl NumText {
    pub fn s(text: &str) -> NumText {
        NumText::Str(text.to_string())
    }
    pub fn json(&self) -> Value {
        match self {
            NumText::Str(s) => json!(s),
            NumText::Int(n) => json!(n),
        }
    }
    pub fn text(&self) -> String {
        match self {
            NumText::Str(s) => s.clone(),
            NumText::Int(n) => n.to_string(),
        }
    }
    /// The exact value; `None` if the text is not a number.
    pub fn value(&self) -> Option<Q> {
        parse_decimal(&self.text())
    }
}

/// An asset: a custom one of the catalog (by index) or a fiat currency of [`FIATS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssetRef {
    Custom(usize),
    Fiat(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateValueSpec {
    pub rate: Option<NumText>,
    pub inverse_rate: Option<NumText>,
}

/// One fiat source of an asset and the shape of its schedule:
/// 0 `[v1]`; 1 `[v1 from B_MID]`; 2 `[v1, v2 from B_MID]`; 3 `[v1 to B_MID, v2 from B_LATE]`
/// (a gap); 4 `[v1 from B_EARLY, v2 from B_LATE]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceSpec {
    pub fiat: usize,
    pub shape: u8,
    pub first: RateValueSpec,
    pub second: RateValueSpec,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetSpec {
    /// `None`: not written (the default, 2).
    pub precision: Option<u32>,
    pub sources: Vec<SourceSpec>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    Unit,
    Volume,
    UnitAndVolume,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PricingModel {
    Flat,
    Package,
    Tiered,
    Bulk,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    Unit,
    Volume,
    Package,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Monthly,
    Quarterly,
    Yearly,
    Lifetime,
}

/// One price value (a flat value or a tier). Before [`Scenario::normalize`], `up_to` holds the
/// tier's width (added up into bounds by `normalize`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValueSpec {
    pub up_to: Option<NumText>,
    pub unit_price: Option<NumText>,
    pub volume_rate: Option<NumText>,
    pub package_size: Option<NumText>,
    pub min_amount: Option<NumText>,
    pub max_amount: Option<NumText>,
}

/// A usage price with one pricing entry. Prices are named `f{index}` and belong to product
/// [`PRODUCTS`]`[product]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceSpec {
    pub product: usize,
    pub event: usize,
    pub usage: Usage,
    pub field: usize,
    pub model: PricingModel,
    pub basis: Option<Basis>,
    pub period: Option<Period>,
    pub asset: AssetRef,
    pub values: Vec<ValueSpec>,
    /// Whether the last tier has an `up_to` (tiered and bulk only).
    pub last_bounded: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogSpec {
    pub assets: Vec<AssetSpec>,
    pub prices: Vec<PriceSpec>,
    pub rounding: Vec<(AssetRef, Mode)>,
    pub conversion_rounding: Vec<(AssetRef, Mode)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventSpec {
    pub event: usize,
    /// Index into [`INSTANTS`]: the event's `occurred_at`.
    pub at: usize,
    /// The values of [`FIELDS`] in `data` (absent when `None`).
    pub data: [Option<NumText>; 2],
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionsSpec {
    pub at: Option<usize>,
    /// Targets, the flag asking for the code in lower case.
    pub express_in: Vec<(AssetRef, bool)>,
    /// `(price index, quantity)`; a later entry for the same price replaces an earlier one.
    pub prior_usage: Vec<(usize, NumText)>,
    pub explain: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub catalog: CatalogSpec,
    pub events: Vec<EventSpec>,
    pub options: OptionsSpec,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertSpec {
    /// The amount is `mantissa × 10^-scale` (made a valid rust_decimal by `normalize`).
    pub mantissa: u128,
    pub scale: u32,
    pub from: AssetRef,
    pub to: AssetRef,
    pub at: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertScenario {
    pub catalog: CatalogSpec,
    pub conversions: Vec<ConvertSpec>,
}

impl AssetRef {
    fn wrapped(self, customs: usize) -> AssetRef {
        match self {
            AssetRef::Custom(i) if customs > 0 => AssetRef::Custom(i % customs),
            AssetRef::Custom(i) => AssetRef::Fiat(i % FIATS.len()),
            AssetRef::Fiat(i) => AssetRef::Fiat(i % FIATS.len()),
        }
    }

    pub fn code(self) -> String {
        match self {
            AssetRef::Custom(i) => format!("K{i}"),
            AssetRef::Fiat(i) => FIATS[i].0.to_string(),
        }
    }
}

fn value_of(n: &Option<NumText>) -> Option<Q> {
    n.as_ref().and_then(NumText::value)
}

impl CatalogSpec {
    /// Makes any raw description a valid catalog the rules cover: indices wrapped, one source
    /// per fiat, the fields each usage type and model needs, increasing tier bounds, `min <=
    /// max`, and one package size for all tiers of a package basis (the rules do not say which
    /// tier's size a bulk package price bills by, so the generated catalogs never ask).
    pub fn normalize(&mut self) {
        self.assets.truncate(3);
        let customs = self.assets.len();
        for asset in &mut self.assets {
            if let Some(p) = asset.precision.as_mut() {
                *p %= 19;
            }
            let mut seen = Vec::new();
            asset.sources.retain_mut(|s| {
                s.fiat %= FIATS.len();
                s.shape %= 5;
                for v in [&mut s.first, &mut s.second] {
                    if v.rate.is_none() && v.inverse_rate.is_none() {
                        v.rate = Some(NumText::s("1"));
                    }
                }
                let fresh = !seen.contains(&s.fiat);
                seen.push(s.fiat);
                fresh
            });
        }
        self.prices.truncate(3);
        for price in &mut self.prices {
            price.product %= PRODUCTS.len();
            price.event %= 2;
            price.field %= FIELDS.len();
            price.asset = price.asset.wrapped(customs);
            if price.values.is_empty() {
                price.values.push(ValueSpec::default());
            }
            let tiered = matches!(price.model, PricingModel::Tiered | PricingModel::Bulk);
            if price.usage == Usage::Unit && price.basis.is_some() {
                price.basis = Some(Basis::Unit);
            }
            if tiered {
                price.values.truncate(4);
            } else {
                price.values.truncate(1);
                price.basis = None;
                price.period = None;
            }
            let n = price.values.len();
            let mut bound = Q::zero();
            for (i, v) in price.values.iter_mut().enumerate() {
                match price.usage {
                    Usage::Unit => {
                        v.unit_price.get_or_insert_with(|| NumText::s("1"));
                        v.volume_rate = None;
                        v.package_size = None;
                    }
                    Usage::Volume => {
                        v.volume_rate.get_or_insert_with(|| NumText::s("1"));
                        v.unit_price = None;
                    }
                    Usage::UnitAndVolume => {
                        if v.unit_price.is_none() && v.volume_rate.is_none() {
                            v.volume_rate = Some(NumText::s("1"));
                        }
                    }
                }
                if let (Some(a), Some(b)) = (value_of(&v.min_amount), value_of(&v.max_amount)) {
                    if a > b {
                        std::mem::swap(&mut v.min_amount, &mut v.max_amount);
                    }
                }
                if !tiered || (i + 1 == n && !price.last_bounded) {
                    v.up_to = None;
                    continue;
                }
                let width = value_of(&v.up_to)
                    .filter(|w| w.is_positive())
                    .unwrap_or_else(|| q(1));
                bound += width;
                v.up_to = Some(match (i, &v.up_to) {
                    // The first bound keeps its text (its spelling is part of the test).
                    (0, Some(text)) if value_of(&v.up_to).is_some_and(|w| w.is_positive()) => {
                        text.clone()
                    }
                    _ => NumText::Str(show(&bound)),
                });
            }
            if price.basis == Some(Basis::Package) {
                let size = price.values[0].package_size.clone();
                for v in &mut price.values {
                    v.package_size = size.clone();
                }
            }
        }
        let mut seen = Vec::new();
        self.rounding.retain_mut(|(a, _)| {
            *a = a.wrapped(customs);
            let fresh = !seen.contains(a);
            seen.push(*a);
            fresh
        });
        let mut seen = Vec::new();
        self.conversion_rounding.retain_mut(|(a, _)| {
            *a = a.wrapped(customs);
            let fresh = !seen.contains(a);
            seen.push(*a);
            fresh
        });
    }

    /// The catalog's JSON.
    pub fn to_json(&self) -> Value {
        let assets: Vec<Value> = self
            .assets
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut obj = json!({"code": format!("K{i}"), "name": format!("Asset {i}")});
                if let Some(p) = a.precision {
                    obj["precision"] = json!(p);
                }
                let mut rates = Vec::new();
                for s in &a.sources {
                    let entry = |v: &RateValueSpec, from: Option<&str>, to: Option<&str>| {
                        let mut e = json!({"source": FIATS[s.fiat].0});
                        if let Some(r) = &v.rate {
                            e["rate"] = r.json();
                        }
                        if let Some(r) = &v.inverse_rate {
                            e["inverse_rate"] = r.json();
                        }
                        if let Some(t) = from {
                            e["valid_from"] = json!(t);
                        }
                        if let Some(t) = to {
                            e["valid_to"] = json!(t);
                        }
                        e
                    };
                    match s.shape {
                        0 => rates.push(entry(&s.first, None, None)),
                        1 => rates.push(entry(&s.first, Some(B_MID), None)),
                        2 => {
                            rates.push(entry(&s.first, None, None));
                            rates.push(entry(&s.second, Some(B_MID), None));
                        }
                        3 => {
                            rates.push(entry(&s.first, None, Some(B_MID)));
                            rates.push(entry(&s.second, Some(B_LATE), None));
                        }
                        _ => {
                            rates.push(entry(&s.first, Some(B_EARLY), None));
                            rates.push(entry(&s.second, Some(B_LATE), None));
                        }
                    }
                }
                obj["rates"] = Value::Array(rates);
                obj
            })
            .collect();
        let mut products: Vec<Value> = Vec::new();
        for (pi, code) in PRODUCTS.iter().enumerate() {
            let prices: Vec<Value> = self
                .prices
                .iter()
                .enumerate()
                .filter(|(_, p)| p.product == pi)
                .map(|(i, p)| price_json(i, p))
                .collect();
            if !prices.is_empty() {
                products.push(json!({"name": code.to_uppercase(), "code": code, "prices": prices}));
            }
        }
        let mut catalog = json!({"assets": assets, "products": products});
        let mut settings = Map::new();
        for (key, list) in [
            ("rounding", &self.rounding),
            ("conversion_rounding", &self.conversion_rounding),
        ] {
            if !list.is_empty() {
                let map: Map<String, Value> = list
                    .iter()
                    .map(|(a, m)| (a.code(), json!(m.name())))
                    .collect();
                settings.insert(key.to_string(), Value::Object(map));
            }
        }
        if !settings.is_empty() {
            catalog["settings"] = Value::Object(settings);
        }
        catalog
    }
}

fn price_json(index: usize, p: &PriceSpec) -> Value {
    let usage = match p.usage {
        Usage::Unit => "unit",
        Usage::Volume => "volume",
        Usage::UnitAndVolume => "unit_and_volume",
    };
    let mut calc = json!({"event_type": EVENT_TYPES[p.event], "usage_type": usage});
    if p.usage != Usage::Unit {
        calc["volume_field"] = json!(FIELDS[p.field]);
    }
    let values: Vec<Value> = p
        .values
        .iter()
        .map(|v| {
            let mut obj = Map::new();
            for (key, field) in [
                ("up_to", &v.up_to),
                ("unit_price", &v.unit_price),
                ("volume_rate", &v.volume_rate),
                ("package_size", &v.package_size),
                ("min_amount", &v.min_amount),
                ("max_amount", &v.max_amount),
            ] {
                if let Some(n) = field {
                    obj.insert(key.to_string(), n.json());
                }
            }
            Value::Object(obj)
        })
        .collect();
    let model = match p.model {
        PricingModel::Flat => "flat",
        PricingModel::Package => "package",
        PricingModel::Tiered => "tiered",
        PricingModel::Bulk => "bulk",
    };
    let mut price = json!({
        "name": format!("f{index}"),
        "type": "usage_based",
        "billing_model": {"type": "real_time"},
        "usage_calculation": calc,
        "pricing_model": model,
        "pricing": [{"asset": p.asset.code(), "values": values}],
    });
    let mut tiering = Map::new();
    if let Some(b) = p.basis {
        let b = match b {
            Basis::Unit => "unit",
            Basis::Volume => "volume",
            Basis::Package => "package",
        };
        tiering.insert("basis".into(), json!(b));
    }
    if let Some(period) = p.period {
        let period = match period {
            Period::Monthly => "monthly",
            Period::Quarterly => "quarterly",
            Period::Yearly => "yearly",
            Period::Lifetime => "lifetime",
        };
        tiering.insert("period".into(), json!(period));
    }
    if !tiering.is_empty() {
        price["tiering"] = Value::Object(tiering);
    }
    price
}

impl EventSpec {
    pub fn to_json(&self, index: usize) -> Value {
        let mut data = Map::new();
        for (field, value) in FIELDS.iter().zip(&self.data) {
            if let Some(v) = value {
                data.insert(field.to_string(), v.json());
            }
        }
        json!({
            "id": format!("e{index}"),
            "event_type": EVENT_TYPES[self.event % EVENT_TYPES.len()],
            "occurred_at": INSTANTS[self.at % INSTANTS.len()],
            "data": data,
        })
    }
}

impl OptionsSpec {
    /// The prior usage as the wire form keys it: `(product code, price name) → quantity`.
    fn prior_map(&self, catalog: &CatalogSpec) -> BTreeMap<(String, String), NumText> {
        let mut out = BTreeMap::new();
        for (i, n) in &self.prior_usage {
            if let Some(p) = catalog.prices.get(*i) {
                out.insert(
                    (PRODUCTS[p.product].to_string(), format!("f{i}")),
                    n.clone(),
                );
            }
        }
        out
    }

    pub fn to_json(&self, catalog: &CatalogSpec) -> Value {
        let mut o = json!({"explain": self.explain});
        if let Some(at) = self.at {
            o["at"] = json!(INSTANTS[at % INSTANTS.len()]);
        }
        if !self.express_in.is_empty() {
            let codes: Vec<String> = self
                .express_in
                .iter()
                .map(|(a, lower)| {
                    let c = a.code();
                    if *lower {
                        c.to_lowercase()
                    } else {
                        c
                    }
                })
                .collect();
            o["express_in"] = json!(codes);
        }
        let prior = self.prior_map(catalog);
        if !prior.is_empty() {
            let mut map = Map::new();
            for ((product, price), n) in prior {
                let entry = map.entry(product).or_insert_with(|| json!({}));
                entry[price.as_str()] = n.json();
            }
            o["prior_usage"] = Value::Object(map);
        }
        o
    }
}

impl Scenario {
    /// See [`CatalogSpec::normalize`]; also sorts the batch by time (batches come in time
    /// order) and wraps every index.
    pub fn normalize(&mut self) {
        self.catalog.normalize();
        let customs = self.catalog.assets.len();
        self.events.truncate(8);
        for e in &mut self.events {
            e.event %= EVENT_TYPES.len();
            e.at %= INSTANTS.len();
        }
        self.events.sort_by_key(|e| e.at);
        if let Some(at) = self.options.at.as_mut() {
            *at %= INSTANTS.len();
        }
        self.options.express_in.truncate(4);
        for (a, _) in &mut self.options.express_in {
            *a = a.wrapped(customs);
        }
        let prices = self.catalog.prices.len();
        self.options.prior_usage.retain_mut(|(i, _)| {
            if prices == 0 {
                return false;
            }
            *i %= prices;
            true
        });
    }

    pub fn events_json(&self) -> Value {
        Value::Array(
            self.events
                .iter()
                .enumerate()
                .map(|(i, e)| e.to_json(i))
                .collect(),
        )
    }
}

impl ConvertScenario {
    pub fn normalize(&mut self) {
        self.catalog.prices.clear();
        self.catalog.normalize();
        let customs = self.catalog.assets.len();
        for c in &mut self.conversions {
            c.mantissa %= 1u128 << 96;
            c.scale %= 29;
            c.from = c.from.wrapped(customs);
            c.to = c.to.wrapped(customs);
            c.at %= INSTANTS.len();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 3. The model
// ---------------------------------------------------------------------------------------------

/// Why the model expects a failure: the issue code and, for people, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fail {
    pub code: &'static str,
    pub why: String,
}

fn overflow(why: String) -> Fail {
    Fail {
        code: "decimal_overflow",
        why,
    }
}

#[derive(Clone, Debug)]
struct Info {
    code: String,
    precision: u32,
    fee: Mode,
    conversion: Mode,
    custom: Option<usize>,
}

#[derive(Clone, Debug)]
struct Entry {
    from: Option<&'static str>,
    to: Option<&'static str>,
    /// Source units per one unit of the asset (`rate`, or `1 / inverse_rate`).
    per_unit: Q,
}

#[derive(Clone, Debug)]
struct ValueM {
    up_to: Option<Q>,
    unit_price: Option<Q>,
    volume_rate: Option<Q>,
    package_size: Option<Q>,
    min: Option<Q>,
    max: Option<Q>,
}

#[derive(Clone, Debug)]
struct PriceM {
    product: &'static str,
    name: String,
    event: usize,
    usage: Usage,
    field: usize,
    model: PricingModel,
    basis: Basis,
    period: Period,
    asset: AssetRef,
    values: Vec<ValueM>,
}

/// A fee as the model expects it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeeOut {
    pub product: String,
    pub price: String,
    pub currency: String,
    pub precision: u32,
    pub amount: Q,
    /// `(target code, amount, target precision)` in express order.
    pub equivalents: Vec<(String, Q, u32)>,
}

/// A quote as the model expects it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuoteOut {
    pub fees: Vec<FeeOut>,
    pub totals: Vec<(String, Q, u32)>,
    pub equivalents: Vec<(String, Q, u32)>,
    /// Warning codes in order.
    pub warnings: Vec<&'static str>,
    /// Failures the rules leave open: the engine may give this quote or fail with one of
    /// these (the tier usage of a tiered price no longer fits a decimal: exact or
    /// `decimal_overflow`, never silently rounded).
    pub may_fail: Vec<Fail>,
}

/// A batch as the model expects it: the quotes up to the first that fails, and that failure
/// (the event's index and every failure in it: any of them is an acceptable answer).
#[derive(Clone, Debug)]
pub struct Batch {
    pub quotes: Vec<QuoteOut>,
    pub failure: Option<(usize, Vec<Fail>)>,
}

/// Quote options as the model reads them.
#[derive(Clone, Debug)]
pub struct OptionsM {
    at: Option<&'static str>,
    express: Vec<Info>,
    /// Prior usage per price index.
    prior: BTreeMap<usize, Q>,
}

/// A catalog as the model reads it.
#[derive(Clone, Debug)]
pub struct Model {
    customs: Vec<Info>,
    fiats: Vec<Info>,
    /// Per custom asset: its sources in `rates` order, each with its entries in time order.
    schedules: Vec<Vec<(usize, Vec<Entry>)>>,
    prices: Vec<PriceM>,
}

fn num(n: &NumText, path: &str) -> Result<Q, Fail> {
    let v = n.value().ok_or_else(|| Fail {
        code: "invalid_decimal",
        why: format!("{path}: {:?} is not a number", n.text()),
    })?;
    if representable(&v) {
        Ok(v)
    } else {
        Err(overflow(format!(
            "{path}: {:?} is not representable as a decimal",
            n.text()
        )))
    }
}

fn opt_num(n: &Option<NumText>, path: &str) -> Result<Option<Q>, Fail> {
    n.as_ref().map(|n| num(n, path)).transpose()
}

fn period_key(period: Period, at: &str) -> i64 {
    let year: i64 = at[0..4].parse().unwrap();
    let month: i64 = at[5..7].parse().unwrap();
    match period {
        Period::Lifetime => 0,
        Period::Monthly => year * 12 + month,
        Period::Quarterly => year * 4 + (month - 1) / 3,
        Period::Yearly => year,
    }
}

/// Tier usage carried through a batch: per price and period, and the period each price's prior
/// usage belongs to (that of the first event the price priced).
#[derive(Default)]
struct Ledger {
    used: BTreeMap<(usize, i64), Q>,
    seeded: BTreeMap<usize, i64>,
}

impl Model {
    /// Reads a (normalized) catalog: every decimal must be representable, else the catalog is
    /// invalid with `decimal_overflow`.
    pub fn build(spec: &CatalogSpec) -> Result<Model, Fail> {
        let mode_for = |list: &[(AssetRef, Mode)], a: AssetRef| {
            list.iter().find(|(x, _)| *x == a).map(|(_, m)| *m)
        };
        let mut customs = Vec::new();
        let mut schedules = Vec::new();
        for (i, a) in spec.assets.iter().enumerate() {
            let r = AssetRef::Custom(i);
            customs.push(Info {
                code: r.code(),
                precision: a.precision.unwrap_or(2),
                fee: mode_for(&spec.rounding, r).unwrap_or(Mode::HalfEven),
                conversion: mode_for(&spec.conversion_rounding, r).unwrap_or(Mode::Down),
                custom: Some(i),
            });
            let mut sources = Vec::new();
            for s in &a.sources {
                let value = |v: &RateValueSpec, which: &str| -> Result<Q, Fail> {
                    let path = format!("assets[{i}] {} {which}", FIATS[s.fiat].0);
                    let rate = opt_num(&v.rate, &path)?;
                    let inverse = opt_num(&v.inverse_rate, &path)?;
                    match (rate, inverse) {
                        (Some(r), Some(inv)) => {
                            assert!(
                                (&r * &inv).is_one(),
                                "generator bug: rate {} and inverse {} disagree",
                                show(&r),
                                show(&inv)
                            );
                            Ok(r)
                        }
                        (Some(r), None) => Ok(r),
                        (None, Some(inv)) => Ok(inv.recip()),
                        (None, None) => unreachable!("normalize gives every entry a rate"),
                    }
                };
                let v1 = value(&s.first, "first")?;
                let entries = match s.shape {
                    0 => vec![(None, None, v1)],
                    1 => vec![(Some(B_MID), None, v1)],
                    2 => vec![
                        (None, Some(B_MID), v1),
                        (Some(B_MID), None, value(&s.second, "second")?),
                    ],
                    3 => vec![
                        (None, Some(B_MID), v1),
                        (Some(B_LATE), None, value(&s.second, "second")?),
                    ],
                    _ => vec![
                        (Some(B_EARLY), Some(B_LATE), v1),
                        (Some(B_LATE), None, value(&s.second, "second")?),
                    ],
                };
                let entries = entries
                    .into_iter()
                    .map(|(from, to, per_unit)| Entry { from, to, per_unit })
                    .collect();
                sources.push((s.fiat, entries));
            }
            schedules.push(sources);
        }
        let fiats = FIATS
            .iter()
            .enumerate()
            .map(|(i, (code, precision))| {
                let r = AssetRef::Fiat(i);
                Info {
                    code: code.to_string(),
                    precision: *precision,
                    fee: mode_for(&spec.rounding, r).unwrap_or(Mode::HalfAwayFromZero),
                    conversion: mode_for(&spec.conversion_rounding, r)
                        .unwrap_or(Mode::HalfAwayFromZero),
                    custom: None,
                }
            })
            .collect();
        let mut prices = Vec::new();
        for (i, p) in spec.prices.iter().enumerate() {
            let mut values = Vec::new();
            for (j, v) in p.values.iter().enumerate() {
                let path = |k: &str| format!("f{i} values[{j}].{k}");
                values.push(ValueM {
                    up_to: opt_num(&v.up_to, &path("up_to"))?,
                    unit_price: opt_num(&v.unit_price, &path("unit_price"))?,
                    volume_rate: opt_num(&v.volume_rate, &path("volume_rate"))?,
                    package_size: opt_num(&v.package_size, &path("package_size"))?,
                    min: opt_num(&v.min_amount, &path("min_amount"))?,
                    max: opt_num(&v.max_amount, &path("max_amount"))?,
                });
            }
            let default_basis = if p.usage == Usage::Unit {
                Basis::Unit
            } else {
                Basis::Volume
            };
            prices.push(PriceM {
                product: PRODUCTS[p.product],
                name: format!("f{i}"),
                event: p.event,
                usage: p.usage,
                field: p.field,
                model: p.model,
                basis: p.basis.unwrap_or(default_basis),
                period: p.period.unwrap_or(Period::Monthly),
                asset: p.asset,
                values,
            });
        }
        Ok(Model {
            customs,
            fiats,
            schedules,
            prices,
        })
    }

    fn info(&self, a: AssetRef) -> &Info {
        match a {
            AssetRef::Custom(i) => &self.customs[i],
            AssetRef::Fiat(i) => &self.fiats[i],
        }
    }

    fn info_by_code(&self, code: &str) -> Option<&Info> {
        self.customs
            .iter()
            .chain(&self.fiats)
            .find(|i| i.code.eq_ignore_ascii_case(code))
    }

    /// The entry of custom asset `asset`'s schedule against fiat `fiat` in force at `at`.
    fn entry(&self, asset: usize, fiat: &str, at: &str) -> Option<&Entry> {
        let (_, entries) = self.schedules[asset]
            .iter()
            .find(|(f, _)| FIATS[*f].0 == fiat)?;
        // Half-open [from, to): the last entry starting at or before `at`, if not yet ended.
        let e = entries
            .iter()
            .rev()
            .find(|e| e.from.is_none_or(|f| f <= at))?;
        e.to.is_none_or(|to| at < to).then_some(e)
    }

    /// Destination units per source unit at `at`.
    fn factor(&self, from: &Info, to: &Info, at: &str) -> Result<Q, Fail> {
        if from.code.eq_ignore_ascii_case(&to.code) {
            return Ok(q(1));
        }
        let no_rate = |why: String| Fail {
            code: "no_rate",
            why,
        };
        match (from.custom, to.custom) {
            (None, None) => Err(no_rate(format!(
                "{} and {} are both fiat",
                from.code, to.code
            ))),
            (None, Some(b)) => self
                .entry(b, &from.code, at)
                .map(|e| e.per_unit.recip())
                .ok_or_else(|| no_rate(format!("{} has no {} rate at {at}", to.code, from.code))),
            (Some(a), None) => self
                .entry(a, &to.code, at)
                .map(|e| e.per_unit.clone())
                .ok_or_else(|| no_rate(format!("{} has no {} rate at {at}", from.code, to.code))),
            (Some(a), Some(b)) => {
                for (fiat, _) in &self.schedules[a] {
                    let source = FIATS[*fiat].0;
                    if let (Some(ea), Some(eb)) =
                        (self.entry(a, source, at), self.entry(b, source, at))
                    {
                        return Ok(&ea.per_unit / &eb.per_unit);
                    }
                }
                Err(no_rate(format!(
                    "{} and {} share no fiat source in force at {at}",
                    from.code, to.code
                )))
            }
        }
    }

    /// `amount` of `from` in `to` at `at`, rounded once with the destination's conversion
    /// rounding.
    pub fn convert(&self, amount: &Q, from: AssetRef, to: AssetRef, at: &str) -> Result<Q, Fail> {
        let (src, dst) = (self.info(from), self.info(to));
        let exact = amount * self.factor(src, dst, at)?;
        let rounded = round(&exact, dst.precision, dst.conversion);
        if representable(&rounded) {
            Ok(rounded)
        } else {
            Err(overflow(format!(
                "{} {} = {} {} rounds to {}, not representable",
                show(amount),
                src.code,
                show(&exact),
                dst.code,
                show(&rounded)
            )))
        }
    }

    /// Whether the rates a Conversion reports (`rate`: source per destination unit,
    /// `inverse_rate`: destination per source unit) are within a decimal's range. The rules
    /// define only the destination amount; when these do not fit, a `decimal_overflow` is
    /// accepted as well as the amount.
    pub fn reported_rates_fit(&self, from: AssetRef, to: AssetRef, at: &str) -> bool {
        let Ok(f) = self.factor(self.info(from), self.info(to), at) else {
            return true;
        };
        let limit = Q::from_integer(two_96());
        f.abs() < limit && f.recip().abs() < limit
    }

    /// Reads quote options; a prior usage that is not a representable decimal is an error.
    pub fn options(&self, spec: &OptionsSpec, catalog: &CatalogSpec) -> Result<OptionsM, Fail> {
        let mut express: Vec<Info> = Vec::new();
        for (a, _) in &spec.express_in {
            let info = self.info(*a);
            if !express.iter().any(|x| x.code == info.code) {
                express.push(info.clone());
            }
        }
        let mut prior = BTreeMap::new();
        for ((product, price), n) in spec.prior_map(catalog) {
            let i = self
                .prices
                .iter()
                .position(|p| p.product == product && p.name == price)
                .unwrap();
            prior.insert(i, num(&n, &format!("prior_usage.{product}.{price}"))?);
        }
        Ok(OptionsM {
            at: spec.at.map(|i| INSTANTS[i]),
            express,
            prior,
        })
    }

    /// The quotes of a batch as `quote_many` gives them (tier usage carried from event to
    /// event; a batch of one is what `quote` gives), up to the first event whose quote fails.
    ///
    /// The rules do not say which failure wins when one quote has several (a fee that does
    /// not fit, a target without a rate), so every failure of the first failing event is
    /// listed and any of them is an acceptable answer.
    pub fn quote_batch(&self, events: &[EventSpec], options: &OptionsM) -> Batch {
        let mut ledger = Ledger::default();
        let mut quotes = Vec::new();
        for (i, e) in events.iter().enumerate() {
            match self.quote_one(e, options, &mut ledger) {
                Ok(q) => quotes.push(q),
                Err(f) => {
                    return Batch {
                        quotes,
                        failure: Some((i, f)),
                    }
                }
            }
        }
        Batch {
            quotes,
            failure: None,
        }
    }

    fn quote_one(
        &self,
        event: &EventSpec,
        options: &OptionsM,
        ledger: &mut Ledger,
    ) -> Result<QuoteOut, Vec<Fail>> {
        let at = options.at.unwrap_or(INSTANTS[event.at]);
        let mut fails: Vec<Fail> = Vec::new();
        let mut out = QuoteOut {
            fees: Vec::new(),
            totals: Vec::new(),
            equivalents: Vec::new(),
            warnings: Vec::new(),
            may_fail: Vec::new(),
        };
        let mut fee_assets: Vec<&Info> = Vec::new();
        let mut matched = false;
        // Catalog order: products in order, then their prices in order.
        let mut order: Vec<usize> = (0..self.prices.len()).collect();
        order.sort_by_key(|&i| {
            (
                PRODUCTS.iter().position(|p| *p == self.prices[i].product),
                i,
            )
        });
        for pi in order {
            let price = &self.prices[pi];
            if price.event != event.event {
                continue;
            }
            matched = true;
            let volume = if price.usage == Usage::Unit {
                q(0)
            } else {
                match &event.data[price.field] {
                    None => {
                        out.warnings.push("missing_volume");
                        continue;
                    }
                    // A number no decimal holds is an error however it is written (the
                    // engine stops at it); text that is no number only costs this fee.
                    Some(text) => match text.value() {
                        Some(v) if !representable(&v) => {
                            fails.push(overflow(format!(
                                "volume {:?} is not representable",
                                text.text()
                            )));
                            continue;
                        }
                        Some(v) if !v.is_negative() => v,
                        _ => {
                            out.warnings.push("invalid_volume");
                            continue;
                        }
                    },
                }
            };
            let tiered = matches!(price.model, PricingModel::Tiered | PricingModel::Bulk);
            let period = period_key(price.period, at);
            let prior = if tiered {
                let seeded = *ledger.seeded.entry(pi).or_insert(period);
                match ledger.used.get(&(pi, period)) {
                    Some(used) => used.clone(),
                    None if seeded == period => {
                        options.prior.get(&pi).cloned().unwrap_or_else(|| q(0))
                    }
                    None => q(0),
                }
            } else {
                q(0)
            };
            let (raw, reached, usage) = self.compute(price, &volume, &prior);
            let value = &price.values[reached];
            let mut clamped = raw.clone();
            if let Some(min) = &value.min {
                if clamped < *min {
                    clamped = min.clone();
                }
            }
            if let Some(max) = &value.max {
                if clamped > *max {
                    clamped = max.clone();
                }
            }
            let info = self.info(price.asset);
            let amount = round(&clamped, info.precision, info.fee);
            if !representable(&amount) {
                fails.push(overflow(format!(
                    "{}/{}: fee {} (clamped {}) rounds to {} {}, not representable",
                    price.product,
                    price.name,
                    show(&raw),
                    show(&clamped),
                    show(&amount),
                    info.code
                )));
            }
            if tiered {
                let end = prior + usage;
                if !representable(&end) {
                    out.may_fail.push(overflow(format!(
                        "{}/{}: tier usage {} after this event does not fit a decimal",
                        price.product,
                        price.name,
                        show(&end)
                    )));
                }
                ledger.used.insert((pi, period), end);
            }
            fee_assets.push(info);
            out.fees.push(FeeOut {
                product: price.product.to_string(),
                price: price.name.clone(),
                currency: info.code.clone(),
                precision: info.precision,
                amount,
                equivalents: Vec::new(),
            });
        }
        if !matched {
            out.warnings.push("no_price_matched");
        }
        for (fee, info) in out.fees.iter().zip(&fee_assets) {
            match out.totals.iter_mut().find(|(c, _, _)| *c == fee.currency) {
                Some((_, sum, _)) => *sum += &fee.amount,
                None => out
                    .totals
                    .push((fee.currency.clone(), fee.amount.clone(), info.precision)),
            }
        }
        for (code, total, _) in &out.totals {
            if !representable(total) {
                fails.push(overflow(format!(
                    "total {} {code} is not representable",
                    show(total)
                )));
            }
        }
        'targets: for target in &options.express {
            let mut exact = Vec::new();
            for (fee, from) in out.fees.iter().zip(&fee_assets) {
                match self.factor(from, target, at) {
                    Ok(f) => exact.push(&fee.amount * f),
                    Err(f) => {
                        fails.push(f);
                        continue 'targets;
                    }
                }
            }
            let sum = exact.iter().fold(q(0), |a, b| a + b);
            let total = round(&sum, target.precision, target.fee);
            if !representable(&total) {
                fails.push(overflow(format!(
                    "equivalent {} {} rounds to {}, not representable",
                    show(&sum),
                    target.code,
                    show(&total)
                )));
            }
            let parts = allocate(&total, &exact, target.precision);
            for (fee, part) in out.fees.iter_mut().zip(parts) {
                if !representable(&part) {
                    fails.push(overflow(format!(
                        "{}'s share {} {} of the equivalent is not representable",
                        fee.price,
                        show(&part),
                        target.code
                    )));
                }
                fee.equivalents
                    .push((target.code.clone(), part, target.precision));
            }
            out.equivalents
                .push((target.code.clone(), total, target.precision));
        }
        if fails.is_empty() {
            Ok(out)
        } else {
            Err(fails)
        }
    }

    /// One event's amount before clamping and rounding, the index of the value whose bounds
    /// clamp it (the only one, or the tier reached), and the tier usage it adds.
    fn compute(&self, price: &PriceM, volume: &Q, prior: &Q) -> (Q, usize, Q) {
        let values = &price.values;
        let zero = q(0);
        let unit_part = |v: &ValueM| v.unit_price.clone().unwrap_or_else(|| q(0));
        let volume_part = |v: &ValueM, packages: bool| {
            let rate = v.volume_rate.clone().unwrap_or_else(|| q(0));
            let size = v.package_size.clone().unwrap_or_else(|| q(1));
            if packages {
                (volume / size).ceil() * rate
            } else {
                volume * rate / size
            }
        };
        let formula = |v: &ValueM, packages: bool| match price.usage {
            Usage::Unit => unit_part(v),
            Usage::Volume => volume_part(v, packages),
            Usage::UnitAndVolume => unit_part(v) + volume_part(v, packages),
        };
        match price.model {
            PricingModel::Flat => return (formula(&values[0], false), 0, zero),
            PricingModel::Package => return (formula(&values[0], true), 0, zero),
            PricingModel::Tiered | PricingModel::Bulk => {}
        }
        let first_size = values[0].package_size.clone().unwrap_or_else(|| q(1));
        let usage = match price.basis {
            Basis::Unit => q(1),
            Basis::Volume => volume.clone(),
            Basis::Package => (volume / &first_size).ceil(),
        };
        let end = prior + &usage;
        let reached = values
            .iter()
            .position(|v| v.up_to.as_ref().is_none_or(|u| end <= *u))
            .unwrap_or(values.len() - 1);
        let graduated = price.model == PricingModel::Tiered && price.basis != Basis::Unit;
        if !graduated {
            // Bulk, or one event in one tier; a package basis bills whole packages.
            let amount = formula(&values[reached], price.basis == Basis::Package);
            return (amount, reached, usage);
        }
        let mut amount = if price.usage == Usage::UnitAndVolume {
            unit_part(&values[reached])
        } else {
            q(0)
        };
        let last = values.len() - 1;
        for (i, tier) in values.iter().enumerate() {
            let lower = if i == 0 {
                q(0)
            } else {
                values[i - 1].up_to.clone().unwrap()
            };
            let from = if lower > *prior { lower } else { prior.clone() };
            // Usage past a bounded last tier is priced at the last tier.
            let to = match (&tier.up_to, i == last) {
                (Some(u), false) if *u < end => u.clone(),
                _ => end.clone(),
            };
            if to > from {
                let portion = to - from;
                let rate = tier.volume_rate.clone().unwrap_or_else(|| q(0));
                amount += match price.basis {
                    Basis::Package => portion * rate,
                    _ => portion * rate / tier.package_size.clone().unwrap_or_else(|| q(1)),
                };
            }
        }
        (amount, reached, usage)
    }
}

// ---------------------------------------------------------------------------------------------
// 4. The harness
// ---------------------------------------------------------------------------------------------

use ratecard::{Decimal, Engine, Event, Instant, QuoteOptions};

/// Runs `f`, turning a panic into an error message.
fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("the engine panicked in {what}: {msg}")
    })
}

fn issues(e: &ratecard::Error) -> String {
    e.issues
        .iter()
        .map(|i| format!("{} at {:?}: {}", i.code.as_str(), i.path, i.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Compares one amount string with the exact value: equal values, and the asset's scale
/// printed whenever the value fits a decimal at that scale.
fn amount_matches(what: &str, got: &Value, want: &Q, places: u32) -> Result<(), String> {
    let text = got
        .as_str()
        .ok_or_else(|| format!("{what}: expected an amount string, got {got}"))?;
    let value =
        parse_decimal(text).ok_or_else(|| format!("{what}: {text:?} is not decimal text"))?;
    if value != *want {
        return Err(format!(
            "{what}: expected {} got {text}",
            fixed(want, places)
        ));
    }
    if fits_at_scale(want, places) && printed_scale(text) != places {
        return Err(format!(
            "{what}: {text} should be printed with {places} decimals ({})",
            fixed(want, places)
        ));
    }
    Ok(())
}

/// Compares an amount map (`{code: amount}`) with the expected entries.
fn map_matches(what: &str, got: &Value, want: &[(String, Q, u32)]) -> Result<(), String> {
    let obj = got
        .as_object()
        .ok_or_else(|| format!("{what}: expected an object, got {got}"))?;
    let keys: Vec<&String> = obj.keys().collect();
    let mut want_keys: Vec<&String> = want.iter().map(|(c, _, _)| c).collect();
    let mut have = keys.clone();
    have.sort();
    want_keys.sort();
    if have != want_keys {
        return Err(format!(
            "{what}: expected assets {want_keys:?}, got {have:?}"
        ));
    }
    for (code, value, places) in want {
        amount_matches(&format!("{what}[{code}]"), &obj[code], value, *places)?;
    }
    Ok(())
}

fn describe_quote(q: &QuoteOut) -> String {
    let mut s = String::new();
    for f in &q.fees {
        let _ = write!(
            s,
            "{}/{} {} {}",
            f.product,
            f.price,
            fixed(&f.amount, f.precision),
            f.currency
        );
        for (c, v, p) in &f.equivalents {
            let _ = write!(s, " (= {} {c})", fixed(v, *p));
        }
        s.push_str("; ");
    }
    let list = |l: &[(String, Q, u32)]| {
        l.iter()
            .map(|(c, v, p)| format!("{} {c}", fixed(v, *p)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = write!(
        s,
        "totals [{}] equivalents [{}] warnings {:?}",
        list(&q.totals),
        list(&q.equivalents),
        q.warnings
    );
    s
}

fn quote_matches(what: &str, got: &Value, want: &QuoteOut) -> Result<(), String> {
    let fees = got["fees"].as_array().cloned().unwrap_or_default();
    if fees.len() != want.fees.len() {
        return Err(format!(
            "{what}: expected {} fees, got {}",
            want.fees.len(),
            fees.len()
        ));
    }
    for (i, (g, w)) in fees.iter().zip(&want.fees).enumerate() {
        let here = format!("{what}.fees[{i}] ({}/{})", w.product, w.price);
        for (key, expect) in [
            ("product_code", &w.product),
            ("price_name", &w.price),
            ("currency", &w.currency),
        ] {
            if g[key].as_str() != Some(expect.as_str()) {
                return Err(format!("{here}.{key}: expected {expect}, got {}", g[key]));
            }
        }
        amount_matches(
            &format!("{here}.amount"),
            &g["amount"],
            &w.amount,
            w.precision,
        )?;
        map_matches(
            &format!("{here}.equivalents"),
            &g["equivalents"],
            &w.equivalents,
        )?;
    }
    map_matches(&format!("{what}.totals"), &got["totals"], &want.totals)?;
    map_matches(
        &format!("{what}.equivalents"),
        &got["equivalents"],
        &want.equivalents,
    )?;
    let warnings: Vec<&str> = got["warnings"]
        .as_array()
        .map(|l| l.iter().filter_map(|w| w["code"].as_str()).collect())
        .unwrap_or_default();
    if warnings != want.warnings {
        return Err(format!(
            "{what}.warnings: expected {:?}, got {warnings:?}",
            want.warnings
        ));
    }
    Ok(())
}

fn describe_fails(fails: &[Fail]) -> String {
    let all: Vec<String> = fails
        .iter()
        .map(|f| format!("{} ({})", f.code, f.why))
        .collect();
    if all.len() == 1 {
        all.join("")
    } else {
        format!("one of [{}]", all.join("; "))
    }
}

/// The quote's JSON without its explanation, for messages.
fn brief(quote: &Value) -> String {
    let mut q = quote.clone();
    if let Some(o) = q.as_object_mut() {
        o.remove("explain");
    }
    q.to_string()
}

/// Compares a batch (or a single quote): `prefix` when errors name the event's index.
fn batch_matches(
    what: &str,
    want: &Batch,
    got: &Result<Vec<Value>, ratecard::Error>,
    first_index: usize,
    prefix: bool,
) -> Result<(), String> {
    // An engine failure the model leaves open (see `QuoteOut::may_fail`) at the event the
    // engine names: the batch agrees up to there.
    if let Err(e) = got {
        let first = e.issues.first();
        let code = first.map(|x| x.code.as_str()).unwrap_or_default();
        let path = first.map(|x| x.path.as_str()).unwrap_or_default();
        let at = if prefix {
            path.strip_prefix('[')
                .and_then(|p| p.split(']').next())
                .and_then(|i| i.parse::<usize>().ok())
        } else {
            Some(0)
        };
        if let Some(q) = at.and_then(|i| want.quotes.get(i)) {
            if q.may_fail.iter().any(|f| f.code == code) {
                return Ok(());
            }
        }
    }
    let want = match &want.failure {
        None => Ok(&want.quotes),
        Some(failure) => Err(failure),
    };
    match (want, got) {
        (Ok(want), Ok(got)) => {
            if want.len() != got.len() {
                return Err(format!(
                    "{what}: expected {} quotes, got {}",
                    want.len(),
                    got.len()
                ));
            }
            for (i, (w, g)) in want.iter().zip(got).enumerate() {
                let here = format!("{what}[{}]", first_index + i);
                quote_matches(&here, g, w).map_err(|e| {
                    format!(
                        "{e}\n  expected: {}\n  got:      {}",
                        describe_quote(w),
                        brief(g)
                    )
                })?;
            }
            Ok(())
        }
        (Err((i, fails)), Err(e)) => {
            let first = e.issues.first();
            let code = first.map(|x| x.code.as_str()).unwrap_or_default();
            let path = first.map(|x| x.path.as_str()).unwrap_or_default();
            if !fails.iter().any(|f| f.code == code) {
                return Err(format!(
                    "{what}: expected {}, the engine failed with {}",
                    describe_fails(fails),
                    issues(e)
                ));
            }
            if prefix && !path.starts_with(&format!("[{i}]")) {
                return Err(format!(
                    "{what}: expected {} at event [{i}], the engine failed at {path:?}: {}",
                    describe_fails(fails),
                    issues(e)
                ));
            }
            Ok(())
        }
        (Err((i, fails)), Ok(got)) => Err(format!(
            "{what}: expected {} at event [{}], the engine quoted: {}",
            describe_fails(fails),
            first_index + i,
            got.iter().map(brief).collect::<Vec<_>>().join("\n    ")
        )),
        (Ok(want), Err(e)) => Err(format!(
            "{what}: the engine failed with {}; expected: {}",
            issues(e),
            want.iter()
                .map(describe_quote)
                .collect::<Vec<_>>()
                .join("\n    ")
        )),
    }
}

/// Builds the engine and checks it against the model's view of the catalog; `Ok(None)` when
/// both agree the catalog is invalid.
fn engine_for(catalog: &CatalogSpec, text: &str) -> Result<Option<(Engine, Model)>, String> {
    let model = Model::build(catalog);
    let engine = guarded("Engine::from_json", || Engine::from_json(text))?;
    match (model, engine) {
        (Ok(m), Ok(e)) => Ok(Some((e, m))),
        (Err(f), Err(e)) => {
            if e.issues.iter().any(|i| i.code.as_str() == f.code) {
                Ok(None)
            } else {
                Err(format!(
                    "catalog: expected {} ({}), the engine failed with {}",
                    f.code,
                    f.why,
                    issues(&e)
                ))
            }
        }
        (Err(f), Ok(_)) => Err(format!(
            "catalog: expected it rejected with {} ({}), the engine accepted it",
            f.code, f.why
        )),
        (Ok(_), Err(e)) => Err(format!("catalog: the engine rejected it: {}", issues(&e))),
    }
}

/// What the check of one scenario saw, for statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    InvalidCatalog,
    InvalidOptions,
    /// The batch quoted: how many fees, how many equivalents were checked.
    Quoted {
        fees: usize,
        equivalents: usize,
    },
    /// The batch failed as expected with this code.
    Failed(&'static str),
}

/// Quotes the scenario's batch with `quote_many`, and each event alone with `quote`, and
/// compares every fee, equivalent, total and error with the model. The message of a difference
/// carries the catalog, events and options JSON.
pub fn check_quotes(s: &Scenario) -> Result<Seen, String> {
    let catalog_text = s.catalog.to_json().to_string();
    let events_text = s.events_json().to_string();
    let options_text = s.options.to_json(&s.catalog).to_string();
    let context = || {
        format!("\n  catalog: {catalog_text}\n  events:  {events_text}\n  options: {options_text}")
    };
    let result = check_quotes_inner(s, &catalog_text, &events_text, &options_text);
    result.map_err(|e| format!("{e}{}", context()))
}

fn check_quotes_inner(
    s: &Scenario,
    catalog_text: &str,
    events_text: &str,
    options_text: &str,
) -> Result<Seen, String> {
    let Some((engine, model)) = engine_for(&s.catalog, catalog_text)? else {
        return Ok(Seen::InvalidCatalog);
    };
    let events = Event::many_from_json(events_text)
        .map_err(|e| format!("events: the engine rejected them: {}", issues(&e)))?;
    let options = guarded("QuoteOptions::from_json", || {
        QuoteOptions::from_json(options_text)
    })?;
    let model_options = model.options(&s.options, &s.catalog);
    let (options, model_options) = match (options, model_options) {
        (Ok(o), Ok(m)) => (o, m),
        (Err(e), Err(f)) if e.issues.iter().any(|i| i.code.as_str() == f.code) => {
            return Ok(Seen::InvalidOptions)
        }
        (Err(e), Err(f)) => {
            return Err(format!(
                "options: expected {} ({}), the engine failed with {}",
                f.code,
                f.why,
                issues(&e)
            ))
        }
        (Err(e), Ok(_)) => {
            return Err(format!("options: the engine rejected them: {}", issues(&e)))
        }
        (Ok(_), Err(f)) => {
            return Err(format!(
                "options: expected {} ({}), the engine accepted them",
                f.code, f.why
            ))
        }
    };
    let to_values = |quotes: &[ratecard::Quote<'_>]| -> Vec<Value> {
        quotes
            .iter()
            .map(|q| serde_json::to_value(q).unwrap())
            .collect()
    };
    let want = model.quote_batch(&s.events, &model_options);
    let got = guarded("quote_many", || {
        engine.quote_many(&events, &options).map(|q| to_values(&q))
    })?;
    batch_matches("quote_many", &want, &got, 0, true)?;
    for (i, event) in events.iter().enumerate() {
        let want = model.quote_batch(&s.events[i..=i], &model_options);
        let got = guarded("quote", || {
            engine
                .quote(event, &options)
                .map(|q| to_values(std::slice::from_ref(&q)))
        })?;
        batch_matches("quote", &want, &got, i, false)?;
    }
    Ok(match want.failure {
        None => Seen::Quoted {
            fees: want.quotes.iter().map(|q| q.fees.len()).sum(),
            equivalents: want.quotes.iter().map(|q| q.equivalents.len()).sum(),
        },
        Some((_, f)) => Seen::Failed(f[0].code),
    })
}

/// Converts each of the scenario's amounts with `Engine::convert` and compares the destination
/// amounts and errors with the model.
pub fn check_converts(s: &ConvertScenario) -> Result<Seen, String> {
    let catalog_text = s.catalog.to_json().to_string();
    let context = |c: Option<&ConvertSpec>| {
        let call = c.map_or(String::new(), |c| {
            format!(
                "\n  convert: {} {} -> {} at {}",
                fixed(&Q::new(BigInt::from(c.mantissa), pow10(c.scale)), c.scale),
                c.from.code(),
                c.to.code(),
                INSTANTS[c.at]
            )
        });
        format!("{call}\n  catalog: {catalog_text}")
    };
    let Some((engine, model)) =
        engine_for(&s.catalog, &catalog_text).map_err(|e| format!("{e}{}", context(None)))?
    else {
        return Ok(Seen::InvalidCatalog);
    };
    let mut last = Seen::Quoted {
        fees: 0,
        equivalents: 0,
    };
    for c in &s.conversions {
        let amount = Decimal::from_i128_with_scale(c.mantissa as i128, c.scale);
        let exact = Q::new(BigInt::from(c.mantissa), pow10(c.scale));
        let at = Instant::parse(INSTANTS[c.at]).unwrap();
        let (from, to) = (c.from.code(), c.to.code());
        let want = model.convert(&exact, c.from, c.to, INSTANTS[c.at]);
        let got = guarded("convert", || engine.convert(amount, &from, &to, at))
            .map_err(|e| format!("{e}{}", context(Some(c))))?;
        let places = model.info(c.to).precision;
        let verdict = match (&want, &got) {
            (Ok(w), Ok(g)) => {
                let value = serde_json::to_value(g).unwrap();
                amount_matches(
                    "destination_amount",
                    &value["destination_amount"],
                    w,
                    places,
                )
            }
            (Err(f), Err(e)) if e.issues.first().map(|i| i.code.as_str()) == Some(f.code) => {
                last = Seen::Failed(f.code);
                Ok(())
            }
            (Ok(_), Err(e))
                if !model.reported_rates_fit(c.from, c.to, INSTANTS[c.at])
                    && e.issues.first().map(|i| i.code.as_str()) == Some("decimal_overflow") =>
            {
                Ok(())
            }
            (Err(f), Err(e)) => Err(format!(
                "expected {} ({}), the engine failed with {}",
                f.code,
                f.why,
                issues(e)
            )),
            (Err(f), Ok(g)) => Err(format!(
                "expected {} ({}), the engine gave {}",
                f.code, f.why, g.destination_amount
            )),
            (Ok(w), Err(e)) => Err(format!(
                "expected {}, the engine failed with {}",
                fixed(w, places),
                issues(e)
            )),
        };
        verdict.map_err(|e| format!("convert: {e}{}", context(Some(c))))?;
    }
    Ok(last)
}

//! Decimals in and out.
//!
//! Money never touches a binary float inside ratecard. A decimal arrives as a JSON string
//! (`"0.10"`, parsed exactly, scientific notation allowed because Python's `str(Decimal)`
//! writes `1E-7`) or as a JSON number. JSON numbers that are not integers have already been
//! read as an IEEE double by the JSON parser (and by JavaScript and Python's `json` before
//! that), so a number means the decimal its *shortest round-trip text* names: `0.1` is `0.1`,
//! never `0.1000000000000000055…`. That is the same rule in every runtime, which is what
//! keeps their answers identical to the last digit.
//!
//! Out, an [`Amount`] is a decimal with the scale of its asset (`"1.50"`, never `"1.5"`).

use crate::issue::{Code, Issue};
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use std::fmt;

/// Parses decimal text exactly: plain (`-12.340`) or scientific (`1.5E-7`, `2e3`).
///
/// A number is accepted when a decimal holds its exact value, whatever the notation: at most
/// 28 places and a mantissa of 96 bits (|value| ≤ 79228162514264337593543950335), trailing zeros
/// dropped as far as needed to fit (`1.000…0` with 30 zeros is 1). The scale written is kept
/// otherwise (`1.50` keeps two places). Errors are `invalid_decimal` (not a number) or
/// `decimal_overflow` (a number no decimal holds exactly: never rounded to a nearby one).
pub fn parse_decimal(text: &str) -> Result<Decimal, (Code, String)> {
    let Some(exponent_at) = number_syntax(text.as_bytes()) else {
        return Err((
            Code::InvalidDecimal,
            format!("{text:?} is not a decimal number"),
        ));
    };
    let parsed = match exponent_at {
        None => plain(text).or_else(|| digits(text, 0)),
        Some(e) => {
            let mantissa = text.get(..e).unwrap_or_default();
            exponent(text.get(e + 1..).unwrap_or_default()).and_then(|x| digits(mantissa, x))
        }
    };
    parsed.ok_or_else(|| {
        (
            Code::DecimalOverflow,
            format!("{text} does not fit in a decimal exactly (28 places and 29 digits at most)"),
        )
    })
}

/// Plain decimal text of at most 19 digits (`[+-]? digits (. digits)?`, as [`number_syntax`]
/// allows): the fast path for nearly every number read; `None` for anything longer, which
/// [`digits`] reads. Written here because rust_decimal's parsers are a tenth of the WebAssembly
/// module; the tests check this against an exact reader.
fn plain(text: &str) -> Option<Decimal> {
    let (negative, body) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        body => (false, body),
    };
    // 19 digits fit a u64 (and fewer than 28 places): no checks needed.
    let mut point = false;
    let mut scale = 0u32;
    let mut short = 0u64;
    let mut count = 0;
    for b in body {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            if count == 19 {
                return None;
            }
            short = short * 10 + u64::from(digit);
            scale += u32::from(point);
            count += 1;
        } else if *b == b'.' && !point {
            point = true;
        } else {
            return None;
        }
    }
    Some(Decimal::from_parts(
        short as u32,
        (short >> 32) as u32,
        0,
        negative,
        scale,
    ))
}

/// An exponent's text (`-7`, `+03`) as a number, `None` past ±10^6 (no decimal is that far
/// from one, except zero, which [`digits`] reads without it).
fn exponent(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        rest => (false, rest),
    };
    let mut value = 0i64;
    for b in digits {
        value = value * 10 + i64::from(b.wrapping_sub(b'0'));
        if value > 1_000_000 {
            return Some(if negative { -1_000_001 } else { 1_000_001 });
        }
    }
    Some(if negative { -value } else { value })
}

/// Any mantissa text (syntax already checked) times `10^exponent`, exactly: its digits, with
/// leading zeros dropped and trailing zeros dropped only as far as needed to fit a decimal.
/// Digits accumulate in 128 bits; zeros past 38 significant digits are counted, not kept (a
/// decimal holds 29 digits at most, so any other digit there is too many).
fn digits(mantissa: &str, exponent: i64) -> Option<Decimal> {
    let negative = mantissa.starts_with('-');
    let mut m: u128 = 0;
    let mut significant = 0u32;
    // Zeros seen after the last digit that is not zero (kept in `m` only while it has room).
    let mut zeros: i64 = 0;
    let mut places: i64 = 0;
    let mut point = false;
    for b in mantissa.bytes() {
        match b {
            b'0'..=b'9' => {
                places += i64::from(point);
                let digit = u128::from(b - b'0');
                if significant == 0 && digit == 0 {
                    continue;
                }
                if significant < 38 {
                    m = m * 10 + digit;
                    significant += 1;
                } else if digit == 0 {
                    zeros += 1;
                } else {
                    return None;
                }
            }
            b'.' => point = true,
            _ => {}
        }
    }
    if m == 0 {
        // Zero, at the scale written where a decimal holds it.
        let scale = (places - exponent).clamp(0, 28) as u32;
        return Some(Decimal::from_parts(0, 0, 0, negative, scale));
    }
    // The value is m × 10^(zeros + exponent − places).
    let mut scale = places - exponent - zeros;
    while scale < 0 {
        m = m.checked_mul(10)?;
        scale += 1;
    }
    // Too many places or digits: only trailing zeros may go.
    while scale > 28 || m >= 1 << 96 {
        if scale == 0 || m % 10 != 0 {
            return None;
        }
        m /= 10;
        scale -= 1;
    }
    Some(from_u128(m, negative, u32::try_from(scale).ok()?))
}

fn from_u128(mantissa: u128, negative: bool, scale: u32) -> Decimal {
    Decimal::from_parts(
        mantissa as u32,
        (mantissa >> 32) as u32,
        (mantissa >> 64) as u32,
        negative,
        scale,
    )
}

/// `[+-]? digits (. digits)? ([eE] [+-]? digits)?`, also `.5` and `5.`; nothing else (no NaN,
/// no spaces). `None` for anything else; otherwise where the exponent's `e` is, if any.
fn number_syntax(text: &[u8]) -> Option<Option<usize>> {
    let digits_from = |mut i: usize| {
        while text.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let start = usize::from(matches!(text.first(), Some(b'-' | b'+')));
    let mut end = digits_from(start);
    let mut mantissa = end - start;
    if text.get(end) == Some(&b'.') {
        let after = digits_from(end + 1);
        mantissa += after - end - 1;
        end = after;
    }
    if mantissa == 0 {
        return None;
    }
    match text.get(end) {
        None => Some(None),
        Some(b'e' | b'E') => {
            let sign = usize::from(matches!(text.get(end + 1), Some(b'-' | b'+')));
            let digits = end + 1 + sign;
            let last = digits_from(digits);
            (last > digits && last == text.len()).then_some(Some(end))
        }
        Some(_) => None,
    }
}

/// A JSON number as a decimal: integers exactly, others by their shortest round-trip text.
pub fn decimal_from_number(n: &serde_json::Number) -> Result<Decimal, (Code, String)> {
    if let Some(i) = n.as_i64() {
        return Ok(Decimal::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Ok(Decimal::from(u));
    }
    // serde_json prints a double with its shortest round-trip digits (ryu), e.g. `0.1`, `1e21`,
    // `10.0`; a double has no scale, so `10.0` means 10, exactly as an event's number does.
    parse_decimal(&n.to_string()).map(|d| d.normalize())
}

/// A JSON value that should hold a decimal: a string or a number.
pub fn decimal_from_value(value: &serde_json::Value, path: &str) -> Result<Decimal, Issue> {
    let parsed = match value {
        serde_json::Value::String(s) => parse_decimal(s),
        serde_json::Value::Number(n) => decimal_from_number(n),
        other => {
            return Err(Issue::new(
                path,
                Code::InvalidType,
                format!(
                    "expected a decimal (a string or a number), found {}",
                    type_name(other)
                ),
            ))
        }
    };
    parsed.map_err(|(code, message)| Issue::new(path, code, message))
}

/// A JSON type's name for messages.
pub fn type_name(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// An amount of one asset, carrying the asset's scale for display: `1.5` at precision 2 is `1.50`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    pub value: Decimal,
    pub scale: u32,
}

impl Amount {
    pub fn new(value: Decimal, scale: u32) -> Amount {
        Amount { value, scale }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_scaled(f, self.value, self.scale)
    }
}

/// Writes `value` with at least `scale` decimal places (more if it already has more), without
/// allocating: amounts are printed once per fee, in batches of millions.
pub(crate) fn write_scaled(f: &mut impl fmt::Write, value: Decimal, scale: u32) -> fmt::Result {
    let mut padded = value;
    if padded.scale() < scale {
        // Raises the scale by multiplying the mantissa; stops short if that would overflow.
        padded.rescale(scale);
    }
    write!(f, "{padded}")?;
    let have = padded.scale();
    if have < scale {
        if have == 0 {
            f.write_char('.')?;
        }
        for _ in have..scale {
            f.write_char('0')?;
        }
    }
    Ok(())
}

/// Appends `d` as its `Display` text would (ASCII), without going through the formatter:
/// amounts are written once per fee by the tape, and this is several times faster. Mantissas
/// above 64 bits and a negative zero take the `Display` route.
pub fn push_decimal(out: &mut Vec<u8>, d: Decimal) {
    use std::io::Write;
    let m = d.mantissa();
    let Ok(mut v) = u64::try_from(m.unsigned_abs()) else {
        let _ = write!(out, "{d}");
        return;
    };
    if m == 0 && d.is_sign_negative() {
        let _ = write!(out, "{d}");
        return;
    }
    let scale = d.scale();
    // Digits from the last, filling the buffer from its end: 20 digits of a u64, 28 places, a
    // point and a leading zero fit in 64.
    let mut buf = [0u8; 64];
    let mut i = buf.len();
    let mut digits = 0u32;
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'0' + (v % 10) as u8;
        }
        v /= 10;
        digits += 1;
        if digits == scale {
            i -= 1;
            if let Some(slot) = buf.get_mut(i) {
                *slot = b'.';
            }
        }
        if v == 0 && digits > scale {
            break;
        }
    }
    if m < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(buf.get(i..).unwrap_or_default());
}

/// Appends an [`Amount`] as its `Display` text (see [`push_decimal`]).
pub fn push_amount(out: &mut Vec<u8>, amount: Amount) {
    let mut padded = amount.value;
    if padded.scale() < amount.scale {
        padded.rescale(amount.scale);
    }
    push_decimal(out, padded);
    let have = padded.scale();
    if have < amount.scale {
        if have == 0 {
            out.push(b'.');
        }
        for _ in have..amount.scale {
            out.push(b'0');
        }
    }
}

/// `value` as text with at least `scale` decimal places.
pub fn scaled_string(value: Decimal, scale: u32) -> String {
    let mut out = String::new();
    let _ = write_scaled(&mut out, value, scale);
    out
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A decimal that serializes as its exact text (`"1.250"`), for rates and price parameters.
pub(crate) fn serialize_decimal<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

pub(crate) fn serialize_opt_decimal<S: Serializer>(
    d: &Option<Decimal>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_rational::BigRational;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn parses_plain_and_scientific_text_exactly() {
        assert_eq!(parse_decimal("0.10"), Ok(d("0.10")));
        assert_eq!(parse_decimal("1E-7"), Ok(d("0.0000001")));
        assert_eq!(parse_decimal("2e3"), Ok(d("2000")));
        assert_eq!(parse_decimal("-1.5"), Ok(d("-1.5")));
    }

    #[test]
    fn rejects_non_numbers_with_invalid_decimal() {
        for bad in [
            "", "abc", "NaN", "Infinity", " 1", "1 ", "1.2.3", "--1", "1e", "0x10",
        ] {
            assert_eq!(
                parse_decimal(bad).map_err(|e| e.0),
                Err(Code::InvalidDecimal),
                "{bad}"
            );
        }
    }

    /// One rule whatever the notation: the exact value fits, or it is `decimal_overflow`.
    #[test]
    fn every_notation_is_limited_alike() {
        let overflow = Err(Code::DecimalOverflow);
        for text in [
            "1.00000000000000000000000000005e0",
            "1.00000000000000000000000000005",
            "100000000000000000000000000005e-29",
            "1e-29",
            "8e28",
        ] {
            assert_eq!(parse_decimal(text).map_err(|e| e.0), overflow, "{text}");
        }
        for (text, want) in [
            (
                "1.000000000000000000000000000000",
                "1.0000000000000000000000000000",
            ),
            (
                "1.000000000000000000000000000000e0",
                "1.0000000000000000000000000000",
            ),
            (
                "0.00000000000000000000000000010",
                "0.0000000000000000000000000001",
            ),
            ("1.5e3", "1500"),
            ("1.50e-2", "0.0150"),
        ] {
            let got = parse_decimal(text).map(|d| d.to_string());
            assert_eq!(got.as_deref(), Ok(want), "{text}");
        }
    }

    #[test]
    fn too_many_digits_is_overflow_not_rounding() {
        let long = "1.00000000000000000000000000001";
        assert_eq!(
            parse_decimal(long).map_err(|e| e.0),
            Err(Code::DecimalOverflow)
        );
        assert_eq!(
            parse_decimal("99999999999999999999999999999999").map_err(|e| e.0),
            Err(Code::DecimalOverflow)
        );
        assert_eq!(
            parse_decimal("1e99999").map_err(|e| e.0),
            Err(Code::DecimalOverflow)
        );
    }

    /// The syntax check `number_syntax` replaced.
    fn is_number_syntax(text: &str) -> bool {
        let mut chars = text.bytes().peekable();
        let digits = |chars: &mut std::iter::Peekable<std::str::Bytes<'_>>| {
            let mut n = 0;
            while chars.next_if(u8::is_ascii_digit).is_some() {
                n += 1;
            }
            n
        };
        chars.next_if(|c| *c == b'-' || *c == b'+');
        let mut mantissa = digits(&mut chars);
        if chars.next_if_eq(&b'.').is_some() {
            mantissa += digits(&mut chars);
        }
        if mantissa == 0 {
            return false;
        }
        if chars.next_if(|c| *c == b'e' || *c == b'E').is_some() {
            chars.next_if(|c| *c == b'-' || *c == b'+');
            if digits(&mut chars) == 0 {
                return false;
            }
        }
        chars.next().is_none()
    }

    /// What an exact reader gives, written independently with big rationals: the value and
    /// scale of the decimal that holds the text's exact value (keeping the text's scale, less
    /// trailing zeros only as needed), or the error code.
    fn by_exact_reference(text: &str) -> Result<(BigRational, u32), Code> {
        use num_bigint::BigInt;
        use num_rational::BigRational;
        if !is_number_syntax(text) {
            return Err(Code::InvalidDecimal);
        }
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(e) => (
                &text[..e],
                text[e + 1..].parse::<i64>().unwrap_or(i64::MAX / 4),
            ),
            None => (text, 0),
        };
        let negative = mantissa.starts_with('-');
        let body = mantissa.trim_start_matches(['+', '-']);
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let digits: BigInt = format!("0{int}{frac}").parse().unwrap();
        let text_scale = frac.len() as i64 - exponent;
        let ten = BigRational::from_integer(BigInt::from(10));
        let mut value = BigRational::from_integer(digits.clone());
        if text_scale > 0 {
            if text_scale > 10_000 {
                return if digits == BigInt::from(0) {
                    Ok((value, 28))
                } else {
                    Err(Code::DecimalOverflow)
                };
            }
            value /= num_traits::pow(ten.clone(), text_scale as usize);
        } else if text_scale < 0 {
            if -text_scale > 10_000 {
                return if digits == BigInt::from(0) {
                    Ok((value, 0))
                } else {
                    Err(Code::DecimalOverflow)
                };
            }
            value *= num_traits::pow(ten.clone(), (-text_scale) as usize);
        }
        if negative {
            value = -value;
        }
        let limit = BigInt::from(1u128 << 96);
        let start = text_scale.clamp(0, 28) as u32;
        for scale in (0..=start).rev() {
            let scaled = &value * num_traits::pow(ten.clone(), scale as usize);
            if scaled.is_integer() {
                if scaled.to_integer().magnitude() < limit.magnitude() {
                    return Ok((value, scale));
                }
            } else {
                break;
            }
        }
        Err(Code::DecimalOverflow)
    }

    fn agrees_with_exact_reference(text: &str) {
        let got = parse_decimal(text).map_err(|e| e.0).map(|d| {
            let value = BigRational::new(
                d.mantissa().into(),
                num_bigint::BigInt::from(10).pow(d.scale()),
            );
            (value, d.scale())
        });
        assert_eq!(got, by_exact_reference(text), "{text:?}");
        // Where rust_decimal reads plain text exactly, it agrees byte for byte.
        if !text.contains(['e', 'E']) && is_number_syntax(text) {
            if let Ok(d) = Decimal::from_str_exact(text) {
                assert_eq!(
                    parse_decimal(text).map(|x| x.serialize()),
                    Ok(d.serialize()),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn reads_every_notation_exactly() {
        let max = "79228162514264337593543950335";
        let mut cases: Vec<String> = [
            "0",
            "-0",
            "+0",
            "-0.000",
            "0.",
            ".5",
            "-.5",
            "5.",
            "007",
            "1.50",
            "12345678901234567",
            "123456789012345678",
            "1234567890123456789",
            "12345678901234567890",
            "-1234567890123456789.",
            "9999999999999999999",
            "18446744073709551615",
            "18446744073709551616",
            "7922816251426433759354395033.5",
            "7922816251426433759354395033.6",
            "9999999999999999999999999999.9",
            "79228162514264337593543950336",
            "0.0000000000000000000000000001",
            "0.00000000000000000000000000010",
            "0.00000000000000000000000000015",
            "0.0000000000000000000000000001e1",
            "1.2345678901234567890123456789",
            "1.23456789012345678901234567891",
            "1.23456789012345678901234567895e2",
            "1.23456789012345678901234567895e-2",
            "123.456e-5",
            "1e28",
            "1e29",
            "1e-28",
            "1e-29",
            "0e99",
            "0e-99",
            "1e+5",
            "1E5",
            "1.5e3",
            "1.50e2",
            "1.50e3",
            "100e1",
            "-2.5E-3",
            "1e005",
            "1e-0",
            "5e100",
            "1e999",
            "9.9999999999999999999999999999e28",
            "7.9228162514264337593543950335e28",
            "7.9228162514264337593543950336e28",
            "79228162514264337593543950335.5e0",
            "79228162514264337593543950335.4e0",
            "0.79228162514264337593543950335e1",
            "",
            "-",
            ".",
            "e5",
            "1e",
            "1.2.3",
            "1_000",
            " 1",
            "1 ",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for sign in ["", "-"] {
            cases.push(format!("{sign}{max}"));
            cases.push(format!("{sign}{max}.5"));
            cases.push(format!("{sign}{max}.4"));
            cases.push(format!("{sign}{max}0"));
            cases.push(format!("{sign}0.{max}"));
            cases.push(format!("{sign}{}.{}", &max[..10], &max[10..]));
            cases.push(format!("{sign}{}.{}9", &max[..28], &max[28..]));
            cases.push(format!("{sign}{}e3", &max[..28]));
        }
        for text in &cases {
            agrees_with_exact_reference(text);
        }
    }

    proptest::proptest! {
        #[test]
        fn the_syntax_is_the_old_syntax(text in "[0-9.eE+ x-]{0,9}") {
            proptest::prop_assert_eq!(number_syntax(text.as_bytes()).is_some(), is_number_syntax(&text), "{:?}", text);
            if let Some(e) = number_syntax(text.as_bytes()) {
                proptest::prop_assert_eq!(e, text.find(['e', 'E']));
            }
        }

        /// Number text from random pieces: long and short digit runs, points, exponents.
        #[test]
        fn reads_any_number_exactly(
            sign in proptest::sample::select(vec!["", "-", "+"]),
            zeros in 0usize..3,
            int in "[0-9]{0,32}",
            point in proptest::bool::ANY,
            frac in "[0-9]{0,34}",
            exponent in proptest::option::of(("[eE]", proptest::sample::select(vec!["", "-", "+"]), "[0-9]{1,3}")),
        ) {
            let mut text = format!("{sign}{}{int}", "0".repeat(zeros));
            if point {
                text.push('.');
                text.push_str(&frac);
            }
            if let Some((e, s, d)) = exponent {
                text.push_str(&format!("{e}{s}{d}"));
            }
            agrees_with_exact_reference(&text);
        }

        /// Near the edges: 28 places, 96 bits, rounding digits.
        #[test]
        fn reads_edge_numbers_exactly(
            digits in "[1-9][0-9]{26,30}",
            at in 0usize..32,
            tail in "[0-9]{0,3}",
            exponent in proptest::option::of(-30i32..30),
        ) {
            let at = at.min(digits.len());
            let mut text = format!("{}.{}{tail}", &digits[..at], &digits[at..]);
            if let Some(e) = exponent {
                text.push_str(&format!("e{e}"));
            }
            agrees_with_exact_reference(&text);
        }
    }

    #[test]
    fn json_floats_mean_their_shortest_text() {
        let v: serde_json::Value =
            serde_json::from_str("[0.1, 1.250, 1e21, 3]").unwrap_or_default();
        let list = v.as_array().cloned().unwrap_or_default();
        let got: Vec<String> = list
            .iter()
            .map(|x| {
                decimal_from_value(x, "")
                    .map(|d| d.normalize().to_string())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(got, ["0.1", "1.25", "1000000000000000000000", "3"]);
    }

    #[test]
    fn amounts_keep_their_asset_scale() {
        assert_eq!(Amount::new(d("1.5"), 2).to_string(), "1.50");
        assert_eq!(Amount::new(d("3"), 2).to_string(), "3.00");
        assert_eq!(Amount::new(d("7"), 0).to_string(), "7");
        assert_eq!(Amount::new(d("0.125"), 2).to_string(), "0.125");
        assert_eq!(Amount::new(d("-0.5"), 3).to_string(), "-0.500");
        // Too large to rescale: the value is kept and zeros are appended as text.
        assert_eq!(
            Amount::new(Decimal::MAX, 2).to_string(),
            format!("{}.00", Decimal::MAX)
        );
    }

    proptest::proptest! {
        #[test]
        fn decimals_are_written_as_display_writes_them(lo in proptest::num::u32::ANY, mid in proptest::num::u32::ANY, hi in proptest::num::u32::ANY, small in proptest::bool::ANY, neg in proptest::bool::ANY, scale in 0u32..=28, places in 0u32..=8) {
            // Mantissas of 64 bits and less take the fast path, larger ones the formatter.
            let d = Decimal::from_parts(lo, mid, if small { hi % 4 } else { hi }, neg, scale);
            let mut out = Vec::new();
            push_decimal(&mut out, d);
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), d.to_string());
            let amount = Amount::new(d, places);
            let mut out = Vec::new();
            push_amount(&mut out, amount);
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), amount.to_string());
        }
    }

    #[test]
    fn zeros_and_edges_are_written_as_display_writes_them() {
        for d in [
            Decimal::ZERO,
            -Decimal::ZERO,
            Decimal::new(-0, 2),
            Decimal::new(5, 28),
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(1, 0),
        ] {
            let mut out = Vec::new();
            push_decimal(&mut out, d);
            assert_eq!(String::from_utf8(out).unwrap(), d.to_string());
        }
    }
}

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
/// Errors are `invalid_decimal` (not a number) or `decimal_overflow` (a number that does not
/// fit in a 96-bit mantissa with at most 28 decimal places).
pub fn parse_decimal(text: &str) -> Result<Decimal, (Code, String)> {
    if !is_number_syntax(text) {
        return Err((
            Code::InvalidDecimal,
            format!("{text:?} is not a decimal number"),
        ));
    }
    let parsed = if let Some(e) = text.find(['e', 'E']) {
        // Guard the exponent before rust_decimal sees it: a huge one is an overflow, not work.
        let exponent = text[e + 1..]
            .trim_start_matches(['+', '-'])
            .trim_start_matches('0');
        if exponent.len() > 2 {
            return Err((
                Code::DecimalOverflow,
                format!("{text} does not fit in a decimal"),
            ));
        }
        Decimal::from_scientific(text)
    } else {
        Decimal::from_str_exact(text)
    };
    parsed.map_err(|_| {
        (
            Code::DecimalOverflow,
            format!("{text} does not fit in a decimal (28 significant digits at most)"),
        )
    })
}

/// `-? digits (. digits)? ([eE] [+-]? digits)?`, also `.5` and `5.`; nothing else (no NaN, no spaces).
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

//! Instants in time, always UTC.
//!
//! The core never reads a clock: every "now" is handed in by the host. Instants come in as
//! RFC 3339 text with an explicit offset (`2026-02-26T15:51:28.071Z`, `...+01:00`) or as a
//! count since the Unix epoch (what a JavaScript `Date` or a Python `datetime` gives a
//! binding), and leave as RFC 3339 in UTC.
//!
//! Parsing and printing are written by hand (proleptic Gregorian calendar, years -9999..=9999
//! in UTC). They accept, refuse and word their errors exactly as the `time` crate's RFC 3339
//! parser did before (0.3.55, `OffsetDateTime::parse(text, &Rfc3339)`), which the tests check
//! against that crate (a dev-dependency); the only difference is that an offset taking the
//! instant past 9999-12-31 in UTC is an error here, where `time` panicked.

use serde::{Serialize, Serializer};
use std::fmt;

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;
/// -9999-01-01T00:00:00Z and 9999-12-31T23:59:59Z in seconds since the epoch.
const MIN_SECONDS: i64 = -377_705_116_800;
const MAX_SECONDS: i64 = 253_402_300_799;

/// A UTC instant with nanosecond resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    /// Seconds since 1970-01-01T00:00:00Z, within `MIN_SECONDS..=MAX_SECONDS`.
    seconds: i64,
    /// 0..=999_999_999
    nanos: u32,
}

impl Instant {
    /// Parses RFC 3339 (`2026-03-01T12:00:00Z`); text without an offset is refused.
    pub fn parse(text: &str) -> Result<Instant, String> {
        parse_rfc3339(text.as_bytes()).map_err(|e| {
            format!(
                "{text:?} is not an RFC 3339 timestamp with an offset ({})",
                e.message()
            )
        })
    }

    /// From milliseconds since 1970-01-01T00:00:00Z (a JavaScript `Date`).
    pub fn from_unix_millis(millis: i64) -> Option<Instant> {
        Instant::from_unix_units(millis, 1_000)
    }

    /// From microseconds since the epoch (a Python `datetime`, which has microsecond resolution).
    pub fn from_unix_micros(micros: i64) -> Option<Instant> {
        Instant::from_unix_units(micros, 1_000_000)
    }

    /// From `count` units since the epoch, `per_second` of them a second (1 for seconds, 1,000
    /// for milliseconds, ..., 1,000,000,000 for nanoseconds: a divisor of a billion); `None`
    /// outside the years -9999..=9999 or for another `per_second`. In `i64` arithmetic: an
    /// `i128` division is a library call, and a frame's timestamp column has a million of them.
    pub fn from_unix_units(count: i64, per_second: i64) -> Option<Instant> {
        let to_nanos = NANOS_PER_SECOND.checked_div(per_second)?;
        if to_nanos.checked_mul(per_second) != Some(NANOS_PER_SECOND) || per_second < 1 {
            return None;
        }
        let seconds = count.div_euclid(per_second);
        let nanos = u32::try_from(count.rem_euclid(per_second) * to_nanos).ok()?;
        Instant::new(seconds, nanos)
    }

    /// Microseconds since the epoch, rounded down (an Arrow `timestamp[us]`); every instant's
    /// fits an `i64`.
    pub fn unix_micros(self) -> i64 {
        self.seconds * 1_000_000 + i64::from(self.nanos / 1_000)
    }

    /// From nanoseconds since the epoch; `None` outside the years -9999..=9999.
    pub fn from_unix_nanos(nanos: i128) -> Option<Instant> {
        let per_second = i128::from(NANOS_PER_SECOND);
        let seconds = i64::try_from(nanos.div_euclid(per_second)).ok()?;
        let nanos = u32::try_from(nanos.rem_euclid(per_second)).ok()?;
        Instant::new(seconds, nanos)
    }

    fn new(seconds: i64, nanos: u32) -> Option<Instant> {
        (MIN_SECONDS..=MAX_SECONDS)
            .contains(&seconds)
            .then_some(Instant { seconds, nanos })
    }

    pub fn unix_nanos(self) -> i128 {
        i128::from(self.seconds) * i128::from(NANOS_PER_SECOND) + i128::from(self.nanos)
    }

    pub fn year(self) -> i32 {
        self.date().0
    }

    /// 1..=12
    pub fn month(self) -> u8 {
        self.date().1
    }

    /// (year, month 1..=12, day 1..=31) in UTC.
    fn date(self) -> (i32, u8, u8) {
        civil_from_days(self.seconds.div_euclid(SECONDS_PER_DAY))
    }

    /// The same UTC wall-clock time `years` calendar years later (29 February becomes 28
    /// February in a common year); `None` past the years -9999..=9999. A paid grant expires
    /// one year after its top-up.
    pub fn plus_years(self, years: i32) -> Option<Instant> {
        self.plus_months(i64::from(years).checked_mul(12)?)
    }

    /// The same UTC wall-clock time `months` calendar months later, the day of the month kept
    /// where the month has it, else its last day (31 January + 1 month = 28 or 29 February).
    pub fn plus_months(self, months: i64) -> Option<Instant> {
        let (year, month, day) = self.date();
        let index = i64::from(year).checked_mul(12)? + i64::from(month) - 1 + months;
        let year = i32::try_from(index.div_euclid(12)).ok()?;
        let month = u8::try_from(index.rem_euclid(12) + 1).ok()?;
        let day = day.min(days_in_month(year, month));
        let second_of_day = self.seconds.rem_euclid(SECONDS_PER_DAY);
        Instant::new(
            days_from_civil(year, month, day) * SECONDS_PER_DAY + second_of_day,
            self.nanos,
        )
    }

    /// `days` days of 86,400 seconds later (UTC has no daylight saving).
    pub fn plus_days(self, days: i64) -> Option<Instant> {
        let seconds = self
            .seconds
            .checked_add(days.checked_mul(SECONDS_PER_DAY)?)?;
        Instant::new(seconds, self.nanos)
    }

    /// RFC 3339 in UTC, with only as many fractional digits as needed.
    pub fn to_rfc3339(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Instant {
    /// `2026-02-26T15:51:28.071Z`: what `time`'s RFC 3339 formatter writes for years 0..=9999,
    /// and `-000001-12-31T23:30:00Z` (sign and six digits) outside them. One write: this is
    /// printed once per quote.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.date();
        // 0..86_400 fits a u32.
        let second_of_day = u32::try_from(self.seconds.rem_euclid(SECONDS_PER_DAY)).unwrap_or(0);
        let [y1, y2, y3, y4] = digits::<4>(year.unsigned_abs());
        let [m1, m2] = digits::<2>(u32::from(month));
        let [d1, d2] = digits::<2>(u32::from(day));
        let [h1, h2] = digits::<2>(second_of_day / 3600);
        let [i1, i2] = digits::<2>(second_of_day / 60 % 60);
        let [s1, s2] = digits::<2>(second_of_day % 60);
        let [f1, f2, f3, f4, f5, f6, f7, f8, f9] = digits::<9>(self.nanos);
        let mut text = [
            y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2, b'T', h1, h2, b':', i1, i2, b':', s1, s2,
            b'.', f1, f2, f3, f4, f5, f6, f7, f8, f9, b'Z',
        ];
        // As many fractional digits as needed (none for whole seconds), then the `Z`.
        let mut end = 29;
        let mut rest = self.nanos;
        while rest % 10 == 0 && end > 20 {
            rest /= 10;
            end -= 1;
        }
        if end == 20 {
            end = 19;
        }
        if let Some(z) = text.get_mut(end) {
            *z = b'Z';
        }
        let text = text.get(..=end).unwrap_or(&text);
        if (0..=9999).contains(&year) {
            f.write_str(ascii(text))
        } else {
            f.write_str(if year < 0 { "-" } else { "+" })?;
            f.write_str(ascii(&digits::<6>(year.unsigned_abs())))?;
            f.write_str(ascii(text.get(4..).unwrap_or_default()))
        }
    }
}

/// ASCII bytes as text.
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// The last `N` decimal digits of `value`, zero-padded.
fn digits<const N: usize>(mut value: u32) -> [u8; N] {
    let mut out = [b'0'; N];
    for slot in out.iter_mut().rev() {
        // value % 10 < 10
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    out
}

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

pub(crate) fn serialize_opt_instant<S: Serializer>(
    t: &Option<Instant>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => t.serialize(s),
        None => s.serialize_none(),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // In range for every instant (years -9999..=9999), and 1..=31, 1..=12.
    (
        i32::try_from(year).unwrap_or(0),
        u8::try_from(month).unwrap_or(1),
        u8::try_from(day).unwrap_or(1),
    )
}

fn is_leap_year(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Why text is not a timestamp, worded as `time`'s parse errors are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParseError {
    /// "the '…' component could not be parsed"
    Component(&'static str),
    /// "a character literal was not valid"
    Literal,
    /// "unexpected trailing characters; the end of input was expected"
    Trailing,
    /// "… was not in range"
    Range(&'static str),
}

impl ParseError {
    fn message(self) -> String {
        match self {
            ParseError::Component(name) => format!("the '{name}' component could not be parsed"),
            ParseError::Literal => "a character literal was not valid".into(),
            ParseError::Trailing => {
                "unexpected trailing characters; the end of input was expected".into()
            }
            ParseError::Range(name) => format!("{name} was not in range"),
        }
    }
}

/// Exactly `N` ASCII digits at the start of `input`, as a number, and what follows them.
fn take_digits<const N: usize>(input: &[u8]) -> Option<(u32, &[u8])> {
    let (head, rest) = input.split_at_checked(N)?;
    let mut value = 0;
    for &b in head {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(b - b'0');
    }
    Some((value, rest))
}

/// `input` after the byte `literal`.
fn take_literal(input: &[u8], literal: u8) -> Result<&[u8], ParseError> {
    match input {
        [b, rest @ ..] if *b == literal => Ok(rest),
        _ => Err(ParseError::Literal),
    }
}

/// `time`'s RFC 3339 parser, step by step: the same syntax (any one byte between date and
/// time, `z` as `Z`, any number of fractional digits, truncated to nanoseconds), the same
/// checks in the same order, and a leap second (`:60`) read as the nanosecond before it and
/// only at the end of a month in UTC.
fn parse_rfc3339(input: &[u8]) -> Result<Instant, ParseError> {
    use ParseError::{Component, Range, Trailing};
    let (year, input) = take_digits::<4>(input).ok_or(Component("year"))?;
    let input = take_literal(input, b'-')?;
    let (month, input) = take_digits::<2>(input)
        .filter(|(m, _)| *m != 0)
        .ok_or(Component("month"))?;
    let input = take_literal(input, b'-')?;
    let (day, input) = take_digits::<2>(input).ok_or(Component("day"))?;
    // RFC 3339 lets applications separate date and time by something other than `T`.
    let input = input.get(1..).ok_or(Component("separator"))?;
    let (hour, input) = take_digits::<2>(input).ok_or(Component("hour"))?;
    let input = take_literal(input, b':')?;
    let (minute, input) = take_digits::<2>(input).ok_or(Component("minute"))?;
    let input = take_literal(input, b':')?;
    let (mut second, input) = take_digits::<2>(input).ok_or(Component("second"))?;
    let (mut nanos, input) = match input {
        [b'.', rest @ ..] => {
            let mut value = 0u32;
            let mut weight = 100_000_000;
            let mut rest = rest;
            let mut any = false;
            while let [d @ b'0'..=b'9', after @ ..] = rest {
                value += u32::from(d - b'0') * weight;
                weight /= 10;
                rest = after;
                any = true;
            }
            if !any {
                return Err(Component("subsecond"));
            }
            (value, rest)
        }
        _ => (0, input),
    };
    let (offset_seconds, input) = match input {
        [b'Z' | b'z', rest @ ..] => (0, rest),
        _ => {
            let (negative, input) = match input {
                [b'-', rest @ ..] => (true, rest),
                [b'+', rest @ ..] => (false, rest),
                _ => return Err(Component("offset hour")),
            };
            let (hours, input) = take_digits::<2>(input)
                .filter(|(h, _)| *h <= 23)
                .ok_or(Component("offset hour"))?;
            let input = take_literal(input, b':')?;
            let (minutes, input) = take_digits::<2>(input).ok_or(Component("offset minute"))?;
            if minutes > 59 {
                return Err(Range("offset minute"));
            }
            let seconds = i64::from(hours * 3600 + minutes * 60);
            (if negative { -seconds } else { seconds }, input)
        }
    };
    if !input.is_empty() {
        return Err(Trailing);
    }
    let leap_second = second == 60;
    if leap_second {
        second = 59;
        nanos = 999_999_999;
    }
    let month = u8::try_from(month)
        .ok()
        .filter(|m| (1..=12).contains(m))
        .ok_or(Range("month"))?;
    // Four digits: 0..=9999.
    let year = i32::try_from(year).unwrap_or(0);
    let day = u8::try_from(day)
        .ok()
        .filter(|d| (1..=days_in_month(year, month)).contains(d))
        .ok_or(Range("day"))?;
    if hour > 23 {
        return Err(Range("hour"));
    }
    if minute > 59 {
        return Err(Range("minute"));
    }
    if second > 59 {
        return Err(Range("second"));
    }
    let local = days_from_civil(year, month, day) * SECONDS_PER_DAY
        + i64::from(hour * 3600 + minute * 60 + second);
    let seconds = local - offset_seconds;
    if leap_second {
        // Only as the last second of a month in UTC (and within the years -9999..=9999).
        let (utc_year, utc_month, utc_day) = civil_from_days(seconds.div_euclid(SECONDS_PER_DAY));
        let ends_month = seconds.rem_euclid(SECONDS_PER_DAY) == SECONDS_PER_DAY - 1
            && utc_day == days_in_month(utc_year, utc_month);
        if !ends_month || Instant::new(seconds, nanos).is_none() {
            return Err(Range("second"));
        }
    }
    // Past 9999-12-31 in UTC (`9999-12-31T23:30:00-01:00`): `time` panicked here.
    Instant::new(seconds, nanos).ok_or(Range("year"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::format_description::well_known::Rfc3339;
    use time::{OffsetDateTime, UtcOffset};

    #[test]
    fn units_agree_with_nanoseconds() {
        let counts = [
            0,
            1,
            -1,
            999,
            -999,
            1_000_001,
            -1_000_001,
            1_772_366_400_123,
            -62_135_596_800_001,
        ];
        for per_second in [1, 1_000, 1_000_000, 1_000_000_000] {
            let to_nanos = i128::from(NANOS_PER_SECOND / per_second);
            for count in counts {
                let by_units = Instant::from_unix_units(count, per_second);
                let by_nanos = Instant::from_unix_nanos(i128::from(count) * to_nanos);
                assert_eq!(by_units, by_nanos, "{count} at {per_second} a second");
                if let Some(t) = by_units {
                    let micros = t.unix_nanos().div_euclid(1_000);
                    assert_eq!(i128::from(t.unix_micros()), micros, "{t}");
                }
            }
        }
        assert_eq!(Instant::from_unix_units(5, 7), None);
        assert_eq!(Instant::from_unix_units(5, 0), None);
        assert_eq!(Instant::from_unix_units(5, -1_000), None);
        assert_eq!(Instant::from_unix_units(i64::MAX, 1), None);
    }

    #[test]
    fn parses_offsets_and_prints_utc() {
        let t = Instant::parse("2026-02-26T16:51:28.071+01:00").map(|t| t.to_rfc3339());
        assert_eq!(t.as_deref(), Ok("2026-02-26T15:51:28.071Z"));
        let t = Instant::parse("2026-03-01T12:00:00Z").map(|t| t.to_rfc3339());
        assert_eq!(t.as_deref(), Ok("2026-03-01T12:00:00Z"));
    }

    #[test]
    fn prints_like_rfc3339_formatting() {
        for text in [
            "2026-02-26T15:51:28.071Z",
            "2026-03-01T12:00:00Z",
            "0001-01-01T00:00:00.000000001Z",
            "9999-12-31T23:59:59.5Z",
            "2026-01-05T01:02:03.123456Z",
        ] {
            let t = Instant::parse(text).map(|t| t.to_string());
            assert_eq!(t.as_deref(), Ok(text));
            let by_time = OffsetDateTime::parse(text, &Rfc3339)
                .map(|t| t.format(&Rfc3339).unwrap_or_default());
            assert_eq!(by_time.as_deref(), Ok(text));
        }
    }

    #[test]
    fn refuses_text_without_offset() {
        assert!(Instant::parse("2026-03-01T12:00:00").is_err());
        assert!(Instant::parse("yesterday").is_err());
    }

    #[test]
    fn epoch_counts_agree() {
        let a = Instant::from_unix_millis(1_772_366_400_000);
        let b = Instant::parse("2026-03-01T12:00:00Z").ok();
        assert_eq!(a, b);
    }

    /// What the `time` crate made of the text: the instant's nanoseconds, or the error's text.
    /// `None` where it panicked (an offset past 9999-12-31 in UTC).
    fn by_time(text: &str) -> Option<Result<i128, String>> {
        std::panic::catch_unwind(|| {
            OffsetDateTime::parse(text, &Rfc3339)
                .map(|t| t.to_offset(UtcOffset::UTC).unix_timestamp_nanos())
                .map_err(|e| format!("{text:?} is not an RFC 3339 timestamp with an offset ({e})"))
        })
        .ok()
    }

    /// `text` parses (or not, with the same message) as `time` parsed it, and prints as `time`
    /// printed the instant.
    fn agrees_with_time(text: &str) {
        let ours = Instant::parse(text);
        match by_time(text) {
            Some(theirs) => {
                assert_eq!(ours.clone().map(Instant::unix_nanos), theirs, "{text:?}");
                if let Ok(t) = ours {
                    let theirs = OffsetDateTime::from_unix_timestamp_nanos(t.unix_nanos()).unwrap();
                    assert_eq!(t.year(), theirs.year(), "{text:?}");
                    assert_eq!(t.month(), theirs.month() as u8, "{text:?}");
                    if (0..=9999).contains(&t.year()) {
                        assert_eq!(t.to_string(), theirs.format(&Rfc3339).unwrap(), "{text:?}");
                    }
                }
            }
            None => assert_eq!(
                ours.err().as_deref(),
                Some(
                    format!("{text:?} is not an RFC 3339 timestamp with an offset (year was not in range)")
                        .as_str()
                ),
                "{text:?}"
            ),
        }
    }

    #[test]
    fn accepts_and_refuses_what_time_did() {
        for text in [
            "",
            "2026",
            "2026-",
            "2026-03",
            "2026-03-01",
            "2026-03-01T",
            "2026-03-01T12",
            "2026-03-01T12:00",
            "2026-03-01T12:00:00",
            "2026-03-01T12:00:00.",
            "2026-03-01T12:00:00.Z",
            "2026-03-01T12:00:00Zx",
            "2026-03-01T12:00:00z",
            "2026-03-01 12:00:00Z",
            "2026-03-01x12:00:00Z",
            "2026-03-01é12:00:00Z",
            "2026-03-01T12:00:00+01",
            "2026-03-01T12:00:00+01:",
            "2026-03-01T12:00:00+0100",
            "2026-03-01T12:00:00+1:00",
            "2026-03-01T12:00:00+24:00",
            "2026-03-01T12:00:00+23:60",
            "2026-03-01T12:00:00+23:60x",
            "2026-03-01T12:00:00-23:59",
            "2026-03-01T12:00:00−01:00",
            "2026-03-01T12:00:00 Z",
            "2026-00-01T12:00:00Z",
            "2026-13-01T12:00:00Z",
            "2026-13-01T12:00:00Zx",
            "2026-02-29T00:00:00Z",
            "2024-02-29T00:00:00Z",
            "2100-02-29T00:00:00Z",
            "2000-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-01-00T00:00:00Z",
            "2026-01-32T00:00:00Z",
            "2026-01-00T25:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T23:60:00Z",
            "2026-01-01T23:59:61Z",
            "2026-01-01T00:00:60Z",
            "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:60.5Z",
            "2016-12-31T23:59:60.123456789012Z",
            "2016-06-30T23:59:60Z",
            "2016-06-29T23:59:60Z",
            "2017-01-01T00:59:60+01:00",
            "2016-12-31T22:59:60-01:00",
            "9999-12-31T23:59:60Z",
            "9999-12-31T23:59:60-01:00",
            "0000-01-01T00:59:60+01:00",
            "0000-01-01T00:00:00Z",
            "0000-01-01T00:30:00+01:00",
            "0000-01-01T00:00:00+23:59",
            "9999-12-31T23:59:59.999999999Z",
            "9999-12-31T23:30:00-01:00",
            "9999-12-31T23:59:59-00:01",
            "9999-12-31T23:59:59-00:00",
            "1969-12-31T23:59:59.999999999Z",
            "1970-01-01T00:00:00.000000001Z",
            "2026-03-01T12:00:00.1234567891234Z",
            "2026-03-01T12:00:00.000000000Z",
            "2026-03-01T12:00:00.100Z",
            "+2026-03-01T12:00:00Z",
            "20260-03-01T12:00:00Z",
            "2026-3-01T12:00:00Z",
            "２０２６-03-01T12:00:00Z",
            "yesterday",
        ] {
            agrees_with_time(text);
        }
    }

    #[test]
    fn calendar_steps_keep_the_day_or_take_the_month_end() {
        let t = |s: &str| Instant::parse(s).unwrap();
        let jan31 = t("2026-01-31T10:00:00Z");
        assert_eq!(jan31.plus_months(1), Some(t("2026-02-28T10:00:00Z")));
        assert_eq!(jan31.plus_months(13), Some(t("2027-02-28T10:00:00Z")));
        assert_eq!(
            t("2028-02-29T00:00:00Z").plus_years(1),
            Some(t("2029-02-28T00:00:00Z"))
        );
        assert_eq!(jan31.plus_months(-2), Some(t("2025-11-30T10:00:00Z")));
        assert_eq!(jan31.plus_days(7), Some(t("2026-02-07T10:00:00Z")));
        assert_eq!(t("9999-12-01T00:00:00Z").plus_months(1), None);
    }

    #[test]
    fn prints_years_outside_four_digits_with_a_sign() {
        let t = Instant::parse("0000-01-01T00:30:00+01:00").unwrap();
        assert_eq!(t.to_string(), "-000001-12-31T23:30:00Z");
        let t = Instant::from_unix_nanos(i128::from(MIN_SECONDS) * 1_000_000_000 + 5).unwrap();
        assert_eq!(t.to_string(), "-009999-01-01T00:00:00.000000005Z");
    }

    #[test]
    fn epoch_counts_cover_the_years_time_covered() {
        let edges = [MIN_SECONDS, MAX_SECONDS].map(|s| i128::from(s) * 1_000_000_000);
        for nanos in [
            edges[0] - 1,
            edges[0],
            edges[1] + 999_999_999,
            edges[1] + 1_000_000_000,
            0,
            -1,
            1_772_366_400_000_000_000,
            i128::MAX,
            i128::MIN,
        ] {
            let ours = Instant::from_unix_nanos(nanos).map(Instant::unix_nanos);
            let theirs = OffsetDateTime::from_unix_timestamp_nanos(nanos)
                .ok()
                .map(|t| t.unix_timestamp_nanos());
            assert_eq!(ours, theirs, "{nanos}");
        }
    }

    proptest::proptest! {
        /// Text built from the pieces of a timestamp, each sometimes wrong.
        #[test]
        fn parses_like_time(
            year in proptest::sample::select(vec!["0000", "0001", "1969", "1970", "2000", "2016", "2024", "2026", "2100", "9999", "999", "02026", "abcd"]),
            month in 0u32..=14, day in 0u32..=33, hour in 0u32..=25, minute in 0u32..=61, second in 0u32..=61,
            separator in proptest::sample::select(vec!["T", "t", " ", "_", "", "é"]),
            fraction in proptest::sample::select(vec!["", ".", ".0", ".5", ".071", ".123456789", ".1234567891", ".999999999999", ".x"]),
            offset in proptest::sample::select(vec!["Z", "z", "+00:00", "-00:00", "+01:00", "-01:00", "+05:30", "-23:59", "+23:59", "+24:00", "+12:60", "+1:00", "+0100", "", "Zx", " Z", "-00:01"]),
            wide in proptest::bool::ANY,
        ) {
            let (m, d, h, mi, s) = if wide {
                (format!("{month}"), format!("{day}"), format!("{hour}"), format!("{minute}"), format!("{second}"))
            } else {
                (format!("{month:02}"), format!("{day:02}"), format!("{hour:02}"), format!("{minute:02}"), format!("{second:02}"))
            };
            agrees_with_time(&format!("{year}-{m}-{d}{separator}{h}:{mi}:{s}{fraction}{offset}"));
        }

        #[test]
        fn any_text_parses_like_time(text in "[0-9Tt:.+Zz -]{0,32}") {
            agrees_with_time(&text);
        }

        #[test]
        fn epoch_counts_print_and_split_like_time(nanos in (i128::from(MIN_SECONDS) * 1_000_000_000)..=(i128::from(MAX_SECONDS) * 1_000_000_000 + 999_999_999)) {
            let ours = Instant::from_unix_nanos(nanos).unwrap();
            let theirs = OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap();
            proptest::prop_assert_eq!(ours.unix_nanos(), nanos);
            proptest::prop_assert_eq!(ours.year(), theirs.year());
            proptest::prop_assert_eq!(ours.month(), theirs.month() as u8);
            if (0..=9999).contains(&ours.year()) {
                proptest::prop_assert_eq!(ours.to_string(), theirs.format(&Rfc3339).unwrap());
                // Round trip through the text.
                proptest::prop_assert_eq!(Instant::parse(&ours.to_string()).ok(), Some(ours));
            }
        }
    }
}

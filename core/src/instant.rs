//! Instants in time, always UTC.
//!
//! The core never reads a clock: every "now" is handed in by the host. Instants come in as
//! RFC 3339 text with an explicit offset (`2026-02-26T15:51:28.071Z`, `...+01:00`) or as a
//! count since the Unix epoch (what a JavaScript `Date` or a Python `datetime` gives a
//! binding), and leave as RFC 3339 in UTC.

use serde::{Serialize, Serializer};
use std::fmt;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// A UTC instant with nanosecond resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(OffsetDateTime);

impl Instant {
    /// Parses RFC 3339 (`2026-03-01T12:00:00Z`); text without an offset is refused.
    pub fn parse(text: &str) -> Result<Instant, String> {
        OffsetDateTime::parse(text, &Rfc3339)
            .map(|t| Instant(t.to_offset(UtcOffset::UTC)))
            .map_err(|e| format!("{text:?} is not an RFC 3339 timestamp with an offset ({e})"))
    }

    /// From milliseconds since 1970-01-01T00:00:00Z (a JavaScript `Date`).
    pub fn from_unix_millis(millis: i64) -> Option<Instant> {
        Instant::from_unix_nanos(i128::from(millis) * 1_000_000)
    }

    /// From microseconds since the epoch (a Python `datetime`, which has microsecond resolution).
    pub fn from_unix_micros(micros: i64) -> Option<Instant> {
        Instant::from_unix_nanos(i128::from(micros) * 1_000)
    }

    /// From nanoseconds since the epoch; `None` outside the years -9999..=9999.
    pub fn from_unix_nanos(nanos: i128) -> Option<Instant> {
        OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .map(Instant)
    }

    pub fn unix_nanos(self) -> i128 {
        self.0.unix_timestamp_nanos()
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// 1..=12
    pub fn month(self) -> u8 {
        self.0.month() as u8
    }

    /// RFC 3339 in UTC, with only as many fractional digits as needed.
    pub fn to_rfc3339(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Instant {
    /// Written by hand rather than through `time`'s formatter: quotes print one per event, and
    /// this is several times faster and never fails (years outside 0..=9999 keep their sign).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        let year = t.year();
        if (0..=9999).contains(&year) {
            write!(f, "{year:04}")?;
        } else {
            write!(f, "{year:+07}")?;
        }
        write!(
            f,
            "-{:02}-{:02}T{:02}:{:02}:{:02}",
            t.month() as u8,
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )?;
        let mut nanos = t.nanosecond();
        if nanos > 0 {
            let mut digits = 9;
            while nanos % 10 == 0 {
                nanos /= 10;
                digits -= 1;
            }
            write!(f, ".{nanos:0digits$}")?;
        }
        f.write_str("Z")
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
            let by_time = Instant::parse(text).map(|t| t.0.format(&Rfc3339).unwrap_or_default());
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
}

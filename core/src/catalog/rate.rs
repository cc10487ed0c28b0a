//! Exchange rates and their schedules.
//!
//! A custom asset is priced against a fiat source by a `rate` (one unit costs `rate` of the
//! source) or an `inverse_rate` (one unit of the source buys `inverse_rate` units). Both are
//! kept as given, never turned into one another, so that an inverse rate of 3 means $1 buys
//! exactly 3 units and not 2.9999999999: a rate is held as the fraction `num / den` of source
//! per unit, `rate / 1` or `1 / inverse_rate`, and conversions multiply before they divide.
//!
//! Entries for one source form a schedule of half-open intervals `[valid_from, valid_to)`. An
//! entry without `valid_from` holds from the beginning of time; a later `valid_from` closes the
//! entry before it; an explicit `valid_to` may leave a gap (no rate in force) but must not
//! overlap the next entry.

use super::reader::{index, Found, Obj};
use crate::fiat;
use crate::instant::Instant;
use crate::issue::Code;
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::HashMap;

/// A rate as given: at least one of the two, and both only when they agree exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateValue {
    pub rate: Option<Decimal>,
    pub inverse_rate: Option<Decimal>,
}

impl RateValue {
    /// Source per unit as `(numerator, denominator)`: `(rate, 1)` or `(1, inverse_rate)`.
    pub fn fraction(&self) -> (Decimal, Decimal) {
        match (self.rate, self.inverse_rate) {
            (Some(rate), _) => (rate, Decimal::ONE),
            (None, Some(inverse)) => (Decimal::ONE, inverse),
            (None, None) => (Decimal::ONE, Decimal::ONE),
        }
    }
}

/// One entry of a schedule, with its effective end already worked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateEntry {
    pub value: RateValue,
    pub valid_from: Option<Instant>,
    /// The end of this entry: its own `valid_to` or the next entry's `valid_from`.
    pub valid_to: Option<Instant>,
    /// Where the entry was written, for explanations.
    pub path: String,
}

impl RateEntry {
    fn holds_at(&self, t: Instant) -> bool {
        self.valid_from.is_none_or(|from| from <= t) && self.valid_to.is_none_or(|to| t < to)
    }
}

/// Every rate of one asset against one fiat source, in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// ISO 4217 code, upper case.
    pub source: String,
    pub entries: Vec<RateEntry>,
}

impl Schedule {
    /// The entry in force at `t`, if any.
    pub fn at(&self, t: Instant) -> Option<&RateEntry> {
        // Entries are sorted by start; the candidate is the last one starting at or before t.
        let after = self
            .entries
            .partition_point(|e| e.valid_from.is_none_or(|from| from <= t));
        let candidate = self.entries.get(after.checked_sub(1)?)?;
        candidate.holds_at(t).then_some(candidate)
    }
}

/// An entry as read, before the schedule is assembled.
struct Draft {
    source: String,
    value: RateValue,
    valid_from: Option<Instant>,
    valid_to: Option<Instant>,
    path: String,
}

/// Reads an asset's `rates` in either shape: create (`{source, rate | inverse_rate,
/// valid_from?, valid_to?}`, several entries per source) or read-back (`{source, schedule:
/// [...]}`), and assembles one schedule per source.
pub(crate) fn read_rates(found: &mut Found, list: &[Value], path: &str) -> Vec<Schedule> {
    let mut drafts = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let item_path = index(path, i);
        let Some(obj) = Obj::of(found, item, &item_path) else {
            continue;
        };
        let source = read_source(found, &obj);
        if let Some(schedule) = obj.get("schedule") {
            obj.known_fields(found, &["source", "schedule"]);
            let Some(entries) = obj.opt_array(found, "schedule") else {
                continue;
            };
            let _ = schedule;
            for (j, entry) in entries.iter().enumerate() {
                let entry_path = index(&obj.at("schedule"), j);
                let Some(entry) = Obj::of(found, entry, &entry_path) else {
                    continue;
                };
                entry.known_fields(found, &["valid_from", "valid_to", "rate", "inverse_rate"]);
                if let (Some(source), Some(d)) = (&source, read_entry(found, &entry)) {
                    drafts.push(Draft {
                        source: source.clone(),
                        ..d
                    });
                }
            }
        } else {
            obj.known_fields(
                found,
                &["source", "rate", "inverse_rate", "valid_from", "valid_to"],
            );
            if let (Some(source), Some(d)) = (&source, read_entry(found, &obj)) {
                drafts.push(Draft {
                    source: source.clone(),
                    ..d
                });
            }
        }
    }
    assemble(found, drafts)
}

fn read_source(found: &mut Found, obj: &Obj<'_>) -> Option<String> {
    let source = obj.req_str(found, "source")?.to_ascii_uppercase();
    if fiat::precision(&source).is_none() {
        found.error(
            &obj.at("source"),
            Code::UnknownCurrency,
            format!(
                "rate source {source:?} is not an ISO 4217 currency (only currencies are sources)"
            ),
        );
        return None;
    }
    Some(source)
}

fn read_entry(found: &mut Found, obj: &Obj<'_>) -> Option<Draft> {
    let errors_before = found.errors.len();
    let rate = obj.opt_positive(found, "rate", Code::InvalidRate);
    let inverse_rate = obj.opt_positive(found, "inverse_rate", Code::InvalidRate);
    let valid_from = obj.opt_instant(found, "valid_from");
    let valid_to = obj.opt_instant(found, "valid_to");
    if obj.get("rate").is_none() && obj.get("inverse_rate").is_none() {
        found.error(
            &obj.path,
            Code::MissingRate,
            "a rate entry needs `rate` or `inverse_rate`",
        );
    }
    if let (Some(r), Some(inv)) = (rate, inverse_rate) {
        if r.checked_mul(inv) != Some(Decimal::ONE) {
            found.error(
                &obj.at("inverse_rate"),
                Code::ConflictingRates,
                format!(
                    "rate {r} and inverse_rate {inv} disagree: their product must be exactly 1"
                ),
            );
        }
    }
    if let (Some(from), Some(to)) = (valid_from, valid_to) {
        if to <= from {
            found.error(
                &obj.at("valid_to"),
                Code::InvalidInterval,
                format!("valid_to {to} is not after valid_from {from}"),
            );
        }
    }
    if found.errors.len() > errors_before {
        return None;
    }
    Some(Draft {
        source: String::new(),
        value: RateValue { rate, inverse_rate },
        valid_from,
        valid_to,
        path: obj.path.clone(),
    })
}

fn assemble(found: &mut Found, drafts: Vec<Draft>) -> Vec<Schedule> {
    let mut schedules: Vec<Schedule> = Vec::new();
    // The entries of each source, sources in first-seen order.
    let mut by_source: Vec<(String, Vec<&Draft>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for d in &drafts {
        let i = *index.entry(d.source.as_str()).or_insert_with(|| {
            by_source.push((d.source.clone(), Vec::new()));
            by_source.len() - 1
        });
        if let Some((_, list)) = by_source.get_mut(i) {
            list.push(d);
        }
    }
    for (source, mut mine) in by_source {
        // None (the beginning of time) sorts first.
        mine.sort_by_key(|d| d.valid_from);
        let mut entries: Vec<RateEntry> = Vec::with_capacity(mine.len());
        for (k, d) in mine.iter().enumerate() {
            let next_from = mine.get(k + 1).map(|n| n.valid_from);
            if let Some(next) = mine.get(k + 1) {
                if next.valid_from == d.valid_from {
                    let when = d
                        .valid_from
                        .map_or("the beginning of time".to_string(), |t| t.to_string());
                    found.error(
                        &next.path,
                        Code::OverlappingRates,
                        format!("two {source} rates start at {when}; remove one or give it another valid_from"),
                    );
                    continue;
                }
                if let (Some(to), Some(Some(next_start))) = (d.valid_to, next_from) {
                    if to > next_start {
                        found.error(
                            &d.path,
                            Code::OverlappingRates,
                            format!("this {source} rate runs to {to}, past the start of the next one at {next_start}"),
                        );
                    }
                }
            }
            let end = match (d.valid_to, next_from.flatten()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            entries.push(RateEntry {
                value: d.value,
                valid_from: d.valid_from,
                valid_to: end,
                path: d.path.clone(),
            });
        }
        schedules.push(Schedule { source, entries });
    }
    schedules
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Instant {
        Instant::parse(s).unwrap()
    }

    fn schedule(json: &str) -> (Vec<Schedule>, Found) {
        let mut found = Found::default();
        let value: Value = serde_json::from_str(json).unwrap_or(Value::Null);
        let list = value.as_array().cloned().unwrap_or_default();
        (read_rates(&mut found, &list, "rates"), found)
    }

    #[test]
    fn a_later_entry_closes_the_earlier_one_half_open() {
        let (s, found) = schedule(
            r#"[{"source":"USD","rate":0.10},{"source":"usd","valid_from":"2026-02-26T15:51:28.071Z","rate":0.12}]"#,
        );
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        let usd = &s[0];
        let rate_at = |x: &str| {
            usd.at(t(x))
                .and_then(|e| e.value.rate)
                .map(|r| r.to_string())
        };
        assert_eq!(rate_at("2026-02-26T15:51:28.070Z").as_deref(), Some("0.1"));
        assert_eq!(rate_at("2026-02-26T15:51:28.071Z").as_deref(), Some("0.12"));
        assert_eq!(rate_at("2030-01-01T00:00:00Z").as_deref(), Some("0.12"));
    }

    #[test]
    fn read_back_shape_with_gap() {
        let (s, found) = schedule(
            r#"[{"source":"USD","schedule":[
                {"valid_from":"2026-03-01T00:00:00Z","rate":"0.2"},
                {"valid_from":"2026-01-01T00:00:00Z","valid_to":"2026-02-01T00:00:00Z","rate":"0.1"}]}]"#,
        );
        assert!(found.errors.is_empty());
        assert!(
            s[0].at(t("2026-02-15T00:00:00Z")).is_none(),
            "gap has no rate"
        );
        assert!(
            s[0].at(t("2025-12-31T00:00:00Z")).is_none(),
            "nothing before the first entry"
        );
        assert!(s[0].at(t("2026-01-15T00:00:00Z")).is_some());
    }

    #[test]
    fn overlaps_and_conflicts_are_errors() {
        let (_, found) = schedule(
            r#"[{"source":"USD","rate":0.1,"valid_from":"2026-01-01T00:00:00Z","valid_to":"2026-03-01T00:00:00Z"},
                {"source":"USD","rate":0.2,"valid_from":"2026-02-01T00:00:00Z"},
                {"source":"EUR","rate":0.3,"inverse_rate":3}]"#,
        );
        let codes: Vec<&str> = found.errors.iter().map(|i| i.code.as_str()).collect();
        assert_eq!(codes, ["conflicting_rates", "overlapping_rates"]);
    }
}

//! What a table of events (a DataFrame, one row an event, one column a data field) must hold
//! for a catalog to price its rows, checked once before any row is read.
//!
//! A row whose volume column is missing prices to nothing, and a table without `occurred_at`
//! prices every row at the host's clock: each plausible, each wrong when the column is only
//! misnamed (`secs`, `timestamp`). So a table is refused when it lacks a column its rows'
//! prices need, with the columns it most likely meant named in the message.

use crate::catalog::product::PriceKind;
use crate::engine::Engine;
use crate::issue::{nearest, Code, Issue};

impl Engine {
    /// The fields the usage prices of `event_type` need for their usage (in catalog order,
    /// distinct): volume fields and the fields their aggregation expressions read. Without
    /// one, a price of that type yields no fee.
    pub fn volume_fields(&self, event_type: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for indexed in self.prices_for(event_type) {
            let r = indexed.at;
            let price = self
                .catalog()
                .products
                .get(r.product)
                .and_then(|p| p.prices.get(r.price));
            if let Some(PriceKind::Usage(usage)) = price.map(|p| &p.kind) {
                let mut fields: Vec<&str> = match &usage.volume_expr {
                    Some(expr) if usage.usage_type.has_volume() => {
                        expr.fields.iter().map(String::as_str).collect()
                    }
                    Some(_) => Vec::new(),
                    None if usage.usage_type.has_volume() => {
                        usage.volume_field.as_deref().into_iter().collect()
                    }
                    None => Vec::new(),
                };
                if usage.usage_type != crate::pricing::UsageType::Volume {
                    fields.extend(
                        usage
                            .unit_expr
                            .iter()
                            .flat_map(|e| e.fields.iter().map(String::as_str)),
                    );
                }
                for field in fields {
                    if !out.contains(&field) {
                        out.push(field);
                    }
                }
            }
        }
        out
    }

    /// The issues of a table whose columns are `columns` (every column name, `occurred_at`
    /// and `event_type` included) and whose rows have `event_types`: each volume field a price
    /// of those types reads that no column holds, and, unless `timed` (an `at` or a current
    /// time was given), a missing `occurred_at`. Each issue is `missing_field` at the column's
    /// name, its message naming the columns it most likely is.
    pub fn missing_columns<'t>(
        &self,
        columns: &[&str],
        event_types: impl IntoIterator<Item = &'t str>,
        timed: bool,
    ) -> Vec<Issue> {
        let mut issues = Vec::new();
        let has = |name: &str| columns.contains(&name);
        if !timed && !has("occurred_at") {
            let timelike: Vec<&str> = columns
                .iter()
                .copied()
                .filter(|c| {
                    let c = c.to_ascii_lowercase();
                    c.contains("time") || c.contains("date") || c.ends_with("_at") || c == "ts"
                })
                .collect();
            let hint = match timelike.as_slice() {
                [] => String::new(),
                found => format!(" (is it {}? rename it)", listed(found)),
            };
            issues.push(Issue::new(
                "occurred_at",
                Code::MissingField,
                format!(
                    "the table has no occurred_at column{hint}, and no `at` or `now` says when to price its rows"
                ),
            ));
        }
        let mut reported: Vec<&str> = Vec::new();
        for event_type in event_types {
            for field in self.volume_fields(event_type) {
                if has(field) || reported.contains(&field) {
                    continue;
                }
                reported.push(field);
                // A misspelling, or an abbreviation (`secs`, `sec_total` for `seconds`).
                let close = nearest(field, columns.iter().copied()).or_else(|| {
                    let stem = |s: &str| s.to_ascii_lowercase().chars().take(3).collect::<String>();
                    columns
                        .iter()
                        .copied()
                        .find(|c| c.len() >= 3 && field.len() >= 3 && stem(c) == stem(field))
                });
                let hint = match close {
                    Some(close) => format!(" (did you mean {close:?}?)"),
                    None => String::new(),
                };
                issues.push(Issue::new(
                    field,
                    Code::MissingField,
                    format!(
                        "the table has no {field:?} column{hint}, which prices of {event_type:?} events read as their volume: without it those rows would price to nothing"
                    ),
                ));
            }
        }
        issues
    }
}

/// `"a"`, `"a" or "b"`.
fn listed(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOG: &str = r#"{"assets": [], "products": [{"name": "p", "code": "p", "prices": [
      {"name": "video", "type": "usage_based", "billing_model": {"type": "real_time"},
       "usage_calculation": {"event_type": "render", "usage_type": "volume", "volume_field": "seconds"},
       "pricing": [{"asset": "USD", "values": [{"volume_rate": "1"}]}]},
      {"name": "calls", "type": "usage_based", "billing_model": {"type": "real_time"},
       "usage_calculation": {"event_type": "call", "usage_type": "unit"},
       "pricing": [{"asset": "USD", "values": [{"unit_price": "1"}]}]}]}]}"#;

    #[test]
    fn a_misnamed_volume_and_time_column_are_named() {
        let engine = Engine::from_json(CATALOG).unwrap();
        let issues = engine.missing_columns(
            &["event_type", "timestamp", "secs"],
            ["render", "call"],
            false,
        );
        let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["occurred_at", "seconds"]);
        assert!(
            issues[0].message.contains("\"timestamp\""),
            "{}",
            issues[0].message
        );
        assert!(
            issues[1].message.contains("did you mean \"secs\""),
            "{}",
            issues[1].message
        );
        // Unit prices read no column; a given time needs no occurred_at.
        assert!(engine
            .missing_columns(&["event_type"], ["call"], true)
            .is_empty());
        assert!(engine
            .missing_columns(&["event_type", "occurred_at", "seconds"], ["render"], false)
            .is_empty());
    }
}

//! `--format table`: plain-text tables for people.

use ratecard::{Quote, Report, Sums};
use std::fmt::Write;

/// Left-aligned columns; numbers right-aligned. Widths count characters, not display cells.
fn render(header: &[&str], rows: &[Vec<String>], numeric: &[bool]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>, out: &mut String| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            let pad = w.saturating_sub(cell.chars().count());
            if i > 0 {
                text.push_str("  ");
            }
            if numeric.get(i).copied().unwrap_or(false) {
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(pad));
            }
        }
        let _ = writeln!(out, "{}", text.trim_end());
    };
    line(header.iter().map(|h| h.to_string()).collect(), &mut out);
    line(widths.iter().map(|w| "-".repeat(*w)).collect(), &mut out);
    for row in rows {
        line(row.clone(), &mut out);
    }
    out
}

pub fn quotes(quotes: &[Quote<'_>], express_in: &[String]) -> Result<String, ratecard::Error> {
    let mut header = vec!["event", "event_type", "product", "price", "asset", "amount"];
    header.extend(express_in.iter().map(String::as_str));
    let mut numeric = vec![false, false, false, false, false, true];
    numeric.extend(express_in.iter().map(|_| true));
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let mut totals = Sums::default();
    let mut grand = Sums::default();
    for (i, q) in quotes.iter().enumerate() {
        let id = q
            .event_id
            .map_or_else(|| format!("#{}", i + 1), str::to_string);
        if q.fees.is_empty() {
            let mut row = vec![
                id.clone(),
                q.event_type.to_string(),
                "-".into(),
                "(no fee)".into(),
                String::new(),
                String::new(),
            ];
            row.extend(express_in.iter().map(|_| String::new()));
            rows.push(row);
        }
        for fee in &q.fees {
            let mut row = vec![
                id.clone(),
                q.event_type.to_string(),
                fee.product_code.to_string(),
                fee.price_name.to_string(),
                fee.currency.to_string(),
                fee.amount.to_string(),
            ];
            for code in express_in {
                row.push(
                    fee.equivalents
                        .get(code)
                        .map(|a| a.to_string())
                        .unwrap_or_default(),
                );
            }
            rows.push(row);
        }
        for w in &q.warnings {
            notes.push(format!("{id}: {w}"));
        }
        totals.add_all(&q.totals);
        grand.add_all(&q.equivalents);
    }
    let (totals, grand) = (totals.finish()?, grand.finish()?);
    let mut out = render(&header, &rows, &numeric);
    if !totals.0.is_empty() {
        let sums: Vec<String> = totals.0.iter().map(|(c, a)| format!("{a} {c}")).collect();
        let _ = writeln!(out, "\ntotal: {}", sums.join(", "));
    }
    for (code, amount) in grand.0.iter() {
        let _ = writeln!(out, "total in {code}: {amount}");
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "\nwarnings:");
        for n in notes {
            let _ = writeln!(out, "  {n}");
        }
    }
    Ok(out)
}

pub fn report(file: &str, report: &Report) -> String {
    let mut out = String::new();
    for (kind, list) in [("error", &report.errors), ("warning", &report.warnings)] {
        for issue in list {
            let _ = writeln!(out, "{file}: {kind}: {issue}");
        }
    }
    let _ = writeln!(
        out,
        "{file}: {} ({} errors, {} warnings)",
        if report.valid { "valid" } else { "invalid" },
        report.errors.len(),
        report.warnings.len()
    );
    out
}

/// A preview for people: each account before and after, and what covers a shortfall.
pub fn preview(preview: &serde_json::Value) -> String {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let empty = Vec::new();
    let accounts = preview["accounts"].as_array().unwrap_or(&empty);
    let rows: Vec<Vec<String>> = accounts
        .iter()
        .map(|a| {
            let asset = text(&a["asset"]);
            let short = preview["shortfall"]
                .get(&asset)
                .map(text)
                .unwrap_or_default();
            let top_up = preview["top_up"].get(&asset).map_or(String::new(), |t| {
                format!(
                    "{} {} buys {}",
                    text(&t["amount"]),
                    text(&t["currency"]),
                    text(&t["buys"])
                )
            });
            vec![
                text(&a["id"]),
                text(&a["available"]),
                text(&a["available_after"]),
                short,
                top_up,
            ]
        })
        .collect();
    let header = ["account", "available", "after", "short", "top-up"];
    let mut out = render(&header, &rows, &[false, true, true, true, false]);
    let events = preview["events"].as_array().map_or(0, Vec::len);
    let refused = preview["events"]
        .as_array()
        .map_or(0, |e| e.iter().filter(|e| e["refused"] == true).count());
    let covered = if preview["covered"] == true {
        "covered"
    } else {
        "NOT covered"
    };
    let _ = writeln!(out, "{events} events, {refused} refused: {covered}");
    out
}

/// `afford` and `buys` for people: what one event costs, and how much of it fits.
pub fn capacity(answer: &serde_json::Value) -> String {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let mut out = String::new();
    if let Some(units) = answer.get("units") {
        let (amount, currency) = (text(&answer["amount"]), text(&answer["currency"]));
        let _ = writeln!(
            out,
            "{amount} {currency} buys {} {}",
            text(units),
            text(&answer["asset"])
        );
    }
    let costs = answer["quote"]["totals"].as_object();
    let cost: Vec<String> = costs
        .into_iter()
        .flatten()
        .map(|(asset, a)| format!("{} {asset}", text(a)))
        .collect();
    let cost = if cost.is_empty() {
        "nothing".to_string()
    } else {
        cost.join(" + ")
    };
    let _ = writeln!(out, "one such event costs {cost}");
    match answer["count"].as_str() {
        Some(n) => {
            let _ = writeln!(out, "covers {n} more such events");
        }
        None => out.push_str("covers any number of them (they cost nothing)\n"),
    }
    if let Some(v) = answer["volume"].as_object() {
        let cost: Vec<String> = v["cost"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(asset, a)| format!("{} {asset}", text(a)))
            .collect();
        let _ = writeln!(
            out,
            "the largest {} covered: {} (costs {})",
            text(&v["field"]),
            text(&v["value"]),
            cost.join(" + ")
        );
    }
    out
}

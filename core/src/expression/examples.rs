//! Expressions checked against example events: a catalog says which fields an expression
//! reads, but not what they hold. Given a few real events (`validate_with_examples`), a field
//! that an expression computes with and that no example of its event type holds as a number
//! (`duration: "10s"`, or a field the events call something else) is found before any event is
//! priced to no fee.

use crate::catalog::product::PriceKind;
use crate::catalog::Catalog;
use crate::event::{Event, Scalar};
use crate::issue::{join_path, Code, Issue};

/// The `expression_field_not_numeric` warnings of `catalog`'s expressions against `examples`.
/// An event type without examples says nothing.
pub fn check(catalog: &Catalog, examples: &[Event<'_>]) -> Vec<Issue> {
    let mut warnings = Vec::new();
    for price in catalog.products.iter().flat_map(|p| &p.prices) {
        let PriceKind::Usage(usage) = &price.kind else {
            continue;
        };
        let typed: Vec<&Event<'_>> = examples
            .iter()
            .filter(|e| e.event_type == usage.event_type)
            .collect();
        if typed.is_empty() {
            continue;
        }
        let expressions = [
            ("volume_aggregation", &usage.volume_expr),
            ("unit_aggregation", &usage.unit_expr),
        ];
        for (key, expr) in expressions {
            let Some(expr) = expr else {
                continue;
            };
            for field in expr.numeric_fields() {
                if typed.iter().any(|e| holds_a_number(e, field)) {
                    continue;
                }
                let path = join_path(&join_path(&price.path, "usage_calculation"), key);
                warnings.push(Issue::new(
                    path,
                    Code::ExpressionFieldNotNumeric,
                    format!(
                        "`{}` computes with {field:?}, and none of the {} example {:?} event(s) holds a number there{}",
                        expr.text,
                        typed.len(),
                        usage.event_type,
                        seen(&typed, field)
                    ),
                ));
            }
        }
    }
    warnings
}

fn holds_a_number(event: &Event<'_>, field: &str) -> bool {
    match event.get(field) {
        Some(Scalar::Num(_)) => true,
        Some(Scalar::Str(s)) => crate::number::parse_decimal(s).is_ok(),
        _ => false,
    }
}

/// What the examples hold instead, for the message.
fn seen(events: &[&Event<'_>], field: &str) -> String {
    match events.iter().find_map(|e| e.get(field)) {
        Some(Scalar::Str(s)) => format!(" (it holds {s:?})"),
        Some(Scalar::Bool(b)) => format!(" (it holds {b})"),
        Some(_) => String::new(),
        None => " (no example has it)".to_string(),
    }
}

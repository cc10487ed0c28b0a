//! The quick evaluator: an expression's value when every step stays a decimal.
//!
//! Most usage expressions are sums, products, started units and conditions over numeric fields
//! (`input_tokens + output_tokens`, `ceil(seconds / 60)`). The general evaluator (`eval` in
//! this module's parent) carries every value as an [`Exact`] in a tagged [`Val`](super::Val)
//! and every failure as a message; for these it costs a quote more than the 1.3× of reading a
//! field (BENCHMARKS.md, "Usage expressions"). This one works on plain decimals with the same
//! operations, and gives up (`None`) at anything else: a field that is missing, text or
//! null, a division that is not inside `ceil`/`floor`, a step that is not exact in a decimal,
//! `round`. The caller then runs the general evaluator, which gives the same value or the
//! error, so an answer never depends on which of the two produced it (the vectors and
//! `quick_agrees_with_the_general_evaluator` check that).

use super::{whole_quotient, Func, Node, Op};
use crate::event::{Event, Scalar};
use crate::exact::Exact;
use rust_decimal::Decimal;

/// The expression's value as a decimal, when every step is one; `None`: ask the general
/// evaluator.
pub(super) fn number(node: &Node, event: &Event<'_>) -> Option<Decimal> {
    match node {
        Node::Num(Exact::Dec(d)) => Some(*d),
        Node::Field(name) => match event.get(name)? {
            Scalar::Num(d) => Some(*d),
            _ => None,
        },
        Node::Neg(inner) => Some(-number(inner, event)?),
        Node::Bin(op @ (Op::Add | Op::Sub | Op::Mul), a, b) => {
            let (x, y) = (number(a, event)?, number(b, event)?);
            // `Exact`'s own fast paths, inline: a sum or product that kept its scale is exact.
            // Anything else goes through `Exact` itself, so the value is the general one's.
            let quick = match op {
                Op::Add => x
                    .checked_add(y)
                    .filter(|d| d.scale() == x.scale().max(y.scale())),
                Op::Sub => x
                    .checked_sub(y)
                    .filter(|d| d.scale() == x.scale().max(y.scale())),
                _ => x
                    .checked_mul(y)
                    .filter(|d| d.scale() == x.scale() + y.scale()),
            };
            if quick.is_some() {
                return quick;
            }
            let (x, y) = (Exact::Dec(x), Exact::Dec(y));
            let value = match op {
                Op::Add => x.add(&y),
                Op::Sub => x.sub(&y),
                _ => x.mul(&y),
            };
            match value {
                Exact::Dec(d) => Some(d),
                Exact::Frac(_) => None,
            }
        }
        Node::If(cond, yes, no) => match condition(cond, event)? {
            true => number(yes, event),
            false => number(no, event),
        },
        Node::Call(func, args) => call(*func, args, event),
        _ => None,
    }
}

fn call(func: Func, args: &[Node], event: &Event<'_>) -> Option<Decimal> {
    match (func, args) {
        (Func::Ceil | Func::Floor, [Node::Bin(Op::Div, a, b)]) => {
            whole_quotient(func, number(a, event)?, number(b, event)?)
        }
        (Func::Ceil, [x]) => Some(number(x, event)?.ceil()),
        (Func::Floor, [x]) => Some(number(x, event)?.floor()),
        (Func::Abs, [x]) => Some(number(x, event)?.abs()),
        (Func::Min | Func::Max, [first, rest @ ..]) => {
            let mut best = number(first, event)?;
            for arg in rest {
                let next = number(arg, event)?;
                let better = match func {
                    Func::Min => next < best,
                    _ => next > best,
                };
                if better {
                    best = next;
                }
            }
            Some(best)
        }
        _ => None,
    }
}

/// A condition's truth, when its operands are decimals, booleans or strings compared as
/// strings; `None`: ask the general evaluator.
fn condition(node: &Node, event: &Event<'_>) -> Option<bool> {
    match node {
        Node::Bool(b) => Some(*b),
        Node::Field(name) => match event.get(name)? {
            Scalar::Bool(b) => Some(*b),
            _ => None,
        },
        Node::Not(inner) => Some(!condition(inner, event)?),
        // Short-circuits as the general evaluator does: the right side is not read when the
        // left decides.
        Node::Bin(Op::And, a, b) => match condition(a, event)? {
            false => Some(false),
            true => condition(b, event),
        },
        Node::Bin(Op::Or, a, b) => match condition(a, event)? {
            true => Some(true),
            false => condition(b, event),
        },
        Node::Bin(op @ (Op::Eq | Op::Ne), a, b) => {
            let equal = match (text(a, event), text(b, event)) {
                (Some(x), Some(y)) => x == y,
                _ => number(a, event)? == number(b, event)?,
            };
            Some(equal == (*op == Op::Eq))
        }
        Node::Bin(op @ (Op::Lt | Op::Le | Op::Gt | Op::Ge), a, b) => {
            let (x, y) = (number(a, event)?, number(b, event)?);
            Some(match op {
                Op::Lt => x < y,
                Op::Le => x <= y,
                Op::Gt => x > y,
                _ => x >= y,
            })
        }
        _ => None,
    }
}

/// A string literal or a field holding text.
fn text<'e>(node: &'e Node, event: &'e Event<'_>) -> Option<&'e str> {
    match node {
        Node::Str(s) => Some(s.as_str()),
        Node::Field(name) => match event.get(name)? {
            Scalar::Str(s) => Some(s.as_ref()),
            _ => None,
        },
        _ => None,
    }
}

//! Custom usage: the small expression language of `volume_aggregation` (docs/expressions.md).
//!
//! An expression is parsed once, when the engine is built, and evaluated per event over its
//! data. Numbers are exact ([`Exact`]: decimals, and fractions where a division does not end),
//! so `0.1 + 0.2 == 0.3` and `ceil(seconds / 60)` is exact; the result becomes the event's
//! volume. Parsing is bounded (length, nesting) and evaluation cannot loop, panic or overflow:
//! a problem with an event's data is a warning on its quote, never a crash or a guess.

use crate::event::{Event, Scalar};
use crate::exact::Exact;
use crate::number::parse_decimal;
use crate::rounding::RoundingMode;
use rust_decimal::Decimal;

pub mod examples;
mod quick;

/// The longest expression read, in bytes.
pub const MAX_LENGTH: usize = 1_000;
/// The deepest nesting of parentheses, calls, operators and conditionals.
pub const MAX_DEPTH: usize = 32;

/// A parsed expression: its text, its tree, and the data fields it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    pub text: String,
    root: Node,
    /// Every field it reads, in first-seen order (the data a binding must pass).
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Num(Exact),
    Str(String),
    Bool(bool),
    Field(String),
    Neg(Box<Node>),
    Not(Box<Node>),
    Bin(Op, Box<Node>, Box<Node>),
    If(Box<Node>, Box<Node>, Box<Node>),
    Call(Func, Vec<Node>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Func {
    Ceil,
    Floor,
    Round,
    Min,
    Max,
    Abs,
}

/// Why an expression does not parse: a sentence and the byte position it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub at: usize,
    pub message: String,
    /// Too long or too deep (`limit_exceeded`), rather than not an expression.
    pub limit: bool,
}

/// Why an expression has no value for an event: a missing field (`missing` names it) or a
/// value it cannot compute with (a string where a number belongs, a division by zero).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    pub missing: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Val<'a> {
    Num(Exact),
    Str(&'a str),
    Bool(bool),
}

impl Expr {
    /// Parses `text`; every problem names its byte position.
    pub fn parse(text: &str) -> Result<Expr, ParseError> {
        if text.len() > MAX_LENGTH {
            return Err(ParseError {
                at: MAX_LENGTH,
                message: format!(
                    "the expression is {} bytes long; at most {MAX_LENGTH} are read",
                    text.len()
                ),
                limit: true,
            });
        }
        let tokens = lex(text)?;
        let mut p = Parser {
            tokens: &tokens,
            next: 0,
            depth: 0,
            fields: Vec::new(),
            end: text.len(),
        };
        let root = p.ternary()?;
        if let Some((at, t)) = p.tokens.get(p.next) {
            return Err(p.error(
                *at,
                format!("unexpected {} after a complete expression", t.describe()),
            ));
        }
        Ok(Expr {
            text: text.to_string(),
            root,
            fields: p.fields,
        })
    }

    /// The expression's value for `event`, as a volume: a number, exact where a decimal holds
    /// it, else rounded half to even to 28 significant digits.
    pub fn volume(&self, event: &Event<'_>) -> Result<Decimal, EvalError> {
        // Decimals all the way, when they can be (`quick.rs`); the general evaluator otherwise.
        match quick::number(&self.root, event) {
            Some(d) => Ok(d.normalize()),
            None => self.general(event),
        }
    }

    /// The fields it computes with as numbers (arithmetic, ordering comparisons, functions,
    /// the result itself, `==` against a number), in first-seen order: not those only tested as
    /// conditions or compared with strings (`model == "gen4"`).
    pub fn numeric_fields(&self) -> Vec<&str> {
        let mut out = Vec::new();
        numeric_fields(&self.root, true, &mut out);
        out
    }

    /// [`Expr::volume`] by the general evaluator alone.
    fn general(&self, event: &Event<'_>) -> Result<Decimal, EvalError> {
        let n = match eval(&self.root, event)? {
            Val::Bool(_) => return Err(fail("the expression gives true or false, not a number")),
            // A field holding a number as text is that number, here as anywhere a number is
            // needed (`units` with `"2.5"`).
            value => number(value)?,
        };
        n.approximate()
            .ok_or_else(|| fail("the result does not fit in a decimal"))
    }
}

fn numeric_fields<'n>(node: &'n Node, numeric: bool, out: &mut Vec<&'n str>) {
    let arithmetic = |n: &Node| {
        matches!(n, Node::Num(_) | Node::Neg(_) | Node::Call(..))
            || matches!(n, Node::Bin(Op::Add | Op::Sub | Op::Mul | Op::Div, ..))
    };
    match node {
        Node::Field(name) if numeric && !out.contains(&name.as_str()) => out.push(name),
        Node::Neg(inner) => numeric_fields(inner, true, out),
        Node::Not(inner) => numeric_fields(inner, false, out),
        Node::Bin(Op::And | Op::Or, a, b) => {
            numeric_fields(a, false, out);
            numeric_fields(b, false, out);
        }
        Node::Bin(Op::Eq | Op::Ne, a, b) => {
            numeric_fields(a, arithmetic(b), out);
            numeric_fields(b, arithmetic(a), out);
        }
        Node::Bin(_, a, b) => {
            numeric_fields(a, true, out);
            numeric_fields(b, true, out);
        }
        Node::If(cond, yes, no) => {
            numeric_fields(cond, false, out);
            numeric_fields(yes, numeric, out);
            numeric_fields(no, numeric, out);
        }
        Node::Call(_, args) => args.iter().for_each(|a| numeric_fields(a, true, out)),
        _ => {}
    }
}

fn fail(message: impl Into<String>) -> EvalError {
    EvalError {
        missing: None,
        message: message.into(),
    }
}

// ---------------------------------------------------------------------------------------
// Reading

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(Decimal),
    Str(String),
    Name(String),
    Sym(&'static str),
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Num(d) => format!("number {d}"),
            Token::Str(s) => format!("string {s:?}"),
            Token::Name(n) => format!("name {n:?}"),
            Token::Sym(s) => format!("{s:?}"),
        }
    }
}

const SYMBOLS: [&str; 19] = [
    "<=", ">=", "==", "!=", "&&", "||", "+", "-", "*", "/", "<", ">", "!", "?", ":", "(", ")", ",",
    ".",
];

fn lex(text: &str) -> Result<Vec<(usize, Token)>, ParseError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let error = |at: usize, message: String| ParseError {
        at,
        message,
        limit: false,
    };
    while let Some(&c) = bytes.get(i) {
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit()
            || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            while bytes
                .get(i)
                .is_some_and(|b| b.is_ascii_digit() || *b == b'.')
            {
                i += 1;
            }
            let digits = text.get(start..i).unwrap_or_default();
            let n = parse_decimal(digits).map_err(|(_, m)| error(start, m))?;
            out.push((start, Token::Num(n)));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while bytes
                .get(i)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
            {
                i += 1;
            }
            out.push((
                start,
                Token::Name(text.get(start..i).unwrap_or_default().to_string()),
            ));
        } else if c == b'"' || c == b'\'' {
            i += 1;
            let mut s = String::new();
            loop {
                match bytes.get(i) {
                    None => return Err(error(start, "a string that is never closed".into())),
                    Some(&q) if q == c => break,
                    Some(b'\\') => {
                        let next = text.get(i + 1..).and_then(|t| t.chars().next());
                        let Some(ch) = next else {
                            return Err(error(i, "a string that is never closed".into()));
                        };
                        s.push(ch);
                        i += 1 + ch.len_utf8();
                    }
                    Some(_) => {
                        let ch = text
                            .get(i..)
                            .and_then(|t| t.chars().next())
                            .unwrap_or('\u{fffd}');
                        s.push(ch);
                        i += ch.len_utf8();
                    }
                }
            }
            i += 1;
            out.push((start, Token::Str(s)));
        } else if let Some(sym) = SYMBOLS
            .iter()
            .find(|s| text.get(i..).is_some_and(|t| t.starts_with(**s)))
        {
            i += sym.len();
            out.push((start, Token::Sym(sym)));
        } else {
            let ch = text
                .get(i..)
                .and_then(|t| t.chars().next())
                .unwrap_or('\u{fffd}');
            return Err(error(start, format!("unexpected character {ch:?}")));
        }
    }
    Ok(out)
}

struct Parser<'t> {
    tokens: &'t [(usize, Token)],
    next: usize,
    depth: usize,
    fields: Vec<String>,
    end: usize,
}

impl Parser<'_> {
    fn error(&self, at: usize, message: String) -> ParseError {
        ParseError {
            at,
            message,
            limit: false,
        }
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(_, t)| t)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.next).map_or(self.end, |(at, _)| *at)
    }

    fn eat(&mut self, sym: &str) -> bool {
        if self.peek()
            == Some(&Token::Sym(match SYMBOLS.iter().find(|s| **s == sym) {
                Some(s) => s,
                None => return false,
            }))
        {
            self.next += 1;
            return true;
        }
        false
    }

    fn expect(&mut self, sym: &str) -> Result<(), ParseError> {
        if self.eat(sym) {
            return Ok(());
        }
        let found = self.peek().map_or("the end".to_string(), Token::describe);
        Err(self.error(self.at(), format!("expected {sym:?}, found {found}")))
    }

    fn deeper(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError {
                at: self.at(),
                message: format!("the expression nests deeper than {MAX_DEPTH} levels"),
                limit: true,
            });
        }
        Ok(())
    }

    fn ternary(&mut self) -> Result<Node, ParseError> {
        self.deeper()?;
        let cond = self.binary(0)?;
        let node = if self.eat("?") {
            let yes = self.ternary()?;
            self.expect(":")?;
            let no = self.ternary()?;
            Node::If(Box::new(cond), Box::new(yes), Box::new(no))
        } else {
            cond
        };
        self.depth -= 1;
        Ok(node)
    }

    /// Binary operators by precedence: `||`, `&&`, comparisons, `+ -`, `* /`.
    fn binary(&mut self, level: usize) -> Result<Node, ParseError> {
        const LEVELS: [&[(&str, Op)]; 5] = [
            &[("||", Op::Or)],
            &[("&&", Op::And)],
            &[
                ("<=", Op::Le),
                (">=", Op::Ge),
                ("==", Op::Eq),
                ("!=", Op::Ne),
                ("<", Op::Lt),
                (">", Op::Gt),
            ],
            &[("+", Op::Add), ("-", Op::Sub)],
            &[("*", Op::Mul), ("/", Op::Div)],
        ];
        let Some(ops) = LEVELS.get(level) else {
            return self.unary();
        };
        let mut left = self.binary(level + 1)?;
        loop {
            let Some((_, op)) = ops
                .iter()
                .find(|(s, _)| self.peek() == Some(&Token::Sym(s)))
            else {
                return Ok(left);
            };
            self.next += 1;
            self.deeper()?;
            let right = self.binary(level + 1)?;
            self.depth -= 1;
            left = Node::Bin(*op, Box::new(left), Box::new(right));
        }
    }

    fn unary(&mut self) -> Result<Node, ParseError> {
        for (sym, make) in [("-", Node::Neg as fn(Box<Node>) -> Node), ("!", Node::Not)] {
            if self.eat(sym) {
                self.deeper()?;
                let inner = self.unary()?;
                self.depth -= 1;
                return Ok(make(Box::new(inner)));
            }
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Node, ParseError> {
        let at = self.at();
        let Some((_, token)) = self.tokens.get(self.next) else {
            return Err(self.error(at, "the expression ends where a value belongs".into()));
        };
        self.next += 1;
        match token {
            Token::Num(d) => Ok(Node::Num(Exact::Dec(*d))),
            Token::Str(s) => Ok(Node::Str(s.clone())),
            Token::Sym("(") => {
                let inner = self.ternary()?;
                self.expect(")")?;
                Ok(inner)
            }
            Token::Name(name) if self.peek() == Some(&Token::Sym("(")) => self.call(name, at),
            Token::Name(name) => self.name(name, at),
            other => Err(self.error(
                at,
                format!("unexpected {} where a value belongs", other.describe()),
            )),
        }
    }

    fn call(&mut self, name: &str, at: usize) -> Result<Node, ParseError> {
        let (func, arity): (Func, std::ops::RangeInclusive<usize>) = match name {
            "ceil" => (Func::Ceil, 1..=1),
            "floor" => (Func::Floor, 1..=1),
            "abs" => (Func::Abs, 1..=1),
            "round" => (Func::Round, 1..=2),
            "min" => (Func::Min, 2..=usize::MAX),
            "max" => (Func::Max, 2..=usize::MAX),
            _ => {
                return Err(self.error(
                    at,
                    format!(
                        "unknown function {name:?} (functions: ceil, floor, round, min, max, abs)"
                    ),
                ))
            }
        };
        self.expect("(")?;
        self.deeper()?;
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.ternary()?);
                if self.eat(")") {
                    break;
                }
                self.expect(",")?;
            }
        }
        self.depth -= 1;
        if !arity.contains(&args.len()) {
            let wanted = match (arity.start(), arity.end()) {
                (a, b) if a == b => format!("{a}"),
                (a, &usize::MAX) => format!("at least {a}"),
                (a, b) => format!("{a} or {b}"),
            };
            return Err(self.error(
                at,
                format!("{name} takes {wanted} arguments, got {}", args.len()),
            ));
        }
        Ok(Node::Call(func, args))
    }

    /// `seconds`, `data.seconds`, `event.properties.seconds`, `true`, `false`.
    fn name(&mut self, first: &str, at: usize) -> Result<Node, ParseError> {
        let mut parts = vec![first.to_string()];
        while self.eat(".") {
            match self.tokens.get(self.next) {
                Some((_, Token::Name(n))) => {
                    parts.push(n.clone());
                    self.next += 1;
                }
                _ => return Err(self.error(self.at(), "a name belongs after \".\"".into())),
            }
        }
        let field = match parts.as_slice() {
            [one] if one == "true" => return Ok(Node::Bool(true)),
            [one] if one == "false" => return Ok(Node::Bool(false)),
            [one] => one,
            [data, one] if data == "data" => one,
            [event, properties, one] if event == "event" && properties == "properties" => one,
            _ => {
                return Err(self.error(
                    at,
                    format!(
                        "{:?} is not a field: write `name`, `data.name` or `event.properties.name`",
                        parts.join(".")
                    ),
                ))
            }
        };
        if !self.fields.contains(field) {
            self.fields.push(field.clone());
        }
        Ok(Node::Field(field.clone()))
    }
}

// ---------------------------------------------------------------------------------------
// Evaluating

fn eval<'e>(node: &'e Node, event: &'e Event<'_>) -> Result<Val<'e>, EvalError> {
    Ok(match node {
        Node::Num(n) => Val::Num(n.clone()),
        Node::Str(s) => Val::Str(s),
        Node::Bool(b) => Val::Bool(*b),
        Node::Field(name) => match event.get(name) {
            None | Some(Scalar::Null) => {
                return Err(EvalError {
                    missing: Some(name.clone()),
                    message: format!("the event has no {name:?}"),
                })
            }
            Some(Scalar::Num(d)) => Val::Num(Exact::Dec(*d)),
            Some(Scalar::Str(s)) => Val::Str(s),
            Some(Scalar::Bool(b)) => Val::Bool(*b),
            Some(Scalar::Invalid(why)) => return Err(fail(format!("{name:?}: {why}"))),
        },
        Node::Neg(inner) => Val::Num(number(eval(inner, event)?)?.neg()),
        Node::Not(inner) => Val::Bool(!boolean(eval(inner, event)?)?),
        Node::If(cond, yes, no) => match boolean(eval(cond, event)?)? {
            true => eval(yes, event)?,
            false => eval(no, event)?,
        },
        Node::Bin(Op::And, a, b) => {
            Val::Bool(boolean(eval(a, event)?)? && boolean(eval(b, event)?)?)
        }
        Node::Bin(Op::Or, a, b) => {
            Val::Bool(boolean(eval(a, event)?)? || boolean(eval(b, event)?)?)
        }
        Node::Bin(op @ (Op::Eq | Op::Ne), a, b) => {
            let equal = match (eval(a, event)?, eval(b, event)?) {
                (Val::Str(x), Val::Str(y)) => x == y,
                (Val::Bool(x), Val::Bool(y)) => x == y,
                (x, y) => number(x)? == number(y)?,
            };
            Val::Bool(equal == (*op == Op::Eq))
        }
        Node::Bin(op, a, b) => {
            let (x, y) = (number(eval(a, event)?)?, number(eval(b, event)?)?);
            match op {
                Op::Add => Val::Num(x.add(&y)),
                Op::Sub => Val::Num(x.sub(&y)),
                Op::Mul => Val::Num(x.mul(&y)),
                Op::Div => Val::Num(x.div(&y).ok_or_else(|| fail("division by zero"))?),
                Op::Lt => Val::Bool(x < y),
                Op::Le => Val::Bool(x <= y),
                Op::Gt => Val::Bool(x > y),
                _ => Val::Bool(x >= y),
            }
        }
        Node::Call(func @ (Func::Ceil | Func::Floor), args)
            if matches!(args.as_slice(), [Node::Bin(Op::Div, ..)]) =>
        {
            let Some(Node::Bin(_, a, b)) = args.first() else {
                return Err(fail("a call without its argument"));
            };
            let (x, y) = (number(eval(a, event)?)?, number(eval(b, event)?)?);
            let quick = match (&x, &y) {
                (Exact::Dec(x), Exact::Dec(y)) => whole_quotient(*func, *x, *y),
                _ => None,
            };
            match quick {
                Some(q) => Val::Num(Exact::Dec(q)),
                None => Val::Num(call(
                    *func,
                    vec![x.div(&y).ok_or_else(|| fail("division by zero"))?],
                )?),
            }
        }
        Node::Call(func, args) => {
            let mut values = Vec::with_capacity(args.len());
            for a in args {
                values.push(number(eval(a, event)?)?);
            }
            Val::Num(call(*func, values)?)
        }
    })
}

/// `ceil(x / y)` or `floor(x / y)` of two decimals without carrying the quotient as a fraction:
/// the remainder (exact, the dividend's sign) says whether the division ends, and `x - r` is a
/// whole multiple of `y`, so its quotient is exact. `None` (the general path decides) for a
/// zero divisor or a result past a decimal.
fn whole_quotient(func: Func, x: Decimal, y: Decimal) -> Option<Decimal> {
    if y.is_zero() {
        return None;
    }
    if let Some(q) = whole_quotient_of_mantissas(func, x, y) {
        return Some(q);
    }
    let r = x.checked_rem(y)?;
    let q = x.checked_sub(r)?.checked_div(y)?.trunc();
    if r.is_zero() {
        return Some(q);
    }
    let above_zero = x.is_sign_negative() == y.is_sign_negative();
    match (func, above_zero) {
        (Func::Ceil, true) => q.checked_add(Decimal::ONE),
        (Func::Floor, false) => q.checked_sub(Decimal::ONE),
        _ => Some(q),
    }
}

/// [`whole_quotient`] in integers, the common case (`ceil(seconds / 60)`): both numbers brought
/// to one scale, their mantissas divided. A decimal division is several times dearer, and this
/// is most of what such an expression costs (BENCHMARKS.md, "Usage expressions"). `None` when
/// the mantissas do not fit an `i128` at one scale (the decimal path decides) or `y` is zero.
fn whole_quotient_of_mantissas(func: Func, x: Decimal, y: Decimal) -> Option<Decimal> {
    let scale = x.scale().max(y.scale());
    let a = x
        .mantissa()
        .checked_mul(10i128.checked_pow(scale - x.scale())?)?;
    let b = y
        .mantissa()
        .checked_mul(10i128.checked_pow(scale - y.scale())?)?;
    let q = a.checked_div(b)?;
    let r = a.checked_rem(b)?;
    let q = match func {
        Func::Ceil if r != 0 && (a > 0) == (b > 0) => q.checked_add(1)?,
        Func::Floor if r != 0 && (a > 0) != (b > 0) => q.checked_sub(1)?,
        _ => q,
    };
    Decimal::try_from_i128_with_scale(q, 0).ok()
}

fn number(v: Val<'_>) -> Result<Exact, EvalError> {
    match v {
        Val::Num(n) => Ok(n),
        Val::Str(s) => parse_decimal(s)
            .map(Exact::Dec)
            .map_err(|_| fail(format!("{s:?} is not a number"))),
        Val::Bool(_) => Err(fail("true or false where a number belongs")),
    }
}

fn boolean(v: Val<'_>) -> Result<bool, EvalError> {
    match v {
        Val::Bool(b) => Ok(b),
        _ => Err(fail(
            "a number or string where true or false belongs (a condition)",
        )),
    }
}

fn call(func: Func, mut args: Vec<Exact>) -> Result<Exact, EvalError> {
    let first = args.first().cloned().unwrap_or(Exact::ZERO);
    Ok(match func {
        Func::Ceil => first.ceil(),
        Func::Floor => first.neg().ceil().neg(),
        Func::Abs if first.is_negative() => first.neg(),
        Func::Abs => first,
        Func::Min => args.drain(..).reduce(Exact::min).unwrap_or(first),
        Func::Max => args.drain(..).reduce(Exact::max).unwrap_or(first),
        Func::Round => {
            let digits = match args.get(1) {
                None => 0,
                Some(d) => d
                    .to_decimal()
                    .filter(|d| d.fract().is_zero())
                    .and_then(|d| i32::try_from(d.mantissa() / 10i128.pow(d.scale())).ok())
                    .filter(|d| (-18..=18).contains(d))
                    .ok_or_else(|| fail("round's digits must be a whole number from -18 to 18"))?,
            };
            let half = RoundingMode::HalfAwayFromZero;
            if digits >= 0 {
                first.rounded(digits.unsigned_abs(), half)
            } else {
                let unit = Exact::Dec(Decimal::from_i128_with_scale(
                    10i128.pow(digits.unsigned_abs()),
                    0,
                ));
                let scaled = first.div(&unit).ok_or_else(|| fail("division by zero"))?;
                scaled.rounded(0, half).mul(&unit)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn volume(text: &str, data: &str) -> Result<String, String> {
        let json = format!(r#"{{"event_type": "e", "data": {data}}}"#);
        let event = Event::from_json(&json).unwrap();
        let expr = Expr::parse(text).map_err(|e| format!("parse at {}: {}", e.at, e.message))?;
        expr.volume(&event)
            .map(|d| d.to_string())
            .map_err(|e| e.message)
    }

    #[test]
    fn evaluates_exactly() {
        assert_eq!(volume("0.1 + 0.2 == 0.3 ? 1 : 0", "{}"), Ok("1".into()));
        assert_eq!(
            volume("ceil(seconds / 60)", r#"{"seconds": 61}"#),
            Ok("2".into())
        );
        assert_eq!(volume("1 / 3 * 3", "{}"), Ok("1".into()));
        assert_eq!(volume("round(x, -1)", r#"{"x": 25}"#), Ok("30".into()));
        assert_eq!(volume("round(-2.5)", "{}"), Ok("-3".into()));
        assert_eq!(volume("floor(-1.5)", "{}"), Ok("-2".into()));
        assert_eq!(
            volume("min(3, 1, 2) + max(4, 5) + abs(-1)", "{}"),
            Ok("7".into())
        );
        assert_eq!(volume("2 + 3 * 4 - -1", "{}"), Ok("15".into()));
        assert_eq!(
            volume("data.a + event.properties.b", r#"{"a": 1, "b": "2"}"#),
            Ok("3".into())
        );
        assert_eq!(
            volume(r#"model == "gen4" ? 12 : 5"#, r#"{"model": "gen4"}"#),
            Ok("12".into())
        );
    }

    proptest::proptest! {
        /// Any text is parsed or refused with a position inside it, and any parsed expression
        /// evaluates or fails on any event: never a panic.
        #[test]
        fn any_text_parses_or_is_refused_and_never_panics(
            text in "[-+*/()<>=!&|?:., 0-9a-z_\"]{0,60}",
            x in proptest::prelude::any::<i64>(),
        ) {
            match Expr::parse(&text) {
                Ok(expr) => {
                    let json = format!(r#"{{"event_type": "e", "data": {{"x": {x}, "a": "s", "b": true}}}}"#);
                    let event = Event::from_json(&json).unwrap();
                    let _ = expr.volume(&event);
                }
                Err(e) => proptest::prop_assert!(e.at <= text.len()),
            }
        }
    }

    /// Conditions over the test event's fields: comparisons, text equality, booleans.
    fn any_condition() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let simple = prop_oneof![
            Just("x < y".to_string()),
            Just("x >= 0".to_string()),
            Just("y == 0".to_string()),
            Just("60 <= 60.0".to_string()),
            Just("1.5 < 1.50".to_string()),
            Just("0.1 > 0.10".to_string()),
            Just("y >= y".to_string()),
            Just("s == \"gen4\"".to_string()),
            Just("s != \"5\"".to_string()),
            Just("\"gen4\" == s".to_string()),
            Just("b".to_string()),
            Just("!b".to_string()),
        ];
        simple.prop_recursive(2, 6, 2, |inner| {
            (
                inner.clone(),
                proptest::sample::select(vec!["&&", "||"]),
                inner,
            )
                .prop_map(|(a, o, b)| format!("({a} {o} {b})"))
        })
    }

    /// Expressions built from every form, over numbers, text and booleans.
    fn any_expression() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        // Mostly numbers, so that the quick evaluator often answers; the rest sends it back.
        let leaf = prop_oneof![
            6 => Just("x".to_string()),
            6 => Just("y".to_string()),
            2 => Just("0".to_string()),
            2 => Just("1.5".to_string()),
            2 => Just("60".to_string()),
            2 => Just("0.1".to_string()),
            1 => Just("b".to_string()),
            1 => Just("s".to_string()),
            1 => Just("missing".to_string()),
            1 => Just("\"gen4\"".to_string()),
            1 => Just("true".to_string()),
        ];
        leaf.prop_recursive(4, 24, 3, |inner| {
            let op = proptest::sample::select(vec![
                "+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "&&", "||",
            ]);
            prop_oneof![
                (inner.clone(), op, inner.clone()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
                (inner.clone(), inner.clone(), inner.clone())
                    .prop_map(|(c, a, b)| format!("({c} ? {a} : {b})")),
                (any_condition(), inner.clone(), inner.clone())
                    .prop_map(|(c, a, b)| format!("({c} ? {a} : {b})")),
                inner.clone().prop_map(|a| format!("ceil({a})")),
                inner.clone().prop_map(|a| format!("floor({a})")),
                inner.clone().prop_map(|a| format!("abs({a})")),
                inner.clone().prop_map(|a| format!("-({a})")),
                inner.clone().prop_map(|a| format!("!({a})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("ceil({a} / {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("floor({a} / {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("min({a}, {b})")),
                (inner.clone(), inner.clone(), inner.clone())
                    .prop_map(|(a, b, c)| format!("max({a}, {b}, {c})")),
                (inner.clone(), 0i32..3).prop_map(|(a, d)| format!("round({a}, {d})")),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]
        /// The quick evaluator, when it answers, answers what the general one does: the same
        /// value, never a value where the general one finds an error.
        #[test]
        fn quick_agrees_with_the_general_evaluator(
            text in any_expression(),
            x in -100_000i64..100_000,
            x_places in 0u32..4,
            y in -1_000i64..1_000,
            b in proptest::prelude::any::<bool>(),
            s in proptest::sample::select(vec!["\"gen4\"", "\"5\"", "\"1.5\"", "7"]),
            x_as_text in proptest::prelude::any::<u8>(),
        ) {
            let x = Decimal::new(x, x_places);
            let x = if x_as_text < 32 { format!("\"{x}\"") } else { x.to_string() };
            let json = format!(r#"{{"event_type": "e", "data": {{"x": {x}, "y": {y}, "b": {b}, "s": {s}}}}}"#);
            let event = Event::from_json(&json).unwrap();
            let expr = Expr::parse(&text).unwrap();
            if let Some(quick) = quick::number(&expr.root, &event) {
                proptest::prop_assert_eq!(expr.general(&event), Ok(quick.normalize()), "{}", text);
            }
        }
    }

    #[test]
    fn numeric_fields_are_those_computed_with() {
        let fields = |text: &str| {
            let expr = Expr::parse(text).unwrap();
            expr.numeric_fields()
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            fields("input_tokens + output_tokens"),
            ["input_tokens", "output_tokens"]
        );
        assert_eq!(
            fields(r#"model == "gen4" ? seconds * 2 : seconds"#),
            ["seconds"]
        );
        assert_eq!(fields("hd && !draft ? ceil(s / 60) : n"), ["s", "n"]);
        assert_eq!(fields("tier == 5 ? 1 : 0"), ["tier"]);
        assert_eq!(fields("a == b ? 1 : 0"), Vec::<String>::new());
        assert_eq!(fields("x"), ["x"]);
    }

    #[test]
    fn whole_quotients_agree_with_exact_fractions() {
        for (x, y) in [
            (61, 60),
            (-61, 60),
            (61, -60),
            (120, 60),
            (-120, 60),
            (1, 3),
            (0, 7),
            (7, 1),
            (-7, -2),
            (7, -2),
        ] {
            for func in ["ceil", "floor"] {
                let quick = volume(
                    &format!("{func}(x / y)"),
                    &format!(r#"{{"x": {x}, "y": {y}}}"#),
                );
                let slow = volume(
                    &format!("{func}((x / y) + 0)"),
                    &format!(r#"{{"x": {x}, "y": {y}}}"#),
                );
                assert_eq!(quick, slow, "{func}({x} / {y})");
            }
        }
        assert_eq!(
            volume("ceil(x / y)", r#"{"x": "0.7", "y": "0.25"}"#),
            Ok("3".into())
        );
        // Mantissas at one scale, and too large for one: the decimal path answers.
        for (x, y) in [
            ("0.7", "0.25"),
            ("-0.70", "0.3"),
            ("12.5", "-0.004"),
            ("79228162514264337593543950335", "0.0000000001"),
            ("7922816251426433759354395033.5", "3"),
            ("-0.0000000000000000000000000001", "1"),
        ] {
            for func in [Func::Ceil, Func::Floor] {
                let (x, y) = (parse_decimal(x).unwrap(), parse_decimal(y).unwrap());
                let by_decimals = {
                    let r = x.checked_rem(y).unwrap();
                    let q = x
                        .checked_sub(r)
                        .and_then(|d| d.checked_div(y))
                        .map(|q| q.trunc());
                    q.and_then(|q| {
                        match (
                            func,
                            r.is_zero(),
                            x.is_sign_negative() == y.is_sign_negative(),
                        ) {
                            (Func::Ceil, false, true) => q.checked_add(Decimal::ONE),
                            (Func::Floor, false, false) => q.checked_sub(Decimal::ONE),
                            _ => Some(q),
                        }
                    })
                };
                let quick = whole_quotient_of_mantissas(func, x, y);
                if let Some(q) = quick {
                    assert_eq!(
                        Some(q.normalize()),
                        by_decimals.map(|d| d.normalize()),
                        "{func:?}({x} / {y})"
                    );
                }
            }
        }
        assert_eq!(
            volume("floor(x / y)", r#"{"x": "-0.7", "y": "0.25"}"#),
            Ok("-3".into())
        );
    }

    #[test]
    fn refuses_what_it_cannot_read_and_says_where() {
        assert_eq!(
            volume("1 +", "{}"),
            Err("parse at 3: the expression ends where a value belongs".into())
        );
        assert!(volume("sqrt(4)", "{}")
            .unwrap_err()
            .starts_with("parse at 0: unknown function"));
        assert!(volume("round(1, 2, 3)", "{}")
            .unwrap_err()
            .contains("round takes 1 or 2 arguments"));
        assert!(volume("a.b", "{}").unwrap_err().contains("is not a field"));
        assert!(volume(&"(".repeat(40), "{}")
            .unwrap_err()
            .contains("nests deeper"));
        assert_eq!(
            volume("x / 0", r#"{"x": 1}"#),
            Err("division by zero".into())
        );
        assert_eq!(volume("x + 1", "{}"), Err("the event has no \"x\"".into()));
    }
}

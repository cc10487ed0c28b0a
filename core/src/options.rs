//! Quote options: the wire form `{at?, now?, express_in?, products?, prior_usage?, explain?}`
//! read and checked, then resolved against a catalog once per call (`Prepared`).

use crate::catalog::asset::AssetInfo;
use crate::engine::{Engine, FastMap, PriceRef};
use crate::instant::Instant;
use crate::issue::{Code, Error, ErrorKind, Issue};
use crate::number::{decimal_from_value, type_name};
use rust_decimal::Decimal;
use std::borrow::Cow;

/// Usage already consumed in a tiered price's current period, before the event(s) quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorUsage {
    pub product: String,
    pub price: String,
    /// In the price's tiering basis: events, volume or packages.
    pub quantity: Decimal,
}

/// How to quote. The wire form is `{at?, express_in?, products?, prior_usage?, explain?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteOptions {
    /// The instant to price at; else each event's `occurred_at`; else `now`.
    pub at: Option<Instant>,
    /// The host's current time, supplied by a binding (the core reads no clock).
    pub now: Option<Instant>,
    /// Asset codes to express every fee and the totals in.
    pub express_in: Vec<String>,
    /// Only these product codes (a customer's subscriptions); `None` for all.
    pub products: Option<Vec<String>>,
    /// Usage in the current tiering period before the first event, per price.
    pub prior_usage: Vec<PriorUsage>,
    /// Whether to list the steps (on by default; batches may turn it off for speed).
    pub explain: bool,
    /// What a batch does with bad events: fail with all of them (the default), or return each
    /// one's error in its place. A single quote always fails.
    pub on_error: OnError,
    /// How the caller spells option names, for the paths and messages of option errors.
    pub spelling: Spelling,
}

/// See [`QuoteOptions::on_error`]; the wire form is `"raise"` or `"return"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    #[default]
    Raise,
    Return,
}

/// How a face spells option names: the wire form's `express_in` (Rust, Python, the CLI's
/// JSON) or JavaScript's `expressIn`. Both spellings are read everywhere; an error about an
/// option names it as the caller wrote it, and lists the options as its face spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Spelling {
    #[default]
    Snake,
    Camel,
}

/// Every option: its wire name and JavaScript's.
const NAMES: [(&str, &str); 8] = [
    ("at", "at"),
    ("now", "now"),
    ("express_in", "expressIn"),
    ("products", "products"),
    ("prior_usage", "priorUsage"),
    ("explain", "explain"),
    ("on_error", "onError"),
    ("strict", "strict"),
];

impl Spelling {
    /// An option's name (given in its wire form) as this face spells it.
    pub fn name(self, wire: &'static str) -> &'static str {
        match self {
            Spelling::Snake => wire,
            Spelling::Camel => NAMES
                .iter()
                .find(|(w, _)| *w == wire)
                .map_or(wire, |(_, c)| c),
        }
    }

    /// The quote options' names, as this face spells them (`strict` is an engine option).
    fn quote_names(self) -> impl Iterator<Item = &'static str> {
        NAMES
            .iter()
            .filter(|(w, _)| *w != "strict")
            .map(move |(w, c)| if self == Spelling::Camel { *c } else { *w })
    }
}

impl Default for QuoteOptions {
    fn default() -> Self {
        QuoteOptions {
            at: None,
            now: None,
            express_in: Vec::new(),
            products: None,
            prior_usage: Vec::new(),
            explain: true,
            on_error: OnError::Raise,
            spelling: Spelling::Snake,
        }
    }
}

impl QuoteOptions {
    /// Reads the wire form. `prior_usage` is `{product_code: {price_name: quantity}}`.
    pub fn from_value(value: &serde_json::Value) -> Result<QuoteOptions, Error> {
        QuoteOptions::from_value_spelled(value, Spelling::Snake)
    }

    /// [`QuoteOptions::from_value`] for a face that spells its options `spelling`'s way: either
    /// spelling is read, and an error names each option as the caller wrote it (`expressIn[0]`),
    /// or, for an unknown one, lists the options `spelling`'s way.
    pub fn from_value_spelled(
        value: &serde_json::Value,
        spelling: Spelling,
    ) -> Result<QuoteOptions, Error> {
        let mut options = QuoteOptions {
            spelling,
            ..QuoteOptions::default()
        };
        let mut issues = Vec::new();
        let map = match value {
            serde_json::Value::Null => return Ok(options),
            serde_json::Value::Object(map) => map,
            other => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    vec![Issue::new(
                        "",
                        Code::InvalidType,
                        format!("options must be an object, found {}", type_name(other)),
                    )],
                ))
            }
        };
        let wire = |key: &str| {
            NAMES
                .iter()
                .find(|(w, c)| *w == key || *c == key)
                .map(|(w, c)| (*w, *c != *w && *c == key))
        };
        // An error names an option as the caller wrote it.
        options.spelling = match map.keys().filter_map(|k| wire(k)).any(|(_, camel)| camel) {
            true => Spelling::Camel,
            false if map.keys().any(|k| wire(k).is_some()) => Spelling::Snake,
            false => spelling,
        };
        for (key, v) in map {
            if v.is_null() {
                continue;
            }
            let path = key.as_str();
            match wire(key).map(|(w, _)| w) {
                Some(name @ ("at" | "now")) => match v.as_str().map(Instant::parse) {
                    Some(Ok(t)) if name == "at" => options.at = Some(t),
                    Some(Ok(t)) => options.now = Some(t),
                    Some(Err(m)) => issues.push(Issue::new(path, Code::InvalidTimestamp, m)),
                    None => issues.push(Issue::new(
                        path,
                        Code::InvalidType,
                        "expected an RFC 3339 string",
                    )),
                },
                Some(name @ ("express_in" | "products")) => match strings(v) {
                    Some(list) if name == "express_in" => options.express_in = list,
                    Some(list) => options.products = Some(list),
                    None => issues.push(Issue::new(
                        path,
                        Code::InvalidType,
                        "expected an array of strings",
                    )),
                },
                Some("explain") => match v.as_bool() {
                    Some(b) => options.explain = b,
                    None => issues.push(Issue::new(path, Code::InvalidType, "expected a boolean")),
                },
                Some("on_error") => match v.as_str() {
                    Some("raise") => options.on_error = OnError::Raise,
                    Some("return") => options.on_error = OnError::Return,
                    _ => issues.push(Issue::new(
                        path,
                        Code::InvalidOptions,
                        format!("expected \"raise\" or \"return\", found {v}"),
                    )),
                },
                Some("prior_usage") => {
                    read_prior(v, path, &mut options.prior_usage, &mut issues);
                }
                _ => {
                    let known: Vec<&str> = spelling.quote_names().collect();
                    let near = crate::issue::nearest(
                        key,
                        known.iter().copied().chain(Spelling::Snake.quote_names()),
                    )
                    .map(|k| spelling.name(wire(k).map_or(k, |(w, _)| w)));
                    let hint = near.map_or(String::new(), |k| format!(" did you mean {k:?}?"));
                    issues.push(Issue::new(
                        path,
                        Code::InvalidOptions,
                        format!(
                            "unknown option {key:?};{hint} (options: {})",
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
        if issues.is_empty() {
            Ok(options)
        } else {
            Err(Error::new(ErrorKind::InvalidArgument, issues))
        }
    }

    pub fn from_json(text: &str) -> Result<QuoteOptions, Error> {
        QuoteOptions::from_value(&crate::engine::parse_json(text)?)
    }

    /// [`QuoteOptions::from_json`] for a face that spells its options `spelling`'s way.
    pub fn from_json_spelled(text: &str, spelling: Spelling) -> Result<QuoteOptions, Error> {
        QuoteOptions::from_value_spelled(&crate::engine::parse_json(text)?, spelling)
    }

    /// An option's name in an error's path, as the caller spelled the options.
    fn name(&self, wire: &'static str) -> &'static str {
        self.spelling.name(wire)
    }
}

fn strings(v: &serde_json::Value) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|s| s.as_str().map(str::to_string))
        .collect()
}

fn read_prior(
    v: &serde_json::Value,
    key: &str,
    out: &mut Vec<PriorUsage>,
    issues: &mut Vec<Issue>,
) {
    let Some(products) = v.as_object() else {
        issues.push(Issue::new(
            key,
            Code::InvalidType,
            "expected {product_code: {price_name: quantity}}",
        ));
        return;
    };
    for (product, prices) in products {
        let Some(prices) = prices.as_object() else {
            issues.push(Issue::new(
                format!("{key}.{product}"),
                Code::InvalidType,
                "expected {price_name: quantity}",
            ));
            continue;
        };
        for (price, q) in prices {
            let path = format!("{key}.{product}.{price}");
            match decimal_from_value(q, &path) {
                Ok(d) if d.is_sign_negative() && !d.is_zero() => issues.push(Issue::new(
                    path,
                    Code::NegativeAmount,
                    "prior usage cannot be negative",
                )),
                Ok(quantity) => out.push(PriorUsage {
                    product: product.clone(),
                    price: price.clone(),
                    quantity,
                }),
                Err(issue) => issues.push(issue),
            }
        }
    }
}

/// Options resolved against the catalog once per call.
pub(crate) struct Prepared<'e> {
    /// Each target with a spelling of its code that lives as long as the engine.
    pub express: Vec<(&'e str, Cow<'e, AssetInfo>)>,
    /// `express_in` as the caller spelled it, for the paths of errors about it.
    pub express_name: &'static str,
    pub products: Option<Vec<usize>>,
    pub prior: FastMap<PriceRef, Decimal>,
}

impl Engine {
    pub(crate) fn prepare(&self, options: &QuoteOptions) -> Result<Prepared<'_>, Error> {
        let mut issues = Vec::new();
        let mut express = Vec::with_capacity(options.express_in.len());
        for (i, code) in options.express_in.iter().enumerate() {
            match self.asset_info(code) {
                // Asking twice for one asset (`USD`, `usd`) expresses it once.
                Some(info)
                    if express
                        .iter()
                        .any(|(_, x): &(&str, Cow<'_, AssetInfo>)| x.code == info.code) => {}
                Some(info) => express.push((self.lasting_code(&info), info)),
                None => issues.push(Issue::new(
                    format!("{}[{i}]", options.name("express_in")),
                    Code::UnknownAsset,
                    format!(
                        "{code:?} is neither an asset of this catalog nor an ISO 4217 currency"
                    ),
                )),
            }
        }
        let products = self.catalog().products.as_slice();
        let find_product = |code: &str| {
            products
                .iter()
                .position(|p| p.code.eq_ignore_ascii_case(code))
        };
        let selected = match &options.products {
            None => None,
            Some(codes) => {
                let mut list = Vec::new();
                for (i, code) in codes.iter().enumerate() {
                    match find_product(code) {
                        Some(p) => list.push(p),
                        None => issues.push(Issue::new(
                            format!("products[{i}]"),
                            Code::UnknownProduct,
                            format!("no product with code {code:?}"),
                        )),
                    }
                }
                Some(list)
            }
        };
        let mut prior = FastMap::default();
        for p in &options.prior_usage {
            let path = format!("{}.{}.{}", options.name("prior_usage"), p.product, p.price);
            let found = find_product(&p.product).and_then(|pi| {
                let ri = products
                    .get(pi)?
                    .prices
                    .iter()
                    .position(|r| r.name == p.price)?;
                Some(PriceRef {
                    product: pi,
                    price: ri,
                })
            });
            match found {
                Some(r) => {
                    prior.insert(r, p.quantity);
                }
                None => issues.push(Issue::new(
                    path,
                    Code::UnknownProduct,
                    "no such product and price",
                )),
            }
        }
        if issues.is_empty() {
            Ok(Prepared {
                express,
                express_name: options.name("express_in"),
                products: selected,
                prior,
            })
        } else {
            Err(Error::new(ErrorKind::InvalidArgument, issues))
        }
    }

    /// A spelling of an asset's code that lives as long as the engine: the catalog's own, or the
    /// upper-case ISO code of a currency the catalog does not mention.
    fn lasting_code(&self, info: &AssetInfo) -> &str {
        match self.slot(&info.code).and_then(|s| self.info(s)) {
            Some(known) => &known.code,
            None => crate::fiat::static_code(&info.code).unwrap_or_default(),
        }
    }
}

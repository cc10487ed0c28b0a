//! Quotes: what an event would cost, fee by fee.
//!
//! A quote matches the event's type against every usage price of the selected products, prices
//! each pricing entry (`price.rs`), clamps and rounds each fee once to its asset's precision
//! (`rounding.rs`), sums fees per asset, and expresses every fee and the totals in the assets
//! asked for (`convert.rs`), allocating so that the expressed fees add up to the expressed
//! total. `explain` lists every step.

use crate::asset::AssetInfo;
use crate::engine::{Engine, FnvMap, PriceRef};
use crate::event::{volume_of, Event};
use crate::exact::Exact;
use crate::instant::Instant;
use crate::issue::{Code, Error, ErrorKind, Issue};
use crate::list::List;
use crate::number::{decimal_from_value, serialize_opt_decimal, type_name, Amount};
use crate::price::{clamp, compute, Shape};
use crate::product::{PriceKind, TierPeriod, UsagePrice, UsageType};
use crate::rounding::allocate;
use rust_decimal::Decimal;
use serde::ser::{Serialize, SerializeMap, Serializer};
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
        }
    }
}

impl QuoteOptions {
    /// Reads the wire form. `prior_usage` is `{product_code: {price_name: quantity}}`.
    pub fn from_value(value: &serde_json::Value) -> Result<QuoteOptions, Error> {
        let mut options = QuoteOptions::default();
        let mut issues = Vec::new();
        let bad = |path: &str, message: String| Issue::new(path, Code::InvalidOptions, message);
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
        for (key, v) in map {
            if v.is_null() {
                continue;
            }
            match key.as_str() {
                "at" | "now" => match v.as_str().map(Instant::parse) {
                    Some(Ok(t)) if key == "at" => options.at = Some(t),
                    Some(Ok(t)) => options.now = Some(t),
                    Some(Err(m)) => {
                        issues.push(Issue::new(key.as_str(), Code::InvalidTimestamp, m))
                    }
                    None => issues.push(Issue::new(
                        key.as_str(),
                        Code::InvalidType,
                        "expected an RFC 3339 string",
                    )),
                },
                "express_in" | "products" => {
                    let list = strings(v);
                    match list {
                        Some(list) if key == "express_in" => options.express_in = list,
                        Some(list) => options.products = Some(list),
                        None => issues.push(Issue::new(
                            key.as_str(),
                            Code::InvalidType,
                            "expected an array of strings",
                        )),
                    }
                }
                "explain" => match v.as_bool() {
                    Some(b) => options.explain = b,
                    None => issues.push(Issue::new(
                        "explain",
                        Code::InvalidType,
                        "expected a boolean",
                    )),
                },
                "prior_usage" => read_prior(v, &mut options.prior_usage, &mut issues),
                other => issues.push(bad(
                    other,
                    format!(
                        "unknown option {other:?} (at, express_in, products, prior_usage, explain)"
                    ),
                )),
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
}

fn strings(v: &serde_json::Value) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|s| s.as_str().map(str::to_string))
        .collect()
}

fn read_prior(v: &serde_json::Value, out: &mut Vec<PriorUsage>, issues: &mut Vec<Issue>) {
    let Some(products) = v.as_object() else {
        issues.push(Issue::new(
            "prior_usage",
            Code::InvalidType,
            "expected {product_code: {price_name: quantity}}",
        ));
        return;
    };
    for (product, prices) in products {
        let Some(prices) = prices.as_object() else {
            issues.push(Issue::new(
                format!("prior_usage.{product}"),
                Code::InvalidType,
                "expected {price_name: quantity}",
            ));
            continue;
        };
        for (price, q) in prices {
            let path = format!("prior_usage.{product}.{price}");
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

/// A map from asset code to amount, in first-seen order, serialized as a JSON object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AmountMap<'a>(pub List<(&'a str, Amount)>);

impl<'a> AmountMap<'a> {
    pub fn get(&self, code: &str) -> Option<Amount> {
        self.0
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))
            .map(|(_, a)| *a)
    }
}

impl Serialize for AmountMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Amounts summed per asset, exactly, in first-seen order: a quote's totals, or a report's sum
/// over many quotes (codes as a catalog's engine spells them). Sums stay exact until all are
/// in, since a partial sum may not fit a decimal where the whole does (1.23 + 8.1e26 needs 29
/// digits at two places; + 0.17 ends in a zero that can go). A sum that does not fit is an
/// error at `totals.CODE`, never a nearby number.
#[derive(Debug, Default)]
pub struct Sums<'a> {
    map: AmountMap<'a>,
    /// The exact sum of each entry of `map` that had more than one amount.
    exact: List<Option<Exact>>,
}

impl<'a> Sums<'a> {
    pub fn add(&mut self, code: &'a str, amount: Amount) {
        match self.map.0.iter().position(|(c, _)| *c == code) {
            Some(i) => {
                let (Some(sum), Some((_, first))) = (self.exact.get_mut(i), self.map.0.get_mut(i))
                else {
                    return;
                };
                let so_far = sum.take().unwrap_or(Exact::Dec(first.value));
                *sum = Some(so_far.add(&Exact::Dec(amount.value)));
                first.scale = first.scale.max(amount.scale);
            }
            None => {
                self.map.0.push((code, amount));
                self.exact.push(None);
            }
        }
    }

    /// Every amount added in, per asset.
    pub fn add_all(&mut self, amounts: &AmountMap<'a>) {
        for (code, amount) in &amounts.0 {
            self.add(code, *amount);
        }
    }

    pub fn finish(mut self) -> Result<AmountMap<'a>, Error> {
        for ((code, amount), sum) in self.map.0.iter_mut().zip(self.exact.iter()) {
            let Some(sum) = sum else { continue };
            amount.value = sum.to_decimal().ok_or_else(|| {
                Error::one(
                    ErrorKind::Overflow,
                    &format!("totals.{code}"),
                    Code::DecimalOverflow,
                    format!("the amounts in {code} add up to more than a decimal holds"),
                )
            })?;
        }
        Ok(self.map)
    }
}

/// The event's values for a price's billable dimensions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dimensions<'a>(pub List<(&'a str, Cow<'a, str>)>);

impl Serialize for Dimensions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// One fee: the billing API's CalculatedFee fields, plus `product_code` and `equivalents`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fee<'a> {
    pub product_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_id: Option<&'a str>,
    pub price_name: &'a str,
    /// The asset code the fee is charged in.
    pub currency: &'a str,
    pub event_type: &'a str,
    pub usage_type: UsageType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Dimensions<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_field: Option<&'a str>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_decimal"
    )]
    pub input_volume: Option<Decimal>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_decimal"
    )]
    pub unit_price: Option<Decimal>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_decimal"
    )]
    pub volume_rate: Option<Decimal>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_decimal"
    )]
    pub package_size: Option<Decimal>,
    /// The matched price value's (or tier's) name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    pub amount: Amount,
    pub equivalents: AmountMap<'a>,
    /// Where in the engine the fee's price value lives: with the dimensions, it fixes every
    /// field above but the volume and the amounts, which is what the tape's templates key on.
    #[serde(skip)]
    pub(crate) origin: usize,
}

/// One step of a quote's explanation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    /// The index of the fee this step belongs to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee: Option<usize>,
    /// `match`, `dimension`, `tier`, `amount`, `clamp`, `round`, `rate`, `equivalent`.
    pub kind: &'static str,
    pub text: String,
}

/// What one event would cost.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Quote<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<&'a str>,
    pub event_type: &'a str,
    pub at: Instant,
    pub fees: Vec<Fee<'a>>,
    /// The sum of the fees, per asset charged.
    pub totals: AmountMap<'a>,
    /// Every fee expressed in each `express_in` asset, summed.
    pub equivalents: AmountMap<'a>,
    pub warnings: Vec<Issue>,
    pub explain: Vec<Step>,
}

/// Options resolved against the catalog once per call.
struct Prepared<'e> {
    /// Each target with a spelling of its code that lives as long as the engine.
    express: Vec<(&'e str, Cow<'e, AssetInfo>)>,
    products: Option<Vec<usize>>,
    prior: FnvMap<PriceRef, Decimal>,
}

/// See [`Engine::session`].
pub struct Session<'e> {
    engine: &'e Engine,
    options: QuoteOptions,
    prepared: Prepared<'e>,
    ledger: Ledger,
}

impl<'e> Session<'e> {
    /// The next event's quote (events are the batch's in order).
    pub fn quote<'a>(&mut self, event: &'a Event<'_>) -> Result<Quote<'a>, Error>
    where
        'e: 'a,
    {
        self.engine
            .quote_one(event, &self.options, &self.prepared, &mut self.ledger)
    }
}

/// Tier usage per price and period, carried through a batch.
#[derive(Default)]
struct Ledger {
    used: FnvMap<(PriceRef, i64), Exact>,
    /// The period each price's prior usage belongs to (that of the first event that used it).
    seeded: FnvMap<PriceRef, i64>,
}

fn period_key(period: TierPeriod, at: Instant) -> i64 {
    let year = i64::from(at.year());
    let month = i64::from(at.month());
    match period {
        TierPeriod::Lifetime => 0,
        TierPeriod::Monthly => year * 12 + month,
        TierPeriod::Quarterly => year * 4 + (month - 1) / 3,
        TierPeriod::Yearly => year,
    }
}

fn rounding_text(
    before: &Exact,
    after: Decimal,
    code: &str,
    info: &AssetInfo,
    mode: crate::RoundingMode,
) -> String {
    format!(
        "{before} {code} rounded to {} places ({mode}): {}",
        info.precision,
        Amount::new(after, info.precision)
    )
}

impl Engine {
    fn prepare(&self, options: &QuoteOptions) -> Result<Prepared<'_>, Error> {
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
                    format!("express_in[{i}]"),
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
        let mut prior = FnvMap::default();
        for p in &options.prior_usage {
            let path = format!("prior_usage.{}.{}", p.product, p.price);
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
                products: selected,
                prior,
            })
        } else {
            Err(Error::new(ErrorKind::InvalidArgument, issues))
        }
    }

    /// What `event` would cost. Tiered prices see only `options.prior_usage` as earlier usage.
    pub fn quote<'a>(
        &'a self,
        event: &'a Event<'_>,
        options: &QuoteOptions,
    ) -> Result<Quote<'a>, Error> {
        let prepared = self.prepare(options)?;
        self.quote_one(event, options, &prepared, &mut Ledger::default())
    }

    /// One quote per event, in order; tiered prices accumulate usage across the batch, per
    /// price and tiering period (UTC calendar months, quarters, years, or lifetime).
    pub fn quote_many<'a>(
        &'a self,
        events: &'a [Event<'_>],
        options: &QuoteOptions,
    ) -> Result<Vec<Quote<'a>>, Error> {
        let mut out = Vec::with_capacity(events.len());
        self.quote_each(events, options, |_, quote| out.push(quote))?;
        Ok(out)
    }

    /// [`Engine::quote_many`] without keeping the quotes: `each` receives every quote in order.
    /// Memory stays flat however long the batch, which matters more than the arithmetic for
    /// millions of events (holding them all costs page faults and frees).
    pub fn quote_each<'a>(
        &'a self,
        events: &'a [Event<'_>],
        options: &QuoteOptions,
        mut each: impl FnMut(usize, Quote<'a>),
    ) -> Result<(), Error> {
        crate::limits::check_batch(events.len())?;
        let mut session = self.session(options)?;
        for (i, event) in events.iter().enumerate() {
            let quote = session
                .quote(event)
                .map_err(|e| e.prefixed(&format!("[{i}]")))?;
            each(i, quote);
        }
        Ok(())
    }

    /// A batch quoted one event at a time, for callers that read their events as they go and
    /// price only some (a frame's rows, most of them repeats): the options are checked once, and
    /// tier usage carries from each quote to the next, as in [`Engine::quote_many`].
    pub fn session(&self, options: &QuoteOptions) -> Result<Session<'_>, Error> {
        Ok(Session {
            engine: self,
            options: options.clone(),
            prepared: self.prepare(options)?,
            ledger: Ledger::default(),
        })
    }

    /// A batch as the JSON text of an array of Quotes, written as it is priced (for the JSON
    /// faces: one string crosses the boundary, and no quote outlives its serialization).
    pub fn quote_many_json(
        &self,
        events: &[Event<'_>],
        options: &QuoteOptions,
    ) -> Result<String, Error> {
        let mut out: Vec<u8> =
            Vec::with_capacity(events.len().saturating_mul(400).saturating_add(2));
        out.push(b'[');
        let mut failed = None;
        self.quote_each(events, options, |i, quote| {
            if failed.is_some() {
                return;
            }
            if i > 0 {
                out.push(b',');
            }
            if let Err(e) = serde_json::to_writer(&mut out, &quote) {
                failed = Some(e.to_string());
            }
        })?;
        if let Some(why) = failed {
            return Err(Error::one(
                ErrorKind::InvalidArgument,
                "",
                Code::Internal,
                why,
            ));
        }
        out.push(b']');
        String::from_utf8(out).map_err(|e| {
            Error::one(
                ErrorKind::InvalidArgument,
                "",
                Code::Internal,
                e.to_string(),
            )
        })
    }

    fn quote_one<'a>(
        &'a self,
        event: &'a Event<'_>,
        options: &QuoteOptions,
        prepared: &Prepared<'a>,
        ledger: &mut Ledger,
    ) -> Result<Quote<'a>, Error> {
        let at = options
            .at
            .or(event.occurred_at)
            .or(options.now)
            .ok_or_else(|| {
                Error::one(
                    ErrorKind::InvalidEvent,
                    "occurred_at",
                    Code::MissingInstant,
                    "no `at` option, no occurred_at and no current time to price at",
                )
            })?;
        let explain = options.explain;
        let prices = self.prices_for(&event.event_type);
        let mut quote = Quote {
            event_id: event.id.as_deref(),
            event_type: &event.event_type,
            at,
            // Usually one fee per price: allocated once, at its size. (A fee is large: an
            // inline one made every move of the quote dearer than the allocation it saved.)
            fees: Vec::with_capacity(prices.len()),
            totals: AmountMap::default(),
            equivalents: AmountMap::default(),
            warnings: Vec::new(),
            explain: Vec::new(),
        };
        let mut matched = false;
        // The asset of each fee, for `express` (only kept when there is something to express).
        let mut fee_assets: Vec<&'a AssetInfo> = Vec::new();
        let expressing = !prepared.express.is_empty();
        for indexed in prices {
            let r = indexed.at;
            if prepared
                .products
                .as_ref()
                .is_some_and(|list| !list.contains(&r.product))
            {
                continue;
            }
            let Some(product) = self.catalog().products.get(r.product) else {
                continue;
            };
            let Some(price) = product.prices.get(r.price) else {
                continue;
            };
            let PriceKind::Usage(usage) = &price.kind else {
                continue;
            };
            matched = true;
            if explain {
                quote.explain.push(Step {
                    fee: None,
                    kind: "match",
                    text: format!(
                        "{} / {} prices {:?} ({}, {})",
                        product.code,
                        price.name,
                        usage.event_type,
                        usage.usage_type.as_str(),
                        usage.pricing_model.as_str()
                    ),
                });
            }
            let Some(volume) = self.volume(event, usage, &price.name, &mut quote.warnings) else {
                continue;
            };
            let tiered = usage.pricing_model.has_tiers();
            let key = (r, period_key(usage.tier_period, at));
            // Only tiered prices carry usage; the others skip the ledger entirely.
            let prior = if tiered {
                let seeded = *ledger.seeded.entry(r).or_insert(key.1);
                match ledger.used.get(&key) {
                    Some(q) => q.clone(),
                    None if seeded == key.1 => {
                        Exact::Dec(prepared.prior.get(&r).copied().unwrap_or_default())
                    }
                    None => Exact::ZERO,
                }
            } else {
                Exact::ZERO
            };
            let mut added = None;
            for (pricing, slot) in usage.pricing.iter().zip(&indexed.slots) {
                let Some((values, dim)) = pricing.values.select(event) else {
                    quote.warnings.push(Issue::new(
                        "data",
                        Code::NoDimensionMatch,
                        format!(
                            "{} / {}: no dimensional price in {} matches this event's data",
                            product.code, price.name, pricing.asset
                        ),
                    ));
                    continue;
                };
                let shape = Shape {
                    usage_type: usage.usage_type,
                    model: usage.pricing_model,
                    basis: usage.tier_basis,
                };
                let internal = |o: crate::price::Overflow| {
                    Error::one(
                        ErrorKind::InvalidArgument,
                        &pricing.path,
                        Code::Internal,
                        format!("{}: a division by zero", o.0),
                    )
                };
                let Some(computed) =
                    compute(values, shape, volume, &prior, explain).map_err(internal)?
                else {
                    continue;
                };
                added = Some(computed.usage);
                let Some(info) = self.info(*slot) else {
                    continue;
                };
                let fee_index = quote.fees.len();
                if explain {
                    if let Some(d) = dim {
                        quote.explain.push(Step {
                            fee: Some(fee_index),
                            kind: "dimension",
                            text: format!("dimensions matched {} ({})", d.describe(), d.path),
                        });
                    }
                    for (kind, text) in computed.steps {
                        quote.explain.push(Step {
                            fee: Some(fee_index),
                            kind,
                            text,
                        });
                    }
                }
                let (clamped, clamp_text) = clamp(computed.amount, computed.value);
                // The one rounding of the fee (`exact.rs`): what does not fit is an error.
                let amount = clamped
                    .round(info.precision, info.rounding)
                    .ok_or_else(|| {
                        Error::one(
                            ErrorKind::Overflow,
                            &pricing.path,
                            Code::DecimalOverflow,
                            format!(
                                "the fee {clamped} {} does not fit in a decimal at {} places",
                                info.code, info.precision
                            ),
                        )
                    })?;
                if explain {
                    if let Some(text) = clamp_text {
                        quote.explain.push(Step {
                            fee: Some(fee_index),
                            kind: "clamp",
                            text,
                        });
                    }
                    quote.explain.push(Step {
                        fee: Some(fee_index),
                        kind: "round",
                        text: rounding_text(&clamped, amount, &info.code, info, info.rounding),
                    });
                }
                let value = computed.value;
                if expressing {
                    fee_assets.push(info);
                }
                quote.fees.push(Fee {
                    product_code: &product.code,
                    price_id: price.id.as_deref(),
                    price_name: &price.name,
                    currency: &info.code,
                    event_type: &usage.event_type,
                    usage_type: usage.usage_type,
                    dimensions: self.dimensions_of(event, usage),
                    volume_field: usage
                        .usage_type
                        .has_volume()
                        .then_some(usage.volume_field.as_deref())
                        .flatten(),
                    input_volume: usage.usage_type.has_volume().then_some(volume),
                    unit_price: value
                        .unit_price
                        .filter(|_| usage.usage_type != UsageType::Volume),
                    volume_rate: value.volume_rate.filter(|_| usage.usage_type.has_volume()),
                    package_size: value.package_size.filter(|_| usage.usage_type.has_volume()),
                    description: value
                        .name
                        .as_deref()
                        .or(dim.and_then(|d| d.name.as_deref())),
                    amount: Amount::new(amount, info.precision),
                    equivalents: AmountMap::default(),
                    origin: std::ptr::from_ref(value) as usize,
                });
            }
            if let (Some(q), true) = (added, tiered) {
                ledger.used.insert(key, prior.add(&q));
            }
        }
        if !matched {
            quote.warnings.push(Issue::new(
                "event_type",
                Code::NoPriceMatched,
                format!(
                    "no usage price of the selected products prices event type {:?}",
                    event.event_type
                ),
            ));
        }
        self.total(&mut quote)?;
        self.express(&mut quote, &fee_assets, prepared, at, explain)?;
        Ok(quote)
    }

    /// A spelling of an asset's code that lives as long as the engine: the catalog's own, or the
    /// upper-case ISO code of a currency the catalog does not mention.
    fn lasting_code(&self, info: &AssetInfo) -> &str {
        match self.slot(&info.code).and_then(|s| self.info(s)) {
            Some(known) => &known.code,
            None => crate::fiat::static_code(&info.code).unwrap_or_default(),
        }
    }

    fn volume(
        &self,
        event: &Event<'_>,
        usage: &UsagePrice,
        price: &str,
        warnings: &mut Vec<Issue>,
    ) -> Option<Decimal> {
        if !usage.usage_type.has_volume() {
            return Some(Decimal::ZERO);
        }
        let field = usage.volume_field.as_deref().unwrap_or_default();
        // Built only when there is something to report: this runs once per price per event.
        let path = || format!("data.{field}");
        let Some(raw) = event.get(field) else {
            warnings.push(Issue::new(
                path(),
                Code::MissingVolume,
                format!("{price}: the event has no {field:?}, so this price yields no fee"),
            ));
            return None;
        };
        match volume_of(raw) {
            Ok(v) if v.is_sign_negative() && !v.is_zero() => {
                warnings.push(Issue::new(
                    path(),
                    Code::InvalidVolume,
                    format!("{price}: volume {v} is negative, so this price yields no fee"),
                ));
                None
            }
            Ok(v) => Some(v),
            Err(why) => {
                warnings.push(Issue::new(
                    path(),
                    Code::InvalidVolume,
                    format!("{price}: {why}, so this price yields no fee"),
                ));
                None
            }
        }
    }

    fn dimensions_of<'a>(
        &self,
        event: &'a Event<'_>,
        usage: &'a UsagePrice,
    ) -> Option<Dimensions<'a>> {
        if usage.billable_dimensions.is_empty() {
            return None;
        }
        let list = usage
            .billable_dimensions
            .iter()
            .filter_map(|k| event.dimension(k).map(|v| (k.as_str(), v)))
            .collect();
        Some(Dimensions(list))
    }

    /// The sum of the fees per asset: fees of one asset share its precision, so the sum is
    /// exact; one too large for a decimal is an error, never a nearby number.
    fn total(&self, quote: &mut Quote<'_>) -> Result<(), Error> {
        // One fee (the usual quote): its amount is the total.
        if let [fee] = quote.fees.as_slice() {
            quote.totals.0.push((fee.currency, fee.amount));
            return Ok(());
        }
        let mut sums = Sums::default();
        for fee in &quote.fees {
            sums.add(fee.currency, fee.amount);
        }
        quote.totals = sums.finish()?;
        Ok(())
    }

    fn express<'a>(
        &'a self,
        quote: &mut Quote<'a>,
        fee_assets: &[&AssetInfo],
        prepared: &Prepared<'a>,
        at: Instant,
        explain: bool,
    ) -> Result<(), Error> {
        for (xi, (code, target)) in prepared.express.iter().enumerate() {
            let code: &'a str = code;
            // Inline for the usual one fee: no allocation.
            let mut exact: crate::list::List<Exact> = crate::list::List::new();
            let overflow = |what: &str| {
                Error::one(
                    ErrorKind::Overflow,
                    &format!("express_in[{xi}]"),
                    Code::DecimalOverflow,
                    format!("{what} in {} does not fit in a decimal", target.code),
                )
            };
            for (fi, (fee, from)) in quote.fees.iter().zip(fee_assets).enumerate() {
                let route = self
                    .route(from, target, at, explain)
                    .map_err(|e| e.prefixed(&format!("express_in[{xi}]")))?;
                let value = route
                    .apply(fee.amount.value)
                    .ok_or_else(|| overflow("an equivalent"))?;
                if explain && !route.via.is_empty() {
                    for via in &route.via {
                        quote.explain.push(Step {
                            fee: Some(fi),
                            kind: "rate",
                            text: via.clone(),
                        });
                    }
                    quote.explain.push(Step {
                        fee: Some(fi),
                        kind: "equivalent",
                        text: format!("{} {} = {value} {}", fee.amount, fee.currency, target.code),
                    });
                }
                exact.push(value);
            }
            // The exact sum, rounded once: never the sum of rounded parts.
            let sum = match exact.split_first() {
                // One fee (the usual quote): its part is the sum, nothing to add or copy.
                Some((first, [])) => std::borrow::Cow::Borrowed(first),
                _ => std::borrow::Cow::Owned(exact.iter().fold(Exact::ZERO, |a, b| a.add(b))),
            };
            let total = sum
                .round(target.precision, target.rounding)
                .ok_or_else(|| overflow("the total"))?;
            // One fee's part is the total itself (what `allocate` gives, without its lists).
            let parts = if exact.len() == 1 {
                crate::list::List::from_iter([total])
            } else {
                allocate(total, &exact, target.precision)
                    .ok_or_else(|| overflow("a fee's equivalent"))?
                    .into_iter()
                    .collect()
            };
            if explain && !exact.is_empty() {
                quote.explain.push(Step {
                    fee: None,
                    kind: "round",
                    text: format!(
                        "{}; fees' {} equivalents allocated by largest remainder to add up to it",
                        rounding_text(sum.as_ref(), total, &target.code, target, target.rounding),
                        target.code
                    ),
                });
            }
            for (fee, part) in quote.fees.iter_mut().zip(parts.iter().copied()) {
                fee.equivalents
                    .0
                    .push((code, Amount::new(part, target.precision)));
            }
            quote
                .equivalents
                .0
                .push((code, Amount::new(total, target.precision)));
        }
        Ok(())
    }
}

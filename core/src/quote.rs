//! Quotes: what an event would cost, fee by fee.
//!
//! A quote matches the event's type against every usage price of the selected products, prices
//! each pricing entry (`price.rs`), clamps and rounds each fee once to its asset's precision
//! (`rounding.rs`), sums fees per asset, and expresses every fee and the totals in the assets
//! asked for (`convert.rs`), allocating so that the expressed fees add up to the expressed
//! total. `explain` lists every step.

use crate::catalog::asset::AssetInfo;
use crate::catalog::product::{PriceKind, UsagePrice};
use crate::engine::{Engine, FastMap, PriceRef};
use crate::event::{volume_of, Event, Scalar};
use crate::exact::allocate;
use crate::exact::Exact;
use crate::instant::Instant;
use crate::issue::{Code, Error, ErrorKind, Issue};
use crate::list::List;
use crate::number::{serialize_opt_decimal, Amount};
use crate::options::{Prepared, QuoteOptions};
use crate::pricing::price::{clamp, compute};
use crate::pricing::tiers::period_key;
use crate::pricing::{Shape, UsageType};
use rust_decimal::Decimal;
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::borrow::Cow;

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
    /// Where in the engine the fee's price value lives (see [`Fee::shape_key`]). Public so that
    /// a binding can rebuild a fee it keeps in its own form, to serialize it as the core does.
    #[serde(skip)]
    pub origin: usize,
}

impl<'a> Fee<'a> {
    /// What fixes every field of this fee but `input_volume`, `amount` and `equivalents`: its
    /// price value (an identity that holds while its engine lives, and only in that engine) and
    /// its dimensions. Fees with equal keys differ only in those three fields, so a binding can
    /// keep a fee's constant part once per key (the JavaScript tape's templates, Python's fee
    /// shapes) and send or build only what varies.
    pub fn shape_key(&self) -> (usize, &[(&'a str, Cow<'a, str>)]) {
        let dims = self.dimensions.as_ref().map_or(&[][..], |d| d.0.as_slice());
        (self.origin, dims)
    }
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

/// Tier usage per price and period, carried through a batch.
#[derive(Default)]
pub(crate) struct Ledger {
    pub used: FastMap<(PriceRef, i64), Exact>,
    /// The period each price's prior usage belongs to (that of the first event that used it).
    pub seeded: FastMap<PriceRef, i64>,
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
    /// What `event` would cost. Tiered prices see only `options.prior_usage` as earlier usage.
    pub fn quote<'a>(
        &'a self,
        event: &'a Event<'_>,
        options: &QuoteOptions,
    ) -> Result<Quote<'a>, Error> {
        let prepared = self.prepare(options)?;
        self.quote_one(event, options, &prepared, &mut Ledger::default())
    }

    pub(crate) fn quote_one<'a>(
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
        // Priced at the host's clock: the answer changes from run to run, so the quote says so.
        if options.at.is_none() && event.occurred_at.is_none() {
            quote.warnings.push(Issue::new(
                "occurred_at",
                Code::PricedAtNow,
                "the event has no occurred_at and no `at` was given: priced at the host's current time",
            ));
        }
        for key in &event.extra {
            let message = match crate::issue::nearest(key, crate::event::KNOWN) {
                Some(k) => format!("unknown event field {key:?} is ignored; did you mean {k:?}?"),
                None => format!("unknown event field {key:?} is ignored"),
            };
            quote
                .warnings
                .push(Issue::new(key.as_ref(), Code::UnknownField, message));
        }
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
                        usage.reported_type().as_str(),
                        usage.pricing_model.as_str()
                    ),
                });
            }
            let Some(volume) = self.volume(event, usage, &price.name, &mut quote.warnings)? else {
                continue;
            };
            if let (Some(expr), true) = (&usage.volume_expr, explain) {
                let step = expression_step(expr, event, "volume_aggregation", volume);
                quote.explain.push(step);
            }
            let units = match &usage.unit_expr {
                None => None,
                Some(expr) => {
                    let warnings = &mut quote.warnings;
                    let value =
                        expression_value(expr, event, "unit_aggregation", &price.name, warnings);
                    let Some(units) = value else {
                        continue;
                    };
                    if explain {
                        quote
                            .explain
                            .push(expression_step(expr, event, "unit_aggregation", units));
                    }
                    Some(units)
                }
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
                let internal = |o: crate::pricing::price::Overflow| {
                    Error::one(
                        ErrorKind::InvalidArgument,
                        &pricing.path,
                        Code::Internal,
                        format!("{}: a division by zero", o.0),
                    )
                };
                let Some(computed) =
                    compute(values, shape, volume, units, &prior, explain).map_err(internal)?
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
                    usage_type: usage.reported_type(),
                    dimensions: self.dimensions_of(event, usage),
                    volume_field: usage
                        .usage_type
                        .has_volume()
                        .then_some(usage.volume_field.as_deref())
                        .flatten(),
                    input_volume: usage.usage_type.has_volume().then_some(volume),
                    unit_price: value.unit_price.filter(|_| {
                        matches!(usage.usage_type, UsageType::Unit | UsageType::UnitAndVolume)
                    }),
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

    fn volume(
        &self,
        event: &Event<'_>,
        usage: &UsagePrice,
        price: &str,
        warnings: &mut Vec<Issue>,
    ) -> Result<Option<Decimal>, Error> {
        if !usage.usage_type.has_volume() {
            return Ok(Some(Decimal::ZERO));
        }
        if let Some(expr) = &usage.volume_expr {
            return Ok(expression_value(
                expr,
                event,
                "volume_aggregation",
                price,
                warnings,
            ));
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
            return Ok(None);
        };
        // A volume written as text that does not fit a decimal is the error the same number
        // is (`Event::check`), never a fee of nothing: one reading of a number, however written.
        if let Scalar::Str(text) = raw {
            if let Err((Code::DecimalOverflow, m)) = crate::number::parse_decimal(text) {
                return Err(Error::one(
                    ErrorKind::InvalidEvent,
                    &path(),
                    Code::DecimalOverflow,
                    m,
                ));
            }
        }
        match volume_of(raw) {
            Ok(v) if v.is_sign_negative() && !v.is_zero() => {
                warnings.push(Issue::new(
                    path(),
                    Code::InvalidVolume,
                    format!("{price}: volume {v} is negative, so this price yields no fee"),
                ));
                Ok(None)
            }
            Ok(v) => Ok(Some(v)),
            Err(why) => {
                warnings.push(Issue::new(
                    path(),
                    Code::InvalidVolume,
                    format!("{price}: {why}, so this price yields no fee"),
                ));
                Ok(None)
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
                    &format!("{}[{xi}]", prepared.express_name),
                    Code::DecimalOverflow,
                    format!("{what} in {} does not fit in a decimal", target.code),
                )
            };
            for (fi, (fee, from)) in quote.fees.iter().zip(fee_assets).enumerate() {
                let route = self
                    .route(from, target, at, explain)
                    .map_err(|e| e.prefixed(&format!("{}[{xi}]", prepared.express_name)))?;
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

/// A data value as an explanation writes it.
fn scalar_text(v: &Scalar<'_>) -> String {
    match v {
        Scalar::Num(d) => d.to_string(),
        Scalar::Str(s) => format!("{s:?}"),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Null => "null".into(),
        Scalar::Invalid(why) => why.clone(),
    }
}

/// An aggregation expression's value for `event` (`key` names it: `volume_aggregation` or
/// `unit_aggregation`), or `None` with the warning that says why that price yields no fee.
fn expression_value(
    expr: &crate::expression::Expr,
    event: &Event<'_>,
    key: &str,
    price: &str,
    warnings: &mut Vec<Issue>,
) -> Option<Decimal> {
    match expr.volume(event) {
        Ok(v) if v.is_sign_negative() && !v.is_zero() => {
            let text = &expr.text;
            let message = format!(
                "{price}: {key} `{text}` gives {v}, a negative usage, so this price yields no fee"
            );
            warnings.push(Issue::new("data", Code::InvalidVolume, message));
            None
        }
        Ok(v) => Some(v),
        Err(e) => {
            let (path, code) = match &e.missing {
                Some(field) => (format!("data.{field}"), Code::MissingVolume),
                None => ("data".to_string(), Code::ExpressionFailed),
            };
            let message = format!(
                "{price}: {key} `{}`: {}, so this price yields no fee",
                expr.text, e.message
            );
            warnings.push(Issue::new(path, code, message));
            None
        }
    }
}

/// The explanation step of an aggregation expression: its text, the fields it read, its value.
fn expression_step(
    expr: &crate::expression::Expr,
    event: &Event<'_>,
    key: &str,
    value: Decimal,
) -> Step {
    let read: Vec<String> = expr
        .fields
        .iter()
        .filter_map(|f| event.get(f).map(|v| format!("{f} = {}", scalar_text(v))))
        .collect();
    let read = if read.is_empty() {
        "no fields".to_string()
    } else {
        read.join(", ")
    };
    Step {
        fee: None,
        kind: "expression",
        text: format!("{key} `{}` with {read}: {value}", expr.text),
    }
}

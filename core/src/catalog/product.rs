//! Products and their prices, read from the billing API's create shape.
//!
//! Reading also checks everything that can be checked inside one product (a price's values and
//! tiers: `values.rs`); the catalog (`mod.rs`) checks what spans products and assets.

use super::reader::{index, Found, Obj};
use super::values::read_pricing_list;
pub use super::values::Pricing;
use crate::issue::Code;
use crate::limits;
use crate::pricing::{PricingModel, TierBasis, TierPeriod, UsageType};
use rust_decimal::Decimal;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub code: String,
    pub name: String,
    pub prices: Vec<Price>,
    pub entitlements: Vec<Entitlement>,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Price {
    pub id: Option<String>,
    pub name: String,
    pub kind: PriceKind,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriceKind {
    /// Charged per usage event: what a quote prices.
    Usage(UsagePrice),
    /// A one-time or recurring charge: validated, never charged by a quote of one event.
    Fixed(Vec<FixedPricing>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsagePrice {
    pub event_type: String,
    /// How the price is computed: for a `custom` usage, the usage type with the parts its
    /// expressions give (`volume`, `unit` or `unit_and_volume`; see `custom`).
    pub usage_type: UsageType,
    /// The catalog said `usage_type: "custom"`: fees report `custom`.
    pub custom: bool,
    pub volume_field: Option<String>,
    /// `volume_aggregation` when it is an expression: the event's volume, instead of
    /// `data[volume_field]` (docs/expressions.md).
    pub volume_expr: Option<Box<crate::expression::Expr>>,
    /// `unit_aggregation` when it is an expression: the event's number of units, instead of
    /// one (in a unit tiering basis, the units are the event's tier usage).
    pub unit_expr: Option<Box<crate::expression::Expr>>,
    pub billable_dimensions: Vec<String>,
    pub pricing_model: PricingModel,
    pub tier_basis: TierBasis,
    pub tier_period: TierPeriod,
    pub pricing: Vec<Pricing>,
}

impl UsagePrice {
    /// The usage type a fee reports: the catalog's (`custom` stays `custom`).
    pub fn reported_type(&self) -> UsageType {
        if self.custom {
            UsageType::Custom
        } else {
            self.usage_type
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedPricing {
    pub asset: String,
    pub path: String,
}

/// Credit a product grants its subscribers (`wallet/entitlements.rs` turns it into grants).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entitlement {
    pub name: String,
    pub asset: String,
    pub amount: Decimal,
    /// `bundled` or `promotion`.
    pub purpose: &'static str,
    /// How long one grant lasts: a number of days, weeks, months or years.
    pub every: Every,
    /// What happens at the end of a period; `None`: the grant is given once.
    pub refresh: Option<Refresh>,
    pub priority: Option<u64>,
    pub path: String,
}

/// A length of calendar time: `count` days, weeks, months or years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Every {
    pub unit: &'static str,
    pub count: u32,
}

/// An entitlement's refresh strategy at each period boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// The period's grant expires and a new one replaces it.
    ExpireAndReplace,
    /// A new grant is added and the unused rest of the last one carries over.
    Rollover,
}

const UNITS: [&str; 4] = ["day", "week", "month", "year"];

pub(crate) fn read_product(found: &mut Found, obj: &Obj<'_>) -> Option<Product> {
    obj.known_fields(
        found,
        &[
            "name",
            "code",
            "prices",
            "entitlements",
            "publish",
            "id",
            "description",
            "status",
            "version",
            "created_at",
            "updated_at",
        ],
    );
    let name = obj.req_str(found, "name");
    let code = obj.req_str(found, "code");
    obj.opt_bool(found, "publish");
    let mut prices = Vec::new();
    if let Some(list) = obj.req_array(found, "prices") {
        let base = obj.at("prices");
        for (i, item) in list.iter().enumerate() {
            let path = index(&base, i);
            if let Some(price) = Obj::of(found, item, &path).and_then(|p| read_price(found, &p)) {
                prices.push(price);
            }
        }
        let mut names: HashMap<&str, usize> = HashMap::new();
        for (i, price) in prices.iter().enumerate() {
            if price.name.is_empty() {
                continue;
            }
            if let Some(first) = names.get(price.name.as_str()) {
                found.error(
                    &prices
                        .get(i)
                        .map_or(String::new(), |p| format!("{}.name", p.path)),
                    Code::DuplicatePriceName,
                    format!(
                        "price name {:?} is already used by prices[{first}]",
                        price.name
                    ),
                );
            } else {
                names.insert(&price.name, i);
            }
        }
    }
    let mut entitlements = Vec::new();
    if let Some(list) = obj.opt_array(found, "entitlements") {
        let base = obj.at("entitlements");
        for (i, item) in list.iter().enumerate() {
            let path = index(&base, i);
            if let Some(e) = Obj::of(found, item, &path).and_then(|e| read_entitlement(found, &e)) {
                entitlements.push(e);
            }
        }
    }
    // A missing code or name is already an error; the product's prices are still checked.
    Some(Product {
        code: code.unwrap_or_default().to_string(),
        name: name.unwrap_or_default().to_string(),
        prices,
        entitlements,
        path: obj.path.clone(),
    })
}

const PRICE_FIELDS: &[&str] = &[
    "id",
    "name",
    "type",
    "billing_model",
    "usage_calculation",
    "pricing",
    "pricing_model",
    "tiering",
    "collection",
    "funding_destination",
    "description",
];

fn read_price(found: &mut Found, obj: &Obj<'_>) -> Option<Price> {
    obj.known_fields(found, PRICE_FIELDS);
    let id = obj.opt_str(found, "id").map(str::to_string);
    let name = obj.req_str(found, "name");
    let kind = obj.req_enum(found, "type", &["usage_based", "fixed"]);
    read_billing_model(found, obj, kind);
    read_collection(found, obj);
    read_funding(found, obj);
    let kind = match kind? {
        "fixed" => {
            for key in ["usage_calculation", "tiering"] {
                if obj.get(key).is_some() {
                    found.warn(
                        &obj.at(key),
                        Code::IgnoredField,
                        format!("{key:?} has no effect on a fixed price"),
                    );
                }
            }
            PriceKind::Fixed(read_fixed_pricing(found, obj))
        }
        _ => PriceKind::Usage(read_usage_price(found, obj)),
    };
    Some(Price {
        id,
        name: name.unwrap_or_default().to_string(),
        kind,
        path: obj.path.clone(),
    })
}

fn read_billing_model(found: &mut Found, obj: &Obj<'_>, price_type: Option<&str>) {
    let Some(model) = obj.req_obj(found, "billing_model") else {
        return;
    };
    model.known_fields(found, &["type", "recurring", "one_time"]);
    let allowed: &[&str] = match price_type {
        Some("fixed") => &["one_time", "recurring"],
        _ => &["real_time", "recurring", "one_time"],
    };
    match model.req_enum(found, "type", allowed) {
        Some("recurring") => {
            if let Some(rec) = model.req_obj(found, "recurring") {
                rec.known_fields(found, &["interval", "interval_count"]);
                rec.req_enum(found, "interval", &["day", "week", "month", "year"]);
                if rec.opt_uint(
                    found,
                    "interval_count",
                    u64::from(u32::MAX),
                    Code::InvalidValue,
                ) == Some(0)
                {
                    found.error(
                        &rec.at("interval_count"),
                        Code::InvalidValue,
                        "\"interval_count\" must be at least 1",
                    );
                }
            }
        }
        Some("one_time") => {
            if let Some(one) = model.opt_obj(found, "one_time") {
                one.known_fields(found, &["service_period"]);
                if let Some(p) = one.opt_str(found, "service_period") {
                    if !is_iso_duration(p) {
                        found.error(
                            &one.at("service_period"),
                            Code::InvalidValue,
                            format!("{p:?} is not an ISO 8601 duration such as \"P3M\""),
                        );
                    }
                }
            }
        }
        _ => {}
    }
}

/// `P[nY][nM][nW][nD][T[nH][nM][nS]]` with at least one part.
fn is_iso_duration(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let parts_ok = |s: &str, units: &str| {
        let mut digits = 0;
        let mut parts = 0;
        for c in s.chars() {
            if c.is_ascii_digit() {
                digits += 1;
            } else if units.contains(c) && digits > 0 {
                digits = 0;
                parts += 1;
            } else {
                return None;
            }
        }
        (digits == 0).then_some(parts)
    };
    match (parts_ok(date, "YMWD"), time.map(|t| parts_ok(t, "HMS"))) {
        (Some(d), None) => d > 0,
        (Some(_), Some(Some(t))) => t > 0,
        _ => false,
    }
}

fn read_collection(found: &mut Found, obj: &Obj<'_>) {
    let Some(c) = obj.opt_obj(found, "collection") else {
        return;
    };
    c.known_fields(found, &["type", "address", "timing"]);
    c.req_enum(found, "type", &["balance", "invoice"]);
    c.opt_str(found, "address");
    c.opt_enum(found, "timing", &["in_advance", "in_arrears"]);
}

fn read_funding(found: &mut Found, obj: &Obj<'_>) {
    let Some(f) = obj.opt_obj(found, "funding_destination") else {
        return;
    };
    f.known_fields(found, &["address", "currency", "exchange_rate"]);
    f.req_str(found, "address");
    f.opt_str(found, "currency");
    f.opt_positive(found, "exchange_rate", Code::InvalidRate);
}

fn read_usage_price(found: &mut Found, obj: &Obj<'_>) -> UsagePrice {
    let calc = obj.req_obj(found, "usage_calculation");
    let mut event_type = None;
    let mut usage_type = None;
    let mut volume_field = None;
    let mut volume_expr = None;
    let mut unit_expr = None;
    let mut custom = false;
    // Whether each aggregation is an expression (a string other than `count` / `sum`), whether
    // or not it parses.
    let (mut units_expressed, mut volume_expressed) = (false, false);
    let mut dims = Vec::new();
    if let Some(calc) = &calc {
        calc.known_fields(
            found,
            &[
                "event_type",
                "usage_type",
                "unit_aggregation",
                "volume_field",
                "volume_aggregation",
                "billable_dimensions",
                "source_reference_field",
            ],
        );
        event_type = calc.req_str(found, "event_type");
        usage_type = match calc.req_enum(
            found,
            "usage_type",
            &["unit", "volume", "unit_and_volume", "custom"],
        ) {
            Some("unit") => Some(UsageType::Unit),
            Some("volume") => Some(UsageType::Volume),
            Some("unit_and_volume") => Some(UsageType::UnitAndVolume),
            Some(_) => Some(UsageType::Custom),
            None => None,
        };
        if let Some(agg) = calc
            .opt_str(found, "unit_aggregation")
            .filter(|a| *a != "count")
        {
            units_expressed = true;
            unit_expr = read_expression(found, &calc.at("unit_aggregation"), agg);
        }
        if let Some(agg) = calc
            .opt_str(found, "volume_aggregation")
            .filter(|a| *a != "sum")
        {
            volume_expressed = true;
            volume_expr = read_expression(found, &calc.at("volume_aggregation"), agg);
        }
        // A custom usage is what its expressions compute: the volume from `volume_aggregation`,
        // the units from `unit_aggregation`, or both. It is priced as the usage type with
        // those parts and reported as `custom`.
        if usage_type == Some(UsageType::Custom) {
            custom = true;
            usage_type = match (volume_expressed, units_expressed) {
                (true, false) => Some(UsageType::Volume),
                (false, true) => Some(UsageType::Unit),
                (true, true) => Some(UsageType::UnitAndVolume),
                (false, false) => {
                    found.error(
                        &calc.at("usage_type"),
                        Code::UnsupportedUsageType,
                        "a custom usage type takes its usage from a volume_aggregation or unit_aggregation expression, and this price has neither",
                    );
                    // Nothing says how to price it: its values are checked as no usage type's are.
                    None
                }
            };
        }
        volume_field = calc.opt_str(found, "volume_field");
        calc.opt_str(found, "source_reference_field");
        if let Some(list) = calc.opt_array(found, "billable_dimensions") {
            if list.len() > limits::DIMENSION_KEYS {
                found.error(
                    &calc.at("billable_dimensions"),
                    Code::LimitExceeded,
                    format!(
                        "{} billable dimensions; ratecard reads at most {}",
                        list.len(),
                        limits::DIMENSION_KEYS
                    ),
                );
            }
            for (i, d) in list.iter().take(limits::DIMENSION_KEYS).enumerate() {
                let path = index(&calc.at("billable_dimensions"), i);
                match d.as_str() {
                    Some(s) if s.len() > limits::STRING_BYTES => {
                        found.error(&path, Code::LimitExceeded, limits::long_string(s));
                    }
                    Some(s) if !s.is_empty() => dims.push(s.to_string()),
                    Some(_) => found.error(
                        &path,
                        Code::InvalidValue,
                        "a billable dimension must not be empty",
                    ),
                    None => found.error(
                        &path,
                        Code::InvalidType,
                        "a billable dimension is a string (a key of the event's data)",
                    ),
                }
            }
        }
        let expressions = [
            ("volume_aggregation", &volume_expr),
            ("unit_aggregation", &unit_expr),
        ];
        for (key, expr) in expressions {
            let Some(expr) = expr else {
                continue;
            };
            for field in expr.fields.iter().filter(|f| dims.contains(f)) {
                found.warn(
                    &calc.at(key),
                    Code::ExpressionReadsDimension,
                    format!("the expression reads {field:?}, a billable dimension: its value picks the price and sizes the usage"),
                );
            }
        }
        if let Some(u) = usage_type {
            if u.has_volume()
                && !volume_expressed
                && volume_field.is_none()
                && calc.get("volume_field").is_none()
            {
                found.error(
                    &calc.at("volume_field"),
                    Code::MissingVolumeField,
                    format!("a {} price needs \"volume_field\": the key of the event's data that holds the volume", u.as_str()),
                );
            }
            if !u.has_volume() && volume_field.is_some() {
                found.warn(
                    &calc.at("volume_field"),
                    Code::IgnoredField,
                    "a unit price has no volume; volume_field is ignored",
                );
            }
        }
    }
    let pricing_model = match obj.opt_enum(
        found,
        "pricing_model",
        &["flat", "tiered", "bulk", "package"],
    ) {
        Some("tiered") => PricingModel::Tiered,
        Some("bulk") => PricingModel::Bulk,
        Some("package") => PricingModel::Package,
        _ => PricingModel::Flat,
    };
    if unit_expr.is_some() && usage_type == Some(UsageType::Volume) {
        let path = crate::issue::join_path(&obj.at("usage_calculation"), "unit_aggregation");
        found.warn(
            &path,
            Code::IgnoredField,
            "a volume price has no unit part; unit_aggregation is ignored",
        );
    }
    let (tier_basis, tier_period) = read_tiering(
        found,
        obj,
        usage_type,
        pricing_model,
        (volume_expressed, units_expressed),
    );
    if pricing_model == PricingModel::Package && usage_type == Some(UsageType::Unit) {
        found.warn(
            &obj.at("pricing_model"),
            Code::IgnoredField,
            "package pricing packs volume; a unit price has none",
        );
    }
    let pricing = read_pricing_list(found, obj, usage_type, pricing_model, &dims);
    // Missing parts are already errors; the placeholders let the pricing and the references be
    // checked too (an invalid catalog never reaches an engine).
    UsagePrice {
        event_type: event_type.unwrap_or_default().to_string(),
        usage_type: usage_type.unwrap_or(UsageType::Unit),
        custom,
        volume_field: volume_field.map(str::to_string),
        volume_expr,
        unit_expr,
        billable_dimensions: dims,
        pricing_model,
        tier_basis,
        tier_period,
        pricing,
    }
}

fn read_tiering(
    found: &mut Found,
    obj: &Obj<'_>,
    usage_type: Option<UsageType>,
    model: PricingModel,
    (volume_expr, unit_expr): (bool, bool),
) -> (TierBasis, TierPeriod) {
    let default_basis = match usage_type {
        Some(u) if u.has_volume() => TierBasis::Volume,
        _ => TierBasis::Unit,
    };
    let Some(t) = obj.opt_obj(found, "tiering") else {
        return (default_basis, TierPeriod::Monthly);
    };
    t.known_fields(found, &["basis", "period"]);
    if !model.has_tiers() {
        found.warn(
            &t.path,
            Code::IgnoredField,
            format!("tiering has no effect on a {} price", model.as_str()),
        );
    }
    let has_volume = usage_type.is_some_and(UsageType::has_volume);
    let basis = match t.opt_enum(found, "basis", &["unit", "volume", "package", "custom"]) {
        Some("unit") => TierBasis::Unit,
        Some("volume") => TierBasis::Volume,
        Some("package") => TierBasis::Package,
        // The usage the price's expressions compute: the volume expression's value, else the
        // units the unit expression counts.
        Some(_) if volume_expr && has_volume => TierBasis::Volume,
        Some(_) if unit_expr => TierBasis::Unit,
        Some(_) => {
            found.error(
                &t.at("basis"),
                Code::UnsupportedTiering,
                "a custom tiering basis counts the usage the price's volume_aggregation or unit_aggregation expression computes, and this price has neither",
            );
            default_basis
        }
        None => default_basis,
    };
    if basis != TierBasis::Unit && usage_type == Some(UsageType::Unit) {
        found.error(
            &t.at("basis"),
            Code::InvalidValue,
            "a unit price has no volume to tier by; use basis \"unit\"",
        );
    }
    let period = match t.opt_enum(
        found,
        "period",
        &["lifetime", "monthly", "quarterly", "yearly", "custom"],
    ) {
        Some("lifetime") => TierPeriod::Lifetime,
        Some("quarterly") => TierPeriod::Quarterly,
        Some("yearly") => TierPeriod::Yearly,
        Some("custom") => {
            found.error(
                &t.at("period"),
                Code::UnsupportedTiering,
                "a custom tiering period cannot be evaluated by ratecard yet",
            );
            TierPeriod::Monthly
        }
        _ => TierPeriod::Monthly,
    };
    (basis, period)
}

fn read_fixed_pricing(found: &mut Found, obj: &Obj<'_>) -> Vec<FixedPricing> {
    let Some(list) = obj.req_array(found, "pricing") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let base = obj.at("pricing");
    for (i, item) in list.iter().enumerate() {
        let path = index(&base, i);
        let Some(p) = Obj::of(found, item, &path) else {
            continue;
        };
        p.known_fields(found, &["asset", "values"]);
        let asset = p.req_str(found, "asset");
        if let Some(values) = p.req_array(found, "values") {
            if values.is_empty() {
                found.error(
                    &p.at("values"),
                    Code::EmptyList,
                    "a fixed price needs at least one value",
                );
            }
            for (j, v) in values.iter().enumerate() {
                let Some(v) = Obj::of(found, v, &index(&p.at("values"), j)) else {
                    continue;
                };
                v.known_fields(found, &["name", "unit_price", "quantity", "description"]);
                v.opt_str(found, "name");
                if v.get("unit_price").is_none() {
                    found.error(
                        &v.at("unit_price"),
                        Code::MissingPrice,
                        "a fixed price value needs \"unit_price\"",
                    );
                }
                v.opt_non_negative(found, "unit_price");
                v.opt_positive(found, "quantity", Code::InvalidValue);
            }
        }
        if let Some(asset) = asset {
            out.push(FixedPricing {
                asset: asset.to_string(),
                path,
            });
        }
    }
    out
}

fn read_entitlement(found: &mut Found, obj: &Obj<'_>) -> Option<Entitlement> {
    obj.known_fields(
        found,
        &[
            "name",
            "asset",
            "amount",
            "purpose",
            "lifecycle",
            "refresh",
            "accounting",
            "priority",
            "description",
        ],
    );
    let name = obj.req_str(found, "name");
    let asset = obj.req_str(found, "asset");
    if obj.get("amount").is_none() {
        found.error(
            &obj.at("amount"),
            Code::MissingField,
            "\"amount\" is required",
        );
    }
    let amount = obj.opt_non_negative(found, "amount");
    let purpose = obj.req_enum(found, "purpose", &["bundled", "promotion"]);
    // Two published shapes: `lifecycle: {duration, duration_count?, refresh?: {strategy}}`, and
    // an older one with `refresh: {interval, strategy}` at the top level.
    let mut every = None;
    let mut refresh = None;
    if let Some(old) = obj.opt_obj(found, "refresh") {
        old.known_fields(found, &["interval", "strategy"]);
        every = old
            .opt_enum(found, "interval", &UNITS)
            .map(|unit| Every { unit, count: 1 });
        refresh = read_strategy(found, &old);
    }
    let life = match (obj.get("lifecycle"), every) {
        (None, Some(_)) => None,
        _ => obj.req_obj(found, "lifecycle"),
    };
    if let Some(life) = life {
        life.known_fields(found, &["duration", "duration_count", "refresh"]);
        let unit = life.req_enum(found, "duration", &UNITS);
        let count = life.opt_uint(
            found,
            "duration_count",
            u64::from(u32::MAX),
            Code::InvalidValue,
        );
        if count == Some(0) {
            found.error(
                &life.at("duration_count"),
                Code::InvalidValue,
                "\"duration_count\" must be at least 1",
            );
        }
        let count = u32::try_from(count.unwrap_or(1)).unwrap_or(1).max(1);
        every = unit.map(|unit| Every { unit, count });
        if let Some(r) = life.opt_obj(found, "refresh") {
            r.known_fields(found, &["strategy"]);
            refresh = read_strategy(found, &r);
        }
    }
    if let Some(acc) = obj.opt_obj(found, "accounting") {
        acc.known_fields(found, &["revenue_basis", "cost_basis"]);
        acc.opt_decimal(found, "revenue_basis");
        if let Some(cb) = acc.get("cost_basis") {
            if !(cb.as_str() == Some("auto") || cb.is_number() || cb.is_string()) {
                found.error(
                    &acc.at("cost_basis"),
                    Code::InvalidType,
                    "cost_basis is \"auto\" or a decimal",
                );
            }
        }
    }
    let priority = obj.opt_uint(found, "priority", u64::from(u32::MAX), Code::InvalidValue);
    Some(Entitlement {
        name: name.unwrap_or_default().to_string(),
        asset: asset.unwrap_or_default().to_string(),
        amount: amount.unwrap_or_default(),
        purpose: purpose.unwrap_or("bundled"),
        every: every.unwrap_or(Every {
            unit: "month",
            count: 1,
        }),
        refresh,
        priority,
        path: obj.path.clone(),
    })
}

fn read_strategy(found: &mut Found, obj: &Obj<'_>) -> Option<Refresh> {
    match obj.req_enum(found, "strategy", &["expire_and_replace", "rollover"])? {
        "rollover" => Some(Refresh::Rollover),
        _ => Some(Refresh::ExpireAndReplace),
    }
}

/// An aggregation expression, or the catalog error that says where it does not parse.
fn read_expression(
    found: &mut Found,
    path: &str,
    text: &str,
) -> Option<Box<crate::expression::Expr>> {
    match crate::expression::Expr::parse(text) {
        Ok(expr) => Some(Box::new(expr)),
        Err(e) => {
            let code = if e.limit {
                Code::LimitExceeded
            } else {
                Code::InvalidExpression
            };
            found.error(path, code, format!("at position {}: {}", e.at, e.message));
            None
        }
    }
}

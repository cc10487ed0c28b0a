//! A price's values: plain price values, tiers, or dimensional prices, read and checked.

use super::reader::{index, Found, Obj};
use crate::issue::Code;
use crate::limits;
use crate::pricing::dimensions::{ties, DimValue, DimensionalPrice, Values};
use crate::pricing::price::PriceValue;
use crate::pricing::{PricingModel, UsageType};
use rust_decimal::Decimal;
use serde_json::Value;

/// One entry of a price's `pricing`: its values in one asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pricing {
    /// The asset code as written here; the catalog resolves it.
    pub asset: String,
    pub values: Values,
    pub path: String,
}

pub(super) fn read_pricing_list(
    found: &mut Found,
    obj: &Obj<'_>,
    usage_type: Option<UsageType>,
    model: PricingModel,
    dims: &[String],
) -> Vec<Pricing> {
    let Some(list) = obj.req_array(found, "pricing") else {
        return Vec::new();
    };
    if list.is_empty() {
        found.error(
            &obj.at("pricing"),
            Code::EmptyList,
            "a price needs at least one pricing entry",
        );
    }
    if list.len() > 1 {
        found.warn(
            &obj.at("pricing"),
            Code::AlternativePricing,
            "this price lists several assets: ratecard quotes a fee in each, the billing API charges the customer in one",
        );
    }
    let mut out: Vec<Pricing> = Vec::new();
    let base = obj.at("pricing");
    for (i, item) in list.iter().enumerate() {
        let path = index(&base, i);
        let Some(p) = Obj::of(found, item, &path) else {
            continue;
        };
        p.known_fields(found, &["asset", "values"]);
        let asset = p.req_str(found, "asset");
        let values = p
            .req_array(found, "values")
            .map(|v| read_values(found, v, &p.at("values"), usage_type, model, dims));
        if let Some(asset) = asset {
            if out.iter().any(|o| o.asset.eq_ignore_ascii_case(asset)) {
                found.error(
                    &p.at("asset"),
                    Code::DuplicatePricingAsset,
                    format!("asset {asset:?} is priced twice in this price"),
                );
            }
        }
        if let (Some(asset), Some(values)) = (asset, values) {
            out.push(Pricing {
                asset: asset.to_string(),
                values,
                path,
            });
        }
    }
    out
}

fn read_values(
    found: &mut Found,
    list: &[Value],
    path: &str,
    usage_type: Option<UsageType>,
    model: PricingModel,
    dims: &[String],
) -> Values {
    if list.is_empty() {
        found.warn(
            path,
            Code::UnmatchablePrice,
            "no values: no event can be priced by this entry",
        );
        return Values::Plain(Vec::new());
    }
    let dimensional = list
        .iter()
        .filter(|v| v.get("dimensions").is_some())
        .count();
    if dimensional > 0 && dimensional < list.len() {
        found.error(
            path,
            Code::MixedValues,
            "a values list holds either price values or dimensional prices, not both",
        );
        return Values::Plain(Vec::new());
    }
    if dimensional == 0 {
        return Values::Plain(read_value_list(found, list, path, usage_type, model));
    }
    let mut out = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let item_path = index(path, i);
        let Some(obj) = Obj::of(found, item, &item_path) else {
            continue;
        };
        obj.known_fields(found, &["name", "dimensions", "values"]);
        let name = obj.opt_str(found, "name").map(str::to_string);
        let mut pattern = Vec::new();
        if let Some(d) = obj.req_obj(found, "dimensions") {
            for (key, value) in d.map {
                match value.as_str() {
                    _ if key.len() > limits::STRING_BYTES => {
                        found.error(&d.path, Code::LimitExceeded, limits::long_string(key));
                    }
                    Some(s) if s.len() > limits::STRING_BYTES => {
                        found.error(&d.at(key), Code::LimitExceeded, limits::long_string(s));
                    }
                    Some("*") => pattern.push((key.clone(), DimValue::Any)),
                    Some(s) => pattern.push((key.clone(), DimValue::Exact(s.to_string()))),
                    None => found.error(
                        &d.at(key),
                        Code::InvalidType,
                        "a dimension value is a string (\"*\" for any value)",
                    ),
                }
                if !dims.iter().any(|k| k == key) {
                    found.warn(
                        &d.at(key),
                        Code::UnlistedDimension,
                        format!("dimension {key:?} is not listed in billable_dimensions; ratecard still matches on it"),
                    );
                }
            }
        }
        let values = match obj.req_array(found, "values") {
            Some(v) if v.is_empty() => {
                found.warn(
                    &obj.at("values"),
                    Code::UnmatchablePrice,
                    "no values: events matching these dimensions get no fee",
                );
                Vec::new()
            }
            Some(v) => read_value_list(found, v, &obj.at("values"), usage_type, model),
            None => Vec::new(),
        };
        out.push(DimensionalPrice::new(name, pattern, values, item_path));
    }
    let values = Values::dimensional(out);
    if let Values::Dimensional { prices, keys } = &values {
        if keys.len() > limits::DIMENSION_KEYS {
            found.error(
                path,
                Code::LimitExceeded,
                format!(
                    "these dimensional prices match on {} keys; ratecard reads at most {}",
                    keys.len(),
                    limits::DIMENSION_KEYS
                ),
            );
        } else {
            let mut budget = found.pairs_left;
            let found_ties = ties(prices, &mut budget);
            found.pairs_left = budget;
            report_ties(found, prices, path, found_ties);
        }
    }
    values
}

const VALUE_FIELDS: &[&str] = &[
    "name",
    "up_to",
    "unit_price",
    "volume_rate",
    "package_size",
    "max_amount",
    "min_amount",
    "description",
];

fn read_value_list(
    found: &mut Found,
    list: &[Value],
    path: &str,
    usage_type: Option<UsageType>,
    model: PricingModel,
) -> Vec<PriceValue> {
    if model.has_tiers() && list.len() > limits::TIERS {
        found.error(
            path,
            Code::LimitExceeded,
            format!(
                "{} tiers; ratecard reads at most {} tiers a price",
                list.len(),
                limits::TIERS
            ),
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let item_path = index(path, i);
        let Some(obj) = Obj::of(found, item, &item_path) else {
            continue;
        };
        if let Some(v) = read_value(found, &obj, usage_type, model) {
            out.push(v);
        }
    }
    if model.has_tiers() {
        check_tiers(found, &out);
    } else if list.len() > 1 {
        found.error(
            path,
            Code::MultipleValues,
            format!(
                "a {} price takes one value; use pricing_model \"tiered\" or \"bulk\" for tiers",
                model.as_str()
            ),
        );
    }
    out
}

fn read_value(
    found: &mut Found,
    obj: &Obj<'_>,
    usage_type: Option<UsageType>,
    model: PricingModel,
) -> Option<PriceValue> {
    obj.known_fields(found, VALUE_FIELDS);
    let before = found.errors.len();
    let name = obj.opt_str(found, "name").map(str::to_string);
    let up_to = obj.opt_positive(found, "up_to", Code::InvalidValue);
    let unit_price = obj.opt_non_negative(found, "unit_price");
    let volume_rate = obj.opt_non_negative(found, "volume_rate");
    let package_size = obj.opt_positive(found, "package_size", Code::InvalidValue);
    let min_amount = obj.opt_non_negative(found, "min_amount");
    let max_amount = obj.opt_non_negative(found, "max_amount");
    if let (Some(min), Some(max)) = (min_amount, max_amount) {
        if min > max {
            found.error(
                &obj.at("min_amount"),
                Code::MinExceedsMax,
                format!("min_amount {min} is greater than max_amount {max}"),
            );
        }
    }
    if up_to.is_some() && !model.has_tiers() {
        found.warn(
            &obj.at("up_to"),
            Code::IgnoredField,
            format!("up_to bounds a tier; a {} price has none", model.as_str()),
        );
    }
    match usage_type {
        Some(UsageType::Unit) => {
            if obj.get("unit_price").is_none() {
                found.error(
                    &obj.at("unit_price"),
                    Code::MissingPrice,
                    "a unit price needs \"unit_price\"",
                );
            }
            for key in ["volume_rate", "package_size"] {
                if obj.get(key).is_some() {
                    found.warn(
                        &obj.at(key),
                        Code::IgnoredField,
                        format!("{key} has no effect on a unit price"),
                    );
                }
            }
        }
        Some(UsageType::Volume | UsageType::Custom) => {
            if obj.get("volume_rate").is_none() {
                found.error(
                    &obj.at("volume_rate"),
                    Code::MissingPrice,
                    "a volume price needs \"volume_rate\"",
                );
            }
            if obj.get("unit_price").is_some() {
                found.warn(&obj.at("unit_price"), Code::IgnoredField, "unit_price has no effect on a volume price; use usage_type \"unit_and_volume\"");
            }
        }
        Some(UsageType::UnitAndVolume)
            if obj.get("unit_price").is_none() && obj.get("volume_rate").is_none() =>
        {
            found.error(
                &obj.path,
                Code::MissingPrice,
                "a unit_and_volume price needs \"unit_price\", \"volume_rate\" or both",
            );
        }
        _ => {}
    }
    if found.errors.len() > before {
        return None;
    }
    Some(PriceValue {
        name,
        up_to,
        unit_price,
        volume_rate,
        package_size,
        min_amount,
        max_amount,
        path: obj.path.clone(),
    })
}

/// Tier bounds must strictly increase; a tier after an unbounded one can never be reached; a
/// bounded last tier also prices the usage past its bound (said as a warning: a catalog that
/// means "nothing past this" says it with an unbounded tier of price zero).
fn check_tiers(found: &mut Found, tiers: &[PriceValue]) {
    let mut last: Option<Decimal> = None;
    let mut unbounded_at: Option<&str> = None;
    for tier in tiers {
        if let Some(open) = unbounded_at {
            found.warn(
                &tier.path,
                Code::UnreachableTier,
                format!("this tier follows the unbounded tier {open}, so no usage reaches it"),
            );
            continue;
        }
        match tier.up_to {
            None => unbounded_at = Some(&tier.path),
            Some(up) => {
                if let Some(prev) = last {
                    if up <= prev {
                        found.error(
                            &format!("{}.up_to", tier.path),
                            Code::TierOrder,
                            format!("up_to {up} must be greater than the previous tier's {prev}"),
                        );
                    }
                }
                last = Some(last.map_or(up, |p| p.max(up)));
            }
        }
    }
    if let (None, Some(tier)) = (unbounded_at, tiers.last()) {
        if let Some(bound) = tier.up_to {
            found.warn(
                &format!("{}.up_to", tier.path),
                Code::BoundedLastTier,
                format!("the last tier ends at {bound}; usage past it is priced at this tier (end with an unbounded tier to price it otherwise)"),
            );
        }
    }
}

/// Reports ties between dimensional prices (`pricing/dimensions.rs`) at the later price of each
/// pair: the first hundred one by one, the rest counted in one more issue (a million pairs are
/// one mistake, not a million); `None` (the tie check's budget ran out) is one
/// `limit_exceeded`.
fn report_ties(
    found: &mut Found,
    prices: &[DimensionalPrice],
    path: &str,
    ties: Option<Vec<(usize, usize)>>,
) {
    let Some(ties) = ties else {
        found.error(
            path,
            Code::LimitExceeded,
            format!(
                "these dimensional prices can match the same events in more than {} ways, too many to check for ties; use fewer wildcard combinations",
                limits::DIMENSION_PAIRS
            ),
        );
        return;
    };
    let more = ties.len().saturating_sub(limits::TIES_REPORTED);
    for (a, b) in ties.into_iter().take(limits::TIES_REPORTED) {
        let (Some(a), Some(b)) = (prices.get(a), prices.get(b)) else {
            continue;
        };
        found.error(
            &b.path,
            Code::AmbiguousDimensions,
            format!(
                "an event with {} matches both this and {} equally well; add a more specific dimensional price or change one",
                describe(&a.merged(b)),
                a.path
            ),
        );
    }
    if more > 0 {
        found.error(
            path,
            Code::AmbiguousDimensions,
            format!("and {more} more pairs of these dimensional prices tie as the ones above do"),
        );
    }
}

fn describe(pattern: &[(String, String)]) -> String {
    if pattern.is_empty() {
        return "any data".to_string();
    }
    pattern
        .iter()
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

//! The grants a product's entitlements give a new subscriber, as the billing API's wallet JSON:
//! a preview can start from "a new Premium subscriber" and draw a month of events from it.
//!
//! Each entitlement gives `amount` at the start of its first period, the subscription's start.
//! Without `refresh` that is the only grant, and it expires when its period ends. With
//! `expire_and_replace`, each period's grant expires at the period's end and a new one starts
//! there; with `rollover`, a new one starts there too and the unused rest of the earlier ones
//! carries over (they do not expire: the billing API publishes no cap). Periods are counted
//! from the start (the 31st stays the 31st where a month has one), up to `until`.

use crate::catalog::product::{Entitlement, Refresh};
use crate::engine::Engine;
use crate::instant::Instant;
use crate::issue::{Code, Error, ErrorKind};
use crate::number::Amount;
use serde_json::{json, Value};

/// More grants than this from one entitlement are refused (`limit_exceeded` at `until`).
const GRANTS: u64 = 1_000;

impl Engine {
    /// The wallet of a new subscriber of `product` (its code) who subscribed at `at`, with every
    /// grant its entitlements give until `until` (default: their first period alone), in the
    /// shape [`Engine::read_wallet`] reads. `available` is the sum of the grants listed, each in
    /// effect from its period's start.
    pub fn entitlements(
        &self,
        product: &str,
        at: Instant,
        until: Option<Instant>,
    ) -> Result<Value, Error> {
        let bad = |path: &str, code: Code, message: String| {
            Error::one(ErrorKind::InvalidArgument, path, code, message)
        };
        let Some(found) = self
            .catalog()
            .products
            .iter()
            .find(|p| p.code.eq_ignore_ascii_case(product))
        else {
            return Err(bad(
                "product",
                Code::UnknownProduct,
                format!("the catalog has no product {product:?}"),
            ));
        };
        if until.is_some_and(|u| u <= at) {
            return Err(bad(
                "until",
                Code::InvalidValue,
                format!("`until` must be after `at` ({at})"),
            ));
        }
        let mut accounts: Vec<(String, u32, Vec<Value>, rust_decimal::Decimal)> = Vec::new();
        for e in &found.entitlements {
            let info = self.asset_info(&e.asset).ok_or_else(|| {
                bad(
                    &e.path,
                    Code::UnknownAsset,
                    format!("unknown asset {:?}", e.asset),
                )
            })?;
            let code = info.code.clone();
            let slot = match accounts.iter().position(|a| a.0 == code) {
                Some(i) => i,
                None => {
                    accounts.push((
                        code,
                        info.precision,
                        Vec::new(),
                        rust_decimal::Decimal::ZERO,
                    ));
                    accounts.len() - 1
                }
            };
            let Some((_, precision, grants, sum)) = accounts.get_mut(slot) else {
                continue;
            };
            for k in 0..GRANTS {
                let start = period(e, at, k)?;
                if k > 0 && (e.refresh.is_none() || until.is_none_or(|u| start >= u)) {
                    break;
                }
                if k + 1 == GRANTS {
                    return Err(bad(
                        "until",
                        Code::LimitExceeded,
                        format!("{} gives more than {GRANTS} grants by then", e.name),
                    ));
                }
                let expires = match e.refresh {
                    Some(Refresh::Rollover) => None,
                    _ => Some(period(e, at, k + 1)?),
                };
                *sum = super::plus(*sum, e.amount).ok_or_else(|| {
                    bad(
                        &e.path,
                        Code::DecimalOverflow,
                        "the grants do not add up within a decimal".into(),
                    )
                })?;
                grants.push(json!({
                    "id": format!("{}:{}:{}", found.code, e.name, k + 1),
                    "available": Amount::new(e.amount, *precision),
                    "purpose": e.purpose,
                    "priority": e.priority,
                    "effective_at": start,
                    "expires_at": expires,
                    "created_at": start,
                }));
            }
        }
        let accounts: Vec<Value> = accounts
            .into_iter()
            .map(|(code, precision, grants, sum)| {
                json!({
                    "id": format!("default:{code}"),
                    "name": "default",
                    "asset": code,
                    "available": Amount::new(sum, precision),
                    "grants": grants,
                })
            })
            .collect();
        Ok(json!({ "accounts": accounts }))
    }
}

/// The start of an entitlement's period `k` (0: the subscription's start).
fn period(e: &Entitlement, at: Instant, k: u64) -> Result<Instant, Error> {
    let n = i64::try_from(k)
        .ok()
        .and_then(|k| k.checked_mul(i64::from(e.every.count)));
    let t = n.and_then(|n| match e.every.unit {
        "day" => at.plus_days(n),
        "week" => at.plus_days(n.checked_mul(7)?),
        "year" => at.plus_months(n.checked_mul(12)?),
        _ => at.plus_months(n),
    });
    t.ok_or_else(|| {
        Error::one(
            ErrorKind::InvalidArgument,
            "until",
            Code::LimitExceeded,
            "a period ends past the year 9999",
        )
    })
}

impl Engine {
    /// [`Engine::entitlements`] as JSON text, for the bindings.
    pub fn entitlements_json(
        &self,
        product: &str,
        at: Instant,
        until: Option<Instant>,
    ) -> Result<String, Error> {
        super::to_json(&self.entitlements(product, at, until)?)
    }
}

//! Wallets: a customer's balance per asset, made of credit grants, read from the billing
//! API's own JSON and checked like a catalog (every problem at once, each with its path).
//!
//! The shapes are the billing API's: `{accounts: [{id, name, asset, available, pending_in?,
//! pending_out?, grants?}]}`, where `grants` is a list of grants or the grants page `{items,
//! total_count, ...}` exactly as returned. What a preview does with a wallet is in
//! `preview.rs`; the order grants are drawn in is [`Grant::draw_key`].

mod capacity;
mod entitlements;
mod options;
mod preview;
mod top_up;

pub use capacity::{Buys, Capacity, VolumeFit};
pub use options::{AutoTopUp, Overdraft, PreviewOptions};
pub use preview::{AccountAfter, AutoTopUpMade, Draw, Preview, PreviewEvent};
pub use top_up::TopUp;

use crate::catalog::reader::{index, Found, Obj};
use crate::engine::Engine;
use crate::instant::Instant;
use crate::issue::{Code, Error, ErrorKind, Issue};
use rust_decimal::Decimal;
use serde_json::Value;

/// A customer's wallet: one account per asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wallet {
    pub accounts: Vec<Account>,
}

/// One account: a balance in one asset, and the grants it is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// As given, else `{name}:{ASSET}` as the billing API writes it (`default:CREDIT`).
    pub id: String,
    /// The asset's code as the engine spells it.
    pub asset: String,
    /// The balance; negative when overdrawn.
    pub available: Decimal,
    /// Grants in the order they are drawn ([`Grant::draw_key`]).
    pub grants: Vec<Grant>,
}

/// Why a grant was given; promotional credit is drawn before bundled, bundled before paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Purpose {
    Promotion,
    Bundled,
    Paid,
    /// A purpose ratecard does not know (an `unknown_purpose` warning): drawn after the others.
    Other,
}

impl Purpose {
    fn read(text: &str) -> Purpose {
        match text {
            "promotion" | "promotional" => Purpose::Promotion,
            "bundled" => Purpose::Bundled,
            "paid" => Purpose::Paid,
            _ => Purpose::Other,
        }
    }
}

/// A credit grant of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: String,
    /// What the grant still holds.
    pub available: Decimal,
    pub purpose: Purpose,
    /// Lower numbers are drawn first; none is drawn after every number.
    pub priority: Option<i64>,
    /// `None`: in effect since always.
    pub effective_at: Option<Instant>,
    /// `None`: never expires.
    pub expires_at: Option<Instant>,
    pub created_at: Option<Instant>,
}

impl Grant {
    /// Whether the grant can be drawn at `t`: in effect (`effective_at <= t`) and not expired
    /// (`t < expires_at`), half-open like a rate's validity.
    pub fn live_at(&self, t: Instant) -> bool {
        self.effective_at.is_none_or(|e| e <= t) && self.expires_at.is_none_or(|x| t < x)
    }

    /// The one drawdown order: explicit priority (lower first, none last), then purpose
    /// (promotion, bundled, paid, other), then sooner expiry (none last), then earlier
    /// `effective_at` (none first), then earlier `created_at` (none first), then `id`. The
    /// billing API says promotional credit goes before paid and expiring before non-expiring;
    /// the tie-breaks are ratecard's, so that one wallet always draws one way.
    pub fn draw_key(&self) -> impl Ord + '_ {
        (
            (self.priority.is_none(), self.priority),
            self.purpose,
            (self.expires_at.is_none(), self.expires_at),
            self.effective_at,
            self.created_at,
            self.id.as_str(),
        )
    }
}

/// The last wallet read, by its JSON text or JSON value. A page previews one wallet again and
/// again as its user changes an action, and reading the wallet is most of a small preview's
/// time (BENCHMARKS.md, "Wallet previews"): the same wallet is read once. A wallet that fails
/// to read is not kept. Tied to the engine it was read with.
#[derive(Debug, Default)]
pub struct WalletCache {
    key: Key,
    read: Option<(Wallet, Vec<Issue>)>,
}

/// What the cached wallet was read from.
#[derive(Debug, Default)]
enum Key {
    #[default]
    Nothing,
    /// JSON text (the JavaScript hosts).
    Text(String),
    /// A JSON value (the Python binding builds one from a dict).
    Value(Value),
}

impl WalletCache {
    /// The wallet of `text`, read by `engine` unless it is the text read last.
    pub fn read(&mut self, engine: &Engine, text: &str) -> Result<&(Wallet, Vec<Issue>), Error> {
        if !matches!(&self.key, Key::Text(t) if t == text) || self.read.is_none() {
            self.read = None;
            let read = engine.read_wallet_json(text)?;
            self.key = Key::Text(text.to_string());
            self.read = Some(read);
        }
        self.last()
    }

    /// The wallet of `value`, read by `engine` unless it equals the value read last.
    pub fn read_value(
        &mut self,
        engine: &Engine,
        value: Value,
    ) -> Result<&(Wallet, Vec<Issue>), Error> {
        if !matches!(&self.key, Key::Value(v) if *v == value) || self.read.is_none() {
            self.read = None;
            let read = engine.read_wallet(&value)?;
            self.key = Key::Value(value);
            self.read = Some(read);
        }
        self.last()
    }

    fn last(&self) -> Result<&(Wallet, Vec<Issue>), Error> {
        self.read.as_ref().ok_or_else(|| {
            Error::one(
                ErrorKind::InvalidArgument,
                "",
                Code::Internal,
                "no wallet read",
            )
        })
    }
}

/// Wallet arithmetic, each operation in one function. rust_decimal's operations are inlined
/// where they are written, a kilobyte or more of the browser's module each time (BENCHMARKS.md,
/// "Wallet previews"), so in WebAssembly they stay calls; natively (the CLI, the Node addon,
/// the Python wheel) they are inlined, which took a tenth off a preview's instructions.
/// `None` is an overflow.
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline)]
pub(crate) fn plus(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_add(b)
}

#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline)]
pub(crate) fn minus(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_sub(b)
}

/// `a < b`.
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline)]
pub(crate) fn below(a: Decimal, b: Decimal) -> bool {
    a < b
}

pub(crate) fn least(a: Decimal, b: Decimal) -> Decimal {
    if below(b, a) {
        b
    } else {
        a
    }
}

pub(crate) fn most(a: Decimal, b: Decimal) -> Decimal {
    if below(a, b) {
        b
    } else {
        a
    }
}

/// A wallet answer as the JSON text the bindings hand on (serializing plain data cannot fail;
/// if it did, that would be a bug, said as one).
pub(crate) fn to_json(value: &impl serde::Serialize) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| {
        Error::one(
            ErrorKind::InvalidArgument,
            "",
            Code::Internal,
            e.to_string(),
        )
    })
}

/// `d > 0`, from its sign and mantissa alone.
pub(crate) fn positive(d: Decimal) -> bool {
    !d.is_zero() && d.is_sign_positive()
}

const ACCOUNT_FIELDS: &[&str] = &[
    "id",
    "name",
    "asset",
    "available",
    "pending_in",
    "pending_out",
    "grants",
];
const GRANT_FIELDS: &[&str] = &[
    "id",
    "available",
    "purpose",
    "priority",
    "effective_at",
    "expires_at",
    "created_at",
];
const PAGE_FIELDS: &[&str] = &["items", "total_count", "limit", "offset"];

impl Engine {
    /// A preview of events as JSON text (an array, or one event) against a wallet read by
    /// [`Engine::read_wallet_json`] (or a [`WalletCache`]); the Preview as JSON text. Bad events
    /// fail it with every one's issues, as `quote_many` does.
    pub fn preview_json(
        &self,
        (wallet, warnings): &(Wallet, Vec<Issue>),
        events_json: &str,
        options: &PreviewOptions,
    ) -> Result<String, Error> {
        let warnings = warnings.clone();
        let events = crate::event::Event::each_from_json(events_json)?;
        let events = events.iter().map(Result::as_ref);
        let preview = self.preview_results(wallet, warnings, events, options)?;
        to_json(&preview)
    }

    /// [`Engine::read_wallet`] of JSON text.
    pub fn read_wallet_json(&self, text: &str) -> Result<(Wallet, Vec<Issue>), Error> {
        self.read_wallet(&crate::engine::parse_json(text)?)
    }

    /// Reads a wallet against this engine's assets: the wallet and its warnings, or an
    /// `invalid_wallet` error carrying every error found (and no warnings).
    pub fn read_wallet(&self, value: &Value) -> Result<(Wallet, Vec<Issue>), Error> {
        let mut found = Found::default();
        let wallet = read_wallet(self, &mut found, value);
        match wallet {
            Some(wallet) if found.errors.is_empty() => Ok((wallet, found.warnings)),
            _ => Err(Error::new(ErrorKind::InvalidWallet, found.errors)),
        }
    }
}

fn read_wallet(engine: &Engine, found: &mut Found, value: &Value) -> Option<Wallet> {
    let obj = Obj::of(found, value, "")?;
    obj.known_fields(found, &["accounts"]);
    let list = obj.req_array(found, "accounts")?;
    let mut accounts: Vec<Account> = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        let path = index("accounts", i);
        let Some(account) = read_account(engine, found, v, &path) else {
            continue;
        };
        if let Some(twin) = accounts.iter().position(|a| a.asset == account.asset) {
            found.error(
                &join(&path, "asset"),
                Code::DuplicateAccount,
                format!(
                    "accounts[{twin}] is already the {} account; a fee draws from one account per asset",
                    account.asset
                ),
            );
        }
        accounts.push(account);
    }
    Some(Wallet { accounts })
}

fn join(path: &str, key: &str) -> String {
    crate::issue::join_path(path, key)
}

fn read_account(engine: &Engine, found: &mut Found, value: &Value, path: &str) -> Option<Account> {
    let obj = Obj::of(found, value, path)?;
    obj.known_fields(found, ACCOUNT_FIELDS);
    let code = obj.req_str(found, "asset");
    let info = code.and_then(|code| {
        let info = engine.asset_info(code);
        if info.is_none() {
            found.error(
                &obj.at("asset"),
                Code::UnknownAsset,
                format!("{code:?} is neither an asset of this catalog nor an ISO 4217 currency"),
            );
        }
        info
    });
    let available = required_decimal(&obj, found, "available");
    for key in ["pending_in", "pending_out"] {
        // Read so that a malformed one is reported; their meaning is not published, so a
        // preview does not use them.
        obj.opt_decimal(found, key);
    }
    let name = obj.opt_str(found, "name").unwrap_or("default");
    let id = obj.opt_str(found, "id");
    let grants = read_grants(&obj, found);
    let (info, available) = (info?, available?);
    let precision = info.precision;
    let mut grants = grants?;
    excess_precision(
        found,
        &obj.at("available"),
        available,
        precision,
        &info.code,
    );
    for (i, g) in &grants {
        let at = join(&index(&obj.at("grants"), *i), "available");
        excess_precision(found, &at, g.available, precision, &info.code);
    }
    let held = grants
        .iter()
        .try_fold(Decimal::ZERO, |sum, (_, g)| plus(sum, g.available));
    match held {
        Some(held) if below(available, held) => found.error(
            &obj.at("grants"),
            Code::GrantsExceedBalance,
            format!(
                "the grants hold {held} {} but the account's available balance is {available}",
                info.code
            ),
        ),
        Some(_) => {}
        None => found.error(
            &obj.at("grants"),
            Code::DecimalOverflow,
            "the grants' balances do not add up within a decimal's 28 digits",
        ),
    }
    grants.sort_by(|(_, a), (_, b)| a.draw_key().cmp(&b.draw_key()));
    Some(Account {
        id: id.map_or_else(|| format!("{name}:{}", info.code), str::to_string),
        asset: info.code.clone(),
        available,
        grants: grants.into_iter().map(|(_, g)| g).collect(),
    })
}

fn required_decimal(obj: &Obj<'_>, found: &mut Found, key: &str) -> Option<Decimal> {
    if obj.get(key).is_none() {
        found.error(
            &obj.at(key),
            Code::MissingField,
            format!("{key:?} is required"),
        );
        return None;
    }
    obj.opt_decimal(found, key)
}

fn excess_precision(found: &mut Found, path: &str, value: Decimal, precision: u32, code: &str) {
    if value.normalize().scale() > precision {
        found.warn(
            path,
            Code::ExcessPrecision,
            format!("{value} has more than the {precision} decimal places of {code}; it is kept exactly, not rounded"),
        );
    }
}

/// The grants of an account (a list, or the grants page), each with its index as given.
fn read_grants(obj: &Obj<'_>, found: &mut Found) -> Option<Vec<(usize, Grant)>> {
    let Some(value) = obj.get("grants") else {
        return Some(Vec::new());
    };
    let (list, path) = match value {
        Value::Object(_) => {
            let page = obj.opt_obj(found, "grants")?;
            page.known_fields(found, PAGE_FIELDS);
            let items = page.req_array(found, "items")?;
            let total = page.opt_uint(found, "total_count", u64::MAX, Code::InvalidValue);
            if let Some(total) = total.filter(|t| *t > items.len() as u64) {
                found.warn(
                    &page.at("items"),
                    Code::PartialGrants,
                    format!(
                        "the page lists {} of {total} grants; what the others hold is drawn last, as grant-less balance (ask for every page, or a larger limit)",
                        items.len()
                    ),
                );
            }
            (items, page.at("items"))
        }
        _ => (obj.opt_array(found, "grants")?, obj.at("grants")),
    };
    let mut grants: Vec<(usize, Grant)> = Vec::with_capacity(list.len());
    let mut ok = true;
    for (i, v) in list.iter().enumerate() {
        let at = index(&path, i);
        match read_grant(found, v, &at) {
            Some(g) => {
                if let Some((j, _)) = grants.iter().find(|(_, other)| other.id == g.id) {
                    found.error(
                        &join(&at, "id"),
                        Code::DuplicateGrant,
                        format!("grant {:?} is listed twice (first at [{j}])", g.id),
                    );
                }
                grants.push((i, g));
            }
            None => ok = false,
        }
    }
    ok.then_some(grants)
}

fn read_grant(found: &mut Found, value: &Value, path: &str) -> Option<Grant> {
    let obj = Obj::of(found, value, path)?;
    obj.known_fields(found, GRANT_FIELDS);
    let id = obj.req_str(found, "id");
    let available = required_decimal(&obj, found, "available");
    if let Some(a) = available.filter(|a| a.is_sign_negative() && !a.is_zero()) {
        found.error(
            &obj.at("available"),
            Code::NegativeAmount,
            format!("a grant cannot hold a negative amount, got {a}"),
        );
    }
    let purpose = obj.req_str(found, "purpose").map(|p| {
        let purpose = Purpose::read(p);
        if purpose == Purpose::Other {
            let near = crate::issue::nearest(p, ["promotion", "bundled", "paid"]);
            let hint = near.map_or(String::new(), |k| format!("did you mean {k:?}? "));
            found.warn(
                &obj.at("purpose"),
                Code::UnknownPurpose,
                format!("unknown purpose {p:?}; {hint}it is drawn after promotion, bundled and paid grants"),
            );
        }
        purpose
    });
    let priority = match obj.get("priority") {
        None => None,
        Some(v) => match v.as_i64() {
            Some(p) => Some(p),
            None => {
                found.error(
                    &obj.at("priority"),
                    Code::InvalidType,
                    format!("expected an integer, found {v}"),
                );
                return None;
            }
        },
    };
    let effective_at = obj.opt_instant(found, "effective_at");
    let expires_at = obj.opt_instant(found, "expires_at");
    let created_at = obj.opt_instant(found, "created_at");
    Some(Grant {
        id: id?.to_string(),
        available: available.filter(|a| !a.is_sign_negative() || a.is_zero())?,
        purpose: purpose?,
        priority,
        effective_at,
        expires_at,
        created_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_reads_a_text_once_and_never_keeps_a_failure() {
        let engine = Engine::from_json(
            r#"{"assets": [{"code": "CR", "name": "Credits", "rates": [{"source": "USD", "rate": 1}]}], "products": []}"#,
        )
        .unwrap();
        let mut cache = WalletCache::default();
        let ten = r#"{"accounts": [{"asset": "CR", "available": "10"}]}"#;
        let first = cache.read(&engine, ten).unwrap() as *const _;
        assert_eq!(cache.read(&engine, ten).unwrap() as *const _, first);
        assert!(cache
            .read(
                &engine,
                r#"{"accounts": [{"asset": "GOLD", "available": "1"}]}"#
            )
            .is_err());
        assert!(cache.read.is_none());
        let (wallet, _) = cache.read(&engine, ten).unwrap();
        assert_eq!(wallet.accounts[0].available, Decimal::TEN);
    }
}

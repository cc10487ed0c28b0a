//! Preview options: the quote options, and what a preview adds to them.
//!
//! Wire form (JavaScript also reads the camelCase names `minTopUp`, `topUpCurrency`,
//! `autoTopUp`): `{...quote options, overdraft?: "allow" | "refuse" | {ASSET: limit},
//! min_top_up?: {ASSET: amount}, top_up_currency?: "USD" | {ASSET: "USD"}, auto_top_up?:
//! {ASSET: {threshold, amount, currency}}}`.

use crate::engine::Engine;
use crate::issue::{join_path, Code, Error, ErrorKind, Issue};
use crate::number::{decimal_from_value, type_name};
use crate::options::{QuoteOptions, Spelling};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// What happens to an event its balance cannot cover.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Overdraft {
    /// Charged in full, the balance going negative: the billing API's default.
    #[default]
    Allow,
    /// Not applied at all and marked refused, as a platform's hard limit would.
    Refuse,
    /// Per asset (engine's code), how far below zero a balance may go; an event that would
    /// take it further is refused. Assets not listed are allowed any overdraft.
    Limits(Vec<(String, Decimal)>),
}

impl Overdraft {
    /// How far below zero a balance of `asset` may go (`None`: without limit).
    pub fn limit(&self, asset: &str) -> Option<Decimal> {
        match self {
            Overdraft::Allow => None,
            Overdraft::Refuse => Some(Decimal::ZERO),
            Overdraft::Limits(list) => list.iter().find(|(a, _)| a == asset).map(|(_, l)| *l),
        }
    }
}

/// A simulated auto top-up of one asset: when the balance falls below `threshold` after an
/// event, `amount` of `currency` buys a paid grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoTopUp {
    pub threshold: Decimal,
    pub amount: Decimal,
    pub currency: String,
}

/// How to preview (and answer `affordable` and `buys`, which read the quote options and
/// `volume_step` alone): how to quote the events, and the wallet rules to apply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PreviewOptions {
    pub quote: QuoteOptions,
    pub overdraft: Overdraft,
    /// Per asset, the least a top-up may be, in its currency (a platform's minimum charge).
    pub min_top_up: Vec<(String, Decimal)>,
    /// The currency a top-up of an asset is paid in: one for all (`(None, "USD")`) or per asset.
    pub top_up_currency: Vec<(Option<String>, String)>,
    pub auto_top_up: Vec<(String, AutoTopUp)>,
    /// `affordable` and `buys`: the granularity of the largest volume (default 1).
    pub volume_step: Option<Decimal>,
}

/// Every preview option: its wire name and JavaScript's.
const NAMES: [(&str, &str); 5] = [
    ("overdraft", "overdraft"),
    ("volume_step", "volumeStep"),
    ("min_top_up", "minTopUp"),
    ("top_up_currency", "topUpCurrency"),
    ("auto_top_up", "autoTopUp"),
];

impl PreviewOptions {
    /// Reads the wire form against `engine` (asset codes are checked); the quote options are
    /// read as [`QuoteOptions::from_value_spelled`] reads them.
    pub fn from_value_spelled(
        engine: &Engine,
        value: &Value,
        spelling: Spelling,
    ) -> Result<PreviewOptions, Error> {
        let Value::Object(map) = value else {
            return Ok(PreviewOptions {
                quote: QuoteOptions::from_value_spelled(value, spelling)?,
                ..PreviewOptions::default()
            });
        };
        let mut rest = Map::new();
        let mut options = PreviewOptions::default();
        let mut issues = Vec::new();
        let mut read = Reader {
            engine,
            issues: &mut issues,
        };
        for (key, v) in map {
            let Some((wire, _)) = NAMES.iter().find(|(w, c)| w == key || c == key) else {
                rest.insert(key.clone(), v.clone());
                continue;
            };
            if v.is_null() {
                continue;
            }
            match *wire {
                "overdraft" => options.overdraft = read.overdraft(v, key),
                "min_top_up" => options.min_top_up = read.per_asset(v, key, Reader::amount),
                "top_up_currency" => options.top_up_currency = read.currencies(v, key),
                "volume_step" => options.volume_step = read.amount(v, key),
                _ => options.auto_top_up = read.per_asset(v, key, Reader::auto_top_up),
            }
        }
        let quote = QuoteOptions::from_value_spelled(&Value::Object(rest), spelling);
        match quote {
            Ok(q) if issues.is_empty() => Ok(PreviewOptions {
                quote: q,
                ..options
            }),
            Ok(_) => Err(Error::new(ErrorKind::InvalidArgument, issues)),
            Err(e) => {
                issues.extend(e.issues);
                Err(Error::new(ErrorKind::InvalidArgument, issues))
            }
        }
    }

    pub fn from_value(engine: &Engine, value: &Value) -> Result<PreviewOptions, Error> {
        PreviewOptions::from_value_spelled(engine, value, Spelling::Snake)
    }

    /// The currency `top_up_currency` names for `asset`, if any.
    pub(crate) fn currency_for(&self, asset: &str) -> Option<&str> {
        let named = self
            .top_up_currency
            .iter()
            .find(|(a, _)| a.as_deref() == Some(asset));
        named
            .or_else(|| self.top_up_currency.iter().find(|(a, _)| a.is_none()))
            .map(|(_, c)| c.as_str())
    }
}

struct Reader<'a> {
    engine: &'a Engine,
    issues: &'a mut Vec<Issue>,
}

impl Reader<'_> {
    fn bad(&mut self, path: &str, code: Code, message: impl Into<String>) {
        self.issues.push(Issue::new(path, code, message));
    }

    /// An asset code the engine knows, as the engine spells it.
    fn asset(&mut self, code: &str, path: &str) -> Option<String> {
        match self.engine.asset_info(code) {
            Some(info) => Some(info.code.clone()),
            None => {
                self.bad(
                    path,
                    Code::UnknownAsset,
                    format!(
                        "{code:?} is neither an asset of this catalog nor an ISO 4217 currency"
                    ),
                );
                None
            }
        }
    }

    fn amount(&mut self, v: &Value, path: &str) -> Option<Decimal> {
        match decimal_from_value(v, path) {
            Ok(d) if d.is_sign_negative() && !d.is_zero() => {
                self.bad(
                    path,
                    Code::NegativeAmount,
                    format!("must not be negative, got {d}"),
                );
                None
            }
            Ok(d) => Some(d),
            Err(issue) => {
                self.issues.push(issue);
                None
            }
        }
    }

    fn overdraft(&mut self, v: &Value, path: &str) -> Overdraft {
        match v {
            Value::String(s) if s == "allow" => Overdraft::Allow,
            Value::String(s) if s == "refuse" => Overdraft::Refuse,
            Value::Object(_) => Overdraft::Limits(self.per_asset(v, path, Reader::amount)),
            other => {
                self.bad(
                    path,
                    Code::InvalidOptions,
                    format!("expected \"allow\", \"refuse\" or {{ASSET: limit}}, found {other}"),
                );
                Overdraft::Allow
            }
        }
    }

    /// `{ASSET: value}`, each value read by `each`.
    fn per_asset<T>(
        &mut self,
        v: &Value,
        path: &str,
        each: fn(&mut Self, &Value, &str) -> Option<T>,
    ) -> Vec<(String, T)> {
        let Value::Object(map) = v else {
            let found = type_name(v);
            self.bad(
                path,
                Code::InvalidType,
                format!("expected an object of asset codes, found {found}"),
            );
            return Vec::new();
        };
        let mut out = Vec::with_capacity(map.len());
        for (code, value) in map {
            let at = join_path(path, code);
            let asset = self.asset(code, &at);
            if let (Some(asset), Some(value)) = (asset, each(self, value, &at)) {
                out.push((asset, value));
            }
        }
        out
    }

    fn currencies(&mut self, v: &Value, path: &str) -> Vec<(Option<String>, String)> {
        match v {
            Value::String(_) => self.fiat(v, path).map(|c| (None, c)).into_iter().collect(),
            _ => self
                .per_asset(v, path, Reader::fiat)
                .into_iter()
                .map(|(a, c)| (Some(a), c))
                .collect(),
        }
    }

    /// A fiat currency's code.
    fn fiat(&mut self, v: &Value, at: &str) -> Option<String> {
        let Some(code) = v.as_str() else {
            let found = type_name(v);
            self.bad(
                at,
                Code::InvalidType,
                format!("expected a currency code, found {found}"),
            );
            return None;
        };
        let code = self.asset(code, at)?;
        let is_fiat = self.engine.asset_info(&code).is_some_and(|i| i.is_fiat());
        if !is_fiat {
            self.bad(
                at,
                Code::InvalidOptions,
                format!("{code} is not a fiat currency"),
            );
        }
        is_fiat.then_some(code)
    }

    fn auto_top_up(&mut self, v: &Value, path: &str) -> Option<AutoTopUp> {
        let Value::Object(map) = v else {
            let found = type_name(v);
            self.bad(
                path,
                Code::InvalidType,
                format!("expected {{threshold, amount, currency}}, found {found}"),
            );
            return None;
        };
        for key in map.keys() {
            if !["threshold", "amount", "currency"].contains(&key.as_str()) {
                let at = join_path(path, key);
                self.bad(
                    &at,
                    Code::InvalidOptions,
                    format!("unknown field {key:?} (fields: threshold, amount, currency)"),
                );
            }
        }
        let field = |r: &mut Self, key: &str| {
            let at = join_path(path, key);
            match map.get(key).filter(|v| !v.is_null()) {
                Some(v) => Some((v, at)),
                None => {
                    r.bad(&at, Code::MissingField, format!("{key:?} is required"));
                    None
                }
            }
        };
        let threshold = field(self, "threshold").and_then(|(v, at)| self.amount(v, &at));
        let amount = field(self, "amount").and_then(|(v, at)| self.amount(v, &at));
        let currency = field(self, "currency").and_then(|(v, at)| match v.as_str() {
            Some(c) => self.asset(c, &at),
            None => {
                self.bad(&at, Code::InvalidType, "expected a currency code");
                None
            }
        });
        Some(AutoTopUp {
            threshold: threshold?,
            amount: amount?,
            currency: currency?,
        })
    }
}

/// `unknown_asset` at `path`, as an argument error.
pub(super) fn unknown_asset(code: &str, path: &str) -> Error {
    Error::one(
        ErrorKind::InvalidArgument,
        path,
        Code::UnknownAsset,
        format!("{code:?} is neither an asset of this catalog nor an ISO 4217 currency"),
    )
}

//! Converting amounts between assets at an instant.
//!
//! Fiat → asset, asset → fiat, and asset → asset through a fiat source both assets have a
//! rate for at that instant (the first such source in the order the `from` asset lists its
//! rates). Two different fiat currencies never convert: ratecard knows no FX rates.
//!
//! A conversion is one exact fraction, `destination = amount × num ÷ den`, built from the
//! rates as given (see `rate.rs`), multiplied out before the one division, and rounded once
//! to the destination's precision with its conversion rounding (units bought round down).

use crate::catalog::asset::AssetInfo;
use crate::catalog::rate::RateEntry;
use crate::engine::Engine;
use crate::exact::Exact;
use crate::instant::{serialize_opt_instant, Instant};
use crate::issue::{Code, Error, ErrorKind};
use crate::number::{serialize_decimal, Amount};
use rust_decimal::Decimal;

/// The answer to "how much `destination` is this much `source`", like the billing API's asset
/// quote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Conversion {
    pub source: String,
    pub source_amount: Amount,
    pub destination: String,
    pub destination_amount: Amount,
    /// How many `source` units one `destination` unit costs.
    #[serde(serialize_with = "serialize_decimal")]
    pub rate: Decimal,
    /// How many `destination` units one `source` unit buys.
    #[serde(serialize_with = "serialize_decimal")]
    pub inverse_rate: Decimal,
    /// Since when the rates used are in force (`null`: since the beginning of time).
    #[serde(serialize_with = "serialize_opt_instant")]
    pub valid_from: Option<Instant>,
    /// How the destination amount was rounded (`down`, `half_even`, ...).
    pub rounding: &'static str,
}

/// `destination units per source unit = num / den`, and what it was made of.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub num: Exact,
    pub den: Exact,
    pub valid_from: Option<Instant>,
    /// One line per rate used, for explanations.
    pub via: Vec<String>,
}

impl Route {
    fn identity() -> Route {
        Route {
            num: Exact::Dec(Decimal::ONE),
            den: Exact::Dec(Decimal::ONE),
            valid_from: None,
            via: Vec::new(),
        }
    }

    /// `amount × num ÷ den`, exactly (`None` only for a zero rate, which validation refuses).
    pub fn apply(&self, amount: Decimal) -> Option<Exact> {
        Exact::Dec(amount).mul(&self.num).div(&self.den)
    }
}

fn describe(entry: &RateEntry, code: &str, source: &str) -> String {
    let value = match (entry.value.rate, entry.value.inverse_rate) {
        (Some(r), _) => format!("1 {code} = {r} {source}"),
        (None, Some(i)) => format!("1 {source} = {i} {code}"),
        (None, None) => String::new(),
    };
    let since = entry
        .valid_from
        .map_or("the beginning of time".to_string(), |t| t.to_string());
    format!("{value} (in force since {since}, {})", entry.path)
}

impl Engine {
    /// The entry of `asset`'s schedule against `source` in force at `at`.
    fn entry(&self, asset: &AssetInfo, source: &str, at: Instant) -> Option<&RateEntry> {
        let custom = self.catalog().assets.get(asset.custom?)?;
        custom.schedules.iter().find(|s| s.source == source)?.at(at)
    }

    /// The route from one asset to another at `at`; `explain` also describes the rates used
    /// (formatting them costs more than the arithmetic, so it is done only when asked).
    pub(crate) fn route(
        &self,
        from: &AssetInfo,
        to: &AssetInfo,
        at: Instant,
        explain: bool,
    ) -> Result<Route, Error> {
        if from.code.eq_ignore_ascii_case(&to.code) {
            return Ok(Route::identity());
        }
        let no_rate = |why: String| Error::one(ErrorKind::NoRate, "", Code::NoRate, why);
        let later = |a: Option<Instant>, b: Option<Instant>| a.max(b);
        match (from.is_fiat(), to.is_fiat()) {
            (true, true) => Err(no_rate(format!(
                "{} and {} are both fiat currencies; ratecard converts through custom assets' rates only",
                from.code, to.code
            ))),
            (true, false) => {
                let e = self
                    .entry(to, &from.code, at)
                    .ok_or_else(|| no_rate(format!("{} has no {} rate in force at {at}", to.code, from.code)))?;
                let (n, d) = e.value.fraction();
                Ok(Route { num: Exact::Dec(d), den: Exact::Dec(n), valid_from: e.valid_from, via: if explain { vec![describe(e, &to.code, &from.code)] } else { Vec::new() } })
            }
            (false, true) => {
                let e = self
                    .entry(from, &to.code, at)
                    .ok_or_else(|| no_rate(format!("{} has no {} rate in force at {at}", from.code, to.code)))?;
                let (n, d) = e.value.fraction();
                Ok(Route { num: Exact::Dec(n), den: Exact::Dec(d), valid_from: e.valid_from, via: if explain { vec![describe(e, &from.code, &to.code)] } else { Vec::new() } })
            }
            (false, false) => {
                let a = from.custom.and_then(|i| self.catalog().assets.get(i));
                for schedule in a.map(|a| a.schedules.as_slice()).unwrap_or_default() {
                    let (Some(ea), Some(eb)) = (schedule.at(at), self.entry(to, &schedule.source, at)) else { continue };
                    let (na, da) = ea.value.fraction();
                    let (nb, db) = eb.value.fraction();
                    return Ok(Route {
                        num: Exact::Dec(na).mul(&Exact::Dec(db)),
                        den: Exact::Dec(da).mul(&Exact::Dec(nb)),
                        valid_from: later(ea.valid_from, eb.valid_from),
                        via: if explain {
                            vec![describe(ea, &from.code, &schedule.source), describe(eb, &to.code, &schedule.source)]
                        } else {
                            Vec::new()
                        },
                    });
                }
                Err(no_rate(format!(
                    "{} and {} have no fiat source with a rate in force for both at {at}",
                    from.code, to.code
                )))
            }
        }
    }

    /// Converts `amount` of `from` into `to` at `at`; see the module docs for the rules.
    pub fn convert(
        &self,
        amount: Decimal,
        from: &str,
        to: &str,
        at: Instant,
    ) -> Result<Conversion, Error> {
        let source = self.asset_info(from).ok_or_else(|| unknown(from, "from"))?;
        let destination = self.asset_info(to).ok_or_else(|| unknown(to, "to"))?;
        let route = self.route(&source, &destination, at, false)?;
        let overflow = || {
            Error::one(
                ErrorKind::Overflow,
                "amount",
                Code::DecimalOverflow,
                format!("{amount} {from} in {to} does not fit in a decimal"),
            )
        };
        let mode = destination.conversion_rounding;
        // Exact until this one rounding (`exact.rs`).
        let rounded = route
            .apply(amount)
            .and_then(|exact| exact.round(destination.precision, mode))
            .ok_or_else(overflow)?;
        // The rates as figures, for the reader: the conversion used the exact fraction.
        let rate = figure(&route.den, &route.num).ok_or_else(overflow)?;
        let inverse_rate = figure(&route.num, &route.den).ok_or_else(overflow)?;
        Ok(Conversion {
            source: source.code.clone(),
            source_amount: Amount::new(amount, source.precision),
            destination: destination.code.clone(),
            destination_amount: Amount::new(rounded, destination.precision),
            rate,
            inverse_rate,
            valid_from: route.valid_from,
            rounding: mode.as_str(),
        })
    }
}

/// `a ÷ b` as a figure for the reader (rust_decimal's quotient for two decimals: at most 28
/// places, the last rounded where the fraction does not end).
fn figure(a: &Exact, b: &Exact) -> Option<Decimal> {
    let figure = match (a, b) {
        (Exact::Dec(x), Exact::Dec(y)) => x.checked_div(*y),
        _ => a.div(b)?.approximate(),
    };
    figure.map(|d| d.normalize())
}

pub(crate) fn unknown(code: &str, path: &str) -> Error {
    Error::one(
        ErrorKind::InvalidArgument,
        path,
        Code::UnknownAsset,
        format!("{code:?} is neither an asset of this catalog nor an ISO 4217 currency"),
    )
}

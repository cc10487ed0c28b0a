//! The top-up that covers a shortfall: what it costs in fiat, and what that buys.
//!
//! The shortfall, rounded up to the asset's precision, is priced at the rate in force at the
//! last event's instant, exactly, and rounded up to the currency's minor unit, so that the
//! customer receives at least the shortfall; a `min_top_up` raises it. What it `buys` is that
//! fiat converted back as any purchase of units is (rounded down, or the asset's conversion
//! rounding). A fiat account's top-up is its shortfall.

use super::options::PreviewOptions;
use super::{below, most};
use crate::engine::Engine;
use crate::instant::{serialize_opt_instant, Instant};
use crate::issue::{Code, Error, Issue};
use crate::list::List;
use crate::number::{serialize_decimal, Amount};
use crate::quote::{AmountMap, Step};
use crate::rounding::RoundingMode;
use rust_decimal::Decimal;

/// The top-up that covers one asset's shortfall.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TopUp {
    pub currency: String,
    /// What it costs in `currency`.
    pub amount: Amount,
    /// What that buys of the asset (at least the shortfall).
    pub buys: Amount,
    /// How much `currency` one unit of the asset costs.
    #[serde(serialize_with = "serialize_decimal")]
    pub rate: Decimal,
    /// Since when that rate is in force (`null`: always).
    #[serde(serialize_with = "serialize_opt_instant")]
    pub valid_from: Option<Instant>,
}

impl Engine {
    pub(super) fn top_ups<'a>(
        &'a self,
        short: &AmountMap<'a>,
        last: Option<Instant>,
        options: &PreviewOptions,
        warnings: &mut Vec<Issue>,
        explain: &mut Vec<Step>,
    ) -> Result<List<(&'a str, TopUp)>, Error> {
        let mut out = List::default();
        for (code, s) in short.0.iter() {
            let (Some(info), Some(t)) = (self.slot(code).and_then(|i| self.info(i)), last) else {
                continue;
            };
            let path = format!("top_up.{code}");
            let needed = RoundingMode::Up.round(s.value, info.precision);
            let min = options.min_top_up.iter().find(|(a, _)| a == code);
            let min = min.map_or(Decimal::ZERO, |(_, m)| *m);
            if info.is_fiat() {
                let amount = Amount::new(most(needed, min), info.precision);
                let currency = info.code.clone();
                let (rate, valid_from) = (Decimal::ONE, None);
                let top_up = TopUp {
                    currency,
                    amount,
                    buys: amount,
                    rate,
                    valid_from,
                };
                out.push((*code, top_up));
                continue;
            }
            let Some(currency) = self.top_up_currency(code, t, options, warnings, &path) else {
                continue;
            };
            let (Some(fiat), Some(to)) = (self.asset_info(currency), self.asset_info(code)) else {
                continue;
            };
            let route = self.route(&to, &fiat, t, false)?;
            let cost = route.apply(needed);
            let Some(price) = cost
                .as_ref()
                .and_then(|c| c.round(fiat.precision, RoundingMode::Up))
            else {
                return Err(Error::one(
                    crate::issue::ErrorKind::Overflow,
                    &path,
                    Code::DecimalOverflow,
                    format!("{needed} {code} in {currency} does not fit in a decimal"),
                ));
            };
            let amount = most(price, min);
            let bought = self
                .convert(amount, currency, code, t)
                .map_err(|e| e.prefixed(&path))?;
            if options.quote.explain {
                let cost = cost.map(|c| c.to_string()).unwrap_or_default();
                let fiat_code = fiat.code.clone();
                explain.push(Step {
                fee: None,
                kind: "top_up",
                text: format!(
                    "{s} {code} short; {needed} {code} costs {cost} {fiat_code} at the rate in force at {t}, rounded up to {}{}; that buys {} {code} ({} rounding)",
                    Amount::new(price, fiat.precision),
                    if below(price, amount) { format!(", raised to the minimum top-up {amount}") } else { String::new() },
                    bought.destination_amount,
                    bought.rounding,
                ),
            });
            }
            out.push((
                *code,
                TopUp {
                    currency: bought.source.clone(),
                    amount: bought.source_amount,
                    buys: bought.destination_amount,
                    rate: bought.rate,
                    valid_from: bought.valid_from,
                },
            ));
        }
        Ok(out)
    }

    /// The currency a top-up of `code` is paid in at `t`: the one the options name, else the
    /// asset's one source with a rate in force (the first, with a warning, when several are).
    fn top_up_currency<'o>(
        &'o self,
        code: &str,
        t: Instant,
        options: &'o PreviewOptions,
        warnings: &mut Vec<Issue>,
        path: &str,
    ) -> Option<&'o str> {
        if let Some(c) = options.currency_for(code) {
            return Some(c);
        }
        let asset = self.catalog().asset(code).map(|(_, a)| a)?;
        let mut sources = asset.schedules.iter().filter(|s| s.at(t).is_some());
        let Some(first) = sources.next() else {
            warnings.push(Issue::new(
                path,
                Code::NoRate,
                format!("{code} has no rate in force at {t}: no top-up can be priced"),
            ));
            return None;
        };
        if sources.next().is_some() {
            warnings.push(Issue::new(
                path,
                Code::AmbiguousTopUp,
                format!(
                    "{code} has rates from several currencies at {t}; the top-up is priced in {} (say which with top_up_currency)",
                    first.source
                ),
            ));
        }
        Some(first.source.as_str())
    }
}

//! The inverse questions: how many more such events a wallet covers, how large a volume, and
//! what a sum of money buys of an event.
//!
//! Both answer from a balance per asset: the wallet's drawable balance at the event's instant
//! (its live grants and what it holds beyond them, as a preview would draw), or the units a sum
//! of money buys (as a top-up would: converted at the rate in force, rounded down). `count` is
//! the largest number of such events, all at that instant, whose charges the balance covers;
//! `volume` the largest volume (a multiple of `volume_step`, default 1) of the event's volume
//! field whose one quote it covers. Each is found by quoting, so package rounding, tiers,
//! min/max and the asset's rounding are exactly those of a quote: the answer fits, and one more
//! does not.

use super::preview::overflow;
use super::{below, minus, plus, positive, to_json, PreviewOptions, Wallet};
use crate::engine::Engine;
use crate::event::{Event, Scalar};
use crate::instant::Instant;
use crate::issue::{Code, Error, ErrorKind, Issue};
use crate::number::{serialize_decimal, Amount};
use crate::options::QuoteOptions;
use crate::quote::Quote;
use rust_decimal::Decimal;

/// More events than this are not counted one by one (a tiered price's): the answer is then "at
/// least" this many, with a `limit_exceeded` warning.
const COUNTED: u32 = 100_000;

/// How much of an event a balance covers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Capacity<'a> {
    /// The event as given, quoted.
    pub quote: Quote<'a>,
    /// The balance it was measured against, per asset the event is charged in.
    #[serde(serialize_with = "pairs")]
    pub balance: Vec<(&'a str, Amount)>,
    /// How many such events the balance covers; `null` when the event costs nothing.
    #[serde(serialize_with = "crate::number::serialize_opt_decimal")]
    pub count: Option<Decimal>,
    /// For an event whose price reads a volume, the largest volume covered.
    pub volume: Option<VolumeFit<'a>>,
    pub warnings: Vec<Issue>,
}

/// The largest volume of the event's volume field whose quote the balance covers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VolumeFit<'a> {
    pub field: &'a str,
    #[serde(serialize_with = "serialize_decimal")]
    pub value: Decimal,
    /// What that volume costs, per asset.
    #[serde(serialize_with = "pairs")]
    pub cost: Vec<(String, Amount)>,
}

/// What a sum of money buys of an event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Buys<'a> {
    pub currency: String,
    pub amount: Amount,
    /// The asset the event is charged in, and what the money buys of it.
    pub asset: &'a str,
    pub units: Amount,
    #[serde(flatten)]
    pub capacity: Capacity<'a>,
}

impl Engine {
    /// [`Engine::affordable`] of one event as JSON text, against a wallet read by
    /// [`Engine::read_wallet_json`] (or a [`super::WalletCache`]); the answer as JSON text.
    pub fn affordable_json(
        &self,
        (wallet, warnings): &(Wallet, Vec<Issue>),
        event_json: &str,
        options: &PreviewOptions,
    ) -> Result<String, Error> {
        let event = Event::from_json(event_json)?;
        let mut answer = self.affordable(wallet, &event, options)?;
        let mut warnings = warnings.clone();
        warnings.append(&mut answer.warnings);
        answer.warnings = warnings;
        to_json(&answer)
    }

    /// [`Engine::buys`] from JSON text: the event; the answer as JSON text.
    pub fn buys_json(
        &self,
        amount: Decimal,
        currency: &str,
        event_json: &str,
        options: &PreviewOptions,
    ) -> Result<String, Error> {
        let event = Event::from_json(event_json)?;
        to_json(&self.buys(amount, currency, &event, options)?)
    }

    /// How many more events like `event` the wallet covers at the event's instant, and the
    /// largest volume of it; `volume_step` is the volume's granularity (default 1).
    pub fn affordable<'a>(
        &'a self,
        wallet: &Wallet,
        event: &'a Event<'_>,
        options: &PreviewOptions,
    ) -> Result<Capacity<'a>, Error> {
        let quote = self.quote(event, &options.quote)?;
        let t = quote.at;
        let mut balance = Vec::new();
        for (code, _) in quote.totals.0.iter() {
            let held = wallet.accounts.iter().find(|a| a.asset == *code);
            let drawable = match held {
                Some(a) => drawable(a, t)?,
                None => Decimal::ZERO,
            };
            let precision = self.asset_info(code).map_or(0, |i| i.precision);
            balance.push((*code, Amount::new(drawable.normalize(), precision)));
        }
        self.fit(event, quote, balance, options)
    }

    /// What `amount` of `currency` buys of `event`: the units of its asset a top-up of that
    /// much gives at the event's instant, and how many such events (or how large a volume)
    /// they cover. The event must be charged in one asset.
    pub fn buys<'a>(
        &'a self,
        amount: Decimal,
        currency: &str,
        event: &'a Event<'_>,
        options: &PreviewOptions,
    ) -> Result<Buys<'a>, Error> {
        let quote = self.quote(event, &options.quote)?;
        let assets: Vec<&'a str> = quote.totals.0.iter().map(|(c, _)| *c).collect();
        let [asset] = assets.as_slice() else {
            return Err(Error::one(
                ErrorKind::InvalidArgument,
                "event",
                Code::InvalidValue,
                format!(
                    "the event is charged in {} assets ({}); what money buys is answered for an event charged in one",
                    assets.len(),
                    assets.join(", ")
                ),
            ));
        };
        if self.asset_info(currency).is_none() {
            return Err(super::options::unknown_asset(currency, "currency"));
        }
        let bought = self.convert(amount, currency, asset, quote.at)?;
        let units = bought.destination_amount;
        let capacity = self.fit(event, quote, vec![(*asset, units)], options)?;
        Ok(Buys {
            currency: bought.source,
            amount: bought.source_amount,
            asset,
            units,
            capacity,
        })
    }

    fn fit<'a>(
        &'a self,
        event: &'a Event<'_>,
        quote: Quote<'a>,
        balance: Vec<(&'a str, Amount)>,
        options: &PreviewOptions,
    ) -> Result<Capacity<'a>, Error> {
        let mut warnings = Vec::new();
        let quiet = QuoteOptions {
            explain: false,
            at: Some(quote.at),
            ..options.quote.clone()
        };
        let count = self.count(event, &quote, &balance, &quiet, &mut warnings)?;
        let volume = self.largest_volume(event, &quote, &balance, &quiet, options.volume_step)?;
        Ok(Capacity {
            quote,
            balance,
            count,
            volume,
            warnings,
        })
    }

    fn count(
        &self,
        event: &Event<'_>,
        quote: &Quote<'_>,
        balance: &[(&str, Amount)],
        options: &QuoteOptions,
        warnings: &mut Vec<Issue>,
    ) -> Result<Option<Decimal>, Error> {
        let costs = quote.totals.0.iter().filter(|(_, a)| positive(a.value));
        if costs.clone().next().is_none() {
            return Ok(None);
        }
        if !self.prices_in_tiers(&event.event_type) {
            // Every such event costs the same: the balance divided by the cost, per asset.
            let mut count: Option<Decimal> = None;
            for (code, cost) in costs {
                let held = left(balance, code);
                let n = held
                    .checked_div(cost.value)
                    .map_or(Decimal::ZERO, |n| n.floor());
                let n = if positive(n) { n } else { Decimal::ZERO };
                count = Some(count.map_or(n, |c| super::least(c, n)));
            }
            return Ok(count);
        }
        // A tiered price's cost changes as usage accumulates: count them one by one.
        let mut session = self.session(options)?;
        let mut spent: Vec<(&str, Decimal)> =
            balance.iter().map(|(c, _)| (*c, Decimal::ZERO)).collect();
        for n in 0..COUNTED {
            let next = session.quote(event)?;
            for (code, a) in next.totals.0.iter() {
                let Some((_, s)) = spent.iter_mut().find(|(c, _)| c == code) else {
                    return Ok(Some(Decimal::from(n)));
                };
                *s = plus(*s, a.value).ok_or_else(|| overflow("count"))?;
                if below(left(balance, code), *s) {
                    return Ok(Some(Decimal::from(n)));
                }
            }
        }
        warnings.push(Issue::new(
            "count",
            Code::LimitExceeded,
            format!("the balance covers at least {COUNTED} such events; more are not counted one by one"),
        ));
        Ok(Some(Decimal::from(COUNTED)))
    }

    /// The largest multiple of `step` whose quote fits: doubling until one does not, then
    /// halving the gap. Quotes grow with volume, so the one found fits and the next step does
    /// not (with bulk tiers, where a larger volume can cost less, a larger one may fit again).
    fn largest_volume<'a>(
        &'a self,
        event: &'a Event<'_>,
        first: &Quote<'_>,
        balance: &[(&'a str, Amount)],
        options: &QuoteOptions,
        step: Option<Decimal>,
    ) -> Result<Option<VolumeFit<'a>>, Error> {
        let Some(field) = self.volume_field(&event.event_type) else {
            return Ok(None);
        };
        let step = step.unwrap_or(Decimal::ONE);
        if !positive(step) {
            return Err(Error::one(
                ErrorKind::InvalidArgument,
                "volume_step",
                Code::InvalidValue,
                format!("the volume step must be greater than zero, got {step}"),
            ));
        }
        let at = |k: u64| -> Option<Decimal> { step.checked_mul(Decimal::from(k)) };
        let cost = |k: u64| -> Result<Option<Vec<(String, Amount)>>, Error> {
            let Some(volume) = at(k) else { return Ok(None) };
            let mut trial = event.clone();
            trial.data.retain(|(key, _)| key != field);
            trial
                .data
                .push((field.to_string().into(), Scalar::Num(volume)));
            let quote = self.quote(&trial, options)?;
            let costs: Vec<(String, Amount)> = quote
                .totals
                .0
                .iter()
                .map(|(c, a)| (c.to_string(), *a))
                .collect();
            let fits = costs.iter().all(|(c, a)| !below(left(balance, c), a.value));
            Ok(fits.then_some(costs))
        };
        // A first guess from the event's own cost per unit of volume: for a prorated price it
        // is the answer or next to it, so two quotes settle it. Packages, tiers and minimums
        // only make the guess worse, not the answer: the search around it is exact.
        let guess = guess(event, field, first, balance, step).unwrap_or(1);
        let (mut lo, mut hi, mut best);
        if let Some(c) = cost(guess)? {
            (lo, best) = (guess, c);
            let mut gap = 1u64;
            loop {
                hi = guess.saturating_add(gap);
                match cost(hi)? {
                    Some(c) if hi < 1 << 62 => (lo, best) = (hi, c),
                    _ => break,
                }
                gap = gap.saturating_mul(2);
            }
        } else {
            hi = guess;
            let mut gap = 1u64;
            loop {
                let below = guess.saturating_sub(gap);
                if let Some(c) = cost(below)? {
                    (lo, best) = (below, c);
                    break;
                }
                if below == 0 {
                    return Ok(None);
                }
                hi = below;
                gap = gap.saturating_mul(2);
            }
        }
        while hi > lo + 1 {
            let mid = lo + (hi - lo) / 2;
            match cost(mid)? {
                Some(c) => (lo, best) = (mid, c),
                None => hi = mid,
            }
        }
        Ok(Some(VolumeFit {
            field,
            value: at(lo).unwrap_or_default(),
            cost: best,
        }))
    }

    /// The volume field the prices of `event_type` read (the first, if several do).
    fn volume_field(&self, event_type: &str) -> Option<&str> {
        self.prices_for(event_type).iter().find_map(|p| {
            let product = self.catalog().products.get(p.at.product)?;
            match &product.prices.get(p.at.price)?.kind {
                crate::catalog::product::PriceKind::Usage(u) if u.usage_type.has_volume() => {
                    u.volume_field.as_deref()
                }
                _ => None,
            }
        })
    }
}

/// How many steps of volume the balance would buy at the event's own cost per unit of volume
/// (the least over the assets it is charged in); `None` without a volume or a cost to go by.
fn guess(
    event: &Event<'_>,
    field: &str,
    first: &Quote<'_>,
    balance: &[(&str, Amount)],
    step: Decimal,
) -> Option<u64> {
    let Some(Scalar::Num(volume)) = event.get(field) else {
        return None;
    };
    let mut best: Option<u64> = None;
    for (code, cost) in first.totals.0.iter().filter(|(_, a)| positive(a.value)) {
        let steps = left(balance, code)
            .checked_mul(*volume)?
            .checked_div(cost.value)?
            .checked_div(step)?
            .floor();
        let steps = u64::try_from(steps).unwrap_or(if positive(steps) { u64::MAX >> 2 } else { 0 });
        best = Some(best.map_or(steps, |b| b.min(steps)));
    }
    best.filter(|_| positive(*volume))
}

/// What an account can give at `t`: its live grants, and what it holds beyond them if positive.
fn drawable(account: &super::Account, t: Instant) -> Result<Decimal, Error> {
    let listed = account
        .grants
        .iter()
        .try_fold(Decimal::ZERO, |s, g| plus(s, g.available));
    let rest = listed
        .and_then(|l| minus(account.available, l))
        .ok_or_else(|| overflow("accounts"))?;
    let mut sum = if positive(rest) { rest } else { Decimal::ZERO };
    for g in account.grants.iter().filter(|g| g.live_at(t)) {
        sum = plus(sum, g.available).ok_or_else(|| overflow("accounts"))?;
    }
    Ok(sum)
}

/// Pairs in order as a JSON object.
fn pairs<S: serde::Serializer, K: AsRef<str>, V: serde::Serialize>(
    list: &[(K, V)],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(list.iter().map(|(k, v)| (k.as_ref(), v)))
}

fn left(balance: &[(&str, Amount)], code: &str) -> Decimal {
    balance
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(Decimal::ZERO, |(_, a)| a.value)
}

//! Previews: what a run of events would draw from a wallet, grant by grant, and what is left.
//!
//! Events are priced as [`Engine::quote_many`] prices them, then applied in the order given.
//! Each event's total in an asset is drawn from the account of that asset: from its grants in
//! the drawdown order ([`super::Grant::draw_key`]), skipping grants not in effect or expired at
//! the event's instant, then from the balance no listed grant holds; what is left is the
//! event's shortfall, and the balance goes negative by it (overdraft is allowed by default,
//! as in the billing API). With `overdraft: "refuse"` or a limit, an event that would take a
//! balance below the limit is not applied at all and is marked `refused`.

use super::options::{AutoTopUp, Overdraft, PreviewOptions};
use super::{below, least, minus, plus, positive, Grant, Purpose, Wallet};
use crate::engine::Engine;
use crate::event::Event;
use crate::instant::Instant;
use crate::issue::{Code, Error, ErrorKind, Gathered, Issue};
use crate::list::List;
use crate::number::Amount;
use crate::quote::{AmountMap, Quote, Step};
use rust_decimal::Decimal;
use std::borrow::Cow;

/// What these events would do to this wallet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Preview<'a> {
    /// True when no event is short or refused.
    pub covered: bool,
    pub accounts: Vec<AccountAfter<'a>>,
    /// What no balance covered, per asset (only assets that are short).
    pub shortfall: AmountMap<'a>,
    /// Per short asset, the top-up that covers its shortfall.
    #[serde(serialize_with = "as_map")]
    pub top_up: List<(&'a str, super::TopUp)>,
    pub events: Vec<PreviewEvent<'a>>,
    /// The auto top-ups made along the way, in order.
    pub auto_top_ups: Vec<AutoTopUpMade>,
    /// The wallet's warnings and the preview's own.
    pub warnings: Vec<Issue>,
    /// The preview's decisions: refusals, expiries, top-ups and their rounding.
    pub explain: Vec<Step>,
}

/// Pairs in order as a JSON object.
fn as_map<S: serde::Serializer, V: serde::Serialize>(
    list: &List<(&str, V)>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(list.iter().map(|(k, v)| (*k, v)))
}

/// An account before and after the events.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountAfter<'a> {
    pub id: Cow<'a, str>,
    pub asset: Cow<'a, str>,
    pub available: Amount,
    /// What it held, less every draw and shortfall, plus auto top-ups, less what grants that
    /// expired by the last event's instant still held.
    pub available_after: Amount,
}

/// One event's quote and what it drew.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PreviewEvent<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<&'a str>,
    pub quote: Quote<'a>,
    pub covered: bool,
    /// Not applied: it would have taken a balance past its overdraft limit.
    pub refused: bool,
    pub draws: Vec<Draw<'a>>,
    pub shortfall: AmountMap<'a>,
}

/// What one grant (or, `grant: null`, the balance no listed grant holds) supplied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Draw<'a> {
    pub account: Cow<'a, str>,
    pub grant: Option<Cow<'a, str>>,
    pub amount: Amount,
}

/// An auto top-up a preview made after an event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AutoTopUpMade {
    /// The index of the event after which the balance fell below the threshold.
    pub event: usize,
    pub account: String,
    pub asset: String,
    pub currency: String,
    /// The fiat charged.
    pub amount: Amount,
    /// What it bought (it first repays an overdrawn balance; the rest is the paid grant).
    pub buys: Amount,
    pub grant: String,
}

/// An account as the preview runs. It borrows the wallet's names and grants (a preview makes
/// no copy of a wallet it only reads; BENCHMARKS.md, "Wallet previews"): what changes is
/// each grant's `left` and the balance no grant holds.
struct Held<'w> {
    id: Cow<'w, str>,
    asset: Cow<'w, str>,
    precision: u32,
    available: Decimal,
    grants: Vec<Left<'w>>,
    /// The balance no listed grant holds; negative when overdrawn.
    rest: Decimal,
}

/// A grant, and what is left of it as the events draw.
struct Left<'w> {
    grant: Cow<'w, Grant>,
    left: Decimal,
}

impl Held<'_> {
    /// The balance that can be drawn at `t`.
    fn live(&self, t: Instant) -> Result<Decimal, Error> {
        let mut grants = self.grants.iter().filter(|g| g.grant.live_at(t));
        grants
            .try_fold(self.rest, |sum, g| plus(sum, g.left))
            .ok_or_else(|| overflow("accounts"))
    }
}

/// A balance past a decimal's range, at `path`.
pub(super) fn overflow(path: &str) -> Error {
    Error::one(
        ErrorKind::Overflow,
        path,
        Code::DecimalOverflow,
        "a balance does not fit in a decimal's 28 digits",
    )
}

impl Engine {
    /// What `events` would draw from `wallet` (read by [`Engine::read_wallet`]); see the
    /// module docs. Bad events fail the preview with every one's issues, as in `quote_many`.
    pub fn preview<'a>(
        &'a self,
        wallet: &'a Wallet,
        warnings: Vec<Issue>,
        events: &'a [Event<'_>],
        options: &PreviewOptions,
    ) -> Result<Preview<'a>, Error> {
        self.preview_results(wallet, warnings, events.iter().map(Ok), options)
    }

    /// [`Engine::preview`] of events as [`Engine::quote_results`] takes them (some not read):
    /// each priced and drawn as it comes, no list of quotes kept; with bad ones, the preview
    /// fails with every one's issues, in order.
    pub fn preview_results<'a, 'x>(
        &'a self,
        wallet: &'a Wallet,
        warnings: Vec<Issue>,
        events: impl IntoIterator<Item = Result<&'a Event<'a>, &'x Error>>,
        options: &PreviewOptions,
    ) -> Result<Preview<'a>, Error> {
        let mut bad = Gathered::default();
        let quotes = self
            .results(events, &options.quote)?
            .filter_map(|r| r.map_err(|e| bad.add(e)).ok());
        let preview = self.preview_quotes(wallet, warnings, quotes, options);
        bad.into_result()?;
        preview
    }

    /// [`Engine::preview`] of events already quoted, in order.
    pub fn preview_quotes<'a>(
        &'a self,
        wallet: &'a Wallet,
        mut warnings: Vec<Issue>,
        quotes: impl IntoIterator<Item = Quote<'a>>,
        options: &PreviewOptions,
    ) -> Result<Preview<'a>, Error> {
        let quotes = quotes.into_iter();
        let explaining = options.quote.explain;
        // Most wallets hold one account: kept inline (no allocation).
        let mut held: List<Held<'a>> = List::new();
        for a in &wallet.accounts {
            let listed = a
                .grants
                .iter()
                .try_fold(Decimal::ZERO, |s, g| plus(s, g.available));
            let rest = listed.and_then(|l| minus(a.available, l));
            let grants = a.grants.iter().map(|g| Left {
                grant: Cow::Borrowed(g),
                left: g.available,
            });
            held.push(Held {
                id: Cow::Borrowed(&a.id),
                precision: self.asset_info(&a.asset).map_or(0, |i| i.precision),
                asset: Cow::Borrowed(&a.asset),
                available: a.available,
                grants: grants.collect(),
                rest: rest.ok_or_else(|| overflow("accounts"))?,
            });
        }
        let mut explain = Vec::new();
        let mut events = Vec::with_capacity(quotes.size_hint().0);
        let mut made: Vec<AutoTopUpMade> = Vec::new();
        let mut total_short: AmountMap<'a> = AmountMap::default();
        for (i, quote) in quotes.into_iter().enumerate() {
            let t = quote.at;
            // With an overdraft limit, what each account would be short is found first (an
            // event is refused whole if any asset would pass its limit), then the draws; without
            // one (the default), one pass draws and finds what is short.
            let limited = !matches!(options.overdraft, Overdraft::Allow);
            let mut refused = None;
            let mut shortfall = AmountMap::default();
            let checked = if limited {
                quote.totals.0.iter()
            } else {
                [].iter()
            };
            for (code, amount) in checked {
                if !positive(amount.value) {
                    continue;
                }
                let account = self.account(&mut held, &mut warnings, code);
                let h = held.get(account).ok_or_else(|| overflow("accounts"))?;
                let short = short_of(h, amount.value, t);
                if positive(short) {
                    shortfall.0.push((*code, Amount::new(short, h.precision)));
                }
                // The grant-less balance is drawn only while positive, so after a short event
                // it is exactly minus what was short (or what it already was, less that).
                let limit = options.overdraft.limit(&h.asset);
                if let (Some(limit), None) = (limit, refused) {
                    let owed = if positive(h.rest) {
                        Decimal::ZERO
                    } else {
                        h.rest
                    };
                    let after = minus(owed, short).ok_or_else(|| overflow("accounts"))?;
                    if positive(short) && below(after, -limit) {
                        refused = Some((*code, after, limit));
                    }
                }
            }
            let mut draws = Vec::with_capacity(4);
            if refused.is_none() {
                for (code, amount) in quote.totals.0.iter() {
                    if !positive(amount.value) {
                        continue;
                    }
                    let account = self.account(&mut held, &mut warnings, code);
                    let h = held.get_mut(account).ok_or_else(|| overflow("accounts"))?;
                    let short = draw(h, amount.value, t, &mut draws)?;
                    if !limited && positive(short) {
                        shortfall.0.push((*code, Amount::new(short, h.precision)));
                    }
                }
            }
            if let (Some((code, after, limit)), true) = (refused, explaining) {
                explain.push(Step {
                    fee: None,
                    kind: "refuse",
                    text: format!("event [{i}] refused: it would leave {after} {code}, past the overdraft limit of -{limit}"),
                });
            }
            for (code, a) in shortfall.0.iter() {
                add(&mut total_short, code, *a)?;
            }
            if refused.is_none() {
                self.auto_top_ups(&mut held, &mut made, options, i, t, &mut explain)?;
            }
            events.push(PreviewEvent {
                event_id: quote.event_id,
                covered: shortfall.0.is_empty(),
                refused: refused.is_some(),
                quote,
                draws,
                shortfall,
            });
        }
        let last = events.iter().map(|e| e.quote.at).max();
        let last = last.or(options.quote.at).or(options.quote.now);
        let accounts = after(&held, last, explaining.then_some(&mut explain))?;
        let top_up = self.top_ups(&total_short, last, options, &mut warnings, &mut explain)?;
        Ok(Preview {
            covered: total_short.0.is_empty() && events.iter().all(|e| !e.refused),
            accounts,
            shortfall: total_short,
            top_up,
            events,
            auto_top_ups: made,
            warnings,
            explain,
        })
    }

    /// The index of the account of asset `code`; a wallet without one gets an empty one (and
    /// a warning), so that what events charge in it is a shortfall.
    fn account<'a>(
        &self,
        held: &mut List<Held<'a>>,
        warnings: &mut Vec<Issue>,
        code: &str,
    ) -> usize {
        if let Some(a) = held.iter().position(|h| h.asset == *code) {
            return a;
        }
        let info = self.asset_info(code);
        warnings.push(Issue::new(
            "accounts",
            Code::MissingAccount,
            format!(
                "the wallet has no {code} account; what events charge in {code} is a shortfall"
            ),
        ));
        held.push(Held {
            id: Cow::Owned(format!("default:{code}")),
            asset: Cow::Owned(code.to_string()),
            precision: info.map_or(0, |i| i.precision),
            available: Decimal::ZERO,
            grants: Vec::new(),
            rest: Decimal::ZERO,
        });
        held.len() - 1
    }

    /// After event `i`: an auto top-up for every account whose live balance fell below its
    /// threshold. The units bought first repay an overdrawn balance; the rest is a `paid` grant
    /// in effect from `t` and expiring a year later, as a top-up's grant does.
    fn auto_top_ups(
        &self,
        held: &mut [Held<'_>],
        made: &mut Vec<AutoTopUpMade>,
        options: &PreviewOptions,
        i: usize,
        t: Instant,
        explain: &mut Vec<Step>,
    ) -> Result<(), Error> {
        for (
            asset,
            AutoTopUp {
                threshold,
                amount,
                currency,
            },
        ) in &options.auto_top_up
        {
            let Some(h) = held.iter_mut().find(|h| h.asset == *asset) else {
                continue;
            };
            let balance = h.live(t)?;
            if !below(balance, *threshold) {
                continue;
            }
            let path = format!("auto_top_up.{asset}");
            let bought = self
                .convert(*amount, currency, asset, t)
                .map_err(|e| e.prefixed(&path))?;
            let units = bought.destination_amount.value;
            let owed = if positive(h.rest) {
                Decimal::ZERO
            } else {
                -h.rest
            };
            let repaid = least(units, owed);
            h.rest = plus(h.rest, repaid).unwrap_or_default();
            let id = format!("auto_top_up:{}", made.len() + 1);
            let left = minus(units, repaid).unwrap_or_default();
            h.grants.push(Left {
                grant: Cow::Owned(Grant {
                    id: id.clone(),
                    available: left,
                    purpose: Purpose::Paid,
                    priority: None,
                    effective_at: Some(t),
                    expires_at: t.plus_years(1),
                    created_at: Some(t),
                }),
                left,
            });
            h.grants
                .sort_by(|a, b| a.grant.draw_key().cmp(&b.grant.draw_key()));
            if options.quote.explain {
                explain.push(Step {
                fee: None,
                kind: "auto_top_up",
                text: format!(
                    "after event [{i}] the {asset} balance {balance} is below {threshold}: {} {currency} buys {} {asset} ({} rounding), {repaid} repaying the overdraft",
                    bought.source_amount, bought.destination_amount, bought.rounding
                ),
            });
            }
            made.push(AutoTopUpMade {
                event: i,
                account: h.id.to_string(),
                asset: asset.clone(),
                currency: bought.source.clone(),
                amount: bought.source_amount,
                buys: bought.destination_amount,
                grant: id,
            });
        }
        Ok(())
    }
}

/// `have` drawn towards `need`: what is taken, what is left of `have`, and what is still
/// needed. One subtraction (decimals of different scales are dear to compare).
fn take(have: Decimal, need: Decimal) -> (Decimal, Decimal, Decimal) {
    match minus(have, need) {
        Some(left) if !left.is_sign_negative() || left.is_zero() => (need, left, Decimal::ZERO),
        Some(left) => (have, Decimal::ZERO, -left),
        // Past a decimal's range only when `have` and `need` are of opposite signs, which
        // neither is here: take what there is.
        None => (least(have, need), Decimal::ZERO, Decimal::ZERO),
    }
}

/// What an account cannot supply of `amount` at `t`: what its live grants and its positive
/// grant-less balance leave short.
fn short_of(h: &Held<'_>, amount: Decimal, t: Instant) -> Decimal {
    let mut need = amount;
    for held in &h.grants {
        if !positive(need) {
            return Decimal::ZERO;
        }
        if positive(held.left) && held.grant.live_at(t) {
            need = take(held.left, need).2;
        }
    }
    if positive(need) && positive(h.rest) {
        need = take(h.rest, need).2;
    }
    need
}

/// Draws `amount` from an account at `t`: live grants in order, then the grant-less balance,
/// which then goes negative by what is short, which is returned. Each draw is listed in
/// `draws`.
fn draw<'a>(
    h: &mut Held<'a>,
    amount: Decimal,
    t: Instant,
    draws: &mut Vec<super::Draw<'a>>,
) -> Result<Decimal, Error> {
    let mut need = amount;
    for g in h.grants.iter_mut() {
        if !positive(need) {
            break;
        }
        if positive(g.left) && g.grant.live_at(t) {
            let taken;
            (taken, g.left, need) = take(g.left, need);
            let grant = match &g.grant {
                Cow::Borrowed(grant) => Cow::Borrowed(grant.id.as_str()),
                Cow::Owned(grant) => Cow::Owned(grant.id.clone()),
            };
            draws.push(super::Draw {
                account: h.id.clone(),
                grant: Some(grant),
                amount: Amount::new(taken, h.precision),
            });
        }
    }
    if positive(need) && positive(h.rest) {
        let taken;
        (taken, h.rest, need) = take(h.rest, need);
        draws.push(super::Draw {
            account: h.id.clone(),
            grant: None,
            amount: Amount::new(taken, h.precision),
        });
    }
    if positive(need) {
        h.rest = minus(h.rest, need).ok_or_else(|| overflow("accounts"))?;
        return Ok(need);
    }
    Ok(Decimal::ZERO)
}

fn add<'a>(sums: &mut AmountMap<'a>, code: &'a str, a: Amount) -> Result<(), Error> {
    match sums.0.iter_mut().find(|(c, _)| *c == code) {
        Some((_, sum)) => {
            sum.value = plus(sum.value, a.value).ok_or_else(|| overflow("shortfall"))?;
        }
        None => sums.0.push((code, a)),
    }
    Ok(())
}

/// Each account's balance after the events: grants that expired by `last` are gone (said in
/// `explain`, when there is one).
fn after<'a>(
    held: &[Held<'a>],
    last: Option<Instant>,
    mut explain: Option<&mut Vec<Step>>,
) -> Result<Vec<AccountAfter<'a>>, Error> {
    held.iter()
        .map(|h| {
            let mut balance = h.rest;
            for Left { grant: g, left } in &h.grants {
                let expired = match (last, g.expires_at) {
                    (Some(t), Some(x)) => x <= t,
                    _ => false,
                };
                if !expired {
                    balance = plus(balance, *left).ok_or_else(|| overflow("accounts"))?;
                } else if let (true, Some(explain)) = (positive(*left), explain.as_deref_mut()) {
                    explain.push(Step {
                        fee: None,
                        kind: "expire",
                        text: format!(
                            "grant {} of {} expired at {} holding {} {}",
                            g.id,
                            h.id,
                            g.expires_at.map(|x| x.to_string()).unwrap_or_default(),
                            left,
                            h.asset
                        ),
                    });
                }
            }
            Ok(AccountAfter {
                id: h.id.clone(),
                asset: h.asset.clone(),
                available: Amount::new(h.available.normalize(), h.precision),
                available_after: Amount::new(balance.normalize(), h.precision),
            })
        })
        .collect()
}

//! Batches: many events quoted in order, with tier usage carried from each to the next; which
//! events of a batch can share one pricing ([`Twins`]); and an explanation computed after the
//! fact ([`Engine::explain`]).

use crate::engine::{Engine, FastMap};
use crate::event::Event;
use crate::issue::{Code, Error, ErrorKind, Gathered};
use crate::options::{Prepared, QuoteOptions};
use crate::quote::{Ledger, Quote, Step};
use std::hash::Hash;

/// See [`Engine::session`].
pub struct Session<'e, 'o> {
    engine: &'e Engine,
    /// Borrowed: a batch of one (a preview's) should not pay for a copy.
    options: &'o QuoteOptions,
    prepared: Prepared<'e>,
    ledger: Ledger,
}

impl<'e> Session<'e, '_> {
    /// The next event's quote (events are the batch's in order).
    pub fn quote<'a>(&mut self, event: &'a Event<'_>) -> Result<Quote<'a>, Error>
    where
        'e: 'a,
    {
        self.engine
            .quote_one(event, self.options, &self.prepared, &mut self.ledger)
    }
}

impl Engine {
    /// One quote per event, in order; tiered prices accumulate usage across the batch, per
    /// price and tiering period (UTC calendar months, quarters, years, or lifetime). A batch
    /// with bad events fails with every one's issues, in order (see [`Gathered`]).
    pub fn quote_many<'a>(
        &'a self,
        events: &'a [Event<'_>],
        options: &QuoteOptions,
    ) -> Result<Vec<Quote<'a>>, Error> {
        let mut out = Vec::with_capacity(events.len());
        self.quote_each(events, options, |_, quote| out.push(quote))?;
        Ok(out)
    }

    /// [`Engine::quote_many`] without keeping the quotes: `each` receives every good event's
    /// quote in order. Memory stays flat however long the batch, which matters more than the
    /// arithmetic for millions of events (holding them all costs page faults and frees). Every
    /// event is priced even after a bad one; the bad ones' issues make the error returned.
    pub fn quote_each<'a>(
        &'a self,
        events: &'a [Event<'_>],
        options: &QuoteOptions,
        mut each: impl FnMut(usize, Quote<'a>),
    ) -> Result<(), Error> {
        let mut bad = Gathered::default();
        self.quote_results(events.iter().map(Ok), options, |i, result| match result {
            Ok(quote) => each(i, quote),
            Err(e) => bad.add(e),
        })?;
        bad.into_result()
    }

    /// [`Engine::quote_many`] for a batch read event by event ([`Event::each_from_json`]): the
    /// events that could not be read and those that could not be priced are reported together,
    /// in order.
    pub fn quote_many_read<'a>(
        &'a self,
        events: &'a [Result<Event<'a>, Error>],
        options: &QuoteOptions,
    ) -> Result<Vec<Quote<'a>>, Error> {
        let mut out = Vec::with_capacity(events.len());
        let mut bad = Gathered::default();
        self.quote_results(events.iter().map(Result::as_ref), options, |_, r| match r {
            Ok(quote) => out.push(quote),
            Err(e) => bad.add(e),
        })?;
        bad.into_result()?;
        Ok(out)
    }

    /// Every event of a batch priced in order, and each result handed to `each` with its
    /// index: the quote, or the error of an event that was not read ([`Event::each_from_json`])
    /// or could not be priced, its paths prefixed with the index. Bad events add no tier usage.
    /// This is the batch of `on_error: "return"`; fails only when the options are wrong.
    pub fn quote_results<'a, 'x>(
        &'a self,
        events: impl IntoIterator<Item = Result<&'a Event<'a>, &'x Error>>,
        options: &QuoteOptions,
        mut each: impl FnMut(usize, Result<Quote<'a>, Error>),
    ) -> Result<(), Error> {
        for (i, result) in self.results(events, options)?.enumerate() {
            each(i, result);
        }
        Ok(())
    }

    /// [`Engine::quote_results`] as an iterator, for callers that consume each quote as it
    /// comes (a preview draws each event's fees without keeping a list of its quotes).
    pub(crate) fn results<'a, 'x, 'o, E>(
        &'a self,
        events: E,
        options: &'o QuoteOptions,
    ) -> Result<impl Iterator<Item = Result<Quote<'a>, Error>> + use<'a, 'x, 'o, E>, Error>
    where
        E: IntoIterator<Item = Result<&'a Event<'a>, &'x Error>>,
    {
        let events = events.into_iter();
        crate::limits::check_batch(events.size_hint().0)?;
        let mut session = self.session(options)?;
        Ok(events.enumerate().map(move |(i, event)| match event {
            Ok(event) => session
                .quote(event)
                .map_err(|e| e.prefixed(&format!("[{i}]"))),
            Err(e) => Err(e.clone()),
        }))
    }

    /// A batch quoted one event at a time, for callers that read their events as they go and
    /// price only some (a frame's rows, most of them repeats): the options are checked once, and
    /// tier usage carries from each quote to the next, as in [`Engine::quote_many`].
    pub fn session<'o>(&self, options: &'o QuoteOptions) -> Result<Session<'_, 'o>, Error> {
        Ok(Session {
            engine: self,
            options,
            prepared: self.prepare(options)?,
            ledger: Ledger::default(),
        })
    }

    /// A batch as the JSON text of an array of Quotes, written as it is priced (for the JSON
    /// faces: one string crosses the boundary, and no quote outlives its serialization). The
    /// events are [`Engine::quote_results`]'s: with bad ones, the batch fails with all of them
    /// (`on_error: "raise"`), or each one's error takes its place as `{"error": {code, message,
    /// issues}}` (`"return"`).
    pub fn quote_many_json<'a, 'x>(
        &'a self,
        events: impl IntoIterator<Item = Result<&'a Event<'a>, &'x Error>>,
        options: &QuoteOptions,
    ) -> Result<String, Error> {
        #[derive(serde::Serialize)]
        struct Returned<'e> {
            error: &'e Error,
        }
        let events = events.into_iter();
        let mut out: Vec<u8> =
            Vec::with_capacity(events.size_hint().0.saturating_mul(400).saturating_add(2));
        out.push(b'[');
        let mut bad = Gathered::default();
        let mut failed = None;
        self.quote_results(events, options, |i, result| {
            if i > 0 {
                out.push(b',');
            }
            let written = match result {
                Ok(quote) => serde_json::to_writer(&mut out, &quote),
                Err(e) if options.on_error == crate::options::OnError::Return => {
                    serde_json::to_writer(&mut out, &Returned { error: &e })
                }
                Err(e) => {
                    bad.add(e);
                    Ok(())
                }
            };
            if let Err(e) = written {
                failed.get_or_insert(e.to_string());
            }
        })?;
        bad.into_result()?;
        let internal =
            |why: String| Error::one(ErrorKind::InvalidArgument, "", Code::Internal, why);
        if let Some(why) = failed {
            return Err(internal(why));
        }
        out.push(b']');
        String::from_utf8(out).map_err(|e| internal(e.to_string()))
    }
}

impl Engine {
    /// The explanation of `event`'s quote under `options` (whose `explain` is taken as on): what
    /// a binding computes when a quote's `explain` is first read, from the event as it was
    /// quoted and with `options.at` the instant it was priced at. Tier usage is the options'
    /// `prior_usage` alone, so a binding explains at once (with the quote) any event a tiered
    /// price prices in a batch ([`Twins`] says which).
    pub fn explain(&self, event: &Event<'_>, options: &QuoteOptions) -> Result<Vec<Step>, Error> {
        let options = QuoteOptions {
            explain: true,
            ..options.clone()
        };
        Ok(self.quote(event, &options)?.explain)
    }

    /// A plan of which events of a batch can share one pricing; see [`Twins`].
    pub fn twins<K: Hash + Eq>(&self) -> Twins<'_, K> {
        Twins {
            engine: self,
            firsts: FastMap::default(),
            priced: 0,
            seen: 0,
            found: 0,
            looking: true,
        }
    }
}

/// Where an event of a batch is priced, by [`Twins::place`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Priced here: the `n`-th event priced (counting from 0); later twins repeat its quote.
    New(usize),
    /// Quotes exactly as the `n`-th event priced did (but for the id, and anything else the
    /// caller's key leaves out): its quote is repeated, not priced again.
    Twin(usize),
    /// Priced here, the `n`-th, and never repeated: a tiered price prices it, so its quote
    /// depends on the events before it.
    Alone(usize),
}

/// Which events of a batch can share one pricing. Batches repeat themselves (a few event types,
/// models and sizes), and pricing each distinct event once is most of a batch's speed in every
/// face. The rule is the core's: an event a tiered price prices is priced where it stands (its
/// usage counts towards the tiers, in order); any other quote depends only on its event type, its
/// data and the rates in force at its instant, so events whose keys are equal quote alike. The
/// key is the caller's, and must cover all of that: the JavaScript tape uses an event's record
/// (type, instant and data as bytes), Python's frames a row's type, data and, when amounts are
/// expressed in other assets, its [`Engine::rate_period`] (the instant itself is put back on
/// each row).
///
/// When the first 4,096 events find fewer than a quarter as many twins, the plan stops looking
/// (every later event is [`Place::New`]): keys would cost more than they save. It remembers at
/// most a million distinct keys.
pub struct Twins<'e, K> {
    engine: &'e Engine,
    firsts: FastMap<K, usize>,
    priced: usize,
    seen: usize,
    found: usize,
    looking: bool,
}

/// Events looked at before deciding whether twins are worth looking for.
const PROBE: usize = 4096;
/// Distinct keys remembered at most.
const KEYS: usize = 1 << 20;

impl<K: Hash + Eq> Twins<'_, K> {
    /// Whether [`Twins::place`] reads the event type (only when a tiered price exists): a caller
    /// whose types cost something to read may pass `""` otherwise.
    pub fn reads_types(&self) -> bool {
        self.engine.has_tiered_prices()
    }

    /// The next event of the batch (events in order): its type, and its key.
    pub fn place(&mut self, event_type: &str, key: K) -> Place {
        self.seen += 1;
        let n = self.priced;
        if self.engine.prices_in_tiers(event_type) {
            self.priced += 1;
            return Place::Alone(n);
        }
        if self.looking && self.seen == PROBE && self.found < PROBE / 4 {
            self.looking = false;
            self.firsts = FastMap::default();
        }
        if self.looking {
            if let Some(first) = self.firsts.get(&key) {
                self.found += 1;
                return Place::Twin(*first);
            }
            if self.firsts.len() < KEYS {
                self.firsts.insert(key, n);
            }
        }
        self.priced += 1;
        Place::New(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOG: &str = r#"{"assets": [], "products": [{"name": "p", "code": "p", "prices": [
      {"name": "calls", "type": "usage_based", "billing_model": {"type": "real_time"},
       "usage_calculation": {"event_type": "call", "usage_type": "unit"},
       "pricing": [{"asset": "USD", "values": [{"unit_price": "1"}]}]},
      {"name": "storage", "type": "usage_based", "billing_model": {"type": "real_time"},
       "pricing_model": "tiered",
       "usage_calculation": {"event_type": "store", "usage_type": "volume", "volume_field": "gb"},
       "pricing": [{"asset": "USD", "values": [{"up_to": 10, "volume_rate": "1"}, {"volume_rate": "0.5"}]}]}]}]}"#;

    #[test]
    fn twins_share_a_pricing_and_tiers_never_do() {
        let engine = Engine::from_json(CATALOG).unwrap();
        let mut twins = engine.twins::<&str>();
        assert!(twins.reads_types());
        let plan: Vec<Place> = [
            ("call", "a"),
            ("call", "b"),
            ("call", "a"),
            ("store", "x"),
            ("store", "x"),
            ("call", "b"),
        ]
        .into_iter()
        .map(|(t, k)| twins.place(t, k))
        .collect();
        assert_eq!(
            plan,
            [
                Place::New(0),
                Place::New(1),
                Place::Twin(0),
                Place::Alone(2),
                Place::Alone(3),
                Place::Twin(1),
            ]
        );
    }

    #[test]
    fn twins_stop_looking_when_events_are_mostly_distinct() {
        let engine = Engine::from_json(CATALOG).unwrap();
        let mut twins = engine.twins::<usize>();
        for i in 0..PROBE {
            assert_eq!(twins.place("call", i), Place::New(i));
        }
        // Key 0 was seen, but the plan no longer looks.
        assert_eq!(twins.place("call", 0), Place::New(PROBE));
    }
}

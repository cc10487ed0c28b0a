//! Batches: many events quoted in order, with tier usage carried from each to the next.

use crate::engine::Engine;
use crate::event::Event;
use crate::issue::{Code, Error, ErrorKind};
use crate::options::{Prepared, QuoteOptions};
use crate::quote::{Ledger, Quote};

/// See [`Engine::session`].
pub struct Session<'e> {
    engine: &'e Engine,
    options: QuoteOptions,
    prepared: Prepared<'e>,
    ledger: Ledger,
}

impl<'e> Session<'e> {
    /// The next event's quote (events are the batch's in order).
    pub fn quote<'a>(&mut self, event: &'a Event<'_>) -> Result<Quote<'a>, Error>
    where
        'e: 'a,
    {
        self.engine
            .quote_one(event, &self.options, &self.prepared, &mut self.ledger)
    }
}

impl Engine {
    /// One quote per event, in order; tiered prices accumulate usage across the batch, per
    /// price and tiering period (UTC calendar months, quarters, years, or lifetime).
    pub fn quote_many<'a>(
        &'a self,
        events: &'a [Event<'_>],
        options: &QuoteOptions,
    ) -> Result<Vec<Quote<'a>>, Error> {
        let mut out = Vec::with_capacity(events.len());
        self.quote_each(events, options, |_, quote| out.push(quote))?;
        Ok(out)
    }

    /// [`Engine::quote_many`] without keeping the quotes: `each` receives every quote in order.
    /// Memory stays flat however long the batch, which matters more than the arithmetic for
    /// millions of events (holding them all costs page faults and frees).
    pub fn quote_each<'a>(
        &'a self,
        events: &'a [Event<'_>],
        options: &QuoteOptions,
        mut each: impl FnMut(usize, Quote<'a>),
    ) -> Result<(), Error> {
        crate::limits::check_batch(events.len())?;
        let mut session = self.session(options)?;
        for (i, event) in events.iter().enumerate() {
            let quote = session
                .quote(event)
                .map_err(|e| e.prefixed(&format!("[{i}]")))?;
            each(i, quote);
        }
        Ok(())
    }

    /// A batch quoted one event at a time, for callers that read their events as they go and
    /// price only some (a frame's rows, most of them repeats): the options are checked once, and
    /// tier usage carries from each quote to the next, as in [`Engine::quote_many`].
    pub fn session(&self, options: &QuoteOptions) -> Result<Session<'_>, Error> {
        Ok(Session {
            engine: self,
            options: options.clone(),
            prepared: self.prepare(options)?,
            ledger: Ledger::default(),
        })
    }

    /// A batch as the JSON text of an array of Quotes, written as it is priced (for the JSON
    /// faces: one string crosses the boundary, and no quote outlives its serialization).
    pub fn quote_many_json(
        &self,
        events: &[Event<'_>],
        options: &QuoteOptions,
    ) -> Result<String, Error> {
        let mut out: Vec<u8> =
            Vec::with_capacity(events.len().saturating_mul(400).saturating_add(2));
        out.push(b'[');
        let mut failed = None;
        self.quote_each(events, options, |i, quote| {
            if failed.is_some() {
                return;
            }
            if i > 0 {
                out.push(b',');
            }
            if let Err(e) = serde_json::to_writer(&mut out, &quote) {
                failed = Some(e.to_string());
            }
        })?;
        if let Some(why) = failed {
            return Err(Error::one(
                ErrorKind::InvalidArgument,
                "",
                Code::Internal,
                why,
            ));
        }
        out.push(b']');
        String::from_utf8(out).map_err(|e| {
            Error::one(
                ErrorKind::InvalidArgument,
                "",
                Code::Internal,
                e.to_string(),
            )
        })
    }
}

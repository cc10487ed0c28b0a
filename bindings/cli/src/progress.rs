//! A progress bar on stderr while a large batch is priced, when stderr is a terminal (never in
//! a pipe, a file or CI's log, whose output stays exactly the answer and its errors).

use indicatif::{ProgressBar, ProgressStyle};
use ratecard::{Engine, Error, Event, Gathered, Quote, QuoteOptions};
use std::io::IsTerminal;

/// Batches of fewer events are priced before a bar would be seen.
const FROM: usize = 50_000;

/// [`Engine::quote_many_read`], with a bar for a large batch.
pub fn quote_many<'a>(
    engine: &'a Engine,
    events: &'a [Result<Event<'a>, Error>],
    options: &QuoteOptions,
) -> Result<Vec<Quote<'a>>, Error> {
    let shown = events.len() >= FROM && std::io::stderr().is_terminal();
    if !shown {
        return engine.quote_many_read(events, options);
    }
    let bar = ProgressBar::new(events.len() as u64).with_style(
        ProgressStyle::with_template(
            "{bar:40} {human_pos}/{human_len} events, {per_sec}, {eta} left",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut out = Vec::with_capacity(events.len());
    let mut bad = Gathered::default();
    engine.quote_results(events.iter().map(Result::as_ref), options, |i, r| {
        if i % 4096 == 0 {
            bar.set_position(i as u64);
        }
        match r {
            Ok(quote) => out.push(quote),
            Err(e) => bad.add(e),
        }
    })?;
    bar.finish_and_clear();
    bad.into_result()?;
    Ok(out)
}

//! `ratecard.Engine`: the core engine, with Python's argument conventions.

use crate::errors::{guard, OrRaise};
use crate::input::{
    cached, catalog_value, check_events, decimal_from_py, default_options, instant_from_py,
    json_text, now, quote_options, snap_from_py, snaps_from_py, Fail, OptionArgs, OrFail, Reader,
    Snap,
};
use crate::results::{
    issues_py, steps_of, Conversion, Explain, Issue, Quote, Replay, Shapes, Step,
};
use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use ratecard::{ErrorKind, Event, QuoteOptions};
use std::sync::{Arc, Mutex, MutexGuard};

/// A validated, indexed catalog. Build it once; quote as often as you like.
#[pyclass(module = "ratecard._ratecard", subclass, frozen)]
pub struct Engine {
    pub(crate) inner: ratecard::Engine,
    warnings: Vec<Issue>,
    /// Caches for reading event dicts (interned strings, the last timestamp).
    reader: Reader,
    /// The fee shapes handed out (see `results::Shapes`).
    shapes: Mutex<Shapes>,
}

fn any_given(args: &OptionArgs<'_, '_>) -> bool {
    [
        args.at,
        args.now,
        args.express_in,
        args.products,
        args.prior_usage,
        args.options,
    ]
    .iter()
    .any(|a| a.is_some_and(|x| !x.is_none()))
}

pub(crate) fn options_for(
    py: Python<'_>,
    args: &OptionArgs<'_, '_>,
    default_explain: bool,
) -> PyResult<ratecard::QuoteOptions> {
    if any_given(args) {
        quote_options(py, args, default_explain).or_fail(py)
    } else {
        Ok(default_options(args.explain.unwrap_or(default_explain)))
    }
}

impl Engine {
    fn shapes(&self) -> MutexGuard<'_, Shapes> {
        match self.shapes.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// A quote with its explanation (or none) computed at once.
    fn eager(&self, q: &ratecard::Quote<'_>) -> Quote {
        Quote::of(
            q,
            Arc::from(q.event_type),
            None,
            &mut self.shapes(),
            Explain::Ready(steps_of(q)),
        )
    }

    /// A batch's quotes as owned result objects, taken one by one as the core prices them, so
    /// the core's borrowed quotes never pile up beside their copies.
    fn eager_quotes(
        &self,
        events: &[Event<'_>],
        options: &QuoteOptions,
    ) -> Result<Vec<Quote>, ratecard::Error> {
        let mut out = Vec::with_capacity(events.len());
        self.inner
            .quote_each(events, options, |_, q| out.push(self.eager(&q)))?;
        Ok(out)
    }

    /// A quote's explanation, computed when first read: the same event quoted again with the
    /// same options, explain on and `at` fixed to the instant the quote was priced at.
    pub(crate) fn replay(
        &self,
        py: Python<'_>,
        event: &Event<'_>,
        options: Option<&QuoteOptions>,
        at: ratecard::Instant,
    ) -> PyResult<Box<[Step]>> {
        guard(py, || {
            let mut options = options.cloned().unwrap_or_default();
            options.at = Some(at);
            options.explain = true;
            let quote = self.inner.quote(event, &options).or_raise(py)?;
            Ok(steps_of(&quote))
        })
    }
}

fn objects(py: Python<'_>, quotes: Vec<Quote>) -> PyResult<Vec<Py<Quote>>> {
    quotes.into_iter().map(|q| Py::new(py, q)).collect()
}

fn later(engine: &Bound<'_, Engine>, event: Snap, options: Option<Arc<QuoteOptions>>) -> Explain {
    Explain::Later(Replay::new(engine, event, options))
}

/// `quote`'s arguments: `event`, then keywords only.
///
/// Read by hand from `(*args, **kwargs)`, which pyo3 passes through untouched: its own reader
/// copies each keyword's name out of Python (no zero-copy UTF-8 in the abi3-py39 limited API)
/// to compare it, which costs more than the rest of a call's argument handling. Here names
/// are compared as interned `str` objects first (the names at a call site are interned), by
/// text only when that fails. The errors are pyo3's, word for word.
struct QuoteArgs<'py> {
    event: Bound<'py, PyAny>,
    at: Option<Bound<'py, PyAny>>,
    express_in: Option<Bound<'py, PyAny>>,
    products: Option<Bound<'py, PyAny>>,
    prior_usage: Option<Bound<'py, PyAny>>,
    explain: Option<bool>,
    now: Option<Bound<'py, PyAny>>,
    options: Option<Bound<'py, PyAny>>,
}

/// `quote`'s keywords, in signature order.
const QUOTE_KEYWORDS: [&str; 8] = [
    "event",
    "at",
    "express_in",
    "products",
    "prior_usage",
    "explain",
    "now",
    "options",
];

impl<'py> QuoteArgs<'py> {
    fn read(args: &Bound<'py, PyTuple>, kwargs: Option<&Bound<'py, PyDict>>) -> PyResult<Self> {
        let py = args.py();
        let name = "Engine.quote()";
        if args.len() > 1 {
            return Err(PyTypeError::new_err(format!(
                "{name} takes 1 positional arguments but {} were given",
                args.len()
            )));
        }
        let mut slots: [Option<Bound<'py, PyAny>>; 8] = Default::default();
        if let Ok(event) = args.get_item(0) {
            slots[0] = Some(event);
        }
        // The commonest keyword call, `quote(event, explain=False)`, by one look-up.
        let only_explain = match kwargs {
            Some(kwargs) if kwargs.len() == 1 => kwargs.get_item(intern!(py, "explain"))?,
            _ => None,
        };
        if let Some(value) = only_explain {
            slots[5] = Some(value);
        } else if let Some(kwargs) = kwargs {
            let interned = [
                intern!(py, "event"),
                intern!(py, "at"),
                intern!(py, "express_in"),
                intern!(py, "products"),
                intern!(py, "prior_usage"),
                intern!(py, "explain"),
                intern!(py, "now"),
                intern!(py, "options"),
            ];
            for (key, value) in kwargs.iter() {
                let index = match interned.iter().position(|n| n.is(&key)) {
                    Some(i) => Some(i),
                    None => match key.cast::<PyString>() {
                        Ok(k) => {
                            let text = k.to_cow()?;
                            QUOTE_KEYWORDS.iter().position(|n| *n == text)
                        }
                        Err(_) => None,
                    },
                };
                let Some((i, slot)) = index.and_then(|i| Some((i, slots.get_mut(i)?))) else {
                    return Err(PyTypeError::new_err(format!(
                        "{name} got an unexpected keyword argument '{key}'"
                    )));
                };
                if slot.replace(value).is_some() {
                    return Err(PyTypeError::new_err(format!(
                        "{name} got multiple values for argument '{}'",
                        QUOTE_KEYWORDS.get(i).copied().unwrap_or_default()
                    )));
                }
            }
        }
        let [event, at, express_in, products, prior_usage, explain, now, options] = slots;
        let Some(event) = event else {
            return Err(PyTypeError::new_err(format!(
                "{name} missing 1 required positional argument: 'event'"
            )));
        };
        let explain = match explain.filter(|e| !e.is_none()) {
            None => None,
            Some(e) => Some(e.extract::<bool>().map_err(|err| {
                if err.get_type(py).is(py.get_type::<PyTypeError>()) {
                    let remapped =
                        PyTypeError::new_err(format!("argument 'explain': {}", err.value(py)));
                    remapped.set_cause(py, err.cause(py));
                    remapped
                } else {
                    err
                }
            })?),
        };
        let given = |v: Option<Bound<'py, PyAny>>| v.filter(|x| !x.is_none());
        Ok(QuoteArgs {
            event,
            at: given(at),
            express_in: given(express_in),
            products: given(products),
            prior_usage: given(prior_usage),
            explain,
            now: given(now),
            options: given(options),
        })
    }

    fn option_args(&self) -> OptionArgs<'_, 'py> {
        OptionArgs {
            at: self.at.as_ref(),
            now: self.now.as_ref(),
            express_in: self.express_in.as_ref(),
            products: self.products.as_ref(),
            prior_usage: self.prior_usage.as_ref(),
            explain: self.explain,
            options: self.options.as_ref(),
        }
    }
}

#[pymethods]
impl Engine {
    /// `catalog`: a dict, JSON text (`str` or `bytes`) or a `pathlib.Path` to a JSON file.
    #[new]
    fn new(py: Python<'_>, catalog: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(py, || {
            let c = cached(py)?;
            let value = catalog_value(catalog, c).or_fail(py)?;
            let inner = ratecard::Engine::new(&value).or_raise(py)?;
            let warnings = inner.warnings().iter().map(Issue::from).collect();
            Ok(Engine {
                inner,
                warnings,
                reader: Reader::new(py),
                shapes: Mutex::new(Shapes::default()),
            })
        })
    }

    /// The catalog's warnings: legal but suspicious things found while validating it.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        issues_py(py, &self.warnings)
    }

    /// What one event would cost. `event` is a dict (the UsageEvent shape) or its JSON text.
    ///
    /// From a dict, the explanation (on by default) is computed when first read: see
    /// `Engine::replay`. JSON text is quoted with its explanation at once.
    ///
    /// The arguments are read by [`QuoteArgs::read`] rather than by pyo3 (see there); the
    /// signature Python sees is the one below.
    #[pyo3(
        signature = (*args, **kwargs),
        text_signature = "($self, event, *, at=None, express_in=None, products=None, prior_usage=None, explain=None, now=None, options=None)"
    )]
    fn quote(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Quote> {
        // No `py` argument: pyo3 passes `(*args, **kwargs)` through only when they are all.
        let py = slf.py();
        let call = QuoteArgs::read(args, kwargs)?;
        guard(py, || {
            let this = slf.get();
            let event = &call.event;
            let args = call.option_args();
            let custom = any_given(&args);
            let mut options = if custom {
                quote_options(py, &args, true).or_fail(py)?
            } else {
                QuoteOptions {
                    explain: args.explain.unwrap_or(true),
                    ..QuoteOptions::default()
                }
            };
            if !event.is_instance_of::<PyDict>() {
                if let Some(text) = json_text(event).or_fail(py)? {
                    if !custom {
                        options.now = crate::input::now();
                    }
                    let event = Event::from_json(&text).or_raise(py)?;
                    let quote = this.inner.quote(&event, &options).or_raise(py)?;
                    return Ok(this.eager(&quote));
                }
            }
            let c = cached(py)?;
            let snap = snap_from_py(event, c, &this.reader, &this.inner).or_fail(py)?;
            let event = snap.event();
            event.check("").or_raise(py)?;
            // The clock is read only when nothing else says when to price.
            if !custom && event.occurred_at.is_none() {
                options.now = crate::input::now();
            }
            let explain = options.explain;
            options.explain = false;
            let quote = this.inner.quote(&event, &options).or_raise(py)?;
            let result = Quote::of(
                &quote,
                snap.event_type.clone(),
                snap.id.clone(),
                &mut this.shapes(),
                Explain::Off,
            );
            drop(quote);
            drop(event);
            if !explain {
                return Ok(result);
            }
            let options = custom.then(|| Arc::new(options));
            Ok(result.with_explain(later(slf, snap, options)))
        })
    }

    /// One quote per event, in order; tiered prices accumulate usage across the batch.
    /// `events` is a list of dicts (any iterable) or a JSON array as text.
    ///
    /// From dicts and without tiered prices, explanations are computed when first read (a
    /// quote then depends on its event alone); with tiered prices, at once.
    #[pyo3(signature = (events, *, at=None, express_in=None, products=None, prior_usage=None, explain=None, now=None, options=None))]
    #[allow(clippy::too_many_arguments)]
    fn quote_many(
        slf: &Bound<'_, Self>,
        py: Python<'_>,
        events: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
        express_in: Option<&Bound<'_, PyAny>>,
        products: Option<&Bound<'_, PyAny>>,
        prior_usage: Option<&Bound<'_, PyAny>>,
        explain: Option<bool>,
        now: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Py<Quote>>> {
        guard(py, || {
            let this = slf.get();
            let args = OptionArgs {
                at,
                now,
                express_in,
                products,
                prior_usage,
                explain,
                options,
            };
            let mut options = options_for(py, &args, true)?;
            if let Some(text) = json_text(events).or_fail(py)? {
                let events = Event::many_from_json(&text).or_raise(py)?;
                return objects(py, this.eager_quotes(&events, &options).or_raise(py)?);
            }
            let c = cached(py)?;
            let snaps = snaps_from_py(events, c, &this.reader, &this.inner).or_fail(py)?;
            let events: Vec<Event<'_>> = snaps.iter().map(Snap::event).collect();
            check_events(&events).or_raise(py)?;
            if options.explain && this.inner.has_tiered_prices() {
                return objects(py, this.eager_quotes(&events, &options).or_raise(py)?);
            }
            // Each quote becomes its Python object as soon as it is priced, so that the core's
            // quotes and their copies never pile up beside the events.
            let explain = options.explain;
            options.explain = false;
            let replay_options = explain.then(|| {
                let mut o = options.clone();
                o.explain = true;
                Arc::new(o)
            });
            let mut out: Vec<Py<Quote>> = Vec::with_capacity(events.len());
            let mut failed = None;
            this.inner
                .quote_each(&events, &options, |i, q| {
                    if failed.is_some() {
                        return;
                    }
                    let snap = snaps.get(i);
                    let (event_type, id) = match snap {
                        Some(s) => (s.event_type.clone(), s.id.clone()),
                        None => (Arc::from(q.event_type), None),
                    };
                    let how = match (snap, &replay_options) {
                        (Some(s), Some(o)) => later(slf, s.clone(), Some(o.clone())),
                        _ => Explain::Off,
                    };
                    // The shapes' lock is not held across the call into Python.
                    let quote = Quote::of(&q, event_type, id, &mut this.shapes(), how);
                    match Py::new(py, quote) {
                        Ok(obj) => out.push(obj),
                        Err(e) => failed = Some(e),
                    }
                })
                .or_raise(py)?;
            match failed {
                Some(e) => Err(e),
                None => Ok(out),
            }
        })
    }

    /// Converts `amount` of `from_asset` into `to_asset` at `at` (default: now).
    #[pyo3(signature = (amount, from_asset, to_asset, *, at=None))]
    fn convert(
        &self,
        py: Python<'_>,
        amount: &Bound<'_, PyAny>,
        from_asset: &str,
        to_asset: &str,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Conversion> {
        guard(py, || {
            let c = cached(py)?;
            let value = decimal_from_py(amount, c, "amount").or_fail(py)?;
            let at = match at.filter(|a| !a.is_none()) {
                Some(a) => instant_from_py(a, c, ErrorKind::InvalidArgument, "at").or_fail(py)?,
                None => now().ok_or_else(|| {
                    Fail::Core(ratecard::Error::one(
                        ErrorKind::InvalidArgument,
                        "at",
                        ratecard::Code::MissingInstant,
                        "the system clock is before 1970",
                    ))
                    .into_py(py)
                })?,
            };
            let conversion = self
                .inner
                .convert(value, from_asset, to_asset, at)
                .or_raise(py)?;
            Ok(Conversion::from(conversion))
        })
    }

    /// Display text from the asset's precision, label and symbol, e.g. `📸 1.50 image`.
    fn format(&self, py: Python<'_>, amount: &Bound<'_, PyAny>, asset: &str) -> PyResult<String> {
        guard(py, || {
            let c = cached(py)?;
            let value = decimal_from_py(amount, c, "amount").or_fail(py)?;
            self.inner.format(value, asset).or_raise(py)
        })
    }

    fn __repr__(&self) -> String {
        let catalog = self.inner.catalog();
        format!(
            "Engine(assets={}, products={})",
            catalog.assets.len(),
            catalog.products.len()
        )
    }
}

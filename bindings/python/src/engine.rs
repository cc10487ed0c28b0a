//! `ratecard.Engine`: the core's engine, with Python's argument conventions.

use crate::errors::{fail, guard, issues_py, Fail, Result};
use crate::from_py::{self, cached, json_text, OptionArgs, Snap};
use crate::to_py::{self, Capacity, Conversion, Explain, Preview, Quote, Shapes};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use ratecard::{Code, ErrorKind, Event, Gathered, OnError, QuoteOptions};
use std::borrow::Cow;
use std::sync::{Arc, Mutex, MutexGuard};

/// A validated, indexed catalog. Build it once; quote as often as you like.
#[pyclass(module = "ratecard._ratecard", subclass, frozen)]
pub struct Engine {
    /// Shared with the quotes that explain themselves later.
    pub(crate) inner: Arc<ratecard::Engine>,
    /// The fee shapes handed out (see `to_py::Shapes`).
    shapes: Mutex<Shapes>,
    /// The last wallet read (a notebook previews one wallet again and again).
    wallets: Mutex<ratecard::wallet::WalletCache>,
}

impl Engine {
    fn wallets(&self) -> MutexGuard<'_, ratecard::wallet::WalletCache> {
        self.wallets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn shapes(&self) -> MutexGuard<'_, Shapes> {
        self.shapes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A batch read from JSON text, or with tiered prices and explain on: each quote explained
    /// at once (with tiers a quote depends on the events before it, so it cannot be explained
    /// later on its own), taken one by one as the core prices them.
    fn eager(
        &self,
        py: Python<'_>,
        events: &[std::result::Result<Event<'_>, ratecard::Error>],
        options: &QuoteOptions,
    ) -> Result<Vec<Py<PyAny>>> {
        let mut out = Batch::new(events.len(), options.on_error);
        self.inner
            .quote_results(events.iter().map(|e| e.as_ref()), options, |_, r| {
                out.add(
                    py,
                    r.map(|q| {
                        let explain = Explain::Ready(q.explain.clone());
                        Quote::of(py, &q, &mut self.shapes(), None, explain)
                    }),
                );
            })?;
        out.finish()
    }
}

/// How often, in events, a long batch reports its progress.
const PROGRESS_STRIDE: usize = 1 << 16;

/// The keywords of `affordable` and `buys`: a quote's, but `express_in` and `explain`, and
/// `volume_step`.
fn capacity_args<'a, 'py>(
    at: Option<&'a Bound<'py, PyAny>>,
    products: Option<&'a Bound<'py, PyAny>>,
    prior_usage: Option<&'a Bound<'py, PyAny>>,
    now: Option<&'a Bound<'py, PyAny>>,
    volume_step: Option<&'a Bound<'py, PyAny>>,
    options: Option<&'a Bound<'py, PyAny>>,
) -> Result<OptionArgs<'a, 'py>> {
    let mut args = OptionArgs::new(at, None, products, prior_usage, None, now, options)?;
    args.more = volume_step
        .map(|v| ("volume_step", v))
        .into_iter()
        .collect();
    Ok(args)
}

/// A preview's keywords: the quote options (`at`, `express_in`, `products`, `prior_usage`,
/// `explain`, `now`, `options`) and the wallet's (`overdraft`, `min_top_up`,
/// `top_up_currency`, `auto_top_up`), in those orders.
pub fn preview_args<'a, 'py>(
    quote: [Option<&'a Bound<'py, PyAny>>; 7],
    more: [Option<&'a Bound<'py, PyAny>>; 4],
) -> Result<OptionArgs<'a, 'py>> {
    let [at, express_in, products, prior_usage, explain, now, options] = quote;
    let mut args = OptionArgs::new(at, express_in, products, prior_usage, explain, now, options)?;
    let names = ["overdraft", "min_top_up", "top_up_currency", "auto_top_up"];
    args.more = names
        .into_iter()
        .zip(more)
        .filter_map(|(k, v)| Some((k, v?)))
        .collect();
    Ok(args)
}

impl Engine {
    /// The wallet operations' options: the keywords in the wire form, read by the core.
    pub(crate) fn wallet_options(
        &self,
        py: Python<'_>,
        args: &OptionArgs<'_, '_>,
    ) -> Result<ratecard::PreviewOptions> {
        let wire = serde_json::Value::Object(args.wire(py, true)?);
        let mut options = ratecard::PreviewOptions::from_value(&self.inner, &wire)?;
        if options.quote.now.is_none() && !args.no_clock() {
            options.quote.now = from_py::now();
        }
        Ok(options)
    }
}

/// A batch's answer as it is priced: each quote as its Python object, and each bad event's
/// error either gathered (`on_error="raise"`: one exception with every issue, and no more
/// objects made once one failed) or made the exception it would raise, in its place.
struct Batch {
    out: Vec<Py<PyAny>>,
    bad: Gathered,
    on_error: OnError,
    failed: Option<PyErr>,
}

impl Batch {
    fn new(n: usize, on_error: OnError) -> Batch {
        Batch {
            out: Vec::with_capacity(n),
            bad: Gathered::default(),
            on_error,
            failed: None,
        }
    }

    /// Whether a quote still becomes an object (not after a failure that will be raised).
    fn wants_quotes(&self) -> bool {
        self.on_error == OnError::Return || self.bad.is_empty()
    }

    fn add(&mut self, py: Python<'_>, r: std::result::Result<Quote, ratecard::Error>) {
        let made = match r {
            Ok(quote) if self.wants_quotes() => Py::new(py, quote).map(Py::into_any),
            Ok(_) => return,
            Err(e) if self.on_error == OnError::Return => {
                Ok(PyErr::from(Fail::Core(e)).into_value(py).into_any())
            }
            Err(e) => {
                self.bad.add(e);
                return;
            }
        };
        match made {
            Ok(object) => self.out.push(object),
            Err(e) => self.failed = self.failed.take().or(Some(e)),
        }
    }

    fn finish(self) -> Result<Vec<Py<PyAny>>> {
        if let Some(e) = self.failed {
            return Err(Fail::Py(e));
        }
        self.bad.into_result()?;
        Ok(self.out)
    }
}

#[pymethods]
impl Engine {
    /// `catalog`: a dict, JSON text (`str` or `bytes`) or a `pathlib.Path` to a JSON file.
    /// `strict=True`: a catalog with warnings is refused too (each warning an issue).
    #[new]
    #[pyo3(signature = (catalog, *, strict=false))]
    fn new(catalog: &Bound<'_, PyAny>, strict: bool) -> Result<Self> {
        guard(|| {
            let inner = Arc::new(ratecard::Engine::build(
                &from_py::catalog(catalog)?,
                strict,
            )?);
            Ok(Engine {
                inner,
                shapes: Mutex::default(),
                wallets: Mutex::default(),
            })
        })
    }

    /// The catalog's warnings: legal but suspicious things found while validating it.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        issues_py(py, self.inner.warnings())
    }

    /// What one event would cost. `event` is a dict (the UsageEvent shape) or its JSON text.
    ///
    /// From a dict, the explanation (on by default) is computed when first read, from the event
    /// as it was read. JSON text is quoted with its explanation at once.
    #[pyo3(signature = (event, *, at=None, express_in=None, products=None, prior_usage=None, explain=None, now=None, options=None))]
    #[allow(clippy::too_many_arguments)]
    fn quote(
        slf: &Bound<'_, Self>,
        event: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
        express_in: Option<&Bound<'_, PyAny>>,
        products: Option<&Bound<'_, PyAny>>,
        prior_usage: Option<&Bound<'_, PyAny>>,
        explain: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyAny>>,
    ) -> Result<Quote> {
        let py = slf.py();
        let args = OptionArgs::new(at, express_in, products, prior_usage, explain, now, options)?;
        guard(|| {
            let this = slf.get();
            let custom = args.any();
            let mut options = match custom {
                true => args.read(py, true)?,
                false => QuoteOptions {
                    explain: args.explain.unwrap_or(true),
                    ..QuoteOptions::default()
                },
            };
            if !event.is_instance_of::<PyDict>() {
                if let Some(text) = json_text(event)? {
                    if !custom {
                        options.now = from_py::now();
                    }
                    let event = Event::from_json(&text)?;
                    let quote = this.inner.quote(&event, &options)?;
                    let explain = Explain::Ready(quote.explain.clone());
                    return Ok(Quote::of(py, &quote, &mut this.shapes(), None, explain));
                }
            }
            let snap = Snap::read(event, cached(py)?)?;
            let event = snap.event(py)?;
            event.check("")?;
            // The clock is read only when nothing else says when to price.
            if !custom && event.occurred_at.is_none() {
                options.now = from_py::now();
            }
            let explain = std::mem::replace(&mut options.explain, false);
            let quote = this.inner.quote(&event, &options)?;
            let names = Some((
                snap.event_type.clone_ref(py),
                snap.id.as_ref().map(|s| s.clone_ref(py)),
            ));
            let result = Quote::of(py, &quote, &mut this.shapes(), names, Explain::Off);
            drop(quote);
            drop(event);
            if !explain {
                return Ok(result);
            }
            let options = custom.then(|| Arc::new(options));
            Ok(result.explained(Explain::later(&slf.get().inner, snap, options)))
        })
    }

    /// One quote per event, in order; tiered prices accumulate usage across the batch.
    /// `events` is a list of dicts (any iterable), a JSON array as text, or a `pathlib.Path`.
    ///
    /// Bad events: with `on_error="raise"` (the default) one exception carries every bad
    /// event's issues, in order; with `on_error="return"` each bad event's exception takes its
    /// place in the list.
    ///
    /// From dicts and without tiered prices, explanations are computed when first read (a
    /// quote then depends on its event alone); with tiered prices, at once.
    ///
    /// `progress=True` shows how far a long batch is (a tqdm bar, or a line on stderr); a
    /// callable is called with `(done, total)` every 65,536 events and at the end.
    #[pyo3(signature = (events, *, at=None, express_in=None, products=None, prior_usage=None, explain=None, now=None, options=None, on_error=None, progress=None))]
    #[allow(clippy::too_many_arguments)]
    fn quote_many(
        slf: &Bound<'_, Self>,
        events: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
        express_in: Option<&Bound<'_, PyAny>>,
        products: Option<&Bound<'_, PyAny>>,
        prior_usage: Option<&Bound<'_, PyAny>>,
        explain: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyAny>>,
        on_error: Option<&Bound<'_, PyAny>>,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> Result<Vec<Py<PyAny>>> {
        let py = slf.py();
        // The reporter `progress=` asks for (ratecard/_progress.py), or None.
        let report = match progress {
            Some(p) => py
                .import("ratecard._progress")?
                .getattr("reporter")?
                .call1((p, "quote_many", "events"))?,
            None => py.None().into_bound(py),
        };
        let tick = |done: usize, total: usize| -> PyResult<()> {
            match report.is_none() {
                true => Ok(()),
                false => report.call1((done, total)).map(drop),
            }
        };
        let mut args =
            OptionArgs::new(at, express_in, products, prior_usage, explain, now, options)?;
        args.on_error = on_error;
        guard(|| {
            let this = slf.get();
            let mut options = args.read(py, true)?;
            // JSON text, or (as a catalog may be) a path to a file of it.
            let text = json_text(events)?;
            let file = match text {
                Some(_) => None,
                None => from_py::file_text(events)?,
            };
            if let Some(text) = text.or(file.as_deref().map(Cow::Borrowed)) {
                return this.eager(py, &Event::each_from_json(&text)?, &options);
            }
            let c = cached(py)?;
            let snaps = Snap::read_each(events, c)?;
            ratecard::limits::check_batch(snaps.len())?;
            // One mapping is a batch of one whose paths are its own.
            let one = from_py::is_mapping(events, c)?;
            let at = |i: usize| if one { String::new() } else { format!("[{i}]") };
            if options.explain && this.inner.has_tiered_prices() {
                let events = snaps
                    .iter()
                    .enumerate()
                    .map(|(i, s)| from_py::checked(py, || at(i), s))
                    .collect::<PyResult<Vec<_>>>()?;
                return this.eager(py, &events, &options);
            }
            // Each quote becomes its Python object as it is priced (explained later, from the
            // event it keeps), so that quotes and their copies never pile up.
            let explain = std::mem::replace(&mut options.explain, false);
            let shared = explain.then(|| Arc::new(options.clone()));
            let mut session = this.inner.session(&options)?;
            let mut out = Batch::new(snaps.len(), options.on_error);
            let total = snaps.len();
            for (i, slot) in snaps.into_iter().enumerate() {
                if i % PROGRESS_STRIDE == 0 && i > 0 {
                    tick(i, total)?;
                }
                let event = from_py::checked(py, || at(i), &slot)?;
                let names = slot.as_ref().ok().map(|snap| {
                    let id = snap.id.as_ref().map(|s| s.clone_ref(py));
                    (snap.event_type.clone_ref(py), id)
                });
                let priced = event.and_then(|event| {
                    let quote = session.quote(&event).map_err(|e| e.prefixed(&at(i)))?;
                    let wanted = out.wants_quotes();
                    Ok(wanted
                        .then(|| Quote::of(py, &quote, &mut this.shapes(), names, Explain::Off)))
                });
                let result = match (priced, slot) {
                    (Err(e), _) => Err(e),
                    (Ok(None), _) => continue,
                    (Ok(Some(quote)), Ok(snap)) => Ok(match &shared {
                        Some(o) => {
                            quote.explained(Explain::later(&this.inner, snap, Some(o.clone())))
                        }
                        None => quote,
                    }),
                    (Ok(Some(_)), Err(e)) => Err(e),
                };
                out.add(py, result);
            }
            tick(total, total)?;
            out.finish()
        })
    }

    /// What `events` would draw from `wallet`, grant by grant, and what is left: a
    /// [`Preview`]. `wallet` is the billing API's wallet (a dict, JSON text or a path), its
    /// accounts' `grants` a list or the grants page; `events` as for `quote_many` (a bad one
    /// raises with every bad event's issues). The wallet options are the wire form's.
    #[pyo3(signature = (wallet, events, *, at=None, express_in=None, products=None, prior_usage=None, explain=None, now=None, overdraft=None, min_top_up=None, top_up_currency=None, auto_top_up=None, options=None))]
    #[allow(clippy::too_many_arguments)]
    fn preview(
        &self,
        py: Python<'_>,
        wallet: &Bound<'_, PyAny>,
        events: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
        express_in: Option<&Bound<'_, PyAny>>,
        products: Option<&Bound<'_, PyAny>>,
        prior_usage: Option<&Bound<'_, PyAny>>,
        explain: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        overdraft: Option<&Bound<'_, PyAny>>,
        min_top_up: Option<&Bound<'_, PyAny>>,
        top_up_currency: Option<&Bound<'_, PyAny>>,
        auto_top_up: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyAny>>,
    ) -> Result<Preview> {
        let quote = [at, express_in, products, prior_usage, explain, now, options];
        let more = [overdraft, min_top_up, top_up_currency, auto_top_up];
        let args = preview_args(quote, more)?;
        guard(|| {
            let options = self.wallet_options(py, &args)?;
            let mut wallets = self.wallets();
            let (wallet, warnings) = wallets.read_value(&self.inner, from_py::catalog(wallet)?)?;
            let text = match json_text(events)? {
                Some(text) => Some(text.into_owned()),
                None => from_py::file_text(events)?,
            };
            let c = cached(py)?;
            let snaps = match text {
                Some(_) => Vec::new(),
                None => Snap::read_each(events, c)?,
            };
            let events = match &text {
                Some(text) => Event::each_from_json(text)?,
                None => {
                    let one = from_py::is_mapping(events, c)?;
                    let at = |i: usize| if one { String::new() } else { format!("[{i}]") };
                    let each = snaps.iter().enumerate();
                    each.map(|(i, s)| from_py::checked(py, || at(i), s))
                        .collect::<PyResult<Vec<_>>>()?
                }
            };
            let events = events.iter().map(std::result::Result::as_ref);
            let preview = self
                .inner
                .preview_results(wallet, warnings.clone(), events, &options)?;
            Ok(Preview::new(&preview)?)
        })
    }

    /// How many more events like `event` the wallet covers at the event's instant (`count`,
    /// `None` when it costs nothing) and, for a volume price, the largest volume whose quote
    /// it covers (a multiple of `volume_step`, default 1).
    #[pyo3(signature = (wallet, event, *, at=None, products=None, prior_usage=None, now=None, volume_step=None, options=None))]
    #[allow(clippy::too_many_arguments)]
    fn affordable(
        &self,
        py: Python<'_>,
        wallet: &Bound<'_, PyAny>,
        event: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
        products: Option<&Bound<'_, PyAny>>,
        prior_usage: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        volume_step: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyAny>>,
    ) -> Result<Capacity> {
        let args = capacity_args(at, products, prior_usage, now, volume_step, options)?;
        guard(|| {
            let options = self.wallet_options(py, &args)?;
            let mut wallets = self.wallets();
            let (wallet, warnings) = wallets.read_value(&self.inner, from_py::catalog(wallet)?)?;
            let text = from_py::catalog(event)?.to_string();
            let event = Event::from_json(&text)?;
            let answer = self.inner.affordable(wallet, &event, &options)?;
            let mut warnings = warnings.clone();
            warnings.extend(answer.warnings.iter().cloned());
            Ok(Capacity::new(py, &answer, None, &warnings)?)
        })
    }

    /// What `amount` of `currency` buys of `event` (charged in one asset): the units a top-up
    /// of that much gives at the event's instant (rounded down), and how many such events or
    /// how large a volume they cover.
    #[pyo3(signature = (amount, currency, event, *, at=None, products=None, prior_usage=None, now=None, volume_step=None, options=None))]
    #[allow(clippy::too_many_arguments)]
    fn buys(
        &self,
        py: Python<'_>,
        amount: &Bound<'_, PyAny>,
        currency: &Bound<'_, PyAny>,
        event: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
        products: Option<&Bound<'_, PyAny>>,
        prior_usage: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        volume_step: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyAny>>,
    ) -> Result<Capacity> {
        let args = capacity_args(at, products, prior_usage, now, volume_step, options)?;
        guard(|| {
            let amount = from_py::decimal(amount, "amount")?;
            let currency = from_py::code(currency, "currency")?;
            let options = self.wallet_options(py, &args)?;
            let text = from_py::catalog(event)?.to_string();
            let event = Event::from_json(&text)?;
            let answer = self.inner.buys(amount, currency, &event, &options)?;
            let capacity = &answer.capacity;
            Ok(Capacity::new(
                py,
                capacity,
                Some(&answer),
                &capacity.warnings,
            )?)
        })
    }

    /// The wallet (a dict in the billing API's shape, ready for `preview`) a new subscriber of
    /// `product` gets from its entitlements, subscribing at `at` (default: now), with every
    /// grant until `until` (default: the first period).
    #[pyo3(signature = (product, *, at=None, until=None))]
    fn entitlements(
        &self,
        py: Python<'_>,
        product: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
        until: Option<&Bound<'_, PyAny>>,
    ) -> Result<Py<PyAny>> {
        guard(|| {
            let product = from_py::code(product, "product")?;
            let at = match at.filter(|a| !a.is_none()) {
                Some(a) => from_py::instant(a, ErrorKind::InvalidArgument, "at")?,
                None => from_py::now().ok_or_else(|| {
                    fail(
                        ErrorKind::InvalidArgument,
                        "at",
                        Code::MissingInstant,
                        "the system clock is before 1970",
                    )
                })?,
            };
            let until = until
                .filter(|u| !u.is_none())
                .map(|u| from_py::instant(u, ErrorKind::InvalidArgument, "until"))
                .transpose()?;
            let text = self.inner.entitlements_json(product, at, until)?;
            Ok(to_py::answer(py, &text)?)
        })
    }

    /// Converts `amount` of `from_asset` into `to_asset` at `at` (default: now).
    #[pyo3(signature = (amount, from_asset, to_asset, *, at=None))]
    fn convert(
        &self,
        py: Python<'_>,
        amount: &Bound<'_, PyAny>,
        from_asset: &Bound<'_, PyAny>,
        to_asset: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> Result<Conversion> {
        guard(|| {
            let from_asset = from_py::code(from_asset, "from_asset")?;
            let to_asset = from_py::code(to_asset, "to_asset")?;
            let value = from_py::decimal(amount, "amount")?;
            let at = match at.filter(|a| !a.is_none()) {
                Some(a) => from_py::instant(a, ErrorKind::InvalidArgument, "at")?,
                None => from_py::now().ok_or_else(|| {
                    fail(
                        ErrorKind::InvalidArgument,
                        "at",
                        Code::MissingInstant,
                        "the system clock is before 1970",
                    )
                })?,
            };
            let conversion = self.inner.convert(value, from_asset, to_asset, at)?;
            Ok(Conversion::new(py, conversion)?)
        })
    }

    /// Display text from the asset's precision, label and symbol, e.g. `📸 1.50 image`.
    fn format(&self, amount: &Bound<'_, PyAny>, asset: &Bound<'_, PyAny>) -> Result<String> {
        guard(|| {
            let amount = from_py::decimal(amount, "amount")?;
            Ok(self.inner.format(amount, from_py::code(asset, "asset")?)?)
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

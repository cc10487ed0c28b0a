//! `ratecard.Engine`: the core engine, with Python's argument conventions.

use crate::errors::{guard, OrRaise};
use crate::input::{
    cached, catalog_value, decimal_from_py, default_options, event_from_py, events_from_py,
    instant_from_py, json_text, now, quote_options, Fail, OptionArgs, OrFail,
};
use crate::results::{issues_py, Conversion, Issue, Quote};
use pyo3::prelude::*;
use pyo3::types::PyList;
use ratecard::{ErrorKind, Event};

/// A validated, indexed catalog. Build it once; quote as often as you like.
#[pyclass(module = "ratecard._ratecard", subclass, frozen)]
pub struct Engine {
    pub(crate) inner: ratecard::Engine,
    warnings: Vec<Issue>,
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
    /// A batch's quotes as owned result objects, taken one by one as the core prices them, so
    /// the core's borrowed quotes never pile up beside their copies.
    fn owned_quotes(
        &self,
        events: &[Event<'_>],
        options: &ratecard::QuoteOptions,
    ) -> Result<Vec<Quote>, ratecard::Error> {
        let mut out = Vec::with_capacity(events.len());
        self.inner
            .quote_each(events, options, |_, q| out.push(Quote::from(&q)))?;
        Ok(out)
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
            Ok(Engine { inner, warnings })
        })
    }

    /// The catalog's warnings: legal but suspicious things found while validating it.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        issues_py(py, &self.warnings)
    }

    /// What one event would cost. `event` is a dict (the UsageEvent shape) or its JSON text.
    #[pyo3(signature = (event, *, at=None, express_in=None, products=None, prior_usage=None, explain=None, now=None, options=None))]
    #[allow(clippy::too_many_arguments)]
    fn quote(
        &self,
        py: Python<'_>,
        event: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
        express_in: Option<&Bound<'_, PyAny>>,
        products: Option<&Bound<'_, PyAny>>,
        prior_usage: Option<&Bound<'_, PyAny>>,
        explain: Option<bool>,
        now: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Quote> {
        guard(py, || {
            let args = OptionArgs {
                at,
                now,
                express_in,
                products,
                prior_usage,
                explain,
                options,
            };
            let options = options_for(py, &args, true)?;
            if let Some(text) = json_text(event).or_fail(py)? {
                let event = Event::from_json(&text).or_raise(py)?;
                let quote = self.inner.quote(&event, &options).or_raise(py)?;
                return Ok(Quote::from(&quote));
            }
            let c = cached(py)?;
            let event = event_from_py(event, c).or_fail(py)?;
            event.check("").or_raise(py)?;
            let quote = self.inner.quote(&event, &options).or_raise(py)?;
            Ok(Quote::from(&quote))
        })
    }

    /// One quote per event, in order; tiered prices accumulate usage across the batch.
    /// `events` is a list of dicts (any iterable) or a JSON array as text.
    #[pyo3(signature = (events, *, at=None, express_in=None, products=None, prior_usage=None, explain=None, now=None, options=None))]
    #[allow(clippy::too_many_arguments)]
    fn quote_many(
        &self,
        py: Python<'_>,
        events: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
        express_in: Option<&Bound<'_, PyAny>>,
        products: Option<&Bound<'_, PyAny>>,
        prior_usage: Option<&Bound<'_, PyAny>>,
        explain: Option<bool>,
        now: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Quote>> {
        guard(py, || {
            let args = OptionArgs {
                at,
                now,
                express_in,
                products,
                prior_usage,
                explain,
                options,
            };
            let options = options_for(py, &args, true)?;
            if let Some(text) = json_text(events).or_fail(py)? {
                let events = Event::many_from_json(&text).or_raise(py)?;
                return self.owned_quotes(&events, &options).or_raise(py);
            }
            let c = cached(py)?;
            let events = events_from_py(events, c).or_fail(py)?;
            self.owned_quotes(&events, &options).or_raise(py)
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

//! The `ratecard` Python wheel's native half (`ratecard._ratecard`).
//!
//! The binding only translates, and its files say which way: `from_py` (Python values into the
//! core's types), `to_py` (the core's results as Python objects), `errors` (the core's error as
//! Python exceptions), `engine` (the `Engine` class), `from_arrow` and `to_arrow` (Arrow C
//! streams in and out) and `frame` (`quote_frame`'s call, the frame priced by the core's
//! `frame` module). Pricing, rounding, validation, batching and every message live in the
//! `ratecard` core crate. The Python package around this module (`python/ratecard`) adds the
//! exception classes and the DataFrame adapter.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// See Cargo.toml: frames' megabyte columns reuse memory instead of faulting fresh pages in.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod engine;
mod errors;
mod frame;
mod from_arrow;
mod from_py;
mod to_arrow;
mod to_py;

use errors::guard;
use pyo3::prelude::*;
use ratecard::{Code, Error, ErrorKind};

/// Checks a catalog: every error and warning at once. Raises only for input that is not JSON
/// and for bad `examples` (usage events the expressions are checked against).
#[pyfunction]
#[pyo3(signature = (catalog, *, strict=false, examples=None))]
fn validate(
    catalog: &Bound<'_, PyAny>,
    strict: bool,
    examples: Option<&Bound<'_, PyAny>>,
) -> errors::Result<to_py::Report> {
    guard(|| {
        let catalog = from_py::catalog(catalog)?;
        let report = match examples {
            // Read as any JSON input is (a list of dicts, text or a file), then as events.
            Some(examples) => {
                let text = from_py::catalog(examples)?.to_string();
                let events = ratecard::Event::many_from_json(&text)?;
                ratecard::validate_with_examples(&catalog, &events)
            }
            None => ratecard::validate(&catalog),
        };
        Ok(to_py::Report::from(if strict {
            report.strict()
        } else {
            report
        }))
    })
}

/// The catalog's JSON Schema (draft 2020-12), as JSON text.
#[pyfunction]
fn schema_json() -> &'static str {
    ratecard::schema_json()
}

/// Every issue code with the sentence that documents it, in documentation order.
#[pyfunction]
fn codes() -> Vec<(&'static str, &'static str)> {
    Code::ALL
        .iter()
        .map(|c| (c.as_str(), c.description()))
        .collect()
}

/// The `ArgumentError` for a problem the pure-Python parts find (a frame's column), with the
/// core's summary: Python never formats one.
#[pyfunction]
fn _argument_error(py: Python<'_>, path: &str, code: &str, message: &str) -> Py<PyAny> {
    let code = Code::from_name(code).unwrap_or(Code::InvalidValue);
    errors::raise(
        py,
        Error::one(ErrorKind::InvalidArgument, path, code, message),
    )
    .into_value(py)
    .into_any()
}

/// The billing API's ValidationProblem (HTTP 422) for a list of issues, as the core builds it.
#[pyfunction]
fn _problem_json(issues: Vec<PyRef<'_, errors::Issue>>) -> String {
    let issues = issues.iter().map(|i| {
        let code = Code::from_name(&i.code).unwrap_or(Code::InvalidValue);
        ratecard::Issue::new(i.path.as_str(), code, i.message.as_str())
    });
    Error::new(ErrorKind::InvalidArgument, issues.collect())
        .to_problem()
        .to_string()
}

#[pymodule]
fn _ratecard(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", ratecard::VERSION)?;
    m.add_class::<engine::Engine>()?;
    m.add_class::<to_py::Quote>()?;
    m.add_class::<to_py::Fee>()?;
    m.add_class::<to_py::Step>()?;
    m.add_class::<errors::Issue>()?;
    m.add_class::<to_py::Conversion>()?;
    m.add_class::<to_py::Report>()?;
    m.add_class::<to_py::Preview>()?;
    m.add_class::<to_py::Capacity>()?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(schema_json, m)?)?;
    m.add_function(wrap_pyfunction!(codes, m)?)?;
    m.add_function(wrap_pyfunction!(_argument_error, m)?)?;
    m.add_function(wrap_pyfunction!(_problem_json, m)?)?;
    m.add_function(wrap_pyfunction!(frame::_quote_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(frame::_preview_arrow, m)?)?;
    m.add_class::<to_arrow::ArrowStream>()?;
    Ok(())
}

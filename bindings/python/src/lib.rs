//! The `ratecard` Python wheel's native half (`ratecard._ratecard`).
//!
//! The binding only translates: Python values in, the core's types through, Python values
//! out. Pricing, rounding and validation all live in the `ratecard` core crate. The Python
//! package around this module (`python/ratecard`) adds the exception classes and the
//! DataFrame adapter, which need pandas, polars or pyarrow only when they are used.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod engine;
mod errors;
mod frame;
mod input;
mod results;

use errors::{guard, OrRaise};
use input::{cached, catalog_value, OrFail};
use pyo3::prelude::*;

/// Checks a catalog: every error and warning at once. Raises only for input that is not JSON.
#[pyfunction]
fn validate(py: Python<'_>, catalog: &Bound<'_, PyAny>) -> PyResult<results::Report> {
    guard(py, || {
        let c = cached(py)?;
        let value = catalog_value(catalog, c).or_fail(py)?;
        Ok(results::Report::from(ratecard::validate(&value)))
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
    ratecard::Code::ALL
        .iter()
        .map(|c| (c.as_str(), c.description()))
        .collect()
}

/// Parses a decimal exactly as the core does (for the pure-Python parts of the package).
#[pyfunction]
fn _check_decimal(py: Python<'_>, text: &str) -> PyResult<String> {
    ratecard::parse_decimal(text)
        .map(|d| d.to_string())
        .map_err(|(code, message)| {
            ratecard::Error::one(ratecard::ErrorKind::InvalidArgument, "", code, message)
        })
        .or_raise(py)
}

#[pymodule]
fn _ratecard(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", ratecard::VERSION)?;
    m.add_class::<engine::Engine>()?;
    m.add_class::<results::Quote>()?;
    m.add_class::<results::Fee>()?;
    m.add_class::<results::Step>()?;
    m.add_class::<results::Issue>()?;
    m.add_class::<results::Conversion>()?;
    m.add_class::<results::Report>()?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(schema_json, m)?)?;
    m.add_function(wrap_pyfunction!(codes, m)?)?;
    m.add_function(wrap_pyfunction!(_check_decimal, m)?)?;
    m.add_function(wrap_pyfunction!(frame::_quote_columns, m)?)?;
    Ok(())
}

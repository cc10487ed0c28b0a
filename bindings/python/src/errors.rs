//! Turning the core's one error type into the `ratecard.RatecardError` hierarchy.
//!
//! The exception classes live in pure Python (`ratecard/_errors.py`) so that users can
//! subclass and pickle them like any other exception; this module imports them once and
//! raises them with the core's code, summary and issues.

use crate::results::Issue;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use ratecard::{Code, Error, ErrorKind};
use std::panic::{catch_unwind, AssertUnwindSafe};

static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidJson => "InvalidJsonError",
        ErrorKind::InvalidCatalog => "CatalogError",
        ErrorKind::InvalidEvent => "EventError",
        ErrorKind::InvalidArgument => "ArgumentError",
        ErrorKind::NoRate => "NoRateError",
        ErrorKind::Overflow => "DecimalOverflowError",
    }
}

fn raise(py: Python<'_>, class: &str, message: String, code: &str, issues: Vec<Issue>) -> PyErr {
    let made = ERRORS
        .get_or_try_init(py, || py.import("ratecard._errors").map(Bound::unbind))
        .and_then(|module| module.bind(py).getattr(class))
        .and_then(|cls| cls.call1((message.clone(), code, issues)));
    match made {
        Ok(instance) => PyErr::from_value(instance),
        // Only when the package's own Python half is missing: still never a panic.
        Err(_) => PyRuntimeError::new_err(format!("{code}: {message}")),
    }
}

/// The Python exception for a core error.
pub fn to_py(py: Python<'_>, err: Error) -> PyErr {
    let message = err.summary();
    let code = err.code();
    let issues = err.issues.into_iter().map(Issue::from).collect();
    raise(py, class_name(err.kind), message, code, issues)
}

/// A `RatecardError` with code `internal`: a bug in ratecard, reported instead of a panic.
pub fn internal(py: Python<'_>, what: &str) -> PyErr {
    let issue = Issue::from(ratecard::Issue::new(
        "",
        Code::Internal,
        format!("internal error in ratecard, please report it with the input: {what}"),
    ));
    raise(
        py,
        "InternalError",
        format!("internal error: {what}"),
        Code::Internal.as_str(),
        vec![issue],
    )
}

/// Runs `f`, turning a Rust panic (which the core is built never to raise) into an
/// `InternalError` rather than pyo3's `PanicException`, which `except Exception` misses.
pub fn guard<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_string());
            Err(internal(py, &what))
        }
    }
}

/// Extension for `Result<T, ratecard::Error>`.
pub trait OrRaise<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrRaise<T> for Result<T, Error> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}

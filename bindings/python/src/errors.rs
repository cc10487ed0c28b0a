//! The core's one error type as the `ratecard.RatecardError` hierarchy.
//!
//! The exception classes live in pure Python (`ratecard/_errors.py`) so that users can subclass
//! and pickle them like any other exception; this module raises them with the core's code,
//! summary and issues. It never writes a message of its own: the core's `Error::summary` is
//! the exception's text, and its `to_problem` the ValidationProblem.

use crate::to_py::Issue;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyList;
use ratecard::{Code, Error, ErrorKind};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A failure: the core's error (raised as a `RatecardError`) or a Python exception. Every
/// function of the binding returns it, so that `?` takes either, and pyo3 raises it.
pub enum Fail {
    Core(Error),
    Py(PyErr),
}

pub type Result<T> = std::result::Result<T, Fail>;

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Core(e)
    }
}

impl From<PyErr> for Fail {
    fn from(e: PyErr) -> Fail {
        Fail::Py(e)
    }
}

impl From<Fail> for PyErr {
    fn from(f: Fail) -> PyErr {
        match f {
            Fail::Py(e) => e,
            Fail::Core(e) => Python::attach(|py| raise(py, e)),
        }
    }
}

impl Fail {
    /// The same failure one level up (a batch's `[i]`); Python exceptions stay as they are.
    pub fn prefixed(self, i: usize) -> Fail {
        match self {
            Fail::Core(e) => Fail::Core(e.prefixed(&format!("[{i}]"))),
            other => other,
        }
    }
}

/// A core error of one issue.
pub fn fail(kind: ErrorKind, path: &str, code: Code, message: impl Into<String>) -> Fail {
    Fail::Core(Error::one(kind, path, code, message))
}

static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The Python exception for a core error.
pub fn raise(py: Python<'_>, err: Error) -> PyErr {
    let class = match err.kind {
        ErrorKind::InvalidJson => "InvalidJsonError",
        ErrorKind::InvalidCatalog => "CatalogError",
        ErrorKind::InvalidEvent => "EventError",
        ErrorKind::InvalidArgument => "ArgumentError",
        ErrorKind::NoRate => "NoRateError",
        ErrorKind::Overflow => "DecimalOverflowError",
    };
    let internal = err.issues.iter().any(|i| i.code == Code::Internal);
    let (class, code) = match internal {
        true => ("InternalError", Code::Internal.as_str()),
        false => (class, err.code()),
    };
    let made = PyList::new(py, err.issues.iter().map(Issue::from)).and_then(|issues| {
        let module =
            ERRORS.get_or_try_init(py, || py.import("ratecard._errors").map(Bound::unbind))?;
        module
            .bind(py)
            .getattr(class)?
            .call1((err.summary(), code, issues))
    });
    match made {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

/// Runs `f`, turning a Rust panic (which the core is built never to raise) into an
/// `InternalError` rather than pyo3's `PanicException`, which `except Exception` misses.
pub fn guard<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        Err(fail(
            ErrorKind::InvalidArgument,
            "",
            Code::Internal,
            format!("internal error in ratecard, please report it with the input: {what}"),
        ))
    })
}

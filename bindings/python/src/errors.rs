//! The core's one error type as the `ratecard.RatecardError` hierarchy, and its issues as
//! `ratecard.Issue`s.
//!
//! The exception classes live in pure Python (`ratecard/_errors.py`) so that users can subclass
//! and pickle them like any other exception; this module raises them with the core's code,
//! summary and issues. It never writes a message of its own: the core's `Error::summary` is
//! the exception's text, and its `to_problem` the ValidationProblem.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};
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
        ErrorKind::InvalidWallet => "WalletError",
    };
    let internal = err.issues.iter().any(|i| i.code == Code::Internal);
    // An argument of the wrong Python type is also a `TypeError`, as Python users expect.
    let wrong_type = err.kind == ErrorKind::InvalidArgument
        && err.issues.iter().all(|i| i.code == Code::InvalidType);
    let class = if wrong_type {
        "ArgumentTypeError"
    } else {
        class
    };
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

/// One problem: where (`path`), what kind (`code`), and a sentence for a person (`message`).
#[pyclass(module = "ratecard", frozen, eq, hash, get_all)]
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Issue {
    pub path: String,
    pub code: String,
    pub message: String,
}

impl From<&ratecard::Issue> for Issue {
    fn from(i: &ratecard::Issue) -> Issue {
        Issue {
            path: i.path.clone(),
            code: i.code.as_str().to_string(),
            message: i.message.clone(),
        }
    }
}

pub fn issues_py<'py>(py: Python<'py>, list: &[ratecard::Issue]) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, list.iter().map(Issue::from))
}

#[pymethods]
impl Issue {
    #[new]
    fn new(path: String, code: String, message: String) -> Issue {
        Issue {
            path,
            code,
            message,
        }
    }

    /// Lets issues (and the errors carrying them) be pickled, e.g. across multiprocessing.
    fn __getnewargs__(&self) -> (String, String, String) {
        (self.path.clone(), self.code.clone(), self.message.clone())
    }

    /// `{"path", "code", "message"}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("path", &self.path)?;
        d.set_item("code", &self.code)?;
        d.set_item("message", &self.message)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Issue(path={:?}, code={:?}, message={:?})",
            self.path, self.code, self.message
        )
    }

    /// `path: code: message`, as the core writes an issue.
    fn __str__(&self) -> String {
        match ratecard::Code::from_name(&self.code) {
            Some(code) => {
                ratecard::Issue::new(self.path.as_str(), code, self.message.as_str()).to_string()
            }
            None if self.path.is_empty() => format!("{}: {}", self.code, self.message),
            None => format!("{}: {}: {}", self.path, self.code, self.message),
        }
    }
}

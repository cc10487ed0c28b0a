//! `Engine.quote_frame`'s and `Engine.preview_frame`'s native half: the frame in as an Arrow C
//! stream (`from_arrow`), priced or previewed by the core with the GIL released
//! ([`ratecard::frame`]), the answers out the same way (`to_arrow`). No Python object is made
//! per row in either direction.

use crate::engine::Engine;
use crate::errors::{guard, Fail, Result};
use crate::from_py::OptionArgs;
use crate::to_arrow::ArrowStream;
use crate::{from_arrow, from_py, to_py};
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use ratecard::frame::customers::CustomerWallet;
use ratecard::frame::FrameOptions;
use ratecard::{Code, Error, ErrorKind};
use std::collections::HashMap;
use std::sync::Mutex;

/// Quotes every row of a frame exported as an Arrow C stream; `ratecard/_frame.py` is its
/// front. Returns the fees and the issues, each a table as an [`ArrowStream`].
#[pyfunction]
#[pyo3(signature = (engine, source, *, at=None, express_in=None, products=None, prior_usage=None, now=None, raise_errors=true, dictionary=false, shared_amounts=false, threads=true, progress=None))]
#[allow(clippy::too_many_arguments)]
pub fn _quote_arrow<'py>(
    py: Python<'py>,
    engine: &Bound<'py, Engine>,
    source: &Bound<'py, PyAny>,
    at: Option<&Bound<'py, PyAny>>,
    express_in: Option<&Bound<'py, PyAny>>,
    products: Option<&Bound<'py, PyAny>>,
    prior_usage: Option<&Bound<'py, PyAny>>,
    now: Option<&Bound<'py, PyAny>>,
    raise_errors: bool,
    dictionary: bool,
    shared_amounts: bool,
    threads: bool,
    progress: Option<Py<PyAny>>,
) -> Result<(ArrowStream, ArrowStream)> {
    let timed = timed(at, now);
    guard(|| {
        let engine = &engine.get().inner;
        let mut args = OptionArgs::new(at, express_in, products, prior_usage, None, now, None)?;
        args.explain = Some(false);
        let options = args.read(py, false)?;
        let frame = from_arrow::read_stream(source)?;
        let how = FrameOptions {
            timed,
            raise_errors,
            dictionary,
            shared_amounts,
            threads,
        };
        let reporter = Reporter::new(progress);
        // Nothing below touches a Python object but the reporter, which takes the GIL to
        // report: other threads run while the frame is priced.
        let priced =
            py.detach(|| engine.price_frame(&frame, &options, &how, &|d, t| reporter.tick(d, t)));
        let (fees, issues) = reporter.finish(priced)?;
        Ok((ArrowStream::from(fees), ArrowStream::from(issues)))
    })
}

/// Previews each customer of a frame exported as an Arrow C stream (rows grouped by its
/// `customer_id` column) against `wallets[customer_id]`; `ratecard/_frame.py` is its front.
/// Returns one row per customer and account as an [`ArrowStream`].
#[pyfunction]
#[pyo3(signature = (engine, source, wallets, *, progress=None, threads=true, at=None, express_in=None, products=None, prior_usage=None, explain=None, now=None, overdraft=None, min_top_up=None, top_up_currency=None, auto_top_up=None, options=None))]
#[allow(clippy::too_many_arguments)]
pub fn _preview_arrow<'py>(
    py: Python<'py>,
    engine: &Bound<'py, Engine>,
    source: &Bound<'py, PyAny>,
    wallets: &Bound<'py, PyAny>,
    progress: Option<Py<PyAny>>,
    threads: bool,
    at: Option<&Bound<'py, PyAny>>,
    express_in: Option<&Bound<'py, PyAny>>,
    products: Option<&Bound<'py, PyAny>>,
    prior_usage: Option<&Bound<'py, PyAny>>,
    explain: Option<&Bound<'py, PyAny>>,
    now: Option<&Bound<'py, PyAny>>,
    overdraft: Option<&Bound<'py, PyAny>>,
    min_top_up: Option<&Bound<'py, PyAny>>,
    top_up_currency: Option<&Bound<'py, PyAny>>,
    auto_top_up: Option<&Bound<'py, PyAny>>,
    options: Option<&Bound<'py, PyAny>>,
) -> Result<ArrowStream> {
    let timed = timed(at, now);
    let quote = [at, express_in, products, prior_usage, explain, now, options];
    let more = [overdraft, min_top_up, top_up_currency, auto_top_up];
    let args = crate::engine::preview_args(quote, more)?;
    guard(|| {
        let this = engine.get();
        let options = this.wallet_options(py, &args)?;
        let frame = from_arrow::read_stream(source)?;
        let how = FrameOptions {
            timed,
            threads,
            ..FrameOptions::default()
        };
        let customers = this.inner.frame_customers(&frame, "customer_id", &how)?;
        // Each customer's wallet, read once per wallet object (customers often share one), and
        // its name in paths, as Python writes the key (`wallets['c1']`).
        let mut read: Vec<std::result::Result<_, Error>> = Vec::new();
        let mut seen: HashMap<usize, usize> = HashMap::new();
        let mut which = Vec::new();
        let mut labels = Vec::new();
        for customer in customers.customers() {
            let key = to_py::scalar(py, customer)?;
            labels.push(key.repr()?.to_string());
            let wallet = match wallets.get_item(&key) {
                Ok(wallet) => wallet,
                Err(e) if e.is_instance_of::<PyKeyError>(py) => {
                    which.push(None);
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let k = match seen.get(&(wallet.as_ptr() as usize)) {
                Some(&k) => k,
                None => {
                    let wallet_read = match from_py::catalog(&wallet) {
                        Ok(value) => this.inner.read_wallet(&value),
                        Err(Fail::Core(e)) => Err(e),
                        Err(other) => return Err(other),
                    };
                    read.push(wallet_read);
                    seen.insert(wallet.as_ptr() as usize, read.len() - 1);
                    read.len() - 1
                }
            };
            which.push(Some(k));
        }
        let wallets: Vec<CustomerWallet<'_>> =
            which.iter().map(|k| k.and_then(|k| read.get(k))).collect();
        let reporter = Reporter::new(progress);
        let answer = py.detach(|| {
            let tick = |d, t| reporter.tick(d, t);
            customers.preview(&this.inner, &wallets, &labels, &options, &tick)
        });
        Ok(ArrowStream::from(reporter.finish(answer)?))
    })
}

/// Whether the caller said when to price rows without a time (`now=False` says never).
fn timed(at: Option<&Bound<'_, PyAny>>, now: Option<&Bound<'_, PyAny>>) -> bool {
    [at, now]
        .into_iter()
        .flatten()
        .any(|v| !v.is_none() && !v.is_instance_of::<pyo3::types::PyBool>())
}

/// Progress reported to Python while the core works with the GIL released. An exception
/// raised while reporting (Ctrl-C, or the callback's own) stops the work: the core sees a
/// stand-in error, and the exception is raised when the work returns.
struct Reporter {
    progress: Option<Py<PyAny>>,
    raised: Mutex<Option<PyErr>>,
}

impl Reporter {
    fn new(progress: Option<Py<PyAny>>) -> Reporter {
        Reporter {
            progress,
            raised: Mutex::new(None),
        }
    }

    fn tick(&self, done: usize, total: usize) -> std::result::Result<(), Error> {
        let reported = Python::attach(|py| {
            py.check_signals()?;
            match &self.progress {
                Some(f) => f.call1(py, (done, total)).map(drop),
                None => Ok(()),
            }
        });
        reported.map_err(|e| {
            if let Ok(mut slot) = self.raised.lock() {
                *slot = Some(e);
            }
            Error::one(ErrorKind::InvalidArgument, "", Code::Internal, "stopped")
        })
    }

    /// The work's answer, or the exception that stopped it.
    fn finish<T>(self, answer: std::result::Result<T, Error>) -> Result<T> {
        if let Some(e) = self.raised.into_inner().ok().flatten() {
            return Err(Fail::Py(e));
        }
        Ok(answer?)
    }
}

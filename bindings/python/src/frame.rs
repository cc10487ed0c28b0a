//! `Engine.quote_frame`'s native half: the frame in as an Arrow C stream (`from_arrow`), priced
//! by the core with the GIL released ([`ratecard::frame`]), the fees and issues out the same
//! way (`to_arrow`). No Python object is made per row in either direction.

use crate::engine::Engine;
use crate::errors::{guard, Fail, Result};
use crate::from_arrow;
use crate::from_py::OptionArgs;
use crate::to_arrow::ArrowStream;
use pyo3::prelude::*;
use ratecard::frame::FrameOptions;
use ratecard::{Code, Error, ErrorKind};
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
    // Whether the caller said when to price rows without a time (`now=False` says never).
    let timed = [at, now]
        .into_iter()
        .flatten()
        .any(|v| !v.is_none() && !v.is_instance_of::<pyo3::types::PyBool>());
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
        // A Python exception raised while reporting progress (Ctrl-C, or the callback's own)
        // stops the frame; the core sees a stand-in, and the exception is raised here.
        let raised: Mutex<Option<PyErr>> = Mutex::new(None);
        let tick = |done: usize, total: usize| {
            let reported = Python::attach(|py| {
                py.check_signals()?;
                match &progress {
                    Some(f) => f.call1(py, (done, total)).map(drop),
                    None => Ok(()),
                }
            });
            reported.map_err(|e| {
                if let Ok(mut slot) = raised.lock() {
                    *slot = Some(e);
                }
                Error::one(ErrorKind::InvalidArgument, "", Code::Internal, "stopped")
            })
        };
        // Nothing below touches a Python object but `tick`, which takes the GIL to report:
        // other threads run while the frame is priced.
        let priced = py.detach(|| engine.price_frame(&frame, &options, &how, &tick));
        if let Some(e) = raised.into_inner().ok().flatten() {
            return Err(Fail::Py(e));
        }
        let (fees, issues) = priced?;
        Ok((ArrowStream::from(fees), ArrowStream::from(issues)))
    })
}

//! Arrow in: a frame read through the Arrow C stream interface.
//!
//! Anything that exports `__arrow_c_stream__` (the Arrow PyCapsule protocol: pyarrow tables,
//! polars frames, DuckDB relations, pandas through pyarrow) is read here with arrow-rs's FFI,
//! in place: no buffer is copied and no Python object is made per row. The core prices it
//! ([`ratecard::frame`]).

use crate::errors::{fail, Result};
use arrow_array::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::RecordBatchReader;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use ratecard::frame::Frame;
use ratecard::{Code, ErrorKind};

/// Reads the stream `source.__arrow_c_stream__()` exports, every batch of it.
#[allow(unsafe_code)]
pub fn read_stream(source: &Bound<'_, PyAny>) -> Result<Frame> {
    let capsule = source.call_method0("__arrow_c_stream__")?;
    let capsule = capsule.cast_into::<PyCapsule>().map_err(PyErr::from)?;
    let pointer = capsule.pointer_checked(Some(c"arrow_array_stream"))?;
    // SAFETY: by the Arrow PyCapsule protocol a capsule named "arrow_array_stream" holds an
    // `ArrowArrayStream`, and its consumer moves the stream out (`from_raw` leaves a released
    // one behind, which the capsule's destructor then ignores). The capsule is alive and no
    // Python code runs between taking its pointer and the move.
    let stream = unsafe { FFI_ArrowArrayStream::from_raw(pointer.as_ptr().cast()) };
    let broken = |e: arrow_schema::ArrowError| {
        let message = format!("the frame's Arrow stream could not be read: {e}");
        fail(ErrorKind::InvalidArgument, "", Code::InvalidType, message)
    };
    let reader = ArrowArrayStreamReader::try_new(stream).map_err(broken)?;
    let schema = reader.schema();
    let batches = reader
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(broken)?;
    Ok(Frame::new(schema, batches))
}

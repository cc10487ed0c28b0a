//! Arrow out: the core's record batches handed to Python through the Arrow C stream interface
//! (`__arrow_c_stream__`), which pyarrow, polars and DuckDB import in place.

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{RecordBatch, RecordBatchIterator};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

/// A table, exported as an Arrow C stream each time it is asked for.
#[pyclass(module = "ratecard._ratecard", frozen)]
pub struct ArrowStream {
    batch: RecordBatch,
}

impl From<RecordBatch> for ArrowStream {
    fn from(batch: RecordBatch) -> ArrowStream {
        ArrowStream { batch }
    }
}

#[pymethods]
impl ArrowStream {
    /// The Arrow PyCapsule protocol. A requested schema is not honoured (the protocol allows
    /// that): the columns' types are the documented ones.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let reader = RecordBatchIterator::new([Ok(self.batch.clone())], self.batch.schema());
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new(py, stream, Some(c"arrow_array_stream".to_owned()))
    }
}

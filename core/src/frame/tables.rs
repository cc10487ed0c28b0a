//! Arrow out: a frame's fees and issues as record batches (which a face hands on through the
//! Arrow C stream interface, for pyarrow, polars and DuckDB to import in place).
//!
//! Text columns are plain `utf8` unless the caller asks for dictionaries: every engine reads
//! plain `utf8` (Spark's `mapInArrow` reads neither dictionaries nor `large_string`).

use crate::issue::{Code, Error, ErrorKind};
use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, Decimal128Array, DictionaryArray, Int32Array, Int64Array, RecordBatch,
    StringArray, TimestampMicrosecondArray, UInt32Array,
};
use arrow_schema::{ArrowError, DataType};
use std::sync::Arc;

/// Columns, in order, becoming one table.
#[derive(Default)]
pub struct Table(Vec<(String, ArrayRef)>);

impl Table {
    pub fn add(&mut self, name: &str, column: ArrayRef) {
        self.0.push((name.to_string(), column));
    }

    pub fn finish(self) -> Result<RecordBatch, Error> {
        let columns = self.0.into_iter().map(|(name, c)| (name, c, true));
        RecordBatch::try_from_iter_with_nullable(columns).map_err(internal)
    }
}

/// An Arrow error in building the output: a bug, reported as the core's internal error.
pub fn internal(e: ArrowError) -> Error {
    let message = format!("internal error in ratecard building an Arrow column: {e}");
    Error::one(ErrorKind::InvalidArgument, "", Code::Internal, message)
}

/// A text column: row `i` is `values[codes[i]]`; a dictionary when asked for.
pub fn text<S: AsRef<str>>(
    values: &[S],
    codes: impl Iterator<Item = u32>,
    dictionary: bool,
) -> Result<ArrayRef, Error> {
    if dictionary {
        let mut strings = StringBuilder::new();
        values.iter().for_each(|v| strings.append_value(v));
        let keys = Int32Array::from_iter_values(codes.map(|c| c as i32));
        let array = DictionaryArray::<Int32Type>::try_new(keys, Arc::new(strings.finish()));
        return Ok(Arc::new(array.map_err(internal)?));
    }
    // Sized up front: a column of a million rows is written without growing its buffers.
    let codes: Vec<u32> = codes.collect();
    let length = |c: &u32| values.get(*c as usize).map_or(0, |v| v.as_ref().len());
    let bytes = codes.iter().map(length).sum();
    let mut strings = StringBuilder::with_capacity(codes.len(), bytes);
    for c in codes {
        strings.append_option(values.get(c as usize).map(AsRef::as_ref));
    }
    Ok(Arc::new(strings.finish()))
}

pub fn int64(values: Vec<i64>) -> ArrayRef {
    Arc::new(Int64Array::from(values))
}

pub fn timestamps(micros: Vec<i64>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from(micros).with_timezone("UTC"))
}

pub fn decimals(values: Vec<i128>, scale: u32) -> Result<ArrayRef, Error> {
    let scale = i8::try_from(scale).unwrap_or(i8::MAX);
    let array = Decimal128Array::from(values)
        .with_precision_and_scale(38, scale)
        .map_err(internal)?;
    Ok(Arc::new(array))
}

/// A decimal column as a dictionary: row `i` is `values[keys[i]]`.
pub fn shared_decimals(values: Vec<i128>, scale: u32, keys: &[u32]) -> Result<ArrayRef, Error> {
    let values = decimals(values, scale)?;
    let keys = Int32Array::from_iter_values(keys.iter().map(|&k| k as i32));
    let array = DictionaryArray::<Int32Type>::try_new(keys, values).map_err(internal)?;
    Ok(Arc::new(array))
}

/// An input column (its arrays, one per batch) at the given rows, its text as plain `utf8`
/// (dictionaries unpacked, large and view strings made plain) unless dictionaries are asked for.
pub fn take(
    arrays: &[&ArrayRef],
    data_type: &DataType,
    rows: &[i64],
    dictionary: bool,
) -> Result<ArrayRef, Error> {
    let parts: Vec<&dyn Array> = arrays.iter().map(|a| a.as_ref()).collect();
    let whole = match parts.is_empty() {
        true => arrow_array::new_empty_array(data_type),
        false => arrow_select::concat::concat(&parts).map_err(internal)?,
    };
    let indices = UInt32Array::from_iter_values(rows.iter().map(|&r| r as u32));
    let taken = arrow_select::take::take(whole.as_ref(), &indices, None).map_err(internal)?;
    if dictionary {
        return Ok(taken);
    }
    plain(taken)
}

/// A column with its text as plain `utf8`.
fn plain(array: ArrayRef) -> Result<ArrayRef, Error> {
    let strings = |iter: &mut dyn Iterator<Item = Option<&str>>| -> ArrayRef {
        Arc::new(iter.collect::<StringArray>())
    };
    Ok(match array.data_type() {
        DataType::Dictionary(_, _) if array.as_any_dictionary().values().is_empty() => {
            // No values: every row is null (arrow's `normalized_keys` would panic).
            let values = array.as_any_dictionary().values().data_type().clone();
            plain(arrow_array::new_null_array(&values, array.len()))?
        }
        DataType::Dictionary(_, _) => {
            let dictionary = array.as_any_dictionary();
            let keys = UInt32Array::from_iter(
                (0..array.len())
                    .zip(dictionary.normalized_keys())
                    .map(|(i, k)| dictionary.keys().is_valid(i).then_some(k as u32)),
            );
            let values = dictionary.values().as_ref();
            plain(arrow_select::take::take(values, &keys, None).map_err(internal)?)?
        }
        DataType::LargeUtf8 => strings(&mut array.as_string::<i64>().iter()),
        DataType::Utf8View => strings(&mut array.as_string_view().iter()),
        _ => array,
    })
}

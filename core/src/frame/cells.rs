//! A frame's cells: each column of the frame's Arrow arrays (read in place, no buffer copied)
//! becomes a [`Column`]: its rows numbered by their distinct values (so that each value is read
//! once, by the rules an event dict's value is read by, and repeated rows can be found by their
//! numbers), or, for numbers that hardly repeat, one value a row.

use crate::event::scalar_from_f64;
use crate::issue::Code;
use crate::{parse_decimal, Decimal, Instant, Scalar};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float16Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, GenericStringArray, OffsetSizeTrait};
use arrow_schema::{DataType, TimeUnit};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::collections::HashMap;

/// A cell, as hashed to find a column's distinct values.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key<'a> {
    Text(&'a str),
    Int(i64),
    UInt(u64),
    /// A float's bits.
    Float(u64),
    Bool(bool),
    Decimal(i128, i8),
    Time(i64, TimeUnit),
}

/// Calls `f` with each row's key (`None` for a null); `Err` for a type not read here
/// (dictionaries are numbered by [`Coder::array`], their values once each).
fn each_key<'a>(
    array: &'a dyn Array,
    f: &mut impl FnMut(Option<Key<'a>>),
) -> std::result::Result<(), ()> {
    macro_rules! each {
        ($iter:expr, $key:expr) => {
            $iter.for_each(|v| f(v.map($key)))
        };
    }
    match array.data_type() {
        DataType::Null => (0..array.len()).for_each(|_| f(None)),
        DataType::Utf8 => each!(array.as_string::<i32>().iter(), Key::Text),
        DataType::LargeUtf8 => each!(array.as_string::<i64>().iter(), Key::Text),
        DataType::Utf8View => each!(array.as_string_view().iter(), Key::Text),
        DataType::Boolean => each!(array.as_boolean().iter(), Key::Bool),
        DataType::Int8 => each!(array.as_primitive::<Int8Type>().iter(), |v| Key::Int(
            v.into()
        )),
        DataType::Int16 => each!(array.as_primitive::<Int16Type>().iter(), |v| Key::Int(
            v.into()
        )),
        DataType::Int32 => each!(array.as_primitive::<Int32Type>().iter(), |v| Key::Int(
            v.into()
        )),
        DataType::Int64 => each!(array.as_primitive::<Int64Type>().iter(), Key::Int),
        DataType::UInt8 => each!(array.as_primitive::<UInt8Type>().iter(), |v| Key::UInt(
            v.into()
        )),
        DataType::UInt16 => each!(array.as_primitive::<UInt16Type>().iter(), |v| Key::UInt(
            v.into()
        )),
        DataType::UInt32 => each!(array.as_primitive::<UInt32Type>().iter(), |v| Key::UInt(
            v.into()
        )),
        DataType::UInt64 => each!(array.as_primitive::<UInt64Type>().iter(), Key::UInt),
        DataType::Float16 => each!(array.as_primitive::<Float16Type>().iter(), |v| {
            Key::Float(v.to_f64().to_bits())
        }),
        DataType::Float32 => each!(array.as_primitive::<Float32Type>().iter(), |v| {
            Key::Float(f64::from(v).to_bits())
        }),
        DataType::Float64 => each!(array.as_primitive::<Float64Type>().iter(), |v| {
            Key::Float(v.to_bits())
        }),
        DataType::Decimal128(_, scale) => {
            let scale = *scale;
            let values = array.as_primitive::<arrow_array::types::Decimal128Type>();
            each!(values.iter(), |v| Key::Decimal(v, scale))
        }
        DataType::Timestamp(unit, Some(_)) => {
            let unit = *unit;
            each!(timestamps(array, unit).iter(), |v| Key::Time(v, unit))
        }
        _ => return Err(()),
    }
    Ok(())
}

/// A timestamp array's values: every timestamp array holds i64s; only the unit differs.
fn timestamps(array: &dyn Array, unit: TimeUnit) -> arrow_array::PrimitiveArray<Int64Type> {
    use arrow_array::types::{
        TimestampMicrosecondType as Us, TimestampMillisecondType as Ms,
        TimestampNanosecondType as Ns, TimestampSecondType as S,
    };
    match unit {
        TimeUnit::Second => array.as_primitive::<S>().reinterpret_cast::<Int64Type>(),
        TimeUnit::Millisecond => array.as_primitive::<Ms>().reinterpret_cast::<Int64Type>(),
        TimeUnit::Microsecond => array.as_primitive::<Us>().reinterpret_cast::<Int64Type>(),
        TimeUnit::Nanosecond => array.as_primitive::<Ns>().reinterpret_cast::<Int64Type>(),
    }
}

/// A column: each row's code (0 for a null, else 1 + an index into its distinct values), or,
/// for numbers that hardly repeat, each row's value.
pub enum Column<T> {
    Coded { codes: Vec<u32>, values: Vec<T> },
    Rows(Vec<Option<T>>),
}

/// Numbers whose first this many rows are more than half distinct are read row by row:
/// numbering them would cost more than it saves.
const SAMPLE: usize = 4096;

impl<T> Column<T> {
    pub fn value(&self, i: usize) -> Option<&T> {
        match self {
            Column::Coded { codes, values } => {
                let k = (*codes.get(i)? as usize).checked_sub(1)?;
                values.get(k)
            }
            Column::Rows(rows) => rows.get(i)?.as_ref(),
        }
    }

    /// How many codes [`Column::code`] gives; `None` for a column read row by row.
    pub fn radix(&self) -> Option<u64> {
        match self {
            Column::Coded { values, .. } => Some(values.len() as u64 + 1),
            Column::Rows(_) => None,
        }
    }

    pub fn code(&self, i: usize) -> u64 {
        match self {
            Column::Coded { codes, .. } => codes.get(i).copied().map_or(0, u64::from),
            Column::Rows(_) => 0,
        }
    }

    /// The distinct values (a column read row by row: every row's).
    pub fn values(&self) -> impl Iterator<Item = &T> {
        let (coded, rows) = match self {
            Column::Coded { values, .. } => (Some(values.iter()), None),
            Column::Rows(rows) => (None, Some(rows.iter().flatten())),
        };
        coded
            .into_iter()
            .flatten()
            .chain(rows.into_iter().flatten())
    }
}

/// The hasher for numbers (see Cargo.toml): ahash, with fixed seeds.
#[derive(Clone)]
struct Mixed(ahash::RandomState);

impl Default for Mixed {
    fn default() -> Mixed {
        Mixed(ahash::RandomState::with_seeds(1, 2, 3, 4))
    }
}

impl std::hash::BuildHasher for Mixed {
    type Hasher = ahash::AHasher;
    fn build_hasher(&self) -> ahash::AHasher {
        self.0.build_hasher()
    }
}

/// Numbers each distinct cell of a column, in first-seen order: 0 for a null, else 1 + its
/// index in `values`. Text, the commonest key, has a map of its own, and so do floats; a run of
/// one value (an event type down a whole frame) is numbered without hashing. Text and float
/// arrays without nulls take [`Coder::fast`].
#[derive(Default)]
struct Coder<'a> {
    text: FxHashMap<&'a str, u32>,
    floats: HashMap<u64, u32, Mixed>,
    other: HashMap<Key<'a>, u32, Mixed>,
    values: Vec<Key<'a>>,
    last: Option<(Key<'a>, u32)>,
    /// Short texts already numbered, packed ([`packed`]), while there are few: a column of
    /// model names is looked up here without hashing or comparing bytes.
    few: Vec<(u128, u32)>,
    /// More distinct short texts than [`FEW`]: `few` is no longer looked in.
    crowded: bool,
}

/// Up to this many distinct short texts are kept in [`Coder::few`].
const FEW: usize = 16;

/// A text of at most 15 bytes as one integer: its bytes, and its length in the top byte (so
/// that no two texts share one), read from the 16 bytes at `start` of `data` when there are 16.
fn packed(data: &[u8], start: usize, len: usize) -> Option<u128> {
    let word: [u8; 16] = data.get(start..start.checked_add(16)?)?.try_into().ok()?;
    (len < 16).then(|| {
        let bytes = u128::from_le_bytes(word) & ((1u128 << (8 * len)) - 1);
        bytes | ((len as u128) << 120)
    })
}

impl<'a> Coder<'a> {
    fn code(&mut self, k: Option<Key<'a>>) -> u32 {
        let Some(k) = k else { return 0 };
        if let Some((last, code)) = self.last {
            if last == k {
                return code;
            }
        }
        let values = &mut self.values;
        let add = || {
            values.push(k);
            values.len() as u32
        };
        let code = match k {
            Key::Text(s) => *self.text.entry(s).or_insert_with(add),
            Key::Float(bits) => *self.floats.entry(bits).or_insert_with(add),
            k => *self.other.entry(k).or_insert_with(add),
        };
        self.last = Some((k, code));
        code
    }

    /// Numbers an array's rows into `codes`; a dictionary's values are numbered once each and
    /// its rows take their value's number, without hashing a row.
    fn array(&mut self, array: &'a dyn Array, codes: &mut Vec<u32>) -> std::result::Result<(), ()> {
        if self.fast(array, codes) {
            return Ok(());
        }
        if !matches!(array.data_type(), DataType::Dictionary(..)) {
            return each_key(array, &mut |k| codes.push(self.code(k)));
        }
        let dictionary = array.as_any_dictionary();
        if dictionary.values().is_empty() {
            // No values: every row is null (arrow's `normalized_keys` would panic).
            codes.extend(std::iter::repeat_n(0, array.len()));
            return Ok(());
        }
        let mut entries = Vec::with_capacity(dictionary.values().len());
        self.array(dictionary.values().as_ref(), &mut entries)?;
        let nulls = array.logical_nulls();
        for (i, k) in dictionary.normalized_keys().into_iter().enumerate() {
            let null = nulls.as_ref().is_some_and(|n| n.is_null(i));
            codes.push(if null {
                0
            } else {
                entries.get(k).copied().unwrap_or(0)
            });
        }
        Ok(())
    }

    /// The commonest columns, text, float64 and timestamps without nulls, numbered without making a
    /// [`Key`] a cell: numbering was half of a pandas frame's time in Rust (BENCHMARKS.md,
    /// "pandas in"). Gives the codes [`Coder::code`] would; false for any other array.
    fn fast(&mut self, array: &'a dyn Array, codes: &mut Vec<u32>) -> bool {
        if array.null_count() > 0 {
            return false;
        }
        match array.data_type() {
            DataType::Utf8 => self.texts(array.as_string::<i32>(), codes),
            DataType::LargeUtf8 => self.texts(array.as_string::<i64>(), codes),
            DataType::Float64 => {
                let floats = array.as_primitive::<Float64Type>();
                let mut last = None;
                for v in floats.values() {
                    let bits = v.to_bits();
                    let code = match last {
                        Some((b, c)) if b == bits => c,
                        _ => {
                            let values = &mut self.values;
                            let c = *self.floats.entry(bits).or_insert_with(|| {
                                values.push(Key::Float(bits));
                                values.len() as u32
                            });
                            last = Some((bits, c));
                            c
                        }
                    };
                    codes.push(code);
                }
                true
            }
            DataType::Timestamp(unit, Some(_)) => {
                // Instants mostly run in order, often one for many rows: the last one first.
                let unit = *unit;
                let mut last = None;
                for &v in timestamps(array, unit).values() {
                    let code = match last {
                        Some((l, c)) if l == v => c,
                        _ => self.code(Some(Key::Time(v, unit))),
                    };
                    last = Some((v, code));
                    codes.push(code);
                }
                true
            }
            _ => false,
        }
    }

    fn texts<O: OffsetSizeTrait>(
        &mut self,
        texts: &'a GenericStringArray<O>,
        codes: &mut Vec<u32>,
    ) -> bool {
        let (offsets, data) = (texts.value_offsets(), texts.value_data());
        let mut last = None;
        for (i, w) in offsets.windows(2).enumerate() {
            if let [start, end] = w {
                let (start, end) = (start.as_usize(), end.as_usize());
                codes.push(self.short(data, start, end, &mut last, || texts.value(i)));
            }
        }
        true
    }

    /// The code of the text at `data[start..end]` (`text()` reads it as `&str`), by the last
    /// row's packed text, then [`Coder::few`], then the text map.
    fn short(
        &mut self,
        data: &[u8],
        start: usize,
        end: usize,
        last: &mut Option<(u128, u32)>,
        text: impl FnOnce() -> &'a str,
    ) -> u32 {
        let packed = packed(data, start, end.saturating_sub(start));
        if let (Some(p), Some((l, code))) = (packed, *last) {
            if p == l {
                return code;
            }
        }
        if let (Some(p), false) = (packed, self.crowded) {
            if let Some((_, code)) = self.few.iter().find(|(k, _)| *k == p) {
                *last = Some((p, *code));
                return *code;
            }
        }
        let code = self.code(Some(Key::Text(text())));
        if let Some(p) = packed {
            // Past FEW distinct texts, the map alone (a scan would only add to each lookup).
            self.crowded |= self.few.len() == FEW;
            if !self.crowded {
                self.few.push((p, code));
            }
            *last = Some((p, code));
        }
        code
    }
}

/// Whether a column of numbers or instants hardly repeats (its first rows more than half
/// distinct): then numbering it would cost more than it saves, and it is read row by row.
fn mostly_distinct(arrays: &[&ArrayRef]) -> bool {
    let Some(first) = arrays.first() else {
        return false;
    };
    // Instants are numbers here too: an event log's are mostly distinct.
    let t = first.data_type();
    let number = t.is_numeric() || matches!(t, DataType::Timestamp(..));
    if !number || matches!(t, DataType::Decimal128(..) | DataType::Decimal256(..)) {
        return false;
    }
    let sample = first.slice(0, first.len().min(SAMPLE));
    let mut seen = std::collections::HashSet::with_hasher(Mixed::default());
    let _ = each_key(sample.as_ref(), &mut |k| {
        seen.insert(k);
    });
    seen.len() * 2 > SAMPLE
}

/// A column of a frame read by `make` (from each distinct key), or `None` when a key's type is
/// not read (the caller says why).
pub fn column<'a, T>(
    arrays: &[&'a ArrayRef],
    rows: usize,
    mut make: impl FnMut(Key<'a>) -> T,
) -> Option<Column<T>> {
    if mostly_distinct(arrays) {
        let mut out = Vec::with_capacity(rows);
        for &array in arrays {
            each_key(array.as_ref(), &mut |k| out.push(k.map(&mut make))).ok()?;
        }
        return Some(Column::Rows(out));
    }
    coded(arrays, rows, make)
}

/// [`column()`] numbered whatever its values (a column rows are grouped by).
pub fn coded<'a, T>(
    arrays: &[&'a ArrayRef],
    rows: usize,
    make: impl FnMut(Key<'a>) -> T,
) -> Option<Column<T>> {
    let mut coder = Coder::default();
    let mut codes = Vec::with_capacity(rows);
    for &array in arrays {
        coder.array(array.as_ref(), &mut codes).ok()?;
    }
    Some(Column::Coded {
        codes,
        values: coder.values.into_iter().map(make).collect(),
    })
}

/// A column's type, or a dictionary's value type: what its cells are read as.
fn cells(t: &DataType) -> &DataType {
    match t {
        DataType::Dictionary(_, values) => cells(values),
        t => t,
    }
}

/// Whether a column holds text (or only nulls): what `event_type` is read from.
pub fn is_text(t: &DataType) -> bool {
    use DataType::*;
    matches!(cells(t), Null | Utf8 | LargeUtf8 | Utf8View)
}

/// Whether a column's type is one event data is read from.
pub fn is_data(t: &DataType) -> bool {
    use DataType::*;
    let t = cells(t);
    is_text(t)
        || matches!(t, Boolean | Timestamp(_, Some(_)) | Decimal128(..))
        || (t.is_numeric() && !matches!(t, Decimal256(..)))
}

/// Whether a column's type is one `occurred_at` is read from: text, or aware timestamps.
pub fn is_time(t: &DataType) -> bool {
    is_text(t) || matches!(cells(t), DataType::Timestamp(_, Some(_)))
}

/// Whether a column holds naive timestamps (no time zone), refused with a hint.
pub fn is_naive(t: &DataType) -> bool {
    matches!(cells(t), DataType::Timestamp(_, None))
}

/// An instant from a timestamp's value in its unit.
fn instant(v: i64, unit: TimeUnit) -> Option<Instant> {
    let per_second = match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    };
    Instant::from_unix_units(v, per_second)
}

/// A decimal128 cell as a decimal, or why it is not one.
fn decimal(v: i128, scale: i8) -> Scalar<'static> {
    let exact = u32::try_from(scale)
        .ok()
        .and_then(|s| Decimal::try_from_i128_with_scale(v, s).ok());
    match exact {
        Some(d) => Scalar::Num(d),
        None => {
            let text = match scale {
                s if s > 0 => format!("{v}e-{s}"),
                s => format!("{v}e{}", -i32::from(s)),
            };
            match parse_decimal(&text) {
                Ok(d) => Scalar::Num(d),
                Err((_, m)) => Scalar::Invalid(m),
            }
        }
    }
}

/// A data cell, read as an event dict's value is: text as text (borrowed from the frame),
/// numbers exactly, an aware timestamp as RFC 3339 text.
pub fn data_value(k: Key<'_>) -> Scalar<'_> {
    match k {
        Key::Text(s) => Scalar::Str(Cow::Borrowed(s)),
        Key::Int(i) => Scalar::Num(Decimal::from(i)),
        Key::UInt(u) => Scalar::Num(Decimal::from(u)),
        Key::Float(bits) => scalar_from_f64(f64::from_bits(bits)),
        Key::Bool(b) => Scalar::Bool(b),
        Key::Decimal(v, scale) => decimal(v, scale),
        Key::Time(v, unit) => match instant(v, unit) {
            Some(t) => Scalar::Str(Cow::Owned(t.to_rfc3339())),
            None => Scalar::Invalid("a timestamp out of range".into()),
        },
    }
}

/// An `occurred_at` cell: its instant and microseconds since the epoch, or its problem.
pub type When = std::result::Result<(Instant, i64), (Code, String)>;

pub fn time_value(k: Key<'_>) -> When {
    let t = match k {
        Key::Text(s) => Instant::parse(s).map_err(|m| (Code::InvalidTimestamp, m))?,
        Key::Time(v, unit) => instant(v, unit).ok_or_else(|| {
            (
                Code::InvalidTimestamp,
                "a timestamp out of range".to_string(),
            )
        })?,
        _ => return Err((Code::InvalidType, "expected a timestamp".into())),
    };
    Ok((t, micros(t)))
}

/// Microseconds since the epoch (the output's unit).
pub fn micros(t: Instant) -> i64 {
    t.unix_micros()
}

//! Frames' cells (`frame::cells`, the `arrow` feature): however a column arrives (string or
//! large_string, with or without nulls, in chunks, dictionary-encoded), two rows get the same
//! code exactly when they hold the same value. The fast paths that number text, floats and
//! timestamps without a key a cell must agree with that, and with each other across chunks.
#![cfg(feature = "arrow")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use arrow_array::{
    Array, ArrayRef, DictionaryArray, Float64Array, LargeStringArray, StringArray,
    TimestampMicrosecondArray,
};
use proptest::prelude::*;
use ratecard::frame::cells::{column, data_value, Column};
use ratecard::Scalar;
use std::sync::Arc;

/// Texts that differ in their last packed byte, their length (a trailing NUL), past the 15
/// bytes packed, or in a multi-byte character; and many more than the 16 kept unhashed.
fn text() -> impl Strategy<Value = Option<String>> {
    let special = [
        "",
        "x",
        "x\0",
        "abcdefghijklmno",
        "abcdefghijklmnp",
        "abcdefghijklmnop",
        "é",
        "e",
    ];
    prop_oneof![
        prop::sample::select(special.to_vec()).prop_map(|s| Some(s.to_string())),
        (0u32..40).prop_map(|k| Some(format!("t{k}"))),
        Just(None),
    ]
}

/// Every pair of rows: the same code exactly when the same value.
fn agrees(column: &Column<Scalar<'_>>, values: &[Option<String>]) -> Result<(), TestCaseError> {
    for i in 0..values.len() {
        let got = column.value(i).map(|v| match v {
            Scalar::Str(s) => s.to_string(),
            other => format!("{other:?}"),
        });
        prop_assert_eq!(got.as_ref(), values[i].as_ref());
        for j in 0..i {
            prop_assert_eq!(
                column.code(i) == column.code(j),
                values[i] == values[j],
                "rows {} and {}",
                i,
                j
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn texts_are_numbered_by_their_value(values in prop::collection::vec(text(), 1..120), cut in 0usize..120) {
        let cut = cut.min(values.len());
        let (a, b) = values.split_at(cut);
        let plain = |part: &[Option<String>]| -> ArrayRef { Arc::new(part.iter().map(|v| v.as_deref()).collect::<StringArray>()) };
        let large = |part: &[Option<String>]| -> ArrayRef { Arc::new(part.iter().map(|v| v.as_deref()).collect::<LargeStringArray>()) };
        // (arrow's collect into a dictionary refuses an empty chunk: an empty one stays plain)
        let dict = |part: &[Option<String>]| -> ArrayRef {
            if part.is_empty() {
                return plain(part);
            }
            Arc::new(part.iter().map(|v| v.as_deref()).collect::<DictionaryArray<arrow_array::types::Int32Type>>())
        };
        // One chunk, two chunks (one may have nulls and the other none), and mixed kinds.
        let whole = plain(&values);
        let layouts: Vec<Vec<ArrayRef>> = vec![
            vec![whole.clone()],
            vec![plain(a), plain(b)],
            vec![large(a), large(b)],
            vec![plain(a), dict(b)],
            vec![dict(a), large(b)],
        ];
        for arrays in layouts {
            let refs: Vec<&ArrayRef> = arrays.iter().collect();
            let column = column(&refs, values.len(), data_value).unwrap();
            agrees(&column, &values)?;
        }
    }

    #[test]
    fn floats_and_instants_are_numbered_by_their_value(
        values in prop::collection::vec(prop_oneof![Just(0.5f64), Just(-0.0), Just(0.0), Just(1e300), (0u32..30).prop_map(f64::from)], 1..80),
        nulls in any::<bool>(),
    ) {
        let n = values.len();
        let floats: ArrayRef = if nulls {
            Arc::new(values.iter().enumerate().map(|(i, v)| (i % 7 != 3).then_some(*v)).collect::<Float64Array>())
        } else {
            Arc::new(Float64Array::from(values.clone()))
        };
        let coded = column(&[&floats], n, data_value).unwrap();
        for i in 0..n {
            for j in 0..i {
                let same = floats.is_null(i) == floats.is_null(j)
                    && (floats.is_null(i) || values[i].to_bits() == values[j].to_bits());
                prop_assert_eq!(coded.code(i) == coded.code(j), same, "rows {} and {}", i, j);
            }
        }
        let seconds: Vec<i64> = values.iter().map(|v| (*v as i64).clamp(0, 1_000_000)).collect();
        let micros: ArrayRef = Arc::new(
            TimestampMicrosecondArray::from(seconds.iter().map(|s| s * 1_000_000).collect::<Vec<_>>()).with_timezone("UTC"),
        );
        let times = column(&[&micros], n, ratecard::frame::cells::time_value).unwrap();
        for i in 0..n {
            for j in 0..i {
                prop_assert_eq!(times.code(i) == times.code(j), seconds[i] == seconds[j]);
            }
        }
    }
}

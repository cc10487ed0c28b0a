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

/// Customers in the order they first appear (a null customer is one too); each customer's
/// events previewed against its wallet; a missing wallet and a bad row reported together, in
/// customer order, the row at its place in the frame.
#[test]
fn customers_are_grouped_in_order_and_every_problem_is_reported() {
    use arrow_array::RecordBatch;
    use ratecard::frame::{Frame, FrameOptions};
    use ratecard::{Engine, Issue, PreviewOptions};

    let engine = Engine::from_json(include_str!("../../examples/catalog.json")).unwrap();
    let text = |v: Vec<Option<&str>>| Arc::new(v.into_iter().collect::<StringArray>()) as ArrayRef;
    let batch = RecordBatch::try_from_iter([
        (
            "customer_id",
            text(vec![Some("b"), Some("a"), Some("b"), None, Some("a")]),
        ),
        ("event_type", text(vec![Some("video_generated"); 5])),
        (
            "occurred_at",
            text(vec![
                Some("2026-03-10T12:00:00Z"),
                Some("2026-03-10T12:00:00Z"),
                Some("2026-03-10T12:00:00Z"),
                Some("2026-03-10T12:00:00Z"),
                Some("later"),
            ]),
        ),
        ("model", text(vec![Some("gen4"); 5])),
        ("quality", text(vec![Some("hd"); 5])),
        (
            "seconds",
            Arc::new(Float64Array::from(vec![4.0, 2.0, 1.0, 1.0, 1.0])) as ArrayRef,
        ),
    ])
    .unwrap();
    let frame = Frame::new(batch.schema(), vec![batch]);
    let customers = engine
        .frame_customers(&frame, "customer_id", &FrameOptions::default())
        .unwrap();
    let names: Vec<Option<String>> = customers
        .customers()
        .into_iter()
        .map(|c| {
            c.map(|s| match s {
                Scalar::Str(s) => s.to_string(),
                other => format!("{other:?}"),
            })
        })
        .collect();
    assert_eq!(names, vec![Some("b".into()), Some("a".into()), None]);

    let wallet = engine
        .read_wallet(&ratecard::parse_json(include_str!("../../examples/wallet.json")).unwrap())
        .map(|(w, warnings): (ratecard::Wallet, Vec<Issue>)| (w, warnings));
    let labels = vec!["'b'".to_string(), "'a'".to_string(), "None".to_string()];
    let options = PreviewOptions::default();
    // The paths and codes of a preview's error.
    let problems = |wallets: &[Option<&_>]| -> Vec<(String, String)> {
        let e = customers
            .preview(&engine, wallets, &labels, &options, &|_, _| Ok(()))
            .unwrap_err();
        let each = e.issues.iter();
        each.map(|i| (i.path.clone(), i.code.as_str().to_string()))
            .collect()
    };
    // Only b has a wallet: a's and the null customer's are missing.
    let pair = |p: &str, c: &str| (p.to_string(), c.to_string());
    assert_eq!(
        problems(&[Some(&wallet), None, None]),
        vec![
            pair("wallets['a']", "missing_field"),
            pair("wallets[None]", "missing_field")
        ]
    );
    // Everyone has one: a's second row has a bad instant, reported at its row in the frame.
    let all = [Some(&wallet), Some(&wallet), Some(&wallet)];
    assert_eq!(
        problems(&all),
        vec![pair("[4].occurred_at", "invalid_timestamp")]
    );
    // Without the bad row: one row per customer and account, customers in order.
    let good = frame.batches[0].slice(0, 4);
    let frame = Frame::new(good.schema(), vec![good]);
    let customers = engine
        .frame_customers(&frame, "customer_id", &FrameOptions::default())
        .unwrap();
    let table = customers
        .preview(&engine, &all, &labels, &options, &|_, _| Ok(()))
        .unwrap();
    let accounts = wallet.as_ref().unwrap().0.accounts.len();
    assert_eq!(table.num_rows(), 3 * accounts);
    let ids = table.column_by_name("customer_id").unwrap();
    let ids = ids.as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!(
        (ids.value(0), ids.value(accounts), ids.is_null(2 * accounts)),
        ("b", "a", true)
    );
    let events = table.column_by_name("events").unwrap();
    let events = events
        .as_any()
        .downcast_ref::<arrow_array::Int64Array>()
        .unwrap();
    assert_eq!(
        (
            events.value(0),
            events.value(accounts),
            events.value(2 * accounts)
        ),
        (2, 1, 1)
    );
}

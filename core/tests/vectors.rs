//! Runs every conformance vector in `tests/vectors/` (see its README) through the Rust core.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ratecard::{Engine, Event, Instant, QuoteOptions};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn load_vectors() -> Vec<(String, Value)> {
    let dir = root().join("tests/vectors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let list: Vec<Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for v in list {
            let name = v["name"]
                .as_str()
                .unwrap_or_else(|| panic!("{}: vector without name", file.display()))
                .to_string();
            out.push((name, v));
        }
    }
    out
}

/// Whether `actual` matches the pattern `expected` (README: objects by subset, arrays by length).
fn matches(expected: &Value, actual: &Value, path: &str, errors: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                match a.get(k) {
                    Some(av) => matches(ev, av, &format!("{path}.{k}"), errors),
                    None => errors.push(format!("{path}.{k}: missing (expected {ev})")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                errors.push(format!(
                    "{path}: expected {} items, got {}: {actual}",
                    e.len(),
                    a.len()
                ));
                return;
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                matches(ev, av, &format!("{path}[{i}]"), errors);
            }
        }
        (e, a) if e == a => {}
        (e, a) => errors.push(format!("{path}: expected {e}, got {a}")),
    }
}

fn error_value(e: &ratecard::Error) -> Value {
    json!({
        "code": e.code(),
        "issues": e.issues.iter().map(|i| json!({"path": i.path, "code": i.code.as_str()})).collect::<Vec<_>>(),
    })
}

fn catalog_text(v: &Value) -> String {
    if let Some(text) = v.get("catalog_json").and_then(Value::as_str) {
        return text.to_string();
    }
    if let Some(file) = v.get("catalog_file").and_then(Value::as_str) {
        return std::fs::read_to_string(root().join(file)).unwrap();
    }
    v.get("catalog")
        .map(Value::to_string)
        .unwrap_or_else(|| "{}".into())
}

fn input_text(v: &Value) -> String {
    if let Some(text) = v.get("input_json").and_then(Value::as_str) {
        return text.to_string();
    }
    v.get("input")
        .map(Value::to_string)
        .unwrap_or_else(|| "null".into())
}

fn run(v: &Value) -> Result<Value, ratecard::Error> {
    let op = v["op"].as_str().expect("op");
    let catalog = catalog_text(v);
    let strict = v.get("strict") == Some(&Value::Bool(true));
    if op == "validate" {
        let report = match v.get("input") {
            // Example events to check the expressions against.
            Some(Value::Array(examples)) => {
                let events: Vec<Event> = examples
                    .iter()
                    .map(|e| Event::from_value(e).unwrap())
                    .collect();
                ratecard::validate_with_examples(&ratecard::parse_json(&catalog)?, &events)
            }
            _ => ratecard::validate_json(&catalog)?,
        };
        let report = if strict { report.strict() } else { report };
        return Ok(serde_json::to_value(report).unwrap());
    }
    let engine = Engine::build_json(&catalog, strict)?;
    if op == "entitlements" {
        let i: Value = serde_json::from_str(&input_text(v)).unwrap();
        let instant = |key: &str| {
            i.get(key)
                .and_then(Value::as_str)
                .map(|t| Instant::parse(t).unwrap())
        };
        let product = i["product"].as_str().unwrap();
        return engine.entitlements(product, instant("at").unwrap(), instant("until"));
    }
    if matches!(op, "preview" | "affordable" | "buys") {
        let i: Value = serde_json::from_str(&input_text(v)).unwrap();
        let options = ratecard::PreviewOptions::from_value(
            &engine,
            v.get("options").unwrap_or(&Value::Null),
        )?;
        let text = match op {
            "preview" => engine.preview_json(
                &engine.read_wallet_json(&i["wallet"].to_string())?,
                &i["events"].to_string(),
                &options,
            )?,
            "affordable" => engine.affordable_json(
                &engine.read_wallet_json(&i["wallet"].to_string())?,
                &i["event"].to_string(),
                &options,
            )?,
            _ => {
                let amount = ratecard::number::decimal_from_value(&i["amount"], "amount").map_err(
                    |issue| ratecard::Error::new(ratecard::ErrorKind::InvalidArgument, vec![issue]),
                )?;
                let currency = i["currency"].as_str().unwrap();
                engine.buys_json(amount, currency, &i["event"].to_string(), &options)?
            }
        };
        return Ok(serde_json::from_str(&text).unwrap());
    }
    let options = match v.get("options") {
        Some(o) => QuoteOptions::from_value(o)?,
        None => QuoteOptions::default(),
    };
    let input = input_text(v);
    match op {
        "engine" => Ok(json!({"warnings": engine.warnings()})),
        "quote" => {
            let event = Event::from_json(&input)?;
            Ok(serde_json::to_value(engine.quote(&event, &options)?).unwrap())
        }
        "quote_many" if options.on_error == ratecard::OnError::Return => {
            let events = Event::each_from_json(&input)?;
            let mut out = Vec::new();
            engine.quote_results(events.iter().map(Result::as_ref), &options, |_, r| {
                out.push(match r {
                    Ok(quote) => serde_json::to_value(quote).unwrap(),
                    Err(e) => json!({ "error": error_value(&e) }),
                })
            })?;
            Ok(Value::Array(out))
        }
        "quote_many" => {
            let events = Event::each_from_json(&input)?;
            Ok(serde_json::to_value(engine.quote_many_read(&events, &options)?).unwrap())
        }
        "convert" => {
            let i: Value = serde_json::from_str(&input).unwrap();
            let amount =
                ratecard::number::decimal_from_value(&i["amount"], "amount").map_err(|issue| {
                    ratecard::Error::new(ratecard::ErrorKind::InvalidArgument, vec![issue])
                })?;
            let at = Instant::parse(i["at"].as_str().expect("convert vectors give at")).unwrap();
            let c = engine.convert(
                amount,
                i["from"].as_str().unwrap(),
                i["to"].as_str().unwrap(),
                at,
            )?;
            Ok(serde_json::to_value(c).unwrap())
        }
        "format" => {
            let i: Value = serde_json::from_str(&input).unwrap();
            let amount =
                ratecard::number::decimal_from_value(&i["amount"], "amount").map_err(|issue| {
                    ratecard::Error::new(ratecard::ErrorKind::InvalidArgument, vec![issue])
                })?;
            Ok(Value::String(
                engine.format(amount, i["asset"].as_str().unwrap())?,
            ))
        }
        other => panic!("unknown op {other}"),
    }
}

#[test]
fn every_vector_passes() {
    let vectors = load_vectors();
    assert!(!vectors.is_empty(), "no vectors found");
    let mut failures = Vec::new();
    let mut names = std::collections::HashSet::new();
    for (name, v) in &vectors {
        assert!(names.insert(name.clone()), "duplicate vector name {name}");
        let outcome = run(v);
        let mut errors = Vec::new();
        match (v.get("expect"), v.get("expect_error"), outcome) {
            (Some(e), _, Ok(actual)) => matches(e, &actual, "", &mut errors),
            (_, Some(e), Err(err)) => matches(e, &error_value(&err), "error", &mut errors),
            (Some(_), _, Err(err)) => {
                errors.push(format!("unexpected error: {err} {}", error_value(&err)))
            }
            (_, Some(_), Ok(actual)) => errors.push(format!("expected an error, got {actual}")),
            (None, None, _) => errors.push("vector has neither expect nor expect_error".into()),
        }
        if !errors.is_empty() {
            failures.push(format!("{name}:\n  {}", errors.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
    println!("{} vectors passed", vectors.len());
}

#[test]
fn every_error_code_has_a_vector() {
    let all: String = load_vectors().iter().map(|(_, v)| v.to_string()).collect();
    let missing: Vec<&str> = ratecard::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| *c != "internal" && !all.contains(&format!("\"code\":\"{c}\"")))
        .collect();
    assert!(missing.is_empty(), "codes without a vector: {missing:?}");
}

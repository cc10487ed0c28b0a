//! The bad-input corpus and the careless-user vectors (`tests/vectors/corpus.json`,
//! `careless.json`) through the `ratecard` binary, as the other faces run them: every input
//! that the command line can express gives the vector's code and paths, with exit code 1 (or
//! the vector's output, with 0), and nothing else: no crash, no hang, no answer without a code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The vector's options as flags, or `None` when the command line has no way to say them
/// (prior usage, `now`, values of the wrong JSON type: those reach the other faces only).
fn flags(options: Option<&Value>) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let Some(options) = options else {
        return Some(out);
    };
    for (key, value) in options.as_object()? {
        match (key.as_str(), value) {
            ("at", Value::String(t)) => out.extend(["--at".into(), t.clone()]),
            ("express_in", Value::Array(list)) => {
                for code in list {
                    out.extend(["--in".into(), code.as_str()?.to_string()]);
                }
            }
            ("products", Value::Array(list)) => {
                for code in list {
                    out.extend(["--product".into(), code.as_str()?.to_string()]);
                }
            }
            ("explain", Value::Bool(false)) => out.push("--no-explain".into()),
            ("on_error", Value::String(mode)) if mode == "return" || mode == "raise" => {
                out.extend(["--on-error".into(), mode.clone()]);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The issues of an error as the binary writes them to stderr: `ratecard: HEAD: ISSUE (and N
/// more)`, then one `  ISSUE` line each, an issue being `PATH: CODE: MESSAGE` or `CODE: MESSAGE`.
fn issues_of(stderr: &str) -> Vec<(String, String)> {
    let is_code = |s: &str| ratecard::Code::from_name(s).is_some();
    let parse = |text: &str| -> Option<(String, String)> {
        let parts: Vec<&str> = text.splitn(3, ": ").collect();
        match parts.as_slice() {
            [code, ..] if is_code(code) => Some((String::new(), code.to_string())),
            [path, code, ..] if is_code(code) => Some((path.to_string(), code.to_string())),
            _ => None,
        }
    };
    let mut out = Vec::new();
    for line in stderr.lines() {
        if let Some(rest) = line.strip_prefix("ratecard: ") {
            // After the head (`invalid event: `) comes the first issue.
            let first = rest.split_once(": ").map(|(_, issue)| issue).unwrap_or("");
            let first = first.split(" (and ").next().unwrap_or(first);
            out.extend(parse(first));
        } else if let Some(issue) = line.strip_prefix("  ") {
            out.extend(parse(issue));
        }
    }
    out
}

fn pairs(issues: &Value) -> Vec<(String, String)> {
    issues
        .as_array()
        .map(|list| {
            list.iter()
                .map(|i| {
                    let s = |k: &str| i[k].as_str().unwrap_or_default().to_string();
                    (s("path"), s("code"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Objects by subset, arrays by length, scalars by equality (tests/vectors/README.md).
fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| matches(v, av))),
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(x, y)| matches(x, y))
        }
        (e, a) => e == a,
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// Runs one vector; `None` when the command line cannot express it.
fn run(v: &Value, dir: &Path) -> Option<Result<(), String>> {
    let op = v["op"].as_str()?;
    let catalog = match (
        v.get("catalog_json"),
        v.get("catalog_file"),
        v.get("catalog"),
    ) {
        (Some(Value::String(text)), _, _) => text.clone(),
        (_, Some(Value::String(file)), _) => std::fs::read_to_string(root().join(file)).unwrap(),
        (_, _, Some(c)) => c.to_string(),
        _ => "{}".into(),
    };
    let catalog = write(dir, "catalog.json", &catalog);
    let strict = v.get("strict") == Some(&Value::Bool(true));
    let mut args: Vec<String> = Vec::new();
    match op {
        "validate" | "engine" => args.extend(["validate".into(), catalog]),
        "quote" | "quote_many" => {
            let input = match (v.get("input_json"), v.get("input")) {
                (Some(Value::String(text)), _) => text.clone(),
                (_, Some(input)) => input.to_string(),
                _ => return None,
            };
            // A file of one object is one event on the command line, an array a batch.
            let array = input.trim_start().starts_with('[');
            if (op == "quote_many") != array {
                return None;
            }
            let events = write(dir, "events.json", &input);
            args.extend(["quote".into(), catalog, events]);
            args.extend(flags(v.get("options"))?);
        }
        "convert" => {
            let i = &v["input"];
            let amount = i["amount"].as_str()?;
            args.extend(["convert".into(), catalog, amount.into()]);
            args.extend([i["from"].as_str()?.into(), i["to"].as_str()?.into()]);
            args.extend(["--at".into(), i["at"].as_str()?.into()]);
        }
        _ => return None,
    }
    if strict {
        args.push("--strict".into());
    }
    let out = Command::new(env!("CARGO_BIN_EXE_ratecard"))
        .args(&args)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    let code = out.status.code();
    let report: Option<Value> = serde_json::from_str(&stdout).ok();
    let said = |what: &str| {
        format!("{what}\n  args {args:?}\n  exit {code:?}\n  stdout {stdout}\n  stderr {stderr}")
    };
    Some(match (op, v.get("expect"), v.get("expect_error")) {
        // validate prints a report; a catalog that does not even build is one with errors.
        ("validate" | "engine", _, Some(e)) if e["code"] == "invalid_catalog" => {
            let errors = report.as_ref().map(|r| pairs(&r["errors"]));
            match (code, errors) {
                (Some(1), Some(errors)) if errors == pairs(&e["issues"]) => Ok(()),
                _ => Err(said("expected a report with these errors")),
            }
        }
        ("engine", Some(e), _) => {
            let warnings = report.as_ref().map(|r| pairs(&r["warnings"]));
            match (code, warnings) {
                (Some(0), Some(w)) if w == pairs(&e["warnings"]) => Ok(()),
                _ => Err(said("expected a valid report with these warnings")),
            }
        }
        ("validate", Some(e), _) => match (code, report) {
            (Some(0 | 1), Some(r)) if matches(e, &r) => Ok(()),
            _ => Err(said("expected this report")),
        },
        (_, Some(e), _) => {
            let returned = e
                .as_array()
                .is_some_and(|l| l.iter().any(|q| q.get("error").is_some()));
            match (code, report) {
                (Some(0), Some(r)) if matches(e, &r) => Ok(()),
                // Bad events returned in place: printed, and exit 1.
                (Some(1), Some(r)) if returned && matches(e, &r) => Ok(()),
                _ => Err(said("expected this output")),
            }
        }
        (_, _, Some(e)) => {
            let expected = pairs(&e["issues"]);
            let found = issues_of(&stderr);
            let head = e["code"].as_str().unwrap_or_default().replace('_', " ");
            let headed = head == "invalid json" && stderr.contains("input is not valid JSON")
                || stderr.contains(&format!("ratecard: {head}"));
            match code {
                Some(1) if headed && (expected.is_empty() || found == expected) => Ok(()),
                _ => Err(said(&format!(
                    "expected {} {expected:?}, found {found:?}",
                    e["code"]
                ))),
            }
        }
        _ => return None,
    })
}

#[test]
fn the_corpus_gives_every_code_and_path_on_the_command_line() {
    let dir = std::env::temp_dir().join(format!("ratecard-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut ran = 0;
    let mut failures = Vec::new();
    for file in ["corpus.json", "careless.json"] {
        let text = std::fs::read_to_string(root().join("tests/vectors").join(file)).unwrap();
        let vectors: Vec<Value> = serde_json::from_str(&text).unwrap();
        for v in &vectors {
            match run(v, &dir) {
                None => {}
                Some(Ok(())) => ran += 1,
                Some(Err(why)) => failures.push(format!("{}: {why}", v["name"])),
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Most of the corpus is expressible on the command line; a drop means inputs went unrun.
    assert!(ran >= 200, "only {ran} vectors ran");
    println!("{}", json!({ "ran": ran }));
}

//! The `ratecard` command line as a user runs it: outputs, exit codes, stdin, bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ratecard"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    // A command that fails before it reads standard input (a wrong flag) closes the pipe.
    match pipe.write_all(stdin.unwrap_or_default().as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.unwrap(),
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn validates_every_bundled_example() {
    for file in [
        "examples/catalog.json",
        "examples/tutorial-catalog.json",
        "examples/seed-custom-assets.json",
    ] {
        let out = run(&["validate", file], None);
        assert_eq!(out.status.code(), Some(0), "{file}: {}", stderr(&out));
        assert_eq!(json(&out)["valid"], Value::Bool(true));
    }
}

#[test]
fn validate_checks_expressions_against_example_events() {
    let dir = std::env::temp_dir().join(format!("ratecard-examples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let events = dir.join("events.json");
    std::fs::write(
        &events,
        r#"[{"event_type": "minutes", "data": {"seconds": "61s"}}]"#,
    )
    .unwrap();
    let out = run(
        &[
            "validate",
            "tests/catalogs/expressions.json",
            "--examples",
            events.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(
        report["warnings"][0]["code"],
        "expression_field_not_numeric"
    );
    assert_eq!(
        report["warnings"][0]["path"],
        "products[0].prices[1].usage_calculation.volume_aggregation"
    );
    // In strict mode the warning fails the catalog, as any warning does.
    let strict = run(
        &[
            "validate",
            "tests/catalogs/expressions.json",
            "--strict",
            "--examples",
            events.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(strict.status.code(), Some(1));
    // A bad example is an error of the example, with its index.
    let bad = run(
        &[
            "validate",
            "tests/catalogs/expressions.json",
            "--examples",
            "-",
        ],
        Some(r#"[{"data": {}}]"#),
    );
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_invalid_catalog_exits_1_with_every_error() {
    let catalog =
        r#"{"assets":[{"code":"IMG","name":"x","precision":40,"rates":[{"source":"USD"}]}]}"#;
    let out = run(&["validate", "-"], Some(catalog));
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let codes: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["precision_out_of_range", "missing_rate"]);
}

#[test]
fn problem_format_is_the_billing_apis_validation_problem() {
    let catalog = r#"{"assets":[{"code":"IMG","name":"x","precision":40}]}"#;
    let out = run(&["validate", "-", "--format=problem"], Some(catalog));
    assert_eq!(out.status.code(), Some(1));
    let problem = json(&out);
    assert_eq!(problem["status"], 422);
    assert!(problem["errors"]["assets[0].precision"][0].is_string());
}

#[test]
fn quoting_one_event_prints_one_quote_with_scaled_amounts() {
    let event = r#"{"event_type":"image_generated","occurred_at":"2026-03-01T00:00:00Z"}"#;
    let out = run(
        &[
            "quote",
            "examples/seed-custom-assets.json",
            "-",
            "--in",
            "USD",
        ],
        Some(event),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let quote = json(&out);
    assert_eq!(quote["fees"][0]["amount"], "1.00");
    assert_eq!(quote["fees"][0]["currency"], "IMG");
    // After the scheduled change on 2026-02-26 one image costs $0.12.
    assert_eq!(quote["equivalents"]["USD"], "0.12");
}

#[test]
fn at_overrides_occurred_at_and_an_array_prints_an_array() {
    let events = r#"[{"event_type":"image_generated","occurred_at":"2026-03-01T00:00:00Z"}]"#;
    let out = run(
        &[
            "quote",
            "examples/seed-custom-assets.json",
            "-",
            "--in",
            "USD",
            "--at",
            "2026-01-01T00:00:00Z",
        ],
        Some(events),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let quotes = json(&out);
    assert_eq!(quotes.as_array().map(Vec::len), Some(1));
    assert_eq!(quotes[0]["equivalents"]["USD"], "0.10");
}

#[test]
fn the_main_job_prints_a_table_of_the_bundled_events() {
    let out = run(
        &[
            "quote",
            "examples/catalog.json",
            "examples/events.json",
            "--in",
            "USD",
            "--format",
            "table",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let gb_2 = text.lines().find(|l| l.starts_with("gb_2")).unwrap();
    // 80 GB already used this month: 20 GB at 0.10 and 30 GB at 0.08.
    assert!(gb_2.contains("4.40"), "{gb_2}");
    assert!(text.contains("total in USD: 25.62"), "{text}");
    assert!(text.contains("no_price_matched"), "{text}");
}

#[test]
fn converts_with_rounding_down_into_units() {
    let out = run(
        &[
            "convert",
            "examples/catalog.json",
            "1.00",
            "USD",
            "IMG",
            "--at",
            "2026-03-01T00:00:00Z",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let c = json(&out);
    // $1.00 / $0.12 = 8.333… images, rounded down.
    assert_eq!(c["destination_amount"], "8.33");
    assert_eq!(c["rounding"], "down");
    assert_eq!(c["valid_from"], "2026-02-26T15:51:28.071Z");
}

#[test]
fn malformed_input_is_one_line_and_exit_1() {
    let out = run(&["validate", "-"], Some("{not json"));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("invalid_json"), "{err}");

    let out = run(
        &["quote", "examples/catalog.json", "-"],
        Some(r#"[{"event_type": 5}]"#),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("[0].event_type: invalid_type"),
        "{}",
        stderr(&out)
    );

    let out = run(
        &["convert", "examples/catalog.json", "NaN", "USD", "IMG"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("invalid_decimal"), "{}", stderr(&out));
}

#[test]
fn a_wrong_command_line_exits_2() {
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["quote", "examples/catalog.json"],
        vec!["validate", "no/such/file.json"],
        vec![
            "quote",
            "examples/catalog.json",
            "examples/events.json",
            "--bogus",
        ],
        vec!["convert", "examples/catalog.json", "1"],
        vec!["quote", "-", "-"],
    ] {
        let out = run(&args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn schema_is_json_schema() {
    let out = run(&["schema"], None);
    assert_eq!(out.status.code(), Some(0));
    let schema = json(&out);
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(schema["$defs"]["PriceValue"].is_object());
}

#[test]
fn help_after_a_command_and_errors_that_say_what_is_accepted() {
    for command in ["validate", "quote", "convert"] {
        let out = run(&[command, "--help"], None);
        assert_eq!(out.status.code(), Some(0), "{command}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("usage:"));
    }
    let out = run(
        &[
            "convert",
            "examples/catalog.json",
            "1",
            "USD",
            "IMG",
            "--at",
            "2027-01-01",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("at: invalid_timestamp") && err.contains("2026-03-01T12:00:00Z"),
        "{err}"
    );
}

#[test]
fn a_file_that_is_not_utf8_is_invalid_json_and_one_event_has_its_own_paths() {
    let dir = std::env::temp_dir().join(format!("ratecard-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("latin1.json");
    std::fs::write(&file, b"{\"assets\": [], \"name\": \"caf\xe9\"}").unwrap();
    let out = run(&["validate", file.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("invalid_json"), "{}", stderr(&out));

    // A fee that does not fit: the single event's path is its own; in an array, `[0].`'s.
    let one = r#"{"event_type": "video_generated", "occurred_at": "2026-03-01T10:00:00Z",
                  "data": {"model": "gen4", "seconds": 7000000000000000000000000000}}"#;
    let out = run(&["quote", "examples/catalog.json", "-"], Some(one));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("overflow: products[1]"),
        "{}",
        stderr(&out)
    );
    let out = run(
        &["quote", "examples/catalog.json", "-"],
        Some(&format!("[{one}]")),
    );
    assert!(
        stderr(&out).contains("overflow: [0].products[1]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn quote_shows_the_catalogs_warnings_on_stderr() {
    let catalog = r#"{"assets": [], "products": [{"name": "p", "code": "p", "prices": [{"name": "x",
        "type": "usage_based", "billing_model": {"type": "real_time"},
        "usage_calculation": {"event_type": "e", "usage_type": "unit"},
        "pricing": [{"asset": "USD", "values": [{"unit_price": "1", "unit_prise": "2"}]}]}]}]}"#;
    let dir = std::env::temp_dir().join(format!("ratecard-cli-w-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("catalog.json");
    std::fs::write(&file, catalog).unwrap();
    let event = r#"{"event_type": "e", "occurred_at": "2026-03-01T00:00:00Z"}"#;
    let out = run(&["quote", file.to_str().unwrap(), "-"], Some(event));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["totals"]["USD"], "1.00");
    let err = stderr(&out);
    assert!(
        err.contains(
            "warning: products[0].prices[0].pricing[0].values[0].unit_prise: unknown_field"
        ),
        "{err}"
    );
    // `unit_price` is given, so the misspelling is not taken for it.
    assert!(!err.contains("did you mean"), "{err}");
}

const TYPO_CATALOG: &str = r#"{"assets": [], "products": [{"name": "Tokens", "code": "tok", "prices": [
  {"name": "tokens", "type": "usage_based", "billing_model": {"type": "real_time"}, "pricing_model": "package",
   "usage_calculation": {"event_type": "tokens_used", "usage_type": "volume", "volume_field": "tokens"},
   "pricing": [{"asset": "USD", "values": [{"volume_rate": "3", "package_sise": 1000000}]}]}]}]}"#;

#[test]
fn strict_validation_fails_on_a_misspelt_field() {
    let lenient = run(&["validate", "-"], Some(TYPO_CATALOG));
    assert_eq!(lenient.status.code(), Some(0), "{}", stderr(&lenient));
    assert_eq!(json(&lenient)["valid"], true);
    let strict = run(&["validate", "--strict", "-"], Some(TYPO_CATALOG));
    assert_eq!(strict.status.code(), Some(1));
    let report = json(&strict);
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"][0]["code"], "unknown_field");
    assert!(report["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("did you mean \"package_size\""));
    // A quote in strict mode refuses the catalog too.
    let event = r#"{"event_type": "tokens_used", "occurred_at": "2026-03-01T00:00:00Z", "data": {"tokens": 1500}}"#;
    let dir = std::env::temp_dir().join(format!("ratecard-cli-strict-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let events = dir.join("event.json");
    std::fs::write(&events, event).unwrap();
    let quote = run(
        &["quote", "--strict", "-", events.to_str().unwrap()],
        Some(TYPO_CATALOG),
    );
    assert_eq!(quote.status.code(), Some(1));
    assert!(
        stderr(&quote).contains("unknown_field"),
        "{}",
        stderr(&quote)
    );
}

#[test]
fn a_batch_reports_every_bad_event_or_returns_each_in_place() {
    let events = r#"[
      {"event_type": "video_generated", "occurred_at": "2026-03-01T10:00:00Z", "data": {"model": "gen4", "quality": "hd", "seconds": 4}},
      {"event_type": "video_generated", "occurred_at": "yesterday", "data": {"model": "gen4", "quality": "hd", "seconds": 4}},
      {"event_type": "video_generated", "occurred_at": "2026-03-01T10:00:00Z", "data": {"seconds": 4, "seconds": 700}}
    ]"#;
    let raised = run(&["quote", "examples/catalog.json", "-"], Some(events));
    assert_eq!(raised.status.code(), Some(1));
    assert!(raised.stdout.is_empty());
    let err = stderr(&raised);
    let (first, second) = (
        err.find("[1].occurred_at: invalid_timestamp").expect(&err),
        err.find("[2].data.seconds: duplicate_key").expect(&err),
    );
    assert!(first < second, "{err}");

    let returned = run(
        &[
            "quote",
            "examples/catalog.json",
            "-",
            "--on-error",
            "return",
            "--no-explain",
        ],
        Some(events),
    );
    assert_eq!(returned.status.code(), Some(1));
    let out = json(&returned);
    assert_eq!(out[0]["fees"][0]["amount"], "60");
    assert_eq!(out[1]["error"]["code"], "invalid_event");
    assert_eq!(out[1]["error"]["issues"][0]["path"], "[1].occurred_at");
    assert_eq!(out[2]["error"]["issues"][0]["code"], "duplicate_key");

    let bad_flag = run(
        &["quote", "examples/catalog.json", "-", "--on-error", "skip"],
        Some(events),
    );
    assert_eq!(bad_flag.status.code(), Some(2));
    assert!(stderr(&bad_flag).contains("raise or return"));
}

#[test]
fn preview_prints_the_table_the_readme_shows() {
    let out = run(
        &[
            "preview",
            "examples/catalog.json",
            "examples/wallet.json",
            "examples/events.json",
            "--format",
            "table",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let shown = readme
        .split("the table\nfor the bundled wallet:\n\n```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README shows the bundled wallet's preview table");
    assert_eq!(String::from_utf8_lossy(&out.stdout), shown);
}

#[test]
fn preview_reads_options_and_reports_a_bad_wallet() {
    let options = r#"{"overdraft": "refuse", "min_top_up": {"CREDIT": "5.00"}}"#;
    let dir = std::env::temp_dir().join(format!("ratecard-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("options.json");
    std::fs::write(&file, options).unwrap();
    let args = [
        "preview",
        "examples/catalog.json",
        "examples/wallet.json",
        "examples/events.json",
        "--options",
        file.to_str().unwrap(),
    ];
    let out = run(&args, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let p = json(&out);
    assert_eq!(p["events"][5]["refused"], true);
    assert_eq!(p["top_up"]["CREDIT"]["amount"], "5.00");
    assert_eq!(p["top_up"]["CREDIT"]["buys"], "100");
    let bad = r#"{"accounts": [{"asset": "GOLD", "available": "x"}]}"#;
    let out = run(
        &[
            "preview",
            "examples/catalog.json",
            "-",
            "examples/events.json",
        ],
        Some(bad),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid wallet") && err.contains("accounts[0].available"),
        "{err}"
    );
}

#[test]
fn afford_and_buys_answer_for_one_event() {
    let dir = std::env::temp_dir().join(format!("ratecard-cli-afford-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let event = dir.join("video.json");
    std::fs::write(
        &event,
        r#"{"event_type": "video_generated", "occurred_at": "2026-03-01T10:00:00Z",
            "data": {"model": "gen4", "quality": "hd", "seconds": 4}}"#,
    )
    .unwrap();
    let event = event.to_str().unwrap();
    // 150 CREDIT drawable at 10:00 (the promotion and the plan's grant); 60 an event, 15 a second.
    let out = run(
        &[
            "afford",
            "examples/catalog.json",
            "examples/wallet.json",
            event,
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = json(&out);
    assert_eq!(
        (a["count"].as_str(), a["volume"]["value"].as_str()),
        (Some("2"), Some("10"))
    );
    // $10 buys 200 CREDIT (inverse rate 20): 3 such videos, or 13 seconds of one.
    let out = run(
        &[
            "buys",
            "examples/catalog.json",
            "10",
            "USD",
            event,
            "--format",
            "table",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("10.00 USD buys 200 CREDIT"), "{table}");
    assert!(table.contains("covers 3 more such events"), "{table}");
    assert!(
        table.contains("the largest seconds covered: 13 (costs 195 CREDIT)"),
        "{table}"
    );
    let out = run(&["buys", "examples/catalog.json", "10", "USD"], None);
    assert_eq!(out.status.code(), Some(2));
}

/// `count` copies of the bundled events, as one JSON array.
fn many_events(count: usize) -> String {
    let text = std::fs::read_to_string(root().join("examples/events.json")).unwrap();
    let events: Vec<Value> = serde_json::from_str(&text).unwrap();
    let all: Vec<&Value> = events.iter().cycle().take(count).collect();
    serde_json::to_string(&all).unwrap()
}

#[test]
fn a_large_batch_into_a_pipe_shows_no_progress() {
    let out = run(
        &["quote", "examples/catalog.json", "-"],
        Some(&many_events(60_000)),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // Only the catalog's and the events' own warnings, never a bar, when stderr is no terminal.
    assert!(!stderr(&out).contains("events,"), "{}", stderr(&out));
    assert_eq!(json(&out).as_array().unwrap().len(), 60_000);
}

#[test]
fn a_large_batch_shows_a_bar_when_stderr_is_a_terminal() {
    // `script` (util-linux) gives the command a terminal; without it there is nothing to test.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` command to give the CLI a terminal");
        return;
    }
    let dir = std::env::temp_dir().join(format!("ratecard-bar-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let events = dir.join("events.json");
    std::fs::write(&events, many_events(120_000)).unwrap();
    let command = format!(
        "{} quote examples/catalog.json {} > /dev/null",
        env!("CARGO_BIN_EXE_ratecard"),
        events.display()
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(root())
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("/120,000 events"), "{shown}");
}

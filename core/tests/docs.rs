//! Generated documentation stays in step with the code: `docs/errors.md` lists every issue
//! code with its description. Run with `RATECARD_BLESS=1` to regenerate after changing a code.
//! (The catalog's JSON Schema has one file, `core/src/catalog.schema.json`, which the crate
//! ships and editors point at.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs")
}

fn errors_md() -> String {
    let mut out = String::from(
        "# Issue codes\n\n\
         Every problem ratecard reports is an Issue `{path, code, message}`. Codes are stable:\n\
         they never change meaning, and every runtime reports the same code and path for the same\n\
         input. Codes marked *Warning* appear in `warnings`, never stop an engine from being built.\n\
         This file is generated from `core/src/issue.rs` (`RATECARD_BLESS=1 cargo test -p ratecard --test docs`).\n\n\
         | code | when |\n|---|---|\n",
    );
    for code in ratecard::Code::ALL {
        out.push_str(&format!(
            "| `{}` | {} |\n",
            code.as_str(),
            code.description()
        ));
    }
    out.push_str(
        "\nErrors thrown by an operation carry one of these error codes, with the issues above:\n\n\
         | error code | raised by |\n|---|---|\n\
         | `invalid_json` | text that is not JSON, or nests deeper than 128 levels |\n\
         | `invalid_catalog` | `Engine(catalog)` when the catalog has errors (all of them in `issues`) |\n\
         | `invalid_event` | `quote` / `quote_many` when an event is malformed |\n\
         | `invalid_argument` | malformed options, an unknown asset or product, a bad amount |\n\
         | `no_rate` | a conversion (or `express_in`) with no rate in force |\n\
         | `decimal_overflow` | arithmetic that leaves the range of a decimal |\n\
         | `invalid_wallet` | `preview` / `affordable` when the wallet has errors (all of them in `issues`) |\n",
    );
    out
}

fn check(path: PathBuf, want: &str) {
    if std::env::var_os("RATECARD_BLESS").is_some() {
        std::fs::write(&path, want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is out of date: run RATECARD_BLESS=1 cargo test -p ratecard --test docs",
        path.display()
    );
}

#[test]
fn errors_doc_lists_every_code() {
    check(docs().join("errors.md"), &errors_md());
}

/// The TypeScript declarations name every issue code (`IssueCode` in packages/js/index.d.ts, the
/// one declaration file of both JavaScript packages), in the core's order; `RATECARD_BLESS=1`
/// rewrites the union.
#[test]
fn typescript_issue_codes_are_the_cores() {
    let path = docs().join("../packages/js/index.d.ts");
    let dts = std::fs::read_to_string(&path).unwrap();
    let start = dts
        .find("export type IssueCode =")
        .expect("IssueCode in index.d.ts");
    let end = start + dts[start..].find(';').unwrap();
    let mut union = String::from("export type IssueCode =");
    for code in ratecard::Code::ALL {
        union.push_str(&format!("\n  | \"{}\"", code.as_str()));
    }
    let want = format!("{}{union}{}", &dts[..start], &dts[end..]);
    check(path, &want);
}

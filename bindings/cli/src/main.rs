//! `ratecard`: validate catalogs, quote events and convert amounts from the command line.
//!
//! Exit codes: 0 all is well; 1 the catalog, an event or an amount has errors; 2 the command
//! line itself is wrong (unknown command or flag, missing argument, unreadable file).

mod progress;
mod table;

use ratecard::{Engine, Error, Event, Instant, QuoteOptions};
use std::io::Read;
use std::process::ExitCode;

const USAGE: &str = "\
ratecard: exact quotes for usage-based prices

usage:
  ratecard validate CATALOG [--examples EVENTS] [--strict] [--format json|table|problem]
  ratecard quote CATALOG EVENTS... [--at T] [--in ASSET]... [--product CODE]... [--no-explain]
                 [--strict] [--on-error raise|return] [--format json|table]
  ratecard convert CATALOG AMOUNT FROM TO [--at T] [--format json|table]
  ratecard preview CATALOG WALLET EVENTS [--at T] [--in ASSET]... [--product CODE]...
                   [--overdraft allow|refuse] [--options FILE] [--format json|table]
  ratecard afford CATALOG WALLET EVENT [--at T] [--volume-step S] [--format json|table]
  ratecard buys CATALOG AMOUNT CURRENCY EVENT [--at T] [--volume-step S] [--format json|table]
  ratecard schema
  ratecard codes

CATALOG and EVENTS are JSON files, or - for standard input. An EVENTS file holding one
object prints one quote; an array (or several files) prints an array of quotes.
T is an RFC 3339 instant (2026-03-01T12:00:00Z); without --at, quotes price at each
event's occurred_at, and anything else at the current time.
--strict: the catalog's warnings count as errors (use it in CI).
--examples EVENTS: example events (a JSON array) the catalog's expressions are checked
against: a field an expression computes with that none holds as a number is a warning.
--on-error: with bad events in a batch, report them all and print nothing else (raise, the
default), or print every quote with each bad event's error in its place (return); exit 1
either way.
preview: what the EVENTS would draw from the WALLET (the billing API's wallet JSON, its
accounts' grants included), grant by grant, what is left and what top-up covers a shortfall.
--options FILE: preview options as JSON (min_top_up, top_up_currency, auto_top_up, overdraft).
afford: how many more such events the wallet covers, and the largest volume it covers; buys:
the same for what AMOUNT of CURRENCY buys (a top-up of that much, rounded down).
Exit codes: 0 ok, 1 errors in the input, 2 a wrong command line.";

/// What went wrong, and which exit code it earns.
enum Failure {
    /// The command line is wrong (exit 2).
    Usage(String),
    /// The input has errors (exit 1); printed as one line per issue.
    Input(Error),
    /// The input has errors and the details were already printed (exit 1).
    Reported,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Input(e)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Table,
    /// The billing API's ValidationProblem shape (`validate` only).
    Problem,
}

struct Args {
    positional: Vec<String>,
    at: Option<String>,
    express_in: Vec<String>,
    products: Vec<String>,
    explain: bool,
    strict: bool,
    on_error: ratecard::OnError,
    format: Format,
    overdraft: Option<String>,
    options: Option<String>,
    volume_step: Option<String>,
    examples: Option<String>,
}

fn parse_format(name: &str) -> Result<Format, Failure> {
    match name {
        "json" => Ok(Format::Json),
        "table" => Ok(Format::Table),
        "problem" => Ok(Format::Problem),
        other => Err(Failure::Usage(format!(
            "--format is json, table or problem, not {other:?}"
        ))),
    }
}

fn parse_args(raw: &[String]) -> Result<Args, Failure> {
    let mut args = Args {
        positional: Vec::new(),
        at: None,
        express_in: Vec::new(),
        products: Vec::new(),
        explain: true,
        strict: false,
        on_error: ratecard::OnError::Raise,
        format: Format::Json,
        overdraft: None,
        options: None,
        volume_step: None,
        examples: None,
    };
    // `--in=USD` is `--in USD`.
    let words: Vec<String> = raw
        .iter()
        .flat_map(|a| match a.split_once('=') {
            Some((flag, v)) if flag.starts_with("--") => vec![flag.to_string(), v.to_string()],
            _ => vec![a.clone()],
        })
        .collect();
    let mut it = words.into_iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| Failure::Usage(format!("{name} needs a value")))
        };
        match arg.as_str() {
            "--at" => args.at = Some(value("--at")?),
            "--in" => args.express_in.push(value("--in")?),
            "--product" => args.products.push(value("--product")?),
            "--no-explain" => args.explain = false,
            "--strict" => args.strict = true,
            "--on-error" => {
                args.on_error = match value("--on-error")?.as_str() {
                    "raise" => ratecard::OnError::Raise,
                    "return" => ratecard::OnError::Return,
                    other => {
                        return Err(Failure::Usage(format!(
                            "--on-error is raise or return, not {other:?}"
                        )))
                    }
                }
            }
            "--format" => args.format = parse_format(&value("--format")?)?,
            "--overdraft" => args.overdraft = Some(value("--overdraft")?),
            "--options" => args.options = Some(value("--options")?),
            "--volume-step" => args.volume_step = Some(value("--volume-step")?),
            "--examples" => args.examples = Some(value("--examples")?),
            flag if flag.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option {flag}")))
            }
            _ => args.positional.push(arg),
        }
    }
    Ok(args)
}

fn read_input(path: &str) -> Result<String, Failure> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::Usage(format!("cannot read standard input: {e}")))?;
        return Ok(text);
    }
    let bytes =
        std::fs::read(path).map_err(|e| Failure::Usage(format!("cannot read {path}: {e}")))?;
    // A file that is not UTF-8 is not JSON: an input error with its code, like any other.
    String::from_utf8(bytes).map_err(|e| {
        let message = format!("not valid JSON: {path} is not UTF-8 ({})", e.utf8_error());
        Failure::Input(Error::one(
            ratecard::ErrorKind::InvalidJson,
            "",
            ratecard::Code::InvalidJson,
            message,
        ))
    })
}

fn now() -> Option<Instant> {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Instant::from_unix_nanos(i128::try_from(since.as_nanos()).ok()?)
}

fn parse_at(at: &Option<String>) -> Result<Option<Instant>, Failure> {
    match at {
        None => Ok(None),
        // A malformed instant is the input's mistake (exit 1), at `at` as in every face.
        Some(text) => Instant::parse(text).map(Some).map_err(|m| {
            Failure::Input(Error::one(
                ratecard::ErrorKind::InvalidArgument,
                "at",
                ratecard::Code::InvalidTimestamp,
                format!(
                    "{m}; --at takes an RFC 3339 instant, a date with a time and an offset \
                     (2026-03-01T12:00:00Z, 2026-03-01T13:00:00+01:00)"
                ),
            ))
        }),
    }
}

/// Standard input (`-`) is one stream: at most one of `paths` may name it.
fn stdin_once<'p>(paths: impl IntoIterator<Item = &'p String>) -> Result<(), Failure> {
    if paths.into_iter().filter(|f| *f == "-").count() > 1 {
        return Err(Failure::Usage(
            "standard input (-) can be read only once".into(),
        ));
    }
    Ok(())
}

/// The engine of a catalog file. Its warnings go to stderr, as validate's table writes them: a
/// typo in a field that is only warned about can still change a price, so no answer hides it.
fn engine_of(catalog: &str, strict: bool) -> Result<Engine, Failure> {
    let engine = Engine::build_json(&read_input(catalog)?, strict)?;
    for issue in engine.warnings() {
        eprintln!("{catalog}: warning: {issue}");
    }
    Ok(engine)
}

/// A decimal given on the command line; a bad one is the input's mistake, at `path`.
fn decimal_arg(text: &str, path: &str) -> Result<ratecard::Decimal, Failure> {
    ratecard::parse_decimal(text).map_err(|(code, message)| {
        Failure::Input(Error::one(
            ratecard::ErrorKind::InvalidArgument,
            path,
            code,
            message,
        ))
    })
}

fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::Usage(format!("cannot print JSON: {e}")))?;
    // A closed pipe (`| head`) ends the output quietly, as other tools do.
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
    Ok(())
}

fn validate(args: &Args) -> Result<(), Failure> {
    let [catalog] = args.positional.as_slice() else {
        return Err(Failure::Usage("validate takes one CATALOG".into()));
    };
    let report = match &args.examples {
        Some(events) => {
            ratecard::validate_json_with_examples(&read_input(catalog)?, &read_input(events)?)?
        }
        None => ratecard::validate_json(&read_input(catalog)?)?,
    };
    let report = if args.strict { report.strict() } else { report };
    match args.format {
        Format::Json => print_json(&report)?,
        Format::Table => print!("{}", table::report(catalog, &report)),
        Format::Problem => print_json(&report.to_problem())?,
    }
    if report.valid {
        Ok(())
    } else {
        Err(Failure::Reported)
    }
}

fn quote(args: &Args) -> Result<(), Failure> {
    let Some((catalog, event_files)) = args.positional.split_first() else {
        return Err(Failure::Usage(
            "quote takes a CATALOG and at least one EVENTS file".into(),
        ));
    };
    if event_files.is_empty() {
        return Err(Failure::Usage(
            "quote takes a CATALOG and at least one EVENTS file".into(),
        ));
    }
    stdin_once(args.positional.iter())?;
    let engine = engine_of(catalog, args.strict)?;
    let texts = event_files
        .iter()
        .map(|f| read_input(f))
        .collect::<Result<Vec<_>, _>>()?;
    let single = texts.len() == 1 && texts.iter().all(|t| t.trim_start().starts_with('{'));
    // Every event of every file, read one by one: a bad one is reported (or returned) in its
    // place, with the others.
    let mut events: Vec<Result<Event<'_>, Error>> = Vec::new();
    for (file, text) in event_files.iter().zip(&texts) {
        let prefix = if texts.len() > 1 { file.as_str() } else { "" };
        let batch = Event::each_from_json(text).map_err(|e| e.prefixed(prefix))?;
        events.extend(batch.into_iter().map(|r| r.map_err(|e| e.prefixed(prefix))));
    }
    let options = QuoteOptions {
        at: parse_at(&args.at)?,
        now: now(),
        express_in: args.express_in.clone(),
        products: (!args.products.is_empty()).then(|| args.products.clone()),
        explain: args.explain && args.format == Format::Json,
        on_error: args.on_error,
        ..QuoteOptions::default()
    };
    if args.on_error == ratecard::OnError::Return && !single {
        return quote_returning(&engine, &events, &options, args);
    }
    // One event alone is quoted alone: its issues' paths are its own, not `[0].`'s.
    let quotes = match (single, events.as_slice()) {
        (true, [Ok(event)]) => vec![engine.quote(event, &options)?],
        (true, [Err(e)]) => return Err(Failure::Input(e.clone())),
        _ => progress::quote_many(&engine, &events, &options)?,
    };
    match (args.format, single) {
        (Format::Table, _) => print!("{}", table::quotes(&quotes, &args.express_in)?),
        (_, true) => match quotes.first() {
            Some(q) => print_json(q)?,
            None => print_json(&quotes)?,
        },
        (_, false) => print_json(&quotes)?,
    }
    Ok(())
}

/// `quote --on-error return`: every quote, each bad event's error in its place
/// (`{"error": {code, message, issues}}`), and each error on stderr too; exit 1 if any.
fn quote_returning(
    engine: &Engine,
    events: &[Result<Event<'_>, Error>],
    options: &QuoteOptions,
    args: &Args,
) -> Result<(), Failure> {
    let mut out = Vec::with_capacity(events.len());
    let mut failed = 0usize;
    engine.quote_results(events.iter().map(Result::as_ref), options, |_, r| {
        out.push(match r {
            Ok(quote) => serde_json::to_value(&quote).unwrap_or(serde_json::Value::Null),
            Err(e) => {
                failed += 1;
                for issue in &e.issues {
                    eprintln!("ratecard: {issue}");
                }
                serde_json::json!({"error": {"code": e.code(), "message": e.summary(), "issues": e.issues}})
            }
        })
    })?;
    if args.format == Format::Table {
        return Err(Failure::Usage(
            "--on-error return prints JSON; drop --format table".into(),
        ));
    }
    print_json(&out)?;
    if failed > 0 {
        return Err(Failure::Reported);
    }
    Ok(())
}

fn convert(args: &Args) -> Result<(), Failure> {
    let [catalog, amount, from, to] = args.positional.as_slice() else {
        return Err(Failure::Usage(
            "convert takes CATALOG AMOUNT FROM TO".into(),
        ));
    };
    let engine = Engine::from_json(&read_input(catalog)?)?;
    let value = decimal_arg(amount, "amount")?;
    let at = match parse_at(&args.at)? {
        Some(t) => t,
        None => now()
            .ok_or_else(|| Failure::Usage("the system clock is before 1970; pass --at".into()))?,
    };
    let conversion = engine.convert(value, from, to, at)?;
    match args.format {
        Format::Json | Format::Problem => print_json(&conversion)?,
        Format::Table => println!(
            "{} {} = {} {}  (1 {} = {} {}, {} rounding)",
            conversion.source_amount,
            conversion.source,
            conversion.destination_amount,
            conversion.destination,
            conversion.destination,
            conversion.rate,
            conversion.source,
            conversion.rounding
        ),
    }
    Ok(())
}

/// `ratecard preview`: the flags and the `--options` file make one wire-form options object.
fn preview(args: &Args) -> Result<(), Failure> {
    let [catalog, wallet, events] = args.positional.as_slice() else {
        return Err(Failure::Usage("preview takes CATALOG WALLET EVENTS".into()));
    };
    stdin_once([catalog, wallet, events])?;
    let engine = engine_of(catalog, args.strict)?;
    let mut options = match &args.options {
        Some(file) => ratecard::parse_json(&read_input(file)?)?,
        None => serde_json::json!({}),
    };
    if let Some(map) = options.as_object_mut() {
        let mut set = |key: &str, value: serde_json::Value| {
            map.insert(key.to_string(), value);
        };
        if let Some(at) = &args.at {
            parse_at(&args.at)?;
            set("at", at.as_str().into());
        }
        if !args.express_in.is_empty() {
            set("express_in", args.express_in.clone().into());
        }
        if !args.products.is_empty() {
            set("products", args.products.clone().into());
        }
        if let Some(o) = &args.overdraft {
            set("overdraft", o.as_str().into());
        }
        set(
            "explain",
            (args.explain && args.format == Format::Json).into(),
        );
    }
    let mut options = ratecard::PreviewOptions::from_value(&engine, &options)?;
    options.quote.now = now();
    let wallet = ratecard::parse_json(&read_input(wallet)?)?;
    let (wallet, warnings) = engine.read_wallet(&wallet)?;
    let text = read_input(events)?;
    let events = Event::each_from_json(&text)?;
    let quotes = progress::quote_many(&engine, &events, &options.quote)?;
    let preview = engine.preview_quotes(&wallet, warnings, quotes, &options)?;
    match args.format {
        Format::Table => {
            let value = serde_json::to_value(&preview)
                .map_err(|e| Failure::Usage(format!("cannot print JSON: {e}")))?;
            print!("{}", table::preview(&value))
        }
        _ => print_json(&preview)?,
    }
    Ok(())
}

/// `ratecard afford` and `ratecard buys`: one event against a wallet, or against a sum of money.
fn afford(command: &str, args: &Args) -> Result<(), Failure> {
    let usage = || {
        Failure::Usage(match command {
            "afford" => "afford takes CATALOG WALLET EVENT".into(),
            _ => "buys takes CATALOG AMOUNT CURRENCY EVENT".into(),
        })
    };
    let (catalog, event) = match args.positional.as_slice() {
        [catalog, _, event] if command == "afford" => (catalog, event),
        [catalog, _, _, event] if command == "buys" => (catalog, event),
        _ => return Err(usage()),
    };
    stdin_once(args.positional.iter())?;
    let engine = engine_of(catalog, args.strict)?;
    let mut options = ratecard::PreviewOptions::default();
    options.quote.at = parse_at(&args.at)?;
    options.quote.now = now();
    if let Some(step) = &args.volume_step {
        options.volume_step = Some(decimal_arg(step, "volume_step")?);
    }
    let text = read_input(event)?;
    let event = Event::from_json(&text)?;
    let answer = match args.positional.as_slice() {
        [_, wallet, _] => {
            let wallet = ratecard::parse_json(&read_input(wallet)?)?;
            let (wallet, warnings) = engine.read_wallet(&wallet)?;
            for issue in warnings {
                eprintln!("wallet: warning: {issue}");
            }
            serde_json::to_value(engine.affordable(&wallet, &event, &options)?)
        }
        [_, amount, currency, _] => {
            let amount = decimal_arg(amount, "amount")?;
            serde_json::to_value(engine.buys(amount, currency, &event, &options)?)
        }
        _ => return Err(usage()),
    };
    let answer = answer.map_err(|e| Failure::Usage(format!("cannot print JSON: {e}")))?;
    match args.format {
        Format::Table => print!("{}", table::capacity(&answer)),
        _ => print_json(&answer)?,
    }
    Ok(())
}

fn run(raw: &[String]) -> Result<(), Failure> {
    let Some((command, rest)) = raw.split_first() else {
        return Err(Failure::Usage("no command given".into()));
    };
    // `--help` after any command is the usage, as it is before one.
    if rest.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return Ok(());
    }
    match command.as_str() {
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        "-V" | "--version" => {
            println!("ratecard {}", ratecard::VERSION);
            Ok(())
        }
        "schema" => {
            if !rest.is_empty() {
                return Err(Failure::Usage("schema takes no arguments".into()));
            }
            println!("{}", ratecard::schema_json().trim_end());
            Ok(())
        }
        "codes" => {
            for code in ratecard::Code::ALL {
                println!("{:<24} {}", code.as_str(), code.description());
            }
            Ok(())
        }
        "validate" => validate(&parse_args(rest)?),
        "preview" => preview(&parse_args(rest)?),
        "afford" | "buys" => afford(command, &parse_args(rest)?),
        "quote" | "convert" => {
            let args = parse_args(rest)?;
            if args.format == Format::Problem {
                return Err(Failure::Usage("--format problem is for validate".into()));
            }
            if command == "quote" {
                quote(&args)
            } else {
                convert(&args)
            }
        }
        other => Err(Failure::Usage(format!("unknown command {other:?}"))),
    }
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    match run(&raw) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Reported) => ExitCode::from(1),
        Err(Failure::Input(e)) => {
            eprintln!("ratecard: {}", e.summary());
            for issue in e.issues.iter().skip(1) {
                eprintln!("  {issue}");
            }
            ExitCode::from(1)
        }
        Err(Failure::Usage(message)) => {
            eprintln!("ratecard: {message}\n(ratecard --help shows the usage)");
            ExitCode::from(2)
        }
    }
}

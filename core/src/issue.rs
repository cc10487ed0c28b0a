//! Problems found in input, and the one error type of the crate.
//!
//! Every problem is an [`Issue`] with a path into the input, a stable machine code and a
//! sentence for a person. Codes are the contract with every runtime: they never change
//! meaning, and [`Code::ALL`] lists them so the docs and the conformance vectors can prove
//! that each one exists and is exercised.

use serde::ser::{Serialize, SerializeMap, Serializer};
use std::fmt;

macro_rules! codes {
    ($($variant:ident = $text:literal : $doc:literal,)*) => {
        /// A stable, snake_case identifier for a kind of problem.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as it appears in JSON and in every runtime.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// One sentence on when the code is raised.
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }

            /// The code for a snake_case name, if there is one.
            pub fn from_name(name: &str) -> Option<Code> {
                match name { $($text => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    // Reading input
    InvalidJson = "invalid_json": "The input is not JSON at all, or nests deeper than 128 levels.",
    MissingField = "missing_field": "A required field is absent (or null).",
    InvalidType = "invalid_type": "A field has the wrong JSON type (a string where an object belongs, ...).",
    LimitExceeded = "limit_exceeded": "Input larger than ratecard reads at once (objects in a catalog, events in a batch, tiers, dimension keys, string length); the limits are in docs/rules.md.",
    FlatEvent = "flat_event": "An event with fields of its data at its top level and no `data` (a frame's row, as `df.to_dict(\"records\")` gives it): ratecard reads usage only from `data`, so it refuses to price it as if they were absent.",
    InvalidValue = "invalid_value": "A field has a value outside its allowed set or range (an unknown enum value, an empty code, a non-positive package size).",
    DuplicateKey = "duplicate_key": "A JSON object gives the same key twice (`{\"n\": 5, \"n\": 700}`); hosts' parsers disagree on which value wins, so ratecard refuses it.",
    UnknownField = "unknown_field": "Warning: a field ratecard does not know; it is ignored. The message names the known field it most likely misspells (`package_sise`: did you mean `package_size`?).",
    // Numbers and time
    InvalidDecimal = "invalid_decimal": "A decimal that is not a number (\"abc\", NaN, Infinity).",
    DecimalOverflow = "decimal_overflow": "A decimal, or a result computed from it, does not fit in 28 significant digits.",
    NegativeAmount = "negative_amount": "A price, amount or bound that must not be negative is negative.",
    InvalidTimestamp = "invalid_timestamp": "A time that is not an RFC 3339 timestamp with an offset.",
    // Assets and rates
    DuplicateAsset = "duplicate_asset": "Two assets share a code (codes compare case-insensitively).",
    ReservedCode = "reserved_code": "A custom asset uses the code of an ISO 4217 currency.",
    PrecisionOutOfRange = "precision_out_of_range": "An asset's precision is not an integer in 0..=18.",
    InvalidSymbol = "invalid_symbol": "An asset's symbol is not exactly one grapheme cluster.",
    MissingRate = "missing_rate": "A rate entry has neither `rate` nor `inverse_rate`.",
    InvalidRate = "invalid_rate": "A rate or inverse rate is zero or negative.",
    ConflictingRates = "conflicting_rates": "A rate entry gives both `rate` and `inverse_rate` and their product is not exactly 1.",
    OverlappingRates = "overlapping_rates": "Two rate entries for one source are in force at the same instant.",
    InvalidInterval = "invalid_interval": "A rate entry's `valid_to` is not after its `valid_from`.",
    UnknownCurrency = "unknown_currency": "A rate's source is not an ISO 4217 currency code.",
    // Products and prices
    DuplicateProduct = "duplicate_product": "Two products share a code (case-insensitively).",
    DuplicatePriceName = "duplicate_price_name": "Two prices of one product share a name.",
    DuplicatePricingAsset = "duplicate_pricing_asset": "One price lists the same asset twice in `pricing`.",
    UnknownAsset = "unknown_asset": "An asset code that is neither defined in the catalog nor an ISO 4217 currency.",
    MissingVolumeField = "missing_volume_field": "A volume or unit_and_volume price has no `volume_field`.",
    MissingPrice = "missing_price": "A price value lacks the `unit_price` or `volume_rate` its usage type needs.",
    MixedValues = "mixed_values": "One `values` list mixes plain price values and dimensional prices.",
    AmbiguousDimensions = "ambiguous_dimensions": "Two dimensional prices of one price could both be the best match for the same event.",
    TierOrder = "tier_order": "Tier bounds (`up_to`) do not strictly increase.",
    MultipleValues = "multiple_values": "Several price values where the pricing model takes one (flat or package).",
    MinExceedsMax = "min_exceeds_max": "A value's `min_amount` is greater than its `max_amount`.",
    EmptyList = "empty_list": "A list that needs at least one entry is empty.",
    UnsupportedUsageType = "unsupported_usage_type": "A `custom` usage type with neither a `volume_aggregation` nor a `unit_aggregation` expression: a custom usage is what its expressions compute, and this price has none.",
    InvalidExpression = "invalid_expression": "A `volume_aggregation` or `unit_aggregation` expression that does not parse, calls an unknown function or gives one the wrong number of arguments; the message gives the position in the text.",
    UnsupportedTiering = "unsupported_tiering": "A `custom` tiering period (the billing API does not publish where a custom period starts or how long it lasts), or a `custom` tiering basis on a price without an aggregation expression (that basis counts what the expressions compute).",
    ExpressionReadsDimension = "expression_reads_dimension": "Warning: a `volume_aggregation` or `unit_aggregation` expression reads a field that is also a billable dimension: its value both picks the price and sizes the usage, which is seldom meant.",
    ExpressionFieldNotNumeric = "expression_field_not_numeric": "Warning, when validating with example events: an expression computes with a field that none of the examples of its event type holds as a number (each lacks it, or holds text or true/false), so each such event would price to no fee.",
    UnlistedDimension = "unlisted_dimension": "Warning: a dimensional price uses a key missing from `billable_dimensions`.",
    BoundedLastTier = "bounded_last_tier": "Warning: the last tier of a tiered or bulk price has an `up_to`; usage past it is priced at that last tier.",
    UnreachableTier = "unreachable_tier": "Warning: a tier comes after an unbounded tier, so no usage can reach it.",
    UnmatchablePrice = "unmatchable_price": "Warning: a price or dimensional price that no event can match (no values).",
    IgnoredField = "ignored_field": "Warning: a field that has no effect where it is (an `up_to` on a flat price, a `package_size` on a unit price).",
    AlternativePricing = "alternative_pricing": "Warning: a price lists several assets; ratecard quotes a fee in each, but the billing API charges one.",
    // Quotes and conversions
    InvalidOptions = "invalid_options": "Quote or conversion options that are malformed.",
    UnknownProduct = "unknown_product": "An option names a product (or a product's price) the catalog does not have.",
    MissingInstant = "missing_instant": "No instant to price at: no `at` option, no `occurred_at`, and no current time from the host.",
    PricedAtNow = "priced_at_now": "Warning: the event has no `occurred_at` and no `at` option was given: it is priced at the host's current time, so its quote can change from run to run.",
    NoRate = "no_rate": "No rate connects two assets at the instant asked (no shared source, or no entry in force).",
    NoPriceMatched = "no_price_matched": "Warning: no price of the (selected) products prices this event type.",
    NoDimensionMatch = "no_dimension_match": "Warning: a price for the event type matched, but none of its dimensional prices fits the event's data.",
    MissingVolume = "missing_volume": "Warning: the event's data lacks the price's `volume_field`; that price yields no fee.",
    ExpressionFailed = "expression_failed": "Warning: a price's aggregation expression has no value for the event (a division by zero, a string or true/false where a number belongs); that price yields no fee.",
    InvalidVolume = "invalid_volume": "Warning: the event's volume is not a number, or is negative; that price yields no fee.",
    // Wallets and previews
    DuplicateAccount = "duplicate_account": "A wallet lists two accounts in one asset (codes compare case-insensitively): a fee draws from the one account of its asset.",
    DuplicateGrant = "duplicate_grant": "Two grants of one account share an id.",
    GrantsExceedBalance = "grants_exceed_balance": "An account's grants hold more than its `available` balance: the wallet does not add up, so ratecard will not preview it.",
    PartialGrants = "partial_grants": "Warning: a grants page lists fewer grants than its `total_count`; the balance of the grants not listed is drawn last, as grant-less balance.",
    UnknownPurpose = "unknown_purpose": "Warning: a grant's purpose is none of `promotion` (or `promotional`), `bundled`, `paid`; it is drawn after those.",
    ExcessPrecision = "excess_precision": "Warning: a balance has digits past its asset's precision; ratecard keeps them exactly, it does not round a balance.",
    MissingAccount = "missing_account": "Warning: an event is charged in an asset the wallet has no account for; the whole charge is a shortfall.",
    AmbiguousTopUp = "ambiguous_top_up": "Warning: an asset has rates from several fiat sources and no `top_up_currency` says which one pays for a top-up; the first in force is used.",
    Internal = "internal": "A bug in ratecard: please report it with the input.",
}

/// The errors of a batch's bad events gathered into one, in the order added: every issue up to
/// [`crate::limits::ISSUES_REPORTED`], then one `limit_exceeded` issue counting the events whose
/// issues were left out. Its kind is the first error's.
#[derive(Debug, Default)]
pub struct Gathered {
    kind: Option<ErrorKind>,
    issues: Vec<Issue>,
    left_out: usize,
}

impl Gathered {
    pub fn add(&mut self, error: Error) {
        self.kind.get_or_insert(error.kind);
        if self.issues.len() + error.issues.len() <= crate::limits::ISSUES_REPORTED {
            self.issues.extend(error.issues);
        } else {
            self.left_out += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.kind.is_none()
    }

    /// Whether issues are being left out: a caller may stop looking for more.
    pub fn is_full(&self) -> bool {
        self.left_out > 0 || self.issues.len() >= crate::limits::ISSUES_REPORTED
    }

    /// `Ok` when nothing was added; else the one error.
    pub fn into_result(mut self) -> Result<(), Error> {
        let Some(kind) = self.kind else {
            return Ok(());
        };
        if self.left_out > 0 {
            self.issues.push(Issue::new(
                "",
                Code::LimitExceeded,
                format!(
                    "{} more events failed; their issues are left out (at most {} issues are listed)",
                    self.left_out,
                    crate::limits::ISSUES_REPORTED
                ),
            ));
        }
        Err(Error::new(kind, self.issues))
    }
}

/// The name in `known` that `unknown` most likely misspells (at most two edits away, and fewer
/// than either is long), for "did you mean" messages; `None` when no name is that close.
pub fn nearest<'k>(unknown: &str, known: impl IntoIterator<Item = &'k str>) -> Option<&'k str> {
    known
        .into_iter()
        .map(|k| (strsim::damerau_levenshtein(unknown, k), k))
        .filter(|(d, k)| *d <= 2 && *d < k.len().min(unknown.len()))
        .min()
        .map(|(_, k)| k)
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One problem: where it is, what kind it is, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Issue {
    /// Where in the input: `products[0].prices[1].pricing[0].asset`; empty for the whole input.
    pub path: String,
    pub code: Code,
    pub message: String,
}

impl Issue {
    pub fn new(path: impl Into<String>, code: Code, message: impl Into<String>) -> Issue {
        Issue {
            path: path.into(),
            code,
            message: message.into(),
        }
    }

    /// The same issue, seen from one level up (`[3]` + `.data.x` = `[3].data.x`).
    pub fn prefixed(mut self, prefix: &str) -> Issue {
        self.path = join_path(prefix, &self.path);
        self
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.code, self.message)
        } else {
            write!(f, "{}: {}: {}", self.path, self.code, self.message)
        }
    }
}

/// `a` + `b` as a path: `a.b`, or `a[0]` when `b` is an index, or either alone when the other is empty.
/// (Built with `push_str`, not `format!`: validation builds one path per object it reads.)
pub fn join_path(a: &str, b: &str) -> String {
    if a.is_empty() {
        return b.to_string();
    }
    if b.is_empty() {
        return a.to_string();
    }
    let mut out = String::with_capacity(a.len() + b.len() + 1);
    out.push_str(a);
    if !b.starts_with('[') {
        out.push('.');
    }
    out.push_str(b);
    out
}

/// What [`crate::validate`] found: every error and warning at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    pub valid: bool,
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
}

impl Report {
    /// The report in strict mode: warnings count as errors (listed after the errors, in
    /// order, each keeping its code), so a catalog with any is not valid.
    pub fn strict(mut self) -> Report {
        self.errors.append(&mut self.warnings);
        self.valid = self.errors.is_empty();
        self
    }

    /// The billing API's ValidationProblem shape (HTTP 422): `errors: {path: [message]}`.
    pub fn to_problem(&self) -> serde_json::Value {
        problem_of(&self.errors)
    }
}

fn problem_of(issues: &[Issue]) -> serde_json::Value {
    let mut errors = serde_json::Map::new();
    for issue in issues {
        let entry = errors
            .entry(issue.path.clone())
            .or_insert_with(|| serde_json::Value::Array(Vec::new()));
        if let serde_json::Value::Array(list) = entry {
            list.push(serde_json::Value::String(issue.message.clone()));
        }
    }
    serde_json::json!({
        "type": "https://ratecard.dev/problems/validation",
        "title": "One or more validation errors occurred.",
        "status": 422,
        "errors": errors,
    })
}

/// What kind of input an [`Error`] is about; its `code()` is the error's machine code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not JSON at all.
    InvalidJson,
    /// The catalog has errors (every one of them is in `issues`).
    InvalidCatalog,
    /// An event, or a batch of events, has errors.
    InvalidEvent,
    /// Options, an amount or an asset code passed to an operation are wrong.
    InvalidArgument,
    /// A conversion (or a quote's `express_in`) has no rate to use.
    NoRate,
    /// Arithmetic left the range of a decimal.
    Overflow,
    /// The wallet of a preview has errors (every one of them is in `issues`).
    InvalidWallet,
}

impl ErrorKind {
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidJson => "invalid_json",
            ErrorKind::InvalidCatalog => "invalid_catalog",
            ErrorKind::InvalidEvent => "invalid_event",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::NoRate => "no_rate",
            ErrorKind::Overflow => "decimal_overflow",
            ErrorKind::InvalidWallet => "invalid_wallet",
        }
    }
}

/// The crate's one error: a kind and every issue behind it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.summary())]
pub struct Error {
    pub kind: ErrorKind,
    pub issues: Vec<Issue>,
}

impl Error {
    pub fn new(kind: ErrorKind, issues: Vec<Issue>) -> Error {
        Error { kind, issues }
    }

    pub fn one(kind: ErrorKind, path: &str, code: Code, message: impl Into<String>) -> Error {
        Error {
            kind,
            issues: vec![Issue::new(path, code, message)],
        }
    }

    /// The same error seen from one level up: every issue's path gets `prefix` in front
    /// (`[3]` + `data.x` = `[3].data.x`), as a batch reports the event an issue is in.
    pub fn prefixed(self, prefix: &str) -> Error {
        Error {
            kind: self.kind,
            issues: self
                .issues
                .into_iter()
                .map(|i| i.prefixed(prefix))
                .collect(),
        }
    }

    /// The error's machine code (`invalid_catalog`, `invalid_event`, ...).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// One line for a person: the first issue, and how many more there are.
    pub fn summary(&self) -> String {
        let head = match self.kind {
            ErrorKind::InvalidJson => "input is not valid JSON",
            ErrorKind::InvalidCatalog => "invalid catalog",
            ErrorKind::InvalidEvent => "invalid event",
            ErrorKind::InvalidArgument => "invalid argument",
            ErrorKind::NoRate => "no rate",
            ErrorKind::Overflow => "decimal overflow",
            ErrorKind::InvalidWallet => "invalid wallet",
        };
        match self.issues.split_first() {
            None => head.to_string(),
            Some((first, [])) => format!("{head}: {first}"),
            Some((first, rest)) => format!("{head}: {first} (and {} more)", rest.len()),
        }
    }

    /// The billing API's ValidationProblem shape.
    pub fn to_problem(&self) -> serde_json::Value {
        problem_of(&self.issues)
    }
}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("code", self.code())?;
        map.serialize_entry("message", &self.summary())?;
        map.serialize_entry("issues", &self.issues)?;
        map.end()
    }
}

/// Turns a serde_json error into an Error with a path, for events and options read with serde.
pub(crate) fn from_serde(kind: ErrorKind, err: &serde_json::Error, path: String) -> Error {
    use serde_json::error::Category;
    let text = err.to_string();
    // serde_json appends " at line L column C"; keep it only for syntax errors, where it helps.
    let bare = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text.clone(),
    };
    let (kind, code, message) = match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            (ErrorKind::InvalidJson, Code::InvalidJson, text)
        }
        Category::Data if bare.starts_with("missing field") => {
            // serde names the object; the issue points at the field, as catalog issues do.
            let field = bare.split('`').nth(1).unwrap_or_default();
            let path = join_path(&path, field);
            return Error::one(kind, &path, Code::MissingField, bare);
        }
        Category::Data if bare.starts_with("invalid type") => (kind, Code::InvalidType, bare),
        Category::Data => {
            let code = bare
                .split_once(": ")
                .and_then(|(head, _)| Code::from_name(head))
                .unwrap_or(Code::InvalidValue);
            let message = match bare.split_once(": ") {
                Some((head, rest)) if Code::from_name(head).is_some() => rest.to_string(),
                _ => bare,
            };
            (kind, code, message)
        }
    };
    Error::one(kind, &path, code, message)
}

//! What ratecard hands back to Python: small immutable objects with attribute access,
//! `to_dict()` (Python values: `Decimal`, `datetime`) and `to_json()` (the wire format's text,
//! exactly as the core writes it).
//!
//! A quote keeps plain Rust data and builds Python objects only when an attribute is read:
//! creating `Decimal`s is the expensive part of crossing the boundary (performance.md).

use crate::input::{datetime_of, py_decimal};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use ratecard::number::scaled_string;
use ratecard::{Amount, Decimal, Instant};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn amount_py<'py>(py: Python<'py>, a: &Amount) -> PyResult<Bound<'py, PyAny>> {
    py_decimal(py, &scaled_string(a.value, a.scale))
}

fn decimal_py<'py>(py: Python<'py>, d: &Decimal) -> PyResult<Bound<'py, PyAny>> {
    py_decimal(py, &d.to_string())
}

fn opt_decimal_py<'py>(
    py: Python<'py>,
    d: &Option<Decimal>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    d.as_ref().map(|d| decimal_py(py, d)).transpose()
}

/// A list of (code, amount) as a `dict[str, Decimal]`, in order.
fn amounts_py<'py>(py: Python<'py>, list: &[(String, Amount)]) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in list {
        d.set_item(k, amount_py(py, v)?)?;
    }
    Ok(d)
}

fn serialize_amounts<S: Serializer>(list: &[(String, Amount)], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(list.len()))?;
    for (k, v) in list {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

fn serialize_pairs<S: Serializer>(
    list: &Option<Vec<(String, String)>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let list = list.as_deref().unwrap_or_default();
    let mut map = s.serialize_map(Some(list.len()))?;
    for (k, v) in list {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

fn serialize_opt_decimal<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

fn serialize_decimal<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

fn serialize_opt_instant<S: Serializer>(t: &Option<Instant>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => t.serialize(s),
        None => s.serialize_none(),
    }
}

fn repr_str(s: &str) -> String {
    format!("{s:?}")
}

// ---------------------------------------------------------------------------------------

/// One problem: where (`path`), what kind (`code`), and a sentence for a person (`message`).
#[pyclass(module = "ratecard", frozen, eq, get_all)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub path: String,
    pub code: String,
    pub message: String,
}

impl From<ratecard::Issue> for Issue {
    fn from(i: ratecard::Issue) -> Issue {
        Issue {
            path: i.path,
            code: i.code.as_str().to_string(),
            message: i.message,
        }
    }
}

impl From<&ratecard::Issue> for Issue {
    fn from(i: &ratecard::Issue) -> Issue {
        Issue::from(i.clone())
    }
}

#[pymethods]
impl Issue {
    #[new]
    fn new(path: String, code: String, message: String) -> Issue {
        Issue {
            path,
            code,
            message,
        }
    }

    /// Lets issues (and the errors carrying them) be pickled, e.g. across multiprocessing.
    fn __getnewargs__(&self) -> (String, String, String) {
        (self.path.clone(), self.code.clone(), self.message.clone())
    }

    /// `{"path", "code", "message"}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("path", &self.path)?;
        d.set_item("code", &self.code)?;
        d.set_item("message", &self.message)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Issue(path={}, code={}, message={})",
            repr_str(&self.path),
            repr_str(&self.code),
            repr_str(&self.message)
        )
    }

    fn __str__(&self) -> String {
        if self.path.is_empty() {
            format!("{}: {}", self.code, self.message)
        } else {
            format!("{}: {}: {}", self.path, self.code, self.message)
        }
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (&self.path, &self.code, &self.message).hash(&mut h);
        h.finish()
    }
}

pub fn issues_py<'py>(py: Python<'py>, list: &[Issue]) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, list.iter().cloned())
}

fn issues_dicts<'py>(py: Python<'py>, list: &[Issue]) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for i in list {
        out.append(i.to_dict(py)?)?;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------

/// One step of a quote's explanation.
#[pyclass(module = "ratecard", frozen, get_all)]
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// The index of the fee this step belongs to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee: Option<usize>,
    pub kind: String,
    pub text: String,
}

#[pymethods]
impl Step {
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        if let Some(f) = self.fee {
            d.set_item("fee", f)?;
        }
        d.set_item("kind", &self.kind)?;
        d.set_item("text", &self.text)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Step(fee={}, kind={}, text={})",
            self.fee.map_or("None".into(), |f| f.to_string()),
            repr_str(&self.kind),
            repr_str(&self.text)
        )
    }
}

// ---------------------------------------------------------------------------------------

/// One fee of a quote: the billing API's CalculatedFee, plus `product_code` and `equivalents`.
#[pyclass(module = "ratecard", frozen)]
#[derive(Debug, Clone, Serialize)]
pub struct Fee {
    product_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    price_id: Option<String>,
    price_name: String,
    currency: String,
    event_type: String,
    usage_type: &'static str,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_pairs"
    )]
    dimensions: Option<Vec<(String, String)>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    volume_field: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_decimal"
    )]
    input_volume: Option<Decimal>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_decimal"
    )]
    unit_price: Option<Decimal>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_decimal"
    )]
    volume_rate: Option<Decimal>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_decimal"
    )]
    package_size: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    amount: Amount,
    #[serde(serialize_with = "serialize_amounts")]
    equivalents: Vec<(String, Amount)>,
}

impl From<&ratecard::Fee<'_>> for Fee {
    fn from(f: &ratecard::Fee<'_>) -> Fee {
        Fee {
            product_code: f.product_code.to_string(),
            price_id: f.price_id.map(str::to_string),
            price_name: f.price_name.to_string(),
            currency: f.currency.to_string(),
            event_type: f.event_type.to_string(),
            usage_type: f.usage_type.as_str(),
            dimensions: f.dimensions.as_ref().map(|d| {
                d.0.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            }),
            volume_field: f.volume_field.map(str::to_string),
            input_volume: f.input_volume,
            unit_price: f.unit_price,
            volume_rate: f.volume_rate,
            package_size: f.package_size,
            description: f.description.map(str::to_string),
            amount: f.amount,
            equivalents: f
                .equivalents
                .0
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
        }
    }
}

#[pymethods]
impl Fee {
    #[getter]
    fn product_code(&self) -> &str {
        &self.product_code
    }
    #[getter]
    fn price_id(&self) -> Option<&str> {
        self.price_id.as_deref()
    }
    #[getter]
    fn price_name(&self) -> &str {
        &self.price_name
    }
    /// The asset code the fee is charged in.
    #[getter]
    fn currency(&self) -> &str {
        &self.currency
    }
    #[getter]
    fn event_type(&self) -> &str {
        &self.event_type
    }
    #[getter]
    fn usage_type(&self) -> &str {
        self.usage_type
    }
    #[getter]
    fn dimensions<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.dimensions
            .as_ref()
            .map(|list| {
                let d = PyDict::new(py);
                for (k, v) in list {
                    d.set_item(k, v)?;
                }
                Ok(d)
            })
            .transpose()
    }
    #[getter]
    fn volume_field(&self) -> Option<&str> {
        self.volume_field.as_deref()
    }
    #[getter]
    fn input_volume<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_decimal_py(py, &self.input_volume)
    }
    #[getter]
    fn unit_price<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_decimal_py(py, &self.unit_price)
    }
    #[getter]
    fn volume_rate<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_decimal_py(py, &self.volume_rate)
    }
    #[getter]
    fn package_size<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_decimal_py(py, &self.package_size)
    }
    #[getter]
    fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    /// The fee in its own asset, at that asset's scale.
    #[getter]
    fn amount<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        amount_py(py, &self.amount)
    }
    /// The fee in each `express_in` asset.
    #[getter]
    fn equivalents<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        amounts_py(py, &self.equivalents)
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("product_code", &self.product_code)?;
        if let Some(id) = &self.price_id {
            d.set_item("price_id", id)?;
        }
        d.set_item("price_name", &self.price_name)?;
        d.set_item("currency", &self.currency)?;
        d.set_item("event_type", &self.event_type)?;
        d.set_item("usage_type", self.usage_type)?;
        if let Some(dims) = self.dimensions(py)? {
            d.set_item("dimensions", dims)?;
        }
        if let Some(v) = &self.volume_field {
            d.set_item("volume_field", v)?;
        }
        for (k, v) in [
            ("input_volume", &self.input_volume),
            ("unit_price", &self.unit_price),
            ("volume_rate", &self.volume_rate),
            ("package_size", &self.package_size),
        ] {
            if let Some(v) = opt_decimal_py(py, v)? {
                d.set_item(k, v)?;
            }
        }
        if let Some(v) = &self.description {
            d.set_item("description", v)?;
        }
        d.set_item("amount", self.amount(py)?)?;
        d.set_item("equivalents", self.equivalents(py)?)?;
        Ok(d)
    }

    fn to_json(&self) -> String {
        json(self)
    }

    fn __repr__(&self) -> String {
        format!(
            "Fee(product_code={}, price_name={}, amount=Decimal('{}'), currency={})",
            repr_str(&self.product_code),
            repr_str(&self.price_name),
            self.amount,
            repr_str(&self.currency)
        )
    }
}

// ---------------------------------------------------------------------------------------

/// What one event would cost, fee by fee.
#[pyclass(module = "ratecard", frozen)]
#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    #[serde(skip_serializing_if = "Option::is_none")]
    event_id: Option<String>,
    event_type: String,
    at: Instant,
    fees: Vec<Fee>,
    #[serde(serialize_with = "serialize_amounts")]
    totals: Vec<(String, Amount)>,
    #[serde(serialize_with = "serialize_amounts")]
    equivalents: Vec<(String, Amount)>,
    warnings: Vec<Issue>,
    explain: Vec<Step>,
}

impl From<&ratecard::Quote<'_>> for Quote {
    fn from(q: &ratecard::Quote<'_>) -> Quote {
        let pairs = |m: &ratecard::AmountMap<'_>| -> Vec<(String, Amount)> {
            m.0.iter().map(|(k, v)| (k.to_string(), *v)).collect()
        };
        Quote {
            event_id: q.event_id.map(str::to_string),
            event_type: q.event_type.to_string(),
            at: q.at,
            fees: q.fees.iter().map(Fee::from).collect(),
            totals: pairs(&q.totals),
            equivalents: pairs(&q.equivalents),
            warnings: q.warnings.iter().map(Issue::from).collect(),
            explain: q
                .explain
                .iter()
                .map(|s| Step {
                    fee: s.fee,
                    kind: s.kind.to_string(),
                    text: s.text.clone(),
                })
                .collect(),
        }
    }
}

#[pymethods]
impl Quote {
    #[getter]
    fn event_id(&self) -> Option<&str> {
        self.event_id.as_deref()
    }
    #[getter]
    fn event_type(&self) -> &str {
        &self.event_type
    }
    /// The instant priced at, as an aware UTC datetime.
    #[getter]
    fn at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime_of(py, self.at)
    }
    #[getter]
    fn fees<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.fees.iter().cloned())
    }
    /// The sum of the fees, per asset charged.
    #[getter]
    fn totals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        amounts_py(py, &self.totals)
    }
    /// Every fee expressed in each `express_in` asset, summed.
    #[getter]
    fn equivalents<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        amounts_py(py, &self.equivalents)
    }
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        issues_py(py, &self.warnings)
    }
    #[getter]
    fn explain<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.explain.iter().cloned())
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        if let Some(id) = &self.event_id {
            d.set_item("event_id", id)?;
        }
        d.set_item("event_type", &self.event_type)?;
        d.set_item("at", self.at(py)?)?;
        let fees = PyList::empty(py);
        for f in &self.fees {
            fees.append(f.to_dict(py)?)?;
        }
        d.set_item("fees", fees)?;
        d.set_item("totals", self.totals(py)?)?;
        d.set_item("equivalents", self.equivalents(py)?)?;
        d.set_item("warnings", issues_dicts(py, &self.warnings)?)?;
        let steps = PyList::empty(py);
        for s in &self.explain {
            steps.append(s.to_dict(py)?)?;
        }
        d.set_item("explain", steps)?;
        Ok(d)
    }

    fn to_json(&self) -> String {
        json(self)
    }

    fn __repr__(&self) -> String {
        let totals: Vec<String> = self
            .totals
            .iter()
            .map(|(k, v)| format!("{}: Decimal('{v}')", repr_str(k)))
            .collect();
        format!(
            "Quote(event_type={}, at={}, fees={}, totals={{{}}})",
            repr_str(&self.event_type),
            self.at,
            self.fees.len(),
            totals.join(", ")
        )
    }
}

// ---------------------------------------------------------------------------------------

/// How much `destination` is this much `source`, like the billing API's asset quote.
#[pyclass(module = "ratecard", frozen)]
#[derive(Debug, Clone, Serialize)]
pub struct Conversion {
    source: String,
    source_amount: Amount,
    destination: String,
    destination_amount: Amount,
    #[serde(serialize_with = "serialize_decimal")]
    rate: Decimal,
    #[serde(serialize_with = "serialize_decimal")]
    inverse_rate: Decimal,
    #[serde(serialize_with = "serialize_opt_instant")]
    valid_from: Option<Instant>,
    rounding: &'static str,
}

impl From<ratecard::Conversion> for Conversion {
    fn from(c: ratecard::Conversion) -> Conversion {
        Conversion {
            source: c.source,
            source_amount: c.source_amount,
            destination: c.destination,
            destination_amount: c.destination_amount,
            rate: c.rate,
            inverse_rate: c.inverse_rate,
            valid_from: c.valid_from,
            rounding: c.rounding,
        }
    }
}

#[pymethods]
impl Conversion {
    #[getter]
    fn source(&self) -> &str {
        &self.source
    }
    #[getter]
    fn source_amount<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        amount_py(py, &self.source_amount)
    }
    #[getter]
    fn destination(&self) -> &str {
        &self.destination
    }
    #[getter]
    fn destination_amount<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        amount_py(py, &self.destination_amount)
    }
    /// How many `source` units one `destination` unit costs.
    #[getter]
    fn rate<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal_py(py, &self.rate)
    }
    /// How many `destination` units one `source` unit buys.
    #[getter]
    fn inverse_rate<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal_py(py, &self.inverse_rate)
    }
    /// Since when the rates used are in force (`None`: since the beginning of time).
    #[getter]
    fn valid_from<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.valid_from.map(|t| datetime_of(py, t)).transpose()
    }
    #[getter]
    fn rounding(&self) -> &str {
        self.rounding
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("source", &self.source)?;
        d.set_item("source_amount", self.source_amount(py)?)?;
        d.set_item("destination", &self.destination)?;
        d.set_item("destination_amount", self.destination_amount(py)?)?;
        d.set_item("rate", self.rate(py)?)?;
        d.set_item("inverse_rate", self.inverse_rate(py)?)?;
        d.set_item("valid_from", self.valid_from(py)?)?;
        d.set_item("rounding", self.rounding)?;
        Ok(d)
    }

    fn to_json(&self) -> String {
        json(self)
    }

    fn __repr__(&self) -> String {
        format!(
            "Conversion({} {} = {} {})",
            self.source_amount, self.source, self.destination_amount, self.destination
        )
    }
}

// ---------------------------------------------------------------------------------------

/// What `validate` found: every error and warning at once.
#[pyclass(module = "ratecard", frozen)]
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    valid: bool,
    errors: Vec<Issue>,
    warnings: Vec<Issue>,
    #[serde(skip)]
    problem: String,
}

impl From<ratecard::Report> for Report {
    fn from(r: ratecard::Report) -> Report {
        Report {
            valid: r.valid,
            problem: r.to_problem().to_string(),
            errors: r.errors.iter().map(Issue::from).collect(),
            warnings: r.warnings.iter().map(Issue::from).collect(),
        }
    }
}

#[pymethods]
impl Report {
    #[getter]
    fn valid(&self) -> bool {
        self.valid
    }
    #[getter]
    fn errors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        issues_py(py, &self.errors)
    }
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        issues_py(py, &self.warnings)
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("valid", self.valid)?;
        d.set_item("errors", issues_dicts(py, &self.errors)?)?;
        d.set_item("warnings", issues_dicts(py, &self.warnings)?)?;
        Ok(d)
    }

    /// The billing API's ValidationProblem (HTTP 422) as JSON text: `errors: {path: [message]}`.
    fn to_problem_json(&self) -> String {
        self.problem.clone()
    }

    fn to_json(&self) -> String {
        json(self)
    }

    fn __repr__(&self) -> String {
        format!(
            "Report(valid={}, errors={}, warnings={})",
            if self.valid { "True" } else { "False" },
            self.errors.len(),
            self.warnings.len()
        )
    }
}

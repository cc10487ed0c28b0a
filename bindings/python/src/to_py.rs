//! The core's results as Python objects: small immutable classes with attribute access,
//! `to_dict()` (Python values: `Decimal`, `datetime`) and `to_json()` (the core's own
//! serialization, of the core's own types, rebuilt from what the object keeps).
//!
//! A quote keeps plain Rust data and builds Python objects only when an attribute is read:
//! creating `Decimal`s is the dearest part of crossing the boundary.

use crate::errors::{issues_py, Issue};
use crate::from_py::{cached, Snap};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use ratecard::list::List;
use ratecard::number::push_amount;
use ratecard::quote::Dimensions;
use ratecard::{Amount, AmountMap, Decimal, Instant, QuoteOptions};
use rustc_hash::{FxHashMap, FxHasher};
use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

/// An amount as a `decimal.Decimal` at its scale (`1.50` stays `1.50`).
///
/// The limited API has no direct `Decimal` constructor (it parses text), and amounts repeat (a
/// few prices times a few volumes), so the last few thousand made are kept by exact value and
/// scale: a `Decimal` is immutable, and equal ones are interchangeable.
fn amount_py<'py>(py: Python<'py>, a: &Amount) -> PyResult<Bound<'py, PyAny>> {
    type Made = FxHashMap<([u8; 16], u32), Py<PyAny>>;
    static MADE: Mutex<Option<Made>> = Mutex::new(None);
    let key = (a.value.serialize(), a.scale);
    let lock = || {
        MADE.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    if let Some(hit) = lock()
        .as_ref()
        .and_then(|m| m.get(&key))
        .map(|d| d.clone_ref(py))
    {
        return Ok(hit.into_bound(py));
    }
    let mut text = Vec::with_capacity(48);
    push_amount(&mut text, *a);
    let made = cached(py)?
        .decimal
        .bind(py)
        .call1((std::str::from_utf8(&text).unwrap_or("0"),))?;
    // When full, all are forgotten (dropped outside the lock): the next ones are those in use.
    let full = {
        let mut map = lock();
        let map = map.get_or_insert_with(FxHashMap::default);
        if map.len() >= 4096 {
            Some(std::mem::take(map))
        } else {
            map.insert(key, made.clone().unbind());
            None
        }
    };
    drop(full);
    Ok(made)
}

/// A frame's cell as Python would read it from the frame: text a `str`, a whole number an
/// `int`, another a `Decimal`, a boolean a `bool`, a null `None`.
pub fn scalar<'py>(
    py: Python<'py>,
    v: Option<&ratecard::Scalar<'_>>,
) -> PyResult<Bound<'py, PyAny>> {
    use ratecard::Scalar;
    Ok(match v {
        Some(Scalar::Str(s)) => PyString::new(py, s).into_any(),
        Some(Scalar::Num(d)) if d.fract().is_zero() => {
            match i64::try_from(d.normalize().mantissa()) {
                Ok(n) => n.into_pyobject(py)?.into_any(),
                Err(_) => amount_py(py, &Amount::new(*d, d.scale()))?,
            }
        }
        Some(Scalar::Num(d)) => amount_py(py, &Amount::new(*d, d.scale()))?,
        Some(Scalar::Bool(b)) => pyo3::types::PyBool::new(py, *b).to_owned().into_any(),
        _ => py.None().into_bound(py),
    })
}

fn decimal_py<'py>(py: Python<'py>, d: Option<Decimal>) -> PyResult<Option<Bound<'py, PyAny>>> {
    d.map(|d| amount_py(py, &Amount::new(d, d.scale())))
        .transpose()
}

/// Amounts by asset code, in order (a fee's or quote's equivalents, a quote's totals).
type Amounts = List<(Arc<str>, Amount)>;

fn amounts_py<'py>(py: Python<'py>, list: &Amounts) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in list.iter() {
        d.set_item(&**k, amount_py(py, v)?)?;
    }
    Ok(d)
}

fn amount_map(list: &Amounts) -> AmountMap<'_> {
    AmountMap(list.iter().map(|(k, v)| (&**k, *v)).collect())
}

fn json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

/// An instant as an aware UTC `datetime` (microseconds: Python's resolution).
fn datetime_py<'py>(py: Python<'py>, t: Instant) -> PyResult<Bound<'py, PyAny>> {
    let c = cached(py)?;
    let micros = i64::try_from(t.unix_nanos().div_euclid(1000)).unwrap_or(i64::MAX);
    let delta = c.timedelta.bind(py).call1((0, 0, micros))?;
    c.epoch.bind(py).call_method1("__add__", (delta,))
}

/// `to_dict()` of any result: the core's serialization of it (the same text as `to_json`) read
/// back in order, with Python's types where the wire format has strings: amounts and other
/// decimals as `Decimal` (their scale kept), instants as aware `datetime`s.
fn wire_dict<'py, T: serde::Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    wire_read(py, &json(value)?)
}

/// [`wire_dict`] of the core's JSON text.
fn wire_read<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    wire_read_under(py, text, "")
}

/// [`wire_read`] of a value found under `key` (which says what its strings mean).
fn wire_read_under<'py>(py: Python<'py>, text: &str, key: &str) -> PyResult<Bound<'py, PyAny>> {
    use serde::de::{DeserializeSeed, Error, MapAccess, SeqAccess, Visitor};
    /// A JSON value being read, and the key it is under (which says what its strings mean).
    struct Read<'py, 'k>(Python<'py>, &'k str);
    impl<'de, 'py> DeserializeSeed<'de> for Read<'py, '_> {
        type Value = Bound<'py, PyAny>;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de, 'py> Visitor<'de> for Read<'py, '_> {
        type Value = Bound<'py, PyAny>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a result")
        }
        fn visit_str<E: Error>(self, s: &str) -> Result<Self::Value, E> {
            let Read(py, key) = self;
            let made = match key {
                "amount" | "input_volume" | "unit_price" | "volume_rate" | "package_size"
                | "rate" | "inverse_rate" | "source_amount" | "destination_amount" | "$amounts"
                | "available" | "available_after" | "buys" | "units" | "count" | "value" => {
                    cached(py).and_then(|c| c.decimal.bind(py).call1((s,)))
                }
                "at" | "valid_from" | "effective_at" | "expires_at" | "created_at" => {
                    Instant::parse(s)
                        .map_err(E::custom)
                        .map(|t| datetime_py(py, t))?
                }
                _ => Ok(PyString::new(py, s).into_any()),
            };
            made.map_err(E::custom)
        }
        fn visit_bool<E: Error>(self, b: bool) -> Result<Self::Value, E> {
            Ok(pyo3::types::PyBool::new(self.0, b).to_owned().into_any())
        }
        fn visit_u64<E: Error>(self, n: u64) -> Result<Self::Value, E> {
            n.into_pyobject(self.0)
                .map(|n| n.into_any())
                .map_err(E::custom)
        }
        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(self.0.None().into_bound(self.0))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let list = PyList::empty(self.0);
            while let Some(x) = seq.next_element_seed(Read(self.0, ""))? {
                list.append(x).map_err(A::Error::custom)?;
            }
            Ok(list.into_any())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let d = PyDict::new(self.0);
            while let Some(k) = map.next_key::<String>()? {
                // Totals' and equivalents' values are amounts whatever their asset; dimensions'
                // are text whatever their name.
                let key = match self.1 {
                    "totals" | "equivalents" | "shortfall" | "balance" | "cost" => "$amounts",
                    "dimensions" => "",
                    _ => k.as_str(),
                };
                let x = map.next_value_seed(Read(self.0, key))?;
                d.set_item(k, x).map_err(A::Error::custom)?;
            }
            Ok(d.into_any())
        }
    }
    let mut reader = serde_json::Deserializer::from_str(text);
    Read(py, key)
        .deserialize(&mut reader)
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

// ---------------------------------------------------------------------------------------

/// One step of a quote's explanation: `fee` (the index of the fee it belongs to, if any), `kind`
/// and `text`.
#[pyclass(module = "ratecard", frozen, get_all)]
pub struct Step {
    fee: Option<usize>,
    kind: &'static str,
    text: String,
}

impl From<&ratecard::Step> for Step {
    fn from(s: &ratecard::Step) -> Step {
        Step {
            fee: s.fee,
            kind: s.kind,
            text: s.text.clone(),
        }
    }
}

#[pymethods]
impl Step {
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let step = ratecard::Step {
            fee: self.fee,
            kind: self.kind,
            text: self.text.clone(),
        };
        wire_dict(py, &step)
    }
    fn __repr__(&self) -> String {
        let fee = self.fee.map_or("None".into(), |f| f.to_string());
        format!(
            "Step(fee={fee}, kind={:?}, text={:?})",
            self.kind, self.text
        )
    }
}

// ---------------------------------------------------------------------------------------

/// What a fee's [`ratecard::Fee::shape_key`] fixes: every field but its volume and amounts,
/// kept once per engine and shared by every fee of that shape (see [`Shapes`]).
#[derive(Debug)]
pub struct Shape {
    origin: usize,
    product_code: String,
    price_id: Option<String>,
    price_name: String,
    currency: Arc<str>,
    event_type: String,
    usage_type: ratecard::pricing::UsageType,
    dimensions: Option<Vec<(String, String)>>,
    volume_field: Option<String>,
    unit_price: Option<Decimal>,
    volume_rate: Option<Decimal>,
    package_size: Option<Decimal>,
    description: Option<String>,
}

/// The fee shapes an engine has handed out, by their core shape key, so that a fee costs its
/// volume and amounts and not a copy of a dozen strings; and the asset codes of its amounts.
/// At most 4,096 shapes and 64 codes are kept (wildcard dimensions can make shapes unbounded);
/// past that they are copied every time.
#[derive(Default)]
pub struct Shapes {
    map: FxHashMap<u64, Vec<Arc<Shape>>>,
    count: usize,
    codes: Vec<Arc<str>>,
}

impl Shapes {
    fn get(&mut self, f: &ratecard::Fee<'_>) -> Arc<Shape> {
        let (origin, dims) = f.shape_key();
        let mut h = FxHasher::default();
        (origin, dims).hash(&mut h);
        let key = h.finish();
        let same = |s: &&Arc<Shape>| {
            s.origin == origin
                && s.dimensions.is_some() == f.dimensions.is_some()
                && s.dimensions
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .eq(dims.iter().map(|(k, v)| (*k, v.as_ref())))
        };
        if let Some(found) = self.map.get(&key).and_then(|list| list.iter().find(same)) {
            return found.clone();
        }
        let own = |s: Option<&str>| s.map(str::to_string);
        let shape = Arc::new(Shape {
            origin,
            product_code: f.product_code.into(),
            price_id: own(f.price_id),
            price_name: f.price_name.into(),
            currency: self.code(f.currency),
            event_type: f.event_type.into(),
            usage_type: f.usage_type,
            dimensions: f.dimensions.as_ref().map(|d| {
                d.0.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            }),
            volume_field: own(f.volume_field),
            unit_price: f.unit_price,
            volume_rate: f.volume_rate,
            package_size: f.package_size,
            description: own(f.description),
        });
        if self.count < 4096 {
            self.map.entry(key).or_default().push(shape.clone());
            self.count += 1;
        }
        shape
    }

    fn code(&mut self, code: &str) -> Arc<str> {
        if let Some(found) = self.codes.iter().find(|c| ***c == *code) {
            return found.clone();
        }
        let made: Arc<str> = Arc::from(code);
        if self.codes.len() < 64 {
            self.codes.push(made.clone());
        }
        made
    }

    fn amounts(&mut self, list: &AmountMap<'_>) -> Amounts {
        list.0.iter().map(|(k, v)| (self.code(k), *v)).collect()
    }
}

/// One fee as a quote keeps it: its shape, its volume and its amounts.
#[derive(Debug, Clone)]
struct FeeData {
    shape: Arc<Shape>,
    input_volume: Option<Decimal>,
    amount: Amount,
    equivalents: Amounts,
}

impl FeeData {
    /// The core's fee again, borrowing from this one: serialized as the core serializes it.
    fn core(&self) -> ratecard::Fee<'_> {
        let sh = &*self.shape;
        ratecard::Fee {
            product_code: &sh.product_code,
            price_id: sh.price_id.as_deref(),
            price_name: &sh.price_name,
            currency: &sh.currency,
            event_type: &sh.event_type,
            usage_type: sh.usage_type,
            dimensions: sh.dimensions.as_ref().map(|d| {
                Dimensions(
                    d.iter()
                        .map(|(k, v)| (k.as_str(), Cow::Borrowed(v.as_str())))
                        .collect(),
                )
            }),
            volume_field: sh.volume_field.as_deref(),
            input_volume: self.input_volume,
            unit_price: sh.unit_price,
            volume_rate: sh.volume_rate,
            package_size: sh.package_size,
            description: sh.description.as_deref(),
            amount: self.amount,
            equivalents: amount_map(&self.equivalents),
            origin: sh.origin,
        }
    }
}

/// One fee of a quote: the billing API's CalculatedFee, plus `product_code` and `equivalents`.
#[pyclass(module = "ratecard", frozen)]
pub struct Fee(FeeData);

#[pymethods]
impl Fee {
    #[getter]
    fn product_code(&self) -> &str {
        &self.0.shape.product_code
    }
    #[getter]
    fn price_id(&self) -> Option<&str> {
        self.0.shape.price_id.as_deref()
    }
    #[getter]
    fn price_name(&self) -> &str {
        &self.0.shape.price_name
    }
    /// The asset code the fee is charged in.
    #[getter]
    fn currency(&self) -> &str {
        &self.0.shape.currency
    }
    #[getter]
    fn event_type(&self) -> &str {
        &self.0.shape.event_type
    }
    #[getter]
    fn usage_type(&self) -> &str {
        self.0.shape.usage_type.as_str()
    }
    #[getter]
    fn dimensions<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(dims) = &self.0.shape.dimensions else {
            return Ok(None);
        };
        let out = PyDict::new(py);
        for (k, v) in dims {
            out.set_item(k, v)?;
        }
        Ok(Some(out))
    }
    #[getter]
    fn volume_field(&self) -> Option<&str> {
        self.0.shape.volume_field.as_deref()
    }
    #[getter]
    fn input_volume<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        decimal_py(py, self.0.input_volume)
    }
    #[getter]
    fn unit_price<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        decimal_py(py, self.0.shape.unit_price)
    }
    #[getter]
    fn volume_rate<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        decimal_py(py, self.0.shape.volume_rate)
    }
    #[getter]
    fn package_size<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        decimal_py(py, self.0.shape.package_size)
    }
    #[getter]
    fn description(&self) -> Option<&str> {
        self.0.shape.description.as_deref()
    }
    /// The fee in its own asset, at that asset's scale.
    #[getter]
    fn amount<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        amount_py(py, &self.0.amount)
    }
    /// The fee in each `express_in` asset.
    #[getter]
    fn equivalents<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        amounts_py(py, &self.0.equivalents)
    }

    /// `to_json`'s fields, in its order, with `Decimal`s.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        wire_dict(py, &self.0.core())
    }

    fn to_json(&self) -> PyResult<String> {
        json(&self.0.core())
    }

    fn __repr__(&self) -> String {
        let sh = &*self.0.shape;
        let (product, price, amount, currency) = (
            &sh.product_code,
            &sh.price_name,
            self.0.amount,
            &sh.currency,
        );
        format!("Fee(product_code={product:?}, price_name={price:?}, amount=Decimal('{amount}'), currency={currency:?})")
    }
}

// ---------------------------------------------------------------------------------------

/// A quote's explanation, as it is kept: none, the steps, or what computes them when first
/// read ([`ratecard::Engine::explain`] of the same event, at the instant it was priced).
pub enum Explain {
    Off,
    Ready(Vec<ratecard::Step>),
    Later(Box<Later>),
}

pub struct Later {
    engine: Arc<ratecard::Engine>,
    event: Snap,
    /// The options quoted with (`None`: the defaults).
    options: Option<Arc<QuoteOptions>>,
    steps: OnceLock<Vec<ratecard::Step>>,
}

impl Explain {
    pub fn later(
        engine: &Arc<ratecard::Engine>,
        event: Snap,
        options: Option<Arc<QuoteOptions>>,
    ) -> Explain {
        let engine = engine.clone();
        Explain::Later(Box::new(Later {
            engine,
            event,
            options,
            steps: OnceLock::new(),
        }))
    }
}

/// What one event would cost, fee by fee. Kept small (results are often kept by the hundred
/// thousand): one fee and one total inline, Python objects made when first read.
#[pyclass(module = "ratecard", frozen)]
pub struct Quote {
    event_id: Option<Py<PyString>>,
    event_type: Py<PyString>,
    at: Instant,
    fees: List<FeeData>,
    totals: Amounts,
    equivalents: Amounts,
    warnings: Box<[ratecard::Issue]>,
    explain: Explain,
    fee_objs: OnceLock<List<Py<Fee>>>,
    at_py: OnceLock<Py<PyAny>>,
}

impl Quote {
    /// A core quote's results. `names` are the event's own `str` objects for its type and id
    /// (made from the quote's when `None`).
    pub fn of(
        py: Python<'_>,
        q: &ratecard::Quote<'_>,
        shapes: &mut Shapes,
        names: Option<(Py<PyString>, Option<Py<PyString>>)>,
        explain: Explain,
    ) -> Quote {
        let (event_type, event_id) = names.unwrap_or_else(|| {
            let text = |s: &str| PyString::new(py, s).unbind();
            (text(q.event_type), q.event_id.map(text))
        });
        Quote {
            event_id,
            event_type,
            at: q.at,
            fees: q
                .fees
                .iter()
                .map(|f| FeeData {
                    shape: shapes.get(f),
                    input_volume: f.input_volume,
                    amount: f.amount,
                    equivalents: shapes.amounts(&f.equivalents),
                })
                .collect(),
            totals: shapes.amounts(&q.totals),
            equivalents: shapes.amounts(&q.equivalents),
            warnings: q.warnings.clone().into_boxed_slice(),
            explain,
            fee_objs: OnceLock::new(),
            at_py: OnceLock::new(),
        }
    }

    pub fn explained(mut self, explain: Explain) -> Quote {
        self.explain = explain;
        self
    }

    /// The core's quote again, borrowing from this one.
    fn core<'a>(&'a self, py: Python<'a>) -> PyResult<ratecard::Quote<'a>> {
        Ok(ratecard::Quote {
            event_id: self
                .event_id
                .as_ref()
                .map(|s| s.bind(py).to_str())
                .transpose()?,
            event_type: self.event_type.bind(py).to_str()?,
            at: self.at,
            fees: self.fees.iter().map(FeeData::core).collect(),
            totals: amount_map(&self.totals),
            equivalents: amount_map(&self.equivalents),
            warnings: self.warnings.to_vec(),
            explain: self.steps(py)?.to_vec(),
        })
    }

    fn steps(&self, py: Python<'_>) -> PyResult<&[ratecard::Step]> {
        let later = match &self.explain {
            Explain::Off => return Ok(&[]),
            Explain::Ready(steps) => return Ok(steps),
            Explain::Later(later) => later,
        };
        let Later {
            engine,
            event,
            options,
            steps,
        } = &**later;
        if let Some(steps) = steps.get() {
            return Ok(steps);
        }
        // Built outside the cell: two threads may both build it, and one copy is kept.
        let mut options = options.as_deref().cloned().unwrap_or_default();
        options.at = Some(self.at);
        let made = engine
            .explain(&event.event(py)?, &options)
            .map_err(|e| crate::errors::raise(py, e))?;
        Ok(steps.get_or_init(|| made))
    }
}

#[pymethods]
impl Quote {
    #[getter]
    fn event_id(&self, py: Python<'_>) -> Option<Py<PyString>> {
        self.event_id.as_ref().map(|s| s.clone_ref(py))
    }
    #[getter]
    fn event_type(&self, py: Python<'_>) -> Py<PyString> {
        self.event_type.clone_ref(py)
    }
    /// The instant priced at, as an aware UTC datetime.
    #[getter]
    fn at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if let Some(t) = self.at_py.get() {
            return Ok(t.bind(py).clone());
        }
        let made = datetime_py(py, self.at)?.unbind();
        Ok(self.at_py.get_or_init(|| made).bind(py).clone())
    }
    #[getter]
    fn fees<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        if self.fee_objs.get().is_none() {
            let made = self
                .fees
                .iter()
                .map(|d| Py::new(py, Fee(d.clone())))
                .collect::<PyResult<List<_>>>()?;
            let _ = self.fee_objs.set(made);
        }
        PyList::new(
            py,
            self.fee_objs
                .get()
                .map_or(&[][..], |l| l.as_slice())
                .iter()
                .map(|f| f.bind(py)),
        )
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
    /// The steps of the calculation (with `explain`): computed when first read.
    #[getter]
    fn explain<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.steps(py)?.iter().map(Step::from))
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        wire_dict(py, &self.core(py)?)
    }

    /// The core's quote, serialized as the core serializes it.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        json(&self.core(py)?)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let totals: Vec<String> = self
            .totals
            .iter()
            .map(|(k, v)| format!("{k:?}: Decimal('{v}')"))
            .collect();
        let event_type = self.event_type.bind(py).to_string();
        format!(
            "Quote(event_type={event_type:?}, at={}, fees={}, totals={{{}}})",
            self.at,
            self.fees.len(),
            totals.join(", ")
        )
    }
}

// ---------------------------------------------------------------------------------------

/// How much `destination` is this much `source`, like the billing API's asset quote: the core's
/// conversion, its amounts and rates as `Decimal`s, `valid_from` (since when the rates used are
/// in force; `None`: always) as a `datetime`.
#[pyclass(module = "ratecard", frozen)]
pub struct Conversion {
    #[pyo3(get)]
    source: String,
    #[pyo3(get)]
    source_amount: Py<PyAny>,
    #[pyo3(get)]
    destination: String,
    #[pyo3(get)]
    destination_amount: Py<PyAny>,
    /// How many `source` units one `destination` unit costs, and the other way round.
    #[pyo3(get)]
    rate: Py<PyAny>,
    #[pyo3(get)]
    inverse_rate: Py<PyAny>,
    #[pyo3(get)]
    valid_from: Option<Py<PyAny>>,
    #[pyo3(get)]
    rounding: &'static str,
    core: ratecard::Conversion,
}

impl Conversion {
    pub fn new(py: Python<'_>, c: ratecard::Conversion) -> PyResult<Conversion> {
        let decimal = |d: Decimal| decimal_py(py, Some(d)).map(|d| d.map(Bound::unbind));
        Ok(Conversion {
            source: c.source.clone(),
            source_amount: amount_py(py, &c.source_amount)?.unbind(),
            destination: c.destination.clone(),
            destination_amount: amount_py(py, &c.destination_amount)?.unbind(),
            rate: decimal(c.rate)?.unwrap_or_else(|| py.None()),
            inverse_rate: decimal(c.inverse_rate)?.unwrap_or_else(|| py.None()),
            valid_from: c
                .valid_from
                .map(|t| datetime_py(py, t).map(Bound::unbind))
                .transpose()?,
            rounding: c.rounding,
            core: c,
        })
    }
}

#[pymethods]
impl Conversion {
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        wire_dict(py, &self.core)
    }
    fn to_json(&self) -> PyResult<String> {
        json(&self.core)
    }
    fn __repr__(&self) -> String {
        let c = &self.core;
        format!(
            "Conversion({} {} = {} {})",
            c.source_amount, c.source, c.destination_amount, c.destination
        )
    }
}

/// What `validate` found: every error and warning at once.
#[pyclass(module = "ratecard", frozen)]
pub struct Report {
    #[pyo3(get)]
    valid: bool,
    #[pyo3(get)]
    errors: Vec<Issue>,
    #[pyo3(get)]
    warnings: Vec<Issue>,
    core: ratecard::Report,
}

impl From<ratecard::Report> for Report {
    fn from(r: ratecard::Report) -> Report {
        let issues = |list: &[ratecard::Issue]| list.iter().map(Issue::from).collect();
        Report {
            valid: r.valid,
            errors: issues(&r.errors),
            warnings: issues(&r.warnings),
            core: r,
        }
    }
}

#[pymethods]
impl Report {
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        wire_dict(py, &self.core)
    }
    /// The billing API's ValidationProblem (HTTP 422) as JSON text: `errors: {path: [message]}`.
    fn to_problem_json(&self) -> String {
        self.core.to_problem().to_string()
    }
    fn to_json(&self) -> PyResult<String> {
        json(&self.core)
    }
    fn __repr__(&self) -> String {
        let valid = if self.valid { "True" } else { "False" };
        format!(
            "Report(valid={valid}, errors={}, warnings={})",
            self.errors.len(),
            self.warnings.len()
        )
    }
}

/// An answer of the core's kept as its JSON text, whose top-level parts become Python values
/// when one is first read (making `Decimal`s and `datetime`s is the dearest part of a small
/// answer, and a caller asking "is it covered?" reads none of them). Each part is read on its
/// own: a preview of many events holds them all in `events`, which a caller reading only
/// `accounts` should not pay for (a customer's preview of a hundred events took 3 ms so).
struct Parts {
    text: String,
    keys: &'static [&'static str],
    made: Vec<OnceLock<Py<PyAny>>>,
    /// The text of each top-level part, found when one is first read.
    split: OnceLock<std::collections::BTreeMap<String, Box<serde_json::value::RawValue>>>,
}

impl Parts {
    fn new(text: String, keys: &'static [&'static str]) -> Parts {
        Parts {
            text,
            keys,
            made: keys.iter().map(|_| OnceLock::new()).collect(),
            split: OnceLock::new(),
        }
    }

    fn get<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        let slot = self
            .keys
            .iter()
            .position(|k| *k == key)
            .and_then(|i| self.made.get(i))
            .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(key.to_string()))?;
        if let Some(made) = slot.get() {
            return Ok(made.clone_ref(py).into_bound(py));
        }
        let split = match self.split.get() {
            Some(split) => split,
            None => {
                let parts = serde_json::from_str(&self.text)
                    .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
                self.split.get_or_init(|| parts)
            }
        };
        let text = split
            .get(key)
            .map(|raw| raw.get())
            .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(key.to_string()))?;
        let made = wire_read_under(py, text, key)?;
        // Two threads may both make it; the first kept is the one every reader sees.
        let _ = slot.set(made.unbind());
        Ok(slot
            .get()
            .map(|m| m.clone_ref(py).into_bound(py))
            .unwrap_or_else(|| py.None().into_bound(py)))
    }
}

/// What a run of events would do to a wallet (`Engine.preview`): the core's Preview read as
/// Python values (`Decimal` amounts, `datetime` instants), each event's quote as a dict. Like a
/// quote, its parts become Python objects when first read.
#[pyclass(module = "ratecard", frozen)]
pub struct Preview {
    /// No event was short or refused.
    #[pyo3(get)]
    covered: bool,
    #[pyo3(get)]
    warnings: Vec<Issue>,
    steps: Vec<ratecard::Step>,
    /// `accounts`, `shortfall`, `top_up`, `events`, `auto_top_ups`.
    parts: Parts,
}

impl Preview {
    pub fn new(p: &ratecard::Preview<'_>) -> PyResult<Preview> {
        const KEYS: &[&str] = &["accounts", "shortfall", "top_up", "events", "auto_top_ups"];
        Ok(Preview {
            covered: p.covered,
            warnings: p.warnings.iter().map(Issue::from).collect(),
            steps: p.explain.clone(),
            parts: Parts::new(json(p)?, KEYS),
        })
    }
}

#[pymethods]
impl Preview {
    /// Each account: `id`, `asset`, `available`, `available_after`.
    #[getter]
    fn accounts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.parts.get(py, "accounts")
    }
    /// What no balance covered, per short asset.
    #[getter]
    fn shortfall<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.parts.get(py, "shortfall")
    }
    /// Per short asset, `{currency, amount, buys, rate, valid_from}`.
    #[getter]
    fn top_up<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.parts.get(py, "top_up")
    }
    /// Per event: `quote`, `covered`, `refused`, `draws`, `shortfall`.
    #[getter]
    fn events<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.parts.get(py, "events")
    }
    #[getter]
    fn auto_top_ups<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.parts.get(py, "auto_top_ups")
    }
    /// The preview's decisions: refusals, expiries, top-ups and their rounding.
    #[getter]
    fn explain(&self) -> Vec<Step> {
        self.steps.iter().map(Step::from).collect()
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        wire_read(py, &self.parts.text)
    }
    fn to_json(&self) -> String {
        self.parts.text.clone()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let events = self
            .parts
            .get(py, "events")
            .and_then(|e| e.len())
            .unwrap_or(0);
        let short = self
            .parts
            .get(py, "shortfall")
            .and_then(|s| s.repr())
            .map(|r| r.to_string())
            .unwrap_or_default();
        let covered = if self.covered { "True" } else { "False" };
        format!("Preview(covered={covered}, events={events}, shortfall={short})")
    }
}

/// An answer of the core's as JSON text (`affordable`, `buys`), read as Python values.
pub fn answer(py: Python<'_>, text: &str) -> PyResult<Py<PyAny>> {
    wire_read(py, text).map(Bound::unbind)
}

/// How much of an event a balance covers (`Engine.affordable`), or what a sum of money buys
/// of it (`Engine.buys`, which also sets `currency`, `amount`, `asset` and `units`).
#[pyclass(module = "ratecard", frozen)]
pub struct Capacity {
    #[pyo3(get)]
    warnings: Vec<Issue>,
    #[pyo3(get)]
    currency: Option<String>,
    #[pyo3(get)]
    amount: Option<Py<PyAny>>,
    #[pyo3(get)]
    asset: Option<String>,
    #[pyo3(get)]
    units: Option<Py<PyAny>>,
    /// `count`, `volume`, `balance`, `quote`, each made when first read.
    parts: Parts,
}

impl Capacity {
    pub fn new(
        py: Python<'_>,
        c: &ratecard::wallet::Capacity<'_>,
        bought: Option<&ratecard::wallet::Buys<'_>>,
        warnings: &[ratecard::Issue],
    ) -> PyResult<Capacity> {
        const KEYS: &[&str] = &["count", "volume", "balance", "quote"];
        let text = match bought {
            Some(b) => json(b)?,
            None => json(c)?,
        };
        Ok(Capacity {
            warnings: warnings.iter().map(Issue::from).collect(),
            currency: bought.map(|b| b.currency.clone()),
            amount: bought
                .map(|b| amount_py(py, &b.amount).map(Bound::unbind))
                .transpose()?,
            asset: bought.map(|b| b.asset.to_string()),
            units: bought
                .map(|b| amount_py(py, &b.units).map(Bound::unbind))
                .transpose()?,
            parts: Parts::new(text, KEYS),
        })
    }
}

#[pymethods]
impl Capacity {
    /// How many such events are covered (`Decimal`); `None` when the event costs nothing.
    #[getter]
    fn count<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.parts.get(py, "count")
    }
    /// For a volume price, `{field, value, cost}`: the largest volume covered; else `None`.
    #[getter]
    fn volume<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.parts.get(py, "volume")
    }
    /// What it was measured against, per asset the event is charged in.
    #[getter]
    fn balance<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.parts.get(py, "balance")
    }
    /// The event as given, quoted (a dict).
    #[getter]
    fn quote<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.parts.get(py, "quote")
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        wire_read(py, &self.parts.text)
    }
    fn to_json(&self) -> String {
        self.parts.text.clone()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let repr = |key: &str| {
            let part = self.parts.get(py, key).and_then(|v| v.repr());
            part.map(|r| r.to_string()).unwrap_or_default()
        };
        format!(
            "Capacity(count={}, volume={})",
            repr("count"),
            repr("volume")
        )
    }
}

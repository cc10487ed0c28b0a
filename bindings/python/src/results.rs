//! What ratecard hands back to Python: small immutable objects with attribute access,
//! `to_dict()` (Python values: `Decimal`, `datetime`) and `to_json()` (the wire format's text,
//! exactly as the core writes it).
//!
//! A quote keeps plain Rust data and builds Python objects only when an attribute is read:
//! creating `Decimal`s is the expensive part of crossing the boundary (performance.md).

use crate::engine::Engine;
use crate::input::{datetime_of, event_of, py_decimal, Data, Snap};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use ratecard::number::push_amount;
use ratecard::{Amount, Decimal, Instant};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// An amount as a `decimal.Decimal` at its scale (`1.50` stays `1.50`).
///
/// Creating a `Decimal` is the dearest part of reading a result (the limited API has no direct
/// constructor: it parses text), and amounts repeat (a few prices times a few volumes), so the
/// last few thousand made are kept by amount: a `Decimal` is immutable, and equal amounts at
/// equal scales give equal `Decimal`s, exponent included.
fn amount_py<'py>(py: Python<'py>, a: &Amount) -> PyResult<Bound<'py, PyAny>> {
    let key = AmountKey::of(a);
    if let Some(hit) = decimals()
        .as_ref()
        .and_then(|map| map.get(&key))
        .map(|d| d.clone_ref(py))
    {
        return Ok(hit.into_bound(py));
    }
    let mut text = Vec::with_capacity(48);
    push_amount(&mut text, *a);
    // The core writes ASCII digits, a point and a sign.
    let made = py_decimal(py, std::str::from_utf8(&text).unwrap_or_default())?;
    let full = {
        let mut map = decimals();
        let map = map.get_or_insert_with(HashMap::default);
        if map.len() >= MAX_DECIMALS {
            // Forget them all rather than track age: cheap, and the next ones are the ones
            // in use. Dropped outside the lock.
            Some(std::mem::take(map))
        } else {
            map.insert(key, made.clone().unbind());
            None
        }
    };
    drop(full);
    Ok(made)
}

/// `Decimal`s kept before they are all forgotten.
const MAX_DECIMALS: usize = 4096;

type DecimalMap = HashMap<AmountKey, Py<PyAny>, BuildHasherDefault<Given>>;

static DECIMALS: Mutex<Option<DecimalMap>> = Mutex::new(None);

fn decimals() -> MutexGuard<'static, Option<DecimalMap>> {
    match DECIMALS.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// An amount exactly: its decimal's representation (mantissa, scale, sign) and its scale.
#[derive(Clone, Copy, PartialEq, Eq)]
struct AmountKey {
    bits: [u8; 16],
    scale: u32,
}

impl AmountKey {
    fn of(a: &Amount) -> AmountKey {
        AmountKey {
            bits: a.value.serialize(),
            scale: a.scale,
        }
    }
}

impl std::hash::Hash for AmountKey {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let x = u128::from_le_bytes(self.bits);
        #[allow(clippy::cast_possible_truncation)]
        let (lo, hi) = (x as u64, (x >> 64) as u64);
        let mixed = (lo ^ hi.rotate_left(29) ^ u64::from(self.scale).rotate_left(53))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h.write_u64(mixed ^ (mixed >> 32));
    }
}

fn decimal_py<'py>(py: Python<'py>, d: &Decimal) -> PyResult<Bound<'py, PyAny>> {
    amount_py(py, &Amount::new(*d, d.scale()))
}

fn opt_decimal_py<'py>(
    py: Python<'py>,
    d: &Option<Decimal>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    d.as_ref().map(|d| decimal_py(py, d)).transpose()
}

/// A list of (code, amount) as a `dict[str, Decimal]`, in order.
fn amounts_py<'py>(py: Python<'py>, list: &[(Arc<str>, Amount)]) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in list {
        d.set_item(&**k, amount_py(py, v)?)?;
    }
    Ok(d)
}

fn serialize_amounts<S: Serializer>(list: &[(Arc<str>, Amount)], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(list.len()))?;
    for (k, v) in list {
        map.serialize_entry(&**k, v)?;
    }
    map.end()
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

/// A value built when first read and kept. Unlike pyo3's `PyOnceLock`, nothing runs inside
/// the lock but storing the value, so there is no need to detach from the interpreter around
/// the building (a GIL release and re-acquire on every first read): two threads reading at once
/// may both build it, and one copy is kept.
pub struct Kept<T>(OnceLock<T>);

impl<T> Kept<T> {
    pub const fn new() -> Kept<T> {
        Kept(OnceLock::new())
    }

    pub fn ready(value: T) -> Kept<T> {
        Kept(OnceLock::from(value))
    }

    pub fn get_or_try_init<E>(&self, make: impl FnOnce() -> Result<T, E>) -> Result<&T, E> {
        if let Some(v) = self.0.get() {
            return Ok(v);
        }
        let v = make()?;
        Ok(self.0.get_or_init(|| v))
    }
}

/// The same amount, digit for digit and scale for scale.
fn same_amount(a: &Amount, b: &Amount) -> bool {
    a.scale == b.scale && a.value.serialize() == b.value.serialize()
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

/// What a fee's price value and dimension values fix: every field of a fee but its volume and
/// its amounts. Shared by every fee of that shape (see [`Shapes`]).
#[derive(Debug)]
pub struct Shape {
    product_code: String,
    price_id: Option<String>,
    price_name: String,
    currency: Arc<str>,
    event_type: String,
    usage_type: &'static str,
    dimensions: Option<Vec<(String, String)>>,
    volume_field: Option<String>,
    unit_price: Option<Decimal>,
    volume_rate: Option<Decimal>,
    package_size: Option<Decimal>,
    description: Option<String>,
    /// See [`Shape::matches`].
    addrs: [usize; 15],
}

/// The same decimal, digit for digit and scale for scale (`1.0` is not `1.00` here).
fn same_decimal(a: &Option<Decimal>, b: &Option<Decimal>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.serialize() == b.serialize(),
        (None, None) => true,
        _ => false,
    }
}

impl Shape {
    fn of(f: &ratecard::Fee<'_>) -> Shape {
        Shape {
            product_code: f.product_code.to_string(),
            price_id: f.price_id.map(str::to_string),
            price_name: f.price_name.to_string(),
            currency: Arc::from(f.currency),
            event_type: f.event_type.to_string(),
            usage_type: f.usage_type.as_str(),
            dimensions: f.dimensions.as_ref().map(|d| {
                d.0.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            }),
            volume_field: f.volume_field.map(str::to_string),
            unit_price: f.unit_price,
            volume_rate: f.volume_rate,
            package_size: f.package_size,
            description: f.description.map(str::to_string),
            addrs: addrs(f),
        }
    }

    /// Whether `f` has exactly this shape. The strings the fee borrows from the engine are
    /// compared by address and length: the engine never changes while its shapes live (they
    /// live in it), so the same place holds the same text. Dimension values, which come from
    /// the event, are compared in full, as are the decimals (digit for digit, scale included).
    fn matches(&self, f: &ratecard::Fee<'_>) -> bool {
        let dims_match = match (&self.dimensions, &f.dimensions) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                a.len() == b.0.len()
                    && a.iter()
                        .zip(&b.0)
                        .all(|((k, v), (k2, v2))| k == k2 && v == v2)
            }
            _ => false,
        };
        dims_match
            && self.addrs == addrs(f)
            && same_decimal(&self.unit_price, &f.unit_price)
            && same_decimal(&self.volume_rate, &f.volume_rate)
            && same_decimal(&self.package_size, &f.package_size)
    }
}

/// Where a fee's engine strings live, and how long they are (`None` is `(0, 0)`).
fn addrs(f: &ratecard::Fee<'_>) -> [usize; 15] {
    let at = |s: &str| (s.as_ptr() as usize, s.len() + 1);
    let opt = |s: Option<&str>| s.map_or((0, 0), at);
    let parts = [
        at(f.product_code),
        at(f.price_name),
        at(f.currency),
        at(f.event_type),
        opt(f.price_id),
        opt(f.volume_field),
        opt(f.description),
    ];
    let mut out = [0usize; 15];
    for (i, (p, n)) in parts.into_iter().enumerate() {
        out[2 * i] = p;
        out[2 * i + 1] = n;
    }
    out[14] = f.usage_type as usize;
    out
}

/// FNV-1a for short strings, a multiply-rotate for words: the keys hashed here are a few
/// addresses and dimension values.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for x in b {
            self.0 = (self.0 ^ u64::from(*x)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    /// A whole word at once (an address): one multiply rather than eight.
    fn word(&mut self, w: usize) {
        self.0 = (self.0.rotate_left(5) ^ w as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// Shapes kept per engine before new ones are no longer remembered (wildcard dimensions can
/// make them unbounded; the memory must not be).
const MAX_SHAPES: usize = 4096;

/// The fee shapes an engine has handed out, so that a fee costs its volume and amounts and not
/// a copy of a dozen strings. Looked up by where the fee's strings live in the engine (which
/// never changes) and its dimension values, then compared in full: a hash collision or a
/// different spelling costs a comparison or a copy, never a wrong fee.
#[derive(Default)]
pub struct Shapes {
    map: HashMap<u64, Vec<Arc<Shape>>, BuildHasherDefault<Given>>,
    count: usize,
    /// Asset codes of equivalents, shared by every fee and quote that names them.
    codes: Vec<Arc<str>>,
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
pub struct Given(u64);

impl Hasher for Given {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Asset codes kept before new ones are copied every time instead.
const MAX_CODES: usize = 64;

impl Shapes {
    fn key(f: &ratecard::Fee<'_>) -> u64 {
        let mut h = Fnv::new();
        h.word(f.product_code.as_ptr() as usize);
        h.word(f.price_name.as_ptr() as usize);
        h.word(f.currency.as_ptr() as usize);
        h.word(f.description.map_or(0, |d| d.as_ptr() as usize));
        if let Some(d) = &f.dimensions {
            for (_, v) in &d.0 {
                h.bytes(v.as_bytes());
                h.bytes(&[0xff]);
            }
        }
        h.0
    }

    pub fn get(&mut self, f: &ratecard::Fee<'_>) -> Arc<Shape> {
        let key = Shapes::key(f);
        if let Some(found) = self
            .map
            .get(&key)
            .and_then(|list| list.iter().find(|s| s.matches(f)))
        {
            return found.clone();
        }
        let shape = Arc::new(Shape::of(f));
        if self.count < MAX_SHAPES {
            self.map.entry(key).or_default().push(shape.clone());
            self.count += 1;
        }
        shape
    }

    /// An asset code, shared (compared by text: there are only a few).
    fn code(&mut self, code: &str) -> Arc<str> {
        if let Some(found) = self.codes.iter().find(|c| ***c == *code) {
            return found.clone();
        }
        let made: Arc<str> = Arc::from(code);
        if self.codes.len() < MAX_CODES {
            self.codes.push(made.clone());
        }
        made
    }

    fn amounts(&mut self, list: &ratecard::AmountMap<'_>) -> AmountList {
        list.0.iter().map(|(k, v)| (self.code(k), *v)).collect()
    }
}

/// Amounts by asset code, in order (a fee's or quote's equivalents, a quote's totals).
type AmountList = Box<[(Arc<str>, Amount)]>;

/// One fee as a quote keeps it: its shape, its volume and its amounts.
#[derive(Debug, Clone)]
pub struct FeeData {
    shape: Arc<Shape>,
    input_volume: Option<Decimal>,
    amount: Amount,
    equivalents: AmountList,
}

impl FeeData {
    pub fn of(f: &ratecard::Fee<'_>, shapes: &mut Shapes) -> FeeData {
        FeeData {
            shape: shapes.get(f),
            input_volume: f.input_volume,
            amount: f.amount,
            equivalents: shapes.amounts(&f.equivalents),
        }
    }
}

/// The wire form, field for field as the core writes a fee.
impl Serialize for FeeData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Dims<'a>(&'a [(String, String)]);
        impl Serialize for Dims<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
        struct Exact<'a>(&'a Decimal);
        impl Serialize for Exact<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self.0)
            }
        }
        struct Amounts<'a>(&'a [(Arc<str>, Amount)]);
        impl Serialize for Amounts<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serialize_amounts(self.0, s)
            }
        }
        let sh = &*self.shape;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("product_code", &sh.product_code)?;
        if let Some(id) = &sh.price_id {
            map.serialize_entry("price_id", id)?;
        }
        map.serialize_entry("price_name", &sh.price_name)?;
        map.serialize_entry("currency", &*sh.currency)?;
        map.serialize_entry("event_type", &sh.event_type)?;
        map.serialize_entry("usage_type", sh.usage_type)?;
        if let Some(d) = &sh.dimensions {
            map.serialize_entry("dimensions", &Dims(d))?;
        }
        if let Some(v) = &sh.volume_field {
            map.serialize_entry("volume_field", v)?;
        }
        for (k, v) in [
            ("input_volume", &self.input_volume),
            ("unit_price", &sh.unit_price),
            ("volume_rate", &sh.volume_rate),
            ("package_size", &sh.package_size),
        ] {
            if let Some(v) = v {
                map.serialize_entry(k, &Exact(v))?;
            }
        }
        if let Some(v) = &sh.description {
            map.serialize_entry("description", v)?;
        }
        map.serialize_entry("amount", &self.amount)?;
        map.serialize_entry("equivalents", &Amounts(&self.equivalents))?;
        map.end()
    }
}

/// One fee of a quote: the billing API's CalculatedFee, plus `product_code` and `equivalents`.
#[pyclass(module = "ratecard", frozen)]
pub struct Fee {
    d: FeeData,
}

impl Fee {
    fn new(d: FeeData) -> Fee {
        Fee { d }
    }
}

#[pymethods]
impl Fee {
    #[getter]
    fn product_code(&self) -> &str {
        &self.d.shape.product_code
    }
    #[getter]
    fn price_id(&self) -> Option<&str> {
        self.d.shape.price_id.as_deref()
    }
    #[getter]
    fn price_name(&self) -> &str {
        &self.d.shape.price_name
    }
    /// The asset code the fee is charged in.
    #[getter]
    fn currency(&self) -> &str {
        &self.d.shape.currency
    }
    #[getter]
    fn event_type(&self) -> &str {
        &self.d.shape.event_type
    }
    #[getter]
    fn usage_type(&self) -> &str {
        self.d.shape.usage_type
    }
    #[getter]
    fn dimensions<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.d
            .shape
            .dimensions
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
        self.d.shape.volume_field.as_deref()
    }
    #[getter]
    fn input_volume<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_decimal_py(py, &self.d.input_volume)
    }
    #[getter]
    fn unit_price<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_decimal_py(py, &self.d.shape.unit_price)
    }
    #[getter]
    fn volume_rate<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_decimal_py(py, &self.d.shape.volume_rate)
    }
    #[getter]
    fn package_size<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_decimal_py(py, &self.d.shape.package_size)
    }
    #[getter]
    fn description(&self) -> Option<&str> {
        self.d.shape.description.as_deref()
    }
    /// The fee in its own asset, at that asset's scale.
    #[getter]
    fn amount<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        amount_py(py, &self.d.amount)
    }
    /// The fee in each `express_in` asset.
    #[getter]
    fn equivalents<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        amounts_py(py, &self.d.equivalents)
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let sh = &*self.d.shape;
        let d = PyDict::new(py);
        d.set_item("product_code", &sh.product_code)?;
        if let Some(id) = &sh.price_id {
            d.set_item("price_id", id)?;
        }
        d.set_item("price_name", &sh.price_name)?;
        d.set_item("currency", &*sh.currency)?;
        d.set_item("event_type", &sh.event_type)?;
        d.set_item("usage_type", sh.usage_type)?;
        if let Some(dims) = self.dimensions(py)? {
            d.set_item("dimensions", dims)?;
        }
        if let Some(v) = &sh.volume_field {
            d.set_item("volume_field", v)?;
        }
        for (k, v) in [
            ("input_volume", &self.d.input_volume),
            ("unit_price", &sh.unit_price),
            ("volume_rate", &sh.volume_rate),
            ("package_size", &sh.package_size),
        ] {
            if let Some(v) = opt_decimal_py(py, v)? {
                d.set_item(k, v)?;
            }
        }
        if let Some(v) = &sh.description {
            d.set_item("description", v)?;
        }
        d.set_item("amount", self.amount(py)?)?;
        d.set_item("equivalents", self.equivalents(py)?)?;
        Ok(d)
    }

    fn to_json(&self) -> String {
        json(&self.d)
    }

    fn __repr__(&self) -> String {
        let sh = &*self.d.shape;
        format!(
            "Fee(product_code={}, price_name={}, amount=Decimal('{}'), currency={})",
            repr_str(&sh.product_code),
            repr_str(&sh.price_name),
            self.d.amount,
            repr_str(&sh.currency)
        )
    }
}

// ---------------------------------------------------------------------------------------

/// The explanation steps of a core quote.
pub fn steps_of(q: &ratecard::Quote<'_>) -> Box<[Step]> {
    q.explain
        .iter()
        .map(|s| Step {
            fee: s.fee,
            kind: s.kind.to_string(),
            text: s.text.clone(),
        })
        .collect()
}

/// What is needed to explain a quote later: the engine, the event as read (its type and id
/// are the quote's) and the options (`None`: the defaults). Quoting again with `at` fixed to
/// the instant priced gives the same fees with their steps (the core is deterministic).
pub struct Replay {
    engine: Py<Engine>,
    occurred_at: Option<Instant>,
    data: Data,
    options: Option<Arc<ratecard::QuoteOptions>>,
}

impl Replay {
    pub fn new(
        engine: &Bound<'_, Engine>,
        event: Snap,
        options: Option<Arc<ratecard::QuoteOptions>>,
    ) -> Replay {
        Replay {
            engine: engine.clone().unbind(),
            occurred_at: event.occurred_at,
            data: event.data,
            options,
        }
    }
}

/// A quote's explanation, as it is made.
pub enum Explain {
    /// Explain off: no steps.
    Off,
    Ready(Box<[Step]>),
    /// Computed on first reading.
    Later(Replay),
}

/// A quote's explanation, as it is kept: the steps, or what computes them.
struct Explained {
    replay: Option<Replay>,
    steps: Kept<Box<[Step]>>,
}

impl Explain {
    fn kept(self) -> Option<Box<Explained>> {
        match self {
            Explain::Off => None,
            Explain::Ready(steps) => Some(Box::new(Explained {
                replay: None,
                steps: Kept::ready(steps),
            })),
            Explain::Later(replay) => Some(Box::new(Explained {
                replay: Some(replay),
                steps: Kept::new(),
            })),
        }
    }
}

/// A quote's fees: most quotes have one, kept inline.
enum Fees {
    One(FeeData),
    Many(Box<[FeeData]>),
}

impl Fees {
    fn as_slice(&self) -> &[FeeData] {
        match self {
            Fees::One(f) => std::slice::from_ref(f),
            Fees::Many(list) => list,
        }
    }
}

/// The `Fee` objects of a quote, once made.
enum FeeObjs {
    One(Py<Fee>),
    Many(Box<[Py<Fee>]>),
}

impl FeeObjs {
    fn as_slice(&self) -> &[Py<Fee>] {
        match self {
            FeeObjs::One(f) => std::slice::from_ref(f),
            FeeObjs::Many(list) => list,
        }
    }
}

/// What most quotes do not have: totals other than their one fee's, equivalents, warnings.
#[derive(Default)]
struct Extra {
    /// `None`: one fee, and the totals are its currency and amount.
    totals: Option<AmountList>,
    equivalents: AmountList,
    warnings: Box<[Issue]>,
}

/// What one event would cost, fee by fee.
///
/// Kept small (results are often kept by the hundred thousand): one fee inline, the rest
/// boxed only when there is some.
#[pyclass(module = "ratecard", frozen)]
pub struct Quote {
    event_id: Option<Arc<str>>,
    event_type: Arc<str>,
    at: Instant,
    fees: Fees,
    extra: Option<Box<Extra>>,
    explain: Option<Box<Explained>>,
    /// The `Fee` objects and `at` as a `datetime`, built when first read (they are immutable;
    /// the lists and dicts handed out are new on every read).
    fee_objs: Kept<FeeObjs>,
    at_py: Kept<Py<PyAny>>,
}

impl Quote {
    /// A core quote's results (its explanation is `explain`). `event_type` and `event_id` are
    /// the event's own, which the core's quote borrows.
    pub fn of(
        q: &ratecard::Quote<'_>,
        event_type: Arc<str>,
        event_id: Option<Arc<str>>,
        shapes: &mut Shapes,
        explain: Explain,
    ) -> Quote {
        let fees = match q.fees.as_slice() {
            [f] => Fees::One(FeeData::of(f, shapes)),
            all => Fees::Many(all.iter().map(|f| FeeData::of(f, shapes)).collect()),
        };
        let list = fees.as_slice();
        let totals = match (list, q.totals.0.as_slice()) {
            ([f], [(code, total)])
                if *f.shape.currency == **code && same_amount(&f.amount, total) =>
            {
                None
            }
            (_, totals) => Some(
                totals
                    .iter()
                    .map(|(code, a)| {
                        // Totals are per fee currency: share the fee's copy of the code.
                        let shared = list
                            .iter()
                            .find(|f| *f.shape.currency == **code)
                            .map(|f| f.shape.currency.clone());
                        (shared.unwrap_or_else(|| shapes.code(code)), *a)
                    })
                    .collect(),
            ),
        };
        let extra = (totals.is_some() || !q.equivalents.0.is_empty() || !q.warnings.is_empty())
            .then(|| {
                Box::new(Extra {
                    totals,
                    equivalents: shapes.amounts(&q.equivalents),
                    warnings: q.warnings.iter().map(Issue::from).collect(),
                })
            });
        Quote {
            event_id: match (event_id, q.event_id) {
                (Some(id), Some(core)) if *id == *core => Some(id),
                (_, core) => core.map(Arc::from),
            },
            event_type,
            at: q.at,
            fees,
            extra,
            explain: explain.kept(),
            fee_objs: Kept::new(),
            at_py: Kept::new(),
        }
    }

    pub fn with_explain(mut self, explain: Explain) -> Quote {
        self.explain = explain.kept();
        self
    }

    fn fees_data(&self) -> &[FeeData] {
        self.fees.as_slice()
    }

    fn equivalents_list(&self) -> &[(Arc<str>, Amount)] {
        self.extra.as_ref().map_or(&[], |x| &x.equivalents)
    }

    fn warnings_list(&self) -> &[Issue] {
        self.extra.as_ref().map_or(&[], |x| &x.warnings)
    }

    /// The totals, per asset charged, as the core summed them.
    fn totals_each(&self, mut each: impl FnMut(&Arc<str>, &Amount)) {
        match (
            self.extra.as_ref().and_then(|x| x.totals.as_ref()),
            self.fees_data(),
        ) {
            (Some(list), _) => list.iter().for_each(|(k, v)| each(k, v)),
            (None, [f]) => each(&f.shape.currency, &f.amount),
            (None, _) => {}
        }
    }

    fn totals_list(&self) -> Vec<(Arc<str>, Amount)> {
        let mut out = Vec::new();
        self.totals_each(|k, v| out.push((k.clone(), *v)));
        out
    }

    fn steps(&self, py: Python<'_>) -> PyResult<&[Step]> {
        let Some(explained) = &self.explain else {
            return Ok(&[]);
        };
        explained
            .steps
            .get_or_try_init(|| match &explained.replay {
                Some(r) => {
                    let event = event_of(
                        &self.event_type,
                        self.event_id.as_deref(),
                        r.occurred_at,
                        &r.data,
                    );
                    let engine = r.engine.bind(py).get();
                    engine.replay(py, &event, r.options.as_deref(), self.at)
                }
                None => Ok(Box::default()),
            })
            .map(|steps| &**steps)
    }
}

/// The wire form, as the core writes a quote.
struct QuoteJson<'a> {
    q: &'a Quote,
    explain: &'a [Step],
}

impl Serialize for QuoteJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Totals<'a>(&'a [(Arc<str>, Amount)]);
        impl Serialize for Totals<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    map.serialize_entry(&**k, v)?;
                }
                map.end()
            }
        }
        struct Amounts<'a>(&'a [(Arc<str>, Amount)]);
        impl Serialize for Amounts<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serialize_amounts(self.0, s)
            }
        }
        let q = self.q;
        let mut map = s.serialize_map(None)?;
        if let Some(id) = &q.event_id {
            map.serialize_entry("event_id", &**id)?;
        }
        map.serialize_entry("event_type", &*q.event_type)?;
        map.serialize_entry("at", &q.at)?;
        map.serialize_entry("fees", q.fees_data())?;
        map.serialize_entry("totals", &Totals(&q.totals_list()))?;
        map.serialize_entry("equivalents", &Amounts(q.equivalents_list()))?;
        map.serialize_entry("warnings", q.warnings_list())?;
        map.serialize_entry("explain", self.explain)?;
        map.end()
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
    #[getter(at)]
    fn at_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.at_py
            .get_or_try_init(|| datetime_of(py, self.at).map(Bound::unbind))
            .map(|t| t.bind(py).clone())
    }
    #[getter]
    fn fees<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let objs = self.fee_objs.get_or_try_init(|| match &self.fees {
            Fees::One(d) => Py::new(py, Fee::new(d.clone())).map(FeeObjs::One),
            Fees::Many(list) => list
                .iter()
                .map(|d| Py::new(py, Fee::new(d.clone())))
                .collect::<PyResult<Box<[_]>>>()
                .map(FeeObjs::Many),
        })?;
        PyList::new(py, objs.as_slice().iter().map(|f| f.bind(py)))
    }
    /// The sum of the fees, per asset charged.
    #[getter]
    fn totals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let mut failed = None;
        self.totals_each(|k, v| {
            if failed.is_none() {
                failed = amount_py(py, v).and_then(|a| d.set_item(&**k, a)).err();
            }
        });
        failed.map_or(Ok(d), Err)
    }
    /// Every fee expressed in each `express_in` asset, summed.
    #[getter]
    fn equivalents<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        amounts_py(py, self.equivalents_list())
    }
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        issues_py(py, self.warnings_list())
    }
    /// The steps of the calculation (with `explain`): computed when first read.
    #[getter]
    fn explain<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.steps(py)?.iter().cloned())
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        if let Some(id) = &self.event_id {
            d.set_item("event_id", &**id)?;
        }
        d.set_item("event_type", &*self.event_type)?;
        d.set_item("at", self.at_py(py)?)?;
        let fees = PyList::empty(py);
        for f in self.fees(py)?.iter() {
            fees.append(f.cast::<Fee>()?.get().to_dict(py)?)?;
        }
        d.set_item("fees", fees)?;
        d.set_item("totals", self.totals(py)?)?;
        d.set_item("equivalents", self.equivalents(py)?)?;
        d.set_item("warnings", issues_dicts(py, self.warnings_list())?)?;
        let steps = PyList::empty(py);
        for s in self.steps(py)? {
            steps.append(s.to_dict(py)?)?;
        }
        d.set_item("explain", steps)?;
        Ok(d)
    }

    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        let explain = self.steps(py)?;
        Ok(json(&QuoteJson { q: self, explain }))
    }

    fn __repr__(&self) -> String {
        let totals: Vec<String> = self
            .totals_list()
            .iter()
            .map(|(k, v)| format!("{}: Decimal('{v}')", repr_str(k)))
            .collect();
        format!(
            "Quote(event_type={}, at={}, fees={}, totals={{{}}})",
            repr_str(&self.event_type),
            self.at,
            self.fees_data().len(),
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

//! Reading Python values into the core's types.
//!
//! Everything here follows the wire format's rules so that a dict and its `json.dumps` text
//! give the same answer, codes and paths included: floats mean their shortest repr (as
//! `json.load` produced them), `Decimal`, `int` and `str` are exact, datetimes must be aware.

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType,
};
use ratecard::event::scalar_from_f64;
use ratecard::{parse_decimal, Code, Decimal, Error, ErrorKind, Event, Instant, Scalar};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::sync::{Arc, Mutex};

/// Python objects looked up once per interpreter.
pub struct Cached {
    pub decimal: Py<PyType>,
    pub datetime: Py<PyType>,
    pub timedelta: Py<PyType>,
    /// `datetime(1970, 1, 1, tzinfo=timezone.utc)`
    pub epoch: Py<PyAny>,
    /// `timedelta(microseconds=1)`
    pub micro: Py<PyAny>,
    pub mapping: Py<PyType>,
    pub pathlike: Py<PyType>,
}

static CACHED: PyOnceLock<Cached> = PyOnceLock::new();

pub fn cached(py: Python<'_>) -> PyResult<&Cached> {
    CACHED.get_or_try_init(py, || {
        let decimal = py
            .import("decimal")?
            .getattr("Decimal")?
            .cast_into::<PyType>()?;
        let dt = py.import("datetime")?;
        let datetime = dt.getattr("datetime")?.cast_into::<PyType>()?;
        let timedelta = dt.getattr("timedelta")?.cast_into::<PyType>()?;
        let utc = dt.getattr("timezone")?.getattr("utc")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("tzinfo", utc)?;
        let epoch = datetime.call((1970, 1, 1), Some(&kwargs))?;
        let micro = timedelta.call1((0, 0, 1))?;
        let mapping = py
            .import("collections.abc")?
            .getattr("Mapping")?
            .cast_into::<PyType>()?;
        let pathlike = py
            .import("os")?
            .getattr("PathLike")?
            .cast_into::<PyType>()?;
        Ok::<_, PyErr>(Cached {
            decimal: decimal.unbind(),
            datetime: datetime.unbind(),
            timedelta: timedelta.unbind(),
            epoch: epoch.unbind(),
            micro: micro.unbind(),
            mapping: mapping.unbind(),
            pathlike: pathlike.unbind(),
        })
    })
}

/// A failure while reading input: a core error (becomes a `RatecardError`) or a Python one.
pub enum Fail {
    Core(Error),
    Py(PyErr),
}

impl From<PyErr> for Fail {
    fn from(e: PyErr) -> Fail {
        Fail::Py(e)
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Core(e)
    }
}

impl Fail {
    pub fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            Fail::Core(e) => crate::errors::to_py(py, e),
            Fail::Py(e) => e,
        }
    }
}

pub trait OrFail<T> {
    fn or_fail(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrFail<T> for Result<T, Fail> {
    fn or_fail(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|f| f.into_py(py))
    }
}

fn one(kind: ErrorKind, path: &str, code: Code, message: impl Into<String>) -> Fail {
    Fail::Core(Error::one(kind, path, code, message))
}

/// `"a list"`, `"a set"`: a Python type's name for messages.
fn py_type_name(v: &Bound<'_, PyAny>) -> String {
    let name = v
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into());
    format!("a Python {name}")
}

fn text_of(v: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(v.str()?.to_cow()?.into_owned())
}

// ---------------------------------------------------------------------------------------
// Time

/// An aware `datetime` as an instant; `Ok(None)` if `v` is not a datetime at all.
pub fn instant_from_datetime(
    v: &Bound<'_, PyAny>,
    c: &Cached,
    kind: ErrorKind,
    path: &str,
) -> Result<Option<Instant>, Fail> {
    let py = v.py();
    if !v.is_instance(c.datetime.bind(py))? {
        return Ok(None);
    }
    if v.call_method0("utcoffset")?.is_none() {
        return Err(one(
            kind,
            path,
            Code::InvalidTimestamp,
            format!(
                "{} is a naive datetime (no UTC offset); pass an aware one, e.g. \
                 datetime(..., tzinfo=timezone.utc)",
                text_of(v)?
            ),
        ));
    }
    let micros: i64 = v
        .call_method1("__sub__", (c.epoch.bind(py),))?
        .call_method1("__floordiv__", (c.micro.bind(py),))?
        .extract()?;
    Instant::from_unix_micros(micros)
        .map(Some)
        .ok_or_else(|| one(kind, path, Code::InvalidTimestamp, "datetime out of range"))
}

/// An instant from a `datetime` or an RFC 3339 string.
pub fn instant_from_py(
    v: &Bound<'_, PyAny>,
    c: &Cached,
    kind: ErrorKind,
    path: &str,
) -> Result<Instant, Fail> {
    if let Some(t) = instant_from_datetime(v, c, kind, path)? {
        return Ok(t);
    }
    match v.cast::<PyString>() {
        Ok(s) => {
            Instant::parse(&s.to_cow()?).map_err(|m| one(kind, path, Code::InvalidTimestamp, m))
        }
        Err(_) => Err(one(
            kind,
            path,
            Code::InvalidType,
            format!(
                "expected an RFC 3339 string or an aware datetime, found {}",
                py_type_name(v)
            ),
        )),
    }
}

/// The host's clock, which the core never reads itself.
pub fn now() -> Option<Instant> {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Instant::from_unix_nanos(i128::try_from(since.as_nanos()).ok()?)
}

/// An instant as an aware UTC `datetime` (microseconds: Python's resolution).
pub fn datetime_of<'py>(py: Python<'py>, t: Instant) -> PyResult<Bound<'py, PyAny>> {
    let c = cached(py)?;
    let micros = i64::try_from(t.unix_nanos().div_euclid(1000)).unwrap_or(i64::MAX);
    let delta = c.timedelta.bind(py).call1((0, 0, micros))?;
    c.epoch.bind(py).call_method1("__add__", (delta,))
}

// ---------------------------------------------------------------------------------------
// Decimals

/// A Python number or numeric string as an exact decimal.
pub fn decimal_from_py(v: &Bound<'_, PyAny>, c: &Cached, path: &str) -> Result<Decimal, Fail> {
    let bad = |code: Code, message: String| one(ErrorKind::InvalidArgument, path, code, message);
    if v.is_instance_of::<PyBool>() {
        return Err(bad(
            Code::InvalidType,
            "expected a decimal (Decimal, int, float or str), found a bool".into(),
        ));
    }
    match scalar_from_py(v, c)? {
        Scalar::Num(d) => Ok(d),
        Scalar::Str(s) => parse_decimal(&s).map_err(|(code, m)| bad(code, m)),
        Scalar::Invalid(m) if m.contains("does not fit") => Err(bad(Code::DecimalOverflow, m)),
        Scalar::Invalid(m) if m.contains("not a decimal") || m.contains("finite") => {
            Err(bad(Code::InvalidDecimal, m))
        }
        _ => Err(bad(
            Code::InvalidType,
            format!(
                "expected a decimal (Decimal, int, float or str), found {}",
                py_type_name(v)
            ),
        )),
    }
}

/// A decimal as a `decimal.Decimal` keeping its scale (`1.50` stays `1.50`).
pub fn py_decimal<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    cached(py)?.decimal.bind(py).call1((text,))
}

// ---------------------------------------------------------------------------------------
// Events

/// One value of an event's `data`, by the same rules as the core's JSON reader.
pub fn scalar_from_py(v: &Bound<'_, PyAny>, c: &Cached) -> PyResult<Scalar<'static>> {
    // Volumes first, by exact type (one pointer comparison each); the same answers as below.
    if let Ok(f) = v.cast_exact::<PyFloat>() {
        return Ok(scalar_from_f64(f.value()));
    }
    if v.is_exact_instance_of::<PyInt>() {
        return Ok(match v.extract::<i64>() {
            Ok(i) => Scalar::Num(Decimal::from(i)),
            Err(_) => number_text(&text_of(v)?),
        });
    }
    if v.is_none() {
        return Ok(Scalar::Null);
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(Scalar::Str(Cow::Owned(s.to_cow()?.into_owned())));
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(Scalar::Bool(b.is_true()));
    }
    if v.is_instance_of::<PyInt>() {
        return Ok(match v.extract::<i64>() {
            Ok(i) => Scalar::Num(Decimal::from(i)),
            Err(_) => number_text(&text_of(v)?),
        });
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        return Ok(scalar_from_f64(f.value()));
    }
    let py = v.py();
    if v.is_instance(c.decimal.bind(py))? {
        return Ok(number_text(&text_of(v)?));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        return Ok(Scalar::Invalid(
            "expected a string, number or boolean, found an array".into(),
        ));
    }
    if v.is_instance_of::<PyDict>() || v.is_instance(c.mapping.bind(py))? {
        return Ok(Scalar::Invalid(
            "expected a string, number or boolean, found an object".into(),
        ));
    }
    Ok(Scalar::Invalid(format!(
        "expected a string, number or boolean, found {}",
        py_type_name(v)
    )))
}

fn number_text(text: &str) -> Scalar<'static> {
    match parse_decimal(text) {
        Ok(d) => Scalar::Num(d),
        Err((_, m)) => Scalar::Invalid(m),
    }
}

fn event_issue(path: &str, code: Code, message: impl Into<String>) -> Fail {
    one(ErrorKind::InvalidEvent, path, code, message)
}

/// A dict as a dict: itself, or a copy of any other mapping.
fn as_dict<'py>(v: &Bound<'py, PyAny>, c: &Cached) -> PyResult<Option<Bound<'py, PyDict>>> {
    if let Ok(d) = v.cast::<PyDict>() {
        return Ok(Some(d.clone()));
    }
    if v.is_instance(c.mapping.bind(v.py()))? {
        let d = PyDict::new(v.py());
        d.update(v.cast::<pyo3::types::PyMapping>()?)?;
        return Ok(Some(d));
    }
    Ok(None)
}

fn json_type_of(v: &Bound<'_, PyAny>) -> &'static str {
    if v.is_none() {
        "null"
    } else if v.is_instance_of::<PyBool>() {
        "boolean"
    } else if v.is_instance_of::<PyInt>() || v.is_instance_of::<PyFloat>() {
        "number"
    } else if v.is_instance_of::<PyString>() {
        "string"
    } else if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        "sequence"
    } else if v.is_instance_of::<PyDict>() {
        "map"
    } else {
        "value"
    }
}

/// Reads every key in order, failing at the first structural problem as serde does.
fn event_in_order(v: &Bound<'_, PyAny>, c: &Cached) -> Result<Event<'static>, Fail> {
    let Some(dict) = as_dict(v, c)? else {
        return Err(event_issue(
            "",
            Code::InvalidType,
            format!(
                "invalid type: {}, expected a usage event object",
                json_type_of(v)
            ),
        ));
    };
    let mut event = Event::default();
    let mut has_type = false;
    for (key, value) in dict.iter() {
        let Ok(key) = key.cast::<PyString>() else {
            continue;
        };
        let key = key.to_cow()?;
        let expected_string = |field: &str| {
            event_issue(
                field,
                Code::InvalidType,
                format!("invalid type: {}, expected a string", json_type_of(&value)),
            )
        };
        match key.as_ref() {
            "event_type" => match value.cast::<PyString>() {
                Ok(s) => {
                    event.event_type = Cow::Owned(s.to_cow()?.into_owned());
                    has_type = true;
                }
                Err(_) => return Err(expected_string("event_type")),
            },
            "id" => {
                if value.is_none() {
                    event.id = None;
                } else if let Ok(s) = value.cast::<PyString>() {
                    event.id = Some(Cow::Owned(s.to_cow()?.into_owned()));
                } else {
                    return Err(expected_string("id"));
                }
            }
            "occurred_at" => {
                if value.is_none() {
                    event.occurred_at = None;
                } else if value.is_instance_of::<PyString>()
                    || value.is_instance(c.datetime.bind(v.py()))?
                {
                    event.occurred_at = Some(instant_from_py(
                        &value,
                        c,
                        ErrorKind::InvalidEvent,
                        "occurred_at",
                    )?);
                } else {
                    return Err(expected_string("occurred_at"));
                }
            }
            "data" => {
                if value.is_none() {
                    event.data = Vec::new();
                    continue;
                }
                let Some(data) = as_dict(&value, c)? else {
                    return Err(event_issue(
                        "data",
                        Code::InvalidType,
                        format!(
                            "invalid type: {}, expected an object of strings, numbers and booleans",
                            json_type_of(&value)
                        ),
                    ));
                };
                let mut list = Vec::with_capacity(data.len());
                for (k, x) in data.iter() {
                    let Ok(k) = k.cast::<PyString>() else {
                        return Err(event_issue(
                            "data",
                            Code::InvalidType,
                            "data keys must be strings",
                        ));
                    };
                    list.push((Cow::Owned(k.to_cow()?.into_owned()), scalar_from_py(&x, c)?));
                }
                event.data = list;
            }
            _ => {}
        }
    }
    if !has_type {
        return Err(event_issue(
            "event_type",
            Code::MissingField,
            "missing field `event_type`",
        ));
    }
    Ok(event)
}

pub fn prefixed(e: Error, i: usize) -> Error {
    e.prefixed(&format!("[{i}]"))
}

// ---------------------------------------------------------------------------------------
// JSON values (catalogs, options)

/// JSON text from a `str`, `bytes` or `bytearray`; `None` for anything else.
pub fn json_text(v: &Bound<'_, PyAny>) -> Result<Option<String>, Fail> {
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(Some(s.to_cow()?.into_owned()));
    }
    let bytes: Option<Vec<u8>> = if let Ok(b) = v.cast::<PyBytes>() {
        Some(b.as_bytes().to_vec())
    } else if let Ok(b) = v.cast::<PyByteArray>() {
        Some(b.to_vec())
    } else {
        None
    };
    match bytes {
        None => Ok(None),
        Some(b) => String::from_utf8(b).map(Some).map_err(|e| {
            one(
                ErrorKind::InvalidJson,
                "",
                Code::InvalidJson,
                format!("not valid JSON: the bytes are not UTF-8 ({e})"),
            )
        }),
    }
}

/// A catalog argument: a dict, JSON text (`str`/`bytes`), or a path to a JSON file.
pub fn catalog_value(v: &Bound<'_, PyAny>, c: &Cached) -> Result<Value, Fail> {
    if let Some(text) = json_text(v)? {
        return Ok(ratecard::parse_json(&text)?);
    }
    let py = v.py();
    if v.is_instance(c.pathlike.bind(py))? {
        let path: std::path::PathBuf = py.import("os")?.call_method1("fspath", (v,))?.extract()?;
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Fail::Py(pyo3::exceptions::PyOSError::new_err(format!(
                "cannot read catalog {}: {e}",
                path.display()
            )))
        })?;
        return Ok(ratecard::parse_json(&text)?);
    }
    to_json(v, c, "", 0)
}

/// A Python value as JSON, as `json.dumps` would write it, with two additions: a `Decimal` is
/// an exact number (a JSON string when it is not an integer, since the core reads decimals
/// from strings exactly), and an aware `datetime` is an RFC 3339 string.
pub fn to_json(v: &Bound<'_, PyAny>, c: &Cached, path: &str, depth: usize) -> Result<Value, Fail> {
    if depth > 128 {
        return Err(one(
            ErrorKind::InvalidJson,
            path,
            Code::InvalidJson,
            "not valid JSON: nests deeper than 128 levels",
        ));
    }
    let py = v.py();
    if v.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if v.is_instance_of::<PyInt>() {
        if let Ok(i) = v.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        if let Ok(u) = v.extract::<u64>() {
            return Ok(Value::Number(u.into()));
        }
        return Ok(Value::String(text_of(v)?));
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        let f = f.value();
        return Ok(match Number::from_f64(f) {
            Some(n) => Value::Number(n),
            // NaN and infinities: let the core say `invalid_decimal` at the right path.
            None => Value::String(f.to_string()),
        });
    }
    if v.is_instance(c.decimal.bind(py))? {
        let text = text_of(v)?;
        return Ok(match parse_decimal(&text) {
            Ok(d) if d.scale() == 0 => match i64::try_from(d.mantissa()) {
                Ok(i) => Value::Number(i.into()),
                Err(_) => Value::String(text),
            },
            _ => Value::String(text),
        });
    }
    // A list is never a mapping: spared the (slow) `Mapping` instance check below.
    if v.is_exact_instance_of::<PyList>() || v.is_exact_instance_of::<PyTuple>() {
        return list_json(v, c, path, depth);
    }
    if let Some(dict) = as_dict(v, c)? {
        let mut map = Map::with_capacity(dict.len());
        for (k, x) in dict.iter() {
            let Ok(key) = k.cast::<PyString>() else {
                return Err(one(
                    ErrorKind::InvalidJson,
                    path,
                    Code::InvalidJson,
                    format!(
                        "not valid JSON: a key is {}, not a string",
                        py_type_name(&k)
                    ),
                ));
            };
            let key = key.to_cow()?.into_owned();
            let child = ratecard::issue::join_path(path, &key);
            let value = to_json(&x, c, &child, depth + 1)?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        return list_json(v, c, path, depth);
    }
    if v.is_instance(c.datetime.bind(py))? {
        let t = instant_from_py(v, c, ErrorKind::InvalidJson, path)?;
        return Ok(Value::String(t.to_rfc3339()));
    }
    Err(one(
        ErrorKind::InvalidJson,
        path,
        Code::InvalidJson,
        format!(
            "not valid JSON: {} cannot be written as JSON",
            py_type_name(v)
        ),
    ))
}

/// A list or tuple as a JSON array (see [`to_json`]).
fn list_json(v: &Bound<'_, PyAny>, c: &Cached, path: &str, depth: usize) -> Result<Value, Fail> {
    let mut list = Vec::new();
    for (i, x) in v.try_iter()?.enumerate() {
        let x = x?;
        // A plain string needs no path (nothing in it can be wrong): not formatted for it.
        if let (true, Ok(s)) = (depth < 128, x.cast_exact::<PyString>()) {
            list.push(Value::String(s.to_cow()?.into_owned()));
            continue;
        }
        list.push(to_json(&x, c, &format!("{path}[{i}]"), depth + 1)?);
    }
    Ok(Value::Array(list))
}

// ---------------------------------------------------------------------------------------
// Quote options

/// The keyword arguments every quoting call takes.
pub struct OptionArgs<'a, 'py> {
    pub at: Option<&'a Bound<'py, PyAny>>,
    pub now: Option<&'a Bound<'py, PyAny>>,
    pub express_in: Option<&'a Bound<'py, PyAny>>,
    pub products: Option<&'a Bound<'py, PyAny>>,
    pub prior_usage: Option<&'a Bound<'py, PyAny>>,
    pub explain: Option<bool>,
    /// The wire form, for options read from JSON; keywords win over it.
    pub options: Option<&'a Bound<'py, PyAny>>,
}

fn given<'a, 'py>(v: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    v.filter(|x| !x.is_none())
}

/// Builds the core's options through its own wire reader, so that every runtime reports the
/// same codes and paths for the same mistakes.
pub fn quote_options(
    py: Python<'_>,
    args: &OptionArgs<'_, '_>,
    default_explain: bool,
) -> Result<ratecard::QuoteOptions, Fail> {
    if let Some(options) = options_directly(args, default_explain)? {
        return Ok(options);
    }
    let c = cached(py)?;
    let mut map = match given(args.options) {
        None => Map::new(),
        Some(o) => match to_json(o, c, "", 0) {
            Ok(Value::Object(m)) => m,
            Ok(_) => {
                return Err(one(
                    ErrorKind::InvalidArgument,
                    "",
                    Code::InvalidType,
                    "options must be an object (a dict)",
                ))
            }
            Err(Fail::Core(e)) => {
                return Err(Fail::Core(Error::new(ErrorKind::InvalidArgument, e.issues)))
            }
            Err(other) => return Err(other),
        },
    };
    let no_clock = args.now.is_some_and(is_false);
    let now_arg = if no_clock { None } else { args.now };
    for (name, v) in [("at", args.at), ("now", now_arg)] {
        if let Some(v) = given(v) {
            let t = instant_from_py(v, c, ErrorKind::InvalidArgument, name)?;
            map.insert(name.into(), Value::String(t.to_rfc3339()));
        }
    }
    for (name, v) in [
        ("express_in", args.express_in),
        ("products", args.products),
        ("prior_usage", args.prior_usage),
    ] {
        if let Some(v) = given(v) {
            let value = to_json(v, c, name, 0).map_err(|f| match f {
                Fail::Core(e) => Fail::Core(Error::new(ErrorKind::InvalidArgument, e.issues)),
                other => other,
            })?;
            map.insert(name.into(), value);
        }
    }
    if let Some(b) = args.explain {
        map.insert("explain".into(), Value::Bool(b));
    } else if !map.contains_key("explain") {
        map.insert("explain".into(), Value::Bool(default_explain));
    }
    let mut options = ratecard::QuoteOptions::from_value(&Value::Object(map))?;
    if options.now.is_none() && !no_clock {
        options.now = now();
    }
    Ok(options)
}

/// The options of the common calls (`express_in` and `products` as lists of `str`, `explain`,
/// `now=False`) built directly: the same options the wire reader makes of them, without a JSON
/// map. `None` for anything else, which goes through the wire reader.
fn options_directly(
    args: &OptionArgs<'_, '_>,
    default_explain: bool,
) -> PyResult<Option<ratecard::QuoteOptions>> {
    let no_clock = args.now.is_some_and(is_false);
    if given(args.options).is_some()
        || given(args.prior_usage).is_some()
        || given(args.at).is_some()
        || (given(args.now).is_some() && !no_clock)
    {
        return Ok(None);
    }
    let express_in = match given(args.express_in) {
        None => Vec::new(),
        Some(v) => match str_list(v)? {
            Some(list) => list,
            None => return Ok(None),
        },
    };
    let products = match given(args.products) {
        None => None,
        Some(v) => match str_list(v)? {
            Some(list) => Some(list),
            None => return Ok(None),
        },
    };
    Ok(Some(ratecard::QuoteOptions {
        at: None,
        now: if no_clock { None } else { now() },
        express_in,
        products,
        prior_usage: Vec::new(),
        explain: args.explain.unwrap_or(default_explain),
    }))
}

/// A `list` or `tuple` of `str`s (exactly those types) as strings; `None` for anything else.
fn str_list(v: &Bound<'_, PyAny>) -> PyResult<Option<Vec<String>>> {
    let items = if let Ok(list) = v.cast_exact::<PyList>() {
        list.as_sequence().clone()
    } else if let Ok(tuple) = v.cast_exact::<PyTuple>() {
        tuple.as_sequence().clone()
    } else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(items.len()?);
    for item in items.try_iter()? {
        let item = item?;
        let Ok(s) = item.cast_exact::<PyString>() else {
            return Ok(None);
        };
        out.push(s.to_cow()?.into_owned());
    }
    Ok(Some(out))
}

/// `now=False`: the caller forbids reading the host clock (reproducible runs, the vectors).
pub fn is_false(v: &Bound<'_, PyAny>) -> bool {
    v.cast::<PyBool>().is_ok_and(|b| !b.is_true())
}

/// Options for the common call with no keywords at all, without building a JSON map.
pub fn default_options(explain: bool) -> ratecard::QuoteOptions {
    ratecard::QuoteOptions {
        now: self::now(),
        explain,
        ..ratecard::QuoteOptions::default()
    }
}

// ---------------------------------------------------------------------------------------
// Events kept by a quote: owned, cheap to read again

/// One value of an event's `data`, owned (strings shared, never copied twice).
#[derive(Debug, Clone)]
pub enum Val {
    Str(Arc<str>),
    Num(Decimal),
    Bool(bool),
    Null,
    Invalid(String),
}

impl Val {
    fn of(s: Scalar<'_>) -> Val {
        match s {
            Scalar::Str(s) => Val::Str(Arc::from(s.as_ref())),
            Scalar::Num(d) => Val::Num(d),
            Scalar::Bool(b) => Val::Bool(b),
            Scalar::Null => Val::Null,
            Scalar::Invalid(m) => Val::Invalid(m),
        }
    }

    fn scalar(&self) -> Scalar<'_> {
        match self {
            Val::Str(s) => Scalar::Str(Cow::Borrowed(s)),
            Val::Num(d) => Scalar::Num(*d),
            Val::Bool(b) => Scalar::Bool(*b),
            Val::Null => Scalar::Null,
            Val::Invalid(m) => Scalar::Invalid(m.clone()),
        }
    }
}

/// An event as read, owned by the quote made from it, so that its explanation can be computed
/// later from exactly these inputs (a dict changed after `quote` returned changes nothing).
/// It holds the data the catalog's prices read ([`ratecard::Engine::data_fields`]) and any
/// value that is not a scalar (which [`Event::check`] reports); other data cannot change a quote.
#[derive(Debug, Clone)]
pub struct Snap {
    pub event_type: Arc<str>,
    pub id: Option<Arc<str>>,
    pub occurred_at: Option<Instant>,
    pub data: Data,
}

/// One value of an event's data, by key.
pub type Entry = (Arc<str>, Val);

/// An event's data as kept: two values inline (prices read one or two: a dimension, a volume),
/// more in a list.
#[derive(Debug, Clone)]
pub enum Data {
    Few([Option<Entry>; 2]),
    Many(Vec<Entry>),
}

impl Default for Data {
    fn default() -> Data {
        Data::Few([None, None])
    }
}

impl Data {
    pub fn push(&mut self, entry: Entry) {
        match self {
            Data::Few([a, b]) => {
                if a.is_none() {
                    *a = Some(entry);
                } else if b.is_none() {
                    *b = Some(entry);
                } else {
                    let mut list = Vec::with_capacity(4);
                    list.extend(a.take());
                    list.extend(b.take());
                    list.push(entry);
                    *self = Data::Many(list);
                }
            }
            Data::Many(list) => list.push(entry),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        let (few, many): (&[Option<Entry>], &[Entry]) = match self {
            Data::Few(few) => (few, &[]),
            Data::Many(list) => (&[], list),
        };
        few.iter().flatten().chain(many)
    }

    fn len(&self) -> usize {
        match self {
            Data::Few(few) => few.iter().flatten().count(),
            Data::Many(list) => list.len(),
        }
    }
}

impl FromIterator<Entry> for Data {
    fn from_iter<I: IntoIterator<Item = Entry>>(items: I) -> Data {
        let mut out = Data::default();
        for entry in items {
            out.push(entry);
        }
        out
    }
}

/// The core's event from the parts of a [`Snap`], borrowing from them.
pub fn event_of<'a>(
    event_type: &'a str,
    id: Option<&'a str>,
    occurred_at: Option<Instant>,
    data: &'a Data,
) -> Event<'a> {
    let mut list = Vec::with_capacity(data.len());
    list.extend(
        data.iter()
            .map(|(k, v)| (Cow::Borrowed(k.as_ref()), v.scalar())),
    );
    Event {
        id: id.map(Cow::Borrowed),
        event_type: Cow::Borrowed(event_type),
        occurred_at,
        data: list,
    }
}

impl Snap {
    /// The core's event, borrowing from this one.
    pub fn event(&self) -> Event<'_> {
        event_of(
            &self.event_type,
            self.id.as_deref(),
            self.occurred_at,
            &self.data,
        )
    }

    /// A full copy of an event read another way.
    pub fn from_event(e: Event<'_>) -> Snap {
        Snap {
            event_type: Arc::from(e.event_type.as_ref()),
            id: e.id.map(|s| Arc::from(s.as_ref())),
            occurred_at: e.occurred_at,
            data: e
                .data
                .into_iter()
                .map(|(k, v)| (Arc::from(k.as_ref()), Val::of(v)))
                .collect(),
        }
    }
}

/// Interned strings are at most this long, and an engine keeps at most this many: event types,
/// data keys and dimension values repeat; anything past the limits is simply copied.
const INTERN_MAX_LEN: usize = 64;
const INTERN_MAX_COUNT: usize = 4096;

/// The Rust text of a Python `str` seen before (the value side of [`Reader::strings`]), and,
/// once it has been read as an event type, the data keys the prices of that type read.
#[pyclass(frozen, module = "ratecard._ratecard")]
pub struct Interned {
    text: Arc<str>,
    fields: PyOnceLock<Fields>,
}

/// A data key the prices of an event type read: its text, and the interned Python `str` of
/// it, which is the very object a dict literal's key is (the names in code are interned), so
/// that a key is usually recognised by identity.
pub struct Field {
    text: Arc<str>,
    key: Py<PyString>,
}

/// The data keys the prices of an event type read ([`ratecard::Engine::data_fields`]).
type Fields = Arc<[Field]>;

fn fields_of(py: Python<'_>, engine: &ratecard::Engine, event_type: &str) -> Fields {
    engine
        .data_fields(event_type)
        .iter()
        .map(|f| Field {
            text: Arc::from(f.as_str()),
            key: PyString::intern(py, f).unbind(),
        })
        .collect()
}

/// How a string is read: as an event type, a data key, or a data value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    EventType,
    Key,
    Value,
}

/// What the last event read had, for the next one, which usually has the same: the `str`
/// objects of its type and timestamp, with what they were read as.
#[derive(Default)]
struct Last {
    event_type: Option<(Py<PyString>, Arc<str>, Fields)>,
    time: Option<(Py<PyString>, Instant)>,
    /// The last few string values (dimension values: `"gen4"`), replaced in turn.
    values: [Option<(Py<PyString>, Arc<str>)>; RECENT_VALUES],
    next: usize,
}

/// String values remembered by identity (see [`Last::values`]).
const RECENT_VALUES: usize = 8;

/// Per-engine caches for reading event dicts: the text of `str`s seen before, looked up by the
/// `str` itself (a dict lookup, its hash cached by Python) instead of copying it out again
/// (abi3 for Python 3.9 has no zero-copy UTF-8 access), and the last event's type and
/// `occurred_at`.
pub struct Reader {
    strings: Py<PyDict>,
    last: Mutex<Last>,
}

impl Reader {
    pub fn new(py: Python<'_>) -> Reader {
        Reader {
            strings: PyDict::new(py).unbind(),
            last: Mutex::new(Last::default()),
        }
    }

    fn last(&self) -> std::sync::MutexGuard<'_, Last> {
        match self.last.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The text of `s`, interned when `s` is a plain `str` (a subclass could define its own
    /// `__eq__` and `__hash__`, so it is never looked up) and short; data values are interned
    /// unless they look like numbers (volumes sent as text rarely repeat). For an event type,
    /// also the data keys its prices read.
    fn text(
        &self,
        s: &Bound<'_, PyString>,
        role: Role,
        engine: &ratecard::Engine,
    ) -> PyResult<(Arc<str>, Option<Fields>)> {
        let py = s.py();
        let exact = s.is_exact_instance_of::<PyString>();
        let strings = self.strings.bind(py);
        let fields_of = |i: &Interned| {
            (role == Role::EventType).then(|| {
                i.fields
                    .get_or_init(py, || fields_of(py, engine, &i.text))
                    .clone()
            })
        };
        if exact {
            if let Some(hit) = strings.get_item(s)? {
                if let Ok(i) = hit.cast::<Interned>() {
                    let i = i.get();
                    return Ok((i.text.clone(), fields_of(i)));
                }
            }
        }
        let text: Arc<str> = Arc::from(s.to_cow()?.as_ref());
        let numeric = role == Role::Value && looks_numeric(&text);
        if exact && !numeric && text.len() <= INTERN_MAX_LEN && strings.len() < INTERN_MAX_COUNT {
            let interned = Interned {
                text: text.clone(),
                fields: PyOnceLock::new(),
            };
            let fields = fields_of(&interned);
            strings.set_item(s, interned)?;
            return Ok((text, fields));
        }
        let fields = (role == Role::EventType).then(|| self::fields_of(py, engine, &text));
        Ok((text, fields))
    }

    /// An event type's text and the data keys its prices read: the last event's when `s` is
    /// the very `str` it had.
    fn event_type(
        &self,
        s: &Bound<'_, PyString>,
        engine: &ratecard::Engine,
    ) -> PyResult<(Arc<str>, Fields)> {
        if let Some((text, fields)) = self
            .last()
            .event_type
            .as_ref()
            .filter(|(o, _, _)| o.is(s))
            .map(|(_, text, fields)| (text.clone(), fields.clone()))
        {
            return Ok((text, fields));
        }
        let (text, fields) = self.text(s, Role::EventType, engine)?;
        let fields = fields.unwrap_or_else(|| Arc::from([]));
        if s.is_exact_instance_of::<PyString>() {
            self.last().event_type = Some((s.clone().unbind(), text.clone(), fields.clone()));
        }
        Ok((text, fields))
    }

    /// A data value's text: one of the last few values when `s` is the very `str` it was (the
    /// values of a dimension are few, and often the same objects), else [`Reader::text`].
    fn value(&self, s: &Bound<'_, PyString>, engine: &ratecard::Engine) -> PyResult<Arc<str>> {
        if let Some(text) = self
            .last()
            .values
            .iter()
            .flatten()
            .find(|(o, _)| o.is(s))
            .map(|(_, text)| text.clone())
        {
            return Ok(text);
        }
        let (text, _) = self.text(s, Role::Value, engine)?;
        if s.is_exact_instance_of::<PyString>()
            && text.len() <= INTERN_MAX_LEN
            && !looks_numeric(&text)
        {
            let mut last = self.last();
            let i = last.next % RECENT_VALUES;
            last.next = i + 1;
            let old = last
                .values
                .get_mut(i)
                .and_then(|slot| slot.replace((s.clone().unbind(), text.clone())));
            drop(last);
            drop(old);
        }
        Ok(text)
    }

    /// An RFC 3339 string's instant, `None` if it is not one; the last one read is remembered,
    /// since the events of a stream often share their timestamp.
    fn instant(&self, s: &Bound<'_, PyString>) -> PyResult<Option<Instant>> {
        let exact = s.is_exact_instance_of::<PyString>();
        if exact {
            let last = match &self.last().time {
                Some((text, t)) if text.is(s) => return Ok(Some(*t)),
                Some((text, t)) => Some((text.clone_ref(s.py()), *t)),
                None => None,
            };
            if let Some((text, t)) = last {
                // Comparing two `str`s runs no Python code, but the lock is not held for it.
                if text.bind(s.py()).as_any().eq(s)? {
                    return Ok(Some(t));
                }
            }
        }
        match Instant::parse(&s.to_cow()?) {
            Ok(t) => {
                if exact {
                    self.last().time = Some((s.clone().unbind(), t));
                }
                Ok(Some(t))
            }
            Err(_) => Ok(None),
        }
    }
}

/// Whether a string value looks like a number (a volume sent as text: these rarely repeat).
fn looks_numeric(text: &str) -> bool {
    text.bytes()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.'))
}

/// Whether a key is one the prices of the event's type read.
fn is_read(fields: &[Field], key: &str) -> bool {
    fields.iter().any(|f| *f.text == *key)
}

/// Reads one event (a dict or any mapping) into a [`Snap`]. Structural problems fail at once,
/// in key order, as the core's JSON reader does; the caller runs [`Event::check`] on
/// `snap.event()` for the rest.
pub fn snap_from_py(
    v: &Bound<'_, PyAny>,
    c: &Cached,
    reader: &Reader,
    engine: &ratecard::Engine,
) -> Result<Snap, Fail> {
    if let Ok(dict) = v.cast::<PyDict>() {
        if let Some(snap) = snap_fast(dict, c, reader, engine)? {
            return Ok(snap);
        }
    }
    Ok(Snap::from_event(event_in_order(v, c)?))
}

/// The event's four fields, by a walk over its items that recognises the keys by identity
/// (a dict literal's keys are the interned names); `None` when some key is not recognised so
/// (an unknown key, or one spelled by a `str` made at run time, as `json.loads` makes them),
/// and the caller looks the four up instead.
#[allow(clippy::type_complexity)]
fn fields_by_identity<'py>(dict: &Bound<'py, PyDict>) -> Option<[Option<Bound<'py, PyAny>>; 4]> {
    let py = dict.py();
    let names = [
        intern!(py, "event_type"),
        intern!(py, "id"),
        intern!(py, "occurred_at"),
        intern!(py, "data"),
    ];
    if dict.len() > names.len() {
        return None;
    }
    let mut out: [Option<Bound<'py, PyAny>>; 4] = Default::default();
    for (k, v) in dict.iter() {
        let slot = names.iter().position(|n| n.is(&k))?;
        *out.get_mut(slot)? = Some(v);
    }
    Some(out)
}

/// The common case, keeping only what can change the quote. `None` when some field is
/// malformed: the in-order reader then finds the first problem, exactly where the core's JSON
/// reader would.
fn snap_fast(
    dict: &Bound<'_, PyDict>,
    c: &Cached,
    reader: &Reader,
    engine: &ratecard::Engine,
) -> Result<Option<Snap>, Fail> {
    let py = dict.py();
    let [event_type, id, occurred_at, data] = match fields_by_identity(dict) {
        Some(found) => found,
        None => [
            dict.get_item(intern!(py, "event_type"))?,
            dict.get_item(intern!(py, "id"))?,
            dict.get_item(intern!(py, "occurred_at"))?,
            dict.get_item(intern!(py, "data"))?,
        ],
    };
    let Some(event_type) = event_type else {
        return Ok(None);
    };
    let Ok(event_type) = event_type.cast::<PyString>() else {
        return Ok(None);
    };
    let (event_type, fields) = reader.event_type(event_type, engine)?;
    let mut snap = Snap {
        event_type,
        id: None,
        occurred_at: None,
        data: Data::default(),
    };
    if let Some(id) = id {
        if let Ok(s) = id.cast::<PyString>() {
            snap.id = Some(Arc::from(s.to_cow()?.as_ref()));
        } else if !id.is_none() {
            return Ok(None);
        }
    }
    if let Some(t) = occurred_at {
        if let Ok(s) = t.cast::<PyString>() {
            match reader.instant(s)? {
                Some(t) => snap.occurred_at = Some(t),
                None => return Ok(None),
            }
        } else if !t.is_none() {
            match instant_from_datetime(&t, c, ErrorKind::InvalidEvent, "occurred_at") {
                Ok(Some(t)) => snap.occurred_at = Some(t),
                _ => return Ok(None),
            }
        }
    }
    if let Some(data) = data {
        if let Ok(data) = data.cast::<PyDict>() {
            for (k, x) in data.iter() {
                // A key the prices read, recognised by identity: no need to read its text.
                if let Some(field) = fields.iter().find(|f| f.key.is(&k)) {
                    let value = match x.cast_exact::<PyString>() {
                        Ok(s) => Val::Str(reader.value(s, engine)?),
                        Err(_) => Val::of(scalar_from_py(&x, c)?),
                    };
                    snap.data.push((field.text.clone(), value));
                    continue;
                }
                let Ok(k) = k.cast::<PyString>() else {
                    return Ok(None);
                };
                if let Ok(s) = x.cast::<PyString>() {
                    // A string is always a valid scalar: only a read one is kept.
                    let (key, _) = reader.text(k, Role::Key, engine)?;
                    if is_read(&fields, &key) {
                        snap.data.push((key, Val::Str(reader.value(s, engine)?)));
                    }
                    continue;
                }
                let value = scalar_from_py(&x, c)?;
                let (key, _) = reader.text(k, Role::Key, engine)?;
                if matches!(value, Scalar::Invalid(_)) || is_read(&fields, &key) {
                    snap.data.push((key, Val::of(value)));
                }
            }
        } else if !data.is_none() {
            return Ok(None);
        }
    }
    Ok(Some(snap))
}

/// Reads a list of events (or one mapping, as a list of one) into snapshots; each one's
/// problems are prefixed with its index. One mapping is checked here; a list's events are
/// checked by the caller with [`check_events`].
pub fn snaps_from_py(
    v: &Bound<'_, PyAny>,
    c: &Cached,
    reader: &Reader,
    engine: &ratecard::Engine,
) -> Result<Vec<Snap>, Fail> {
    if v.is_instance_of::<PyDict>() || v.is_instance(c.mapping.bind(v.py()))? {
        let snap = snap_from_py(v, c, reader, engine)?;
        snap.event().check("")?;
        return Ok(vec![snap]);
    }
    if v.is_instance_of::<PyString>() || v.is_instance_of::<PyBytes>() {
        return Err(Fail::Py(PyTypeError::new_err(
            "internal: JSON text is handled by the caller",
        )));
    }
    let mut snaps = Vec::new();
    let iter = v.try_iter().map_err(|_| {
        event_issue(
            "",
            Code::InvalidType,
            format!("expected a list of events, found {}", py_type_name(v)),
        )
    })?;
    for (i, item) in iter.enumerate() {
        let item = item?;
        let snap = snap_from_py(&item, c, reader, engine).map_err(|f| match f {
            Fail::Core(e) => Fail::Core(prefixed(e, i)),
            other => other,
        })?;
        snaps.push(snap);
    }
    Ok(snaps)
}

/// [`Event::check_all`] (every failing event's issues, prefixed with its index), which is
/// asked only when some event fails: for a batch that passes, it would write every index.
pub fn check_events(events: &[Event<'_>]) -> Result<(), Error> {
    if events.iter().any(|e| e.check("").is_err()) {
        Event::check_all(events)?;
    }
    Ok(())
}

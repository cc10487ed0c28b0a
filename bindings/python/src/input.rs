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
use ratecard::event::scalar_from_double;
use ratecard::{parse_decimal, Code, Decimal, Error, ErrorKind, Event, Instant, Scalar};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;

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
        return Ok(scalar_from_double(f.value()));
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

/// Reads one event from a dict (any mapping). Structural problems fail at once, in key order,
/// as the core's JSON reader does; the caller runs [`Event::check`] for the rest.
pub fn event_from_py(v: &Bound<'_, PyAny>, c: &Cached) -> Result<Event<'static>, Fail> {
    if let Ok(dict) = v.cast::<PyDict>() {
        if let Some(event) = event_fast(dict, c)? {
            return Ok(event);
        }
    }
    event_in_order(v, c)
}

/// The common case, by four lookups with interned keys instead of reading every key's text.
/// `None` when some field is malformed: the in-order reader then finds the first problem,
/// exactly where the core's JSON reader would.
fn event_fast(dict: &Bound<'_, PyDict>, c: &Cached) -> Result<Option<Event<'static>>, Fail> {
    let py = dict.py();
    let Some(event_type) = dict.get_item(intern!(py, "event_type"))? else {
        return Ok(None);
    };
    let Ok(event_type) = event_type.cast::<PyString>() else {
        return Ok(None);
    };
    let mut event = Event::new(Cow::Owned(event_type.to_cow()?.into_owned()));
    if let Some(id) = dict.get_item(intern!(py, "id"))? {
        if let Ok(s) = id.cast::<PyString>() {
            event.id = Some(Cow::Owned(s.to_cow()?.into_owned()));
        } else if !id.is_none() {
            return Ok(None);
        }
    }
    if let Some(t) = dict.get_item(intern!(py, "occurred_at"))? {
        if let Ok(s) = t.cast::<PyString>() {
            match Instant::parse(&s.to_cow()?) {
                Ok(t) => event.occurred_at = Some(t),
                Err(_) => return Ok(None),
            }
        } else if !t.is_none() {
            match instant_from_datetime(&t, c, ErrorKind::InvalidEvent, "occurred_at") {
                Ok(Some(t)) => event.occurred_at = Some(t),
                _ => return Ok(None),
            }
        }
    }
    if let Some(data) = dict.get_item(intern!(py, "data"))? {
        if let Ok(data) = data.cast::<PyDict>() {
            let mut list = Vec::with_capacity(data.len());
            for (k, x) in data.iter() {
                let Ok(k) = k.cast::<PyString>() else {
                    return Ok(None);
                };
                list.push((Cow::Owned(k.to_cow()?.into_owned()), scalar_from_py(&x, c)?));
            }
            event.data = list;
        } else if !data.is_none() {
            return Ok(None);
        }
    }
    Ok(Some(event))
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

/// Reads a list of events; each one's problems are prefixed with its index.
pub fn events_from_py(v: &Bound<'_, PyAny>, c: &Cached) -> Result<Vec<Event<'static>>, Fail> {
    if v.is_instance_of::<PyDict>() || v.is_instance(c.mapping.bind(v.py()))? {
        let event = event_from_py(v, c)?;
        event.check("")?;
        return Ok(vec![event]);
    }
    if v.is_instance_of::<PyString>() || v.is_instance_of::<PyBytes>() {
        return Err(Fail::Py(PyTypeError::new_err(
            "internal: JSON text is handled by the caller",
        )));
    }
    let mut events = Vec::new();
    let iter = v.try_iter().map_err(|_| {
        event_issue(
            "",
            Code::InvalidType,
            format!("expected a list of events, found {}", py_type_name(v)),
        )
    })?;
    for (i, item) in iter.enumerate() {
        let item = item?;
        let event = event_from_py(&item, c).map_err(|f| match f {
            Fail::Core(e) => Fail::Core(prefixed(e, i)),
            other => other,
        })?;
        events.push(event);
    }
    Event::check_all(&events).map_err(Fail::Core)?;
    Ok(events)
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
        let mut list = Vec::new();
        for (i, x) in v.try_iter()?.enumerate() {
            list.push(to_json(&x?, c, &format!("{path}[{i}]"), depth + 1)?);
        }
        return Ok(Value::Array(list));
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

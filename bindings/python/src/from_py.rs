//! Python values into the core's types, by the wire format's rules: a dict and its `json.dumps`
//! text give the same answer, codes and paths included. Floats mean their shortest repr (as
//! `json.load` made them); `Decimal`, `int` and `str` are exact; datetimes must be aware.
//!
//! Text is borrowed from Python's `str` objects, never copied (`PyUnicode_AsUTF8AndSize`, in the
//! limited API from Python 3.10), and an event kept for a later explanation keeps the very `str`
//! objects it was read from ([`Snap`]).

use crate::errors::{fail, Fail, Result};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple,
    PyType,
};
use ratecard::event::scalar_from_f64;
use ratecard::{parse_decimal, Code, Decimal, ErrorKind, Event, Instant, QuoteOptions, Scalar};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;

/// Python objects looked up once per interpreter.
pub struct Cached {
    pub decimal: Py<PyType>,
    pub datetime: Py<PyType>,
    date: Py<PyType>,
    pub timedelta: Py<PyType>,
    /// `datetime(1970, 1, 1, tzinfo=timezone.utc)` and `timedelta(microseconds=1)`.
    pub epoch: Py<PyAny>,
    micro: Py<PyAny>,
    mapping: Py<PyType>,
    pathlike: Py<PyType>,
}

static CACHED: PyOnceLock<Cached> = PyOnceLock::new();

pub fn cached(py: Python<'_>) -> PyResult<&'static Cached> {
    CACHED.get_or_try_init(py, || {
        let dt = py.import("datetime")?;
        let ty = |module: &str, name: &str| -> PyResult<Py<PyType>> {
            Ok(py
                .import(module)?
                .getattr(name)?
                .cast_into::<PyType>()?
                .unbind())
        };
        let utc = dt.getattr("timezone")?.getattr("utc")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("tzinfo", utc)?;
        let datetime = ty("datetime", "datetime")?;
        let timedelta = ty("datetime", "timedelta")?;
        Ok::<_, PyErr>(Cached {
            epoch: datetime
                .bind(py)
                .call((1970, 1, 1), Some(&kwargs))?
                .unbind(),
            micro: timedelta.bind(py).call1((0, 0, 1))?.unbind(),
            decimal: ty("decimal", "Decimal")?,
            datetime,
            date: ty("datetime", "date")?,
            timedelta,
            mapping: ty("collections.abc", "Mapping")?,
            pathlike: ty("os", "PathLike")?,
        })
    })
}

/// `a Python set`: a value's type, for messages.
fn py_type(v: &Bound<'_, PyAny>) -> String {
    let name = v.get_type().name().map(|n| n.to_string());
    format!("a Python {}", name.as_deref().unwrap_or("object"))
}

pub fn is_mapping(v: &Bound<'_, PyAny>, c: &Cached) -> PyResult<bool> {
    Ok(v.is_instance_of::<PyDict>() || v.is_instance(c.mapping.bind(v.py()))?)
}

/// Why a `str` has no UTF-8 text: it holds a lone surrogate (as `json.loads` makes of `"\ud800"`).
const SURROGATE: &str = "a string holds a lone surrogate (U+D800 to U+DFFF), which is not text";

/// A `str`'s text, or the core's `invalid_json` at `path` for a lone surrogate, as the core
/// reports the same string in JSON text.
pub fn text<'a>(s: &'a Bound<'_, PyString>, path: &str) -> Result<&'a str> {
    s.to_str().map_err(|_| {
        fail(
            ErrorKind::InvalidJson,
            path,
            Code::InvalidJson,
            format!("not valid JSON: {SURROGATE}"),
        )
    })
}

// ---------------------------------------------------------------------------------------
// Time

/// An aware `datetime` as an instant, a `date` as its midnight UTC; `None` if `v` is neither.
pub fn datetime(v: &Bound<'_, PyAny>, kind: ErrorKind, path: &str) -> Result<Option<Instant>> {
    let c = cached(v.py())?;
    let range = || fail(kind, path, Code::InvalidTimestamp, "datetime out of range");
    if !v.is_instance(c.datetime.bind(v.py()))? {
        if !v.is_instance(c.date.bind(v.py()))? {
            return Ok(None);
        }
        // A date is its midnight, UTC: days from 1970-01-01 (ordinal 719,163).
        let days = v.call_method0("toordinal")?.extract::<i64>()? - 719_163;
        return Instant::from_unix_micros(days * 86_400_000_000)
            .map(Some)
            .ok_or_else(range);
    }
    if v.call_method0("utcoffset")?.is_none() {
        let message = format!(
            "{} is a naive datetime (no UTC offset); pass an aware one, e.g. \
             datetime(..., tzinfo=timezone.utc)",
            v.str()?
        );
        return Err(fail(kind, path, Code::InvalidTimestamp, message));
    }
    let micros: i64 = v
        .call_method1("__sub__", (c.epoch.bind(v.py()),))?
        .call_method1("__floordiv__", (c.micro.bind(v.py()),))?
        .extract()?;
    Instant::from_unix_micros(micros)
        .map(Some)
        .ok_or_else(range)
}

/// An instant from an aware `datetime` or an RFC 3339 string.
pub fn instant(v: &Bound<'_, PyAny>, kind: ErrorKind, path: &str) -> Result<Instant> {
    if let Some(t) = datetime(v, kind, path)? {
        return Ok(t);
    }
    match v.cast::<PyString>() {
        Ok(s) => {
            Instant::parse(text(s, path)?).map_err(|m| fail(kind, path, Code::InvalidTimestamp, m))
        }
        Err(_) => {
            let found = py_type(v);
            let message =
                format!("expected an RFC 3339 string or an aware datetime, found {found}");
            Err(fail(kind, path, Code::InvalidType, message))
        }
    }
}

/// A flag keyword (`explain=`): a `bool`, or `None` for its default; anything else is the
/// core's `invalid_type` at the keyword (an `ArgumentTypeError`: also a `TypeError`).
pub fn flag(v: Option<&Bound<'_, PyAny>>, path: &str) -> Result<Option<bool>> {
    let Some(v) = v.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    match v.cast::<PyBool>() {
        Ok(b) => Ok(Some(b.is_true())),
        Err(_) => {
            let message = format!("expected a bool, found {}", py_type(v));
            Err(fail(
                ErrorKind::InvalidArgument,
                path,
                Code::InvalidType,
                message,
            ))
        }
    }
}

/// An asset code argument: a `str`; anything else is `invalid_type` at the argument.
pub fn code<'a>(v: &'a Bound<'_, PyAny>, path: &str) -> Result<&'a str> {
    match v.cast::<PyString>() {
        Ok(s) => text(s, path),
        Err(_) => {
            let message = format!("expected an asset code (a str), found {}", py_type(v));
            Err(fail(
                ErrorKind::InvalidArgument,
                path,
                Code::InvalidType,
                message,
            ))
        }
    }
}

/// The host's clock, which the core never reads itself.
pub fn now() -> Option<Instant> {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Instant::from_unix_nanos(i128::try_from(since.as_nanos()).ok()?)
}

// ---------------------------------------------------------------------------------------
// Numbers and event values

/// A Python number or numeric string as an exact decimal.
pub fn decimal(v: &Bound<'_, PyAny>, path: &str) -> Result<Decimal> {
    let bad = |code: Code, message: String| fail(ErrorKind::InvalidArgument, path, code, message);
    let scalar = match v.cast::<PyString>() {
        Ok(s) => {
            let text = s
                .to_str()
                .map_err(|_| bad(Code::InvalidDecimal, SURROGATE.into()))?;
            return parse_decimal(text).map_err(|(code, m)| bad(code, m));
        }
        Err(_) if v.is_instance_of::<PyBool>() => Scalar::Null,
        Err(_) => scalar(v, cached(v.py())?)?,
    };
    match scalar {
        Scalar::Num(d) => Ok(d),
        Scalar::Invalid(m) if m.contains("does not fit") => Err(bad(Code::DecimalOverflow, m)),
        Scalar::Invalid(m) if m.contains("not a decimal") || m.contains("finite") => {
            Err(bad(Code::InvalidDecimal, m))
        }
        _ => {
            let found = if v.is_instance_of::<PyBool>() {
                "a bool".into()
            } else {
                py_type(v)
            };
            Err(bad(
                Code::InvalidType,
                format!("expected a decimal (Decimal, int, float or str), found {found}"),
            ))
        }
    }
}

/// One value of an event's `data`, by the core's JSON reader's rules.
pub fn scalar(v: &Bound<'_, PyAny>, c: &Cached) -> PyResult<Scalar<'static>> {
    let number = |text: &str| match parse_decimal(text) {
        Ok(d) => Scalar::Num(d),
        Err((_, m)) => Scalar::Invalid(m),
    };
    let found = |what: &str| {
        Scalar::Invalid(format!(
            "expected a string, number or boolean, found {what}"
        ))
    };
    Ok(if let Ok(s) = v.cast::<PyString>() {
        match s.to_str() {
            Ok(t) => Scalar::Str(Cow::Owned(t.to_owned())),
            Err(_) => Scalar::Invalid(SURROGATE.into()),
        }
    } else if let Ok(f) = v.cast::<PyFloat>() {
        scalar_from_f64(f.value())
    } else if let Ok(b) = v.cast::<PyBool>() {
        Scalar::Bool(b.is_true())
    } else if v.is_instance_of::<PyInt>() {
        match v.extract::<i64>() {
            Ok(i) => Scalar::Num(Decimal::from(i)),
            Err(_) => number(&v.str()?.to_cow()?),
        }
    } else if v.is_none() {
        Scalar::Null
    } else if v.is_instance(c.decimal.bind(v.py()))? {
        number(&v.str()?.to_cow()?)
    } else if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        found("an array")
    } else if is_mapping(v, c)? {
        found("an object")
    } else if let Some(i) = integer(v) {
        // An integer of another library (numpy's `int64`, ...): its exact value.
        match i.extract::<i64>() {
            Ok(i) => Scalar::Num(Decimal::from(i)),
            Err(_) => number(&i.str()?.to_cow()?),
        }
    } else {
        found(&py_type(v))
    })
}

/// The Python `int` of a value that is an integer by `__index__` (numpy's integer scalars),
/// `None` for anything else.
fn integer<'py>(v: &Bound<'py, PyAny>) -> Option<Bound<'py, PyAny>> {
    let index = v.call_method0(pyo3::intern!(v.py(), "__index__")).ok()?;
    index.is_instance_of::<PyInt>().then_some(index)
}

// ---------------------------------------------------------------------------------------
// JSON (catalogs, options, events that are not plain dicts)

/// JSON text from a `str`, `bytes` or `bytearray` (borrowed where it can be); `None` otherwise.
pub fn json_text<'a>(v: &'a Bound<'_, PyAny>) -> Result<Option<Cow<'a, str>>> {
    let utf8 = |bytes: Cow<'a, [u8]>| {
        let not_utf8 = |e: std::str::Utf8Error| {
            let message = format!("not valid JSON: the bytes are not UTF-8 ({e})");
            fail(ErrorKind::InvalidJson, "", Code::InvalidJson, message)
        };
        match bytes {
            Cow::Borrowed(b) => std::str::from_utf8(b).map(Cow::Borrowed).map_err(not_utf8),
            Cow::Owned(b) => String::from_utf8(b)
                .map(Cow::Owned)
                .map_err(|e| not_utf8(e.utf8_error())),
        }
    };
    if let Ok(s) = v.cast::<PyString>() {
        Ok(Some(Cow::Borrowed(text(s, "")?)))
    } else if let Ok(b) = v.cast::<PyBytes>() {
        utf8(Cow::Borrowed(b.as_bytes())).map(Some)
    } else if let Ok(b) = v.cast::<PyByteArray>() {
        utf8(Cow::Owned(b.to_vec())).map(Some)
    } else {
        Ok(None)
    }
}

/// The text of the file a path object (`pathlib.Path`, any `os.PathLike`) names; `None` for
/// anything else.
pub fn file_text(v: &Bound<'_, PyAny>) -> Result<Option<String>> {
    let py = v.py();
    if !v.is_instance(cached(py)?.pathlike.bind(py))? {
        return Ok(None);
    }
    let path: std::path::PathBuf = py.import("os")?.call_method1("fspath", (v,))?.extract()?;
    let text = std::fs::read_to_string(&path).map_err(|e| {
        pyo3::exceptions::PyOSError::new_err(format!("cannot read {}: {e}", path.display()))
    })?;
    Ok(Some(text))
}

/// A catalog argument: a dict, JSON text (`str`/`bytes`), or a path to a JSON file.
pub fn catalog(v: &Bound<'_, PyAny>) -> Result<Value> {
    if let Some(text) = json_text(v)? {
        return Ok(ratecard::parse_json(&text)?);
    }
    match file_text(v)? {
        Some(text) => Ok(ratecard::parse_json(&text)?),
        None => to_json(v, cached(v.py())?, "", 0),
    }
}

/// A Python value as JSON, as `json.dumps` would write it, with two additions: a `Decimal` is
/// an exact number (a JSON string when it is not an integer, since the core reads decimals
/// from strings exactly), and an aware `datetime` is an RFC 3339 string.
pub fn to_json(v: &Bound<'_, PyAny>, c: &Cached, path: &str, depth: usize) -> Result<Value> {
    // Read without writing down where each value is (a path per value, formatted and thrown
    // away, was a fifth of reading a wallet); on an error, read again with paths, for its
    // path. Lists, tuples and mappings only are read, and reading them twice changes nothing.
    read_json(v, c, None, depth).map_err(|first| match read_json(v, c, Some(path), depth) {
        Err(placed) => placed,
        Ok(_) => first,
    })
}

/// [`to_json`], with the paths of the values read when `path` is given.
fn read_json(v: &Bound<'_, PyAny>, c: &Cached, at: Option<&str>, depth: usize) -> Result<Value> {
    let path = at.unwrap_or("");
    let not_json = |message: String| fail(ErrorKind::InvalidJson, path, Code::InvalidJson, message);
    if depth > 128 {
        return Err(not_json(
            "not valid JSON: nests deeper than 128 levels".into(),
        ));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(Value::String(text(s, path)?.to_owned()));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let mut list = Vec::new();
        for (i, x) in v.try_iter()?.enumerate() {
            let child = at.map(|p| format!("{p}[{i}]"));
            list.push(read_json(&x?, c, child.as_deref(), depth + 1)?);
        }
        return Ok(Value::Array(list));
    }
    if is_mapping(v, c)? {
        let items: Vec<(Bound<'_, PyAny>, Bound<'_, PyAny>)> = match v.cast::<PyDict>() {
            Ok(d) => d.iter().collect(),
            Err(_) => v
                .cast::<PyMapping>()
                .map_err(PyErr::from)?
                .items()?
                .extract()?,
        };
        let mut map = Map::new();
        for (k, x) in items {
            let Ok(key) = k.cast::<PyString>() else {
                return Err(not_json(format!(
                    "not valid JSON: a key is {}, not a string",
                    py_type(&k)
                )));
            };
            let key = text(key, path)?;
            let child = at.map(|p| ratecard::issue::join_path(p, key));
            map.insert(
                key.to_owned(),
                read_json(&x, c, child.as_deref(), depth + 1)?,
            );
        }
        return Ok(Value::Object(map));
    }
    if let Some(t) = datetime(v, ErrorKind::InvalidJson, path)? {
        return Ok(Value::String(t.to_rfc3339()));
    }
    Ok(match scalar(v, c)? {
        Scalar::Null => Value::Null,
        Scalar::Bool(b) => Value::Bool(b),
        // Integers as JSON numbers when they fit; floats as `json.dumps` writes them.
        _ if v.is_instance_of::<PyFloat>() => {
            let f: f64 = v.extract()?;
            Number::from_f64(f).map_or_else(|| Value::String(f.to_string()), Value::Number)
        }
        Scalar::Num(d) if d.scale() == 0 && i64::try_from(d.mantissa()).is_ok() => {
            Value::Number(i64::try_from(d.mantissa()).unwrap_or_default().into())
        }
        Scalar::Num(d) => Value::String(d.to_string()),
        _ if v.is_instance_of::<PyInt>() || v.is_instance(c.decimal.bind(v.py()))? => {
            Value::String(v.str()?.to_str()?.to_owned())
        }
        _ => {
            return Err(not_json(format!(
                "not valid JSON: {} cannot be written as JSON",
                py_type(v)
            )))
        }
    })
}

// ---------------------------------------------------------------------------------------
// Quote options

/// The keyword arguments every quoting call takes.
#[derive(Default)]
pub struct OptionArgs<'a, 'py> {
    pub at: Option<&'a Bound<'py, PyAny>>,
    pub now: Option<&'a Bound<'py, PyAny>>,
    pub express_in: Option<&'a Bound<'py, PyAny>>,
    pub products: Option<&'a Bound<'py, PyAny>>,
    pub prior_usage: Option<&'a Bound<'py, PyAny>>,
    pub explain: Option<bool>,
    /// The wire form, for options read from JSON; keywords win over it.
    pub options: Option<&'a Bound<'py, PyAny>>,
    /// `quote_many`'s `on_error` (read by the core, which names what it takes).
    pub on_error: Option<&'a Bound<'py, PyAny>>,
    /// Other keywords of the wire form (a preview's), by wire name.
    pub more: Vec<(&'static str, &'a Bound<'py, PyAny>)>,
}

fn given<'a, 'py>(v: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    v.filter(|x| !x.is_none())
}

impl<'a, 'py> OptionArgs<'a, 'py> {
    /// The keywords of a quoting call, in signature order; `explain` must be a `bool`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        at: Option<&'a Bound<'py, PyAny>>,
        express_in: Option<&'a Bound<'py, PyAny>>,
        products: Option<&'a Bound<'py, PyAny>>,
        prior_usage: Option<&'a Bound<'py, PyAny>>,
        explain: Option<&'a Bound<'py, PyAny>>,
        now: Option<&'a Bound<'py, PyAny>>,
        options: Option<&'a Bound<'py, PyAny>>,
    ) -> Result<Self> {
        let explain = flag(explain, "explain")?;
        Ok(OptionArgs {
            at,
            now,
            express_in,
            products,
            prior_usage,
            explain,
            options,
            on_error: None,
            more: Vec::new(),
        })
    }

    /// Whether anything but `explain` was passed.
    pub fn any(&self) -> bool {
        [
            self.at,
            self.now,
            self.express_in,
            self.products,
            self.prior_usage,
            self.options,
        ]
        .into_iter()
        .any(|a| given(a).is_some())
    }

    /// The core's options. The common calls (lists of `str`, `explain`, `now=False`) are built
    /// directly; anything else goes through the core's own wire reader, so that every runtime
    /// reports the same codes and paths for the same mistakes.
    pub fn read(&self, py: Python<'_>, default_explain: bool) -> Result<QuoteOptions> {
        let no_clock = self.no_clock();
        let explain = self.explain.unwrap_or(default_explain);
        let direct = given(self.options).is_none()
            && given(self.on_error).is_none()
            && given(self.prior_usage).is_none()
            && given(self.at).is_none()
            && (no_clock || given(self.now).is_none());
        if let (true, Some(express_in), Some(products)) =
            (direct, str_list(self.express_in)?, str_list(self.products)?)
        {
            return Ok(QuoteOptions {
                now: if no_clock { None } else { now() },
                express_in: express_in.unwrap_or_default(),
                products,
                explain,
                ..QuoteOptions::default()
            });
        }
        let mut options = QuoteOptions::from_value(&Value::Object(self.wire(py, explain)?))?;
        if options.now.is_none() && !self.no_clock() {
            options.now = now();
        }
        Ok(options)
    }

    /// Whether `now=False` asked for no clock.
    pub fn no_clock(&self) -> bool {
        self.now
            .is_some_and(|v| v.cast::<PyBool>().is_ok_and(|b| !b.is_true()))
    }

    /// The options in the wire form (`options=` with the keywords over it), for the core's
    /// reader; `now` only when given.
    pub fn wire(&self, py: Python<'_>, explain: bool) -> Result<Map<String, Value>> {
        let no_clock = self.no_clock();
        let c = cached(py)?;
        let json = |v: &Bound<'_, PyAny>, path: &str| {
            to_json(v, c, path, 0).map_err(|f| match f {
                Fail::Core(e) => {
                    Fail::Core(ratecard::Error::new(ErrorKind::InvalidArgument, e.issues))
                }
                other => other,
            })
        };
        let mut map = match given(self.options).map(|o| json(o, "")).transpose()? {
            None => Map::new(),
            Some(Value::Object(m)) => m,
            Some(_) => {
                let message = "options must be an object (a dict)";
                return Err(fail(
                    ErrorKind::InvalidArgument,
                    "",
                    Code::InvalidType,
                    message,
                ));
            }
        };
        for (name, v) in [("at", self.at), ("now", self.now.filter(|_| !no_clock))] {
            if let Some(v) = given(v) {
                let t = instant(v, ErrorKind::InvalidArgument, name)?;
                map.insert(name.into(), Value::String(t.to_rfc3339()));
            }
        }
        let lists = [
            ("express_in", self.express_in),
            ("products", self.products),
            ("prior_usage", self.prior_usage),
            ("on_error", self.on_error),
        ];
        for (name, v) in lists {
            if let Some(v) = given(v) {
                map.insert(name.into(), json(v, name)?);
            }
        }
        for (name, v) in &self.more {
            if let Some(v) = given(Some(v)) {
                map.insert((*name).into(), json(v, name)?);
            }
        }
        if self.explain.is_some() || !map.contains_key("explain") {
            map.insert("explain".into(), Value::Bool(explain));
        }
        Ok(map)
    }
}

/// `Some(None)` when not given; `Some(Some(list))` for a `list` or `tuple` of exactly `str`s;
/// `None` for anything else (which the wire reader then reads, or reports).
fn str_list(v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Option<Vec<String>>>> {
    let Some(v) = given(v) else {
        return Ok(Some(None));
    };
    if !(v.is_exact_instance_of::<PyList>() || v.is_exact_instance_of::<PyTuple>()) {
        return Ok(None);
    }
    let mut out = Vec::new();
    for item in v.try_iter()? {
        match item?.cast_exact::<PyString>() {
            Ok(s) if s.to_str().is_ok() => out.push(s.to_str()?.to_owned()),
            _ => return Ok(None),
        }
    }
    Ok(Some(Some(out)))
}

// ---------------------------------------------------------------------------------------
// Events

/// One value of an event's `data` as kept: a `str` as the object itself.
enum Val {
    Str(Py<PyString>),
    Other(Scalar<'static>),
}

/// An event as read, owned by the quote made from it, so that its explanation can be computed
/// later from exactly these inputs (a dict changed after `quote` returned changes nothing). It
/// keeps Python's own immutable `str` objects, so keeping it copies no text.
pub struct Snap {
    pub event_type: Py<PyString>,
    pub id: Option<Py<PyString>>,
    occurred_at: Option<Instant>,
    data: Vec<(Py<PyString>, Val)>,
    /// Top-level keys that are not UsageEvent fields (the core warns about them).
    extra: Vec<Py<PyString>>,
}

impl Snap {
    /// Reads one event (a dict, any mapping, or anything else the core then reports on).
    /// Structural problems fail at once, as the core's JSON reader says them; the caller runs
    /// [`Event::check`] on [`Snap::event`] for the rest.
    pub fn read(v: &Bound<'_, PyAny>, c: &Cached) -> Result<Snap> {
        if let Ok(dict) = v.cast::<PyDict>() {
            if let Some(snap) = Snap::plain(dict)? {
                return Ok(snap);
            }
        }
        // Anything unusual goes the way of JSON text, and is read (or reported) by the core.
        let value = to_json(v, c, "", 0)?;
        let event = Event::from_value(&value)?;
        let py = v.py();
        let text = |s: &str| PyString::new(py, s).unbind();
        Ok(Snap {
            event_type: text(&event.event_type),
            id: event.id.as_deref().map(text),
            occurred_at: event.occurred_at,
            data: event
                .data
                .into_iter()
                .map(|(k, x)| {
                    let x = match x {
                        Scalar::Str(s) => Val::Str(text(&s)),
                        Scalar::Num(d) => Val::Other(Scalar::Num(d)),
                        Scalar::Bool(b) => Val::Other(Scalar::Bool(b)),
                        Scalar::Null => Val::Other(Scalar::Null),
                        Scalar::Invalid(m) => Val::Other(Scalar::Invalid(m)),
                    };
                    (text(&k), x)
                })
                .collect(),
            extra: event.extra.iter().map(|k| text(k)).collect(),
        })
    }

    /// A well-formed plain dict, read directly; `None` when some field is malformed (the JSON
    /// path then reports the first problem exactly where the core's reader would).
    fn plain(dict: &Bound<'_, PyDict>) -> Result<Option<Snap>> {
        let py = dict.py();
        let c = cached(py)?;
        // Strings are read as text later (`Snap::event`): any that has none goes the JSON way.
        let Some(Ok(event_type)) = dict
            .get_item(intern!(py, "event_type"))?
            .map(|t| t.cast_into::<PyString>())
            .filter(|t| t.as_ref().is_ok_and(|t| t.to_str().is_ok()))
        else {
            return Ok(None);
        };
        // Keys read here; a dict with any other goes the JSON way, where the core reads the
        // UsageEvent's other fields and warns about (or refuses) keys that are none of them.
        let mut keys = 1;
        let id = match dict.get_item(intern!(py, "id"))? {
            None => None,
            Some(id) if id.is_none() => {
                keys += 1;
                None
            }
            Some(id) => match id.cast_into::<PyString>() {
                Ok(s) if s.to_str().is_ok() => {
                    keys += 1;
                    Some(s.unbind())
                }
                _ => return Ok(None),
            },
        };
        let occurred_at = match dict.get_item(intern!(py, "occurred_at"))? {
            None => None,
            Some(t) if t.is_none() => {
                keys += 1;
                None
            }
            Some(t) => match t.cast::<PyString>() {
                Ok(s) => match s.to_str().map(Instant::parse) {
                    Ok(Ok(t)) => Some(t),
                    _ => return Ok(None),
                },
                Err(_) => match datetime(&t, ErrorKind::InvalidEvent, "occurred_at")? {
                    Some(t) => Some(t),
                    None => return Ok(None),
                },
            },
        };
        if occurred_at.is_some() {
            keys += 1;
        }
        let mut data = Vec::new();
        match dict.get_item(intern!(py, "data"))? {
            None => {}
            Some(d) if d.is_none() => keys += 1,
            Some(d) => {
                keys += 1;
                let Ok(d) = d.cast_into::<PyDict>() else {
                    return Ok(None);
                };
                data.reserve(d.len());
                for (k, x) in d.iter() {
                    let Some(k) = k
                        .cast_into::<PyString>()
                        .ok()
                        .filter(|k| k.to_str().is_ok())
                    else {
                        return Ok(None);
                    };
                    let x = match x.cast_into::<PyString>() {
                        Ok(s) if s.to_str().is_err() => {
                            Val::Other(Scalar::Invalid(SURROGATE.into()))
                        }
                        Ok(s) => Val::Str(s.unbind()),
                        Err(e) => Val::Other(scalar(&e.into_inner(), c)?),
                    };
                    data.push((k.unbind(), x));
                }
            }
        }
        if dict.len() > keys {
            return Ok(None);
        }
        Ok(Some(Snap {
            event_type: event_type.unbind(),
            id,
            occurred_at,
            data,
            extra: Vec::new(),
        }))
    }

    /// Reads a list of events (any iterable) one by one: each a snap, or the core's error that
    /// kept it from being read (prefixed with its index), so that a batch reports (or returns)
    /// every bad event. One mapping is a list of one, its paths unprefixed.
    pub fn read_each(
        v: &Bound<'_, PyAny>,
        c: &Cached,
    ) -> Result<Vec<std::result::Result<Snap, ratecard::Error>>> {
        if is_mapping(v, c)? {
            return Ok(vec![match Snap::read(v, c) {
                Ok(snap) => Ok(snap),
                Err(Fail::Core(e)) => Err(e),
                Err(other) => return Err(other),
            }]);
        }
        let Ok(items) = v.try_iter() else {
            let message = format!("expected a list of events, found {}", py_type(v));
            return Err(fail(
                ErrorKind::InvalidEvent,
                "",
                Code::InvalidType,
                message,
            ));
        };
        let mut snaps = Vec::new();
        for (i, item) in items.enumerate() {
            snaps.push(match Snap::read(&item?, c) {
                Ok(snap) => Ok(snap),
                Err(Fail::Core(e)) => Err(e.prefixed(&format!("[{i}]"))),
                Err(other) => return Err(other),
            });
        }
        Ok(snaps)
    }

    /// The core's event, borrowing the text of this one's `str` objects.
    pub fn event<'a>(&'a self, py: Python<'a>) -> PyResult<Event<'a>> {
        let text = |s: &'a Py<PyString>| -> PyResult<&'a str> { s.bind(py).to_str() };
        let mut data = Vec::with_capacity(self.data.len());
        for (k, x) in &self.data {
            let x = match x {
                Val::Str(s) => Scalar::Str(Cow::Borrowed(text(s)?)),
                Val::Other(x) => x.clone(),
            };
            data.push((Cow::Borrowed(text(k)?), x));
        }
        Ok(Event {
            id: self.id.as_ref().map(text).transpose()?.map(Cow::Borrowed),
            event_type: Cow::Borrowed(text(&self.event_type)?),
            occurred_at: self.occurred_at,
            data,
            extra: self
                .extra
                .iter()
                .map(|k| text(k).map(Cow::Borrowed))
                .collect::<PyResult<_>>()?,
        })
    }
}

/// The event of a batch's slot, checked by the core, or why it is not one (the read's error,
/// or the check's, at `prefix`: the event's index, or nothing for one mapping). The prefix is
/// written only for an event that fails: batches are long.
pub fn checked<'a>(
    py: Python<'a>,
    prefix: impl Fn() -> String,
    slot: &'a std::result::Result<Snap, ratecard::Error>,
) -> PyResult<std::result::Result<Event<'a>, ratecard::Error>> {
    let snap = match slot {
        Ok(snap) => snap,
        Err(e) => return Ok(Err(e.clone())),
    };
    let event = snap.event(py)?;
    Ok(match event.check("") {
        Ok(()) => Ok(event),
        Err(e) => Err(e.prefixed(&prefix())),
    })
}

//! Usage events, as the billing API's `POST /events` takes them.
//!
//! Events are the hot path (a batch may hold millions), so they are read with serde straight
//! into borrowed strings, never through a `serde_json::Value` map, and with hand-written
//! visitors rather than `#[serde(untagged)]`, which would buffer every value.
//!
//! When an event is wrong, the same visitors say where, on a second read of the failing input:
//! they are generic over a `Track`, which is `Untracked` (nothing, compiled away) for the
//! first read and a `Trail` for the second, where each value an error passes through on its
//! way out adds its place (`x`, then `data`, then `[3]`).

use crate::instant::Instant;
use crate::issue::{from_serde, Code, Error, ErrorKind, Gathered, Issue};
use crate::number::parse_decimal;
use rust_decimal::Decimal;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

/// One usage event. `id` and `occurred_at` are optional for a preview.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Event<'a> {
    pub id: Option<Cow<'a, str>>,
    pub event_type: Cow<'a, str>,
    pub occurred_at: Option<Instant>,
    /// `data` in the order given; keys are few, so a list beats a map.
    pub data: Vec<(Cow<'a, str>, Scalar<'a>)>,
    /// Top-level keys that are not UsageEvent fields ([`KNOWN`]), in the order given: each is
    /// warned about in the quote (`occured_at`: did you mean `occurred_at`?), and an event whose
    /// data is all up here is refused ([`Event::check`]).
    pub extra: Vec<Cow<'a, str>>,
}

/// A value of an event's `data`: a string, a number or a boolean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar<'a> {
    Str(Cow<'a, str>),
    Num(Decimal),
    Bool(bool),
    Null,
    /// Not a scalar, or a number that does not fit: the reason, reported by [`Event::check`].
    Invalid(String),
}

impl<'a> Event<'a> {
    /// An event of a type, with no data; fill `data` with [`Event::with`].
    pub fn new(event_type: impl Into<Cow<'a, str>>) -> Event<'a> {
        Event {
            event_type: event_type.into(),
            ..Event::default()
        }
    }

    pub fn with(mut self, key: impl Into<Cow<'a, str>>, value: Scalar<'a>) -> Event<'a> {
        self.data.push((key.into(), value));
        self
    }

    pub fn get(&self, key: &str) -> Option<&Scalar<'a>> {
        self.data.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Reads one event from JSON text.
    pub fn from_json(text: &'a str) -> Result<Event<'a>, Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let event = EventSeed(Untracked)
            .deserialize(&mut de)
            .and_then(|e| de.end().map(|_| e))
            .map_err(|err| {
                // The re-read stops where the first one did (or reads it all if only the end
                // failed, which is then at the root).
                located(&err, |trail| {
                    EventSeed(trail).deserialize(&mut serde_json::Deserializer::from_str(text))
                })
            })?;
        event.check("")?;
        Ok(event)
    }

    /// Reads one event from a JSON value (strings are borrowed from it).
    pub fn from_value(value: &'a serde_json::Value) -> Result<Event<'a>, Error> {
        let event = EventSeed(Untracked)
            .deserialize(value)
            .map_err(|err| located(&err, |trail| EventSeed(trail).deserialize(value)))?;
        event.check("")?;
        Ok(event)
    }

    /// Reads a JSON array of events (or one event object, as a list of one). A batch with bad
    /// events fails with every one's issues, in order, paths prefixed with the event's index.
    pub fn many_from_json(text: &'a str) -> Result<Vec<Event<'a>>, Error> {
        let read = Event::each_from_json(text)?;
        let mut events = Vec::with_capacity(read.len());
        let mut bad = Gathered::default();
        for one in read {
            match one {
                Ok(event) => events.push(event),
                Err(e) => bad.add(e),
            }
        }
        bad.into_result()?;
        Ok(events)
    }

    /// Reads a JSON array of events, each one on its own: an event, or the error that kept it
    /// from being read (paths prefixed with its index), so that a batch reports (or skips)
    /// every bad event. Fails as a whole only when the text is not a JSON array of values, or
    /// holds more events than [`crate::limits::BATCH_EVENTS`]. One event object is a list of
    /// one, its paths unprefixed.
    pub fn each_from_json(text: &'a str) -> Result<Vec<Result<Event<'a>, Error>>, Error> {
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') {
            return Ok(vec![Event::from_json(text)]);
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let all = de
            .deserialize_seq(Events(Untracked))
            .and_then(|e| de.end().map(|_| e));
        let events = match all {
            Ok(events) => events,
            // Some event is malformed: read each on its own, if the text is an array at all.
            Err(err) => match serde_json::from_str::<Vec<&'a serde_json::value::RawValue>>(text) {
                Ok(raws) => {
                    crate::limits::check_batch(raws.len())?;
                    return Ok(raws
                        .into_iter()
                        .enumerate()
                        .map(|(i, raw)| {
                            let event = Event::from_json(raw.get());
                            event.map_err(|e| e.prefixed(&format!("[{i}]")))
                        })
                        .collect());
                }
                Err(_) => {
                    return Err(located(&err, |trail| {
                        serde_json::Deserializer::from_str(text).deserialize_seq(Events(trail))
                    }))
                }
            },
        };
        crate::limits::check_batch(events.len())?;
        Ok(events
            .into_iter()
            .enumerate()
            .map(|(i, e)| match e.check("") {
                Ok(()) => Ok(e),
                Err(err) => Err(err.prefixed(&format!("[{i}]"))),
            })
            .collect())
    }

    /// What serde cannot say: an empty event type, data values that are not scalars.
    pub fn check(&self, prefix: &str) -> Result<(), Error> {
        let mut issues = Vec::new();
        if self.event_type.len() > crate::limits::STRING_BYTES {
            issues.push(
                Issue::new(
                    "event_type",
                    Code::LimitExceeded,
                    crate::limits::long_string(&self.event_type),
                )
                .prefixed(prefix),
            );
        }
        if self.event_type.trim().is_empty() {
            issues.push(
                Issue::new(
                    "event_type",
                    Code::InvalidValue,
                    "event_type must not be empty",
                )
                .prefixed(prefix),
            );
        }
        if self.data.is_empty() {
            let flat: Vec<&str> = self
                .extra
                .iter()
                .map(|k| k.as_ref())
                .filter(|k| crate::issue::nearest(k, KNOWN).is_none())
                .collect();
            if let Some(first) = flat.first() {
                issues.push(
                    Issue::new(
                        *first,
                        Code::FlatEvent,
                        format!(
                            "{} {} not UsageEvent fields and the event has no \"data\": an event's data goes under \"data\" ({{\"event_type\": ..., \"data\": {{{}: ...}}}}); quote_frame reads flat rows",
                            quoted(&flat),
                            if flat.len() == 1 { "is" } else { "are" },
                            flat.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(": ..., ")
                        ),
                    )
                    .prefixed(prefix),
                );
            }
        }
        for (key, value) in &self.data {
            if let Scalar::Invalid(reason) = value {
                let code = if reason.contains("does not fit") {
                    Code::DecimalOverflow
                } else {
                    Code::InvalidType
                };
                issues
                    .push(Issue::new(format!("data.{key}"), code, reason.clone()).prefixed(prefix));
            }
        }
        if issues.is_empty() {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::InvalidEvent, issues))
        }
    }
}

/// `"a", "b" and "c"`.
fn quoted(keys: &[&str]) -> String {
    let mut out = String::new();
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == keys.len() { " and " } else { ", " });
        }
        out.push_str(&format!("{k:?}"));
    }
    out
}

/// The error of a failed read, at the path where `reread` (the same read, tracked) fails.
fn located<T>(
    err: &serde_json::Error,
    reread: impl FnOnce(&Trail) -> Result<T, serde_json::Error>,
) -> Error {
    let trail = Trail::default();
    // Only the trail it leaves matters: the first read's error is the one reported.
    let _ = reread(&trail);
    from_serde(ErrorKind::InvalidEvent, err, trail.path())
}

/// A place in the input: an object's key or an array's index.
#[derive(Clone, Copy)]
enum Place<'k> {
    Key(&'k str),
    Index(usize),
}

/// What a read does with the places a failure passes: nothing ([`Untracked`]), or keep them
/// (a [`Trail`]). The visitors are generic over it, so the untracked read (every valid event)
/// is compiled as if there were no tracking at all.
trait Track: Copy {
    /// Called as an error leaves the value at `place`.
    fn mark(self, place: Place<'_>);

    /// `seed`, read as the value at `place`: if it fails, the place is marked.
    fn at<'k, S>(self, place: Place<'k>, seed: S) -> At<'k, S, Self> {
        At {
            seed,
            track: self,
            place,
        }
    }

    /// The next key of an object. A key that cannot be read (not a string, cut off, after a
    /// trailing comma) is the place `?`.
    fn next_key<'de, A: MapAccess<'de>>(
        self,
        map: &mut A,
    ) -> Result<Option<Cow<'de, str>>, A::Error> {
        map.next_key::<CowStr<'de>>()
            .map(|key| key.map(|k| k.0))
            .inspect_err(|_| self.mark(Place::Key("?")))
    }
}

/// The first read: no tracking.
#[derive(Clone, Copy)]
struct Untracked;

impl Track for Untracked {
    #[inline(always)]
    fn mark(self, _: Place<'_>) {}
}

/// The places a failure passed on its way out, innermost first (a `Cell` of a list, taken and
/// put back: no borrow flags to check).
#[derive(Default)]
struct Trail(Cell<Vec<Step>>);

/// A place kept on the trail.
enum Step {
    Key(String),
    Index(usize),
}

impl Track for &Trail {
    fn mark(self, place: Place<'_>) {
        let mut steps = self.0.take();
        steps.push(match place {
            Place::Key(key) => Step::Key(key.to_string()),
            Place::Index(i) => Step::Index(i),
        });
        self.0.set(steps);
    }
}

impl Trail {
    /// The path of the failure, written byte for byte as the serde_path_to_error crate this
    /// replaces wrote it (users and the conformance vectors see it): `[3].data.x`, keys joined
    /// by `.` (even an empty one), indexes in brackets; empty for the whole input, which also
    /// covers a top-level `?`, and with any leading `.` dropped.
    fn path(&self) -> String {
        let steps = self.0.take();
        let mut out = String::new();
        for (i, step) in steps.iter().rev().enumerate() {
            match step {
                Step::Index(n) => {
                    out.push('[');
                    out.push_str(&n.to_string());
                    out.push(']');
                }
                Step::Key(key) => {
                    if i > 0 {
                        out.push('.');
                    }
                    out.push_str(key);
                }
            }
        }
        match out.trim_start_matches('.') {
            "?" => String::new(),
            path => path.to_string(),
        }
    }
}

/// A seed read at a place of an object or array, see [`Track::at`]. Errors of the object or
/// array itself (a missing `:` or `,`) do not pass through it: they are the container's.
struct At<'k, S, T> {
    seed: S,
    track: T,
    place: Place<'k>,
}

impl<'de, S: DeserializeSeed<'de>, T: Track> DeserializeSeed<'de> for At<'_, S, T> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        let At { seed, track, place } = self;
        seed.deserialize(d).inspect_err(|_| track.mark(place))
    }
}

/// A string that borrows from the input when it can.
struct CowStr<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CowStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ScalarSeed(Untracked).deserialize(d)
    }
}

/// Reads a [`Scalar`]; arrays and objects are skipped (and reported by [`Event::check`]).
struct ScalarSeed<T>(T);

impl<'de, T: Track> DeserializeSeed<'de> for ScalarSeed<T> {
    type Value = Scalar<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Scalar<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Track> Visitor<'de> for ScalarSeed<T> {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number or boolean")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Num(Decimal::from(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Num(Decimal::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(scalar_from_double(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut index = 0;
        while seq
            .next_element_seed(
                self.0
                    .at(Place::Index(index), PhantomData::<de::IgnoredAny>),
            )?
            .is_some()
        {
            index += 1;
        }
        Ok(Scalar::Invalid(
            "expected a string, number or boolean, found an array".into(),
        ))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // Keys are read as strings (not skipped) only to name the place of a bad value.
        while let Some(key) = self.0.next_key(&mut map)? {
            map.next_value_seed(self.0.at(Place::Key(&key), PhantomData::<de::IgnoredAny>))?;
        }
        Ok(Scalar::Invalid(
            "expected a string, number or boolean, found an object".into(),
        ))
    }
}

/// A JSON number that was not an integer: the decimal its shortest round-trip text names (see
/// `number.rs`). This is the one place where a binary double is read, and only to be turned
/// into text; it is never used in arithmetic.
pub fn scalar_from_double(v: f64) -> Scalar<'static> {
    if !v.is_finite() {
        return Scalar::Invalid(format!("{v} is not a finite number"));
    }
    if let Some(d) = shortest_decimal(v) {
        return Scalar::Num(d);
    }
    // What does not fit a decimal is reported with the number written out in full (Rust
    // prints a double with its shortest round-trip digits and never in exponent form).
    match parse_decimal(&v.to_string()) {
        Ok(d) => Scalar::Num(d.normalize()),
        Err((_, message)) => Scalar::Invalid(message),
    }
}

/// The decimal a finite double's shortest round-trip digits name, normalized, built from those
/// digits directly (zmij writes them several times faster than the formatter); `None` when it
/// does not fit a decimal (more than 28 places, or too large), which the caller reports.
fn shortest_decimal(v: f64) -> Option<Decimal> {
    let mut buffer = zmij::Buffer::new();
    // `-1.25e-7`, `123.456`, `100.0`, `1e+21`: at most 17 significant digits.
    let text = buffer.format_finite(v);
    let (body, negative) = match text.strip_prefix('-') {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    let (digits, exponent) = match body.split_once('e') {
        Some((d, e)) => (d, e.parse::<i32>().ok()?),
        None => (body, 0),
    };
    let mut mantissa: i128 = 0;
    let mut places: i32 = 0;
    let mut after_point = false;
    for b in digits.bytes() {
        match b {
            b'.' => after_point = true,
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + i128::from(b - b'0');
                places += i32::from(after_point);
            }
            _ => return None,
        }
    }
    // The value is mantissa × 10^(exponent - places).
    let shift = exponent - places;
    let (mantissa, scale) = if shift >= 0 {
        (
            mantissa.checked_mul(10i128.checked_pow(u32::try_from(shift).ok()?)?)?,
            0,
        )
    } else {
        (mantissa, u32::try_from(-shift).ok()?)
    };
    if scale > 28 {
        return None;
    }
    let signed = if negative { -mantissa } else { mantissa };
    Decimal::try_from_i128_with_scale(signed, scale)
        .ok()
        .map(|d| d.normalize())
}

/// A JavaScript or Python number (a double) as the decimal the JSON path reads from its text:
/// `JSON.stringify` and `repr` write the shortest digits that read back as the same double, so
/// this is [`scalar_from_double`] for fractions and the exact integer for whole numbers, with
/// zero (also `-0`, which both write as `0`) as `0`.
///
/// Fast for the numbers events carry (volumes with a few decimal places): for the first `k` in
/// `0..=15` where `m = round(v * 10^k)` divides back to exactly `v`, the decimal is `m * 10^-k`.
/// IEEE division is correctly rounded, so `m / 10^k == v` says that `m * 10^-k` reads back as
/// `v`; with `|v * 10^k| < 2^50` no other decimal of `k` places does (doubles are closer
/// together there than a quarter of `10^-k`), none of fewer places does (`k` is the first), and
/// the product's rounding error is too small to pick the wrong `m`. Anything else (huge, tiny,
/// many digits) goes through [`scalar_from_double`]. A property test checks both agree.
pub fn scalar_from_f64(v: f64) -> Scalar<'static> {
    const LIMIT: f64 = 1_125_899_906_842_624.0; // 2^50
    if v == 0.0 {
        return Scalar::Num(Decimal::ZERO);
    }
    if v.is_finite() {
        let mut p = 1.0f64;
        for k in 0..=15u32 {
            let scaled = v * p;
            if scaled.abs() >= LIMIT {
                break;
            }
            let m = scaled.round();
            if m / p == v {
                // |m| < 2^50: the conversion is exact.
                #[allow(clippy::cast_possible_truncation)]
                return Scalar::Num(Decimal::new(m as i64, k));
            }
            p *= 10.0;
        }
    }
    scalar_from_double(v)
}

/// An RFC 3339 timestamp, checked while reading so that a bad one is reported at its path.
struct Timestamp(Instant);

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let CowStr(text) = CowStr::deserialize(d)?;
        Instant::parse(&text)
            .map(Timestamp)
            .map_err(|m| de::Error::custom(format!("invalid_timestamp: {m}")))
    }
}

/// Reads an event's `data`: an object of scalars, or `null` for none (read by `visit_unit`, no
/// `Option` around it).
struct DataSeed<T>(T);

impl<'de, T: Track> DeserializeSeed<'de> for DataSeed<T> {
    type Value = Vec<(Cow<'de, str>, Scalar<'de>)>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Track> Visitor<'de> for DataSeed<T> {
    type Value = Vec<(Cow<'de, str>, Scalar<'de>)>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of strings, numbers and booleans")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(4).min(64));
        while let Some(key) = self.0.next_key(&mut map)? {
            let value = map.next_value_seed(self.0.at(Place::Key(&key), ScalarSeed(self.0)))?;
            // Keys are few: a scan costs less than a set.
            if out.iter().any(|(k, _): &(Cow<'de, str>, _)| *k == key) {
                self.0.mark(Place::Key(&key));
                return Err(duplicate(&key));
            }
            out.push((key, value));
        }
        Ok(out)
    }
    /// `"data": null` is no data.
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
}

impl<'de> Deserialize<'de> for Event<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        EventSeed(Untracked).deserialize(d)
    }
}

/// Reads one [`Event`].
struct EventSeed<T>(T);

impl<'de, T: Track> DeserializeSeed<'de> for EventSeed<T> {
    type Value = Event<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Event<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: Track> Visitor<'de> for EventSeed<T> {
    type Value = Event<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a usage event object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let track = self.0;
        let mut event = Event::default();
        let mut has_type = false;
        // Which of the known fields were given (bit i: KNOWN[i]), to refuse one given twice.
        let mut seen = 0u16;
        while let Some(key) = track.next_key(&mut map)? {
            let place = Place::Key(&key);
            let known = KNOWN.iter().position(|k| *k == key.as_ref());
            let bit = known.map_or(0, |i| 1u16 << i);
            if seen & bit != 0 || (known.is_none() && event.extra.contains(&key)) {
                map.next_value_seed(track.at(place, PhantomData::<de::IgnoredAny>))?;
                track.mark(place);
                return Err(duplicate(&key));
            }
            seen |= bit;
            match key.as_ref() {
                "event_type" => {
                    event.event_type = map
                        .next_value_seed(track.at(place, PhantomData::<CowStr<'de>>))?
                        .0;
                    has_type = true;
                }
                "id" => {
                    event.id = map
                        .next_value_seed(track.at(place, PhantomData::<Option<CowStr<'de>>>))?
                        .map(|c| c.0)
                }
                "occurred_at" => {
                    event.occurred_at = map
                        .next_value_seed(track.at(place, PhantomData::<Option<Timestamp>>))?
                        .map(|t| t.0);
                }
                "data" => event.data = map.next_value_seed(track.at(place, DataSeed(track)))?,
                _ => {
                    map.next_value_seed(track.at(place, PhantomData::<de::IgnoredAny>))?;
                    if known.is_none() {
                        event.extra.push(key);
                    }
                }
            }
        }
        if !has_type {
            return Err(de::Error::missing_field("event_type"));
        }
        Ok(event)
    }
}

/// The top-level fields of the billing API's UsageEvent (and the customer fields of its batch
/// request, which logs often keep on each event). Only the first four matter to a price; any
/// other key is kept in [`Event::extra`] and warned about (or refused: [`Event::check`]).
pub const KNOWN: [&str; 9] = [
    "event_type",
    "id",
    "occurred_at",
    "data",
    "subject",
    "description",
    "costs",
    "customer_id",
    "customer_external_id",
];

/// The error for a key given twice in one object (see `json.rs`).
fn duplicate<E: de::Error>(key: &str) -> E {
    E::custom(format!(
        "duplicate_key: the key {key:?} is given twice in one object; ratecard will not guess which value was meant"
    ))
}

/// A JSON array of events; an error in one is at its index (`[3].data.x`).
struct Events<T>(T);

impl<'de, T: Track> Visitor<'de> for Events<T> {
    type Value = Vec<Event<'de>>;
    /// What serde's `Vec` says: the text is in the error users see.
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut events = Vec::new();
        while let Some(event) =
            seq.next_element_seed(self.0.at(Place::Index(events.len()), EventSeed(self.0)))?
        {
            events.push(event);
        }
        Ok(events)
    }
}

/// A volume read from an event's data: a number, or a string holding one.
pub fn volume_of(value: &Scalar<'_>) -> Result<Decimal, String> {
    match value {
        Scalar::Num(d) => Ok(*d),
        Scalar::Str(s) => parse_decimal(s).map_err(|(_, m)| m),
        Scalar::Bool(_) => Err("a boolean is not a volume".into()),
        Scalar::Null => Err("null is not a volume".into()),
        Scalar::Invalid(reason) => Err(reason.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_tutorial_event_borrowing_strings() {
        let text = r#"{"id":"evt_1","event_type":"image_generated","occurred_at":"2026-03-01T12:00:00Z",
            "subject":"img_1","data":{"model":"gli-1-0","seconds":4.5,"hd":true,"n":3}}"#;
        let e = Event::from_json(text).unwrap();
        assert!(matches!(e.event_type, Cow::Borrowed("image_generated")));
        assert_eq!(e.get("seconds"), Some(&Scalar::Num(Decimal::new(45, 1))));
        assert_eq!(e.get("hd"), Some(&Scalar::Bool(true)));
        assert_eq!(e.dimension("n").as_deref(), Some("3"));
    }

    #[test]
    fn errors_name_their_path_and_code() {
        let err = Event::many_from_json(r#"[{"event_type":"a"},{"event_type":5}]"#).err();
        let issue = err.as_ref().and_then(|e| e.issues.first());
        assert_eq!(
            issue.map(|i| (i.path.as_str(), i.code)),
            Some(("[1].event_type", Code::InvalidType))
        );

        let err = Event::from_json(r#"{"data":{}}"#).err();
        let issue = err.as_ref().and_then(|e| e.issues.first());
        assert_eq!(issue.map(|i| i.code), Some(Code::MissingField));

        let err = Event::from_json(r#"{"event_type":"a","data":{"x":{"y":1}}}"#).err();
        let issue = err.as_ref().and_then(|e| e.issues.first());
        assert_eq!(
            issue.map(|i| (i.path.as_str(), i.code)),
            Some(("data.x", Code::InvalidType))
        );

        let err = Event::from_json(r#"{"event_type":"a","occurred_at":"soon"}"#).err();
        let issue = err.as_ref().and_then(|e| e.issues.first());
        assert_eq!(
            issue.map(|i| (i.path.as_str(), i.code)),
            Some(("occurred_at", Code::InvalidTimestamp))
        );
    }

    /// The paths serde_path_to_error gave before the visitors tracked them, quirks included:
    /// syntax errors are at the value being read, `?` is a key that could not be read, a
    /// separator or trailing text belongs to the container (the root is empty).
    #[test]
    fn every_kind_of_failure_keeps_its_path() {
        let cases = [
            (
                r#"[{"event_type":"a"},{"event_type":"b","data":{"x":[1,}}]"#,
                "[1].data.x[1]",
                Code::InvalidJson,
            ),
            (
                r#"[{"event_type":"a"},{"event_type":"b","data":{"x":[1,"#,
                "[1].data.x",
                Code::InvalidJson,
            ),
            (
                r#"[{"event_type":"a","data":{"x":{"y":tru}}}]"#,
                "[0].data.x.y",
                Code::InvalidJson,
            ),
            (
                r#"[{"event_type":"a","extra":[1,}]"#,
                "[0].extra",
                Code::InvalidJson,
            ),
            (r#"[{"event_type":"a",}]"#, "[0].?", Code::InvalidJson),
            (r#"{"event_type":"a",}"#, "", Code::InvalidJson),
            (r#"[{"event_type" "a"}]"#, "[0]", Code::InvalidJson),
            (r#"[{"event_type":"a"},]"#, "", Code::InvalidJson),
            (r#"[{"event_type":"a"}] x"#, "", Code::InvalidJson),
            (
                r#"[{"event_type":"a","data":{"":{"x":[1,}}}}]"#,
                "[0].data..x",
                Code::InvalidJson,
            ),
            (
                r#"[{"event_type":"a","data":7}]"#,
                "[0].data",
                Code::InvalidType,
            ),
            (
                r#"[{"event_type":"a","id":5}]"#,
                "[0].id",
                Code::InvalidType,
            ),
            (r#"[5]"#, "[0]", Code::InvalidType),
            (
                r#"{"event_type":"a","occurred_at":"soon"}"#,
                "occurred_at",
                Code::InvalidTimestamp,
            ),
        ];
        for (text, path, code) in cases {
            let err = Event::many_from_json(text).err();
            let issue = err.as_ref().and_then(|e| e.issues.first());
            assert_eq!(
                issue.map(|i| (i.path.as_str(), i.code)),
                Some((path, code)),
                "{text}"
            );
        }

        let value =
            serde_json::json!({"event_type": "a", "data": {"x": 1, "y": {"z": 5}}, "id": 5});
        let err = Event::from_value(&value).err();
        let issue = err.as_ref().and_then(|e| e.issues.first());
        assert_eq!(
            issue.map(|i| (i.path.as_str(), i.code)),
            Some(("id", Code::InvalidType))
        );
        let err = Event::from_value(&serde_json::json!({"data": null})).err();
        let issue = err.as_ref().and_then(|e| e.issues.first());
        assert_eq!(
            issue.map(|i| (i.path.as_str(), i.code)),
            Some(("event_type", Code::MissingField))
        );
    }
}

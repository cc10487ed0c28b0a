//! Reading JSON objects field by field while collecting every problem with its path.
//!
//! Catalog parsing cannot stop at the first error (serde would): a person fixing a catalog
//! wants the whole list. So the catalog is read from a `serde_json::Value` through this small
//! reader, which records issues and returns `None` where a value is unusable, letting the
//! caller carry on with the rest.

use crate::instant::Instant;
use crate::issue::{join_path, Code, Issue};
use crate::limits;
use crate::number::{decimal_from_value, type_name};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// Issues found so far, and what is left of the limits (`limits.rs`).
#[derive(Debug)]
pub(crate) struct Found {
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
    /// Objects read so far.
    objects: usize,
    /// Past [`limits::CATALOG_OBJECTS`]: the rest of the input is not read.
    stopped: bool,
    /// Pairs of dimensional prices the tie check may still examine (`dimensions.rs`).
    pub pairs_left: usize,
}

impl Default for Found {
    fn default() -> Found {
        Found {
            errors: Vec::new(),
            warnings: Vec::new(),
            objects: 0,
            stopped: false,
            pairs_left: limits::DIMENSION_PAIRS,
        }
    }
}

impl Found {
    pub fn error(&mut self, path: &str, code: Code, message: impl Into<String>) {
        self.errors.push(Issue::new(path, code, message));
    }

    pub fn warn(&mut self, path: &str, code: Code, message: impl Into<String>) {
        self.warnings.push(Issue::new(path, code, message));
    }
}

/// A JSON object being read, with its path.
pub(crate) struct Obj<'v> {
    pub map: &'v Map<String, Value>,
    pub path: String,
}

impl<'v> Obj<'v> {
    /// `value` as an object, or an `invalid_type` error.
    /// Past the catalog's object limit, nothing more is read (one `limit_exceeded` error).
    pub fn of(found: &mut Found, value: &'v Value, path: &str) -> Option<Obj<'v>> {
        if found.stopped {
            return None;
        }
        found.objects += 1;
        if found.objects > limits::CATALOG_OBJECTS {
            found.stopped = true;
            found.error(
                path,
                Code::LimitExceeded,
                format!(
                    "the catalog holds more than {} objects; ratecard reads none past this one",
                    limits::CATALOG_OBJECTS
                ),
            );
            return None;
        }
        match value {
            Value::Object(map) => Some(Obj {
                map,
                path: path.to_string(),
            }),
            other => {
                found.error(
                    path,
                    Code::InvalidType,
                    format!("expected an object, found {}", type_name(other)),
                );
                None
            }
        }
    }

    pub fn at(&self, key: &str) -> String {
        join_path(&self.path, key)
    }

    /// The field, treating `null` as absent (the read-back shapes write `"valid_to": null`).
    pub fn get(&self, key: &str) -> Option<&'v Value> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    /// Warns `unknown_field` for every key not in `known`, naming the known field it most
    /// likely misspells (`package_sise` → `package_size`) when one is close and not given.
    pub fn known_fields(&self, found: &mut Found, known: &[&str]) {
        for key in self.map.keys() {
            if !known.contains(&key.as_str()) {
                let near = crate::issue::nearest(
                    key,
                    known.iter().copied().filter(|k| !self.map.contains_key(*k)),
                );
                let message = match near {
                    Some(k) => {
                        format!("unknown field {key:?} is ignored; did you mean {k:?}?")
                    }
                    None => format!("unknown field {key:?} is ignored"),
                };
                found.warn(&self.at(key), Code::UnknownField, message);
            }
        }
    }

    pub fn opt_str(&self, found: &mut Found, key: &str) -> Option<&'v str> {
        match self.get(key)? {
            Value::String(s) if s.len() > limits::STRING_BYTES => {
                found.error(&self.at(key), Code::LimitExceeded, limits::long_string(s));
                None
            }
            Value::String(s) => Some(s.as_str()),
            other => {
                found.error(
                    &self.at(key),
                    Code::InvalidType,
                    format!("expected a string, found {}", type_name(other)),
                );
                None
            }
        }
    }

    /// A required, non-empty string.
    pub fn req_str(&self, found: &mut Found, key: &str) -> Option<&'v str> {
        if !self.required(found, key) {
            return None;
        }
        let s = self.opt_str(found, key)?;
        if s.trim().is_empty() {
            found.error(
                &self.at(key),
                Code::InvalidValue,
                format!("{key:?} must not be empty"),
            );
            return None;
        }
        Some(s)
    }

    pub fn opt_bool(&self, found: &mut Found, key: &str) -> Option<bool> {
        match self.get(key)? {
            Value::Bool(b) => Some(*b),
            other => {
                found.error(
                    &self.at(key),
                    Code::InvalidType,
                    format!("expected a boolean, found {}", type_name(other)),
                );
                None
            }
        }
    }

    pub fn opt_decimal(&self, found: &mut Found, key: &str) -> Option<Decimal> {
        let value = self.get(key)?;
        match decimal_from_value(value, &self.at(key)) {
            Ok(d) => Some(d),
            Err(issue) => {
                found.errors.push(issue);
                None
            }
        }
    }

    /// A decimal that must be zero or more.
    pub fn opt_non_negative(&self, found: &mut Found, key: &str) -> Option<Decimal> {
        let d = self.opt_decimal(found, key)?;
        if d.is_sign_negative() && !d.is_zero() {
            found.error(
                &self.at(key),
                Code::NegativeAmount,
                format!("{key:?} must not be negative, got {d}"),
            );
            return None;
        }
        Some(d)
    }

    /// A decimal that must be more than zero, with `code` when it is not.
    pub fn opt_positive(&self, found: &mut Found, key: &str, code: Code) -> Option<Decimal> {
        let d = self.opt_decimal(found, key)?;
        if d <= Decimal::ZERO {
            found.error(
                &self.at(key),
                code,
                format!("{key:?} must be greater than zero, got {d}"),
            );
            return None;
        }
        Some(d)
    }

    pub fn opt_instant(&self, found: &mut Found, key: &str) -> Option<Instant> {
        let text = self.opt_str(found, key)?;
        match Instant::parse(text) {
            Ok(t) => Some(t),
            Err(message) => {
                found.error(&self.at(key), Code::InvalidTimestamp, message);
                None
            }
        }
    }

    /// A non-negative integer no larger than `max`.
    pub fn opt_uint(&self, found: &mut Found, key: &str, max: u64, code: Code) -> Option<u64> {
        let value = self.get(key)?;
        let n = match value {
            Value::Number(n) => n,
            other => {
                found.error(
                    &self.at(key),
                    Code::InvalidType,
                    format!("expected an integer, found {}", type_name(other)),
                );
                return None;
            }
        };
        // `2.0` is the integer 2 (JavaScript cannot tell them apart); `2.5` is not an integer.
        let integral = n.as_u64().or_else(|| {
            crate::number::decimal_from_number(n)
                .ok()
                .filter(|d| d.fract().is_zero() && !d.is_sign_negative())
                .and_then(|d| u64::try_from(d).ok())
        });
        match integral {
            Some(u) if u <= max => Some(u),
            _ => {
                found.error(
                    &self.at(key),
                    code,
                    format!("{key:?} must be an integer from 0 to {max}, got {n}"),
                );
                None
            }
        }
    }

    /// One of `allowed`, or `invalid_value`.
    pub fn opt_enum(
        &self,
        found: &mut Found,
        key: &str,
        allowed: &[&'static str],
    ) -> Option<&'static str> {
        let s = self.opt_str(found, key)?;
        match allowed.iter().find(|a| **a == s) {
            Some(a) => Some(a),
            None => {
                found.error(
                    &self.at(key),
                    Code::InvalidValue,
                    format!("{key:?} must be one of {}, got {s:?}", allowed.join(", ")),
                );
                None
            }
        }
    }

    pub fn req_enum(
        &self,
        found: &mut Found,
        key: &str,
        allowed: &[&'static str],
    ) -> Option<&'static str> {
        if self.get(key).is_none() {
            found.error(
                &self.at(key),
                Code::MissingField,
                format!("{key:?} is required ({})", allowed.join(", ")),
            );
            return None;
        }
        self.opt_enum(found, key, allowed)
    }

    pub fn opt_array(&self, found: &mut Found, key: &str) -> Option<&'v Vec<Value>> {
        match self.get(key)? {
            Value::Array(list) => Some(list),
            other => {
                found.error(
                    &self.at(key),
                    Code::InvalidType,
                    format!("expected an array, found {}", type_name(other)),
                );
                None
            }
        }
    }

    /// Whether `key` is present; `missing_field` when it is not.
    fn required(&self, found: &mut Found, key: &str) -> bool {
        let present = self.get(key).is_some();
        if !present {
            found.error(
                &self.at(key),
                Code::MissingField,
                format!("{key:?} is required"),
            );
        }
        present
    }

    pub fn req_array(&self, found: &mut Found, key: &str) -> Option<&'v Vec<Value>> {
        self.required(found, key)
            .then(|| self.opt_array(found, key))
            .flatten()
    }

    pub fn opt_obj(&self, found: &mut Found, key: &str) -> Option<Obj<'v>> {
        let value = self.get(key)?;
        Obj::of(found, value, &self.at(key))
    }

    pub fn req_obj(&self, found: &mut Found, key: &str) -> Option<Obj<'v>> {
        self.required(found, key)
            .then(|| self.opt_obj(found, key))
            .flatten()
    }
}

/// `path[i]`
pub(crate) fn index(path: &str, i: usize) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(path.len() + 6);
    out.push_str(path);
    let _ = write!(out, "[{i}]");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_unknown_field_names_the_known_one_it_misspells() {
        let catalog = serde_json::json!({"assets": [{"code": "CR", "name": "c", "precison": 2}],
            "products": [{"name": "p", "code": "p", "prices": [{"name": "x", "type": "usage_based",
                "billing_model": {"type": "real_time"},
                "usage_calculation": {"event_type": "e", "usage_type": "volume", "volume_field": "t"},
                "pricing": [{"asset": "CR", "values": [{"volume_rate": "1", "package_sise": 1000, "colour": 1}]}]}]}]});
        let report = crate::validate(&catalog);
        let said = |path: &str| {
            let found = report.warnings.iter().find(|w| w.path.ends_with(path));
            found.map(|w| w.message.clone()).unwrap_or_default()
        };
        assert!(
            said("precison").ends_with("did you mean \"precision\"?"),
            "{report:?}"
        );
        assert!(
            said("package_sise").ends_with("did you mean \"package_size\"?"),
            "{report:?}"
        );
        assert!(!said("colour").contains("did you mean"), "{report:?}");
    }
}

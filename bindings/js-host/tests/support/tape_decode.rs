//! A decoder of tape answers (`src/tape.rs`, `docs/tape.md`) into the JSON path's Quote values,
//! for tests: the Rust twin of the JavaScript decoder in `packages/js/tape.mjs`, so that the
//! Rust tests can check that a tape answer says exactly what the JSON path says.
#![allow(dead_code, clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::{json, Map, Value};

pub struct Decoder {
    templates: Vec<Option<(u8, Map<String, Value>)>>,
    groups: Vec<Value>,
}

struct Bytes<'a> {
    b: &'a [u8],
    p: usize,
}

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let v = self.b[self.p];
        self.p += 1;
        v
    }
    fn len(&mut self) -> usize {
        match self.u8() {
            255 => {
                let v = u32::from_le_bytes(self.b[self.p..self.p + 4].try_into().unwrap());
                self.p += 4;
                v as usize
            }
            n => n as usize,
        }
    }
    fn str(&mut self) -> String {
        let n = self.len();
        let s = std::str::from_utf8(&self.b[self.p..self.p + n])
            .unwrap()
            .to_string();
        self.p += n;
        s
    }
}

/// What the decoder knows of each record: its event type, id and `occurred_at` text as sent.
pub struct Sent<'a> {
    pub event_type: &'a str,
    pub id: Option<&'a str>,
    pub occurred: &'a str,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder {
            templates: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// Decodes an answer holding one quote per entry of `sent`; panics on a malformed answer.
    /// `explain` is there only when the answer carries it.
    pub fn answer(&mut self, bytes: &[u8], sent: &[Sent<'_>]) -> Vec<Value> {
        let mut r = Bytes { b: bytes, p: 0 };
        let nx = r.len();
        let codes: Vec<String> = (0..nx).map(|_| r.str()).collect();
        let mut quotes: Vec<Value> = Vec::new();
        for s in sent {
            let q = if r.b[r.p] & 8 != 0 {
                self.repeat(&mut r, &quotes, s)
            } else {
                self.quote(&mut r, &codes, s)
            };
            quotes.push(q);
        }
        assert_eq!(r.p, bytes.len(), "trailing bytes in the answer");
        quotes
    }

    /// A twin's quote: the earlier quote it names, with this event's id.
    fn repeat(&mut self, r: &mut Bytes<'_>, done: &[Value], sent: &Sent<'_>) -> Value {
        let flags = r.u8();
        let k = r.len();
        assert!(k < done.len(), "a repeat names a quote sent before it");
        let Value::Object(earlier) = done[k].clone() else {
            panic!("quotes are objects")
        };
        let mut q = Map::new();
        if let Some(id) = sent.id {
            q.insert("event_id".into(), json!(id));
        }
        for (key, value) in earlier {
            if key != "event_id" && key != "explain" {
                q.insert(key, value);
            }
        }
        if flags & 4 != 0 {
            let group = r.len();
            assert_eq!(group % 2, 0, "a twin's explanation was defined before it");
            q.insert("explain".into(), self.groups[group / 2].clone());
        }
        Value::Object(q)
    }

    fn template(&mut self, r: &mut Bytes<'_>) -> (u8, Map<String, Value>) {
        let mask = r.u8();
        let mut t = Map::new();
        t.insert("product_code".into(), json!(r.str()));
        if mask & 1 != 0 {
            t.insert("price_id".into(), json!(r.str()));
        }
        for k in ["price_name", "currency", "event_type", "usage_type"] {
            t.insert(k.into(), json!(r.str()));
        }
        if mask & 2 != 0 {
            let n = r.len();
            let mut d = Map::new();
            for _ in 0..n {
                let k = r.str();
                d.insert(k, json!(r.str()));
            }
            t.insert("dimensions".into(), Value::Object(d));
        }
        if mask & 4 != 0 {
            t.insert("volume_field".into(), json!(r.str()));
        }
        if mask & 8 != 0 {
            t.insert("input_volume".into(), json!(""));
        }
        for (bit, k) in [
            (16, "unit_price"),
            (32, "volume_rate"),
            (64, "package_size"),
        ] {
            if mask & bit != 0 {
                t.insert(k.into(), json!(r.str()));
            }
        }
        if mask & 128 != 0 {
            t.insert("description".into(), json!(r.str()));
        }
        (mask, t)
    }

    fn quote(&mut self, r: &mut Bytes<'_>, codes: &[String], sent: &Sent<'_>) -> Value {
        let flags = r.u8();
        let at = if flags & 1 != 0 {
            r.str()
        } else {
            sent.occurred.to_string()
        };
        let nf = r.len();
        let mut fees = Vec::new();
        for _ in 0..nf {
            let reference = r.len();
            let k = reference / 2;
            if reference % 2 == 1 {
                let t = self.template(r);
                if self.templates.len() <= k {
                    self.templates.resize(k + 1, None);
                }
                self.templates[k] = Some(t);
            }
            let (mask, mut fee) = self.templates[k].clone().unwrap();
            if mask & 8 != 0 {
                fee.insert("input_volume".into(), json!(r.str()));
            }
            fee.insert("amount".into(), json!(r.str()));
            let mut eq = Map::new();
            for c in codes {
                eq.insert(c.clone(), json!(r.str()));
            }
            fee.insert("equivalents".into(), Value::Object(eq));
            fees.push(Value::Object(fee));
        }
        let mut totals = Map::new();
        if flags & 2 != 0 {
            let n = r.len();
            for _ in 0..n {
                let c = r.str();
                totals.insert(c, json!(r.str()));
            }
        } else {
            for f in &fees {
                totals.insert(f["currency"].as_str().unwrap().into(), f["amount"].clone());
            }
        }
        let mut equivalents = Map::new();
        for c in codes {
            equivalents.insert(c.clone(), json!(r.str()));
        }
        let nw = r.len();
        let warnings: Vec<Value> = (0..nw)
            .map(|_| json!({"path": r.str(), "code": r.str(), "message": r.str()}))
            .collect();
        let explain = if flags & 4 != 0 {
            let group = r.len();
            if group % 2 == 1 {
                let n = r.len();
                let steps: Vec<Value> = (0..n)
                    .map(|_| {
                        let fee = r.len();
                        let kind = r.str();
                        let text = r.str();
                        if fee == 0 {
                            json!({"kind": kind, "text": text})
                        } else {
                            json!({"fee": fee - 1, "kind": kind, "text": text})
                        }
                    })
                    .collect();
                assert_eq!(self.groups.len(), group / 2, "groups are defined in order");
                self.groups.push(Value::Array(steps));
            }
            Some(self.groups[group / 2].clone())
        } else {
            None
        };
        let mut q = Map::new();
        if let Some(id) = sent.id {
            q.insert("event_id".into(), json!(id));
        }
        q.insert("event_type".into(), json!(sent.event_type));
        q.insert("at".into(), json!(at));
        q.insert("fees".into(), Value::Array(fees));
        q.insert("totals".into(), Value::Object(totals));
        q.insert("equivalents".into(), Value::Object(equivalents));
        q.insert("warnings".into(), Value::Array(warnings));
        if let Some(steps) = explain {
            q.insert("explain".into(), steps);
        }
        Value::Object(q)
    }
}

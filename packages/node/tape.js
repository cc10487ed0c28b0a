// Generated from packages/types/tape.mjs by scripts/sync-tape.mjs: edit that file.
'use strict';
// The JavaScript half of the tape (core/src/tape.rs has the grammar and the reasons): events
// written as compact records, quotes read back from compact text, the same in @ratecard/wasm
// and @ratecard/node. This file is the source; scripts/sync-tape.mjs copies it into both
// packages (an ES module for wasm, CommonJS for node) and the tests fail when a copy drifts.
//
// The tape is only ever a faster way to the same answer: whenever an input is anything but
// plain (a class instance, a nested value, a BigInt, a non-finite number, an invalid Date, a
// string holding a separator), `eventRecord` returns null and the caller uses the JSON path,
// which reports the exact error. The objects built here have the keys, order and values that
// `JSON.parse` gives for the JSON path's output.

const US = "\x1f";
const RS = "\x1e";
const OBJECT = Object.prototype;

function plain(value) {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === OBJECT || proto === null;
}

// Strings go into records unchecked for the separators: a record has exactly 3 + n fields, so
// a separator inside a string makes the core refuse it (or, for a batch, changes the number of
// quotes, which `decodeBatch` checks), and every string the core writes back is checked there.
// Either way the JSON path answers.

let lastOccurred = "";

/** The `occurred_at` text of the last record `eventRecord` wrote (the decoder's `occurred`). */
function recordOccurred() {
  return lastOccurred;
}

/**
 * An event as a tape record, or null for the JSON path. `fieldsFor(eventType)` gives the data
 * keys the catalog's prices read for that type (the engine's `dataFields`), in order.
 */
function eventRecord(event, fieldsFor) {
  try {
    return writeRecord(event, fieldsFor);
  } catch {
    // A getter or a proxy that throws: the JSON path meets the same and reports it.
    return null;
  }
}

function writeRecord(event, fieldsFor) {
  if (!plain(event)) return null;
  const type = event.event_type;
  if (typeof type !== "string" || typeof event.toJSON === "function") return null;
  let record = type + US;
  const id = event.id;
  if (typeof id === "string") record += "s" + id;
  else if (id !== undefined && id !== null) return null;
  let at = event.occurred_at;
  if (at instanceof Date) {
    if (Number.isNaN(at.getTime())) return null;
    at = at.toISOString();
  } else if (at === undefined || at === null) at = "";
  else if (typeof at !== "string" || at === "") return null;
  lastOccurred = at;
  record += US + at;
  const data = event.data;
  const fields = fieldsFor(type);
  if (data === undefined || data === null) {
    for (let i = 0; i < fields.length; i++) record += US;
    return record;
  }
  if (!plain(data) || typeof data.toJSON === "function") return null;
  // Every value must be one JSON writes as a scalar (the core refuses the rest, and JSON
  // silently drops functions and symbols, so they count as absent).
  for (const key in data) {
    const v = data[key];
    const t = typeof v;
    if (t === "object") {
      if (v !== null) return null;
    } else if (t === "number") {
      if (!Number.isFinite(v)) return null;
    } else if (t === "bigint") return null;
  }
  for (let i = 0; i < fields.length; i++) {
    const v = data[fields[i]];
    switch (typeof v) {
      case "string":
        record += US + "s" + v;
        break;
      case "number":
        record += US + "n" + v;
        break;
      case "boolean":
        record += v ? US + "t" : US + "f";
        break;
      case "object":
        record += US + "z";
        break;
      default:
        record += US;
    }
  }
  return record;
}

/** Joins records for a batch. */
function batchRecords(records) {
  return records.join(RS);
}

// The decoder reads fields off one string with a cursor: slicing only the fields that become
// strings and parsing counts in place is cheaper than `split` for these short tapes.
let S = "";
let P = 0;

function text() {
  const j = S.indexOf(US, P);
  let v;
  if (j < 0) {
    v = S.slice(P);
    P = S.length + 1;
  } else {
    v = S.slice(P, j);
    P = j + 1;
  }
  return v;
}

function int() {
  let n = 0;
  let c = S.charCodeAt(P);
  while (c >= 48 && c <= 57) {
    n = n * 10 + (c - 48);
    c = S.charCodeAt(++P);
  }
  P++;
  return n;
}

function template() {
  const mask = int();
  // The fee as JSON.parse would build it, in its key order, with the varying fields empty:
  // each fee is a shallow copy of this (one allocation, one hidden class per template).
  const proto = { product_code: text() };
  if (mask & 1) proto.price_id = text();
  proto.price_name = text();
  proto.currency = text();
  proto.event_type = text();
  proto.usage_type = text();
  let dims = null;
  if (mask & 2) {
    const n = int();
    dims = {};
    for (let i = 0; i < n; i++) {
      const key = text();
      dims[key] = text();
    }
    proto.dimensions = dims;
  }
  if (mask & 4) proto.volume_field = text();
  if (mask & 8) proto.input_volume = "";
  if (mask & 16) proto.unit_price = text();
  if (mask & 32) proto.volume_rate = text();
  if (mask & 64) proto.package_size = text();
  if (mask & 128) proto.description = text();
  proto.amount = "";
  proto.equivalents = null;
  return { mask, proto, dims };
}

function fee(templates, codes) {
  let t;
  const c = S.charCodeAt(P);
  if (c === 43 /* + */) {
    P++;
    const k = int();
    t = template();
    templates[k] = t;
  } else if (c === 33 /* ! */) {
    P += 2;
    t = template();
  } else {
    t = templates[int()];
  }
  const f = { ...t.proto };
  if (t.dims !== null) f.dimensions = { ...t.dims };
  if (t.mask & 8) f.input_volume = text();
  f.amount = text();
  const eq = {};
  for (let i = 0; i < codes.length; i++) eq[codes[i]] = text();
  f.equivalents = eq;
  return f;
}

const NO_CODES = [];

/**
 * One quote at the cursor. `explainOf(quote)` computes the steps when `explain` is first read
 * (null: `explain` is `[]`, as with `explain: false`).
 */
function quote(templates, eventType, occurred, explainOf) {
  P += 2; // "Q" US
  const mask = int();
  const id = mask & 1 ? text() : undefined;
  const at = mask & 2 ? text() : occurred;
  const nx = int();
  let codes = NO_CODES;
  if (nx > 0) {
    codes = new Array(nx);
    for (let i = 0; i < nx; i++) codes[i] = text();
  }
  const nf = int();
  const fees = new Array(nf);
  for (let i = 0; i < nf; i++) fees[i] = fee(templates, codes);
  const totals = {};
  if (mask & 4) {
    const n = int();
    for (let i = 0; i < n; i++) {
      const code = text();
      totals[code] = text();
    }
  } else {
    for (let i = 0; i < nf; i++) totals[fees[i].currency] = fees[i].amount;
  }
  const equivalents = {};
  for (let i = 0; i < nx; i++) equivalents[codes[i]] = text();
  const nw = int();
  const warnings = new Array(nw);
  for (let i = 0; i < nw; i++) warnings[i] = { path: text(), code: text(), message: text() };
  if (explainOf === null) {
    if (id === undefined) return { event_type: eventType, at, fees, totals, equivalents, warnings, explain: [] };
    return { event_id: id, event_type: eventType, at, fees, totals, equivalents, warnings, explain: [] };
  }
  const q =
    id === undefined
      ? { event_type: eventType, at, fees, totals, equivalents, warnings }
      : { event_id: id, event_type: eventType, at, fees, totals, equivalents, warnings };
  new Pending(q, explainOf);
  Object.defineProperty(q, "explain", LAZY);
  return q;
}

// `explain` is an own, enumerable accessor that computes the steps on first read and then
// becomes a plain property, so JSON.stringify, spreading and deep equality all see the steps.
// Its state is a private field stamped onto the plain object (a base constructor that returns
// its argument lets a subclass add private fields to any object): invisible to every reflection
// API, the object keeps Object.prototype, and all quotes share one accessor pair, which keeps
// them on one hidden class (a getter per object would cost several times more).
class Stamp {
  constructor(target) {
    return target;
  }
}

class Pending extends Stamp {
  #explainOf;
  constructor(target, explainOf) {
    super(target);
    this.#explainOf = explainOf;
  }
  static steps(q) {
    return #explainOf in q ? q.#explainOf(q) : [];
  }
}

function settle(q, value) {
  Object.defineProperty(q, "explain", { value, writable: true, enumerable: true, configurable: true });
  return value;
}

const LAZY = {
  enumerable: true,
  configurable: true,
  get() {
    return settle(this, Pending.steps(this));
  },
  set(value) {
    settle(this, value);
  },
};

/** A single quote's tape; `templates` is the engine's own list (it grows). */
function decodeQuote(tape, templates, eventType, occurred, explainOf) {
  S = tape;
  P = 0;
  const q = quote(templates, eventType, occurred, explainOf);
  S = "";
  return q;
}

/**
 * A batch's tape. `eventTypes[i]` and `occurred[i]` are those of the i-th record;
 * `explainOf(i)` gives the i-th event's steps (null: none). undefined when the tape holds
 * another number of quotes than there were events (a separator inside a string split one).
 */
function decodeBatch(tape, eventTypes, occurred, explainOf) {
  S = tape;
  P = 2; // "M" US
  const n = int();
  if (n !== eventTypes.length) {
    S = "";
    return undefined;
  }
  const templates = [];
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = quote(templates, eventTypes[i], occurred[i], explainOf === null ? null : explainOf(i));
  }
  S = "";
  return out;
}

module.exports = { recordOccurred, eventRecord, batchRecords, decodeQuote, decodeBatch };

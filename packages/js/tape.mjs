// The JavaScript half of the tape (docs/tape.md has the grammar and the reasons): events
// written as compact binary records into memory the core reads, quotes read back from the
// compact binary answers it writes; the same in @ratecard/wasm and @ratecard/node. ratecard.mjs
// beside it uses it, and packages/js/build.mjs bundles both into each package at build time.
//
// The tape is only ever a faster way to the same answer: whenever an input is anything but
// plain (a class instance, a nested value, a BigInt, a non-finite number, an invalid Date, a
// string that is not well-formed Unicode), `snapshot` or `writeSnap` says so and the caller uses
// the JSON path, which reports the exact error. The objects built here have the keys, order and
// values that `JSON.parse` gives for the JSON path's output.

const OBJECT = Object.prototype;

/**
 * Whether a number surely reads as a decimal: finite, under 1e28 (a decimal's range ends at
 * about 7.9e28) and, unless 0, at least 1e-11 (its shortest digits, at most 17, then end within
 * 28 places). Any other number sends its event the JSON path, which reads it exactly or says
 * why not, for the fields the catalog's prices read and for every other field alike.
 */
function decimalSafe(v) {
  const a = Math.abs(v);
  return a < 1e28 && (a >= 1e-11 || a === 0);
}

function plain(value) {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === OBJECT || proto === null;
}

/**
 * The data fields of an event type as the engine lists them (`dataFields`), as property keys:
 * the same strings, held the way the engine holds object keys, so that comparing one with a
 * key of an event's data is comparing two pointers.
 */
export function fieldKeys(list) {
  return list.map((f) => Object.keys({ [f]: 0 })[0]);
}

/**
 * What the tape needs of an event, read once: `[event_type, id, occurred_at text, ...values]`
 * with one value per data field the catalog's prices read for that type (`fieldsFor(type)`, the
 * engine's `dataFields`), `undefined` for an absent one. A later change to the caller's object
 * changes nothing (a lazily computed `explain` reads this). null: use the JSON path.
 */
export function snapshot(event, fieldsFor) {
  try {
    return snap(event, fieldsFor);
  } catch {
    // A getter or a proxy that throws: the JSON path meets the same and reports it.
    return null;
  }
}

function snap(event, fieldsFor) {
  if (!readHead(event)) return null;
  const fields = fieldsFor(EV_TYPE);
  const out = new Array(3 + fields.length);
  out[0] = EV_TYPE;
  out[1] = EV_ID;
  out[2] = EV_AT;
  return readData(event.data, fields, out, 3) ? out : null;
}

// What readHead read of the event last: its type, id (null when none) and `occurred_at` text
// ("" when none).
let EV_TYPE = "";
let EV_ID = null;
let EV_AT = "";

/** An event's own fields, taken as the JSON path takes them: false when they cannot travel by tape. */
function readHead(event) {
  if (!plain(event)) return false;
  const type = event.event_type;
  if (typeof type !== "string" || typeof event.toJSON === "function") return false;
  let id = event.id;
  if (id === undefined) id = null;
  // (A string id that is not well-formed Unicode is the JSON path's to refuse.)
  else if (id !== null && (typeof id !== "string" || !asciiOrWellFormed(id))) return false;
  // An unknown field (not one of the core's event::KNOWN) goes the JSON way, where the core
  // warns about it (or refuses a flat event).
  for (const key in event) {
    switch (key) {
      case "event_type": case "id": case "occurred_at": case "data": case "subject":
      case "description": case "costs": case "customer_id": case "customer_external_id":
        continue;
      default:
        return false;
    }
  }
  let at = event.occurred_at;
  if (at instanceof Date) {
    if (Number.isNaN(at.getTime())) return false;
    at = at.toISOString();
  } else if (at === undefined || at === null) at = "";
  else if (typeof at !== "string" || at === "") return false;
  EV_TYPE = type;
  EV_ID = id;
  EV_AT = at;
  return true;
}

/**
 * The values of an event's `data` for `fields`, into `into[at..]` (`undefined` for an absent
 * one): false when a value cannot travel by tape. Every value must be one JSON writes as a
 * scalar (the core refuses the rest, and JSON silently drops functions and symbols, so they
 * count as absent); the fields' values are picked in the same pass over the data's enumerable
 * keys, as JSON.stringify sees them (and a load by a key of this loop is the fast kind).
 */
function readData(data, fields, into, at) {
  const n = fields.length;
  for (let i = 0; i < n; i++) into[at + i] = undefined;
  if (data === undefined || data === null) return true;
  if (!plain(data) || typeof data.toJSON === "function") return false;
  for (const key in data) {
    const v = data[key];
    const t = typeof v;
    if (t === "object") {
      if (v !== null) return false;
    } else if (t === "number") {
      if (!decimalSafe(v)) return false;
    } else if (t === "bigint") return false;
    else if (t !== "string" && t !== "boolean") continue;
    for (let i = 0; i < n; i++) {
      if (key === fields[i]) {
        into[at + i] = v;
        break;
      }
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Options

/**
 * Wire options as JSON text when they are strings, booleans and lists of strings (`express_in`,
 * `products`, `at`: what a quote's options usually are), which need no replacer (it costs several
 * times the rest of the writing); null for anything else, which the caller's replacer writes.
 */
export function plainOptionsText(wire) {
  for (const key in wire) {
    const v = wire[key];
    const t = typeof v;
    if (t === "string" || t === "boolean") continue;
    if (!Array.isArray(v)) return null;
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string") return null;
  }
  return JSON.stringify(wire);
}

// The last options read, as [key, value, ...] (lists copied), and what they made: callers pass
// the same options call after call, often as a new literal each time, and comparing them costs
// far less than reading them again. Only options of strings, booleans and lists of strings are
// kept (a Date or an object could change unseen).
let memoFlat = null;
let memoResult = null;

/** What `rememberOptions` kept for options equal to these, or undefined. */
export function rememberedOptions(options) {
  const flat = memoFlat;
  if (flat === null) return undefined;
  let i = 0;
  for (const key in options) {
    if (i >= flat.length || flat[i] !== key) return undefined;
    const v = options[key];
    const m = flat[i + 1];
    if (v !== m) {
      if (!Array.isArray(v) || !Array.isArray(m) || v.length !== m.length) return undefined;
      for (let j = 0; j < v.length; j++) if (v[j] !== m[j]) return undefined;
    }
    i += 2;
  }
  return i === flat.length ? memoResult : undefined;
}

/** Keeps what `options` made, when they are options that can be compared later. */
export function rememberOptions(options, result) {
  const flat = [];
  for (const key in options) {
    const v = options[key];
    const t = typeof v;
    if (Array.isArray(v)) {
      for (let j = 0; j < v.length; j++) if (typeof v[j] !== "string") return;
      flat.push(key, v.slice());
    } else if (t === "string" || t === "boolean" || v === undefined || v === null) flat.push(key, v);
    else return;
  }
  memoFlat = flat;
  memoResult = result;
}

// ---------------------------------------------------------------------------------------------
// Writing records

// The memory records are written into: bytes, a DataView of the same buffer, the cursor and the
// end of the room.
let WU8 = null;
let WDV = null;
let W = 0;
let WEND = 0;
const ENCODER = new TextEncoder();

/** Where the next records go: `u8[start..end)` (`dv` views the same buffer). */
export function target(u8, dv, start, end) {
  WU8 = u8;
  WDV = dv;
  W = start;
  WEND = end;
}

/** The writer's position. */
export function written() {
  return W;
}

/** Writes a length at `p`; the position after it. */
function putLen(b, p, n) {
  if (n < 255) {
    b[p] = n;
    return p + 1;
  }
  b[p] = 255;
  WDV.setUint32(p + 1, n, true);
  return p + 5;
}

/**
 * Writes a string at `p`: the position after it, or -1 when it is not well-formed Unicode. (A
 * length byte of 254 would name an earlier string: 254 characters take the long form.)
 */
function putStr(b, p, s) {
  const n = s.length;
  if (n < 254) {
    let q = p + 1;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) return putUtf8(b, p, s);
      b[q++] = c;
    }
    b[p] = n;
    return q;
  }
  return putUtf8(b, p, s);
}

function putUtf8(b, p, s) {
  // A lone surrogate has no UTF-8: JSON text carries it as an escape the core refuses, so the
  // JSON path must be the one to say so.
  if (!wellFormed(s)) return -1;
  const { written: n } = ENCODER.encodeInto(s, b.subarray(p + 5, WEND));
  b[p] = 255;
  WDV.setUint32(p + 1, n, true);
  return p + 5 + n;
}

// String.prototype.isWellFormed (Node 20, browsers since 2023) answers at once for a string
// the engine holds as one byte per character.
const IS_WELL_FORMED = typeof "".isWellFormed === "function";

function asciiOrWellFormed(s) {
  if (IS_WELL_FORMED) return s.isWellFormed();
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return wellFormed(s);
  return true;
}

function wellFormed(s) {
  if (IS_WELL_FORMED) return s.isWellFormed();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

/**
 * Writes a snapshot as a record at the writer's position: 1 when written, 0 when it cannot
 * travel by tape (use the JSON path), -1 when the room ran out (grow it and write again).
 */
export function writeSnap(snap) {
  const n = snap.length;
  // Room for the worst case: three bytes of UTF-8 per UTF-16 unit and five for each length.
  let need = 16 + 9 * n;
  for (let i = 0; i < n; i++) {
    const v = snap[i];
    if (typeof v === "string") need += 3 * v.length + 5;
  }
  if (W + need > WEND) return -1;
  const b = WU8;
  let p = putStr(b, W, snap[0]);
  if (p < 0) return 0;
  // The id never changes a price: it stays here, and the decoder puts it on the quote.
  const at = snap[2];
  if (at === "") b[p++] = 0;
  else {
    b[p++] = 1;
    p = putStr(b, p, at);
    if (p < 0) return 0;
  }
  p = putLen(b, p, n - 3);
  for (let i = 3; i < n; i++) {
    const v = snap[i];
    switch (typeof v) {
      case "string":
        b[p++] = 1;
        p = putStr(b, p, v);
        if (p < 0) return 0;
        break;
      case "number":
        b[p] = 2;
        WDV.setFloat64(p + 1, v, true);
        p += 9;
        break;
      case "boolean":
        b[p++] = v ? 3 : 4;
        break;
      default:
        b[p++] = v === null ? 5 : 0;
    }
  }
  W = p;
  return 1;
}

// A batch is written straight from the caller's events, without a snapshot array per event:
// what the decoder needs of each event (type, id, timestamp text) is kept in three arrays, and
// what a lazily computed explanation needs (the event as it was quoted) is read back from the
// batch's records. Records name their strings by number (byte 254, then the number) and each
// string is written once, after the records: a batch repeats its event types, timestamps and
// dimension values, and records of the same event are then the same bytes (how the core finds
// twins). A string's number is found by the last string of the same column, else by a map.
let CS = [];
let CK = [];
let NAMES = new Map();
// The batch's strings, by number.
let TABLE = [];
const ROOM = -2;
const NAME = 254;

/** Writes the name of a record's string: the position after it, or ROOM. */
function putColumn(b, p, s, c) {
  let k;
  if (s === CS[c]) k = CK[c];
  else {
    k = NAMES.get(s);
    if (k === undefined) {
      k = TABLE.length;
      NAMES.set(s, k);
      TABLE.push(s);
    }
    CS[c] = s;
    CK[c] = k;
  }
  if (p + 6 > WEND) return ROOM;
  b[p] = NAME;
  if (k < 255) {
    b[p + 1] = k;
    return p + 2;
  }
  return putLen(b, p + 1, k);
}

// The data fields of the event type written last (the catalog's, for this batch), and the
// values of the event's data for them.
let LAST_TYPE = null;
let LAST_FIELDS = [];
let VALS = [];


/**
 * One event as a record at the writer's position, read as `snapshot` reads it: 1 written, 0 the
 * JSON path must answer, -1 out of room. May throw (a getter): the caller treats that as 0.
 */
function writeEvent(event, fieldsFor) {
  if (!readHead(event)) return 0;
  const type = EV_TYPE;
  const at = EV_AT;
  if (type !== LAST_TYPE) {
    LAST_FIELDS = fieldsFor(type);
    LAST_TYPE = type;
  }
  const fields = LAST_FIELDS;
  const n = fields.length;
  const vals = VALS;
  if (!readData(event.data, fields, vals, 0)) return 0;
  const b = WU8;
  let p = putColumn(b, W, type, 0);
  if (p < 0) return -1;
  if (p + 1 > WEND) return -1;
  if (at === "") b[p++] = 0;
  else {
    b[p++] = 1;
    p = putColumn(b, p, at, 1);
    if (p < 0) return -1;
  }
  if (p + 5 + 10 * n > WEND) return -1;
  p = putLen(b, p, n);
  for (let i = 0; i < n; i++) {
    const v = vals[i];
    switch (typeof v) {
      case "string":
        b[p++] = 1;
        p = putColumn(b, p, v, 2 + i);
        if (p < 0) return -1;
        break;
      case "number":
        b[p] = 2;
        WDV.setFloat64(p + 1, v, true);
        p += 9;
        break;
      case "boolean":
        b[p++] = v ? 3 : 4;
        break;
      default:
        b[p++] = v === null ? 5 : 0;
    }
  }
  W = p;
  return 1;
}

/**
 * A batch of event objects written as its count and records at the writer's position: the
 * batch (what `decodeBatch` and lazy explanations need of each event), 0 when the JSON path
 * must answer, -1 when the room ran out (grow it and write again). With `keep`, the records
 * are copied out at once (when the memory they were written to may be reused before the answer
 * is decoded); else `decodeBatch` is given that memory and copies what it needs.
 */
export function writeEvents(events, fieldsFor, keep) {
  const n = events.length;
  if (W + 5 > WEND) return -1;
  W = putLen(WU8, W, n);
  const first = W;
  const batch = { types: new Array(n), ids: new Array(n), ats: new Array(n), starts: new Uint32Array(n + 1), first, records: null, names: null, snaps: null };
  CS = [];
  CK = [];
  NAMES = new Map();
  TABLE = [];
  LAST_TYPE = null;
  let ok;
  try {
    ok = writeAll(events, fieldsFor, batch, first);
  } catch {
    // A getter or a proxy that throws: the JSON path meets the same and reports it.
    ok = 0;
  }
  CS = [];
  NAMES = new Map();
  LAST_TYPE = null;
  LAST_FIELDS = [];
  VALS = [];
  const names = TABLE;
  TABLE = [];
  batch.names = names;
  if (ok === 1) ok = writeNames(names);
  if (ok !== 1) return ok;
  if (keep) {
    batch.records = WU8.slice(first, W);
    batch.first = 0;
  }
  return batch;
}

/** The batch's strings, after its records (1 written, 0 not well-formed Unicode, -1 no room). */
function writeNames(names) {
  const b = WU8;
  if (W + 5 > WEND) return -1;
  let p = putLen(b, W, names.length);
  for (let i = 0; i < names.length; i++) {
    const s = names[i];
    if (p + 5 + 3 * s.length > WEND) return -1;
    p = putStr(b, p, s);
    if (p < 0) return 0;
  }
  W = p;
  return 1;
}

function writeAll(events, fieldsFor, batch, first) {
  const { types, ids, ats, starts } = batch;
  const n = types.length;
  for (let i = 0; i < n; i++) {
    starts[i] = W - first;
    const ok = writeEvent(events[i], fieldsFor);
    if (ok !== 1) return ok;
    types[i] = EV_TYPE;
    ids[i] = EV_ID;
    ats[i] = EV_AT;
  }
  starts[n] = W - first;
  return 1;
}

/**
 * The record of an event a quote was made for, written again at the writer's position (for its
 * explanation): `source` is its snapshot (`index` -1) or its batch, `index` its place among
 * the batch's records kept by `decodeBatch`.
 */
export function writeSource(source, index) {
  return writeSnap(index < 0 ? source : source.snaps[index]);
}

// ---------------------------------------------------------------------------------------------
// Reading answers

// The answer being read and the cursor.
let R8 = null;
let R = 0;
const DECODER = new TextDecoder();

function len() {
  const n = R8[R++];
  if (n < 255) return n;
  const v = (R8[R] | (R8[R + 1] << 8) | (R8[R + 2] << 16) | (R8[R + 3] << 24)) >>> 0;
  R += 4;
  return v;
}

function str() {
  const n = len();
  const p = R;
  R += n;
  const b = R8;
  switch (n) {
    case 0:
      return "";
    case 1:
      if (b[p] < 128) return String.fromCharCode(b[p]);
      break;
    case 2:
      if ((b[p] | b[p + 1]) < 128) return String.fromCharCode(b[p], b[p + 1]);
      break;
    case 3:
      if ((b[p] | b[p + 1] | b[p + 2]) < 128) return String.fromCharCode(b[p], b[p + 1], b[p + 2]);
      break;
    case 4:
      if ((b[p] | b[p + 1] | b[p + 2] | b[p + 3]) < 128) return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3]);
      break;
    case 5:
      if ((b[p] | b[p + 1] | b[p + 2] | b[p + 3] | b[p + 4]) < 128) return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4]);
      break;
    case 6:
      if ((b[p] | b[p + 1] | b[p + 2] | b[p + 3] | b[p + 4] | b[p + 5]) < 128) {
        return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5]);
      }
      break;
    default:
  }
  if (n <= 32) {
    let s = "";
    for (let i = p; i < p + n; i++) {
      const c = b[i];
      if (c > 127) return DECODER.decode(b.subarray(p, p + n));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return DECODER.decode(b.subarray(p, p + n));
}

function template() {
  const mask = R8[R++];
  // The fee as JSON.parse would build it, in its key order, with the varying fields empty:
  // each fee is a shallow copy of this (one allocation, one hidden class per template).
  const proto = { product_code: str() };
  if (mask & 1) proto.price_id = str();
  proto.price_name = str();
  proto.currency = str();
  proto.event_type = str();
  proto.usage_type = str();
  let dims = null;
  if (mask & 2) {
    const n = len();
    dims = {};
    for (let i = 0; i < n; i++) {
      const key = str();
      dims[key] = str();
    }
    proto.dimensions = dims;
  }
  if (mask & 4) proto.volume_field = str();
  if (mask & 8) proto.input_volume = "";
  if (mask & 16) proto.unit_price = str();
  if (mask & 32) proto.volume_rate = str();
  if (mask & 64) proto.package_size = str();
  if (mask & 128) proto.description = str();
  proto.amount = "";
  proto.equivalents = null;
  // Built by JSON.parse, objects hold their properties in place (an object built up key by key
  // keeps them apart, in a second allocation): a fee copied from this is a quarter smaller, and
  // a batch's garbage collections copy less.
  const compact = JSON.parse(JSON.stringify(proto));
  const totals = {};
  totals[proto.currency] = "";
  return { mask, proto: compact, dims: dims === null ? null : compact.dimensions, totals: JSON.parse(JSON.stringify(totals)) };
}

// The template of the fee read last.
let LAST = null;

function fee(templates, codes) {
  const ref = len();
  const k = ref >>> 1;
  let t;
  if (ref & 1) {
    t = template();
    templates[k] = t;
  } else {
    t = templates[k];
  }
  LAST = t;
  const f = { ...t.proto };
  if (t.dims !== null) f.dimensions = { ...t.dims };
  if (t.mask & 8) f.input_volume = str();
  f.amount = str();
  const eq = {};
  for (let i = 0; i < codes.length; i++) eq[codes[i]] = str();
  f.equivalents = eq;
  return f;
}

const NO_CODES = [];

function codes() {
  const n = len();
  if (n === 0) return NO_CODES;
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = str();
  return out;
}

/**
 * One quote at the cursor, for the event of type `type`, id `id` and timestamp text `eventAt`
 * ("" when it had none). `explainer.steps(source, index, at)` computes the steps when `explain`
 * is first read (null: `explain` is `[]`, as with `explain: false`); see `writeSource`.
 */
function quote(templates, codes, type, id, eventAt, explainer, source, index) {
  const flags = R8[R++];
  const at = flags & 1 ? str() : eventAt;
  const nf = len();
  const fees = new Array(nf);
  for (let i = 0; i < nf; i++) fees[i] = fee(templates, codes);
  let totals;
  if (flags & 2) {
    totals = {};
    const n = len();
    for (let i = 0; i < n; i++) {
      const code = str();
      totals[code] = str();
    }
  } else if (nf === 1) {
    // One fee (the common case): a copy of its template's totals, as compact as the fee.
    totals = { ...LAST.totals };
    totals[LAST.proto.currency] = fees[0].amount;
  } else {
    totals = {};
    for (let i = 0; i < nf; i++) totals[fees[i].currency] = fees[i].amount;
  }
  const equivalents = {};
  for (let i = 0; i < codes.length; i++) equivalents[codes[i]] = str();
  const nw = len();
  const warnings = new Array(nw);
  for (let i = 0; i < nw; i++) warnings[i] = { path: str(), code: str(), message: str() };
  if (flags & 4) {
    // The explanation came along: the twins of a batch (events alike but for their id) share
    // one, frozen so that changing it through one quote cannot change the others. (A copy each
    // would cost more than the pricing: ten thousand quotes' steps kept alive at once.)
    const g = len();
    if (g & 1) GROUPS[g >>> 1] = steps();
    const explain = GROUPS[g >>> 1];
    if (id === null) return { event_type: type, at, fees, totals, equivalents, warnings, explain };
    return { event_id: id, event_type: type, at, fees, totals, equivalents, warnings, explain };
  }
  if (explainer === null) {
    if (id === null) return { event_type: type, at, fees, totals, equivalents, warnings, explain: [] };
    return { event_id: id, event_type: type, at, fees, totals, equivalents, warnings, explain: [] };
  }
  const q =
    id === null
      ? { event_type: type, at, fees, totals, equivalents, warnings }
      : { event_id: id, event_type: type, at, fees, totals, equivalents, warnings };
  // A batch's lone events: their records are kept once the batch is decoded (see keepLone).
  new Pending(q, explainer, source, index < 0 ? index : LONE.push(index) - 1);
  Object.defineProperty(q, "explain", LAZY);
  return q;
}

/**
 * A twin's quote: a copy of the batch's earlier quote the answer names (the same event but for
 * its id), as deep as decoding it again would make it, with the twin's own id.
 */
function repeat(out, id) {
  const flags = R8[R++];
  const src = out[len()];
  const from = src.fees;
  const nf = from.length;
  const fees = new Array(nf);
  for (let i = 0; i < nf; i++) {
    const f = { ...from[i] };
    if (f.dimensions !== undefined) f.dimensions = { ...f.dimensions };
    f.equivalents = { ...f.equivalents };
    fees[i] = f;
  }
  const totals = { ...src.totals };
  const equivalents = { ...src.equivalents };
  const nw = src.warnings.length;
  const warnings = new Array(nw);
  for (let i = 0; i < nw; i++) warnings[i] = { ...src.warnings[i] };
  const type = src.event_type;
  const at = src.at;
  // Twins carry their explanation whenever one is wanted (a group), else `explain` is [].
  const explain = flags & 4 ? GROUPS[len() >>> 1] : [];
  if (id === null) return { event_type: type, at, fees, totals, equivalents, warnings, explain };
  return { event_id: id, event_type: type, at, fees, totals, equivalents, warnings, explain };
}

// Explanations a batch's answer defined, by number.
let GROUPS = [];

/** An explanation, frozen (steps as JSON.parse gives them: `fee` only when a fee's). */
function steps() {
  const n = len();
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const fee = len() - 1;
    const kind = str();
    const text = str();
    out[i] = Object.freeze(fee < 0 ? { kind, text } : { fee, kind, text });
  }
  return Object.freeze(out);
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
  #explainer;
  #source;
  #index;
  constructor(target, explainer, source, index) {
    super(target);
    this.#explainer = explainer;
    this.#source = source;
    this.#index = index;
  }
  static steps(q) {
    return #explainer in q ? q.#explainer.steps(q.#source, q.#index, q.at) : [];
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

/**
 * The quote of an answer holding one, at `u8[start..]`; `templates` is the engine's own list
 * (it grows). `explainer` (see `quote`) or null.
 */
export function decodeQuote(u8, start, snap, templates, explainer) {
  R8 = u8;
  R = start;
  const q = quote(templates, codes(), snap[0], snap[1], snap[2], explainer, snap, -1);
  R8 = null;
  return q;
}

// The events of the batch being decoded whose explanation is left for later, in order.
let LONE = [];

/**
 * The quotes of a batch's answer at `u8[start..]`, one per event of `batch` (`writeEvents`);
 * `records` holds the batch's records as written (unless `writeEvents` kept them itself).
 */
export function decodeBatch(u8, start, batch, explainer, records) {
  R8 = u8;
  R = start;
  const templates = [];
  GROUPS = [];
  LONE = [];
  const cs = codes();
  const { types, ids, ats } = batch;
  const n = types.length;
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = R8[R] & 8 ? repeat(out, ids[i]) : quote(templates, cs, types[i], ids[i], ats[i], explainer, batch, i);
  }
  R8 = null;
  GROUPS = [];
  keepLone(batch, batch.records ?? records);
  return out;
}

/**
 * Keeps what the batch's lone events will be explained from (the caller's objects being free
 * to change): their snapshots, read back from their records in `from` (names resolved), and
 * lets go of the rest, so that no copy of a whole batch stays alive.
 */
function keepLone(batch, from) {
  const lone = LONE;
  LONE = [];
  const k = lone.length;
  const snaps = new Array(k);
  if (k > 0) {
    const dv = new DataView(from.buffer, from.byteOffset, from.byteLength);
    for (let j = 0; j < k; j++) snaps[j] = readRecord(from, dv, batch.first + batch.starts[lone[j]], batch.names);
  }
  batch.snaps = snaps;
  batch.types = batch.ids = batch.ats = batch.starts = batch.records = batch.names = null;
}

/** The snapshot a record at `u8[p..]` was written from (its id aside: records leave it out). */
function readRecord(u8, dv, p, names) {
  R8 = u8;
  R = p;
  const snap = [recordStr(names), null];
  snap.push(R8[R++] === 1 ? recordStr(names) : "");
  const n = len();
  for (let i = 0; i < n; i++) {
    switch (R8[R++]) {
      case 1:
        snap.push(recordStr(names));
        break;
      case 2:
        snap.push(dv.getFloat64(R, true));
        R += 8;
        break;
      case 3:
        snap.push(true);
        break;
      case 4:
        snap.push(false);
        break;
      case 5:
        snap.push(null);
        break;
      default:
        snap.push(undefined);
    }
  }
  R8 = null;
  return snap;
}

function recordStr(names) {
  if (R8[R] !== NAME) return str();
  R++;
  return names[len()];
}

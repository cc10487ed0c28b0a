// The JavaScript side of @ratecard/wasm: the public API over the raw wasm-bindgen exports.
//
// Everything crosses into WebAssembly as JSON text and comes back as JSON text, parsed once
// (one crossing per call, one per batch for quoteMany). This module owns what only JavaScript
// knows: camelCase options, `Date`s, the host clock (the core never reads one), non-finite
// numbers that JSON cannot carry, and the RatecardError class.
// Nothing here may call into WebAssembly while the module is evaluated: the entry points
// (index.js, node.js) instantiate it after their imports are evaluated.
import { RawEngine, validate as rawValidate } from "./pkg/ratecard_wasm.js";
import { eventRecord, recordOccurred, batchRecords, decodeQuote, decodeBatch } from "./tape.js";
// The schema's text lives in its own module (scripts/sync-schema.mjs), not in the WebAssembly:
// a bundler leaves it out of apps that never call schema().
import { SCHEMA } from "./schema.js";

/** Every error ratecard throws: `code` is the core error's code, `issues` every problem. */
export class RatecardError extends Error {
  constructor(code, message, issues = []) {
    super(message);
    this.code = code;
    this.issues = issues;
  }
  get name() {
    return "RatecardError";
  }
}

function fail(code, path, issueCode, message) {
  const issue = { path, code: issueCode, message };
  const where = path ? `${path}: ` : "";
  return new RatecardError(code, `${code.replace(/_/g, " ")}: ${where}${issueCode}: ${message}`, [issue]);
}

/** Rebuilds the core's error (thrown by the glue as `{code, message, issues}` JSON text). */
function rethrow(thrown) {
  if (typeof thrown === "string") {
    let parsed;
    try {
      parsed = JSON.parse(thrown);
    } catch {
      throw new RatecardError("invalid_argument", thrown, []);
    }
    throw new RatecardError(parsed.code, parsed.message, parsed.issues);
  }
  throw thrown;
}

// JSON cannot carry NaN, ±Infinity or BigInt: JSON.stringify would silently write `null` (or
// throw). In catalogs and decimal-valued options they become strings, so the core reports them
// as `invalid_decimal` at their path, and a BigInt keeps its exact digits.
function replacer(_key, value) {
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  return value;
}

function stringify(value) {
  let text;
  try {
    text = JSON.stringify(value, replacer);
  } catch (e) {
    // A cycle, or nesting deeper than the JavaScript stack.
    throw fail("invalid_json", "", "invalid_json", `cannot be written as JSON: ${e && e.message}`);
  }
  return text === undefined ? "null" : text;
}

/** Catalog input: JSON text as is, anything else written as JSON. */
function catalogText(catalog) {
  return typeof catalog === "string" ? catalog : stringify(catalog);
}

// Events are the hot path: plain JSON.stringify (no replacer, which is several times slower),
// after a cheap scan for the values JSON.stringify would silently turn into null.
function checkEvent(event, prefix) {
  if (event === null || typeof event !== "object") return true;
  const at = event.occurred_at;
  if (at instanceof Date && Number.isNaN(at.getTime())) {
    throw fail("invalid_event", `${prefix}occurred_at`, "invalid_timestamp", "an invalid Date");
  }
  const data = event.data;
  if (data === null || typeof data !== "object") return true;
  let plain = true;
  for (const key in data) {
    const v = data[key];
    if (typeof v === "number") {
      if (!Number.isFinite(v)) {
        // The same issue the core raises for a non-finite double in event data.
        throw fail("invalid_event", `${prefix}data.${key}`, "invalid_type", `${v} is not a finite number`);
      }
    } else if (typeof v === "bigint") {
      plain = false;
    }
  }
  return plain;
}

/** JSON.stringify without a replacer; a cycle or too deep a value is `invalid_json`. */
function stringifyPlain(value) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    return stringify(value);
  }
  return text === undefined ? "null" : text;
}

function eventText(event) {
  if (typeof event === "string") return event;
  return checkEvent(event, "") ? stringifyPlain(event) : stringify(event);
}

function eventsText(events) {
  if (typeof events === "string") return events;
  if (!Array.isArray(events)) return eventText(events);
  let plain = true;
  for (let i = 0; i < events.length; i++) {
    if (!checkEvent(events[i], `[${i}].`)) plain = false;
  }
  return plain ? stringifyPlain(events) : stringify(events);
}

function timeText(value, path, errorCode) {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw fail(errorCode, path, "invalid_timestamp", "an invalid Date");
    return value.toISOString();
  }
  return value;
}

/** The host's clock for a call; `now: null` asks for none (NaN tells the glue so). */
function clock(options) {
  return options != null && options.now === null ? NaN : Date.now();
}

const OPTION_KEYS = { expressIn: "express_in", priorUsage: "prior_usage" };

/** camelCase options to the wire form's JSON text; "" means the defaults. */
function optionsText(options) {
  if (options === undefined || options === null) return "";
  if (typeof options !== "object" || Array.isArray(options)) {
    throw fail("invalid_argument", "", "invalid_type", "options must be an object");
  }
  const wire = {};
  let any = false;
  for (const key in options) {
    const value = options[key];
    if (value === undefined || (key === "now" && value === null)) continue;
    any = true;
    if (key === "at" || key === "now") wire[key] = timeText(value, key, "invalid_argument");
    else wire[OPTION_KEYS[key] ?? key] = value;
  }
  return any ? stringify(wire) : "";
}

// The tape path (tape.js, core/src/tape.rs) takes the explanation flag apart from the rest of
// the options, which go as wire JSON text. null: use the JSON path, which reports what is
// wrong with them.
const DEFAULTS = { text: "", explain: true, now: null };
const DEFAULTS_QUIET = { text: "", explain: false, now: null };

function tapeOptions(options) {
  if (options === undefined || options === null) return DEFAULTS;
  if (typeof options !== "object" || Array.isArray(options)) return null;
  let explain = true;
  let rest = false;
  for (const key in options) {
    const value = options[key];
    if (value === undefined) continue;
    if (key === "explain") {
      if (typeof value !== "boolean") return null;
      explain = value;
    } else rest = true;
  }
  if (!rest) return explain ? DEFAULTS : DEFAULTS_QUIET;
  let text;
  try {
    text = optionsText({ ...options, explain: undefined });
  } catch {
    return null;
  }
  return { text, explain, now: options };
}

function amountText(amount) {
  if (typeof amount === "number" && !Number.isFinite(amount)) return JSON.stringify(String(amount));
  if (typeof amount === "bigint") return JSON.stringify(amount.toString());
  if (typeof amount === "string" || typeof amount === "number") return JSON.stringify(amount);
  // Anything else goes through as JSON so the core names its type.
  return stringify(amount ?? null);
}

function codeArg(value, path) {
  if (typeof value !== "string") {
    throw fail("invalid_argument", path, "invalid_type", `expected an asset code string, found ${value === null ? "null" : typeof value}`);
  }
  return value;
}

/** A validated, indexed catalog. Build once, quote many times. */
export class Engine {
  #raw;
  #warnings;
  #fields = new Map();
  #templates = [];
  #tiered;
  /** Whether a quote with a lazy `explain` was handed out (it holds the raw engine). */
  #lent = false;
  #fieldsFor = (type) => {
    let list = this.#fields.get(type);
    if (list === undefined) {
      const text = this.#raw.dataFields(type);
      list = text === "" ? [] : text.split("\x1f");
      this.#fields.set(type, list);
    }
    return list;
  };

  constructor(catalog) {
    const text = catalogText(catalog);
    try {
      this.#raw = new RawEngine(text);
    } catch (e) {
      rethrow(e);
    }
  }

  get warnings() {
    if (this.#warnings === undefined) this.#warnings = JSON.parse(this.#raw.warnings());
    return this.#warnings;
  }

  /** The tape path for one event object; undefined when only the JSON path can answer. */
  #quoteTape(event, options) {
    const o = tapeOptions(options);
    if (o === null) return undefined;
    const record = eventRecord(event, this.#fieldsFor);
    if (record === null) return undefined;
    const occurred = recordOccurred();
    const raw = this.#raw;
    const out = raw.quoteTape(record, o.text, clock(o.now));
    if (out === undefined || out === null) return undefined;
    const explainOf = o.explain ? this.#explainer(raw, o.text, () => record) : null;
    return decodeQuote(out, this.#templates, event.event_type, occurred, explainOf);
  }

  /**
   * `explain` of a tape quote, computed when first read. It holds the raw engine, so a quote
   * stays whole after `free()` (which then leaves the memory to the garbage collector).
   */
  #explainer(raw, text, recordOf) {
    this.#lent = true;
    return (q) => {
      let out;
      try {
        out = raw.explainTape(recordOf(), text, q.at);
      } catch (err) {
        rethrow(err);
      }
      return JSON.parse(out);
    };
  }

  /** The tape path for an array of event objects; undefined when only JSON can answer. */
  #quoteManyTape(events, options) {
    if (!Array.isArray(events)) return undefined;
    const o = tapeOptions(options);
    if (o === null) return undefined;
    // Explanations are computed per event when first read, which a tiered price's usage
    // carried through the batch would make wrong: then the JSON path explains at once.
    if (o.explain) {
      if (this.#tiered === undefined) this.#tiered = this.#raw.hasTieredPrices();
      if (this.#tiered) return undefined;
    }
    const n = events.length;
    const records = new Array(n);
    const types = new Array(n);
    const occurred = new Array(n);
    for (let i = 0; i < n; i++) {
      const record = eventRecord(events[i], this.#fieldsFor);
      if (record === null) return undefined;
      records[i] = record;
      types[i] = events[i].event_type;
      occurred[i] = recordOccurred();
    }
    const out = this.#raw.quoteManyTape(batchRecords(records), o.text, clock(o.now));
    if (out === undefined || out === null) return undefined;
    const raw = this.#raw;
    const explainOf = o.explain ? (i) => this.#explainer(raw, o.text, () => records[i]) : null;
    // undefined when a separator inside a string split a record: the JSON path answers.
    return decodeBatch(out, types, occurred, explainOf);
  }

  quote(event, options) {
    if (typeof event === "object") {
      const fast = this.#quoteTape(event, options);
      if (fast !== undefined) return fast;
    }
    const o = optionsText(options);
    const e = eventText(event);
    let out;
    try {
      out = this.#raw.quote(e, o, clock(options));
    } catch (err) {
      rethrow(err);
    }
    return JSON.parse(out);
  }

  quoteMany(events, options) {
    const fast = this.#quoteManyTape(events, options);
    if (fast !== undefined) return fast;
    const o = optionsText(options);
    const e = eventsText(events);
    let out;
    try {
      out = this.#raw.quote_many(e, o, clock(options));
    } catch (err) {
      rethrow(err);
    }
    return JSON.parse(out);
  }

  convert(amount, from, to, at) {
    const a = amountText(amount);
    const f = codeArg(from, "from");
    const t = codeArg(to, "to");
    let when = "";
    if (at !== undefined && at !== null) {
      when = timeText(at, "at", "invalid_argument");
      if (typeof when !== "string") {
        throw fail("invalid_argument", "at", "invalid_type", "expected a Date or an RFC 3339 string");
      }
    }
    let out;
    try {
      out = this.#raw.convert(a, f, t, when, Date.now());
    } catch (err) {
      rethrow(err);
    }
    return JSON.parse(out);
  }

  format(amount, asset) {
    const a = amountText(amount);
    const code = codeArg(asset, "asset");
    try {
      return this.#raw.format(a, code);
    } catch (err) {
      return rethrow(err);
    }
  }

  free() {
    // Quotes whose `explain` was not read yet still need the engine: they keep it alive, and
    // the garbage collector frees it with the last of them.
    if (!this.#lent) this.#raw?.free();
    this.#raw = undefined;
  }
}

/** Checks a catalog; never throws for a bad catalog, only for text that is not JSON. */
export function validate(catalog) {
  const text = catalogText(catalog);
  let out;
  try {
    out = rawValidate(text);
  } catch (err) {
    rethrow(err);
  }
  return JSON.parse(out);
}

/** The JSON Schema of a catalog (a fresh object each call). */
export function schema() {
  return JSON.parse(SCHEMA);
}

// The JavaScript side of @ratecard/wasm: the public API over the raw wasm-bindgen exports.
//
// Everything crosses into WebAssembly as JSON text and comes back as JSON text, parsed once
// (one crossing per call, one per batch for quoteMany). This module owns what only JavaScript
// knows: camelCase options, `Date`s, the host clock (the core never reads one), non-finite
// numbers that JSON cannot carry, and the RatecardError class.
// Nothing here may call into WebAssembly while the module is evaluated: the entry points
// (index.js, node.js) instantiate it after their imports are evaluated.
import { RawEngine, validate as rawValidate, schema as rawSchema } from "./pkg/ratecard_wasm.js";

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

  quote(event, options) {
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
    this.#raw?.free();
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
  return JSON.parse(rawSchema());
}

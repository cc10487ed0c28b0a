// The JavaScript side of @ratecard/wasm: the public API over the raw wasm-bindgen exports.
//
// Everything crosses into WebAssembly as JSON text and comes back as JSON text, parsed once
// (one crossing per call, one per batch for quoteMany). This module owns what only JavaScript
// knows: camelCase options, `Date`s, the host clock (the core never reads one), non-finite
// numbers that JSON cannot carry, and the RatecardError class.
// Nothing here may call into WebAssembly while the module is evaluated: the entry points
// (index.js, node.js) instantiate it after their imports are evaluated.
import { RawEngine, validate as rawValidate, wasmMemory } from "./pkg/ratecard_wasm.js";
import { snapshot, target, written, writeSnap, writeEvents, writeSource, decodeQuote, decodeBatch, fieldKeys, plainOptionsText, rememberedOptions, rememberOptions } from "./tape.js";
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
  return any ? wireText(wire) : "";
}

/** Options as JSON text, with the replacer only when plain JSON would not do. */
function wireText(wire) {
  return plainOptionsText(wire) ?? stringify(wire);
}

// The tape path (tape.js, core/src/tape.rs) takes the explanation flag apart from the rest of
// the options, which go as wire JSON text. null: use the JSON path, which reports what is
// wrong with them.
const DEFAULTS = { text: "", explain: true, clock: true };
const DEFAULTS_QUIET = { text: "", explain: false, clock: true };

function tapeOptions(options) {
  if (options === undefined || options === null) return DEFAULTS;
  if (typeof options !== "object" || Array.isArray(options)) return null;
  const known = rememberedOptions(options);
  if (known !== undefined) return known;
  const result = readTapeOptions(options);
  if (result !== null) rememberOptions(options, result);
  return result;
}

function readTapeOptions(options) {
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
  return { text, explain, clock: options.now !== null };
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

// The tape (tape.js, core/src/tape.rs): each engine has a scratch memory inside the module's
// memory; the wrapper writes a header (unused handle, flags, record length) and the record
// there, calls without strings, and reads the answer the module wrote right after the record.
const HEADER = 12;
const FLAG_CLOCK = 1;
const FLAG_OPTIONS = 2;
const FLAG_EXPLAIN = 4;
let memory = null;
let M8 = null;
let MDV = null;

/** Views of the module's memory, made again after it grew (which detaches the old buffer). */
function views() {
  if (M8 === null || M8.byteLength === 0) {
    if (memory === null) memory = wasmMemory();
    M8 = new Uint8Array(memory.buffer);
    MDV = new DataView(memory.buffer);
  }
}

/** Writes the header of what the scratch at `base` holds. */
function header(base, flags, length) {
  MDV.setUint32(base, 0, true);
  MDV.setUint32(base + 4, flags, true);
  MDV.setUint32(base + 8, length, true);
}

/** A validated, indexed catalog. Build once, quote many times. */
export class Engine {
  #raw;
  #warnings;
  #fields = new Map();
  #templates = [];
  /** Whether a quote with a lazy `explain` was handed out (it holds the raw engine). */
  /** The scratch memory's start in the module's memory, and its size (0: ask again). */
  #base = 0;
  #size = 0;
  /** The options text last set for tape quotes (undefined: none yet, or refused). */
  #sent;
  /** Explainers by options text (see #explainer). */
  #explainers = new Map();
  #fieldsFor = (type) => {
    let list = this.#fields.get(type);
    if (list === undefined) {
      const text = this.#raw.dataFields(type);
      list = text === "" ? [] : fieldKeys(text.split("\x1f"));
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

  /** The raw engine; a freed one throws (as in @ratecard/node). */
  #alive() {
    if (this.#raw === undefined) throw fail("invalid_argument", "", "invalid_value", "this Engine was freed");
    return this.#raw;
  }

  get warnings() {
    if (this.#warnings === undefined) this.#warnings = JSON.parse(this.#alive().warnings());
    return this.#warnings;
  }

  /** Makes the scratch at least `min` bytes long (it may move), and the memory views current. */
  #room(min) {
    if (this.#size < min) {
      const size = Math.max(min, this.#size * 2, 1 << 16);
      this.#base = this.#raw.scratch(size);
      this.#size = size;
    }
    views();
  }

  /** The flags for tape options `o`, after setting them in the module if they changed; -1: JSON. */
  #flags(o) {
    let flags = o.clock ? FLAG_CLOCK : 0;
    if (o.text !== "") {
      if (o.text !== this.#sent) {
        this.#sent = undefined;
        if (!this.#raw.setTapeOptions(o.text)) return -1;
        this.#sent = o.text;
      }
      flags |= FLAG_OPTIONS;
    }
    return flags;
  }

  /** The tape path for one event object; undefined when only the JSON path can answer. */
  #quoteTape(event, options) {
    const o = tapeOptions(options);
    if (o === null) return undefined;
    const snap = snapshot(event, this.#fieldsFor);
    if (snap === null) return undefined;
    const flags = this.#flags(o);
    if (flags < 0) return undefined;
    // The host clock is read only when nothing else says when to price.
    const now = flags & FLAG_CLOCK && snap[2] === "" ? Date.now() : NaN;
    const raw = this.#raw;
    this.#room(1 << 16);
    for (;;) {
      const base = this.#base;
      target(M8, MDV, base + HEADER, base + this.#size);
      const ok = writeSnap(snap);
      if (ok === 0) return undefined;
      if (ok < 0) {
        this.#room(this.#size * 2);
        continue;
      }
      const length = written() - base - HEADER;
      header(base, flags, length);
      const n = raw.quoteScratch(now);
      if (n === 0) return undefined;
      if (n < 0) {
        this.#room(-n);
        continue;
      }
      views();
      const explainer = o.explain ? this.#explainer(raw, o.text) : null;
      return decodeQuote(M8, base + HEADER + length, snap, this.#templates, explainer);
    }
  }

  /**
   * What computes `explain` of tape quotes when first read, from the event as it was quoted
   * (its snapshot) at the instant it was priced at; one per options text, shared by quotes.
   * After `free()` there is no engine to compute it: reading it throws.
   */
  #explainer(raw, text) {
    let e = this.#explainers.get(text);
    if (e === undefined) {
      const engine = this;
      e = {
        steps(source, index, at) {
          engine.#alive();
          // The record goes through the scratch, which may move: the engine asks for it again.
          engine.#size = 0;
          let size = 4096;
          for (;;) {
            const base = raw.scratch(size);
            views();
            target(M8, MDV, base + HEADER, base + size);
            const ok = writeSource(source, index);
            if (ok === 0) return [];
            if (ok < 0) {
              size *= 4;
              continue;
            }
            header(base, 0, written() - base - HEADER);
            let out;
            try {
              out = raw.explainScratch(text, at);
            } catch (err) {
              rethrow(err);
            }
            return JSON.parse(out);
          }
        },
      };
      if (this.#explainers.size > 16) this.#explainers.clear();
      this.#explainers.set(text, e);
    }
    return e;
  }

  /** The tape path for an array of event objects; undefined when only JSON can answer. */
  #quoteManyTape(events, options) {
    if (!Array.isArray(events)) return undefined;
    const o = tapeOptions(options);
    if (o === null) return undefined;
    // (Explanations are computed per event when first read, which the usage a tiered price
    // carries through the batch would make wrong: the module refuses a batch with such an
    // event and explanations on, and the JSON path explains at once.)
    const flags = this.#flags(o);
    if (flags < 0) return undefined;
    const now = flags & FLAG_CLOCK ? Date.now() : NaN;
    const raw = this.#raw;
    let size = events.length * 64 + 1024;
    for (;;) {
      this.#room(size);
      const base = this.#base;
      target(M8, MDV, base + HEADER, base + this.#size);
      // The records stay in the scratch until the answer is decoded (the decoder keeps those
      // of events explained later).
      const batch = writeEvents(events, this.#fieldsFor, false);
      if (batch === 0) return undefined;
      if (batch === -1) {
        size = this.#size * 2;
        continue;
      }
      const length = written() - base - HEADER;
      header(base, o.explain ? flags | FLAG_EXPLAIN : flags, length);
      const r = raw.quoteManyTape(now);
      if (r === 0) return undefined;
      if (r < 0) {
        size = -r;
        continue;
      }
      views();
      const explainer = o.explain ? this.#explainer(raw, o.text) : null;
      return decodeBatch(M8, base + HEADER + length, batch, explainer, M8);
    }
  }

  quote(event, options) {
    this.#alive();
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
    this.#alive();
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
    this.#alive();
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
    this.#alive();
    const a = amountText(amount);
    const code = codeArg(asset, "asset");
    try {
      return this.#raw.format(a, code);
    } catch (err) {
      return rethrow(err);
    }
  }

  /**
   * Frees the engine's memory in the module now. Later calls throw, and so does reading the
   * `explain` of an earlier quote that was not read before.
   */
  free() {
    this.#raw?.free();
    this.#raw = undefined;
    this.#explainers.clear();
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

// The JavaScript face of ratecard, written once for @ratecard/wasm and @ratecard/node: the public
// API (index.d.ts beside this file) over a package's raw engine.
//
// Everything crosses into the core as JSON text or as tape records (tape.mjs, docs/tape.md)
// and comes back the same way, decoded once. This module owns what only JavaScript knows:
// camelCase options, `Date`s, the host clock (the core never reads one), non-finite numbers
// that JSON cannot carry, and the RatecardError class. How a package reaches its raw engine
// (the memory records are written into, how errors are thrown, whether a batch can be priced
// off the calling thread) is its host adapter's business: `#host` is packages/wasm/host.mjs or
// packages/node/host.mjs (the interface: host.d.ts), bound by build.mjs when it bundles this
// module into the package.
// Nothing here calls into the core while the module is evaluated: @ratecard/wasm's entry points
// instantiate the WebAssembly module after their imports are evaluated.
import { Raw, validateCatalog, schemaText, errorOf } from "#host";
import { snapshot, target, written, writeSnap, writeEvents, writeSource, decodeQuote, decodeBatch, fieldKeys, plainOptionsText, rememberedOptions, rememberOptions } from "./tape.mjs";

/** Every error ratecard throws: `code` names the kind, `issues` lists each problem. */
export class RatecardError extends Error {
  constructor(code, message, issues) {
    super(message);
    this.code = code;
    this.issues = Array.isArray(issues) ? issues : [];
  }
}
// On the prototype, like the built-in errors' names: not an own key of each error.
Object.defineProperty(RatecardError.prototype, "name", { value: "RatecardError", writable: true, configurable: true });

function fail(code, path, issueCode, message) {
  const issue = { path, code: issueCode, message };
  const where = path ? `${path}: ` : "";
  return new RatecardError(code, `${code.replace(/_/g, " ")}: ${where}${issueCode}: ${message}`, [issue]);
}

/** What the raw engine threw, as a RatecardError when it is the core's error; else as it is. */
function translate(thrown) {
  const e = errorOf(thrown);
  return e === undefined ? thrown : new RatecardError(e.code, e.message, e.issues);
}

// JSON cannot carry NaN, ±Infinity or BigInt: JSON.stringify would silently write `null` (or
// throw). In catalogs and decimal-valued options non-finite numbers become strings, so the core
// reports them as `invalid_decimal` at their path.
//
// A BigInt is written where it stands by what is read there. Where a decimal is read (a
// catalog's rates and amounts, DECIMAL_KEYS; an event's `data` values; `priorUsage`
// quantities) it is its digits as decimal text, so it keeps every digit. Anywhere else it is a
// JSON number, which the core reads where an integer is (a precision, a count: each at most
// u32::MAX, so a BigInt no double holds exactly is refused there, never rounded) and refuses,
// with its own code and message, where text is: `{event_type: 10n}` is `invalid_type` at
// `event_type`, as `{event_type: 10}` is, never an event of type "10".

/** The catalog's decimal fields (core/src/catalog.schema.json; a test keeps the two equal). */
const DECIMAL_KEYS = new Set(["rate", "inverse_rate", "exchange_rate", "up_to", "unit_price", "volume_rate",
  "package_size", "min_amount", "max_amount", "quantity", "amount", "revenue_basis", "cost_basis"]);
/** Objects whose keys are the caller's names (a dimension named `rate` is not a decimal field). */
const NAME_MAPS = new Set(["dimensions", "rounding", "conversion_rounding"]);

/** A replacer for one JSON.stringify call (it remembers which objects it has seen where). */
function replacer() {
  // Objects every value of which is a decimal (an event's data, priorUsage's per-product maps),
  // and objects keyed by names.
  const decimals = new WeakSet();
  const names = new WeakSet();
  return function (key, value) {
    switch (typeof value) {
      case "number":
        return Number.isFinite(value) ? value : String(value);
      case "bigint":
        return decimals.has(this) || (DECIMAL_KEYS.has(key) && !names.has(this)) ? value.toString() : Number(value);
      case "object":
        if (value === null || names.has(this)) break;
        if (key === "data") decimals.add(value);
        else if (NAME_MAPS.has(key)) names.add(value);
        else if (key === "priorUsage" || key === "prior_usage") {
          for (const k in value) if (value[k] !== null && typeof value[k] === "object") decimals.add(value[k]);
        }
        break;
      default:
    }
    return value;
  };
}

/** JSON text for a value the caller handed in; a cycle is `invalid_json`, not a TypeError. */
function stringify(value) {
  let text;
  try {
    text = JSON.stringify(value, replacer());
  } catch (e) {
    // A cycle, or nesting deeper than the JavaScript stack.
    throw fail("invalid_json", "", "invalid_json", `cannot be written as JSON: ${e && e.message}`);
  }
  return text === undefined ? "null" : text;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * JSON text given as text: a string, or bytes (a Buffer, any Uint8Array or other view of an
 * ArrayBuffer, an ArrayBuffer: what `readFileSync` and `fetch` give) read as UTF-8, a BOM
 * dropped. undefined for anything else (an object to be written as JSON). Without this, bytes
 * would be written as JSON objects (`{"0": 123, ...}`, `{"type": "Buffer", ...}`): a catalog of
 * unknown fields, an empty engine.
 */
function jsonText(value) {
  if (typeof value === "string") return value;
  if (value === null || typeof value !== "object") return undefined;
  if (!ArrayBuffer.isView(value) && Object.prototype.toString.call(value) !== "[object ArrayBuffer]") return undefined;
  try {
    return UTF8.decode(value);
  } catch (e) {
    throw fail("invalid_json", "", "invalid_json", `bytes that are not UTF-8 text: ${e && e.message}`);
  }
}

/** Catalog input: a string or bytes is JSON text already (the contract allows raw JSON), else written. */
function catalogText(catalog) {
  return jsonText(catalog) ?? stringify(catalog);
}

/** The event fields the core reads, and what each must be. */
const EVENT_FIELDS = { event_type: "a string", id: "a string", occurred_at: "a Date or an RFC 3339 string", data: "an object" };

// Events are the hot path: plain JSON.stringify (a replacer makes it several times slower),
// after a cheap scan of each event's few data values for what JSON.stringify would silently
// turn into null. Returns false when a BigInt needs the replacer; throws a RatecardError for
// what JSON cannot carry at all (an invalid Date, a non-finite number), as the core would.
function checkEvent(event, prefix) {
  if (event === null || typeof event !== "object") return true;
  const at = event.occurred_at;
  if (at instanceof Date && Number.isNaN(at.getTime())) {
    throw fail("invalid_event", `${prefix}occurred_at`, "invalid_timestamp", "an invalid Date");
  }
  // JSON.stringify leaves out a field holding a symbol or a function: an `occurred_at` would
  // be priced at the host clock, an `id` lost. The core never sees them, so they are refused here.
  for (const key in EVENT_FIELDS) {
    const t = typeof event[key];
    if (t === "symbol" || t === "function") {
      throw fail("invalid_event", `${prefix}${key}`, "invalid_type", `expected ${EVENT_FIELDS[key]}, found a ${t}`);
    }
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

/** JSON.stringify without a replacer; what it cannot write goes through `stringify`. */
function stringifyPlain(value) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    // A BigInt deeper down (written as its digits), or a cycle or too deep a value
    // (`invalid_json`).
    return stringify(value);
  }
  return text === undefined ? "null" : text;
}

/** Whether `value` holds no number JSON cannot carry (NaN, ±Infinity), to `depth` levels. */
function finite(value, depth) {
  if (typeof value === "number") return Number.isFinite(value);
  if (value === null || typeof value !== "object") return true;
  if (depth === 0) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!finite(value[i], depth - 1)) return false;
    return true;
  }
  for (const key in value) if (!finite(value[key], depth - 1)) return false;
  return true;
}

/**
 * A wallet as JSON text. Plain `JSON.stringify` when it writes what the replacer would (no
 * NaN or Infinity; a BigInt makes it throw, and `stringifyPlain` then uses the replacer): a
 * wallet is stringified on every preview, and the replacer's call per value cost more than
 * the preview itself (BENCHMARKS.md, "Wallet previews").
 */
function walletText(wallet) {
  const text = jsonText(wallet);
  if (text !== undefined) return text;
  return finite(wallet, 32) ? stringifyPlain(wallet) : stringify(wallet);
}

function eventText(event) {
  const text = jsonText(event);
  if (text !== undefined) return text;
  return checkEvent(event, "") ? stringifyPlain(event) : stringify(event);
}

/**
 * A batch as JSON text, and the errors of the events JSON cannot carry (by index; null when
 * there are none): those go as `null`, and the caller puts their errors back in place
 * (`settle`), so that a batch reports every bad event, these among the core's, in order.
 */
function eventsText(events) {
  const text = jsonText(events);
  if (text !== undefined) return { text, held: null };
  if (!Array.isArray(events)) return { text: eventText(events), held: null };
  let plain = true;
  let held = null;
  for (let i = 0; i < events.length; i++) {
    try {
      if (!checkEvent(events[i], `[${i}].`)) plain = false;
    } catch (err) {
      if (!(err instanceof RatecardError)) throw err;
      (held ??= new Map()).set(i, err);
    }
  }
  const list = held === null ? events : events.map((e, i) => (held.has(i) ? null : e));
  return { text: plain ? stringifyPlain(list) : stringify(list), held };
}

/** The options of a batch with held events: the core returns each bad event's error in place. */
function returning(options) {
  return optionsText({ ...(options ?? {}), onError: "return", on_error: undefined });
}

/**
 * A batch's answer with the held events' errors put back in place; as the caller's `onError`
 * asks, the list, or one RatecardError with every bad event's issues in order (the core's
 * rule: its code is the first bad event's).
 */
function settle(list, held, options) {
  for (const [i, err] of held) list[i] = err;
  const mode = options?.onError ?? options?.on_error ?? "raise";
  if (mode === "return") return list;
  const bad = list.filter((q) => q instanceof RatecardError);
  if (bad.length === 0) return list;
  const issues = bad.flatMap((e) => e.issues);
  const [first] = issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  const head = bad[0].message.slice(0, bad[0].message.indexOf(":"));
  const message = `${head}: ${first.path ? `${first.path}: ` : ""}${first.code}: ${first.message}${more}`;
  throw new RatecardError(bad[0].code, message, issues);
}

function timeText(value, path) {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw fail("invalid_argument", path, "invalid_timestamp", "an invalid Date");
    return value.toISOString();
  }
  return value;
}

// quoteManyAsync's pieces: at least this many events (fewer are priced in one piece), at most
// PIECE_MAX, sized to take about PIECE_MS of the calling thread each.
const PIECE_MIN = 1024;
const PIECE_MAX = 65536;
const PIECE_MS = 8;

/** A callback in a later turn of the event loop (after timers and I/O). */
const later = typeof setImmediate === "function" ? setImmediate : (f) => setTimeout(f, 0);

// The calling thread's work of quoteManyAsync's pieces, one piece a turn of the event loop, in
// the order asked for, across every batch at once: without it, the answers of many concurrent
// batches, arriving together, were decoded in one turn (a 150 ms stall with 50 batches).
const waiting = [];
let holding = false;

function acquire() {
  if (!holding) {
    holding = true;
    return Promise.resolve();
  }
  return new Promise((resolve) => waiting.push(resolve));
}

/** Hands the calling thread to the next piece, or frees it, in a later turn: never this one. */
function release() {
  later(() => {
    const next = waiting.shift();
    if (next === undefined) holding = false;
    else next();
  });
}

/** A batch's options without quoteManyAsync's own `onProgress`. */
function withoutProgress(options) {
  const { onProgress: _, ...rest } = options;
  return rest;
}

/** Whether to price with the host clock: `now: null` asks for none. */
function clock(options) {
  return !(options !== undefined && options !== null && options.now === null);
}

/**
 * Options to the JSON text the core reads (null for the defaults): values JSON cannot carry
 * (`Date`s) made text, keys as the caller wrote them. The core reads camelCase and the wire
 * spellings (`express_in`) alike, names an option in an error as it was written, and reports
 * a typo as `invalid_options` with the options as JavaScript spells them.
 */
function optionsText(options) {
  if (options === undefined || options === null) return null;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw fail("invalid_argument", "", "invalid_type", "options must be an object");
  }
  const wire = {};
  let any = false;
  for (const key in options) {
    const value = options[key];
    if (value === undefined || (key === "now" && value === null)) continue;
    any = true;
    if (key === "at" || key === "now") wire[key] = timeText(value, key);
    else wire[key] = value;
  }
  return any ? wireText(wire) : null;
}

/** Options as JSON text, with the replacer only when plain JSON would not do. */
function wireText(wire) {
  return plainOptionsText(wire) ?? stringify(wire);
}

// The tape path takes the explanation flag apart from the rest of the options, which go as
// wire JSON text (null: the defaults). null: use the JSON path, which reports what is wrong
// with them.
const DEFAULTS = { text: null, explain: true, clock: true };
const DEFAULTS_QUIET = { text: null, explain: false, clock: true };

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

/** A decimal argument as JSON text: a string stays exact, a number is read by its shortest text. */
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

// The flags of a tape call (docs/tape.md): the host clock may be read, the options set by
// setTapeOptions apply, explanations of batch events with twins are wanted.
const FLAG_CLOCK = 1;
const FLAG_OPTIONS = 2;
const FLAG_EXPLAIN = 4;

/** A validated, indexed catalog. Build once, quote many times. */
export class Engine {
  /** The host's raw engine (host.d.ts); undefined once freed. */
  #raw;
  #warnings;
  #fields = new Map();
  #templates = [];
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

  constructor(catalog, options) {
    const text = catalogText(catalog);
    const strict = strictOption(options);
    try {
      this.#raw = new Raw(text, strict);
    } catch (err) {
      throw translate(err);
    }
  }

  /** The raw engine; a freed one throws. */
  #alive() {
    if (this.#raw === undefined) throw fail("invalid_argument", "", "invalid_value", "this Engine was freed");
    return this.#raw;
  }

  /** The catalog's warnings (legal but suspicious). */
  get warnings() {
    if (this.#warnings === undefined) {
      const raw = this.#alive();
      try {
        this.#warnings = JSON.parse(raw.warnings());
      } catch (err) {
        throw translate(err);
      }
    }
    return this.#warnings;
  }

  /** The flags for tape options `o`, after setting them in the core if they changed; -1: JSON. */
  #flags(raw, o) {
    let flags = o.clock ? FLAG_CLOCK : 0;
    if (o.text !== null) {
      if (o.text !== this.#sent) {
        this.#sent = undefined;
        let ok;
        try {
          ok = raw.setTapeOptions(o.text);
        } catch (err) {
          throw translate(err);
        }
        if (!ok) return -1;
        this.#sent = o.text;
      }
      flags |= FLAG_OPTIONS;
    }
    return flags;
  }

  /** The tape path for one event object; undefined when only the JSON path can answer. */
  #quoteTape(raw, event, options) {
    const o = tapeOptions(options);
    if (o === null) return undefined;
    const snap = snapshot(event, this.#fieldsFor);
    if (snap === null) return undefined;
    const flags = this.#flags(raw, o);
    if (flags < 0) return undefined;
    raw.room(1 << 16);
    for (;;) {
      target(raw.u8, raw.dv, raw.start, raw.end);
      const ok = writeSnap(snap);
      if (ok === 0) return undefined;
      if (ok < 0) {
        raw.room((raw.end - raw.start) * 2);
        continue;
      }
      const length = written() - raw.start;
      // The host clock is read only when nothing else says when to price.
      let n;
      try {
        n = raw.quoteScratch(flags, length, snap[2] === "");
      } catch (err) {
        throw translate(err);
      }
      if (n === 0) return undefined;
      if (n < 0) {
        raw.room(-n);
        continue;
      }
      const explainer = o.explain ? this.#explainer(o.text) : null;
      return decodeQuote(raw.u8, raw.start + length, snap, this.#templates, explainer);
    }
  }

  /**
   * What computes `explain` of tape quotes when first read, from the event as it was quoted
   * (its snapshot or its batch's kept records) at the instant it was priced at; one per options
   * text, shared by quotes. After `free()` there is no engine to compute it: reading it throws.
   */
  #explainer(text) {
    let e = this.#explainers.get(text);
    if (e === undefined) {
      const engine = this;
      e = {
        steps(source, index, at) {
          const raw = engine.#alive();
          let size = 4096;
          for (;;) {
            raw.recordRoom(size);
            target(raw.u8, raw.dv, raw.start, raw.end);
            const ok = writeSource(source, index);
            if (ok === 0) return [];
            if (ok < 0) {
              size = (raw.end - raw.start) * 4;
              continue;
            }
            let out;
            try {
              out = raw.explainTape(written() - raw.start, text, at);
            } catch (err) {
              throw translate(err);
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

  /**
   * The records of an array of event objects written for the tape path: the batch (with the
   * records' `length`, the call's `flags` and tape options `o`), or undefined when only JSON
   * can answer. `keep`: the records are copied at once (a batch priced off the calling thread
   * is decoded after other calls may have reused the memory they were written to).
   */
  #quoteManyTape(raw, events, options, keep) {
    if (!Array.isArray(events)) return undefined;
    const o = tapeOptions(options);
    if (o === null) return undefined;
    // (Explanations are computed per event when first read, which the usage a tiered price
    // carries through the batch would make wrong: the core refuses a batch with such an event
    // and explanations on, and the JSON path explains at once.)
    let flags = this.#flags(raw, o);
    if (flags < 0) return undefined;
    if (o.explain) flags |= FLAG_EXPLAIN;
    let min = events.length * 64 + 1024;
    for (;;) {
      raw.recordRoom(min);
      target(raw.u8, raw.dv, raw.start, raw.end);
      const batch = writeEvents(events, this.#fieldsFor, keep && o.explain);
      if (batch === 0) return undefined;
      if (batch === -1) {
        min = (raw.end - raw.start) * 2;
        continue;
      }
      batch.length = written() - raw.start;
      batch.flags = flags;
      batch.o = o;
      return batch;
    }
  }

  /** The quotes of a batch's tape answer at `u8[start..]`. */
  #decodeBatch(raw, u8, start, batch) {
    const explainer = batch.o.explain ? this.#explainer(batch.o.text) : null;
    return decodeBatch(u8, start, batch, explainer, raw.u8);
  }

  quote(event, options) {
    const raw = this.#alive();
    if (typeof event === "object") {
      const fast = this.#quoteTape(raw, event, options);
      if (fast !== undefined) return fast;
    }
    const o = optionsText(options);
    const e = eventText(event);
    let out;
    try {
      out = raw.quote(e, o, clock(options));
    } catch (err) {
      throw translate(err);
    }
    return JSON.parse(out);
  }

  quoteMany(events, options) {
    const raw = this.#alive();
    for (;;) {
      const batch = this.#quoteManyTape(raw, events, options, false);
      if (batch === undefined) break;
      let at;
      try {
        at = raw.quoteManyTape(batch.length, batch.flags, batch.o);
      } catch (err) {
        throw translate(err);
      }
      if (at === null) break;
      // The answer needs more room after the records: write them again into more.
      if (at < 0) {
        raw.recordRoom(-at);
        continue;
      }
      return this.#decodeBatch(raw, raw.answer, at, batch);
    }
    const { text, held } = eventsText(events);
    const o = held === null ? optionsText(options) : returning(options);
    let out;
    try {
      out = raw.quoteMany(text, o, clock(options));
    } catch (err) {
      throw translate(err);
    }
    return held === null ? batchOut(out) : settle(batchOut(out), held, options);
  }

  /**
   * quoteMany that keeps the event loop turning: a long array of events is priced in pieces
   * of about 8 ms of the calling thread's time each, the loop let through between them, and
   * `onProgress(done, total)` called after each. @ratecard/node prices each piece on a worker
   * thread of libuv's pool. Answers are quoteMany's: with a tiered price (whose quotes depend
   * on the events before them), or when a piece holds a bad event (whose path must count from
   * the batch's start), the batch is priced in one piece. Every error rejects the promise.
   */
  async quoteManyAsync(events, options) {
    const raw = this.#alive();
    const onProgress = options?.onProgress;
    if (onProgress !== undefined && typeof onProgress !== "function") {
      throw fail("invalid_argument", "onProgress", "invalid_type", "onProgress must be a function");
    }
    const rest = onProgress === undefined ? options : withoutProgress(options);
    if (Array.isArray(events) && events.length > PIECE_MIN && !raw.tiered()) {
      const quotes = await this.#inPieces(raw, events, rest, onProgress);
      if (quotes !== undefined) return quotes;
    }
    const quotes = await this.#wholeAsync(raw, events, rest);
    onProgress?.(quotes.length, quotes.length);
    return quotes;
  }

  /** A batch in pieces (see quoteManyAsync); undefined when a piece holds a bad event. */
  async #inPieces(raw, events, options, onProgress) {
    // One current time for every piece, as one call would have read it.
    const now = clock(options) && options?.now === undefined && options?.at === undefined;
    const fixed = now ? { ...options, now: new Date() } : options;
    const quotes = [];
    let size = PIECE_MIN;
    while (quotes.length < events.length) {
      const piece = events.slice(quotes.length, quotes.length + size);
      let priced;
      try {
        priced = await this.#piece(raw, piece, fixed);
      } catch (err) {
        if (err instanceof RatecardError) return undefined;
        throw err;
      }
      if (priced.quotes.some((q) => q instanceof RatecardError)) return undefined;
      for (const q of priced.quotes) quotes.push(q);
      onProgress?.(quotes.length, events.length);
      const took = Math.max(priced.spent, 0.25);
      size = Math.min(PIECE_MAX, Math.max(PIECE_MIN, Math.round((size * PIECE_MS) / took)));
    }
    return quotes;
  }

  /**
   * One piece of a batch, its work on the calling thread done in turns of the event loop that
   * no other piece shares (see `acquire`): its quotes, and that work's milliseconds (`spent`).
   */
  async #piece(raw, events, options) {
    let spent = 0;
    const held = async (work) => {
      await acquire();
      const start = performance.now();
      try {
        return work();
      } finally {
        spent += performance.now() - start;
        release();
      }
    };
    let quotes;
    if (raw.quoteManyAsync === undefined) {
      quotes = await held(() => this.quoteMany(events, options));
    } else {
      const sent = await held(() => {
        const batch = this.#quoteManyTape(raw, events, options, true);
        return batch && { batch, answer: raw.quoteManyTapeAsync(batch.length, batch.o) };
      });
      let out = null;
      if (sent) {
        try {
          out = await sent.answer;
        } catch (err) {
          throw translate(err);
        }
      }
      quotes = out !== null ? await held(() => this.#decodeBatch(raw, out, 0, sent.batch)) : await this.#wholeAsync(raw, events, options);
    }
    return { quotes, spent };
  }

  /** The whole batch in one piece: off the calling thread where the host can. */
  async #wholeAsync(raw, events, options) {
    if (raw.quoteManyAsync === undefined) return this.quoteMany(events, options);
    const batch = this.#quoteManyTape(raw, events, options, true);
    if (batch !== undefined) {
      let out;
      try {
        out = await raw.quoteManyTapeAsync(batch.length, batch.o);
      } catch (err) {
        throw translate(err);
      }
      if (out !== null) return this.#decodeBatch(raw, out, 0, batch);
    }
    const { text, held } = eventsText(events);
    const o = held === null ? optionsText(options) : returning(options);
    const c = clock(options);
    let out;
    try {
      out = await raw.quoteManyAsync(text, o, c);
    } catch (err) {
      throw translate(err);
    }
    return held === null ? batchOut(out) : settle(batchOut(out), held, options);
  }

  /**
   * What `events` would draw from `wallet` (the billing API's wallet JSON, its accounts'
   * grants included), grant by grant, and what is left: a Preview. Events are priced as
   * quoteMany prices them; bad ones, or a bad wallet (`invalid_wallet`), throw with every issue.
   */
  preview(wallet, events, options) {
    const raw = this.#alive();
    const w = walletText(wallet);
    const { text, held } = eventsText(events);
    // Values JSON cannot carry (an invalid Date) are reported as quoteMany reports them.
    if (held !== null) settle(Array.from(events, () => null), held, undefined);
    let out;
    try {
      out = raw.preview(w, text, optionsText(options), clock(options));
    } catch (err) {
      throw translate(err);
    }
    return JSON.parse(out);
  }

  /**
   * How many more events like `event` the wallet covers at its instant (`count`, null when it
   * costs nothing) and, for a volume price, the largest volume (`volume`, a multiple of
   * `volumeStep`, default 1) whose quote the wallet covers.
   */
  affordable(wallet, event, options) {
    const raw = this.#alive();
    const w = walletText(wallet);
    const e = eventText(event);
    let out;
    try {
      out = raw.affordable(w, e, optionsText(options), clock(options));
    } catch (err) {
      throw translate(err);
    }
    return JSON.parse(out);
  }

  /**
   * What `amount` of `currency` buys of `event`: the units of its asset a top-up of that much
   * gives (rounded down), and how many such events or how large a volume they cover.
   */
  buys(amount, currency, event, options) {
    const raw = this.#alive();
    const a = amountText(amount);
    const c = codeArg(currency, "currency");
    const e = eventText(event);
    let out;
    try {
      out = raw.buys(a, c, e, optionsText(options), clock(options));
    } catch (err) {
      throw translate(err);
    }
    return JSON.parse(out);
  }

  /**
   * The wallet a new subscriber of `product` gets from its entitlements, subscribing at `at`
   * (default now), with every grant until `until` (default: the first period): the billing
   * API's wallet shape, ready for `preview`.
   */
  entitlements(product, at, until) {
    const raw = this.#alive();
    const p = codeArg(product, "product");
    const time = (value, path) => {
      if (value === undefined || value === null) return null;
      const text = timeText(value, path);
      if (typeof text !== "string") {
        throw fail("invalid_argument", path, "invalid_type", "expected a Date or an RFC 3339 string");
      }
      return text;
    };
    let out;
    try {
      out = raw.entitlements(p, time(at, "at"), time(until, "until"));
    } catch (err) {
      throw translate(err);
    }
    return JSON.parse(out);
  }

  convert(amount, from, to, at) {
    const raw = this.#alive();
    const a = amountText(amount);
    const f = codeArg(from, "from");
    const t = codeArg(to, "to");
    let when = null;
    if (at !== undefined && at !== null) {
      when = timeText(at, "at");
      if (typeof when !== "string") {
        throw fail("invalid_argument", "at", "invalid_type", "expected a Date or an RFC 3339 string");
      }
    }
    let out;
    try {
      out = raw.convert(a, f, t, when);
    } catch (err) {
      throw translate(err);
    }
    return JSON.parse(out);
  }

  format(amount, asset) {
    const raw = this.#alive();
    const a = amountText(amount);
    const code = codeArg(asset, "asset");
    try {
      return raw.format(a, code);
    } catch (err) {
      throw translate(err);
    }
  }

  /**
   * Frees the engine's memory now rather than at garbage collection. Later calls throw, and so
   * does reading the `explain` of an earlier quote that was not read before (a batch still
   * being priced off the calling thread finishes first).
   */
  free() {
    this.#raw?.free();
    this.#raw = undefined;
    this.#explainers.clear();
  }
}

/**
 * A batch's answer (JSON text): its quotes, and with `onError: "return"` each bad event's
 * error, `{"error": {code, message, issues}}` in the text, as a RatecardError in its place.
 */
function batchOut(text) {
  const list = JSON.parse(text);
  for (let i = 0; i < list.length; i++) {
    const e = list[i].error;
    if (e !== undefined) list[i] = new RatecardError(e.code, e.message, e.issues);
  }
  return list;
}

/** The `strict` of engine and validation options (`{strict?: boolean}`). */
function strictOption(options) {
  if (options === undefined || options === null) return false;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw fail("invalid_argument", "", "invalid_type", "options must be an object");
  }
  for (const key in options) {
    if (key !== "strict" && options[key] !== undefined) {
      throw fail("invalid_argument", key, "invalid_options", `unknown option ${JSON.stringify(key)} (options: strict)`);
    }
  }
  const strict = options.strict ?? false;
  if (typeof strict !== "boolean") throw fail("invalid_argument", "strict", "invalid_type", "expected a boolean");
  return strict;
}

/**
 * Checks a catalog; never throws for a bad catalog, only for text that is not JSON (and for
 * options or examples that are wrong). `{strict: true}`: warnings count as errors.
 * `{examples: [events]}`: the expressions are checked against these example events
 * (`expression_field_not_numeric`).
 */
export function validate(catalog, options) {
  const text = catalogText(catalog);
  let examples = "";
  if (options !== undefined && options !== null && typeof options === "object" && options.examples !== undefined) {
    if (!Array.isArray(options.examples)) {
      throw fail("invalid_argument", "examples", "invalid_type", "examples must be an array of usage events");
    }
    examples = stringify(options.examples);
    options = { ...options, examples: undefined };
  }
  const strict = strictOption(options);
  let out;
  try {
    out = validateCatalog(text, strict, examples);
  } catch (err) {
    throw translate(err);
  }
  return JSON.parse(out);
}

let schema_;
/** The JSON Schema of a catalog (a fresh copy each call, so callers may change it). */
export function schema() {
  if (schema_ === undefined) {
    try {
      schema_ = schemaText();
    } catch (err) {
      throw translate(err);
    }
  }
  return JSON.parse(schema_);
}

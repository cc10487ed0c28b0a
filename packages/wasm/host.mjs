// @ratecard/wasm's host adapter (the interface: packages/js/host.d.ts): how the shared wrapper
// (packages/js/ratecard.mjs) reaches the wasm-bindgen exports. Bundled into ratecard.js by
// packages/js/build.mjs; the imports below stay imports of the files beside it.
// Each engine has a scratch memory inside the module's memory: records are written there after a
// 12-byte header (unused handle, flags, length), and the module writes its answer right after
// them. Errors come thrown as `{code, message, issues}` JSON text.
import { RawEngine, validate as validateCatalog, wasmMemory } from "./pkg/ratecard_wasm.js";
// The schema's text is its own module (generated at build time), not in the WebAssembly: a
// bundler leaves it out of apps that never call schema().
import { SCHEMA } from "./schema.js";

export { validateCatalog };
export const schemaText = () => SCHEMA;

export function errorOf(thrown) {
  if (typeof thrown !== "string") return undefined;
  try {
    return JSON.parse(thrown);
  } catch {
    return { code: "invalid_argument", message: thrown, issues: [] };
  }
}

const HEADER = 12;
let memory = null;
let M8 = null;
let MDV = null;

export class Raw {
  base = 0;
  size = 0;
  u8 = null;
  dv = null;
  start = 0;
  end = 0;
  answer = null;

  constructor(text, strict) {
    this.raw = new RawEngine(text, strict);
  }

  /** The scratch at least `min` bytes long (it may move), and the views of the memory current. */
  room(min) {
    if (this.size < min) {
      this.size = Math.max(min, this.size * 2, 1 << 16);
      this.base = this.raw.scratch(this.size);
    }
    this.views();
  }

  /** Views of the module's memory, made again after it grew (which detaches the old buffer). */
  views() {
    if (M8 === null || M8.byteLength === 0) {
      if (memory === null) memory = wasmMemory();
      M8 = new Uint8Array(memory.buffer);
      MDV = new DataView(memory.buffer);
    }
    this.u8 = this.answer = M8;
    this.dv = MDV;
    this.start = this.base + HEADER;
    this.end = this.base + this.size;
  }

  header(flags, length) {
    MDV.setUint32(this.base, 0, true);
    MDV.setUint32(this.base + 4, flags, true);
    MDV.setUint32(this.base + 8, length, true);
  }

  quoteScratch(flags, length, untimed) {
    this.header(flags, length);
    const n = this.raw.quoteScratch(flags & 1 && untimed ? Date.now() : NaN);
    this.views();
    return n;
  }

  quoteManyTape(length, flags) {
    this.header(flags, length);
    const n = this.raw.quoteManyTape(flags & 1 ? Date.now() : NaN);
    if (n === 0) return null;
    this.views();
    return n < 0 ? n : this.start + length;
  }

  explainTape(length, text, at) {
    this.header(0, length);
    return this.raw.explainScratch(text ?? "", at);
  }

  setTapeOptions(text) { return this.raw.setTapeOptions(text); }
  warnings() { return this.raw.warnings(); }
  dataFields(type) { return this.raw.dataFields(type); }
  tiered() { return this.raw.tiered(); }
  quote(e, o, clock) { return this.raw.quote(e, o ?? "", clock ? Date.now() : NaN); }
  quoteMany(e, o, clock) { return this.raw.quote_many(e, o ?? "", clock ? Date.now() : NaN); }
  convert(a, from, to, at) { return this.raw.convert(a, from, to, at ?? "", Date.now()); }
  preview(w, e, o, clock) { return this.raw.preview(w, e, o ?? "", clock ? Date.now() : NaN); }
  affordable(w, e, o, clock) { return this.raw.affordable(w, e, o ?? "", clock ? Date.now() : NaN); }
  buys(a, c, e, o, clock) { return this.raw.buys(a, c, e, o ?? "", clock ? Date.now() : NaN); }
  entitlements(p, at, until) { return this.raw.entitlements(p, at ?? "", until ?? "", Date.now()); }
  format(a, asset) { return this.raw.format(a, asset); }
  free() { this.raw.free(); }
}
// (Batches and explanations go through the same scratch as single quotes.)
Raw.prototype.recordRoom = Raw.prototype.room;

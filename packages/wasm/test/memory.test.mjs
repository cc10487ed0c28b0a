// Freeing an engine returns its memory to the module: a page that rebuilds its engine whenever
// the catalog changes must not grow the module's memory (WebAssembly memory never shrinks, so a
// leak of a few kilobytes an engine is hundreds of megabytes after a day of edits).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "@ratecard/wasm";
import { wasmMemory } from "../pkg/ratecard_wasm.js";

const CATALOG = {
  assets: [{ code: "IMG", name: "Image credits", precision: 2, rates: [{ source: "USD", rate: 0.1 }] }],
  products: [{
    name: "Video", code: "video", prices: [{
      name: "Generation", type: "usage_based", billing_model: { type: "real_time" },
      usage_calculation: { event_type: "video_generated", usage_type: "volume", volume_field: "seconds", billable_dimensions: ["model"] },
      pricing: [{ asset: "IMG", values: [
        { dimensions: { model: "gen4" }, values: [{ volume_rate: 12 }] },
        { dimensions: { model: "*" }, values: [{ volume_rate: 5 }] },
      ] }],
    }],
  }],
};
const EVENT = { event_type: "video_generated", occurred_at: "2026-03-01T12:00:00Z", data: { model: "gen4", seconds: 4 } };

/** Builds, quotes (explanations on, left unread, and a batch) and frees `n` engines. */
function churn(n) {
  for (let i = 0; i < n; i++) {
    const engine = new Engine(CATALOG);
    engine.quote(EVENT);
    engine.quoteMany([EVENT, EVENT], { expressIn: ["USD"] });
    engine.free();
  }
}

test("20,000 engines built, quoted and freed leave the module's memory flat", () => {
  churn(1000);
  const before = wasmMemory().buffer.byteLength;
  churn(20000);
  const after = wasmMemory().buffer.byteLength;
  // One 64 KiB page of slack for the allocator; a leak of even 100 bytes an engine is 2 MB.
  assert.ok(after - before <= 65536, `memory grew from ${before} to ${after} bytes`);
});

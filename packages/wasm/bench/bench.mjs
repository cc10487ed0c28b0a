// Budgets of @ratecard/wasm, measured in one Node process: module size, instantiation, and
// quote / quoteMany against a hand-rolled decimal.js quoter of the same price (the dimensional
// "gen4 12 credits a second, else 5" price BENCHMARKS.md describes). Prints a Markdown
// section for BENCHMARKS.md. `node bench/bench.mjs [--quick] [--small]`: the package has two
// modules, the size-first one for browsers and the fast one its Node entry loads; this times the
// fast one, or with --small the browser's (then only the per-event table is printed).
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import Decimal from "decimal.js";

const quick = process.argv.includes("--quick");
const small = process.argv.includes("--small");
const glue = await import("../pkg/ratecard_wasm.js");
const modulePath = (name) => fileURLToPath(new URL(`../pkg/${name}`, import.meta.url));
const bytes = readFileSync(modulePath("ratecard_wasm_bg.wasm"));
const fastBytes = readFileSync(modulePath("ratecard_wasm_fast_bg.wasm"));
glue.initSync({ module: small ? bytes : fastBytes });
const { Engine } = await import("../ratecard.js");
const version = glue.version();

const CATALOG = {
  assets: [{ code: "CREDIT", name: "Credits", precision: 2, rates: [{ source: "USD", rate: "0.01" }] }],
  products: [{
    name: "Video", code: "video", prices: [{
      name: "Generation", type: "usage_based", billing_model: { type: "real_time" },
      usage_calculation: { event_type: "video_generated", usage_type: "volume", volume_field: "seconds", billable_dimensions: ["model"] },
      pricing: [{ asset: "CREDIT", values: [
        { dimensions: { model: "gen4" }, values: [{ volume_rate: 12 }] },
        { dimensions: { model: "*" }, values: [{ volume_rate: 5 }] },
      ] }],
    }],
  }],
};

// The hand-rolled quoter a user would write instead: match the event type, pick the
// dimensional value, multiply, clamp, round half-even to the asset's 2 places.
Decimal.set({ precision: 28, rounding: Decimal.ROUND_HALF_EVEN });
const GEN4 = new Decimal(12);
const OTHER = new Decimal(5);
const ZERO = new Decimal(0);
function handRolled(event) {
  if (event.event_type !== "video_generated") return { fees: [], totals: {} };
  const rate = event.data.model === "gen4" ? GEN4 : OTHER;
  let amount = new Decimal(event.data.seconds).times(rate);
  if (amount.lessThan(ZERO)) amount = ZERO;
  const text = amount.toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2);
  return { fees: [{ price_name: "Generation", currency: "CREDIT", amount: text }], totals: { CREDIT: text } };
}

const AT = "2026-03-01T12:00:00Z";
const N = 10_000;
const events = Array.from({ length: N }, (_, i) => ({
  id: `evt_${i}`,
  event_type: "video_generated",
  occurred_at: AT,
  data: { model: i % 3 === 0 ? "veo" : "gen4", seconds: (i % 120) / 4 + 0.25 },
}));
const one = events[1];

const engine = new Engine(CATALOG);
// Same answers first: the comparison is only fair if both quoters agree.
for (const e of events.slice(0, 500)) {
  const a = engine.quote(e).totals.CREDIT;
  const b = handRolled(e).totals.CREDIT;
  if (a !== b) throw new Error(`disagree on ${JSON.stringify(e)}: ratecard ${a}, decimal.js ${b}`);
}

/**
 * Median of `rounds` timings of `fn` run `iters` times, in ns per iteration. Each measurement
 * starts from a collected heap (with --expose-gc), so that one measurement's garbage is not
 * collected in the next one's time.
 */
function measure(fn, iters, rounds = quick ? 3 : 7) {
  if (typeof globalThis.gc === "function") globalThis.gc();
  for (let i = 0; i < Math.min(iters, 2000); i++) fn(i);
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) fn(i);
    times.push(Number(process.hrtime.bigint() - t0) / iters);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const singleIters = quick ? 20_000 : 100_000;
const rows = [];
let sink = 0;
const base = measure((i) => { sink += handRolled(events[i % N]).fees.length; }, singleIters);
const qOn = measure((i) => { sink += engine.quote(events[i % N]).fees.length; }, singleIters);
const qOff = measure((i) => { sink += engine.quote(events[i % N], { explain: false }).fees.length; }, singleIters);
const qUsd = measure((i) => { sink += engine.quote(events[i % N], { explain: false, expressIn: ["USD"] }).fees.length; }, singleIters);
const qText = measure((i) => { sink += engine.quote(JSON.stringify(events[i % N]), { explain: false }).fees.length; }, singleIters);

/**
 * The mean time of a batch over `rounds` batches in a row, in ns per event, after five to warm
 * up. A batch keeps ten thousand answers alive while it builds them, so the young generation's
 * collections cost a batch ~0.1 ms or ~2 ms depending on where in it they fall, and which way
 * they fall drifts from run to run: batches' times are two-humped and their median jumps
 * between the humps. The mean over many batches is what a steady stream of batches costs.
 */
function batchMean(fn, rounds) {
  if (typeof globalThis.gc === "function") globalThis.gc();
  for (let i = 0; i < 5; i++) fn();
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) fn();
  return Number(process.hrtime.bigint() - t0) / rounds / N;
}
const batchRounds = quick ? 10 : 60;
// The hand-rolled batch returns its answers as an array, as quoteMany does (and as
// scripts/bench-node.mjs measures it).
const baseBatch = batchMean(() => { sink += events.map(handRolled).length; }, batchRounds);
const mOn = batchMean(() => { sink += engine.quoteMany(events).length; }, batchRounds);
const mOff = batchMean(() => { sink += engine.quoteMany(events, { explain: false }).length; }, batchRounds);
const eventsText = JSON.stringify(events);
const mOffText = batchMean(() => { sink += engine.quoteMany(eventsText, { explain: false }).length; }, batchRounds);

const us = (ns) => (ns / 1000).toFixed(2);
const ratio = (a, b) => (a / b).toFixed(2);
const perEvent = [
  `| decimal.js hand-rolled quoter, one call | ${us(base)} | 1.00 |`,
  `| \`engine.quote(event)\` (explain on, the default) | ${us(qOn)} | ${ratio(qOn, base)} |`,
  `| \`engine.quote(event, {explain: false})\` | ${us(qOff)} | ${ratio(qOff, base)} |`,
  `| \`engine.quote(event, {explain: false, expressIn: ["USD"]})\` | ${us(qUsd)} | ${ratio(qUsd, base)} |`,
  `| \`engine.quote(JSON text, {explain: false})\` (incl. the caller's JSON.stringify) | ${us(qText)} | ${ratio(qText, base)} |`,
  `| decimal.js quoter over 10,000 events (mean of ${batchRounds} batches in a row) | ${us(baseBatch)} | 1.00 |`,
  `| \`engine.quoteMany(10,000 events)\` (explain on) | ${us(mOn)} | ${ratio(mOn, baseBatch)} |`,
  `| \`engine.quoteMany(10,000 events, {explain: false})\` | ${us(mOff)} | ${ratio(mOff, baseBatch)} |`,
  `| \`engine.quoteMany(10,000 events as JSON text, {explain: false})\` | ${us(mOffText)} | ${ratio(mOffText, baseBatch)} |`,
];
if (small) {
  console.log(perEvent.join("\n"));
  process.exit(sink === 0 ? 1 : 0);
}

const compile = measure(() => { sink += new WebAssembly.Module(bytes) ? 1 : 0; }, 1, quick ? 3 : 9) / 1e6;
const compileFast = measure(() => { sink += new WebAssembly.Module(fastBytes) ? 1 : 0; }, 1, quick ? 3 : 9) / 1e6;
const catalogText = readFileSync(new URL("../../../examples/catalog.json", import.meta.url), "utf8");
const build = measure(() => { new Engine(catalogText).free(); }, 200) / 1e3;
// Cold import of the package in a fresh Node process: read + compile + instantiate + glue.
const importMs = [];
for (let i = 0; i < (quick ? 3 : 7); i++) {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e",
    "const t = performance.now(); await import('@ratecard/wasm'); console.log(performance.now() - t);"],
    { cwd: fileURLToPath(new URL("..", import.meta.url)) });
  importMs.push(Number(out.toString().trim()));
}
importMs.sort((a, b) => a - b);
const importMedian = importMs[Math.floor(importMs.length / 2)];

const gz = gzipSync(bytes, { level: 9 }).length;
const gzFast = gzipSync(fastBytes, { level: 9 }).length;
const out = [];
out.push(`Measured by \`scripts/bench-wasm.sh\` (Node ${process.version}, ratecard ${version}, ${new Date().toISOString().slice(0, 10)}).`);
out.push(`Price: one dimensional volume price (gen4 12 credits/second, else 5), 10,000 events with \`model\``);
out.push(`and fractional \`seconds\` (single quotes cycle through them); the decimal.js quoter (same process,`);
out.push(`same answers checked on 500 events) matches the type, picks the rate, multiplies, clamps and rounds`);
out.push(`half-even, returning a small object (over 10,000 events, an array of them, as quoteMany returns).`);
out.push(``);
out.push(`| budget | measured | target |`);
out.push(`|---|---|---|`);
out.push(`| browser module \`pkg/ratecard_wasm_bg.wasm\` (opt-level z, \`wasm-opt\` for size) | ${(bytes.length / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzipped | ≤ 80 KB gzipped (150 KB needs a reason) |`);
out.push(`| Node module \`pkg/ratecard_wasm_fast_bg.wasm\` (pricing crates at opt-level 2) | ${(fastBytes.length / 1024).toFixed(1)} KB raw, ${(gzFast / 1024).toFixed(1)} KB gzipped | (read from disk, never downloaded) |`);
out.push(`| compile the browser module (\`new WebAssembly.Module\`) | ${compile.toFixed(2)} ms | |`);
out.push(`| compile the Node module | ${compileFast.toFixed(2)} ms | |`);
out.push(`| cold \`import("@ratecard/wasm")\` in a fresh Node (read, compile, instantiate) | ${importMedian.toFixed(1)} ms | |`);
out.push(`| \`new Engine(examples/catalog.json text)\` | ${build.toFixed(1)} µs | |`);
out.push(``);
out.push(`Per event, the Node module (what \`import "@ratecard/wasm"\` loads in Node):`);
out.push(``);
out.push(`| per event | µs | ÷ decimal.js |`);
out.push(`|---|---|---|`);
out.push(...perEvent);
console.log(out.join("\n"));
if (sink === 0) console.log("");

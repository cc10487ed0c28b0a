// JavaScript-specific behaviour of @ratecard/wasm: inputs only JavaScript has (Date, NaN,
// Infinity, undefined, BigInt, cycles, deep nesting, big catalogs), the error model, and that
// a bad input never leaves the WebAssembly instance broken.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Engine, RatecardError, validate, schema, version } from "@ratecard/wasm";

const CATALOG = {
  assets: [
    {
      code: "IMG", name: "Image credits", precision: 2, label: "image", symbol: "📸",
      rates: [
        { source: "USD", rate: 0.1 },
        { source: "USD", valid_from: "2026-02-26T15:51:28.071Z", rate: 0.12 },
      ],
    },
  ],
  products: [
    {
      name: "Video", code: "video", prices: [
        {
          name: "Generation", type: "usage_based", billing_model: { type: "real_time" },
          usage_calculation: { event_type: "video_generated", usage_type: "volume", volume_field: "seconds", billable_dimensions: ["model"] },
          pricing: [{ asset: "IMG", values: [
            { dimensions: { model: "gen4" }, values: [{ volume_rate: 12 }] },
            { dimensions: { model: "*" }, values: [{ volume_rate: 5 }] },
          ] }],
        },
      ],
    },
  ],
};
const AT = "2026-03-01T12:00:00Z";
const event = (data, extra = {}) => ({ event_type: "video_generated", occurred_at: AT, data, ...extra });

function assertRatecardError(fn, code, issues) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof RatecardError, `expected a RatecardError, got ${thrown}`);
  assert.ok(thrown instanceof Error);
  assert.equal(thrown.name, "RatecardError");
  assert.equal(thrown.code, code, thrown.message);
  if (issues) assert.deepEqual(thrown.issues.map((i) => [i.path, i.code]), issues);
  for (const i of thrown.issues) assert.equal(typeof i.message, "string");
  return thrown;
}

test("a quote in the price's asset and in dollars, amounts as strings keeping the scale", () => {
  const engine = new Engine(CATALOG);
  const q = engine.quote(event({ model: "gen4", seconds: 10 }), { expressIn: ["USD"] });
  assert.equal(q.fees.length, 1);
  assert.equal(q.fees[0].amount, "120.00");
  assert.equal(q.fees[0].currency, "IMG");
  assert.equal(q.fees[0].price_name, "Generation");
  assert.deepEqual(q.totals, { IMG: "120.00" });
  assert.deepEqual(q.equivalents, { USD: "14.40" });
  assert.equal(q.at, AT);
  assert.ok(q.explain.length > 0);
  assert.equal(engine.format(q.totals.IMG, "IMG"), "📸 120.00 image");
  assert.equal(engine.format("0.2", "USD"), "$0.20");
});

test("JSON text works wherever an object does", () => {
  const engine = new Engine(JSON.stringify(CATALOG));
  const q = engine.quote(JSON.stringify(event({ model: "x", seconds: "2" })), { explain: false });
  assert.equal(q.fees[0].amount, "10.00");
  assert.deepEqual(q.explain, []);
  const many = engine.quoteMany(JSON.stringify([event({ model: "gen4", seconds: 1 })]));
  assert.equal(many[0].fees[0].amount, "12.00");
  assert.equal(validate(JSON.stringify(CATALOG)).valid, true);
});

test("numbers are read by their shortest round-trip text: 0.1 is 0.1", () => {
  const engine = new Engine(CATALOG);
  // 0.1 + 0.2 in binary would be 0.30000000000000004; ratecard sees 0.1 × 12.
  const q = engine.quote(event({ model: "gen4", seconds: 0.1 }));
  assert.equal(q.fees[0].input_volume, "0.1");
  assert.equal(q.fees[0].amount, "1.20");
  const c = engine.convert(0.1, "USD", "IMG", AT);
  assert.equal(c.source_amount, "0.10");
  assert.equal(c.destination_amount, "0.83"); // 0.1 / 0.12 = 0.833..., units bought round down
  assert.equal(engine.convert("0.30000000000000004", "USD", "USD", AT).source_amount, "0.30000000000000004");
});

test("NaN and Infinity are refused where a decimal belongs, with their path", () => {
  const engine = new Engine(CATALOG);
  assertRatecardError(() => engine.quote(event({ model: "gen4", seconds: NaN })), "invalid_event", [["data.seconds", "invalid_type"]]);
  assertRatecardError(() => engine.quoteMany([event({}), event({ seconds: -Infinity })]), "invalid_event", [["[1].data.seconds", "invalid_type"]]);
  assertRatecardError(() => engine.format(NaN, "IMG"), "invalid_argument", [["amount", "invalid_decimal"]]);
  assertRatecardError(() => engine.convert(Infinity, "USD", "IMG", AT), "invalid_argument", [["amount", "invalid_decimal"]]);
  const bad = structuredClone(CATALOG);
  bad.assets[0].rates[0].rate = NaN;
  assertRatecardError(() => new Engine(bad), "invalid_catalog", [["assets[0].rates[0].rate", "invalid_decimal"]]);
  const report = validate(bad);
  assert.equal(report.valid, false);
  assert.deepEqual(report.errors.map((i) => [i.path, i.code]), [["assets[0].rates[0].rate", "invalid_decimal"]]);
});

test("undefined is an absent field, as JSON.stringify has it", () => {
  const engine = new Engine(CATALOG);
  const q = engine.quote(event({ model: "gen4", seconds: 2, note: undefined }, { id: undefined }), { at: undefined, expressIn: undefined });
  assert.equal(q.fees[0].amount, "24.00");
  assert.equal("event_id" in q, false);
  assertRatecardError(() => engine.quote({ event_type: undefined }), "invalid_event", [["event_type", "missing_field"]]);
  assertRatecardError(() => engine.quote(undefined), "invalid_event");
});

test("a Date works for times; an invalid Date is refused", () => {
  const engine = new Engine(CATALOG);
  const before = new Date("2026-01-01T00:00:00Z");
  const q = engine.quote(event({ model: "gen4", seconds: 1 }), { at: before, expressIn: ["USD"] });
  assert.equal(q.at, "2026-01-01T00:00:00Z");
  assert.equal(q.equivalents.USD, "1.20"); // 12 credits at the old rate of $0.10
  const q2 = engine.quote({ event_type: "video_generated", occurred_at: new Date(AT), data: { model: "gen4", seconds: 1 } }, { expressIn: ["USD"] });
  assert.equal(q2.equivalents.USD, "1.44");
  assert.equal(engine.convert(1, "IMG", "USD", before).destination_amount, "0.10");
  assertRatecardError(() => engine.quote(event({}), { at: new Date("nope") }), "invalid_argument", [["at", "invalid_timestamp"]]);
  assertRatecardError(() => engine.quote({ event_type: "video_generated", occurred_at: new Date("nope") }), "invalid_event", [["occurred_at", "invalid_timestamp"]]);
  assertRatecardError(() => engine.convert(1, "IMG", "USD", "yesterday"), "invalid_argument", [["at", "invalid_timestamp"]]);
});

test("the host clock prices events without a time; now: null turns it off", () => {
  const engine = new Engine(CATALOG);
  const q = engine.quote({ event_type: "video_generated", data: { model: "gen4", seconds: 1 } });
  const at = Date.parse(q.at);
  assert.ok(Math.abs(at - Date.now()) < 60_000, q.at);
  const fixed = engine.quote({ event_type: "video_generated" }, { now: "2020-01-01T00:00:00Z" });
  assert.equal(fixed.at, "2020-01-01T00:00:00Z");
  assertRatecardError(() => engine.quote({ event_type: "video_generated" }, { now: null }), "invalid_event", [["occurred_at", "missing_instant"]]);
  const c = engine.convert(1, "IMG", "USD");
  assert.equal(c.destination_amount, "0.12");
});

test("BigInt amounts keep every digit", () => {
  const engine = new Engine(CATALOG);
  assert.equal(engine.format(12345678901234567890n, "IMG"), "📸 12345678901234567890.00 image");
  const q = engine.quote(event({ model: "gen4", seconds: 3n }));
  assert.equal(q.fees[0].amount, "36.00");
});

test("options: camelCase, wire-form errors with paths", () => {
  const engine = new Engine(CATALOG);
  assertRatecardError(() => engine.quote(event({}), { expressIn: ["NOPE"] }), "invalid_argument", [["expressIn[0]", "unknown_asset"]]);
  assertRatecardError(() => engine.quote(event({}), { products: ["nope"] }), "invalid_argument", [["products[0]", "unknown_product"]]);
  assertRatecardError(() => engine.quote(event({}), { bogus: true }), "invalid_argument", [["bogus", "invalid_options"]]);
  assertRatecardError(() => engine.quote(event({}), "USD"), "invalid_argument", [["", "invalid_type"]]);
  assertRatecardError(() => engine.quote(event({}), { priorUsage: { video: { Generation: NaN } } }), "invalid_argument", [["priorUsage.video.Generation", "invalid_decimal"]]);
  assertRatecardError(() => engine.format(1, 42), "invalid_argument", [["asset", "invalid_type"]]);
  assertRatecardError(() => engine.convert(1, "USD", "EUR", AT), "no_rate");
});

test("a bad catalog carries every issue; validate never throws for one", () => {
  const bad = { assets: [{ code: "USD", name: "x" }, { code: "A", name: "a", precision: 99 }], products: 7 };
  const err = assertRatecardError(() => new Engine(bad), "invalid_catalog");
  assert.ok(err.issues.length >= 3, JSON.stringify(err.issues));
  const report = validate(bad);
  assert.equal(report.valid, false);
  assert.deepEqual(report.errors.map((i) => [i.path, i.code]), err.issues.map((i) => [i.path, i.code]));
  assert.equal(validate(42).valid, false);
  assertRatecardError(() => validate("{not json"), "invalid_json", [["", "invalid_json"]]);
  assertRatecardError(() => new Engine("{not json"), "invalid_json");
});

test("nesting 10,000 deep is refused without breaking the instance", () => {
  let deep = {};
  for (let i = 0; i < 10_000; i++) deep = { a: deep };
  assertRatecardError(() => new Engine({ assets: [], products: [], settings: deep }), "invalid_json");
  assertRatecardError(() => validate("[".repeat(10_000) + "]".repeat(10_000)), "invalid_json");
  const engine = new Engine(CATALOG);
  assertRatecardError(() => engine.quote('{"event_type":"x","data":{"a":' + "[".repeat(10_000) + "]".repeat(10_000) + "}}"), "invalid_event", [["data.a", "invalid_type"]]);
  let array = [];
  for (let i = 0; i < 10_000; i++) array = [array];
  // Too deep for JSON.stringify itself: refused before it reaches WebAssembly.
  assertRatecardError(() => engine.quote(event({ a: array })), "invalid_json");
  // Still works.
  assert.equal(engine.quote(event({ model: "gen4", seconds: 1 })).fees[0].amount, "12.00");
});

test("a cycle is invalid_json, not a hang", () => {
  const cyclic = { assets: [], products: [] };
  cyclic.self = cyclic;
  assertRatecardError(() => new Engine(cyclic), "invalid_json");
  const ev = event({});
  ev.data.self = ev;
  assertRatecardError(() => new Engine(CATALOG).quote(ev), "invalid_json");
});

test("a 10 MB catalog loads and quotes", () => {
  const big = structuredClone(CATALOG);
  const template = big.products[0];
  let size = 0;
  for (let i = 0; size < 10_000_000; i++) {
    const p = structuredClone(template);
    p.code = `video_${i}`;
    p.prices[0].usage_calculation.event_type = `video_generated_${i}`;
    p.prices[0].pricing[0].values[1].values[0].volume_rate = `${i % 97}.5`;
    big.products.push(p);
    size += 420;
  }
  const text = JSON.stringify(big);
  assert.ok(text.length >= 10_000_000, `${text.length}`);
  const engine = new Engine(text);
  const q = engine.quote({ event_type: "video_generated_4321", occurred_at: AT, data: { model: "x", seconds: 2 } });
  assert.equal(q.fees[0].amount, `${((4321 % 97) * 2 + 1).toFixed(2)}`);
  engine.free();
});

test("errors never leave the instance broken: 1000 bad calls, then good ones", () => {
  const engine = new Engine(CATALOG);
  for (let i = 0; i < 1000; i++) {
    assert.throws(() => engine.quote("{", {}), RatecardError);
    assert.throws(() => new Engine({ assets: 1 }), RatecardError);
    assert.throws(() => engine.convert("x", "USD", "IMG", AT), RatecardError);
  }
  assert.equal(engine.quote(event({ model: "gen4", seconds: 1 })).fees[0].amount, "12.00");
  assert.equal(new Engine(CATALOG).format(1, "IMG"), "📸 1.00 image");
});

test("quoteMany accumulates tiers across the batch and keeps order", () => {
  const tiered = {
    assets: [],
    products: [{ name: "API", code: "api", prices: [{
      name: "Calls", type: "usage_based", billing_model: { type: "real_time" }, pricing_model: "tiered",
      tiering: { basis: "unit", period: "monthly" },
      usage_calculation: { event_type: "call", usage_type: "unit" },
      pricing: [{ asset: "USD", values: [{ up_to: 2, unit_price: "1.00" }, { unit_price: "0.50" }] }],
    }] }],
  };
  const engine = new Engine(tiered);
  const events = Array.from({ length: 4 }, (_, i) => ({ id: `e${i}`, event_type: "call", occurred_at: AT }));
  const quotes = engine.quoteMany(events);
  assert.deepEqual(quotes.map((q) => [q.event_id, q.totals.USD]), [["e0", "1.00"], ["e1", "1.00"], ["e2", "0.50"], ["e3", "0.50"]]);
  const prior = engine.quoteMany(events.slice(0, 1), { priorUsage: { api: { Calls: 5 } } });
  assert.equal(prior[0].totals.USD, "0.50");
  assert.deepEqual(engine.quoteMany([]), []);
});

test("warnings, schema and version", () => {
  const engine = new Engine(CATALOG);
  assert.deepEqual(engine.warnings, []);
  const s = schema();
  assert.equal(s.title, "ratecard catalog");
  assert.ok(s.$defs.Asset);
  assert.match(version, /^\d+\.\d+\.\d+/);
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  assert.equal(typeof pkg.exports["."].node, "string");
});

test("free() releases the engine; later calls fail loudly, others are unaffected", () => {
  const a = new Engine(CATALOG);
  const b = new Engine(CATALOG);
  a.free();
  assert.throws(() => a.quote(event({})));
  a.free(); // twice is harmless
  assert.equal(b.format(1, "USD"), "$1.00");
});

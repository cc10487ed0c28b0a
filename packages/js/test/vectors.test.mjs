// The JavaScript runner of the conformance vectors: every vector in tests/vectors/*.json (read at
// test time, so new files are picked up) through the public API of @ratecard/node and of
// @ratecard/wasm, each op mapped the way the core's runner (core/tests/vectors.rs) maps it and
// matched by the rules of tests/vectors/README.md.
//
// RATECARD_PACKAGES picks the packages (default "node,wasm"). One that is not built is skipped
// with a message saying how to build it; in CI (CI set) it fails instead.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const vectorDir = join(root, "tests", "vectors");
const ENTRIES = {
  node: { file: "packages/node/ratecard.mjs", build: "scripts/build-node.sh" },
  // The entry that @ratecard/wasm's exports map gives Node.
  wasm: { file: "packages/wasm/node.js", build: "scripts/build-wasm.sh" },
};
const wanted = (process.env.RATECARD_PACKAGES ?? "node,wasm").split(",").map((s) => s.trim()).filter(Boolean);

function loadVectors() {
  const out = [];
  for (const file of readdirSync(vectorDir).filter((f) => f.endsWith(".json")).sort()) {
    const list = JSON.parse(readFileSync(join(vectorDir, file), "utf8"));
    assert.ok(Array.isArray(list), `${file} is not a JSON array`);
    for (const v of list) out.push({ file, v });
  }
  return out;
}

/** README's matching: objects by subset, arrays by length and element, scalars by equality. */
function matches(expected, actual, path, errors) {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return errors.push(`${path}: expected an array, got ${JSON.stringify(actual)}`);
    if (expected.length !== actual.length) {
      return errors.push(`${path}: expected ${expected.length} items, got ${actual.length}: ${JSON.stringify(actual)}`);
    }
    expected.forEach((e, i) => matches(e, actual[i], `${path}[${i}]`, errors));
  } else if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) {
      return errors.push(`${path}: expected an object, got ${JSON.stringify(actual)}`);
    }
    for (const [k, e] of Object.entries(expected)) {
      if (!(k in actual)) errors.push(`${path}.${k}: missing (expected ${JSON.stringify(e)})`);
      else matches(e, actual[k], `${path}.${k}`, errors);
    }
  } else if (expected !== actual) {
    errors.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/**
 * Wire-form options (snake_case) as the JavaScript API takes them (camelCase). A vector's `now`
 * stands for the host clock; without one the runner asks for no clock (`now: null`), as the
 * Rust runner does, so that no vector depends on the real time.
 */
const CAMEL = {
  express_in: "expressIn",
  prior_usage: "priorUsage",
  on_error: "onError",
  min_top_up: "minTopUp",
  top_up_currency: "topUpCurrency",
  auto_top_up: "autoTopUp",
  volume_step: "volumeStep",
};

function jsOptions(wire) {
  const options = Object.fromEntries(Object.entries(wire ?? {}).map(([k, v]) => [CAMEL[k] ?? k, v]));
  if (options.now === undefined) options.now = null;
  return options;
}

/**
 * An expected error with its option paths as this runner spelled the options: an issue names an
 * option as the caller wrote it (`expressIn[1]` for `expressIn`), the core's rule in every face.
 */
function spelled(expected, wire) {
  if (expected?.issues === undefined) return expected;
  const renamed = Object.keys(wire ?? {}).filter((k) => CAMEL[k] !== undefined);
  const rename = (path) => {
    for (const k of renamed) if (path === k || path.startsWith(`${k}.`) || path.startsWith(`${k}[`)) return CAMEL[k] + path.slice(k.length);
    return path;
  };
  return { ...expected, issues: expected.issues.map((i) => ({ ...i, path: rename(i.path) })) };
}

/** A batch's output as the vectors write it: a returned RatecardError is `{error: {code, issues}}`. */
function asWire(outcome, RatecardError) {
  if (!Array.isArray(outcome)) return outcome;
  return outcome.map((q) => (q instanceof RatecardError ? { error: errorValue(q) } : q));
}

/** A catalog as a JavaScript user would hand it over: raw text, a file's text, or an object. */
function catalogOf(v) {
  if (typeof v.catalog_json === "string") return v.catalog_json;
  if (typeof v.catalog_file === "string") return readFileSync(join(root, v.catalog_file), "utf8");
  if (v.catalog === undefined) return {};
  // A string is JSON text to the JavaScript API: an inline string catalog is written as JSON.
  return typeof v.catalog === "string" ? JSON.stringify(v.catalog) : v.catalog;
}

/** The vector's op; the engine it built goes into `engines` (freed after the output is matched: a quote's `explain` is read lazily). */
function run({ Engine, validate }, v, engines) {
  const catalog = catalogOf(v);
  const strict = v.strict === true ? { strict: true } : undefined;
  if (v.op === "validate") {
    // An input is the example events the expressions are checked against.
    return Array.isArray(v.input) ? validate(catalog, { ...strict, examples: v.input }) : validate(catalog, strict);
  }
  const engine = new Engine(catalog, strict);
  engines.push(engine);
  const options = jsOptions(v.options);
  const input =
    typeof v.input_json === "string" ? v.input_json : typeof v.input === "string" ? JSON.stringify(v.input) : v.input;
  switch (v.op) {
    case "engine":
      return { warnings: engine.warnings };
    case "quote":
      return engine.quote(input, options);
    case "quote_many":
      return engine.quoteMany(input, options);
    case "convert":
      return engine.convert(input.amount, input.from, input.to, input.at);
    case "format":
      return engine.format(input.amount, input.asset);
    case "preview":
      return engine.preview(input.wallet, input.events, options);
    case "entitlements":
      return engine.entitlements(input.product, input.at, input.until);
    case "affordable":
      return engine.affordable(input.wallet, input.event, options);
    case "buys":
      return engine.buys(input.amount, input.currency, input.event, options);
    default:
      throw new Error(`unknown op ${v.op}`);
  }
}

const errorValue = (e) => ({ code: e.code, issues: e.issues.map((i) => ({ path: i.path, code: i.code })) });

const vectors = loadVectors();

test("the vector directory holds vectors with unique names", () => {
  assert.ok(vectors.length > 0, `no vectors found in ${vectorDir}`);
  const names = new Set();
  for (const { file, v } of vectors) {
    assert.equal(typeof v.name, "string", `${file}: vector without name`);
    assert.ok(!names.has(v.name), `duplicate vector name ${v.name}`);
    names.add(v.name);
  }
});

for (const name of wanted) {
  const entry = ENTRIES[name];
  if (!entry) throw new Error(`RATECARD_PACKAGES: unknown package ${name} (node, wasm)`);
  let ratecard;
  let skip;
  try {
    ratecard = await import(pathToFileURL(join(root, entry.file)).href);
  } catch (err) {
    if (process.env.CI) throw err;
    skip = `@ratecard/${name} is not built (${err.code ?? err.message}); build it with bash ${entry.build}`;
  }
  describe(`@ratecard/${name}`, { skip }, () => {
    for (const { file, v } of vectors) {
      test(`${file}: ${v.name}`, () => {
        const engines = [];
        let outcome;
        let failure;
        try {
          outcome = run(ratecard, v, engines);
        } catch (e) {
          if (!(e instanceof ratecard.RatecardError)) throw e;
          failure = e;
        }
        const errors = [];
        try {
          if (v.expect !== undefined) {
            if (failure) errors.push(`unexpected error: ${failure.message} ${JSON.stringify(errorValue(failure))}`);
            else matches(v.expect, asWire(outcome, ratecard.RatecardError), "", errors);
          } else if (v.expect_error !== undefined) {
            if (!failure) errors.push(`expected an error, got ${JSON.stringify(outcome)}`);
            else matches(spelled(v.expect_error, v.options), errorValue(failure), "error", errors);
          } else {
            errors.push("vector has neither expect nor expect_error");
          }
        } finally {
          for (const engine of engines) engine.free();
        }
        assert.deepEqual(errors, [], `${v.name}: ${v.description ?? ""}`);
      });
    }
  });
}

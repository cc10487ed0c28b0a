// Runs every conformance vector in tests/vectors/*.json (read at test time, so new files are
// picked up) through the built @ratecard/wasm package, mapping each op the way the core's
// runner (core/tests/vectors.rs) does, and matching by the rules of tests/vectors/README.md.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { Engine, RatecardError, validate } from "@ratecard/wasm";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const dir = join(root, "tests/vectors");

function loadVectors() {
  const out = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const list = JSON.parse(readFileSync(join(dir, file), "utf8"));
    for (const v of list) out.push({ file, ...v });
  }
  return out;
}

/** README matching: objects by subset, arrays by length then element, scalars by equality. */
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

/** A catalog as a JavaScript user would hand it over: raw text, a file's text, or an object. */
function catalogOf(v) {
  if (typeof v.catalog_json === "string") return v.catalog_json;
  if (typeof v.catalog_file === "string") return readFileSync(join(root, v.catalog_file), "utf8");
  // A string here is a JSON string value, which a JavaScript caller passes as JSON text.
  if (!("catalog" in v)) return {};
  return typeof v.catalog === "string" ? JSON.stringify(v.catalog) : v.catalog;
}

/** Wire-form options to the JavaScript (camelCase) ones; no `now` means no clock, as in Rust. */
function optionsOf(v) {
  const wire = v.options ?? {};
  const js = { now: null };
  for (const [k, value] of Object.entries(wire)) {
    if (k === "express_in") js.expressIn = value;
    else if (k === "prior_usage") js.priorUsage = value;
    else js[k] = value;
  }
  return js;
}

/** The vector's output; engines made for it are pushed onto `made`, freed once it is matched
 * (a quote's `explain` is computed when first read, which needs its engine). */
function run(v, made) {
  const catalog = catalogOf(v);
  if (v.op === "validate") return validate(catalog);
  const engine = new Engine(catalog);
  made.push(engine);
  {
    const options = optionsOf(v);
    let input = typeof v.input_json === "string" ? v.input_json : v.input;
    if (typeof v.input === "string" && typeof v.input_json !== "string") input = JSON.stringify(v.input);
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
      default:
        throw new Error(`unknown op ${v.op}`);
    }
  }
}

const vectors = loadVectors();

test("there are conformance vectors to run", () => {
  assert.ok(vectors.length > 0, `no vectors found in ${dir}`);
  const names = new Set();
  for (const v of vectors) {
    assert.ok(!names.has(v.name), `duplicate vector name ${v.name}`);
    names.add(v.name);
  }
});

for (const v of vectors) {
  test(`${v.file}: ${v.name}`, () => {
    const errors = [];
    const made = [];
    let actual;
    let thrown;
    try {
      actual = run(v, made);
    } catch (e) {
      thrown = e;
    }
    if (thrown !== undefined && !(thrown instanceof RatecardError)) throw thrown;
    if (v.expect !== undefined) {
      if (thrown) errors.push(`unexpected error: ${thrown.message} ${JSON.stringify({ code: thrown.code, issues: thrown.issues })}`);
      else matches(v.expect, actual, "", errors);
    } else if (v.expect_error !== undefined) {
      if (!thrown) errors.push(`expected an error, got ${JSON.stringify(actual)}`);
      else {
        const got = { code: thrown.code, issues: thrown.issues.map((i) => ({ path: i.path, code: i.code })) };
        matches(v.expect_error, got, "error", errors);
      }
    } else {
      errors.push("vector has neither expect nor expect_error");
    }
    for (const engine of made) engine.free();
    assert.deepEqual(errors, [], `${v.name}: ${v.description ?? ""}`);
  });
}

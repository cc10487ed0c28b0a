// Runs every conformance vector in tests/vectors/*.json (loaded at test time, so new files are
// picked up) through @ratecard/node's public API, matched by the rules of tests/vectors/README.md.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as ratecard from '../../packages/node/ratecard.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const vectorDir = join(root, 'tests', 'vectors')

function loadVectors() {
  const files = readdirSync(vectorDir).filter((f) => f.endsWith('.json')).sort()
  const out = []
  for (const file of files) {
    const list = JSON.parse(readFileSync(join(vectorDir, file), 'utf8'))
    assert.ok(Array.isArray(list), `${file} is not a JSON array`)
    for (const v of list) out.push({ file, v })
  }
  return out
}

/** README's matching: objects by subset, arrays by length and element, scalars by equality. */
function matches(expected, actual, path, errors) {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return errors.push(`${path}: expected an array, got ${JSON.stringify(actual)}`)
    if (expected.length !== actual.length) {
      return errors.push(`${path}: expected ${expected.length} items, got ${actual.length}: ${JSON.stringify(actual)}`)
    }
    expected.forEach((e, i) => matches(e, actual[i], `${path}[${i}]`, errors))
  } else if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return errors.push(`${path}: expected an object, got ${JSON.stringify(actual)}`)
    }
    for (const [k, e] of Object.entries(expected)) {
      if (!(k in actual)) errors.push(`${path}.${k}: missing (expected ${JSON.stringify(e)})`)
      else matches(e, actual[k], `${path}.${k}`, errors)
    }
  } else if (expected !== actual) {
    errors.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
  }
}

/**
 * Wire-form options (snake_case) as the JavaScript API takes them (camelCase). A vector's `now`
 * stands for the host clock; without one the runner asks for no clock (`now: null`), as the
 * Rust runner does, so that no vector depends on the real time.
 */
function jsOptions(wire) {
  const names = { express_in: 'expressIn', prior_usage: 'priorUsage' }
  const options = Object.fromEntries(Object.entries(wire ?? {}).map(([k, v]) => [names[k] ?? k, v]))
  if (options.now === undefined) options.now = null
  return options
}

function catalogOf(v) {
  if (typeof v.catalog_json === 'string') return v.catalog_json
  if (typeof v.catalog_file === 'string') return readFileSync(join(root, v.catalog_file), 'utf8')
  if (v.catalog === undefined) return {}
  // A string is JSON text to the JavaScript API: an inline string catalog is written as JSON.
  return typeof v.catalog === 'string' ? JSON.stringify(v.catalog) : v.catalog
}

function run(v) {
  const catalog = catalogOf(v)
  if (v.op === 'validate') return ratecard.validate(catalog)
  const engine = new ratecard.Engine(catalog)
  const options = jsOptions(v.options)
  const input =
    typeof v.input_json === 'string' ? v.input_json : typeof v.input === 'string' ? JSON.stringify(v.input) : v.input
  switch (v.op) {
    case 'engine':
      return { warnings: engine.warnings }
    case 'quote':
      return engine.quote(input, options)
    case 'quote_many':
      return engine.quoteMany(input, options)
    case 'convert':
      return engine.convert(input.amount, input.from, input.to, input.at)
    case 'format':
      return engine.format(input.amount, input.asset)
    default:
      throw new Error(`unknown op ${v.op}`)
  }
}

const errorValue = (e) => ({ code: e.code, issues: e.issues.map((i) => ({ path: i.path, code: i.code })) })

const vectors = loadVectors()

test('the vector directory holds vectors with unique names', () => {
  assert.ok(vectors.length > 0, 'no vectors found')
  const names = new Set()
  for (const { file, v } of vectors) {
    assert.equal(typeof v.name, 'string', `${file}: vector without name`)
    assert.ok(!names.has(v.name), `duplicate vector name ${v.name}`)
    names.add(v.name)
  }
})

for (const { file, v } of vectors) {
  test(`${file}: ${v.name}`, () => {
    let outcome
    let failure
    try {
      outcome = run(v)
    } catch (e) {
      if (!(e instanceof ratecard.RatecardError)) throw e
      failure = e
    }
    const errors = []
    if (v.expect !== undefined) {
      if (failure) errors.push(`unexpected error: ${failure.message} ${JSON.stringify(errorValue(failure))}`)
      else matches(v.expect, outcome, '', errors)
    } else if (v.expect_error !== undefined) {
      if (!failure) errors.push(`expected an error, got ${JSON.stringify(outcome)}`)
      else matches(v.expect_error, errorValue(failure), 'error', errors)
    } else {
      errors.push('vector has neither expect nor expect_error')
    }
    assert.deepEqual(errors, [], `${v.name}: ${v.description ?? ''}`)
  })
}

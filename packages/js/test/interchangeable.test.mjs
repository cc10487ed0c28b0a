// One program, two packages: this file runs unchanged against @ratecard/node and @ratecard/wasm
// and proves a program written against one runs against the other with the same results.
//
// RATECARD_PACKAGES picks which (default "node,wasm"). A package that is not built is skipped
// with a message saying how to build it; when both load, their outputs are also compared.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { packages, root } from './fixtures.mjs'

const loaded = await packages()

const catalogText = readFileSync(join(root, 'examples', 'tutorial-catalog.json'), 'utf8')
const events = JSON.parse(readFileSync(join(root, 'examples', 'tutorial-events.json'), 'utf8'))
const AT = '2026-03-01T12:00:00Z'

/**
 * The program: everything a user of either package might do, returning plain data so the two
 * packages' answers can be compared. Errors are caught the documented way.
 */
function program({ Engine, RatecardError, validate, schema, version }) {
  const out = {}
  const catch_ = (fn) => {
    try {
      fn()
      return 'no error'
    } catch (e) {
      assert.ok(e instanceof RatecardError, `not a RatecardError: ${e}`)
      assert.ok(e instanceof Error)
      assert.equal(e.name, 'RatecardError')
      return { code: e.code, issues: e.issues.map((i) => [i.path, i.code]) }
    }
  }
  const engine = new Engine(JSON.parse(catalogText))
  out.fromText = new Engine(catalogText).quote(events[0], { at: AT })
  out.warnings = engine.warnings
  out.quote = engine.quote(events[0], { expressIn: ['USD', 'CREDIT'] })
  out.quoteAtDate = engine.quote({ ...events[0], occurred_at: new Date(AT) }, { explain: false })
  out.quoteMany = engine.quoteMany(events, { expressIn: ['USD'], explain: false })
  out.quoteManyText = engine.quoteMany(JSON.stringify(events), { at: new Date(AT), products: ['glitch_images'] })
  out.convert = engine.convert('1.00', 'USD', 'CREDIT', AT)
  out.convertNumber = engine.convert(0.1, 'USD', 'VIDGENMIN', new Date(AT))
  out.format = [engine.format('1.5', 'VIDGENMIN'), engine.format(0.2, 'USD'), engine.format(3, 'CREDIT')]
  out.validate = [validate(JSON.parse(catalogText)), validate(catalogText), validate({ assets: [{ code: 'EUR', name: 'x' }] })]
  out.schemaKeys = Object.keys(schema()).sort()
  out.versionType = typeof version
  out.errors = {
    badCatalog: catch_(() => new Engine({ assets: [{ code: 'USD', name: 'x' }], products: [] })),
    notJson: catch_(() => new Engine('{"assets": [')),
    validateNotJson: catch_(() => validate('nope')),
    badEvent: catch_(() => engine.quote({ event_type: 7 })),
    nanVolume: catch_(() => engine.quote({ event_type: 'speech_generated', occurred_at: AT, data: { minutes: NaN } })),
    batchEvent: catch_(() => engine.quoteMany([events[0], { event_type: 'x', occurred_at: 'soon' }])),
    badOptions: catch_(() => engine.quote(events[0], { expressIn: 'USD' })),
    unknownOption: catch_(() => engine.quote(events[0], { currency: 'USD' })),
    noInstant: catch_(() => engine.quote({ event_type: 'image_generated' }, { now: null })),
    unknownAsset: catch_(() => engine.convert(1, 'USD', 'NOPE', AT)),
    badAmount: catch_(() => engine.format('abc', 'USD')),
    cycle: catch_(() => {
      const c = { assets: [] }
      c.c = c
      validate(c)
    }),
  }
  // A freed engine: every call is a RatecardError, in both packages.
  const freed = new Engine(catalogText)
  // A quote whose explanation was not read before free(): reading it throws too.
  const unread = freed.quote(events[0], { at: AT })
  const read = freed.quote(events[0], { at: AT })
  const steps = read.explain.length
  freed.free()
  freed.free()
  out.explainAfterFree = { read: read.explain.length === steps && steps > 0, unread: catch_(() => unread.explain) }
  out.freed = [
    catch_(() => freed.quote(events[0])),
    catch_(() => freed.quoteMany(events)),
    catch_(() => freed.convert(1, 'USD', 'CREDIT', AT)),
    catch_(() => freed.format(1, 'USD')),
  ]
  return out
}

const results = {}
for (const name of Object.keys(loaded)) {
  const { module, skip } = loaded[name]
  describe(`@ratecard/${name}`, { skip }, () => {
    test('runs the shared program', () => {
      results[name] = program(module)
      const r = results[name]
      assert.equal(r.quote.fees[0].amount, '0.05')
      assert.deepEqual(r.quote.equivalents, { USD: '0.05', CREDIT: '1' })
      assert.equal(r.quoteMany.length, events.length)
      assert.equal(r.convert.destination_amount, '20')
      assert.deepEqual(r.format, ['⏰ 1.50 MIN', '$0.20', '⭐ 3 CR'])
      assert.deepEqual(r.validate.map((v) => v.valid), [true, true, false])
      assert.equal(r.errors.badCatalog.code, 'invalid_catalog')
      assert.equal(r.errors.notJson.code, 'invalid_json')
      assert.deepEqual(r.errors.noInstant, { code: 'invalid_event', issues: [['occurred_at', 'missing_instant']] })
      assert.deepEqual(r.errors.nanVolume, { code: 'invalid_event', issues: [['data.minutes', 'invalid_type']] })
      assert.deepEqual(r.explainAfterFree, { read: true, unread: { code: 'invalid_argument', issues: [['', 'invalid_value']] } })
    })

    test('quoteManyAsync where the package has it', async () => {
      const engine = new module.Engine(catalogText)
      if (typeof engine.quoteManyAsync !== 'function') return
      assert.deepEqual(await engine.quoteManyAsync(events, { explain: false }), engine.quoteMany(events, { explain: false }))
    })
  })
}

const both = 'node' in loaded && 'wasm' in loaded
const whyNot = !both ? 'RATECARD_PACKAGES does not name both packages' : loaded.wasm.skip ?? loaded.node.skip
describe('both packages', { skip: whyNot }, () => {
  test('give identical answers and identical errors', () => {
    assert.ok(results.node && results.wasm, 'a package run failed')
    assert.deepEqual(results.wasm, results.node)
  })
})

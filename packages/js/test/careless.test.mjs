// The mistakes careless callers make, in both packages (run against @ratecard/node and
// @ratecard/wasm, as RATECARD_PACKAGES says): strict catalogs, every bad event of a batch,
// bad events returned in place, unknown event fields, flat events, options spelled wrong.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { VIDEO, AT, packages } from './fixtures.mjs'

const loaded = await packages()

const render = (seconds, extra = {}) => ({ event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds }, ...extra })
const pairs = (e) => e.issues.map((i) => [i.path, i.code])

/** A catalog whose only flaw is a misspelt optional field: legal, and priced wrong. */
const TYPO = structuredClone(VIDEO)
TYPO.products[0].prices[0].pricing[0].values[0].values[0].package_sise = 10

for (const [name, { module: rc, skip }] of Object.entries(loaded)) {
  describe(`@ratecard/${name}`, { skip }, () => {
    test('strict mode refuses a catalog with warnings; lenient mode warns', () => {
      assert.equal(new rc.Engine(TYPO).warnings[0].code, 'unknown_field')
      assert.throws(() => new rc.Engine(TYPO, { strict: true }), (e) =>
        e instanceof rc.RatecardError && e.code === 'invalid_catalog' && /did you mean "package_size"/.test(e.message))
      const report = rc.validate(TYPO, { strict: true })
      assert.equal(report.valid, false)
      assert.deepEqual(report.errors.map((i) => i.code), ['unknown_field'])
      assert.equal(rc.validate(TYPO).valid, true)
      assert.throws(() => new rc.Engine(VIDEO, { strct: true }), (e) => e.code === 'invalid_argument' && e.issues[0].path === 'strct')
      assert.throws(() => rc.validate(VIDEO, { strict: 'yes' }), (e) => e.issues[0].code === 'invalid_type')
    })

    test('validate checks expressions against example events, BigInts and Dates included', () => {
      const catalog = structuredClone(VIDEO)
      const calc = catalog.products[0].prices[0].usage_calculation
      delete calc.volume_field
      calc.volume_aggregation = 'ceil(seconds / 60)'
      const example = (seconds) => ({ event_type: 'render', occurred_at: new Date(AT), data: { model: 'gen4', seconds } })
      const warned = rc.validate(catalog, { examples: [example('61s')] })
      assert.equal(warned.valid, true)
      assert.deepEqual(warned.warnings.map((i) => i.code), ['expression_field_not_numeric'])
      assert.match(warned.warnings[0].message, /"61s"/)
      assert.deepEqual(rc.validate(catalog, { examples: [example('61s'), example(61n)] }).warnings, [])
      assert.equal(rc.validate(catalog, { examples: [example('61s')], strict: true }).valid, false)
      assert.throws(() => rc.validate(catalog, { examples: example(61) }), (e) =>
        e.code === 'invalid_argument' && e.issues[0].path === 'examples' && e.issues[0].code === 'invalid_type')
      assert.throws(() => rc.validate(catalog, { examples: [{ data: {} }] }), (e) =>
        e.code === 'invalid_event' && e.issues[0].path === '[0].event_type')
    })

    test('a batch reports every bad event in order, the JavaScript-only ones included', () => {
      const engine = new rc.Engine(VIDEO)
      const events = [render(1), render(2, { occurred_at: new Date('nope') }), render(3), render(NaN), { data: {} }]
      assert.throws(() => engine.quoteMany(events), (e) => {
        assert.deepEqual(pairs(e), [
          ['[1].occurred_at', 'invalid_timestamp'],
          ['[3].data.seconds', 'invalid_type'],
          ['[4].event_type', 'missing_field'],
        ])
        return true
      })
      engine.free()
    })

    test('onError "return" gives each bad event its RatecardError in place', async () => {
      const engine = new rc.Engine(VIDEO)
      const events = [render(1), render(2, { occurred_at: 'yesterday' }), render(3)]
      for (const quotes of [engine.quoteMany(events, { onError: 'return' }), await engine.quoteManyAsync(events, { onError: 'return' })]) {
        assert.equal(quotes.length, 3)
        assert.equal(quotes[0].fees[0].amount, '12.00')
        assert.ok(quotes[1] instanceof rc.RatecardError)
        assert.deepEqual(pairs(quotes[1]), [['[1].occurred_at', 'invalid_timestamp']])
        assert.equal(quotes[2].fees[0].amount, '36.00')
      }
      // All good: plain quotes, as without the option.
      assert.deepEqual(engine.quoteMany([render(1)], { onError: 'return', explain: false }).map((q) => q.fees[0].amount), ['12.00'])
      assert.throws(() => engine.quoteMany(events, { onError: 'skip' }), (e) => e.issues[0].path === 'onError')
      engine.free()
    })

    test('an unknown event field is warned about with a suggestion; a flat event is refused', () => {
      const engine = new rc.Engine(VIDEO)
      const typo = { event_type: 'render', occured_at: AT, data: { model: 'gen4', seconds: 1 } }
      const q = engine.quote(typo, { now: AT })
      const warning = q.warnings.find((w) => w.code === 'unknown_field')
      assert.equal(warning.path, 'occured_at')
      assert.match(warning.message, /did you mean "occurred_at"/)
      assert.ok(q.warnings.some((w) => w.code === 'priced_at_now'))
      // The same in a batch (the tape path leaves such events to the JSON path).
      const [, second] = engine.quoteMany([render(1), typo], { now: AT })
      assert.equal(second.warnings.find((w) => w.code === 'unknown_field').path, 'occured_at')
      assert.throws(() => engine.quote({ event_type: 'render', occurred_at: AT, model: 'gen4', seconds: 1 }), (e) =>
        e.issues[0].code === 'flat_event' && e.issues[0].path === 'model' && /"data"/.test(e.message))
      // The billing API's other event fields are no mistake.
      assert.deepEqual(engine.quote(render(1, { subject: 's', description: 'd', costs: [] })).warnings, [])
      engine.free()
    })

    test('a key given twice in JSON text is refused, never resolved', () => {
      const engine = new rc.Engine(VIDEO)
      const text = `{"event_type":"render","occurred_at":"${AT}","data":{"model":"gen4","seconds":1,"seconds":700}}`
      assert.throws(() => engine.quote(text), (e) => e.issues[0].code === 'duplicate_key' && e.issues[0].path === 'data.seconds')
      assert.throws(() => new rc.Engine('{"assets": [], "assets": [], "products": []}'), (e) => e.issues[0].code === 'duplicate_key')
      engine.free()
    })
  })
}

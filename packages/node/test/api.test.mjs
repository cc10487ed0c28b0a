// @ratecard/node beyond the vectors: the JavaScript surface, errors, robustness, the async batch.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Engine, RatecardError, validate, schema, version } from '../ratecard.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const require = createRequire(import.meta.url)
const raw = require('../index.js')

/** A catalog with one dimensional volume price: gen4 12 credits a second, anything else 5. */
const CATALOG = {
  assets: [{ code: 'CR', name: 'Credits', precision: 2, rates: [{ source: 'USD', rate: '0.01' }] }],
  products: [
    {
      name: 'Video',
      code: 'video',
      prices: [
        {
          name: 'Render',
          type: 'usage_based',
          billing_model: { type: 'real_time' },
          usage_calculation: {
            event_type: 'render',
            usage_type: 'volume',
            volume_field: 'seconds',
            billable_dimensions: ['model'],
          },
          pricing: [
            {
              asset: 'CR',
              values: [
                { dimensions: { model: 'gen4' }, values: [{ volume_rate: '12' }] },
                { dimensions: { model: '*' }, values: [{ volume_rate: '5' }] },
              ],
            },
          ],
        },
      ],
    },
  ],
}

const AT = '2026-03-01T12:00:00Z'
const render = (model, seconds, extra = {}) => ({ event_type: 'render', occurred_at: AT, data: { model, seconds }, ...extra })

/** Asserts `fn` throws a RatecardError with `code` and, when given, these `[path, issueCode]`. */
function throwsRatecard(fn, code, issues) {
  let thrown
  try {
    fn()
  } catch (e) {
    thrown = e
  }
  assert.ok(thrown instanceof RatecardError, `expected a RatecardError, got ${thrown}`)
  assert.ok(thrown instanceof Error)
  assert.equal(thrown.name, 'RatecardError')
  assert.equal(thrown.code, code, thrown.message)
  assert.equal(typeof thrown.message, 'string')
  if (issues) assert.deepEqual(thrown.issues.map((i) => [i.path, i.code]), issues)
  for (const i of thrown.issues) assert.equal(typeof i.message, 'string')
  return thrown
}

/** The engine still quotes correctly: errors must leave it (and the process) usable. */
function stillWorks(engine) {
  assert.equal(engine.quote(render('gen4', 2)).totals.CR, '24.00')
}

describe('quotes', () => {
  const engine = new Engine(CATALOG)

  test('prices the dimensional volume price exactly, with wire-format keys', () => {
    const q = engine.quote(render('gen4', 1.5), { expressIn: ['USD'] })
    assert.equal(q.event_type, 'render')
    assert.equal(q.at, AT)
    assert.equal(q.fees.length, 1)
    const fee = q.fees[0]
    assert.equal(fee.product_code, 'video')
    assert.equal(fee.price_name, 'Render')
    assert.equal(fee.currency, 'CR')
    assert.equal(fee.volume_rate, '12')
    assert.equal(fee.input_volume, '1.5')
    assert.equal(fee.amount, '18.00')
    assert.deepEqual(fee.equivalents, { USD: '0.18' })
    assert.deepEqual(q.totals, { CR: '18.00' })
    assert.deepEqual(q.equivalents, { USD: '0.18' })
    assert.ok(q.explain.length > 0)
    assert.equal(engine.quote(render('gen3', 2)).totals.CR, '10.00')
  })

  test('a JavaScript number is read by its shortest text: 0.1 is 0.1', () => {
    const q = engine.quote(render('gen4', 0.1 + 0.2))
    assert.equal(q.fees[0].input_volume, '0.30000000000000004')
    assert.equal(engine.quote(render('gen4', 0.1)).fees[0].input_volume, '0.1')
    assert.equal(engine.quote(render('gen4', '0.10')).fees[0].input_volume, '0.10')
  })

  test('explain: false leaves the steps out', () => {
    assert.deepEqual(engine.quote(render('gen4', 1), { explain: false }).explain, [])
  })

  test('Dates are accepted for occurred_at and at', () => {
    const q = engine.quote({ event_type: 'render', occurred_at: new Date(AT), data: { model: 'x', seconds: 1 } })
    assert.equal(q.at, AT)
    const q2 = engine.quote({ event_type: 'render', data: { model: 'x', seconds: 1 } }, { at: new Date('2026-05-01T00:00:00Z') })
    assert.equal(q2.at, '2026-05-01T00:00:00Z')
  })

  test('without an instant the host clock is used; now: null asks for none', () => {
    const before = Date.now()
    const q = engine.quote({ event_type: 'render', data: { model: 'x', seconds: 1 } })
    const at = Date.parse(q.at)
    assert.ok(at >= before - 1 && at <= Date.now() + 1, `${q.at} is not now`)
    throwsRatecard(() => engine.quote({ event_type: 'render', data: { seconds: 1 } }, { now: null }), 'invalid_event', [
      ['occurred_at', 'missing_instant'],
    ])
    assert.equal(engine.quote({ event_type: 'render', data: { seconds: 1 } }, { now: '2026-01-01T00:00:00Z' }).at, '2026-01-01T00:00:00Z')
  })

  test('an event can be JSON text; quoteMany takes JSON text or an array', () => {
    assert.equal(engine.quote(JSON.stringify(render('gen4', 3))).totals.CR, '36.00')
    const events = [render('gen4', 1), render('other', 1)]
    const fromArray = engine.quoteMany(events)
    assert.deepEqual(engine.quoteMany(JSON.stringify(events)), fromArray)
    assert.deepEqual(fromArray.map((q) => q.totals.CR), ['12.00', '5.00'])
    assert.deepEqual(engine.quoteMany([]), [])
  })

  test('changing options between calls is honoured (the options cache tracks them)', () => {
    const e = render('gen4', 1)
    assert.deepEqual(engine.quote(e, { expressIn: ['USD'] }).equivalents, { USD: '0.12' })
    assert.deepEqual(engine.quote(e).equivalents, {})
    assert.deepEqual(Object.keys(engine.quote(e, { expressIn: ['CR', 'USD'] }).equivalents), ['CR', 'USD'])
    assert.deepEqual(engine.quote(e, { expressIn: ['USD'] }).equivalents, { USD: '0.12' })
  })
})

describe('quoteManyAsync', () => {
  const engine = new Engine(CATALOG)

  test('resolves to exactly what quoteMany returns', async () => {
    const events = Array.from({ length: 500 }, (_, i) => render(i % 3 ? 'gen4' : 'gen2', (i % 7) + 0.25))
    const options = { expressIn: ['USD'], explain: false }
    const promise = engine.quoteManyAsync(events, options)
    assert.ok(promise instanceof Promise)
    assert.deepEqual(await promise, engine.quoteMany(events, options))
  })

  test('prices off the main thread: timers keep firing during a large batch', async () => {
    const events = Array.from({ length: 100_000 }, (_, i) => render(i % 2 ? 'gen4' : 'x', (i % 10) + 1))
    let ticks = 0
    const timer = setInterval(() => ticks++, 1)
    const started = process.hrtime.bigint()
    const quotes = await engine.quoteManyAsync(events, { explain: false })
    clearInterval(timer)
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    assert.equal(quotes.length, events.length)
    assert.equal(quotes[1].totals.CR, '24.00')
    assert.ok(ticks > 0, `no timer fired in ${ms.toFixed(1)} ms of pricing`)
  })

  test('lone events explain as they were sent, though other batches ran meanwhile', async () => {
    const events = [1, 2, 3].map((s) => render('gen4', s))
    const reference = engine.quoteMany(JSON.stringify(events))
    const promise = engine.quoteManyAsync(events)
    // A synchronous batch reuses the batch buffer before the first one is decoded.
    engine.quoteMany([4, 5, 6, 7].map((s) => render('x', s)))
    const quotes = await promise
    events[0].data.seconds = 99
    assert.deepStrictEqual(quotes, reference)
  })

  test('several batches in flight at once all resolve correctly', async () => {
    const batches = [1, 2, 3, 4].map((s) => Array.from({ length: 1000 }, () => render('gen4', s)))
    const results = await Promise.all(batches.map((b) => engine.quoteManyAsync(b)))
    results.forEach((quotes, i) => {
      assert.equal(quotes.length, 1000)
      assert.ok(quotes.every((q) => q.totals.CR === `${12 * (i + 1)}.00`))
    })
  })

  test('rejects with a RatecardError naming the event; nothing is thrown synchronously', async () => {
    const p = engine.quoteManyAsync([render('gen4', 1), { event_type: 5 }])
    await assert.rejects(p, (e) => e instanceof RatecardError && e.code === 'invalid_event' && e.issues[0].path === '[1].event_type')
    await assert.rejects(engine.quoteManyAsync([render('gen4', 1)], { expressIn: 'USD' }), (e) => e instanceof RatecardError && e.code === 'invalid_argument')
    await assert.rejects(engine.quoteManyAsync('[{'), (e) => e instanceof RatecardError && e.code === 'invalid_json')
    stillWorks(engine)
  })
})

describe('convert, format, validate, schema, version', () => {
  const engine = new Engine(CATALOG)

  test('convert and format', () => {
    const c = engine.convert('1.00', 'USD', 'CR', AT)
    assert.equal(c.destination_amount, '100.00')
    assert.equal(c.source, 'USD')
    assert.equal(engine.convert(1, 'USD', 'CR', new Date(AT)).destination_amount, '100.00')
    assert.equal(typeof engine.convert(1, 'USD', 'CR').destination_amount, 'string')
    assert.equal(engine.format('1.5', 'USD'), '$1.50')
    assert.equal(engine.format(0.1, 'CR'), '0.10 CR')
  })

  test('validate reports and never throws for a bad catalog', () => {
    assert.deepEqual(validate(CATALOG), { valid: true, errors: [], warnings: [] })
    const r = validate({ assets: [{ code: 'USD', name: 'x' }] })
    assert.equal(r.valid, false)
    assert.deepEqual(r.errors.map((i) => [i.path, i.code]), [['assets[0].code', 'reserved_code']])
    assert.equal(validate('[1,2]').valid, false)
    assert.equal(validate(null).valid, false)
    throwsRatecard(() => validate('{not json'), 'invalid_json', [['', 'invalid_json']])
  })

  test('schema is a fresh JSON Schema object each call; version is the core version', () => {
    const s = schema()
    assert.equal(typeof s, 'object')
    assert.ok('properties' in s)
    s.mutated = true
    assert.equal(schema().mutated, undefined)
    assert.match(version, /^\d+\.\d+\.\d+/)
  })

  test('warnings are the catalog warnings', () => {
    const warned = structuredClone(CATALOG)
    warned.products[0].prices[0].pricing[0].values[0].dimensions = { region: 'eu' }
    const e = new Engine(warned)
    assert.ok(e.warnings.some((w) => w.code === 'unlisted_dimension'), JSON.stringify(e.warnings))
    assert.deepEqual(new Engine(CATALOG).warnings, [])
  })
})

describe('errors leave the process and the engine usable', () => {
  const engine = new Engine(CATALOG)

  test('an invalid catalog carries every issue', () => {
    const bad = { assets: [{ code: 'USD', name: 'x' }, { code: 'A', name: 'a', precision: 99 }] }
    const e = throwsRatecard(() => new Engine(bad), 'invalid_catalog')
    assert.deepEqual(e.issues.map((i) => i.code).sort(), ['precision_out_of_range', 'reserved_code'])
  })

  test('malformed JSON', () => {
    throwsRatecard(() => new Engine('{"assets": ['), 'invalid_json', [['', 'invalid_json']])
    throwsRatecard(() => engine.quote('{"event_type": '), 'invalid_json')
    throwsRatecard(() => engine.quoteMany('[{"event_type": "render"},'), 'invalid_json')
    throwsRatecard(() => engine.quote(''), 'invalid_json')
    stillWorks(engine)
  })

  test('wrong types', () => {
    throwsRatecard(() => engine.quote({ event_type: 5 }), 'invalid_event', [['event_type', 'invalid_type']])
    assert.equal(throwsRatecard(() => engine.quote({ data: {} }), 'invalid_event').issues[0].code, 'missing_field')
    throwsRatecard(() => engine.quote(42), 'invalid_event')
    throwsRatecard(() => engine.quote(null), 'invalid_event')
    throwsRatecard(() => engine.quote(undefined), 'invalid_event')
    throwsRatecard(() => engine.quote({ event_type: 'render', data: { x: { y: 1 } } }), 'invalid_event', [['data.x', 'invalid_type']])
    throwsRatecard(() => engine.quote(render('gen4', NaN)), 'invalid_event', [['data.seconds', 'invalid_type']])
    throwsRatecard(() => engine.quoteMany([render('gen4', 1), render('gen4', Infinity)]), 'invalid_event', [['[1].data.seconds', 'invalid_type']])
    throwsRatecard(() => engine.quote({ ...render('gen4', 1), occurred_at: new Date('nope') }), 'invalid_event', [['occurred_at', 'invalid_timestamp']])
    throwsRatecard(() => engine.quote(render('gen4', 1), 'USD'), 'invalid_argument', [['', 'invalid_type']])
    throwsRatecard(() => engine.quote(render('gen4', 1), { expressIn: 'USD' }), 'invalid_argument', [['expressIn', 'invalid_type']])
    throwsRatecard(() => engine.quote(render('gen4', 1), { expresIn: ['USD'] }), 'invalid_argument', [['expresIn', 'invalid_options']])
    // Spelled as JavaScript spells its options, the likely one named, every one listed.
    assert.throws(() => engine.quote(render('gen4', 1), { expresIn: ['USD'] }), (e) =>
      /did you mean "expressIn"\?/.test(e.message) && /at, now, expressIn, products, priorUsage, explain, onError/.test(e.message))
    throwsRatecard(() => engine.quote(render('gen4', 1), { at: 'yesterday' }), 'invalid_argument', [['at', 'invalid_timestamp']])
    throwsRatecard(() => engine.quote(render('gen4', 1), { expressIn: ['XYZ'] }), 'invalid_argument')
    throwsRatecard(() => engine.convert('abc', 'USD', 'CR', AT), 'invalid_argument', [['amount', 'invalid_decimal']])
    throwsRatecard(() => engine.convert(NaN, 'USD', 'CR', AT), 'invalid_argument', [['amount', 'invalid_decimal']])
    throwsRatecard(() => engine.convert({}, 'USD', 'CR', AT), 'invalid_argument', [['amount', 'invalid_type']])
    throwsRatecard(() => engine.convert(1, 5, 'CR', AT), 'invalid_argument', [['from', 'invalid_type']])
    throwsRatecard(() => engine.convert(1, 'USD', 'NOPE', AT), 'invalid_argument', [['to', 'unknown_asset']])
    throwsRatecard(() => engine.convert(1, 'USD', 'CR', 'later'), 'invalid_argument', [['at', 'invalid_timestamp']])
    throwsRatecard(() => engine.format(1, 'NOPE'), 'invalid_argument', [['asset', 'unknown_asset']])
    throwsRatecard(() => engine.format('1e400', 'CR'), 'invalid_argument')
    stillWorks(engine)
  })

  test('what JSON cannot carry is reported, not thrown as a TypeError', () => {
    const cyclic = { assets: [] }
    cyclic.self = cyclic
    throwsRatecard(() => new Engine(cyclic), 'invalid_json')
    throwsRatecard(() => validate(cyclic), 'invalid_json')
    // A BigInt keeps its digits.
    assert.equal(engine.quote(render('gen4', 10n)).totals.CR, '120.00')
    stillWorks(engine)
  })

  test('huge and deeply nested input', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000)
    throwsRatecard(() => new Engine(deep), 'invalid_json')
    throwsRatecard(() => validate(deep), 'invalid_json')
    throwsRatecard(() => engine.quoteMany('[' + deep + ']'), 'invalid_event', [['[0]', 'invalid_type']])
    // Deep nesting in a field the engine ignores is skipped without recursion.
    const deepEvent = `{"event_type":"render","occurred_at":"${AT}","extra":${deep},"data":{"model":"gen4","seconds":1}}`
    assert.equal(engine.quote(deepEvent).totals.CR, '12.00')
    assert.equal(engine.quoteMany(`[${deepEvent}]`)[0].totals.CR, '12.00')
    let nested = {}
    for (let i = 0; i < 20_000; i++) nested = { a: nested }
    throwsRatecard(() => new Engine({ assets: [], products: [], settings: nested }), 'invalid_json')
    throwsRatecard(() => engine.quote({ event_type: 'render', data: { x: nested } }), 'invalid_json')
    const long = 'x'.repeat(10_000_000)
    // An event type is a name: past 1,024 bytes it is refused (docs/rules.md, "Limits").
    throwsRatecard(() => engine.quote({ event_type: long, occurred_at: AT }), 'invalid_event', [['event_type', 'limit_exceeded']])
    const q = engine.quote({ event_type: 'unpriced', occurred_at: AT, data: { [long]: long } })
    assert.deepEqual(q.fees, [])
    assert.deepEqual(q.warnings.map((w) => w.code), ['no_price_matched'])
    const many = engine.quoteMany(Array.from({ length: 200_000 }, () => render('gen4', 1)), { explain: false })
    assert.equal(many.length, 200_000)
    stillWorks(engine)
  })

  test('a panic below the boundary is an internal RatecardError, and the process lives on', () => {
    let thrown
    try {
      raw.__panicForTests()
    } catch (e) {
      thrown = e
    }
    assert.match(String(thrown && thrown.message), /^RATECARD_ERROR:/)
    const payload = JSON.parse(thrown.message.slice('RATECARD_ERROR:'.length))
    assert.equal(payload.code, 'internal')
    assert.equal(payload.issues[0].code, 'internal')
    stillWorks(engine)
  })

  test('a freed engine throws a RatecardError', () => {
    const e = new Engine(CATALOG)
    e.free()
    throwsRatecard(() => e.quote(render('gen4', 1)), 'invalid_argument')
  })
})

describe('the examples bundled with the repository', () => {
  test('quote the tutorial events in one batch', () => {
    const engine = new Engine(readFileSync(join(root, 'examples', 'tutorial-catalog.json'), 'utf8'))
    const events = JSON.parse(readFileSync(join(root, 'examples', 'tutorial-events.json'), 'utf8'))
    const quotes = engine.quoteMany(events, { expressIn: ['USD'] })
    assert.equal(quotes.length, events.length)
    quotes.forEach((q, i) => assert.equal(q.event_type, events[i].event_type))
    assert.deepEqual(engine.quoteMany(events, { expressIn: ['USD'] }), quotes)
  })
})

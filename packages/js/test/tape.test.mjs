// The tape (docs/tape.md, packages/js/tape.mjs) is a faster way to the same answer:
// for every conformance vector, and for inputs chosen to stress the framing, a quote of an
// event object (the tape path) must equal, key for key and in the same order, the quote of the
// same event as JSON text (the JSON path, the reference). Runs against @ratecard/node and
// @ratecard/wasm (RATECARD_PACKAGES picks, as in interchangeable.test.mjs), and counts the calls
// that really went through the tape, so that a silently disabled tape fails the test.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { AT, VIDEO, outcome } from './fixtures.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const require = createRequire(import.meta.url)
const PACKAGES = {
  // Where each package's raw tape entry points live: single quotes go through a function of
  // the addon without arguments (the engine's handle is in the scratch memory), batches through
  // a method; wasm has both as methods.
  node: {
    entry: 'packages/node/ratecard.mjs',
    raw: async () => {
      const addon = require(join(root, 'packages/node/index.js'))
      return { quoteScratch: addon, quoteManyTape: addon.NativeEngine.prototype }
    },
  },
  wasm: {
    entry: 'packages/wasm/node.js',
    raw: async () => {
      const proto = (await import(pathToFileURL(join(root, 'packages/wasm/pkg/ratecard_wasm.js')).href)).RawEngine.prototype
      return { quoteScratch: proto, quoteManyTape: proto }
    },
  },
}
const wanted = (process.env.RATECARD_PACKAGES ?? 'node,wasm').split(',').map((s) => s.trim()).filter(Boolean)

/**
 * Wraps the raw tape entry points to count the answers that came by tape: a positive answer
 * length from a single quote, an answer (not null) from a batch.
 */
function counting(owners) {
  const counts = { quoteScratch: 0, quoteManyTape: 0 }
  for (const name of Object.keys(counts)) {
    const owner = owners[name]
    const original = owner[name]
    assert.equal(typeof original, 'function', `no ${name} to count`)
    owner[name] = function (...args) {
      const out = original.apply(this, args)
      if (typeof out === 'number' ? out > 0 : out !== null && out !== undefined) counts[name]++
      return out
    }
  }
  return counts
}

function jsOptions(wire) {
  const out = { now: null }
  for (const [k, v] of Object.entries(wire ?? {})) {
    if (k === 'express_in') out.expressIn = v
    else if (k === 'prior_usage') out.priorUsage = v
    else out[k] = v
  }
  return out
}

function catalogOf(v) {
  if (v.catalog_file) return readFileSync(join(root, v.catalog_file), 'utf8')
  return v.catalog_json ?? JSON.stringify(v.catalog)
}

function vectors() {
  const dir = join(root, 'tests', 'vectors')
  const out = []
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    for (const v of JSON.parse(readFileSync(join(dir, file), 'utf8'))) {
      if ((v.op === 'quote' || v.op === 'quote_many') && v.input !== undefined) out.push(v)
    }
  }
  return out
}


for (const name of wanted) {
  const spec = PACKAGES[name]
  if (!spec) throw new Error(`RATECARD_PACKAGES: unknown package ${name}`)
  let ratecard
  let counts
  try {
    ratecard = await import(pathToFileURL(join(root, spec.entry)).href)
    counts = counting(await spec.raw())
  } catch (err) {
    if (process.env.CI) throw err
    test(`@ratecard/${name}: tape`, { skip: `not built (${err.code ?? err.message})` }, () => {})
    continue
  }
  const { Engine } = ratecard

  describe(`@ratecard/${name}: the tape gives what the JSON path gives`, () => {
    test('every quote and quote_many vector', () => {
      const before = counts.quoteScratch + counts.quoteManyTape
      let compared = 0
      let priced = 0
      for (const v of vectors()) {
        let engine
        try {
          engine = new Engine(catalogOf(v))
        } catch {
          continue
        }
        const options = jsOptions(v.options)
        const text = JSON.stringify(v.input)
        const fast = v.op === 'quote' ? () => engine.quote(v.input, options) : () => engine.quoteMany(v.input, options)
        const slow = v.op === 'quote' ? () => engine.quote(text, options) : () => engine.quoteMany(text, options)
        assert.equal(outcome(fast), outcome(slow), v.name)
        compared++
        if (v.expect !== undefined) priced++
      }
      assert.ok(compared > 100, `only ${compared} vectors compared`)
      // Most vectors that price are plain events: if the tape were silently off, this would be
      // near 0. (Bad inputs, most of the corpus, take the JSON path, which reports them.)
      const used = counts.quoteScratch + counts.quoteManyTape - before
      assert.ok(used > priced / 2, `only ${used} of ${priced} priced vectors went through the tape`)
    })

    test('inputs that stress the framing, the numbers and the fallbacks', () => {
      const engine = new Engine(VIDEO)
      class Custom {
        constructor() {
          this.event_type = 'render'
          this.data = { model: 'gen4', seconds: 2 }
        }
      }
      const cases = [
        { event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: 4.25 } },
        { event_type: 'render', id: 'evt_1', occurred_at: AT, data: { model: 'x', seconds: 0.1 + 0.2 } },
        { event_type: 'render', occurred_at: '2026-03-01T12:00:00+01:00', data: { model: 'gen4', seconds: 1e21 } },
        { event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: 2 ** 60 } },
        { event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: -0 } },
        { event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: 1e-7 } },
        { event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: '7.500' } },
        { event_type: 'render', occurred_at: AT, data: { model: true, seconds: 3 } },
        { event_type: 'render', occurred_at: AT, data: { model: 12, seconds: 3 } },
        { event_type: 'render', occurred_at: AT, data: { model: null, seconds: null } },
        { event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: -3 } },
        { event_type: 'render', occurred_at: AT, data: { model: 'gen4' } },
        { event_type: 'render', occurred_at: AT, data: null },
        { event_type: 'render', occurred_at: AT },
        { event_type: 'render', occurred_at: AT, data: { model: 'gen\x1f4', seconds: 1 } },
        { event_type: 'render', id: 'a\x1eb', occurred_at: AT, data: { model: 'gen4', seconds: 1 } },
        { event_type: 'render', occurred_at: AT, data: { model: 'ünïcødé 🎬', seconds: 1 } },
        { event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: 1, extra: { nested: true } } },
        { event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: 1, f: () => 1 } },
        { event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: 10n } },
        { event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: NaN } },
        { event_type: 'render', occurred_at: new Date(AT), data: { model: 'gen4', seconds: 1 } },
        { event_type: 'render', occurred_at: new Date(NaN), data: { model: 'gen4', seconds: 1 } },
        { event_type: 'render', occurred_at: 'soon', data: { model: 'gen4', seconds: 1 } },
        { event_type: 'render', occurred_at: 5, data: { model: 'gen4', seconds: 1 } },
        { event_type: 'render', id: 7, occurred_at: AT, data: { model: 'gen4', seconds: 1 } },
        { event_type: '', occurred_at: AT },
        { event_type: 'other', occurred_at: AT, data: { model: 'gen4' } },
        { event_type: 5 },
        { data: {} },
        { event_type: 'render', data: { model: 'gen4', seconds: 1 } },
        { event_type: 'render', occurred_at: AT, data: [1, 2] },
        // Numbers no decimal holds, in a field the price does not read: errors all the same.
        { event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: 1, extra: 5e-324 } },
        { event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: 1, extra: 7.922816251426434e28 } },
        { event_type: 'other', occurred_at: AT, data: { seconds: -1e-30 } },
        // A field JSON.stringify does not write (not enumerable) is absent here too.
        { event_type: 'render', occurred_at: AT, data: Object.defineProperty({ seconds: 2 }, 'model', { value: 'gen4', enumerable: false }) },
        new Custom(),
      ]
      // A getter that throws: the tape gives up, and the caller's own error surfaces from the
      // JSON path unchanged (as JSON.stringify would let it); the engine keeps working.
      const throwing = { event_type: 'render', occurred_at: AT, get data() { throw new Error('a getter that throws') } }
      assert.throws(() => engine.quote(throwing), /a getter that throws/)
      assert.throws(() => engine.quoteMany([throwing]), /a getter that throws/)
      assert.equal(engine.quote(cases[0], { explain: false }).fees[0].amount, '51.00')
      const optionSets = [undefined, { explain: false }, { expressIn: ['USD'] }, { expressIn: ['usd', 'CR'], explain: false }, { at: AT, now: null }, { at: new Date(AT) }, { products: ['video'] }, { products: ['nope'] }, { explain: 'yes' }]
      for (const options of optionSets) {
        for (const e of cases) {
          const text = (() => {
            try {
              return JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))
            } catch {
              return null
            }
          })()
          if (text === null) continue
          // Events without an instant are priced at the host clock: compare all but `at`.
          const strip = (s) => s.replace(/"at":"[^"]*"/g, '"at":_')
          const fast = outcome(() => engine.quote(e, options))
          // NaN and an invalid Date have no JSON text of their own: errors, as documented.
          // (A BigInt is read by its digits, as the text above writes it.)
          const invalidDate = e.occurred_at instanceof Date && Number.isNaN(e.occurred_at.getTime())
          if (Number.isNaN(e.data?.seconds) || invalidDate) {
            assert.match(fast, /^error invalid_event/)
            continue
          }
          assert.equal(strip(fast), strip(outcome(() => engine.quote(text, options))), `${text} ${JSON.stringify(options)}`)
        }
      }
      // And the same events as one batch, with and without explanations.
      const plainCases = cases.filter((e) => e instanceof Object && !(e instanceof Custom) && typeof e.data?.seconds !== 'bigint' && !Number.isNaN(e.data?.seconds) && !(e.occurred_at instanceof Date))
      for (const options of [undefined, { explain: false, expressIn: ['USD'] }]) {
        const strip = (s) => s.replace(/"at":"[^"]*"/g, '"at":_')
        assert.equal(strip(outcome(() => engine.quoteMany(plainCases, options))), strip(outcome(() => engine.quoteMany(JSON.stringify(plainCases), options))))
      }
    })

    test('options are read again whenever they change, even within the same object', () => {
      const engine = new Engine(VIDEO)
      const e = { event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: 2 } }
      const codes = (o) => Object.keys(engine.quote(e, o).equivalents)
      // (Options no other test uses, so that the first call below is the one remembered.)
      const o = { explain: false, products: ['video'], expressIn: ['USD'] }
      assert.deepEqual(codes(o), ['USD'])
      assert.deepEqual(codes({ explain: false, products: ['video'], expressIn: ['USD'] }), ['USD'])
      o.expressIn.push('CR') // the same list, changed in place
      assert.deepEqual(codes(o), ['USD', 'CR'])
      o.expressIn = ['CR']
      assert.deepEqual(codes(o), ['CR'])
      delete o.expressIn
      assert.deepEqual(codes(o), [])
      o.explain = true
      assert.ok(engine.quote(e, o).explain.length > 0)
      const day = new Date('2026-03-02T00:00:00Z')
      const at = { explain: false, at: day }
      assert.equal(engine.quote({ event_type: 'render', data: { model: 'gen4', seconds: 2 } }, at).at, '2026-03-02T00:00:00Z')
      day.setUTCDate(3) // a Date changed in place
      assert.equal(engine.quote({ event_type: 'render', data: { model: 'gen4', seconds: 2 } }, at).at, '2026-03-03T00:00:00Z')
      assert.equal(outcome(() => engine.quote(e, { expressIn: ['NOPE'] })), outcome(() => engine.quote(JSON.stringify(e), { expressIn: ['NOPE'] })))
      assert.deepEqual(codes({ expressIn: ['USD'], explain: false }), ['USD'])
    })

    test('a template for every wildcard value, past the cap, still decodes exactly', () => {
      const engine = new Engine(VIDEO)
      const events = Array.from({ length: 4200 }, (_, i) => ({ event_type: 'render', occurred_at: AT, data: { model: `m${i}`, seconds: i / 4 } }))
      const before = counts.quoteScratch
      for (const e of events) {
        const got = engine.quote(e, { explain: false })
        assert.equal(got.fees[0].dimensions.model, e.data.model)
        assert.equal(got.fees[0].amount, (Math.round(e.data.seconds * 5 * 100) / 100).toFixed(2))
      }
      assert.equal(counts.quoteScratch - before, events.length)
      // Templates first sent long ago are still right.
      assert.equal(JSON.stringify(engine.quote(events[3], { explain: false })), JSON.stringify(engine.quote(JSON.stringify(events[3]), { explain: false })))
      assert.equal(JSON.stringify(engine.quoteMany(events, { explain: false })), JSON.stringify(engine.quoteMany(JSON.stringify(events), { explain: false })))
    })

    test('explain is computed when first read, from the event as it was quoted', () => {
      const engine = new Engine(VIDEO)
      const event = { event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: 4 } }
      const reference = engine.quote(JSON.stringify(event))
      const before = counts.quoteScratch
      const q = engine.quote(event)
      assert.equal(counts.quoteScratch - before, 1)
      event.data.seconds = 99 // the caller's object changes afterwards
      event.data.model = 'other'
      assert.ok(q.explain.length > 0)
      assert.deepStrictEqual(q, reference)
      assert.deepStrictEqual(Object.keys(q), Object.keys(reference))
      assert.equal(JSON.stringify({ ...q }), JSON.stringify(reference))
      q.explain = ['replaced']
      assert.deepStrictEqual(q.explain, ['replaced'])
      // No instant anywhere: priced at the host clock, explained at that same instant.
      const now = engine.quote({ event_type: 'render', data: { model: 'gen4', seconds: 1 } })
      assert.deepStrictEqual(now.explain, engine.quote(JSON.stringify({ event_type: 'render', data: { model: 'gen4', seconds: 1 } }), { at: now.at }).explain)
    })

    test('quoteMany explains twins at once (one frozen explanation between them), and lone events lazily', () => {
      const engine = new Engine(VIDEO)
      const events = [1, 2, 1, 1, 3].map((s, i) => ({ id: `e${i}`, event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: s } }))
      const before = counts.quoteManyTape
      const many = engine.quoteMany(events, { expressIn: ['USD'] })
      assert.equal(counts.quoteManyTape - before, 1)
      const reference = engine.quoteMany(JSON.stringify(events), { expressIn: ['USD'] })
      // The twins' explanations are plain properties, already there: one frozen array between
      // them, so no quote can change another's.
      const own = Object.getOwnPropertyDescriptor(many[0], 'explain')
      assert.ok('value' in own && own.value.length > 0)
      assert.equal(many[0].explain, many[2].explain)
      assert.ok(Object.isFrozen(many[0].explain) && Object.isFrozen(many[0].explain[0]))
      assert.throws(() => { many[0].explain[0].text = 'changed' }, TypeError)
      assert.throws(() => many[0].explain.push({}), TypeError)
      many[3].explain = ['replaced']
      assert.deepStrictEqual(many[3].explain, ['replaced'])
      many[3].explain = reference[3].explain
      // A lone event's is computed when first read.
      assert.equal(typeof Object.getOwnPropertyDescriptor(many[1], 'explain').get, 'function')
      assert.equal(JSON.stringify(many), JSON.stringify(reference))
      assert.deepStrictEqual(many, reference)
    })

    test('quoteMany: twins are copies, each with its own id; lone events explain as they were quoted', () => {
      const engine = new Engine(VIDEO)
      const events = [
        { id: 'a', event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: 2 } },
        { event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: 2 } },
        { id: 'c', event_type: 'render', occurred_at: AT, data: { model: 'veo', seconds: 7 } },
        { id: 'd', event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: 2 } },
      ]
      const text = JSON.stringify(events)
      for (const options of [undefined, { explain: false, expressIn: ['USD'] }]) {
        const before = counts.quoteManyTape
        const many = engine.quoteMany(events, options)
        assert.equal(counts.quoteManyTape - before, 1)
        const reference = engine.quoteMany(text, options)
        assert.equal(JSON.stringify(many), JSON.stringify(reference))
        assert.equal(many[0].event_id, 'a')
        assert.ok(!('event_id' in many[1]))
        assert.equal(many[3].event_id, 'd')
        // Changing one twin's quote changes no other.
        many[0].fees[0].amount = 'changed'
        many[0].fees[0].dimensions.model = 'changed'
        many[0].fees[0].equivalents.X = '1'
        many[0].totals.CR = 'changed'
        many[0].equivalents.X = '1'
        many[0].warnings.push('x')
        for (const i of [1, 3]) {
          assert.equal(many[i].fees[0].amount, reference[i].fees[0].amount)
          assert.deepStrictEqual(many[i].fees, reference[i].fees)
          assert.deepStrictEqual(many[i].totals, reference[i].totals)
          assert.deepStrictEqual(many[i].equivalents, reference[i].equivalents)
          assert.deepStrictEqual(many[i].warnings, [])
        }
      }
      // The lone event's explanation is computed when read, from the batch as it was sent.
      const many = engine.quoteMany(events)
      events[2].data.seconds = 99
      events[2].data.model = 'gen4'
      events[2].event_type = 'other'
      assert.equal(typeof Object.getOwnPropertyDescriptor(many[2], 'explain').get, 'function')
      assert.deepStrictEqual(many[2], engine.quoteMany(text)[2])
    })

    test('quoteMany: repeated, changing, non-ASCII and long strings, and a refused one mid-batch', () => {
      const engine = new Engine(VIDEO)
      // (A length byte of 254 names a batch's string: strings of 253, 254 and 255 characters.)
      const models = ['gen4', 'veo', 'gen4', 'ünïcødé 🎬', 'ünïcødé 🎬', 'gen4', 'x'.repeat(300), 'x'.repeat(300), 'veo', 'y'.repeat(253), 'z'.repeat(254), 'w'.repeat(255)]
      const events = models.map((model, i) => ({
        id: i % 2 ? `é${i}` : `e${i}`,
        event_type: 'render',
        occurred_at: i < 4 ? AT : '2026-03-02T00:00:00Z',
        data: { model, seconds: i / 4 },
      }))
      const strip = (v) => JSON.stringify(v)
      for (const e of events) assert.equal(strip(engine.quote(e)), strip(engine.quote(JSON.stringify(e))))
      assert.equal(strip(engine.quoteMany(events, { explain: false })), strip(engine.quoteMany(JSON.stringify(events), { explain: false })))
      assert.equal(strip(engine.quoteMany(events)), strip(engine.quoteMany(JSON.stringify(events))))
      // Too big for the first room: written again in a larger one.
      const big = Array.from({ length: 3000 }, (_, i) => ({ event_type: 'render', occurred_at: AT, data: { model: `${i % 7}`.repeat(400), seconds: i % 5 } }))
      const before = counts.quoteManyTape
      assert.equal(strip(engine.quoteMany(big, { explain: false })), strip(engine.quoteMany(JSON.stringify(big), { explain: false })))
      assert.equal(counts.quoteManyTape - before, 1)
      // A lone surrogate in the middle of a batch: the JSON path answers, with its error.
      const bad = [...events.slice(0, 3), { event_type: 'render', occurred_at: AT, data: { model: 'a\ud800b', seconds: 1 } }, ...events.slice(3)]
      const fast = outcome(() => engine.quoteMany(bad, { explain: false }))
      assert.match(fast, /^error invalid_/)
      assert.equal(fast, outcome(() => engine.quoteMany(JSON.stringify(bad), { explain: false })))
      // And the engine goes on as before.
      assert.equal(strip(engine.quoteMany(events, { explain: false })), strip(engine.quoteMany(JSON.stringify(events), { explain: false })))
    })

    test('quoteMany explains each event lazily, and tiered batches at once', () => {
      const engine = new Engine(VIDEO)
      const events = [1, 2, 3].map((s) => ({ event_type: 'render', occurred_at: AT, data: { model: 'gen4', seconds: s } }))
      const before = counts.quoteManyTape
      const many = engine.quoteMany(events)
      assert.equal(counts.quoteManyTape - before, 1)
      assert.equal(JSON.stringify(many), JSON.stringify(engine.quoteMany(JSON.stringify(events))))
      // examples/catalog.json prices file_stored in tiers (usage carries through a batch).
      const tieredEngine = new Engine(JSON.parse(readFileSync(join(root, 'examples', 'catalog.json'), 'utf8')))
      const stored = (gb) => ({ event_type: 'file_stored', occurred_at: AT, data: { gb } })
      const video = (seconds) => ({ event_type: 'video_generated', occurred_at: AT, data: { seconds, model: 'gen4', quality: 'hd' } })
      const mixed = [video(3), stored(600), video(3), stored(600), video(4)]
      for (const options of [undefined, { explain: false }, { expressIn: ['USD'] }]) {
        const want = JSON.stringify(tieredEngine.quoteMany(JSON.stringify(mixed), options))
        assert.equal(JSON.stringify(tieredEngine.quoteMany(mixed, options)), want, JSON.stringify(options))
      }
      // Tiered events explained: at once (through JSON), so each step sees the usage before it.
      const explained = tieredEngine.quoteMany(mixed)
      assert.ok('value' in Object.getOwnPropertyDescriptor(explained[3], 'explain'))
      assert.notEqual(explained[1].fees[0].amount, explained[3].fees[0].amount)
      // A batch of the same catalog without tiered events keeps the tape and lazy explanations.
      const b = counts.quoteManyTape
      const videos = tieredEngine.quoteMany([video(3), video(5)])
      assert.equal(counts.quoteManyTape - b, 1)
      assert.equal(typeof Object.getOwnPropertyDescriptor(videos[1], 'explain').get, 'function')
      assert.deepStrictEqual(videos, tieredEngine.quoteMany(JSON.stringify([video(3), video(5)])))
    })
  })
}

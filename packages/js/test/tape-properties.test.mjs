// Property tests of the tape (fast-check): for any batch of plain event objects, `quoteMany` of
// the objects (the tape path: records that name their strings, twins priced once and copied,
// lazy explanations) gives exactly what `quoteMany` of the same events as JSON text gives (the
// JSON path, the reference), key for key, errors included; and so does `quote` of each event.
// Events are drawn from what breaks framings: repeated and changing strings, Unicode, strings
// around the 254-byte name marker, lone surrogates, numbers of every size, nulls, booleans,
// absent and extra fields, nested values, ids of every kind, and event types priced in tiers.
// Runs against @ratecard/node and @ratecard/wasm (RATECARD_PACKAGES picks, as elsewhere).
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import fc from 'fast-check'
import { VIDEO, outcome } from './fixtures.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const ENTRIES = { node: 'packages/node/ratecard.mjs', wasm: 'packages/wasm/node.js' }
const wanted = (process.env.RATECARD_PACKAGES ?? 'node,wasm').split(',').map((s) => s.trim()).filter(Boolean)
const RUNS = Number(process.env.RATECARD_PROPERTY_RUNS ?? 120)

// examples/catalog.json prices file_stored in tiers: usage carries through a batch.
const EXAMPLE = JSON.parse(readFileSync(join(root, 'examples', 'catalog.json'), 'utf8'))


const text = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('gen4', 'veo', 'hd', 'sd', '', 'gen4 ', 'GEN4') },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 252, max: 256 }).map((n) => 'x'.repeat(n)) },
)
const number = fc.oneof(
  fc.constantFrom(0, -0, 0.1, 0.25, 2, 4.5, 60, 1e21, 2 ** 60, -3),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -1000, max: 100000 }),
)
const value = fc.oneof(
  { weight: 4, arbitrary: text },
  { weight: 4, arbitrary: number },
  { weight: 1, arbitrary: number.map(String) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant({ nested: true }) },
)
const data = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(fc.constantFrom('seconds', 'model', 'quality', 'gb', 'extra'), value, { maxKeys: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined) },
)
const event = fc.record(
  {
    id: fc.oneof(fc.constantFrom('evt_1', 'evt_2', 'é', ''), fc.string({ maxLength: 4 }), fc.integer()),
    event_type: fc.constantFrom('render', 'render', 'video_generated', 'file_stored', 'image_generated', 'other', ''),
    occurred_at: fc.constantFrom('2026-03-01T12:00:00Z', '2026-03-02T00:00:00+01:00', new Date('2026-03-01T12:00:00Z'), 'soon'),
    data,
  },
  { requiredKeys: ['event_type', 'occurred_at'] },
)
// Batches repeat events (twins) as event logs do.
const batch = fc
  .tuple(fc.array(event, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 24 }))
  .map(([pool, picks]) => [...pool, ...picks.map((k) => structuredClone(pool[k % pool.length]))])
const OPTIONS = [undefined, { explain: false }, { explain: false, expressIn: ['USD'] }]

for (const name of wanted) {
  let ratecard
  try {
    ratecard = await import(pathToFileURL(join(root, ENTRIES[name])).href)
  } catch (err) {
    if (process.env.CI) throw err
    test(`@ratecard/${name}: tape properties`, { skip: `not built (${err.code ?? err.message})` }, () => {})
    continue
  }
  const { Engine } = ratecard
  describe(`@ratecard/${name}: the tape gives what the JSON path gives, for any events`, () => {
    for (const [label, catalog] of [['a dimensional price', VIDEO], ['the example catalog (tiers)', EXAMPLE]]) {
      const engine = new Engine(catalog)
      test(`quoteMany, ${label}`, () => {
        fc.assert(
          fc.property(batch, fc.constantFrom(...OPTIONS), (events, options) => {
            const fast = outcome(() => engine.quoteMany(events, options))
            assert.equal(fast, outcome(() => engine.quoteMany(JSON.stringify(events), options)))
          }),
          { numRuns: RUNS },
        )
      })
      test(`quote, ${label}`, () => {
        fc.assert(
          fc.property(event, fc.constantFrom(...OPTIONS), (e, options) => {
            assert.equal(outcome(() => engine.quote(e, options)), outcome(() => engine.quote(JSON.stringify(e), options)))
          }),
          { numRuns: RUNS * 2 },
        )
      })
    }
  })
}

// quoteManyAsync on a long batch, against both packages: the same answers as quoteMany, progress
// after each piece, and an event loop that keeps turning while it prices.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { packages, root, VIDEO } from './fixtures.mjs'

const loaded = await packages()
const AT = '2026-03-01T12:00:00Z'
const MODELS = ['gen4', 'gen3', 'turbo']

/** `n` render events, their seconds varied. */
function renders(n) {
  return Array.from({ length: n }, (_, i) => ({
    id: `e${i}`,
    event_type: 'render',
    occurred_at: AT,
    data: { model: MODELS[i % 3], seconds: (i % 997) / 10 },
  }))
}

const amounts = (quotes) => quotes.map((q) => (q instanceof Error ? `error ${q.issues.map((i) => i.path)}` : q.fees.map((f) => f.amount).join()))

for (const [name, { module, skip }] of Object.entries(loaded)) {
  describe(`@ratecard/${name} quoteManyAsync`, { skip }, () => {
    test('a long batch: quoteMany\'s answers, progress after each piece', async () => {
      const engine = new module.Engine(VIDEO)
      const events = renders(60_000)
      const seen = []
      const quotes = await engine.quoteManyAsync(events, { explain: false, onProgress: (done, total) => seen.push([done, total]) })
      assert.deepEqual(amounts(quotes), amounts(engine.quoteMany(events, { explain: false })))
      assert.ok(seen.length > 2, `pieces: ${seen.length}`)
      assert.deepEqual(seen.at(-1), [60_000, 60_000])
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i][0] > seen[i - 1][0])
      // Read lazily like any quote: its explanation and its id.
      assert.equal(quotes[59_999].event_id, 'e59999')
    })

    test('the event loop keeps turning', async () => {
      const engine = new module.Engine(VIDEO)
      const events = renders(200_000)
      // Other work runs between the pieces: a callback that reschedules itself each turn of the
      // loop runs at least once per piece. (How long the loop waits is a measurement, made in
      // BENCHMARKS.md by scripts/bench-async.mjs: a wall-clock bound here failed on a loaded
      // machine when the garbage collector paused, which says nothing about the pieces.)
      let turns = 0
      let pricing = true
      const tick = () => {
        if (!pricing) return
        turns++
        setImmediate(tick)
      }
      setImmediate(tick)
      const pieces = []
      await engine.quoteManyAsync(events, { explain: false, onProgress: (done) => pieces.push(done) })
      pricing = false
      assert.ok(pieces.length > 2, `pieces: ${pieces.length}`)
      // About one turn per piece (many more where the addon prices on libuv's pool); half is
      // the bound, as a batch priced in one turn gives none at all.
      assert.ok(turns >= pieces.length / 2, `${turns} turns of the event loop for ${pieces.length} pieces`)
    })

    test('a tiered catalog, a bad event or JSON text: one piece, quoteMany\'s answers', async () => {
      const tiered = new module.Engine(readFileSync(join(root, 'examples', 'catalog.json'), 'utf8'))
      const stored = Array.from({ length: 3000 }, (_, i) => ({ event_type: 'file_stored', occurred_at: AT, data: { gb: 1 + (i % 7) } }))
      const seen = []
      const quotes = await tiered.quoteManyAsync(stored, { explain: false, onProgress: (d, t) => seen.push([d, t]) })
      assert.deepEqual(amounts(quotes), amounts(tiered.quoteMany(stored, { explain: false })))
      assert.deepEqual(seen, [[3000, 3000]])

      const engine = new module.Engine(VIDEO)
      const events = renders(5000)
      events[4321] = { event_type: 'render', occurred_at: 'yesterday', data: { seconds: 1 } }
      const returned = await engine.quoteManyAsync(events, { explain: false, onError: 'return' })
      assert.deepEqual(amounts(returned), amounts(engine.quoteMany(events, { explain: false, onError: 'return' })))
      assert.equal(returned[4321].issues[0].path, '[4321].occurred_at')
      await assert.rejects(engine.quoteManyAsync(events), (e) => e instanceof module.RatecardError && e.issues[0].path === '[4321].occurred_at')
      await assert.rejects(engine.quoteManyAsync(events, { onProgress: 5 }), (e) => e.code === 'invalid_argument' && e.issues[0].path === 'onProgress')
    })
  })
}

// How long quoteManyAsync holds the event loop: the longest gap between turns of the loop
// (perf_hooks' monitorEventLoopDelay, 1 ms resolution) while one 440,000-event batch, and while
// 50 batches of 10,000 at once, are priced; and the batch's time, against quoteMany's.
//
//   node scripts/bench-async.mjs [node|wasm]     (after scripts/build-node.sh / build-wasm.sh)
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { root, VIDEO } from '../packages/js/test/fixtures.mjs'

const which = process.argv[2] ?? 'node'
const entry = { node: 'packages/node/ratecard.mjs', wasm: 'packages/wasm/node.js' }[which]
const { Engine } = await import(pathToFileURL(join(root, entry)).href)
const engine = new Engine(VIDEO)
const MODELS = ['gen4', 'gen3', 'turbo']
const renders = (n) => Array.from({ length: n }, (_, i) => ({
  event_type: 'render', occurred_at: '2026-03-01T12:00:00Z', data: { model: MODELS[i % 3], seconds: (i % 997) / 10 },
}))

async function stall(run) {
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  const start = performance.now()
  await run()
  const took = performance.now() - start
  delay.disable()
  return { worst: delay.max / 1e6, took }
}

const big = renders(440_000)
const small = Array.from({ length: 50 }, () => renders(10_000))
const sync = await stall(async () => engine.quoteMany(big, { explain: false }))
const one = await stall(() => engine.quoteManyAsync(big, { explain: false }))
const many = await stall(() => Promise.all(small.map((b) => engine.quoteManyAsync(b, { explain: false }))))
console.log(`@ratecard/${which}: quoteMany 440k holds the loop throughout: ${sync.took.toFixed(0)} ms`)
console.log(`@ratecard/${which}: quoteManyAsync 440k: longest stall ${one.worst.toFixed(1)} ms (${one.took.toFixed(0)} ms in all)`)
console.log(`@ratecard/${which}: 50 × quoteManyAsync 10k at once: longest stall ${many.worst.toFixed(1)} ms (${many.took.toFixed(0)} ms in all)`)

// Speed of the wallet operations against a quote of the same event, in one Node process, in
// both JavaScript packages: `preview` of one event against a wallet of five grants, and
// `affordable` of one event with a volume price (a count and a largest volume, found by up to
// ~70 quotes inside the core). Issue targets: a preview within 2x a quote's time, `affordable`
// within the time of ten quotes. Prints a Markdown table.
//
//   node --expose-gc scripts/bench-wallet.mjs   (after scripts/build-node.sh / build-wasm.sh)
//   BENCH_MS=400 node --expose-gc scripts/bench-wallet.mjs
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const BUDGET_MS = Number(process.env.BENCH_MS ?? 300)
const faces = [['@ratecard/node', require(join(root, 'packages', 'node', 'ratecard.js'))]]
try {
  faces.push(['@ratecard/wasm', await import(pathToFileURL(join(root, 'packages', 'wasm', 'node.js')).href)])
} catch (err) {
  console.error(`@ratecard/wasm not built (${err.code ?? err.message}): measuring @ratecard/node only`)
}

const catalog = readFileSync(join(root, 'examples', 'catalog.json'), 'utf8')
const event = {
  event_type: 'video_generated',
  occurred_at: '2026-03-10T12:00:00Z',
  data: { model: 'gen4', quality: 'hd', seconds: 4 },
}
const grant = (id, available, purpose, expires) => ({
  id, available, purpose, effective_at: '2026-01-01T00:00:00Z', expires_at: expires, created_at: '2026-01-01T00:00:00Z',
})
const wallet = {
  accounts: [{
    id: 'default:CREDIT', name: 'default', asset: 'CREDIT', available: '500',
    grants: [
      grant('promo', '50', 'promotion', '2026-04-01T00:00:00Z'),
      grant('plan-feb', '100', 'bundled', '2026-03-01T00:00:00Z'),
      grant('plan-mar', '100', 'bundled', '2026-04-01T00:00:00Z'),
      grant('paid-1', '150', 'paid', '2027-01-01T00:00:00Z'),
      grant('paid-2', '100', 'paid', '2027-02-01T00:00:00Z'),
    ],
  }],
}

/** Mean µs per call of `fn`, over batches until the budget is spent (after a warm-up). */
function time(fn) {
  for (let i = 0; i < 200; i++) fn()
  globalThis.gc?.()
  let calls = 0
  const start = process.hrtime.bigint()
  let now = start
  while (Number(now - start) / 1e6 < BUDGET_MS) {
    for (let i = 0; i < 100; i++) fn()
    calls += 100
    now = process.hrtime.bigint()
  }
  return Number(now - start) / 1e3 / calls
}

console.log('| face | quote | preview (5 grants) | preview ÷ quote | affordable | affordable ÷ quote |')
console.log('|---|---|---|---|---|---|')
for (const [name, { Engine }] of faces) {
  const engine = new Engine(catalog)
  const quote = time(() => engine.quote(event, { explain: false }))
  const preview = time(() => engine.preview(wallet, [event], { explain: false }))
  const affordable = time(() => engine.affordable(wallet, event))
  const us = (t) => `${t.toFixed(2)} µs`
  console.log(`| ${name} | ${us(quote)} | ${us(preview)} | ${(preview / quote).toFixed(2)}× | ${us(affordable)} | ${(affordable / quote).toFixed(2)}× |`)
  engine.free()
}

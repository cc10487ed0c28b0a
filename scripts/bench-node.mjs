// Speed of @ratecard/node against a hand-rolled decimal.js quoter and @ratecard/wasm, in one Node
// process, on performance.md's scenario: a two-way dimensional volume price ("gen4" 12 credits a
// second, anything else 5). Prints a Markdown table of times and ratios.
//
//   node --expose-gc scripts/bench-node.mjs   (after scripts/build-node.sh; wasm is optional)
//   BENCH_MS=400 node scripts/bench-node.mjs   time budget per measurement (default 300 ms)
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import os from 'node:os'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'packages', 'node', 'package.json'))
const Decimal = require('decimal.js')
const native = require(join(root, 'packages', 'node', 'ratecard.js'))
let wasm = null
let wasmWhy = ''
try {
  wasm = await import(pathToFileURL(join(root, 'packages', 'wasm', 'node.js')).href)
} catch (err) {
  wasmWhy = `@ratecard/wasm not built (${err.code ?? err.message})`
}

const BUDGET_MS = Number(process.env.BENCH_MS ?? 300)
const BATCH = 10_000

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
          usage_calculation: { event_type: 'render', usage_type: 'volume', volume_field: 'seconds', billable_dimensions: ['model'] },
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

const models = ['gen4', 'gen3', 'gen4', 'turbo']
const event = (i) => ({
  id: `evt_${i}`,
  event_type: 'render',
  occurred_at: '2026-03-01T12:00:00Z',
  data: { model: models[i % 4], seconds: (i % 50) + 0.25 },
})
const events = Array.from({ length: BATCH }, (_, i) => event(i))
const one = event(0)
// The same shape with every event distinct (full-precision seconds): batches of repeated
// events are priced once per distinct event, so this is the batch path without that help.
const distinct = Array.from({ length: BATCH }, (_, i) => ({ ...event(i), data: { model: models[i % 4], seconds: i / 7 + 0.001 } }))

// What a user would write instead: match the event type, pick the dimensional value, multiply,
// clamp at zero, round to the asset's 2 places, and hand back one fee.
const TWELVE = new Decimal(12)
const FIVE = new Decimal(5)
function handQuote(e) {
  if (e.event_type !== 'render') return { fees: [] }
  const d = e.data
  const rate = d.model === 'gen4' ? TWELVE : FIVE
  let amount = new Decimal(d.seconds).times(rate)
  if (amount.isNegative()) amount = new Decimal(0)
  amount = amount.toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
  return { fees: [{ price_name: 'Render', currency: 'CR', amount: amount.toFixed(2) }], totals: { CR: amount.toFixed(2) } }
}
const handMany = (list) => list.map(handQuote)

/**
 * Median nanoseconds per `unit` over repeated timed rounds, within the time budget. Each
 * measurement starts from a collected heap (with --expose-gc), so that one measurement's garbage
 * is not collected in the next one's time.
 */
function measure(fn, unit) {
  if (typeof globalThis.gc === 'function') globalThis.gc()
  for (let i = 0; i < 3; i++) fn() // warm up
  const samples = []
  const end = performance.now() + BUDGET_MS
  let reps = 1
  // Size a round to take ~10 ms, then sample rounds until the budget is spent.
  for (;;) {
    const t = performance.now()
    for (let i = 0; i < reps; i++) fn()
    if (performance.now() - t > 10 || reps > 1e6) break
    reps *= 2
  }
  while (performance.now() < end || samples.length < 5) {
    const t = process.hrtime.bigint()
    for (let i = 0; i < reps; i++) fn()
    samples.push(Number(process.hrtime.bigint() - t) / reps / unit)
  }
  samples.sort((a, b) => a - b)
  return samples[samples.length >> 1]
}

async function measureAsync(fn, unit) {
  for (let i = 0; i < 2; i++) await fn()
  const samples = []
  const end = performance.now() + BUDGET_MS
  while (performance.now() < end || samples.length < 5) {
    const t = process.hrtime.bigint()
    await fn()
    samples.push(Number(process.hrtime.bigint() - t) / unit)
  }
  samples.sort((a, b) => a - b)
  return samples[samples.length >> 1]
}

// Everyone must agree before anyone is timed.
const nodeEngine = new native.Engine(CATALOG)
const wasmEngine = wasm ? new wasm.Engine(CATALOG) : null
for (const e of events.slice(0, 200)) {
  const want = handQuote(e).fees[0].amount
  if (nodeEngine.quote(e).fees[0].amount !== want) throw new Error(`@ratecard/node disagrees on ${JSON.stringify(e)}`)
  if (wasmEngine && wasmEngine.quote(e).fees[0].amount !== want) throw new Error(`@ratecard/wasm disagrees on ${JSON.stringify(e)}`)
}

const noExplain = { explain: false }
const rows = []
const hand1 = measure(() => handQuote(one), 1)
// Single quotes of varying events (the 10k events in turn): what a server quoting jobs sees.
let k = 0
const handV = measure(() => handQuote(events[k++ % BATCH]), 1)
const handN = measure(() => handMany(events), BATCH)
rows.push(['decimal.js hand-rolled', 'quote (one event, repeated)', hand1, hand1])
rows.push(['decimal.js hand-rolled', 'quote (the 10k events in turn)', handV, handV])
rows.push(['decimal.js hand-rolled', `10k batch, per event`, handN, handN])

const handD = measure(() => handMany(distinct), BATCH)
rows.push(['decimal.js hand-rolled', `10k batch of distinct events, per event`, handD, handD])

// Every row reads the result as a caller would: a fee's amount (explain is computed when first
// read, so one row reads it too).
let sink = 0
function suite(label, engine) {
  const q = measure(() => { sink += engine.quote(one).fees[0].amount.length }, 1)
  const qv = measure(() => { sink += engine.quote(events[k++ % BATCH]).fees[0].amount.length }, 1)
  const qe = measure(() => { sink += engine.quote(one).explain.length }, 1)
  const qx = measure(() => { sink += engine.quote(one, noExplain).fees[0].amount.length }, 1)
  const m = measure(() => { sink += engine.quoteMany(events)[BATCH - 1].fees[0].amount.length }, BATCH)
  const mx = measure(() => { sink += engine.quoteMany(events, noExplain)[BATCH - 1].fees[0].amount.length }, BATCH)
  const md = measure(() => { sink += engine.quoteMany(distinct, noExplain)[BATCH - 1].fees[0].amount.length }, BATCH)
  rows.push([label, 'quote (explain on, the default; not read)', q, hand1])
  rows.push([label, 'quote, the 10k events in turn (explain on, not read)', qv, handV])
  rows.push([label, 'quote, then reading quote.explain', qe, hand1])
  rows.push([label, 'quote (explain: false)', qx, hand1])
  rows.push([label, 'quoteMany 10k, per event (explain on)', m, handN])
  rows.push([label, 'quoteMany 10k, per event (explain: false)', mx, handN])
  rows.push([label, 'quoteMany 10k distinct events, per event (explain: false)', md, handD])
  return { q, qv, qx, m, mx, md }
}

const n = suite('@ratecard/node', nodeEngine)
const a = await measureAsync(() => nodeEngine.quoteManyAsync(events, noExplain), BATCH)
rows.push(['@ratecard/node', 'quoteManyAsync 10k, per event (explain: false)', a, handN])
const w = wasmEngine ? suite('@ratecard/wasm', wasmEngine) : null

// Where @ratecard/node's time goes (explain: false), along the tape path the wrapper takes:
// the event read into a snapshot and written as a binary record into the scratch memory, the
// addon call (read, price, write the compact answer after the record), and the decoder
// building the Quote objects.
const addon = require(join(root, 'packages', 'node', 'index.js'))
const tape = await import(pathToFileURL(join(root, 'packages', 'js', 'tape.mjs')).href)
const rawEngine = new addon.NativeEngine(JSON.stringify(CATALOG), false)
const handle = rawEngine.handle
const fieldList = rawEngine.dataFields('render').split('\x1f')
const fieldsFor = () => fieldList
const scratch = new Uint8Array(1 << 16)
const scratchView = new DataView(scratch.buffer)
addon.setScratch(scratch)
const oneSnap = tape.snapshot(one, fieldsFor)
tape.target(scratch, scratchView, 12, scratch.length)
tape.writeSnap(oneSnap)
const recordLength = tape.written() - 12
scratchView.setUint32(0, handle, true)
scratchView.setUint32(4, 1, true)
scratchView.setUint32(8, recordLength, true)
const templates = []
addon.quoteScratch()
tape.decodeQuote(scratch, 12 + recordLength, oneSnap, templates, null) // the answer defining the template
const oneLength = addon.quoteScratch() // and one that refers to it
const batchBytes = new Uint8Array(1 << 22)
const batchView = new DataView(batchBytes.buffer)
let manyBatch = null
function writeBatch() {
  tape.target(batchBytes, batchView, 0, batchBytes.length)
  manyBatch = tape.writeEvents(events, fieldsFor, false)
  return tape.written()
}
const batchLength = writeBatch()
const batchRecords = batchBytes.subarray(0, batchLength)
const manyOut = rawEngine.quoteManyTape(batchRecords, null, true, false)
const parts = [
  ['quote: read the event into a snapshot', measure(() => tape.snapshot(one, fieldsFor), 1)],
  ['quote: write the snapshot as a record', measure(() => { tape.target(scratch, scratchView, 12, scratch.length); tape.writeSnap(oneSnap) }, 1)],
  ['quote: addon call (record in, answer out)', measure(() => addon.quoteScratch(), 1)],
  [`quote: decode the answer (${oneLength} bytes)`, measure(() => tape.decodeQuote(scratch, 12 + recordLength, oneSnap, templates, null), 1)],
  ['quoteMany 10k: records, straight from the events, per event', measure(writeBatch, BATCH)],
  ['quoteMany 10k: addon call, per event', measure(() => rawEngine.quoteManyTape(batchRecords, null, true, false), BATCH)],
  [`quoteMany 10k: decode, per event (${(manyOut.length / BATCH).toFixed(0)} bytes each)`, measure(() => tape.decodeBatch(manyOut, 0, { ...manyBatch }, null, batchBytes), BATCH)],
]

const us = (ns) => `${(ns / 1000).toFixed(2)} µs`
const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
console.log(`Node ${process.version}, ${os.cpus().length} × ${cpu}; ${BUDGET_MS} ms per measurement, median of rounds.\n`)
console.log('| package | what | time | × decimal.js (lower is faster) |')
console.log('|---|---|---|---|')
for (const [pkg, what, t, base] of rows) console.log(`| ${pkg} | ${what} | ${us(t)} | ${(t / base).toFixed(2)} |`)
console.log('')
console.log('| @ratecard/node, explain: false, broken down | time |')
console.log('|---|---|')
for (const [what, t] of parts) console.log(`| ${what} | ${us(t)} |`)
console.log('')
console.log(`- single quote vs decimal.js: ${(n.q / hand1).toFixed(2)}× its time with explain, ${(n.qx / hand1).toFixed(2)}× without, ${(n.qv / handV).toFixed(2)}× on the events in turn (target ≤ 1.5×)`)
console.log(`- quoteMany vs decimal.js: ${(handN / n.m).toFixed(2)}× faster with explain, ${(handN / n.mx).toFixed(2)}× without, ${(handD / n.md).toFixed(2)}× on distinct events (target ≥ 3×)`)
if (w) {
  console.log(`- @ratecard/wasm single quote vs decimal.js: ${(w.q / hand1).toFixed(2)}× with explain, ${(w.qx / hand1).toFixed(2)}× without, ${(w.qv / handV).toFixed(2)}× on the events in turn; quoteMany ${(handN / w.m).toFixed(2)}× faster with explain, ${(handN / w.mx).toFixed(2)}× without`)
  console.log(`- quoteMany vs @ratecard/wasm: ${(w.m / n.m).toFixed(2)}× faster with explain, ${(w.mx / n.mx).toFixed(2)}× without (target > 1×)`)
  console.log(`- quote vs @ratecard/wasm: ${(w.q / n.q).toFixed(2)}× faster with explain, ${(w.qx / n.qx).toFixed(2)}× without`)
} else {
  console.log(`- ${wasmWhy}: no comparison`)
}

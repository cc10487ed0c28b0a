// @ratecard/node's memory stays flat: free() releases a native engine at once (not when the
// garbage collector gets to it), and a million quotes leave nothing behind.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setImmediate as turn } from 'node:timers/promises'
import { readFileSync } from 'node:fs'
import { Engine } from '../ratecard.mjs'

const catalog = JSON.parse(readFileSync(new URL('../../../examples/tutorial-catalog.json', import.meta.url), 'utf8'))
const events = JSON.parse(readFileSync(new URL('../../../examples/tutorial-events.json', import.meta.url), 'utf8'))
const MB = 1e6

async function rss() {
  // Collected and settled: the garbage collector and the event loop have had their turn.
  globalThis.gc?.()
  await turn()
  globalThis.gc?.()
  return process.memoryUsage().rss
}

test('50,000 engines freed in a synchronous loop stay within a few megabytes', async () => {
  for (let i = 0; i < 2000; i++) new Engine(catalog).free()
  const before = await rss()
  // No turn of the event loop inside the loop: free() must not wait for one. An engine of this
  // catalog left to the collector holds about 10 KB (50,000 of them about 500 MB).
  for (let i = 0; i < 50000; i++) {
    const engine = new Engine(catalog)
    engine.quote(events[0])
    engine.free()
  }
  const grew = process.memoryUsage().rss - before
  assert.ok(grew < 60 * MB, `rss grew ${(grew / MB).toFixed(1)} MB over 50,000 freed engines`)
})

test('a million quotes leave the heap and the process flat', async () => {
  const engine = new Engine(catalog)
  const quoteAll = (n) => {
    for (let i = 0; i < n; i++) engine.quote(events[i % events.length])
  }
  quoteAll(100000)
  const heap = (globalThis.gc?.(), process.memoryUsage().heapUsed)
  const before = await rss()
  quoteAll(1000000)
  const after = await rss()
  const heapAfter = process.memoryUsage().heapUsed
  assert.ok(after - before < 30 * MB, `rss grew ${((after - before) / MB).toFixed(1)} MB over a million quotes`)
  assert.ok(heapAfter - heap < 10 * MB, `heap grew ${((heapAfter - heap) / MB).toFixed(1)} MB over a million quotes`)
  engine.free()
})

test('an engine made after another was freed survives the freed one being collected', async () => {
  let first = new Engine(catalog)
  first.free()
  // The second engine may take the first one's place in the addon's table of engines.
  const second = new Engine(catalog)
  first = null
  await rss()
  assert.equal(second.quote(events[0]).fees.length, 1)
  second.free()
})

// @ratecard/node as an installed package: the `exports` map's CommonJS and ESM entries (one
// implementation behind both), the bin, and the platform package next to the loader.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const pkg = join(root, 'packages', 'node')

// What `npm install ./packages/node` makes: a link under node_modules/@ratecard/node.
const app = mkdtempSync(join(tmpdir(), 'ratecard-app-'))
mkdirSync(join(app, 'node_modules', '@ratecard'), { recursive: true })
symlinkSync(pkg, join(app, 'node_modules', '@ratecard', 'node'), 'dir')
writeFileSync(join(app, 'package.json'), '{"name": "app", "private": true}')

const node = (args) => execFileSync(process.execPath, args, { cwd: app, encoding: 'utf8' })

const program = `
  const e = new Engine({ assets: [], products: [{ name: 'p', code: 'p', prices: [{ name: 'f', type: 'usage_based',
    billing_model: { type: 'real_time' }, usage_calculation: { event_type: 'e', usage_type: 'unit' },
    pricing: [{ asset: 'USD', values: [{ unit_price: '0.25' }] }] }] }] })
  let code
  try { new Engine({ assets: 1 }) } catch (err) { code = (err instanceof RatecardError) + ':' + err.code }
  console.log(JSON.stringify([e.quote({ event_type: 'e', occurred_at: '2026-01-01T00:00:00Z' }).totals, code, typeof version]))`

test('require("@ratecard/node") works through the exports map', () => {
  const out = node(['-e', `const { Engine, RatecardError, version } = require('@ratecard/node');${program}`])
  assert.deepEqual(JSON.parse(out), [{ USD: '0.25' }, 'true:invalid_catalog', 'string'])
})

test('import "@ratecard/node" works and shares the CommonJS classes', () => {
  const out = node([
    '--input-type=module',
    '-e',
    `import { Engine, RatecardError, version } from '@ratecard/node'
     import { createRequire } from 'node:module'
     const cjs = createRequire(import.meta.url)('@ratecard/node')
     if (cjs.Engine !== Engine || cjs.RatecardError !== RatecardError) throw new Error('two copies')
     ${program}`,
  ])
  assert.deepEqual(JSON.parse(out), [{ USD: '0.25' }, 'true:invalid_catalog', 'string'])
})

test('package.json: exports map, Node >= 18, the bin, the napi target', () => {
  const meta = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'))
  assert.deepEqual(Object.keys(meta.exports['.']), ['types', 'import', 'require'])
  assert.equal(meta.engines.node, '>= 18')
  assert.equal(meta.bin['ratecard-check'], 'bin/ratecard-check.js')
  assert.deepEqual(meta.napi.targets, ['x86_64-unknown-linux-gnu'])
  for (const f of ['index.js', 'index.d.ts', 'ratecard.js', 'ratecard.mjs', 'ratecard.d.ts', 'bin/ratecard-check.js']) {
    assert.ok(existsSync(join(pkg, f)), f)
  }
})

test('the platform package carries the same binary the loader finds', () => {
  const platform = join(pkg, 'npm', 'linux-x64-gnu')
  const meta = JSON.parse(readFileSync(join(platform, 'package.json'), 'utf8'))
  assert.equal(meta.name, '@ratecard/node-linux-x64-gnu')
  assert.deepEqual(readFileSync(join(platform, meta.main)), readFileSync(join(pkg, 'ratecard.linux-x64-gnu.node')))
})

test('the public types are the shared ones plus quoteManyAsync', () => {
  const shared = readFileSync(join(root, 'packages', 'js', 'index.d.ts'), 'utf8')
  const own = readFileSync(join(pkg, 'ratecard.d.ts'), 'utf8')
  assert.ok(own.includes(shared), 'ratecard.d.ts does not contain packages/js/index.d.ts: run scripts/build-node.sh')
  assert.match(own, /quoteManyAsync\(events: Event\[\] \| string \| JsonBytes, options\?: QuoteOptions & AsyncOptions\): Promise<Quote\[\]>/)
  assert.match(own, /onProgress\?: \(done: number, total: number\) => void/)
})

test('the bin runs from node_modules/.bin-style invocation', () => {
  const out = node([join(app, 'node_modules', '@ratecard', 'node', 'bin', 'ratecard-check.js'), '--version'])
  assert.match(out, /^ratecard-check /)
})

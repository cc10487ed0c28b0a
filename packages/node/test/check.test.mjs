// ratecard-check, the config-check command for CI: output lines, --format json, exit codes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const bin = join(root, 'packages', 'node', 'bin', 'ratecard-check.js')
const dir = mkdtempSync(join(tmpdir(), 'ratecard-check-'))

function file(name, content) {
  const path = join(dir, name)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

function check(args, input) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input, cwd: dir })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

const price = (asset, extra = {}) => ({
  name: 'fee',
  type: 'usage_based',
  billing_model: { type: 'real_time' },
  usage_calculation: { event_type: 'e', usage_type: 'unit', ...extra },
  pricing: [{ asset, values: [{ unit_price: '1' }] }],
})
const good = file('good.json', { assets: [], products: [{ name: 'p', code: 'p', prices: [price('USD')] }] })
const bad = file('bad.json', { assets: [{ code: 'USD', name: 'x' }], products: [{ name: 'p', code: 'p', prices: [price('NOPE')] }] })
const warned = file('warned.json', {
  assets: [],
  products: [{ name: 'p', code: 'p', prices: [{ ...price('USD'), pricing: [{ asset: 'USD', values: [{ dimensions: { region: 'eu' }, values: [{ unit_price: '1' }] }] }] }] }],
})
const notJson = file('broken.json', '{"assets": [')

test('a valid catalog exits 0 and prints no issue', () => {
  const r = check([good])
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /1 catalog checked, 0 invalid/)
})

test('a catalog with errors exits 1 and prints file: path: code: message', () => {
  const r = check([good, bad])
  assert.equal(r.status, 1)
  const lines = r.stdout.trim().split('\n')
  assert.ok(lines.length >= 2, r.stdout)
  assert.ok(lines.every((l) => l.startsWith(`${bad}: `)), r.stdout)
  assert.ok(lines.some((l) => l.startsWith(`${bad}: assets[0].code: reserved_code: `)), r.stdout)
  assert.ok(lines.some((l) => l.startsWith(`${bad}: products[0].prices[0].pricing[0].asset: unknown_asset: `)), r.stdout)
})

test('warnings are printed and marked but do not fail the check', () => {
  const r = check([warned])
  assert.equal(r.status, 0, r.stdout + r.stderr)
  assert.match(r.stdout, /: unlisted_dimension: .* \[warning\]\n/)
})

test('text that is not JSON is an error of that file', () => {
  const r = check([notJson, good])
  assert.equal(r.status, 1)
  assert.match(r.stdout, new RegExp(`^${notJson.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\.: invalid_json: `))
})

test('--format json gives every report for machines', () => {
  const r = check(['--format', 'json', good, bad])
  assert.equal(r.status, 1)
  const out = JSON.parse(r.stdout)
  assert.equal(out.valid, false)
  assert.deepEqual(out.files.map((f) => [f.file, f.valid]), [[good, true], [bad, false]])
  assert.deepEqual(out.files[1].errors.map((i) => i.code).sort(), ['reserved_code', 'unknown_asset'])
  assert.equal(check(['--format=json', good]).status, 0)
})

test('"-" reads a catalog from standard input', () => {
  assert.equal(check(['-'], readFileSync(good, 'utf8')).status, 0)
  const r = check(['-'], readFileSync(bad, 'utf8'))
  assert.equal(r.status, 1)
  assert.match(r.stdout, /^-: assets\[0\]\.code: reserved_code: /)
})

test('usage errors and unreadable files exit 2', () => {
  for (const args of [[], ['--format'], ['--format', 'xml', good], ['--nope', good]]) {
    const r = check(args)
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, /usage: ratecard-check/)
  }
  const r = check([join(dir, 'missing.json'), good])
  assert.equal(r.status, 2)
  assert.match(r.stderr, /cannot read .*missing\.json/)
})

test('--help and --version exit 0', () => {
  assert.match(check(['--help']).stdout, /usage: ratecard-check/)
  assert.equal(check(['--help']).status, 0)
  assert.match(check(['--version']).stdout, /^ratecard-check \d+\.\d+\.\d+/)
})

test('the bundled example catalogs pass', () => {
  const catalogs = ['catalog.json', 'tutorial-catalog.json', 'seed-custom-assets.json'].map((f) => join(root, 'examples', f))
  const r = check(catalogs)
  assert.equal(r.status, 0, r.stdout + r.stderr)
})

test('--strict fails a catalog with warnings, as CI should', () => {
  const lenient = check([warned])
  assert.equal(lenient.status, 0, lenient.stderr)
  assert.match(lenient.stdout, /\[warning\]/)
  const strict = check(['--strict', warned])
  assert.equal(strict.status, 1)
  assert.doesNotMatch(strict.stdout, /\[warning\]/)
  assert.match(strict.stdout, /warned\.json: .*: unlisted_dimension: /)
  const json = JSON.parse(check(['--strict', '--format', 'json', warned, good]).stdout)
  assert.equal(json.valid, false)
  assert.deepEqual(json.files.map((f) => f.valid), [false, true])
})

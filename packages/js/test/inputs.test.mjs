// Inputs only JavaScript has, where JSON.stringify alone would give a silently wrong answer: a
// BigInt where text is read, a Symbol or an invalid Date where a time is, bytes where JSON text
// is. Each is either read as documented or refused with a code and a path, and the two packages
// agree to the message (RATECARD_PACKAGES picks them, as in interchangeable.test.mjs).
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { AT, VIDEO, outcome, packages, root } from './fixtures.mjs'

const loaded = await packages()

const render = (extra, data = { model: 'gen4', seconds: 2 }) => ({ event_type: 'render', occurred_at: AT, data, ...extra })

/** The error a call throws: its class, code and issues' paths and codes; fails when it returns. */
function refusal(RatecardError, fn) {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof RatecardError, `not a RatecardError: ${e}`)
    for (const i of e.issues) assert.equal(typeof i.message, 'string')
    return [e.code, e.issues.map((i) => [i.path, i.code])]
  }
  assert.fail('no error')
}

// What each package answers, by case, for the cross-package comparison (messages included).
const answers = {}

for (const name of Object.keys(loaded)) {
  const { module, skip } = loaded[name]
  describe(`@ratecard/${name}`, { skip }, () => {
    const { Engine, RatecardError, validate } = module ?? {}
    const refused = (fn) => refusal(RatecardError, fn)
    const mine = (answers[name] = {})

    test('a BigInt where text is read is refused as a number would be, never read as its digits', async () => {
      const engine = new Engine(VIDEO)
      const typeError = ['invalid_event', [['event_type', 'invalid_type']]]
      assert.deepEqual(refused(() => engine.quote({ event_type: 10n, occurred_at: AT })), typeError)
      assert.deepEqual(refused(() => engine.quote({ event_type: 10 })), typeError)
      assert.deepEqual(refused(() => engine.quote(render({ id: 7n }))), ['invalid_event', [['id', 'invalid_type']]])
      assert.deepEqual(refused(() => engine.quote(render({ occurred_at: 1n }))), ['invalid_event', [['occurred_at', 'invalid_type']]])
      // One a double cannot hold is refused all the same, never read as text.
      assert.deepEqual(refused(() => engine.quote({ event_type: 2n ** 70n, occurred_at: AT })), typeError)
      assert.deepEqual(refused(() => engine.quoteMany([render(), { event_type: 10n, occurred_at: AT }])), ['invalid_event', [['[1].event_type', 'invalid_type']]])
      await assert.rejects(engine.quoteManyAsync([{ event_type: 10n, occurred_at: AT }]), (e) => e instanceof RatecardError && e.issues[0].path === '[0].event_type')
      assert.deepEqual(refused(() => engine.quote(render(), { expressIn: [1n] })), refused(() => engine.quote(render(), { expressIn: [1] })))
      // In a catalog: text fields refuse it (and validate reports it, without throwing).
      const coded = { ...VIDEO, assets: [{ ...VIDEO.assets[0], code: 10n }] }
      const codeIssue = ['invalid_catalog', [['assets[0].code', 'invalid_type'], ['products[0].prices[0].pricing[0].asset', 'unknown_asset']]]
      assert.deepEqual(refused(() => new Engine(coded)), codeIssue)
      assert.deepEqual(validate(coded).errors.map((i) => [i.path, i.code]), codeIssue[1])
      // A dimension named like a decimal field is still a dimension: its value is text.
      const dims = structuredClone(VIDEO)
      dims.products[0].prices[0].pricing[0].values[0].dimensions = { model: 'gen4', rate: 4n }
      const at = 'products[0].prices[0].pricing[0].values[0].dimensions.rate'
      assert.deepEqual(validate(dims).errors.filter((i) => i.path === at).map((i) => i.code), ['invalid_type'])
      mine.bigintText = [
        outcome(() => engine.quote({ event_type: 10n, occurred_at: AT })),
        outcome(() => validate(coded)),
        outcome(() => validate(dims)),
      ]
    })

    test('a wallet holding NaN or Infinity is refused at each path; BigInt amounts read as their digits', () => {
      const engine = new Engine(VIDEO)
      const wallet = (v) => ({ accounts: [{ asset: 'CR', available: v, grants: [{ id: 'g', available: v, purpose: 'paid' }] }] })
      const at = { at: AT, explain: false }
      for (const bad of [NaN, Infinity]) {
        assert.deepEqual(refused(() => engine.preview(wallet(bad), [], at)),
          ['invalid_wallet', [['accounts[0].available', 'invalid_decimal'], ['accounts[0].grants[0].available', 'invalid_decimal']]])
        // Deep inside, where a quick check of the wallet must still find it.
        const deep = wallet('1')
        deep.accounts[0].grants[0].priority = bad
        assert.equal(refused(() => engine.preview(deep, [], at))[0], 'invalid_wallet')
      }
      assert.deepEqual(engine.preview(wallet(100n), [render()], at), engine.preview(wallet('100'), [render()], at))
    })

    test('a BigInt where a decimal or an integer is read keeps every digit', () => {
      const engine = new Engine(VIDEO)
      const big = 12345678901234567891n // no double holds it
      const asText = engine.quote(render({}, { model: 'gen4', seconds: String(big) }), { explain: false })
      assert.deepEqual(engine.quote(render({}, { model: 'gen4', seconds: big }), { explain: false }), asText)
      assert.equal(asText.fees[0].amount, '148148146814814814692.00')
      assert.deepEqual(engine.quoteMany([render({}, { model: 'gen4', seconds: big })], { explain: false }), [asText])
      assert.equal(engine.format(big, 'CR'), '12345678901234567891.00 CR')
      assert.equal(engine.convert(big, 'CR', 'USD', AT).destination_amount, '123456789012345678.91')
      // Prior usage exactly at a tier's bound: the next token is in the second tier. (A BigInt
      // written as a number would be 12345678901234567168, in the first.)
      const tiered = new Engine({ products: [{ name: 't', code: 't', prices: [{ name: 'Tokens', type: 'usage_based', billing_model: { type: 'real_time' },
        usage_calculation: { event_type: 'tokens', usage_type: 'volume', volume_field: 'n' }, pricing_model: 'tiered',
        pricing: [{ asset: 'USD', values: [{ up_to: String(big), volume_rate: '1' }, { volume_rate: '0' }] }] }] }] })
      const next = (prior) => tiered.quote({ event_type: 'tokens', occurred_at: AT, data: { n: 1 } }, { explain: false, ...prior }).totals.USD
      assert.equal(next({ priorUsage: { t: { Tokens: String(big) } } }), '0.00')
      assert.equal(next({ priorUsage: { t: { Tokens: String(big - 1n) } } }), '1.00')
      assert.equal(next({ priorUsage: { t: { Tokens: big } } }), '0.00')
      assert.equal(next({ prior_usage: { t: { Tokens: big } } }), '0.00')
      // A catalog's decimals and integers.
      const bigCatalog = structuredClone(VIDEO)
      bigCatalog.assets[0].precision = 2n
      bigCatalog.assets[0].rates[0] = { source: 'USD', inverse_rate: big }
      bigCatalog.products[0].prices[0].pricing[0].values[0].values[0].volume_rate = 12n
      const textCatalog = structuredClone(VIDEO)
      textCatalog.assets[0].rates[0] = { source: 'USD', inverse_rate: String(big) }
      const options = { expressIn: ['USD'], explain: false }
      assert.deepEqual(new Engine(bigCatalog).quote(render(), options), new Engine(textCatalog).quote(render(), options))
      // An integer no double holds: refused, never rounded to one that fits.
      bigCatalog.assets[0].precision = 2n ** 64n + 2n
      assert.deepEqual(refused(() => new Engine(bigCatalog)), ['invalid_catalog', [['assets[0].precision', 'precision_out_of_range']]])
    })

    test('an occurred_at that is an invalid Date, a Symbol or a function is refused, never priced now', async () => {
      const engine = new Engine(VIDEO)
      for (const [at, code] of [[new Date(NaN), 'invalid_timestamp'], [Symbol('when'), 'invalid_type'], [() => AT, 'invalid_type']]) {
        const expected = (prefix) => ['invalid_event', [[`${prefix}occurred_at`, code]]]
        assert.deepEqual(refused(() => engine.quote(render({ occurred_at: at }))), expected(''))
        assert.deepEqual(refused(() => engine.quote(render({ occurred_at: at }), { explain: false })), expected(''))
        assert.deepEqual(refused(() => engine.quoteMany([render(), render({ occurred_at: at })])), expected('[1].'))
        assert.deepEqual(refused(() => engine.quoteMany([render(), render({ occurred_at: at })], { explain: false, now: null })), expected('[1].'))
        await assert.rejects(engine.quoteManyAsync([render({ occurred_at: at })]), (e) => e instanceof RatecardError && e.issues[0].path === '[0].occurred_at' && e.issues[0].code === code)
      }
      // The other fields JSON.stringify would leave out.
      assert.deepEqual(refused(() => engine.quote(render({ id: Symbol('id') }))), ['invalid_event', [['id', 'invalid_type']]])
      assert.deepEqual(refused(() => engine.quote(render({ event_type: Symbol('t') }))), ['invalid_event', [['event_type', 'invalid_type']]])
      assert.deepEqual(refused(() => engine.quote(render({ data: () => ({}) }))), ['invalid_event', [['data', 'invalid_type']]])
      mine.badTimes = [new Date(NaN), Symbol('when')].map((at) => outcome(() => engine.quote(render({ occurred_at: at }))))
    })

    test('bytes are JSON text, read as UTF-8: a Buffer, a Uint8Array, an ArrayBuffer', () => {
      const text = JSON.stringify(VIDEO)
      const expected = new Engine(text).quote(render(), { explain: false })
      const utf8 = new TextEncoder().encode(text)
      const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8])
      for (const bytes of [Buffer.from(text), utf8, utf8.buffer, withBom, new DataView(withBom.buffer)]) {
        const engine = new Engine(bytes)
        assert.deepEqual(engine.quote(render(), { explain: false }), expected, `${bytes.constructor.name}`)
        assert.equal(validate(bytes).valid, true)
      }
      const engine = new Engine(Buffer.from(text))
      assert.deepEqual(engine.quote(Buffer.from(JSON.stringify(render())), { explain: false }), expected)
      assert.deepEqual(engine.quoteMany(new TextEncoder().encode(JSON.stringify([render()])), { explain: false }), [expected])
      // Bytes that are not UTF-8, or not JSON: invalid_json, never an empty engine.
      assert.deepEqual(refused(() => new Engine(new Uint8Array([0x7b, 0xff, 0x7d]))), ['invalid_json', [['', 'invalid_json']]])
      assert.deepEqual(refused(() => validate(Buffer.from('{"assets": ['))), ['invalid_json', [['', 'invalid_json']]])
      assert.deepEqual(refused(() => new Engine(new Uint8Array(0))), ['invalid_json', [['', 'invalid_json']]])
      mine.bytes = [outcome(() => new Engine(new Uint8Array([0x7b, 0xff, 0x7d]))), outcome(() => validate(Buffer.from('{"assets": [')))]
    })
  })
}

test('the wrapper names exactly the catalog schema\'s decimal fields as decimals', () => {
  // packages/js/ratecard.mjs writes a BigInt in these as decimal text, elsewhere as a number.
  const source = readFileSync(join(root, 'packages/js/ratecard.mjs'), 'utf8')
  const listed = /const DECIMAL_KEYS = new Set\(\[([^\]]*)\]\)/.exec(source)
  assert.ok(listed, 'DECIMAL_KEYS not found in packages/js/ratecard.mjs')
  const wrapper = [...listed[1].matchAll(/"([a-z_]+)"/g)].map((m) => m[1]).sort()
  const schema = JSON.parse(readFileSync(join(root, 'core/src/catalog.schema.json'), 'utf8'))
  const fields = new Set()
  const walk = (node, key) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, key))
    if (node === null || typeof node !== 'object') return
    if (typeof node.$ref === 'string' && /Decimal$/.test(node.$ref)) fields.add(key)
    for (const [k, v] of Object.entries(node)) walk(v, k === 'properties' || k === 'anyOf' || k === 'oneOf' || k === 'items' ? key : k)
  }
  walk(schema, '')
  assert.deepEqual(wrapper, [...fields].sort())
})

const both = 'node' in loaded && 'wasm' in loaded
describe('both packages', { skip: !both ? 'RATECARD_PACKAGES does not name both packages' : loaded.wasm.skip ?? loaded.node.skip }, () => {
  test('refuse these inputs with the same codes, paths and messages', () => {
    assert.ok(Object.keys(answers.node).length === 3 && Object.keys(answers.wasm).length === 3, 'a package run failed')
    assert.deepEqual(answers.wasm, answers.node)
  })
})

// What the package tests share: a catalog with one dimensional volume price, an instant, the
// outcome of a call as comparable text, and the packages under test.
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const ENTRIES = {
  node: { file: 'packages/node/ratecard.mjs', build: 'scripts/build-node.sh' },
  // The entry that @ratecard/wasm's exports map gives Node.
  wasm: { file: 'packages/wasm/node.js', build: 'scripts/build-wasm.sh' },
}

/**
 * The packages RATECARD_PACKAGES names (default "node,wasm"), by name: `{module}` when it
 * loads, else `{skip}` saying how to build it. CI builds both before the tests run, so there a
 * package that does not load is a failure, never a silent skip.
 */
export async function packages() {
  const wanted = (process.env.RATECARD_PACKAGES ?? 'node,wasm').split(',').map((s) => s.trim()).filter(Boolean)
  const loaded = {}
  for (const name of wanted) {
    const entry = ENTRIES[name]
    if (!entry) throw new Error(`RATECARD_PACKAGES: unknown package ${name} (node, wasm)`)
    try {
      loaded[name] = { module: await import(pathToFileURL(join(root, entry.file)).href) }
    } catch (err) {
      if (process.env.CI) throw err
      loaded[name] = { skip: `@ratecard/${name} is not built (${err.code ?? err.message}); build it with bash ${entry.build}` }
    }
  }
  return loaded
}

/** One dimensional volume price: `render` events, gen4 at 12 credits a second, else 5. */
export const VIDEO = {
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

export const AT = '2026-03-01T12:00:00Z'

/** The outcome of a call: its value as JSON text (getters read), or its error's code and issues. */
export function outcome(fn) {
  try {
    return JSON.stringify(fn())
  } catch (e) {
    return `error ${e.code} ${JSON.stringify(e.issues)}`
  }
}

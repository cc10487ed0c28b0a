// What the tape tests (tape.test.mjs, tape-properties.test.mjs) share: a catalog with one
// dimensional volume price, an instant, and the outcome of a call as comparable text.

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

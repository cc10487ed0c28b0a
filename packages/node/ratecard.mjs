// ESM entry of @ratecard/node: one implementation (ratecard.js, CommonJS), re-exported, so that
// `import` and `require` users share the same classes (an error thrown to one is `instanceof`
// the other's RatecardError).
import ratecard from './ratecard.js'

export const { Engine, RatecardError, validate, schema, version } = ratecard


// Node >= 18: reads the module from disk and instantiates it synchronously (no fetch, no
// top-level await), so `import { Engine } from "@ratecard/wasm"` is ready at once. Node gets the
// module built for speed (pkg/ratecard_wasm_fast_bg.wasm: the same code and glue, its pricing
// compiled at opt-level 2), since nothing is downloaded here; browsers get the smaller one.
import { existsSync, readFileSync } from "node:fs";
import { initSync, version as rawVersion } from "./pkg/ratecard_wasm.js";

const fast = new URL("./pkg/ratecard_wasm_fast_bg.wasm", import.meta.url);
const small = new URL("./pkg/ratecard_wasm_bg.wasm", import.meta.url);
initSync({ module: readFileSync(existsSync(fast) ? fast : small) });

export { Engine, RatecardError, validate, schema } from "./ratecard.js";

/** The version of the ratecard core inside. */
export const version = rawVersion();

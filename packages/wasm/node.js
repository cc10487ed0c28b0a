// Node >= 18: reads the module from disk and instantiates it synchronously (no fetch, no
// top-level await), so `import { Engine } from "@ratecard/wasm"` is ready at once.
import { readFileSync } from "node:fs";
import { initSync, version as rawVersion } from "./pkg/ratecard_wasm.js";

initSync({ module: readFileSync(new URL("./pkg/ratecard_wasm_bg.wasm", import.meta.url)) });

export { Engine, RatecardError, validate, schema } from "./ratecard.js";

/** The version of the ratecard core inside. */
export const version = rawVersion();

// Browsers and bundlers (Vite, webpack): fetches and instantiates the module next to this file
// (`new URL(..., import.meta.url)`, which bundlers rewrite to the emitted asset) before any
// export can be used, with a top-level await, so `new Engine(...)` works right after import.
import init, { version as rawVersion } from "./pkg/ratecard_wasm.js";

await init({ module_or_path: new URL("./pkg/ratecard_wasm_bg.wasm", import.meta.url) });

export { Engine, RatecardError, validate, schema } from "./ratecard.js";

/** The version of the ratecard core inside. */
export const version = rawVersion();

// The settings packages/wasm/README.md asks of Vite users: keep @ratecard/wasm out of dependency
// pre-bundling (so its `new URL("./pkg/ratecard_wasm_bg.wasm", import.meta.url)` survives and
// the .wasm is emitted as an asset), and a build target with top-level await (Vite ≥ 7's
// default has it; set here so older Vites behave the same).
//
// Plus one workaround, `ratecardWasmHasSideEffects`, for @ratecard/wasm 0.1.0: its package.json
// says `"sideEffects": false`, but its entry (index.js) has one, the top-level
// `await init(...)` that instantiates the .wasm. An app that imports only re-exported names
// (`Engine`, `RatecardError`, `validate`, `schema`, as the README's quick start does) leaves
// index.js with no used export of its own, so the production build (Rollup in Vite 7, Rolldown
// in Vite 8) drops it whole: the bundle never loads the .wasm and the first call throws
// "TypeError: Cannot read properties of undefined (reading '__wbindgen_malloc')". `vite dev`
// does not tree-shake, so it works there. The fix belongs in packages/wasm/package.json
// (`"sideEffects": ["./index.js", "./node.js"]`); test/vite.test.mjs has a `todo` test that
// builds with the README's settings alone and starts passing once that is done, after which
// this plugin can go.
import { defineConfig } from "vite";

const ratecardWasmHasSideEffects = {
  name: "ratecard-wasm-has-side-effects",
  enforce: "pre",
  async resolveId(source, importer, options) {
    if (source !== "@ratecard/wasm") return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    return resolved && { ...resolved, moduleSideEffects: true };
  },
};

export default defineConfig({
  plugins: [ratecardWasmHasSideEffects],
  optimizeDeps: { exclude: ["@ratecard/wasm"] },
  build: { target: "es2022" },
  // Only because this example links the package from ../../packages/wasm (a `file:` dependency,
  // outside this root): `vite dev` may then serve its .wasm. An app that installs
  // @ratecard/wasm from the registry (into its own node_modules) needs no such line.
  server: { fs: { allow: [".", "../../packages/wasm"] } },
});

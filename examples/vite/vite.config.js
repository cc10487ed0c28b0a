// The settings packages/wasm/README.md asks of Vite users: keep @ratecard/wasm out of dependency
// pre-bundling (so its `new URL("./pkg/ratecard_wasm_bg.wasm", import.meta.url)` survives and
// the .wasm is emitted as an asset), and a build target with top-level await (Vite ≥ 7's
// default has it; set here so older Vites behave the same).

import { defineConfig } from "vite";

export default defineConfig({
  optimizeDeps: { exclude: ["@ratecard/wasm"] },
  build: { target: "es2022" },
  // Only because this example links the package from ../../packages/wasm (a `file:` dependency,
  // outside this root): `vite dev` may then serve its .wasm. An app that installs
  // @ratecard/wasm from the registry (into its own node_modules) needs no such line.
  server: { fs: { allow: [".", "../../packages/wasm"] } },
});

// The settings packages/wasm/README.md asks of Vite users: keep @ratecard/wasm out of dependency
// pre-bundling (so its `new URL("./pkg/ratecard_wasm_bg.wasm", import.meta.url)` survives and
// the .wasm is emitted as an asset), and a build target with top-level await (Vite ≥ 7's
// default has it; set here so older Vites behave the same).

import { defineConfig } from "vite";

export default defineConfig({
  optimizeDeps: { exclude: ["@ratecard/wasm"] },
  build: { target: "es2022" },
  // Only because this example links the package from ../../packages/wasm (a `file:` dependency:
  // a symlink, served from outside this root by its real path): without the line `vite dev`
  // refuses the .wasm with 403, since no import names it. Setting `allow` replaces Vite's
  // default, so this root is listed too. An app that installs @ratecard/wasm into its own
  // node_modules (from a registry or a tarball) needs no such line; test/dev.test.mjs runs both.
  server: { fs: { allow: [".", "../../packages/wasm"] } },
});

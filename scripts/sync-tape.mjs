// Copies the shared tape code (packages/types/tape.mjs) into both JavaScript packages:
// packages/wasm/tape.js as the same ES module, packages/node/tape.js as CommonJS.
//   node scripts/sync-tape.mjs           write the copies
//   node scripts/sync-tape.mjs --check   exit 1 when a committed copy differs (CI)
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = readFileSync(join(root, "packages/types/tape.mjs"), "utf8");
const banner = "// Generated from packages/types/tape.mjs by scripts/sync-tape.mjs: edit that file.\n";

const names = [...source.matchAll(/^export function (\w+)/gm)].map((m) => m[1]);
const cjs =
  banner +
  "'use strict';\n" +
  source.replace(/^export function /gm, "function ") +
  `\nmodule.exports = { ${names.join(", ")} };\n`;

const copies = {
  "packages/wasm/tape.js": banner + source,
  "packages/node/tape.js": cjs,
};
let drift = false;
for (const [path, text] of Object.entries(copies)) {
  const file = join(root, path);
  if (process.argv.includes("--check")) {
    let have = "";
    try {
      have = readFileSync(file, "utf8");
    } catch {}
    if (have !== text) {
      console.error(`${path} differs from packages/types/tape.mjs: run node scripts/sync-tape.mjs and commit`);
      drift = true;
    }
  } else {
    writeFileSync(file, text);
  }
}
process.exit(drift ? 1 : 0);

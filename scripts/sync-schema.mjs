// Writes packages/wasm/schema.js: the catalog's JSON Schema (core/src/catalog.schema.json) as
// the text of an ES module. @ratecard/wasm's schema() reads it from there rather than from the
// WebAssembly module, so a bundled app that never calls schema() does not download it.
//   node scripts/sync-schema.mjs           write the copy
//   node scripts/sync-schema.mjs --check   exit 1 when the committed copy differs (CI)
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = readFileSync(join(root, "core/src/catalog.schema.json"), "utf8");
const text =
  "// Generated from core/src/catalog.schema.json by scripts/sync-schema.mjs: edit that file.\n" +
  "// The schema's exact text (what ratecard's schema_json() returns in every face).\n" +
  `export const SCHEMA = ${JSON.stringify(source)};\n`;
const file = join(root, "packages/wasm/schema.js");

if (process.argv.includes("--check")) {
  let have = "";
  try {
    have = readFileSync(file, "utf8");
  } catch {}
  if (have !== text) {
    console.error("packages/wasm/schema.js differs from core/src/catalog.schema.json: run node scripts/sync-schema.mjs and commit");
    process.exit(1);
  }
} else {
  writeFileSync(file, text);
}

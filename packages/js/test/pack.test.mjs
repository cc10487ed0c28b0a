// The packages as users get them: `npm pack` each built package into a temporary folder outside
// the repository, install the tarball into a fresh project there (`--offline`: a package with no
// dependencies needs no registry, and a file the tarball lacks cannot be fetched from anywhere),
// and quote one event through it with `import` and with `require` (for @ratecard/wasm, an ES
// module, where Node can require one: 20.19 and later). What the build writes (the bundled
// ratecard.js, the declarations, wasm's schema.js and modules, node's binary and its loader) is
// git-ignored, so only this shows that `files` ships it: an addon missing from the tarball fails
// here with napi-rs's "Cannot find native binding".
//
// RATECARD_PACKAGES picks the packages (default "node,wasm"); one that is not built is skipped,
// saying how to build it (in CI it fails instead).
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const PACKAGES = {
  node: { built: "packages/node/ratecard.js", build: "scripts/build-node.sh", files: ["ratecard.js", "ratecard.mjs", "ratecard.d.ts", "index.js", "ratecard.linux-x64-gnu.node", "bin/ratecard-check.js"] },
  wasm: { built: "packages/wasm/ratecard.js", build: "scripts/build-wasm.sh", files: ["ratecard.js", "schema.js", "index.d.ts", "index.js", "node.js", "pkg/ratecard_wasm_bg.wasm"] },
};
const wanted = (process.env.RATECARD_PACKAGES ?? "node,wasm").split(",").map((s) => s.trim()).filter(Boolean);
const work = mkdtempSync(join(tmpdir(), "ratecard-pack-"));
after(() => rmSync(work, { recursive: true, force: true }));

const npm = (args, cwd) => execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, encoding: "utf8" });
const node = (args, cwd) => execFileSync(process.execPath, args, { cwd, encoding: "utf8" });

const CATALOG = {
  assets: [],
  products: [{ name: "p", code: "p", prices: [{ name: "f", type: "usage_based", billing_model: { type: "real_time" },
    usage_calculation: { event_type: "e", usage_type: "unit" }, pricing: [{ asset: "USD", values: [{ unit_price: "0.25" }] }] }] }],
};
const EVENT = { event_type: "e", occurred_at: "2026-01-01T00:00:00Z" };
const body = `const e = new Engine(${JSON.stringify(CATALOG)});
  const q = e.quote(${JSON.stringify(EVENT)});
  const many = await e.quoteManyAsync([${JSON.stringify(EVENT)}], { explain: false });
  let code;
  try { new Engine({ assets: 1 }); } catch (err) { code = (err instanceof RatecardError) + ":" + err.code; }
  console.log(JSON.stringify([q.totals, many[0].totals, code, typeof version]));`;
const EXPECTED = [{ USD: "0.25" }, { USD: "0.25" }, "true:invalid_catalog", "string"];

for (const name of wanted) {
  const spec = PACKAGES[name];
  if (!spec) throw new Error(`RATECARD_PACKAGES: unknown package ${name} (node, wasm)`);
  const built = existsSync(join(root, spec.built));
  if (!built && process.env.CI) throw new Error(`@ratecard/${name} is not built`);
  const skip = built ? undefined : `@ratecard/${name} is not built; build it with bash ${spec.build}`;

  describe(`@ratecard/${name} packed and installed`, { skip }, () => {
    let app;
    test("npm pack gives a tarball with the built files, and it installs into a fresh project", () => {
      const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", work], join(root, "packages", name)))[0];
      const shipped = packed.files.map((f) => f.path);
      for (const f of spec.files) assert.ok(shipped.includes(f), `${f} is not in the tarball (${shipped.join(", ")})`);
      assert.ok(!shipped.some((f) => f.endsWith("host.mjs")), "an adapter source was packed");
      app = mkdtempSync(join(work, `app-${name}-`));
      assert.ok(!app.startsWith(root), `the app must be outside the repository: ${app}`);
      writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
      npm(["install", "--offline", join(work, packed.filename)], app);
      const meta = JSON.parse(readFileSync(join(app, "node_modules", "@ratecard", name, "package.json"), "utf8"));
      assert.equal(meta.name, `@ratecard/${name}`);
      assert.ok(existsSync(join(app, "node_modules", "@ratecard", name, meta.types)), "the package's types file is missing");
    });

    test("import quotes an event", () => {
      const out = node(["--input-type=module", "-e", `import { Engine, RatecardError, version } from "@ratecard/${name}";\n${body}`], app);
      assert.deepEqual(JSON.parse(out), EXPECTED);
    });

    // @ratecard/wasm is an ES module without top-level await on Node (node.js), which Node
    // requires since 20.19 and 22.12 (process.features.require_module).
    const requireSkip = name === "wasm" && !process.features.require_module ? `Node ${process.version} cannot require an ES module` : undefined;
    test("require quotes an event", { skip: requireSkip }, () => {
      const out = node(["-e", `(async () => { const { Engine, RatecardError, version } = require("@ratecard/${name}");\n${body} })()`], app);
      assert.deepEqual(JSON.parse(out), EXPECTED);
    });

    if (name === "node") {
      test("the installed ratecard-check checks a catalog", () => {
        writeFileSync(join(app, "catalog.json"), JSON.stringify(CATALOG));
        const out = execFileSync(join(app, "node_modules", ".bin", "ratecard-check"), ["catalog.json"], { cwd: app, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        assert.equal(out, "");
      });
    }
  });
}

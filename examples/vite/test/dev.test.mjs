// Proves that @ratecard/wasm works under Vite's dev server (`vite`, not only `vite build`):
// start it on a free port of 127.0.0.1, open the page in headless Chromium (Debian's, through
// playwright-core), read the quote off it, and check that every request of the page's module
// graph, the .wasm included, was answered 200. Then stop the server.
//
// This app links the package from ../../packages/wasm (a `file:` dependency, which npm installs
// as a symlink): Vite serves it from outside this root, by its real path, and its dev server
// refuses a file there that no import names (the .wasm, fetched by `new URL(...,
// import.meta.url)`) unless `server.fs.allow` lists its folder, hence vite.config.js's line. An
// app that installs the package into its own node_modules (from a registry or a tarball) needs
// no such line: the last test installs the packed package into a fresh app and runs it with
// packages/wasm/README.md's settings alone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer, searchForWorkspaceRoot } from "vite";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("../", import.meta.url));
const repo = join(root, "..", "..");
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const README_SETTINGS = { optimizeDeps: { exclude: ["@ratecard/wasm"] } };

let scratch; // Chromium's profile, the fresh app
let browser;
const servers = [];
let wasmPath; // the .wasm's URL path on this app's dev server, found by the first test

/**
 * A dev server on a free port for the app at `dir` (default this one); `config` replaces the
 * app's vite.config.js when given. Returns its origin.
 */
async function dev({ dir = root, config, fs } = {}) {
  const server = await createServer({
    root: dir,
    logLevel: "silent",
    ...(config && { configFile: false, ...config }),
    server: { host: "127.0.0.1", port: 0, strictPort: true, hmr: false, ...(fs && { fs }) },
  });
  await server.listen();
  servers.push(server);
  return `http://127.0.0.1:${server.httpServer.address().port}`;
}

/**
 * Opens `origin` in a new tab and waits for the quote (rejecting at once on a page error):
 * the page, its errors, and [path, status, content-type] of every response from `origin`.
 */
async function open(origin) {
  const page = await browser.newPage();
  const errors = [];
  const responses = [];
  const failed = new Promise((_, reject) => page.on("pageerror", (e) => reject(new Error(`page error: ${e}; responses: ${JSON.stringify(responses)}`))));
  failed.catch(() => {});
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(`console.error: ${m.text()}`));
  page.on("response", (r) => {
    if (r.url().startsWith(`${origin}/`)) responses.push([r.url().slice(origin.length), r.status(), r.headers()["content-type"]]);
  });
  await page.goto(`${origin}/`);
  await Promise.race([page.waitForSelector("body[data-ready=true]", { state: "attached", timeout: 60_000 }), failed]);
  return { page, errors, responses };
}

/** What every run must show: the quote, the .wasm served as such, no request refused. */
async function assertQuotes({ page, errors, responses }) {
  assert.deepEqual(errors, []);
  assert.equal(await page.locator("#fee").textContent(), "60 CREDIT");
  assert.equal(await page.locator("#usd").textContent(), "3.00");
  const wasm = responses.filter(([path]) => /\.wasm(\?|$)/.test(path));
  assert.equal(wasm.length, 1, `one .wasm fetched: ${JSON.stringify(responses)}`);
  assert.deepEqual(wasm[0].slice(1), [200, "application/wasm"]);
  assert.deepEqual(responses.filter(([, status]) => status !== 200 && status !== 304), [], "every request of the module graph was served");
  await page.close();
  return wasm[0][0];
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "ratecard-vite-dev-"));
  browser = await chromium.launchPersistentContext(join(scratch, "profile"), {
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-quic"],
  });
});

after(async () => {
  await browser?.close();
  for (const server of servers) await server.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test("vite dev with this app's vite.config.js serves the module graph, the .wasm included, and the page quotes", async () => {
  wasmPath = await assertQuotes(await open(await dev()));
});

test("without server.fs.allow naming the linked package, the dev server refuses its .wasm (why vite.config.js has it)", async (t) => {
  if (!wasmPath) return t.skip("the first test found no .wasm");
  const refused = await fetch(`${await dev({ config: README_SETTINGS })}${wasmPath}`);
  await refused.arrayBuffer();
  assert.equal(refused.status, 403, "Vite now serves files outside server.fs.allow: packages/wasm/README.md's note may go");
  // The README's line, as an app run from its own folder has it.
  const allow = [searchForWorkspaceRoot(root), "../../packages/wasm"];
  const served = await fetch(`${await dev({ config: README_SETTINGS, fs: { allow } })}${wasmPath}`);
  assert.equal(served.status, 200);
  assert.deepEqual([...new Uint8Array(await served.arrayBuffer()).subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
});

test("an app that installs the packed package needs only the README's settings under vite dev", async () => {
  const npm = (args, cwd) => execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, encoding: "utf8" });
  const [packed] = JSON.parse(npm(["pack", "--json", "--pack-destination", scratch], join(repo, "packages", "wasm")));
  // The app's files as this one has them: main.js imports "../catalog.json".
  const app = join(scratch, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  for (const f of ["index.html", "main.js"]) copyFileSync(join(root, f), join(app, f));
  copyFileSync(join(repo, "examples", "catalog.json"), join(scratch, "catalog.json"));
  npm(["install", "--offline", join(scratch, packed.filename)], app);
  await assertQuotes(await open(await dev({ dir: app, config: README_SETTINGS })));
});

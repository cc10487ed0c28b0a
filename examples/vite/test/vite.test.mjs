// Proves that @ratecard/wasm works through Vite: `vite build` this app (vite.config.js), serve
// dist/ from 127.0.0.1, open it in headless Chromium (Debian's, through playwright-core) and read
// the quote off the page; then the same with packages/wasm/README.md's settings alone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = join(root, "dist");
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
};

let scratch; // a temporary directory: Chromium's fresh profile, the README-only build
let browser;
const servers = [];

// A static server for one built directory (no fallback, no listing); `served` records every
// request as [path, status, content-type].
async function serveDir(dir) {
  const served = [];
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(dir, path));
    let status = 404;
    let type = "text/plain";
    let body = "not found";
    if (file.startsWith(dir + sep)) {
      try {
        body = await readFile(file);
        status = 200;
        type = types[extname(file)] ?? "application/octet-stream";
      } catch {}
    }
    served.push([path, status, type]);
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" }).end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return { origin: `http://127.0.0.1:${server.address().port}`, served };
}

// Opens a build in a new tab; resolves when main.js has written the quote (after the package's
// top-level await), rejects at once on a page error rather than at the timeout.
async function openBuild(dir) {
  const { origin, served } = await serveDir(dir);
  const page = await browser.newPage();
  const errors = [];
  const outside = []; // requests to anything but our server (aborted)
  const failed = new Promise((_, reject) => page.on("pageerror", (e) => reject(new Error(`page error: ${e}`))));
  failed.catch(() => {});
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => ["error", "warning"].includes(m.type()) && errors.push(`console.${m.type()}: ${m.text()}`));
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`)) return route.continue();
    outside.push(url);
    return route.abort();
  });
  await page.goto(`${origin}/`);
  await Promise.race([page.waitForSelector("body[data-ready=true]", { state: "attached", timeout: 60_000 }), failed]);
  return { page, errors, outside, served };
}

// The built .wasm asset's name, and the built JavaScript, of a dist directory.
function builtFiles(dir) {
  const files = readdirSync(join(dir, "assets"));
  const wasm = files.filter((f) => f.endsWith(".wasm"));
  const js = files.filter((f) => f.endsWith(".js")).map((f) => readFileSync(join(dir, "assets", f), "utf8")).join("\n");
  return { files, wasm, js };
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "ratecard-vite-test-"));
  await build({ root, logLevel: "warn" }); // reads root/vite.config.js, writes root/dist
  // A fresh profile each run (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(join(scratch, "profile"), {
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-quic"],
  });
});

after(async () => {
  await browser?.close();
  for (const server of servers) server.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test("vite build emits the .wasm as an asset and the bundle refers to it", () => {
  const { files, wasm, js } = builtFiles(dist);
  assert.equal(wasm.length, 1, `one .wasm asset in dist/assets: ${files}`);
  const bytes = readFileSync(join(dist, "assets", wasm[0]));
  assert.deepEqual([...bytes.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d], "starts with the wasm magic");
  assert.ok(js.includes(wasm[0]), `the built JavaScript names ${wasm[0]} (the instantiation survived the build)`);
});

test("an app that never calls schema() leaves the schema's text out of the bundle", () => {
  // packages/wasm/schema.js holds it (not the .wasm), and only schema() imports it.
  const { js } = builtFiles(dist);
  assert.ok(js.includes("quote"), "the bundle holds the package's code");
  assert.ok(!js.includes("json-schema.org/draft/2020-12/schema"), "the schema text was tree-shaken out");
});

test("the built page quotes through the bundled wasm: 60 CREDIT, $3.00", async () => {
  const { page, errors, outside, served } = await openBuild(dist);
  assert.deepEqual(errors, []);
  assert.equal(await page.locator("#fee").textContent(), "60 CREDIT");
  assert.equal(await page.locator("#usd").textContent(), "3.00");
  // The .wasm came from dist/, as application/wasm; nothing else was asked for, nor missing.
  const [wasm] = builtFiles(dist).wasm;
  assert.deepEqual(served.filter(([p]) => p.endsWith(".wasm")), [[`/assets/${wasm}`, 200, "application/wasm"]]);
  assert.deepEqual(served.filter(([, status]) => status !== 200), [], "every request found its file");
  assert.deepEqual(outside, []);
  await page.close();
});

// The package declares its entry's side effect (`"sideEffects": ["./index.js", "./node.js"]`): with
// `"sideEffects": false` a production build dropped index.js and its `await init(...)`, and the
// first call threw. This builds with the README's settings alone, no config file at all.
test("packages/wasm/README.md's Vite settings alone give a working bundle",
  async () => {
    const outDir = join(scratch, "readme-only");
    await build({
      root,
      configFile: false, // exactly the README: no workaround plugin
      logLevel: "warn",
      optimizeDeps: { exclude: ["@ratecard/wasm"] },
      build: { target: "es2022", outDir, emptyOutDir: true },
    });
    const { wasm, js } = builtFiles(outDir);
    assert.equal(wasm.length, 1);
    assert.ok(js.includes(wasm[0]), `the built JavaScript names ${wasm[0]}: the .wasm is never instantiated`);
    const { page, errors } = await openBuild(outDir);
    assert.deepEqual(errors, []);
    assert.equal(await page.locator("#fee").textContent(), "60 CREDIT");
    await page.close();
  });

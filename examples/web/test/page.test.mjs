// Drives the price-preview page in headless Chromium (Debian's, through playwright-core):
// load it, read the quote, change fields, and assert the amounts the engine must give.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "../serve.mjs";

const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
let server;
let browser;
let page;
let profile;
const errors = [];

before(async () => {
  server = await serve(0);
  profile = mkdtempSync(join(tmpdir(), "ratecard-chromium-"));
  // A fresh profile each run (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(`http://127.0.0.1:${server.address().port}/examples/web/`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const headline = () => page.locator("#headline").getAttribute("data-amount");

test("the page loads the package and quotes the default action", async () => {
  assert.deepEqual(errors, []);
  // Video Studio · Video Generation: gen4 hd at 15 credits/second × 4 s = 60 credits.
  assert.equal(await page.locator("#price option:checked").textContent(), "Video Studio · Video Generation");
  assert.equal(await headline(), "60");
  assert.equal(await page.locator("#fees tr .amount").first().textContent(), "⭐ 60 CR");
  assert.equal(await page.locator("#fees tr .usd").first().textContent(), "$3.00");
});

test("changing a field re-quotes: seconds and quality", async () => {
  await page.fill("#field-seconds", "10");
  assert.equal(await headline(), "150");
  await page.selectOption("#field-quality", "other");
  assert.equal(await headline(), "120"); // gen4, any quality: 12 credits/second
  await page.fill("#field-seconds", "0.5");
  assert.equal(await headline(), "10"); // 6 credits, raised to the 10-credit minimum
  assert.equal(await page.locator("#headline").textContent(), "−⭐ 10 CR (≈ $0.50)");
});

test("the balance before and after, exactly", async () => {
  await page.fill("#balance", "100.7");
  assert.equal(await page.locator("#balances").getAttribute("data-after"), "90.7");
  assert.equal(await page.locator("#balances").textContent(), "Balance ⭐ 101 CR → ⭐ 91 CR");
});

test("the date field shows the scheduled rate change taking effect", async () => {
  await page.selectOption("#price", { label: "Glitch Images · Image Generation" });
  await page.fill("#at", "2026-02-01T00:00:00");
  assert.equal(await headline(), "1.00");
  assert.equal(await page.locator("#headline").getAttribute("data-usd"), "0.10");
  await page.fill("#at", "2026-03-01T00:00:00");
  assert.equal(await page.locator("#headline").getAttribute("data-usd"), "0.12");
  assert.equal(await page.locator("#headline").textContent(), "−📸 1.00 image (≈ $0.12)");
  assert.deepEqual(errors, []);
});

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

// The headline's state: its text, and whether it shows an error.
const headlineState = async () => ({
  text: await page.locator("#headline").textContent(),
  error: (await page.locator("#headline").getAttribute("class")) === "error",
});
// Whatever else the page shows below the headline.
const rest = async () => ({
  fees: await page.locator("#fees tr").count(),
  balances: await page.locator("#balances").textContent(),
  rate: await page.locator("#rate").textContent(),
});
const NOTHING = { fees: 0, balances: "", rate: "" };

test("an amount that is negative or empty shows why in place of the headline, and nothing stale", async () => {
  await page.selectOption("#price", { label: "Video Studio · Video Generation" });
  await page.fill("#at", "");
  assert.deepEqual(await headlineState(), { text: "−⭐ 60 CR (≈ $3.00)", error: false });
  for (const [seconds, code] of [["-3", "invalid_volume"], ["", "invalid_volume"], ["abc", "invalid_volume"]]) {
    await page.fill("#field-seconds", seconds);
    const { text, error } = await headlineState();
    assert.ok(error, `seconds ${JSON.stringify(seconds)}: the headline is not an error: ${text}`);
    assert.match(text, new RegExp(`^${code}: data\\.seconds: `), `seconds ${JSON.stringify(seconds)}`);
    assert.equal(await headline(), "");
    assert.deepEqual(await rest(), NOTHING, `seconds ${JSON.stringify(seconds)}: a stale line remains`);
  }
  await page.fill("#field-seconds", "4");
  assert.deepEqual(await headlineState(), { text: "−⭐ 60 CR (≈ $3.00)", error: false });
  assert.equal(await page.locator("#fees tr").count(), 1);
  assert.match(await page.locator("#rate").textContent(), /^Priced at /);
  assert.deepEqual(errors, []);
});

test("a balance that is not a number shows why in place of the headline, and no stale balance line", async () => {
  await page.fill("#balance", "100");
  assert.equal(await page.locator("#balances").textContent(), "Balance ⭐ 100 CR → ⭐ 40 CR");
  for (const balance of ["abc", "1e", "--5"]) {
    await page.fill("#balance", balance);
    const { text, error } = await headlineState();
    assert.ok(error, `balance ${JSON.stringify(balance)}: the headline is not an error: ${text}`);
    assert.match(text, /^invalid_wallet: balance: .*decimal/, `balance ${JSON.stringify(balance)}`);
    assert.deepEqual(await rest(), NOTHING, `balance ${JSON.stringify(balance)}: a stale line remains`);
  }
  // The engine reads "1e3" as the decimal it is.
  await page.fill("#balance", "1e3");
  assert.equal(await page.locator("#balances").textContent(), "Balance ⭐ 1000 CR → ⭐ 940 CR");
  await page.fill("#balance", "100");
  assert.deepEqual(await headlineState(), { text: "−⭐ 60 CR (≈ $3.00)", error: false });
  assert.equal(await page.locator("#balances").textContent(), "Balance ⭐ 100 CR → ⭐ 40 CR");
  assert.deepEqual(errors, []);
});

test("a balance that falls short says what top-up covers it", async () => {
  await page.fill("#balance", "50");
  assert.equal(await page.locator("#balances").getAttribute("data-after"), "-10");
  assert.equal(await page.locator("#balances").textContent(), "Balance ⭐ 50 CR → ⭐ -10 CR · ⭐ 10 CR short: a $0.50 top-up covers it");
  assert.deepEqual(errors, []);
});

/**
 * The share of a screenshot's pixels that are in color (far from any gray): the page's text is
 * gray on white, so only a color glyph has any. The browser decodes the PNG itself.
 */
async function colorShare(png) {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = new OffscreenCanvas(img.width, img.height);
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, img.width, img.height);
    let colored = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (Math.max(r, g, b) - Math.min(r, g, b) > 64) colored++;
    }
    return colored / (data.length / 4);
  }, png.toString("base64"));
}

/** A screenshot of the first occurrence of `text` in the text of the element `selector`. */
async function shoot(selector, text) {
  const clip = await page.evaluate(({ selector, text }) => {
    const node = document.querySelector(selector).firstChild;
    const at = node.textContent.indexOf(text);
    if (at < 0) return null;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + text.length);
    const { x, y, width, height } = range.getBoundingClientRect();
    return { x, y, width, height };
  }, { selector, text });
  assert.ok(clip && clip.width > 4 && clip.height > 4, `${text} has no box in ${selector}: ${JSON.stringify(clip)}`);
  return page.screenshot({ clip });
}

test("the assets' symbols render as color emoji, not as empty boxes", async () => {
  // The control: a character no font has (a private-use code point) draws a box or nothing,
  // with no color, in the same place and style.
  await page.evaluate(() => document.getElementById("headline").replaceChildren("\u{F0000} 1 X"));
  const missing = await colorShare(await shoot("#headline", "\u{F0000}"));
  assert.equal(missing, 0, "a missing glyph drew in color: the check below would prove nothing");
  for (const [label, symbol] of [["Video Studio · Video Generation", "⭐"], ["Glitch Images · Image Generation", "📸"]]) {
    await page.selectOption("#price", { label });
    assert.ok((await page.locator("#headline").textContent()).includes(symbol));
    const share = await colorShare(await shoot("#headline", symbol));
    assert.ok(share > 0.05, `${symbol} drew ${(share * 100).toFixed(1)}% color pixels: an empty box, or a font without color emoji (Debian: fonts-noto-color-emoji, scripts/setup-chromium.sh)`);
  }
  assert.deepEqual(errors, []);
});

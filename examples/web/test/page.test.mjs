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
  afford: await page.locator("#afford").textContent(),
  grants: await page.locator("#grants tr").count(),
  notes: await page.locator("#notes li").count(),
  rate: await page.locator("#rate").textContent(),
});
const NOTHING = { fees: 0, balances: "", afford: "", grants: 0, notes: 0, rate: "" };

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

// The wallet: the lines below the fees, and the grant table, row by row.
const balances = () => page.locator("#balances").textContent();
const afford = () => page.locator("#afford").textContent();
const grantTable = () => page.locator("#grants tr").evaluateAll((rows) => rows.map((tr) => ({
  cells: [...tr.cells].map((td) => td.textContent),
  drawn: tr.className === "drawn",
})));
// Every grant below is live at this instant (the mixed wallet's plan credits expire 2027-01-01).
const AT = "2026-12-10T12:00:00";

test("how many more the balance affords, exactly", async () => {
  // 60 credits each (15 a second × 4 s); one of a volume price: 15 credits a second.
  await page.fill("#at", AT);
  for (const [balance, text] of [
    ["100", "You can afford 1 more · or one of up to 6 seconds"], // 60 ≤ 100 < 120; 90 ≤ 100 < 105
    ["1000", "You can afford 16 more · or one of up to 66 seconds"], // 960 ≤ 1000 < 1020; 990 ≤ 1000 < 1005
    ["59", "You can afford 0 more · or one of up to 3 seconds"], // 45 ≤ 59 < 60
    ["9", "You can afford 0 more"], // less than the 10-credit minimum: no volume fits
  ]) {
    await page.fill("#balance", balance);
    assert.equal(await afford(), text, `balance ${balance}`);
  }
  await page.fill("#balance", "1000");
  assert.equal(await page.locator("#afford").getAttribute("data-count"), "16");
  assert.equal(await page.locator("#grants tr").count(), 0, "a plain balance has no grant table");
  assert.deepEqual(errors, []);
});

test("refuse when short: the action is refused and the balance left unchanged", async () => {
  await page.fill("#balance", "50");
  await page.check("#refuse");
  assert.equal(await balances(), "Refused: ⭐ 10 CR short · Balance ⭐ 50 CR → ⭐ 50 CR, unchanged · a $0.50 top-up covers it");
  assert.equal(await page.locator("#balances").getAttribute("data-after"), "50");
  assert.equal(await page.locator("#balances").getAttribute("data-refused"), "true");
  assert.equal(await page.locator("#balances").getAttribute("class"), "refused");
  // The price is still the price.
  assert.deepEqual(await headlineState(), { text: "−⭐ 60 CR (≈ $3.00)", error: false });
  // A balance that covers it is not refused.
  await page.fill("#balance", "100");
  assert.equal(await balances(), "Balance ⭐ 100 CR → ⭐ 40 CR");
  assert.equal(await page.locator("#balances").getAttribute("data-refused"), "false");
  // With grants: 450 credits against 325 is refused whole, no grant is drawn.
  await page.selectOption("#wallet", "mixed");
  await page.fill("#field-seconds", "30");
  assert.equal(await balances(), "Refused: ⭐ 125 CR short · Balance ⭐ 325 CR → ⭐ 325 CR, unchanged · a $6.25 top-up covers it");
  assert.deepEqual((await grantTable()).map((r) => [r.cells[0], r.cells[4], r.drawn]),
    [["welcome-promo", "—", false], ["pro-plan-2026-12", "—", false], ["top-up-0042", "—", false]]);
  // Unchecked, the same action is charged in full.
  await page.uncheck("#refuse");
  assert.equal(await page.locator("#balances").getAttribute("data-refused"), "false");
  assert.equal(await page.locator("#balances").getAttribute("data-after"), "-125");
  await page.fill("#field-seconds", "4");
  await page.selectOption("#wallet", "balance");
  assert.deepEqual(errors, []);
});

test("a wallet with grants: each grant, and what this action draws from which", async () => {
  await page.selectOption("#wallet", "mixed");
  assert.equal(await page.locator("#balance").isVisible(), false, "the balance field of a preset wallet");
  assert.equal(await page.locator("#grant-table caption").textContent(), "Grants of default:CREDIT");
  // 60 credits: the promotion's 25 first, then 35 of the plan's 200; the paid top-up is untouched.
  assert.deepEqual(await grantTable(), [
    { cells: ["welcome-promo", "promotion", "⭐ 25 CR", "2027-01-31T00:00:00Z", "−⭐ 25 CR"], drawn: true },
    { cells: ["pro-plan-2026-12", "bundled", "⭐ 200 CR", "2027-01-01T00:00:00Z", "−⭐ 35 CR"], drawn: true },
    { cells: ["top-up-0042", "paid", "⭐ 100 CR", "2027-10-15T09:30:00Z", "—"], drawn: false },
  ]);
  assert.deepEqual(await page.locator("#grants tr").evaluateAll((rows) => rows.map((tr) => tr.dataset.drawn)), ["25", "35", ""]);
  assert.equal(await balances(), "Balance ⭐ 325 CR → ⭐ 265 CR");
  assert.equal(await afford(), "You can afford 5 more · or one of up to 21 seconds"); // 300 ≤ 325; 315 ≤ 325 < 330
  // After the plan's credits expired: the promotion, then the paid top-up; the expired 200 are gone.
  await page.fill("#at", "2027-01-15T00:00:00");
  assert.deepEqual((await grantTable()).map((r) => r.cells[4]), ["−⭐ 25 CR", "—", "−⭐ 35 CR"]);
  assert.equal(await balances(), "Balance ⭐ 325 CR → ⭐ 65 CR"); // 325 − 60 − 200
  assert.equal(await afford(), "You can afford 2 more · or one of up to 8 seconds"); // 120 ≤ 125 < 135
  assert.deepEqual(await page.locator("#notes li").allTextContents(),
    ["grant pro-plan-2026-12 of default:CREDIT expired at 2027-01-01T00:00:00Z holding 200 CREDIT"]);
  // An input the page cannot price leaves no stale grant table.
  await page.fill("#at", AT);
  await page.fill("#field-seconds", "-3");
  assert.equal((await headlineState()).error, true);
  assert.deepEqual(await rest(), NOTHING);
  await page.fill("#field-seconds", "4");
  assert.equal(await page.locator("#grants tr.drawn").count(), 2);
  assert.deepEqual(errors, []);
});

test("a new Pro subscriber: the plan's monthly 500 credits, from the engine's entitlements", async () => {
  await page.selectOption("#wallet", "pro");
  // Subscribed at the instant priced: one bundled grant, expiring a month later.
  assert.deepEqual(await grantTable(), [
    { cells: ["pro_plan:Monthly credits:1", "bundled", "⭐ 500 CR", "2027-01-10T12:00:00Z", "−⭐ 60 CR"], drawn: true },
  ]);
  assert.equal(await balances(), "Balance ⭐ 500 CR → ⭐ 440 CR");
  assert.equal(await afford(), "You can afford 8 more · or one of up to 33 seconds"); // 480 ≤ 500; 495 ≤ 500 < 510
  // The plan gives credits only: an image is charged in full to an account it does not have.
  await page.selectOption("#price", { label: "Glitch Images · Image Generation" });
  assert.equal(await balances(), "Balance 📸 0.00 image → 📸 -1.00 image · 📸 1.00 image short: a $0.12 top-up covers it");
  assert.equal(await page.locator("#grants tr").count(), 0);
  assert.deepEqual(await page.locator("#notes li").allTextContents(),
    ["the wallet has no IMG account; what events charge in IMG is a shortfall"]);
  await page.selectOption("#price", { label: "Video Studio · Video Generation" });
  assert.deepEqual(errors, []);
});

test("a wallet with grants that falls short: every grant drawn, and the top-up (screenshot)", async () => {
  await page.selectOption("#wallet", "mixed");
  await page.fill("#field-seconds", "30");
  // 15 × 30 = 450 credits ($22.50) against 325: 125 short, 125 × $0.05 = $6.25.
  assert.deepEqual(await headlineState(), { text: "−⭐ 450 CR (≈ $22.50)", error: false });
  assert.deepEqual((await grantTable()).map((r) => [r.cells[4], r.drawn]),
    [["−⭐ 25 CR", true], ["−⭐ 200 CR", true], ["−⭐ 100 CR", true]]);
  assert.equal(await balances(), "Balance ⭐ 325 CR → ⭐ -125 CR · ⭐ 125 CR short: a $6.25 top-up covers it");
  assert.equal(await page.locator("#balances").getAttribute("data-after"), "-125");
  assert.equal(await afford(), "You can afford 0 more · or one of up to 21 seconds");
  // The page as a customer sees it, kept for a look; nothing overflows its width.
  await page.screenshot({ path: "/tmp/web-wallet.png", fullPage: true });
  const { scrollWidth, clientWidth } = await page.evaluate(() => {
    const { scrollWidth, clientWidth } = document.documentElement;
    return { scrollWidth, clientWidth };
  });
  assert.ok(scrollWidth <= clientWidth, `the page is ${scrollWidth}px wide in a ${clientWidth}px window`);
  const [table, body] = await page.evaluate(() =>
    [document.getElementById("grant-table"), document.body].map((el) => el.getBoundingClientRect().right));
  assert.ok(table <= body, `the grant table ends at ${table}px, past the page's column (${body}px)`);
  // The grant table's symbols draw in color, as the headline's do (see below).
  const share = await colorShare(await page.locator("#grant-table").screenshot());
  assert.ok(share > 0.002, `the grant table drew ${(share * 100).toFixed(2)}% color pixels`);
  // Back to the page's first state for the tests below.
  await page.fill("#field-seconds", "4");
  await page.selectOption("#wallet", "balance");
  await page.fill("#at", "");
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

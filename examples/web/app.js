// The price preview: choose an action and its attributes, see each fee in its asset and in
// dollars, and a balance before and after, with the top-up that would cover a shortfall. Every
// number comes from @ratecard/wasm (`engine.preview` of a one-account wallet); the page does no
// arithmetic. An input it cannot price (a quote with warnings, an error, a balance that is not a
// decimal) shows why in place of the headline and clears every other line.
import { Engine, RatecardError } from "@ratecard/wasm";

const $ = (id) => document.getElementById(id);
const catalog = await (await fetch("/examples/catalog.json")).json();
const engine = new Engine(catalog);

// Every usage price of the catalog: what its event needs (dimensions, a volume field).
const prices = [];
for (const product of catalog.products) {
  for (const price of product.prices) {
    const usage = price.usage_calculation;
    if (price.type !== "usage_based" || !usage) continue;
    const dims = {};
    for (const key of usage.billable_dimensions ?? []) dims[key] = new Set();
    for (const pricing of price.pricing) {
      for (const value of pricing.values) {
        for (const [k, v] of Object.entries(value.dimensions ?? {})) if (v !== "*") dims[k]?.add(v);
      }
    }
    prices.push({ product, price, usage, dims, asset: price.pricing[0].asset });
  }
}

const select = $("price");
prices.forEach((p, i) => select.add(new Option(`${p.product.name} · ${p.price.name}`, String(i))));
select.value = String(Math.max(0, prices.findIndex((p) => p.usage.event_type === "video_generated")));

function renderFields() {
  const p = prices[Number(select.value)];
  const box = $("fields");
  box.replaceChildren();
  for (const [key, values] of Object.entries(p.dims)) {
    const input = document.createElement("select");
    input.id = `field-${key}`;
    input.dataset.key = key;
    for (const v of values) input.add(new Option(v, v));
    input.add(new Option("(something else)", "other"));
    box.append(labelled(key, input));
  }
  if (p.usage.volume_field) {
    const input = document.createElement("input");
    input.id = `field-${p.usage.volume_field}`;
    input.dataset.key = p.usage.volume_field;
    input.type = "text";
    input.inputMode = "decimal";
    input.value = "4";
    box.append(labelled(p.usage.volume_field, input));
  }
  $("balance-asset").textContent = p.asset;
}

function labelled(text, input) {
  const label = document.createElement("label");
  const span = document.createElement("span");
  span.textContent = text;
  label.append(span, input);
  input.addEventListener("input", update);
  return label;
}

/** The balance line: before, after, and what covers a shortfall. */
function balanceLine(preview, asset) {
  const account = preview.accounts.find((a) => a.asset === asset);
  const shown = `Balance ${engine.format(account.available, asset)} → ${engine.format(account.available_after, asset)}`;
  const topUp = preview.top_up[asset];
  if (topUp === undefined) return shown;
  const short = engine.format(preview.shortfall[asset], asset);
  return `${shown} · ${short} short: a ${engine.format(topUp.amount, topUp.currency)} top-up covers it`;
}

/** A wallet error said at the balance field, with the core's own message. */
function atBalance(e) {
  if (!(e instanceof RatecardError) || e.code !== "invalid_wallet") return e;
  return new RatecardError(e.code, e.message, e.issues.map((i) => ({ ...i, path: "balance" })));
}

/**
 * Why this input has no price: the quote's warnings (a volume that is empty or negative, a
 * dimension no price fits), else null. Each means a fee was left out, so the headline must not
 * show what remains as the price.
 */
function unpriced(quote) {
  if (quote.warnings.length === 0) return null;
  return quote.warnings.map((w) => `${w.code}: ${w.path ? `${w.path}: ` : ""}${w.message}`).join("; ");
}

/** The page for an input it cannot price: the reason in place of the headline, nothing stale. */
function showError(text) {
  const headline = $("headline");
  headline.textContent = text;
  headline.className = "error";
  headline.dataset.amount = "";
  headline.dataset.usd = "";
  $("fees").replaceChildren();
  $("balances").textContent = "";
  $("balances").dataset.after = "";
  $("rate").textContent = "";
}

function update() {
  const p = prices[Number(select.value)];
  const data = {};
  for (const el of $("fields").querySelectorAll("[data-key]")) data[el.dataset.key] = el.value;
  // An empty date field prices now, said outright (else the quote warns `priced_at_now`).
  const at = $("at").value ? new Date(`${$("at").value}Z`) : new Date();
  try {
    // One account in the price's asset, holding the balance typed: a balance that is not a
    // decimal is the wallet's error, shown at the field.
    const wallet = { accounts: [{ asset: p.asset, available: $("balance").value || "0" }] };
    const event = { event_type: p.usage.event_type, data };
    let preview;
    try {
      preview = engine.preview(wallet, [event], { at, expressIn: ["USD"], products: [p.product.code] });
    } catch (e) {
      throw atBalance(e);
    }
    const quote = preview.events[0].quote;
    const why = unpriced(quote);
    if (why !== null) {
      showError(why);
      return;
    }
    const total = quote.totals[p.asset] ?? "0";
    const after = preview.accounts.find((a) => a.asset === p.asset).available_after;
    const rows = quote.fees.map((fee) => {
      const tr = document.createElement("tr");
      tr.dataset.asset = fee.currency;
      for (const [cls, text] of [
        ["name", fee.description ? `${fee.price_name} (${fee.description})` : fee.price_name],
        ["amount", engine.format(fee.amount, fee.currency)],
        ["usd", fee.equivalents.USD === undefined ? "—" : engine.format(fee.equivalents.USD, "USD")],
      ]) {
        const td = document.createElement("td");
        td.className = cls;
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    });
    $("fees").replaceChildren(...rows);
    const usd = quote.equivalents.USD;
    const headline = $("headline");
    headline.className = "";
    headline.textContent = quote.fees.length
      ? `−${engine.format(total, p.asset)}${usd === undefined ? "" : ` (≈ ${engine.format(usd, "USD")})`}`
      : "No charge";
    headline.dataset.amount = total;
    headline.dataset.usd = usd ?? "";
    $("balances").textContent = balanceLine(preview, p.asset);
    $("balances").dataset.after = after;
    const rateStep = quote.explain.find((s) => s.kind === "rate");
    $("rate").textContent = `Priced at ${quote.at}${rateStep ? ` · ${rateStep.text}` : ""}`;
  } catch (e) {
    showError(e instanceof RatecardError ? `${e.code}: ${e.issues.map((i) => `${i.path ? `${i.path}: ` : ""}${i.message}`).join("; ") || e.message}` : String(e));
  } finally {
    document.body.dataset.ready = "true";
  }
}

select.addEventListener("change", () => {
  renderFields();
  update();
});
$("at").addEventListener("input", update);
$("balance").addEventListener("input", update);
renderFields();
update();

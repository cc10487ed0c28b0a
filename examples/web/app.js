// The price preview: choose an action and its attributes, see each fee in its asset and in
// dollars, and a balance before and after. Every number comes from @ratecard/wasm; the page
// only subtracts two decimal strings, exactly (BigInt), never in binary floating point.
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

/** a − b for decimal strings, exactly. */
function subtract(a, b) {
  const parse = (s) => {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s.trim());
    if (!m || (m[2] === "" && !m[3])) throw new RatecardError("invalid_argument", `${JSON.stringify(s)} is not a decimal`, []);
    return { neg: m[1] === "-", int: m[2] || "0", frac: m[3] ?? "" };
  };
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.frac.length, y.frac.length);
  const big = (d) => (d.neg ? -1n : 1n) * BigInt(d.int + d.frac.padEnd(scale, "0"));
  const diff = big(x) - big(y);
  const digits = (diff < 0n ? -diff : diff).toString().padStart(scale + 1, "0");
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return diff < 0n ? `-${text}` : text;
}

function update() {
  const p = prices[Number(select.value)];
  const data = {};
  for (const el of $("fields").querySelectorAll("[data-key]")) data[el.dataset.key] = el.value;
  const at = $("at").value ? new Date(`${$("at").value}Z`) : undefined;
  $("error").textContent = "";
  try {
    const quote = engine.quote({ event_type: p.usage.event_type, data }, { at, expressIn: ["USD"], products: [p.product.code] });
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
    const total = quote.totals[p.asset] ?? "0";
    const usd = quote.equivalents.USD;
    $("headline").textContent = quote.fees.length
      ? `−${engine.format(total, p.asset)}${usd === undefined ? "" : ` (≈ ${engine.format(usd, "USD")})`}`
      : "No charge";
    $("headline").dataset.amount = total;
    $("headline").dataset.usd = usd ?? "";
    const before = $("balance").value || "0";
    const after = subtract(before, total);
    $("balances").textContent = `Balance ${engine.format(before, p.asset)} → ${engine.format(after, p.asset)}`;
    $("balances").dataset.after = after;
    const rateStep = quote.explain.find((s) => s.kind === "rate");
    $("rate").textContent = `Priced at ${quote.at}${rateStep ? ` · ${rateStep.text}` : ""}`;
    for (const w of quote.warnings) $("error").textContent += `${w.code}: ${w.message} `;
  } catch (e) {
    $("fees").replaceChildren();
    $("headline").textContent = "";
    $("headline").dataset.amount = "";
    $("error").textContent = e instanceof RatecardError ? `${e.code}: ${e.issues.map((i) => `${i.path} ${i.message}`).join("; ") || e.message}` : String(e);
  }
  document.body.dataset.ready = "true";
}

select.addEventListener("change", () => {
  renderFields();
  update();
});
$("at").addEventListener("input", update);
$("balance").addEventListener("input", update);
renderFields();
update();

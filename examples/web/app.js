// The price preview: choose an action and its attributes, and a customer's wallet (a plain
// balance, a new Pro subscriber's, or one with a promotion, a plan's credits and a paid top-up).
// The page shows each fee in its asset and in dollars; the balance before and after, with the
// top-up that would cover a shortfall (or, with "Refuse when short", the refusal); how many more
// such actions the wallet affords; and the grants of the charged account, marking the ones this
// action draws from and how much. Every number comes from @ratecard/wasm (`engine.preview`,
// `engine.affordable`, `engine.entitlements`); the page does no arithmetic. An input it cannot
// price (a quote with warnings, an error, a balance that is not a decimal) shows why in place of
// the headline and clears every other line.
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

// A wallet as the billing API returns it: 325 credits, all in grants, each of another purpose.
// The engine draws the promotion first, then the plan's credits, then the paid top-up.
const MIXED_WALLET = {
  accounts: [{
    asset: "CREDIT",
    available: "325",
    grants: [
      { id: "welcome-promo", available: "25", purpose: "promotion",
        effective_at: "2026-11-01T00:00:00Z", expires_at: "2027-01-31T00:00:00Z", created_at: "2026-11-01T00:00:00Z" },
      { id: "pro-plan-2026-12", available: "200", purpose: "bundled",
        effective_at: "2026-12-01T00:00:00Z", expires_at: "2027-01-01T00:00:00Z", created_at: "2026-12-01T00:00:00Z" },
      { id: "top-up-0042", available: "100", purpose: "paid",
        effective_at: "2026-10-15T09:30:00Z", expires_at: "2027-10-15T09:30:00Z", created_at: "2026-10-15T09:30:00Z" },
    ],
  }],
};

/** The wallet the page previews against, at the instant `at` (a new subscription starts then). */
function walletFor(p, at) {
  switch ($("wallet").value) {
    case "pro":
      return engine.entitlements("pro_plan", at);
    case "mixed":
      return MIXED_WALLET;
    default:
      // One account in the price's asset, holding the balance typed: a balance that is not a
      // decimal is the wallet's error, shown at the field.
      return { accounts: [{ asset: p.asset, available: $("balance").value || "0" }] };
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

/** A table row of text cells, each `[class, text]`. */
function row(cells) {
  const tr = document.createElement("tr");
  for (const [cls, text] of cells) {
    const td = document.createElement("td");
    td.className = cls;
    td.textContent = text;
    tr.append(td);
  }
  return tr;
}

/**
 * The balance line: before, after, and what covers a shortfall. A refused event left the
 * balance as it was: the line says so first.
 */
function balanceLine(preview, asset) {
  const account = preview.accounts.find((a) => a.asset === asset);
  const shown = `Balance ${engine.format(account.available, asset)} → ${engine.format(account.available_after, asset)}`;
  const shortfall = preview.shortfall[asset];
  if (shortfall === undefined) return shown;
  const short = `${engine.format(shortfall, asset)} short`;
  const topUp = preview.top_up[asset];
  const covers = topUp === undefined ? "" : `a ${engine.format(topUp.amount, topUp.currency)} top-up covers it`;
  if (preview.events[0].refused) return [`Refused: ${short}`, `${shown}, unchanged`, covers].filter(Boolean).join(" · ");
  return `${shown} · ${short}${covers ? `: ${covers}` : ""}`;
}

/** "You can afford N more", with the longest single one for a volume price; "" when free. */
function affordLine(capacity) {
  if (capacity.count === null) return "";
  const volume = capacity.volume;
  // A volume of zero (nothing fits) adds nothing to "0 more": said by its text, no arithmetic.
  const longest = volume && !/^0(\.0*)?$/.test(volume.value) ? ` · or one of up to ${volume.value} ${volume.field}` : "";
  return `You can afford ${capacity.count} more${longest}`;
}

/** The grants of `asset`'s account in `wallet`, each marked with what `draws` took from it. */
function grantRows(wallet, asset, draws) {
  const account = wallet.accounts.find((a) => a.asset === asset);
  const listed = account?.grants;
  const grants = Array.isArray(listed) ? listed : listed?.items ?? [];
  if (grants.length === 0) return [];
  const drawn = new Map(draws.map((d) => [d.grant, d.amount]));
  const grantRow = (id, purpose, available, expires, amount) => {
    const tr = row([
      ["id", id],
      ["purpose", purpose],
      ["amount", available],
      ["expires", expires],
      ["drawn", amount === undefined ? "—" : `−${engine.format(amount, asset)}`],
    ]);
    tr.dataset.grant = id;
    tr.dataset.drawn = amount ?? "";
    if (amount !== undefined) tr.className = "drawn";
    return tr;
  };
  const rows = grants.map((g) =>
    grantRow(g.id, g.purpose, engine.format(g.available, asset), g.expires_at ?? "never", drawn.get(g.id)));
  // What the account holds beyond its listed grants, when this action draws from it.
  if (drawn.has(null)) rows.push(grantRow("(beyond the grants)", "—", "—", "—", drawn.get(null)));
  return rows;
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
  $("balances").className = "";
  $("balances").dataset.after = "";
  $("balances").dataset.refused = "";
  $("afford").textContent = "";
  $("afford").dataset.count = "";
  $("grants").replaceChildren();
  $("grants-account").textContent = "";
  $("notes").replaceChildren();
  $("rate").textContent = "";
}

function update() {
  const p = prices[Number(select.value)];
  $("balance-field").hidden = $("wallet").value !== "balance";
  const data = {};
  for (const el of $("fields").querySelectorAll("[data-key]")) data[el.dataset.key] = el.value;
  // An empty date field prices now, said outright (else the quote warns `priced_at_now`).
  const at = $("at").value ? new Date(`${$("at").value}Z`) : new Date();
  try {
    const wallet = walletFor(p, at);
    const event = { event_type: p.usage.event_type, data };
    const options = { at, expressIn: ["USD"], products: [p.product.code] };
    if ($("refuse").checked) options.overdraft = "refuse";
    let preview;
    try {
      preview = engine.preview(wallet, [event], options);
    } catch (e) {
      throw atBalance(e);
    }
    const quote = preview.events[0].quote;
    const why = unpriced(quote);
    if (why !== null) {
      showError(why);
      return;
    }
    const capacity = engine.affordable(wallet, event, options);
    const total = quote.totals[p.asset] ?? "0";
    const account = preview.accounts.find((a) => a.asset === p.asset);
    const rows = quote.fees.map((fee) => {
      const tr = row([
        ["name", fee.description ? `${fee.price_name} (${fee.description})` : fee.price_name],
        ["amount", engine.format(fee.amount, fee.currency)],
        ["usd", fee.equivalents.USD === undefined ? "—" : engine.format(fee.equivalents.USD, "USD")],
      ]);
      tr.dataset.asset = fee.currency;
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
    const refused = preview.events[0].refused;
    $("balances").textContent = balanceLine(preview, p.asset);
    $("balances").className = refused ? "refused" : "";
    $("balances").dataset.after = account.available_after;
    $("balances").dataset.refused = String(refused);
    $("afford").textContent = affordLine(capacity);
    $("afford").dataset.count = capacity.count ?? "";
    $("grants").replaceChildren(...grantRows(wallet, p.asset, preview.events[0].draws));
    $("grants-account").textContent = account.id;
    // What else the engine says about this wallet: a missing account, grants that expired.
    const notes = [...preview.warnings.map((w) => w.message),
      ...preview.explain.filter((s) => s.kind === "expire").map((s) => s.text)];
    $("notes").replaceChildren(...notes.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
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
for (const id of ["at", "balance"]) $(id).addEventListener("input", update);
for (const id of ["wallet", "refuse"]) $(id).addEventListener("change", update);
renderFields();
update();

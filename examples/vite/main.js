// @ratecard/wasm through Vite: the import instantiates the .wasm (top-level await in the
// package); the catalog is bundled as JSON from examples/catalog.json. Importing only `Engine`
// (a re-export, as the package README does) is what needs vite.config.js's side-effects workaround.
import { Engine } from "@ratecard/wasm";
import catalog from "../catalog.json";

const engine = new Engine(catalog);
const quote = engine.quote(
  { event_type: "video_generated", occurred_at: "2026-03-01T10:00:00Z", data: { model: "gen4", quality: "hd", seconds: 4 } },
  { expressIn: ["USD"] },
);
const [fee] = quote.fees;
document.getElementById("fee").textContent = `${fee.amount} ${fee.currency}`;
document.getElementById("usd").textContent = quote.equivalents.USD;
document.body.dataset.ready = "true";

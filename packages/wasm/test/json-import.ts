// A catalog imported as JSON, the way a bundler app (Vite, webpack) or a Node app with
// `resolveJsonModule` has it: TypeScript types it with plain `string`s (`type: string`, not
// `"usage_based"`), which `Engine` and `validate` must take (index.d.ts's `CatalogInput`).
// `tsc -p test/tsconfig.json-import.json` checks it in the test run; what the engine makes of
// the catalog is the API tests' business.
import { Engine, validate } from "@ratecard/wasm";
import type { Catalog, CatalogInput, DecimalInput, Event, EventValue, Report } from "@ratecard/wasm";
import catalog from "../../../examples/catalog.json";

const engine = new Engine(catalog);
const report: Report = validate(catalog);
const input: CatalogInput = catalog;

// JSON text as bytes, as readFileSync or fetch give it.
new Engine(new TextEncoder().encode(JSON.stringify(catalog)));
validate(new ArrayBuffer(0));

// BigInts: decimals in, in amounts and in event data.
const amount: DecimalInput = 10n;
const seconds: EventValue = 4n;
const event: Event = { event_type: "video_generated", data: { model: "gen4", quality: "hd", seconds } };
engine.quote(event, { priorUsage: { video_studio: { "Video Generation": 5n } } });
engine.format(amount, "CREDIT");
engine.convert(12345678901234567890n, "CREDIT", "USD");

// A literal typo is still caught where the literal types are asked for.
// @ts-expect-error: "usage" is not a price type
const typo: Catalog = { products: [{ name: "p", code: "p", prices: [{ name: "f", type: "usage", billing_model: { type: "real_time" }, pricing: [] }] }] };
// @ts-expect-error: a catalog is an object, not a number
new Engine(42);

console.log(report, input, typo);

// A typed usage example: `tsc --noEmit -p test` checks it against index.d.ts in the test run,
// so the declarations cannot silently drift from how the package is used.
import { Engine, RatecardError, validate, schema, version } from "@ratecard/wasm";
import type { Catalog, Conversion, Event, Fee, Issue, Quote, QuoteOptions, Report, Step } from "@ratecard/wasm";
// Node's own JSON import (resolveJsonModule; test/json-import.ts has a bundler's).
import catalogJson from "../../../examples/catalog.json" with { type: "json" };

const catalog: Catalog = {
  assets: [{ code: "VIDGENMIN", name: "Video minutes", precision: 2, symbol: "⏰", rates: [{ source: "USD", rate: 0.1 }] }],
  products: [
    {
      name: "Video",
      code: "video",
      prices: [
        {
          name: "Generation",
          type: "usage_based",
          billing_model: { type: "real_time" },
          usage_calculation: { event_type: "video_generated", usage_type: "volume", volume_field: "seconds", billable_dimensions: ["model"] },
          pricing: [
            {
              asset: "VIDGENMIN",
              values: [
                { dimensions: { model: "gen4" }, values: [{ volume_rate: "0.2" }] },
                { dimensions: { model: "*" }, values: [{ volume_rate: 0.1, max_amount: 10 }] },
              ],
            },
          ],
        },
      ],
    },
  ],
};

const report: Report = validate(catalog);
const firstError: Issue | undefined = report.errors[0];
const engine = new Engine(catalog);
const event: Event = { event_type: "video_generated", occurred_at: new Date(), data: { model: "gen4", seconds: 10, hd: true } };
const options: QuoteOptions = { at: "2026-03-01T12:00:00Z", expressIn: ["USD"], products: ["video"], priorUsage: { video: { Generation: "5" } }, explain: false };
const quote: Quote = engine.quote(event, options);
const fee: Fee | undefined = quote.fees[0];
const amount: string | undefined = fee?.amount;
const usd: string | undefined = quote.equivalents["USD"];
const steps: Step[] = quote.explain;
const many: Quote[] = engine.quoteMany([event, event], { now: null });
const conversion: Conversion = engine.convert(1, "USD", "VIDGENMIN", new Date());
const shown: string = engine.format(conversion.destination_amount, "VIDGENMIN");
const text: string = engine.format(0.2, "USD");
const defs = schema()["$defs"];
const v: string = version;

try {
  new Engine("{");
} catch (e) {
  if (e instanceof RatecardError) {
    const code: "invalid_json" | "invalid_catalog" | "invalid_event" | "invalid_argument" | "no_rate" | "decimal_overflow" | "invalid_wallet" = e.code;
    const paths: string[] = e.issues.map((i) => i.path);
    console.log(code, paths, e.message);
  }
}
engine.free();
new Engine(catalogJson).free();

// @ts-expect-error: amounts come out as strings, never numbers
const wrong: number = quote.totals["VIDGENMIN"];
// @ts-expect-error: options are camelCase
engine.quote(event, { express_in: ["USD"] });

console.log(firstError, amount, usd, steps, many, shown, text, defs, v, wrong);

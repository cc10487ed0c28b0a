// The TypeScript declarations of ratecard's JavaScript faces (@ratecard/wasm, @ratecard/node):
// this one file (packages/js/index.d.ts) is copied into each package at build time.
//
// Both packages export exactly this surface, so one can replace the other. Data keeps the
// billing API's wire format (snake_case keys such as `price_name`, `express_in`); only option
// objects passed to methods are camelCase, as JavaScript callers expect. Decimals go in as a
// string (exact), a number (read by its shortest round-trip text: 0.1 is 0.1) or a BigInt (every
// digit) and always come out as strings that keep the asset's scale ("1.50"). Self-contained on
// purpose: no imports.

// ---------------------------------------------------------------------------------------------
// Scalars

/**
 * A decimal going in: a string (exact, `"0.10"`, `"1E-7"`), a finite number (`0.1` is 0.1) or
 * a BigInt (every digit).
 */
export type DecimalInput = string | number | bigint;

/** A decimal coming out: its exact text, keeping the asset's scale (`"1.50"`, never `"1.5"`). */
export type DecimalString = string;

/** An RFC 3339 timestamp with an offset (`"2026-03-01T12:00:00Z"`); outputs are always UTC. */
export type Timestamp = string;

/** A time going in: a `Date` or an RFC 3339 string. */
export type TimeInput = Date | Timestamp;

/**
 * JSON text as bytes, read as UTF-8 (a leading BOM is dropped): a `Buffer` or `Uint8Array`
 * (what `readFileSync` gives), an `ArrayBuffer` (what `fetch`'s `arrayBuffer()` gives). Accepted
 * wherever JSON text is.
 */
export type JsonBytes = Uint8Array | ArrayBuffer;

/** Any JSON value (for schema output and the free-form parts of a catalog). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** How an amount is rounded to its asset's precision. */
export type RoundingMode =
  | "half_even"
  | "half_away_from_zero"
  | "half_toward_zero"
  | "down"
  | "up"
  | "floor"
  | "ceiling";

// ---------------------------------------------------------------------------------------------
// Catalog (input): the billing API's create shapes, plus the read-back rate schedule

export interface Catalog {
  $schema?: string;
  assets?: Asset[];
  products?: Product[];
  settings?: Settings;
}

/**
 * What `new Engine` and `validate` accept as a catalog: `Catalog` with every string-literal
 * union widened to `string`. TypeScript types a JSON import (`import catalog from
 * "./catalog.json"` with `resolveJsonModule`) with plain `string`s (`type: string`, not
 * `"usage_based"`), which `Catalog` refuses although the catalog is fine; an unknown value such
 * as `type: "usage"` is then the engine's to report (`invalid_catalog`, `invalid_value` at its
 * path), as it is for a catalog read at run time. Write `const c: Catalog = {...}` to have the
 * literals checked as you type.
 */
export type CatalogInput = Widened<Catalog>;

/** `T` with its string-literal types widened to `string`, at every depth. */
type Widened<T> = T extends string
  ? string
  : T extends ReadonlyArray<infer U>
    ? Widened<U>[]
    : T extends object
      ? { [K in keyof T]: Widened<T[K]> }
      : T;

export interface Settings {
  /** Rounding of fees, totals and equivalents per asset code. */
  rounding?: Record<string, RoundingMode>;
  /** Rounding of conversions into an asset, per asset code. */
  conversion_rounding?: Record<string, RoundingMode>;
}

export interface Asset {
  /** Unique, case-insensitive; must not be an ISO 4217 code. */
  code: string;
  name: string;
  /** Decimal places, 0..=18 (default 2). */
  precision?: number;
  /** Display label; defaults to the code. */
  label?: string;
  /** One grapheme cluster: a character or an emoji. */
  symbol?: string;
  rates?: Array<RateEntry | RateSchedule>;
}

/** Create shape: several entries for one source form its schedule. */
export interface RateEntry {
  /** An ISO 4217 currency code. */
  source: string;
  /** Source units one unit of the asset costs. */
  rate?: DecimalInput;
  /** Units of the asset one source unit buys. */
  inverse_rate?: DecimalInput;
  valid_from?: Timestamp | null;
  valid_to?: Timestamp | null;
}

/** Read-back shape (`GET /assets/{code}`). */
export interface RateSchedule {
  source: string;
  schedule: RateScheduleEntry[];
}

export interface RateScheduleEntry {
  valid_from?: Timestamp | null;
  valid_to?: Timestamp | null;
  rate?: DecimalInput;
  inverse_rate?: DecimalInput | null;
}

export interface Product {
  name: string;
  code: string;
  prices: Price[];
  entitlements?: Entitlement[];
  publish?: boolean;
}

export type UsageType = "unit" | "volume" | "unit_and_volume";
export type PricingModel = "flat" | "tiered" | "bulk" | "package";

export interface Price {
  id?: string;
  name: string;
  type: "usage_based" | "fixed";
  billing_model: BillingModel;
  /** Required for `usage_based` prices. */
  usage_calculation?: UsageCalculation;
  pricing: Pricing[];
  pricing_model?: PricingModel;
  tiering?: {
    basis?: "unit" | "volume" | "package" | "custom";
    period?: "lifetime" | "monthly" | "quarterly" | "yearly" | "custom";
  };
  collection?: {
    type: "balance" | "invoice";
    address?: string;
    timing?: "in_advance" | "in_arrears";
  };
  funding_destination?: {
    address: string;
    currency?: string;
    exchange_rate?: DecimalInput;
  };
}

export type BillingModel =
  | { type: "real_time" }
  | {
      type: "recurring";
      recurring: { interval: "day" | "week" | "month" | "year"; interval_count?: number };
    }
  | { type: "one_time"; one_time?: { service_period?: string } };

export interface UsageCalculation {
  event_type: string;
  usage_type: UsageType | "custom";
  unit_aggregation?: string;
  volume_field?: string;
  volume_aggregation?: string;
  billable_dimensions?: string[];
  source_reference_field?: string;
}

export interface Pricing {
  /** A custom asset's code or an ISO 4217 currency. */
  asset: string;
  values: PriceValue[] | DimensionalPrice[];
}

export interface PriceValue {
  name?: string;
  /** Upper bound of a tier, inclusive. */
  up_to?: DecimalInput;
  unit_price?: DecimalInput;
  volume_rate?: DecimalInput;
  package_size?: DecimalInput;
  min_amount?: DecimalInput;
  max_amount?: DecimalInput;
  /** Fixed prices only. */
  quantity?: DecimalInput;
}

export interface DimensionalPrice {
  name?: string;
  /** Event data key → exact value, or `"*"` for any value. */
  dimensions: Record<string, string>;
  values: PriceValue[];
}

export interface Entitlement {
  name: string;
  asset: string;
  amount: DecimalInput;
  purpose: "bundled" | "promotion";
  /** How long one grant lasts and how it is refreshed (give this or the older top-level `refresh`). */
  lifecycle?: {
    duration: "day" | "week" | "month" | "year";
    duration_count?: number;
    refresh?: { strategy: "expire_and_replace" | "rollover" };
  };
  /** The older published shape of the same: the interval and strategy at the top level. */
  refresh?: { interval: "day" | "week" | "month" | "year"; strategy: "expire_and_replace" | "rollover" };
  accounting?: { revenue_basis?: DecimalInput; cost_basis?: "auto" | DecimalInput };
  priority?: number;
}

// ---------------------------------------------------------------------------------------------
// Events and options (input)

/** A value of an event's `data`. Numbers must be finite; a BigInt keeps every digit. */
export type EventValue = string | number | bigint | boolean | null;

/** The billing API's UsageEvent; `id` and `occurred_at` are optional for a preview. */
export interface Event {
  id?: string | null;
  event_type: string;
  occurred_at?: TimeInput | null;
  subject?: string;
  description?: string;
  data?: Record<string, EventValue> | null;
  /** Accepted and ignored, like any other field the engine does not use. */
  costs?: JsonValue[];
}

/** Quote options, camelCase. */
export interface QuoteOptions {
  /** The instant to price at; default each event's `occurred_at`, else now. */
  at?: TimeInput;
  /**
   * The current time to use instead of the host clock (tests, replays); `null` uses no clock at
   * all, so an event without `occurred_at` and no `at` fails with `missing_instant`.
   */
  now?: TimeInput | null;
  /** Asset codes to express every fee and the totals in, e.g. `["USD"]`. */
  expressIn?: string[];
  /** Only these product codes, as a customer's subscriptions would. */
  products?: string[];
  /** Usage already consumed in the current tiering period: `{product_code: {price_name: quantity}}`. */
  priorUsage?: Record<string, Record<string, DecimalInput>>;
  /** Whether each quote lists the steps that produced it (default true). */
  explain?: boolean;
  /**
   * What a batch does with bad events: `"raise"` (the default) throws one RatecardError with
   * every bad event's issues, in order, paths prefixed `[i]`; `"return"` gives each bad event's
   * RatecardError in its place among the quotes. A single quote always throws.
   */
  onError?: "raise" | "return";
}

/** A batch's options when it returns bad events' errors in place. */
export interface ReturningOptions extends QuoteOptions {
  onError: "return";
}

/** What `quoteManyAsync` takes besides a batch's options. */
export interface AsyncOptions {
  /**
   * Called with how many events are priced and how many there are: after each piece of a long
   * batch, and once at the end.
   */
  onProgress?: (done: number, total: number) => void;
}

/** Options of `new Engine` and `validate`. */
export interface EngineOptions {
  /** Warnings count as errors: a misspelt optional field fails the catalog (use it in CI). */
  strict?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Outputs

/** Issue codes: stable, snake_case, the same in every runtime. */
export type IssueCode =
  | "invalid_json"
  | "missing_field"
  | "invalid_type"
  | "limit_exceeded"
  | "flat_event"
  | "invalid_value"
  | "duplicate_key"
  | "unknown_field"
  | "invalid_decimal"
  | "decimal_overflow"
  | "negative_amount"
  | "invalid_timestamp"
  | "duplicate_asset"
  | "reserved_code"
  | "precision_out_of_range"
  | "invalid_symbol"
  | "missing_rate"
  | "invalid_rate"
  | "conflicting_rates"
  | "overlapping_rates"
  | "invalid_interval"
  | "unknown_currency"
  | "duplicate_product"
  | "duplicate_price_name"
  | "duplicate_pricing_asset"
  | "unknown_asset"
  | "missing_volume_field"
  | "missing_price"
  | "mixed_values"
  | "ambiguous_dimensions"
  | "tier_order"
  | "multiple_values"
  | "min_exceeds_max"
  | "empty_list"
  | "unsupported_usage_type"
  | "invalid_expression"
  | "unsupported_tiering"
  | "expression_reads_dimension"
  | "expression_field_not_numeric"
  | "unlisted_dimension"
  | "bounded_last_tier"
  | "unreachable_tier"
  | "unmatchable_price"
  | "ignored_field"
  | "alternative_pricing"
  | "invalid_options"
  | "unknown_product"
  | "missing_instant"
  | "priced_at_now"
  | "no_rate"
  | "no_price_matched"
  | "no_dimension_match"
  | "missing_volume"
  | "expression_failed"
  | "invalid_volume"
  | "duplicate_account"
  | "duplicate_grant"
  | "grants_exceed_balance"
  | "partial_grants"
  | "unknown_purpose"
  | "excess_precision"
  | "missing_account"
  | "ambiguous_top_up"
  | "internal";

/** One problem: where (`products[0].prices[1].pricing[0].asset`), what kind, and a sentence. */
export interface Issue {
  /** A path into the input; empty for the whole input. */
  path: string;
  code: IssueCode;
  message: string;
}

/** What `validate()` found: every error and warning at once. */
export interface Report {
  valid: boolean;
  errors: Issue[];
  warnings: Issue[];
}

/** Asset code → amount. */
export type AmountMap = Record<string, DecimalString>;

/** One fee: the billing API's CalculatedFee fields, plus `product_code` and `equivalents`. */
export interface Fee {
  product_code: string;
  price_id?: string;
  price_name: string;
  /** The asset code the fee is charged in. */
  currency: string;
  event_type: string;
  usage_type: UsageType;
  /** The event's values for the price's billable dimensions. */
  dimensions?: Record<string, string>;
  volume_field?: string;
  input_volume?: DecimalString;
  unit_price?: DecimalString;
  volume_rate?: DecimalString;
  package_size?: DecimalString;
  /** The matched price value's (or tier's) name. */
  description?: string;
  amount: DecimalString;
  /** This fee in each `expressIn` asset. */
  equivalents: AmountMap;
}

export type StepKind =
  | "match"
  | "dimension"
  | "volume"
  | "tier"
  | "amount"
  | "clamp"
  | "round"
  | "rate"
  | "equivalent";

/** One step of a quote's explanation. */
export interface Step {
  /** The index of the fee this step belongs to, if any. */
  fee?: number;
  kind: StepKind;
  text: string;
}

/** What one event would cost. */
export interface Quote {
  event_id?: string;
  event_type: string;
  /** The instant priced at (UTC). */
  at: Timestamp;
  fees: Fee[];
  /** The sum of the fees, per asset charged. */
  totals: AmountMap;
  /** Every fee expressed in each `expressIn` asset, summed. */
  equivalents: AmountMap;
  warnings: Issue[];
  /**
   * Empty when the `explain` option is false. Otherwise computed the first time it is read
   * (an own, enumerable property: JSON.stringify and spreading see the steps), from the event
   * as it was when quoted; read after the engine's `free()`, it throws a `RatecardError`.
   */
  explain: Step[];
}

/** Like the billing API's asset quote: how much `destination` this much `source` is. */
export interface Conversion {
  source: string;
  source_amount: DecimalString;
  destination: string;
  destination_amount: DecimalString;
  /** How many `source` units one `destination` unit costs. */
  rate: DecimalString;
  /** How many `destination` units one `source` unit buys. */
  inverse_rate: DecimalString;
  /** Since when the rates used are in force; null: since the beginning of time. */
  valid_from: Timestamp | null;
  /** How the destination amount was rounded. */
  rounding: RoundingMode;
}

// ---------------------------------------------------------------------------------------------
// Wallets and previews

/** A credit grant, as the billing API lists an account's grants. */
export interface Grant {
  id: string;
  /** What the grant still holds. */
  available: DecimalInput;
  /** `promotion` (or `promotional`), `bundled`, `paid`: promotional credit is drawn first. */
  purpose: "promotion" | "promotional" | "bundled" | "paid" | (string & {});
  /** Lower numbers are drawn first; none is drawn after every number. */
  priority?: number | null;
  /** null: in effect since always. */
  effective_at?: TimeInput | null;
  /** null: never expires. */
  expires_at?: TimeInput | null;
  created_at?: TimeInput | null;
}

/** One account of a wallet: a balance in one asset. */
export interface Account {
  /** Default `{name}:{ASSET}` (`default:CREDIT`), as the billing API writes it. */
  id?: string;
  name?: string;
  asset: string;
  /** The balance; negative when overdrawn. */
  available: DecimalInput;
  pending_in?: DecimalInput;
  pending_out?: DecimalInput;
  /** The account's grants, as a list or as the grants page the billing API returns. */
  grants?: Grant[] | { items: Grant[]; total_count?: number; limit?: number; offset?: number };
}

/** A customer's wallet, as the billing API returns it. */
export interface Wallet {
  accounts: Account[];
}

/** Options of `engine.preview`: the quote options, and the wallet rules to apply. */
export interface PreviewOptions extends Omit<QuoteOptions, "onError"> {
  /**
   * What happens to an event the balance cannot cover: `"allow"` (the default, as in the
   * billing API: the balance goes negative), `"refuse"` (not applied, marked `refused`), or
   * per asset how far below zero a balance may go.
   */
  overdraft?: "allow" | "refuse" | Record<string, DecimalInput>;
  /** Per asset, the least a top-up may be, in its currency. */
  minTopUp?: Record<string, DecimalInput>;
  /** The currency a top-up is paid in: one for every asset, or per asset. */
  topUpCurrency?: string | Record<string, string>;
  /** Per asset, a simulated auto top-up: below `threshold` after an event, `amount` of `currency` buys a paid grant. */
  autoTopUp?: Record<string, { threshold: DecimalInput; amount: DecimalInput; currency: string }>;
  /** `affordable` and `buys`: the granularity of the largest volume (default 1). */
  volumeStep?: DecimalInput;
}

/** What grant (null: balance no listed grant holds) supplied how much of an event's charge. */
export interface Draw {
  account: string;
  grant: string | null;
  amount: DecimalString;
}

/** One event of a preview: its quote and what it drew. */
export interface PreviewEvent {
  event_id?: string;
  quote: Quote;
  /** Nothing of it was short. */
  covered: boolean;
  /** Not applied: it would have taken a balance past its overdraft limit. */
  refused: boolean;
  draws: Draw[];
  /** What no balance covered, per asset. */
  shortfall: Record<string, DecimalString>;
}

/** How much of an event a balance covers (`affordable`, and what money buys). */
export interface Capacity {
  /** The event as given, quoted. */
  quote: Quote;
  /** The balance measured against, per asset the event is charged in. */
  balance: Record<string, DecimalString>;
  /** How many such events (all at the event's instant) it covers; null when the event costs nothing. */
  count: DecimalString | null;
  /** For a volume price: the largest volume (a multiple of `volumeStep`) whose quote it covers, and its cost. */
  volume: { field: string; value: DecimalString; cost: Record<string, DecimalString> } | null;
  warnings: Issue[];
}

/** What a sum of money buys of an event. */
export interface Buys extends Capacity {
  currency: string;
  amount: DecimalString;
  /** The asset the event is charged in, and the units of it the money buys (rounded down). */
  asset: string;
  units: DecimalString;
}

/** What a run of events would do to a wallet. */
export interface Preview {
  /** No event was short or refused. */
  covered: boolean;
  accounts: Array<{ id: string; asset: string; available: DecimalString; available_after: DecimalString }>;
  /** What no balance covered, per short asset. */
  shortfall: Record<string, DecimalString>;
  /** Per short asset, the top-up that covers it: its cost in `currency` (rounded up to the minor unit) and what that buys. */
  top_up: Record<string, { currency: string; amount: DecimalString; buys: DecimalString; rate: DecimalString; valid_from: Timestamp | null }>;
  events: PreviewEvent[];
  /** The auto top-ups made, after the event (index) that took the balance below its threshold. */
  auto_top_ups: Array<{ event: number; account: string; asset: string; currency: string; amount: DecimalString; buys: DecimalString; grant: string }>;
  /** The wallet's warnings and the preview's own (`missing_account`, `ambiguous_top_up`, ...). */
  warnings: Issue[];
  /** The preview's decisions: refusals, expiries, top-ups and their rounding. */
  explain: Step[];
}

// ---------------------------------------------------------------------------------------------
// Errors and operations

/** The machine code of a thrown error. */
export type ErrorCode =
  | "invalid_json"
  | "invalid_catalog"
  | "invalid_event"
  | "invalid_argument"
  | "no_rate"
  | "decimal_overflow"
  | "invalid_wallet";

/** Every error ratecard throws. `issues` lists each problem with its path and code. */
export declare class RatecardError extends Error {
  constructor(code: ErrorCode, message: string, issues?: Issue[]);
  readonly name: "RatecardError";
  readonly code: ErrorCode;
  readonly issues: Issue[];
}

/** A validated, indexed catalog. Build once, quote many times. */
export declare class Engine {
  /**
   * Throws a `RatecardError` (`invalid_catalog`, with every issue) for a bad catalog; with
   * `{strict: true}` also for one with warnings. A string or bytes (`JsonBytes`) is JSON text.
   */
  constructor(catalog: Catalog | CatalogInput | string | JsonBytes, options?: EngineOptions);
  /** The catalog's warnings (legal but suspicious). */
  readonly warnings: Issue[];
  /** What one event would cost. */
  quote(event: Event | string | JsonBytes, options?: QuoteOptions): Quote;
  /**
   * One quote per event, in order; tiered prices accumulate usage across the batch. Bad events
   * throw one RatecardError with all their issues, or with `onError: "return"` each takes its
   * place as a RatecardError.
   */
  quoteMany(events: Event[] | string | JsonBytes, options: ReturningOptions): Array<Quote | RatecardError>;
  quoteMany(events: Event[] | string | JsonBytes, options?: QuoteOptions): Quote[];
  /**
   * `quoteMany` as a promise that keeps the event loop turning: an array of more than 1,024
   * events is priced in pieces of about 8 ms of the calling thread's time, the loop let through
   * between them and `onProgress(done, total)` called after each (once at the end for a batch
   * in one piece). @ratecard/node prices each piece on a worker thread of libuv's pool;
   * @ratecard/wasm on the calling thread. The answers are `quoteMany`'s: a catalog with a tiered
   * price (quotes then depend on the events before them), a batch given as JSON text, or a
   * piece with a bad event is priced in one piece. Every error rejects the promise with a
   * `RatecardError`.
   */
  quoteManyAsync(
    events: Event[] | string | JsonBytes,
    options: ReturningOptions & AsyncOptions,
  ): Promise<Array<Quote | RatecardError>>;
  quoteManyAsync(events: Event[] | string | JsonBytes, options?: QuoteOptions & AsyncOptions): Promise<Quote[]>;
  /**
   * What `events` would draw from `wallet`, grant by grant, and what is left. Events are priced
   * as `quoteMany` prices them; a bad wallet throws `invalid_wallet` with every issue.
   */
  preview(wallet: Wallet | string | JsonBytes, events: Event[] | string | JsonBytes, options?: PreviewOptions): Preview;
  /**
   * How many more events like `event` the wallet covers at the event's instant, and for a
   * volume price the largest volume it covers. Reads the quote options and `volumeStep`.
   */
  affordable(wallet: Wallet | string | JsonBytes, event: Event | string | JsonBytes, options?: PreviewOptions): Capacity;
  /** What `amount` of `currency` buys of `event` (charged in one asset): e.g. seconds of video for $10. */
  buys(amount: DecimalInput, currency: string, event: Event | string | JsonBytes, options?: PreviewOptions): Buys;
  /**
   * The wallet a new subscriber of `product` gets from its entitlements, subscribing at `at`
   * (default now), with every grant until `until` (default: the first period): ready for `preview`.
   */
  entitlements(product: string, at?: TimeInput, until?: TimeInput): Wallet;
  /** Converts `amount` of `from` into `to` at `at` (default now). */
  convert(amount: DecimalInput, from: string, to: string, at?: TimeInput): Conversion;
  /** Display text from the asset's precision, label and symbol: `📸 1.50 image`, `$0.20`. */
  format(amount: DecimalInput, asset: string): string;
  /**
   * Frees the engine's memory now instead of at garbage collection; the engine is unusable
   * after (calls throw a `RatecardError`), and so is the `explain` of an earlier quote that was
   * not read before `free()` (reading it throws).
   */
  free(): void;
}

/** Options of `validate`. */
export interface ValidateOptions extends EngineOptions {
  /**
   * Example usage events: each field an expression computes with that no example of its event
   * type holds as a number is an `expression_field_not_numeric` warning.
   */
  examples?: Event[];
}

/**
 * Checks a catalog; never throws for a bad catalog, only for text that is not JSON and for bad
 * options or examples.
 */
export declare function validate(catalog: Catalog | CatalogInput | string | JsonBytes | JsonValue, options?: ValidateOptions): Report;

/** The JSON Schema (draft 2020-12) of a catalog. */
export declare function schema(): { [key: string]: JsonValue };

/** The version of the ratecard core inside. */
export declare const version: string;

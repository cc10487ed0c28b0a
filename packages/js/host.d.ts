// The host adapter interface: what ratecard.mjs imports as `#host`, and all that differs between
// @ratecard/wasm (packages/wasm/host.mjs) and @ratecard/node (packages/node/host.mjs). build.mjs
// binds `#host` to the package's adapter when it bundles. Not shipped; for readers and editors.
//
// Conventions: every JSON argument and answer is text. `options` is wire JSON text, or null for
// the defaults; `clock` says whether the host clock may be read (`now: null` says no). A raw
// call that fails throws whatever the host throws; `errorOf` turns it into the core's error.

/** The core's error as a host threw it: `{code, message, issues}`, or undefined when it is not. */
export declare function errorOf(thrown: unknown): { code: string; message: string; issues?: unknown } | undefined;
/**
 * The validation report (JSON) of catalog JSON text; `strict`: warnings count as errors;
 * `examples`: a JSON array of example events the expressions are checked against ("": none).
 */
export declare function validateCatalog(catalog: string, strict: boolean, examples: string): string;
/** The catalog's JSON Schema, as text. */
export declare function schemaText(): string;

/**
 * One raw engine and the memory its tape calls use (tape.mjs, docs/tape.md). Records are
 * written into `u8[start..end)` (`dv` views the same buffer) of the area last asked for with
 * `room` (single quotes) or `recordRoom` (batches and explanations); a host may use one area for
 * both. The area's size, `min`, counts from the start of its buffer, a header included.
 */
export declare class Raw {
  /** `strict`: a catalog with warnings is refused. */
  constructor(catalog: string, strict: boolean);
  u8: Uint8Array;
  dv: DataView;
  start: number;
  end: number;
  /** Where the answer of the last `quoteManyTape` is. */
  answer: Uint8Array;

  room(min: number): void;
  recordRoom(min: number): void;
  /** Tape options (the options JSON text) for later tape calls; false: they do not read. */
  setTapeOptions(options: string): boolean;
  /**
   * Quotes the record of `length` bytes at `start` (`flags`: the scratch header's flags; `untimed`:
   * the event has no instant of its own). The answer's length (it follows the record in `u8`,
   * views made again), 0 for the JSON path, or minus the `room` it needs.
   */
  quoteScratch(flags: number, length: number, untimed: boolean): number;
  /** Quotes the batch of records at `start`: where its answer starts in `answer`, null for the JSON path, or minus the `recordRoom` it needs. */
  quoteManyTape(length: number, flags: number, options: TapeOptions): number | null;
  /** Only where batches can be priced off the calling thread: the answer, or null for the JSON path. */
  quoteManyTapeAsync?(length: number, options: TapeOptions): Promise<Uint8Array | null>;
  /** The explanation steps (JSON) of the record of `length` bytes at `start`, quoted at `at`. */
  explainTape(length: number, options: string | null, at: string): string;

  warnings(): string;
  /** Whether a price is tiered (quotes of a batch then depend on the events before them). */
  tiered(): boolean;
  /** The data fields the catalog's prices read for an event type, joined by U+001F. */
  dataFields(eventType: string): string;
  quote(event: string, options: string | null, clock: boolean): string;
  quoteMany(events: string, options: string | null, clock: boolean): string;
  /** Only where batches can be priced off the calling thread (else quoteManyAsync prices on it). */
  quoteManyAsync?(events: string, options: string | null, clock: boolean): Promise<string>;
  convert(amount: string, from: string, to: string, at: string | null): string;
  preview(wallet: string, events: string, options: string | null, clock: boolean): string;
  affordable(wallet: string, event: string, options: string | null, clock: boolean): string;
  buys(amount: string, currency: string, event: string, options: string | null, clock: boolean): string;
  entitlements(product: string, at: string | null, until: string | null): string;
  format(amount: string, asset: string): string;
  free(): void;
}

/** The tape options of a call: the rest of the options as wire JSON text (null: none). */
export interface TapeOptions {
  text: string | null;
  explain: boolean;
  clock: boolean;
}

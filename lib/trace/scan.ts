/**
 * Scanning a text trace straight into a consumer: bytes are parsed in place
 * (hex to numbers, no strings) into one fixed batch of records, which is
 * handed to a callback each time it fills and then reused. Nothing grows with
 * the trace's length, and nothing is allocated per batch: the fused path
 * behind `sim cache` (read a chunk, parse it, simulate it, read the next).
 *
 * @module
 */
import { LineParser, type RecordSink } from "./_line_parser.ts";
import type { Trace } from "./trace.ts";

/** A fixed batch of records, passed to `onBatch` whenever it is full. */
class BatchSink implements RecordSink {
  readonly ops: Uint8Array;
  readonly addresses: Float64Array;
  readonly sizes: Uint16Array;
  readonly capacity: number;
  readonly onBatch: (batch: Trace) => void;
  length = 0;
  total = 0;

  constructor(capacity: number, onBatch: (batch: Trace) => void) {
    this.capacity = capacity;
    this.onBatch = onBatch;
    this.ops = new Uint8Array(capacity);
    this.addresses = new Float64Array(capacity);
    this.sizes = new Uint16Array(capacity);
  }

  push(op: number, address: number, sizeBytes: number): void {
    const i = this.length;
    this.ops[i] = op;
    this.addresses[i] = address;
    this.sizes[i] = sizeBytes;
    if (++this.length === this.capacity) this.flush();
  }

  flush(): void {
    const n = this.length;
    if (n === 0) return;
    this.length = 0;
    this.total += n;
    this.onBatch({ length: n, ops: this.ops, addresses: this.addresses, sizes: this.sizes });
  }
}

/** Options for {@linkcode TraceScanner}. */
export interface TraceScannerOptions {
  /** Text format: `"lackey"` (default) or `"din"`. */
  format?: "lackey" | "din";
  /** Records per batch (default 8192). */
  batchSize?: number;
  /**
   * Called with each full batch, and with the last one from `finish()`. The batch's arrays
   * are reused for the next batch: use it before returning, do not keep it.
   */
  onBatch: (batch: Trace) => void;
}

/** Records per batch by default: small enough to stay in the CPU's caches while simulated. */
const DEFAULT_BATCH = 8192;

/**
 * Parses trace text chunk by chunk into a reused batch that a callback consumes.
 */
export class TraceScanner {
  readonly #parser: LineParser<BatchSink>;

  /**
   * Create a scanner.
   *
   * @param options Format, batch size and the consumer.
   * @throws {TypeError} for an unknown format; {RangeError} for a bad batch size.
   *
   * @example Count stores in chunks that split a line
   * ```ts
   * import { OP_STORE, TraceScanner } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * let stores = 0;
   * const scanner = new TraceScanner({
   *   batchSize: 2,
   *   onBatch(batch) {
   *     for (let i = 0; i < batch.length; i++) stores += batch.ops[i] === OP_STORE ? 1 : 0;
   *   },
   * });
   * const bytes = new TextEncoder().encode(" S 10,4\n L 14,4\n S 18,4\n");
   * scanner.push(bytes.subarray(0, 11));
   * scanner.push(bytes.subarray(11));
   * scanner.finish();
   * assert.deepEqual([stores, scanner.accesses, scanner.lines], [2, 3, 3]);
   * ```
   */
  constructor(options: TraceScannerOptions) {
    const format = options.format ?? "lackey";
    if (format !== "lackey" && format !== "din") {
      throw new TypeError(
        `Cannot scan trace: format must be "lackey" or "din": received ${JSON.stringify(format)}`,
      );
    }
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 2 ** 24) {
      throw new RangeError(
        `Cannot scan trace: batchSize must be an integer in [1, 2^24]: received ${batchSize}`,
      );
    }
    if (typeof options.onBatch !== "function") {
      throw new TypeError(
        `Cannot scan trace: onBatch must be a function: received ${typeof options.onBatch}`,
      );
    }
    this.#parser = new LineParser(format, new BatchSink(batchSize, options.onBatch));
  }

  /** Lines seen so far (complete lines, and the final one after `finish()`). */
  get lines(): number {
    return this.#parser.line;
  }

  /** Records handed to `onBatch` so far, plus those waiting in the current batch. */
  get accesses(): number {
    return this.#parser.builder.total + this.#parser.builder.length;
  }

  /** Largest partial line held between chunks so far, in bytes. */
  get maxCarryBytes(): number {
    return this.#parser.maxCarryBytes;
  }

  /**
   * Parse the complete lines of `bytes`; a partial last line waits for the next chunk. The
   * bytes are not kept, so the caller may reuse its buffer.
   *
   * @param bytes The next chunk of trace text.
   * @returns Nothing; full batches go to `onBatch`.
   * @throws {SyntaxError} naming the line number and content of a malformed line.
   *
   * @example A malformed line
   * ```ts
   * import { TraceScanner } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const scanner = new TraceScanner({ format: "din", onBatch() {} });
   * assert.throws(() => scanner.push(new TextEncoder().encode("0 10\n7 20\n")), /line 2 label must be 0/);
   * ```
   */
  push(bytes: Uint8Array): void {
    this.#parser.push(bytes);
  }

  /**
   * Parse the last line (if it had no newline) and hand over the last batch.
   *
   * @returns Nothing.
   * @throws {SyntaxError} for a malformed last line.
   *
   * @example The last line needs no newline
   * ```ts
   * import { TraceScanner } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const seen: number[] = [];
   * const scanner = new TraceScanner({ onBatch: (b) => seen.push(...b.addresses.subarray(0, b.length)) });
   * scanner.push(new TextEncoder().encode(" L 10,4\n L 20,4"));
   * scanner.finish();
   * assert.deepEqual(seen, [0x10, 0x20]);
   * ```
   */
  finish(): void {
    this.#parser.finish();
    this.#parser.builder.flush();
  }
}

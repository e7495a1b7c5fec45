/**
 * Streaming trace parsing: bytes arrive in chunks (a `ReadableStream`, any
 * async or sync iterable), are gunzipped on the fly with fflate when they
 * start with the gzip magic bytes, and come out as batches of accesses, so a
 * trace of any length is parsed in constant memory. No file I/O here:
 * callers open files (see `openTraceFile` in `lib/io`).
 *
 * @module
 */
import { Gunzip } from "fflate";
import { Crc32 } from "./_crc32.ts";
import { LineParser } from "./_line_parser.ts";
import { concatTraces, type Trace, TraceBuilder } from "./trace.ts";

/** Where trace bytes come from. */
export type ByteSource =
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>
  | Uint8Array;

/** Counters filled in while a stream is parsed; pass one in to watch memory use by counting. */
export interface TraceStreamStats {
  /** Bytes read from the source (compressed when gzip). */
  bytesIn: number;
  /** Bytes of trace text parsed (after gunzip). */
  textBytes: number;
  /** Accesses produced. */
  accesses: number;
  /** Batches yielded. */
  batches: number;
  /** Largest batch yielded, in accesses. */
  maxBatchLength: number;
  /** Largest partial line held between chunks, in bytes. */
  maxCarryBytes: number;
  /** Whether the input was gzip. */
  gzip: boolean;
}

/** Options for {@linkcode parseTraceStream} and {@linkcode readTrace}. */
export interface TraceStreamOptions {
  /** Text format: `"lackey"` (default) or `"din"`. */
  format?: "lackey" | "din";
  /** Yield a batch once it holds at least this many accesses (default 65536). */
  batchSize?: number;
  /** `"auto"` (default) detects gzip by its magic bytes; `true` or `false` forces it. */
  gzip?: boolean | "auto";
  /** Counters to fill in. */
  stats?: TraceStreamStats;
}

/** Input is parsed in slices of this size, so one huge chunk still yields bounded batches. */
const SLICE_BYTES = 16384;

/**
 * Create a zeroed {@linkcode TraceStreamStats}.
 *
 * @returns Counters, all zero.
 *
 * @example Fresh counters
 * ```ts
 * import { createTraceStreamStats } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(createTraceStreamStats().accesses, 0);
 * ```
 */
export function createTraceStreamStats(): TraceStreamStats {
  return {
    bytesIn: 0,
    textBytes: 0,
    accesses: 0,
    batches: 0,
    maxBatchLength: 0,
    maxCarryBytes: 0,
    gzip: false,
  };
}

async function* chunksOf(source: ByteSource, end: Uint8Array): AsyncGenerator<Uint8Array> {
  yield* chunksOfSource(source);
  yield end;
}

async function* chunksOfSource(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  if (source instanceof ReadableStream) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  yield* source as AsyncIterable<Uint8Array>;
}

function gzipError(message: string, cause?: unknown): SyntaxError {
  return new SyntaxError(`Cannot read gzip trace: ${message}`, { cause });
}

/**
 * Parse a trace from a stream of bytes, batch by batch, gunzipping on the fly.
 *
 * @param source The bytes: a `ReadableStream`, an (async) iterable of chunks, or one array.
 * @param options Format, batch size, gzip handling, counters.
 * @returns An async generator of traces, each holding about `batchSize` accesses.
 * @throws {SyntaxError} for a malformed line (with its number) or corrupt or truncated gzip data.
 *
 * @example Gzip bytes in two chunks
 * ```ts
 * import { gzipSync } from "fflate";
 * import { parseTraceStream } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const gz = gzipSync(new TextEncoder().encode(" L 10,4\n S 20,4\n"));
 * let n = 0;
 * for await (const batch of parseTraceStream([gz.subarray(0, 7), gz.subarray(7)])) n += batch.length;
 * assert.equal(n, 2);
 * ```
 */
export async function* parseTraceStream(
  source: ByteSource,
  options: TraceStreamOptions = {},
): AsyncGenerator<Trace> {
  const format = options.format ?? "lackey";
  if (format !== "lackey" && format !== "din") {
    throw new TypeError(
      `Cannot parse trace: format must be "lackey" or "din": received ${JSON.stringify(format)}`,
    );
  }
  const batchSize = options.batchSize ?? 65536;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(
      `Cannot parse trace: batchSize must be a positive integer: received ${batchSize}`,
    );
  }
  const stats = options.stats ?? createTraceStreamStats();
  const parser = new LineParser(format, new TraceBuilder(batchSize + 1024));
  let gzip: boolean | undefined = options.gzip === "auto" || options.gzip === undefined
    ? undefined
    : options.gzip;
  let gz: Gunzip | null = null;
  const crc = new Crc32();
  const tail = new Uint8Array(8);
  let tailLength = 0;
  let members = 0;
  let parseError: unknown = null;

  const take = (): Trace => {
    const t = parser.builder.build();
    parser.builder = new TraceBuilder(batchSize + 1024);
    stats.batches++;
    stats.accesses += t.length;
    if (t.length > stats.maxBatchLength) stats.maxBatchLength = t.length;
    stats.maxCarryBytes = parser.maxCarryBytes;
    return t;
  };
  const text = (d: Uint8Array): void => {
    stats.textBytes += d.length;
    parser.push(d);
  };
  const keepTail = (d: Uint8Array): void => {
    if (d.length >= 8) {
      tail.set(d.subarray(d.length - 8));
      tailLength = 8;
    } else {
      const keep = Math.min(tailLength, 8 - d.length);
      tail.copyWithin(0, tailLength - keep, tailLength);
      tail.set(d, keep);
      tailLength = keep + d.length;
    }
  };
  const feed = (d: Uint8Array, final: boolean): void => {
    try {
      gz!.push(d, final);
    } catch (e) {
      throw gzipError(`data is corrupt or truncated (${(e as Error).message})`, e);
    }
  };

  let head: Uint8Array | null = null; // the first byte, while gzip detection waits for a second
  const finalChunk = new Uint8Array(0);
  for await (let chunk of chunksOf(source, finalChunk)) {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot parse trace: chunks must be Uint8Array: received ${Object.prototype.toString.call(chunk)}`,
      );
    }
    if (chunk === finalChunk) {
      if (head === null) break;
      chunk = head; // a one-byte input: not gzip
      head = null;
      gzip = false;
    } else {
      if (chunk.length === 0) continue;
      stats.bytesIn += chunk.length;
    }
    if (gzip === undefined) {
      if (head !== null) {
        const joined = new Uint8Array(1 + chunk.length);
        joined[0] = head[0];
        joined.set(chunk, 1);
        chunk = joined;
        head = null;
      } else if (chunk.length < 2) {
        head = chunk.slice();
        continue;
      }
      gzip = chunk[0] === 0x1f && chunk[1] === 0x8b;
    }
    if (gzip) {
      if (gz === null) {
        stats.gzip = true;
        gz = new Gunzip((d) => {
          crc.update(d);
          if (parseError !== null) stats.textBytes += d.length;
          else {
            try {
              text(d);
            } catch (e) {
              // Maybe a real malformed line, maybe corruption: decide after the checksum.
              parseError = e;
            }
          }
        });
        gz.onmember = () => members++;
      }
      keepTail(chunk);
      for (let at = 0; at < chunk.length; at += SLICE_BYTES) {
        feed(chunk.subarray(at, at + SLICE_BYTES), false);
        if (parser.builder.length >= batchSize) yield take();
      }
    } else {
      for (let at = 0; at < chunk.length; at += SLICE_BYTES) {
        text(chunk.subarray(at, at + SLICE_BYTES));
        if (parser.builder.length >= batchSize) yield take();
      }
    }
  }
  if (gz !== null) {
    feed(new Uint8Array(0), true);
    if (members <= 1) {
      if (tailLength < 8) throw gzipError("data is truncated: no trailer");
      const dv = new DataView(tail.buffer);
      const want = dv.getUint32(0, true);
      const size = dv.getUint32(4, true);
      const got = crc.digest();
      if (want !== got) {
        throw gzipError(
          `checksum mismatch: trailer says ${want.toString(16)}, data gives ${got.toString(16)}`,
        );
      }
      if (size !== stats.textBytes % 0x1_0000_0000) {
        throw gzipError(
          `length mismatch: trailer says ${size} bytes, data has ${stats.textBytes}`,
        );
      }
    }
    if (parseError !== null) throw parseError;
  } else if (gzip === true && stats.bytesIn === 0) {
    throw gzipError("data is empty");
  }
  parser.finish();
  if (parser.builder.length > 0 || stats.batches === 0) yield take();
}

/**
 * Parse a whole trace from bytes (plain or gzip) into one in-memory trace.
 *
 * @param source The bytes, as for {@linkcode parseTraceStream}.
 * @param options Format and gzip handling.
 * @returns The trace.
 * @throws {SyntaxError} as {@linkcode parseTraceStream} does.
 *
 * @example A din trace from a stream
 * ```ts
 * import { readTrace } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode("0 100\n1 104\n");
 * const t = await readTrace(new Blob([bytes]).stream(), { format: "din" });
 * assert.deepEqual([...t.addresses], [0x100, 0x104]);
 * ```
 */
export async function readTrace(
  source: ByteSource,
  options: TraceStreamOptions = {},
): Promise<Trace> {
  const parts: Trace[] = [];
  for await (const t of parseTraceStream(source, options)) parts.push(t);
  return parts.length === 1 ? parts[0] : concatTraces(parts);
}

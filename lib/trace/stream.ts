/**
 * Streaming trace parsing: bytes arrive in chunks (a `ReadableStream`, any
 * async or sync iterable), are gunzipped on the fly with fflate when they
 * start with the gzip magic bytes, and come out as batches of accesses, so a
 * trace of any length is parsed in constant memory. No file I/O here:
 * callers open files (see `openTraceFile` in `lib/io`).
 *
 * Gzip is read as `zcat` reads it: a file of several members (`cat a.gz b.gz`)
 * gives the text of all of them, and zero padding after the last member is
 * ignored. Other bytes after a member are refused with their byte offset
 * (gzip itself warns "trailing garbage ignored" and exits with status 2).
 *
 * @module
 */
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
  /** Gzip members read whole (a file made with `cat a.gz b.gz` has two). */
  gzipMembers: number;
  /** Most decompressed bytes held at once before parsing (bounded by the inflater's writes). */
  maxInflatedBytes: number;
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
  /**
   * Gunzip with node:zlib (`"zlib"`, the default): member by member like `zcat`, every
   * trailer checked, zero padding after the last member ignored as gzip does, any other
   * trailing bytes an error naming their byte offset. Or with fflate's pure-JavaScript
   * `Gunzip` (`"fflate"`), which also reads several members but checks the trailer only of a
   * single-member file and reports trailing bytes as corrupt data, without an offset.
   */
  inflater?: "zlib" | "fflate";
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
    gzipMembers: 0,
    maxInflatedBytes: 0,
  };
}

async function* chunksOf(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  if (source instanceof ReadableStream) {
    const reader = source.getReader();
    let finished = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          return;
        }
        yield value;
      }
    } finally {
      // Stopped early (an error, or the consumer broke off): cancel, so a file stream closes.
      if (!finished) await reader.cancel().catch(() => {});
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
  const inflater = options.inflater ?? "zlib";
  if (inflater !== "zlib" && inflater !== "fflate") {
    throw new TypeError(
      `Cannot parse trace: inflater must be "zlib" or "fflate": received ${
        JSON.stringify(inflater)
      }`,
    );
  }
  const it = chunksOf(source)[Symbol.asyncIterator]();
  try {
    yield* parseChunks(it, options, format, batchSize, inflater);
  } finally {
    // However parsing ends (done, error, consumer broke off), release the source.
    await it.return(undefined);
  }
}

async function* parseChunks(
  it: AsyncIterator<Uint8Array>,
  options: TraceStreamOptions,
  format: "lackey" | "din",
  batchSize: number,
  inflater: "zlib" | "fflate",
): AsyncGenerator<Trace> {
  const stats = options.stats ?? createTraceStreamStats();
  const parser = new LineParser(format, new TraceBuilder(batchSize + 1024));
  // Read ahead until two bytes are known, to recognise gzip's magic number.
  const checked = (chunk: unknown): Uint8Array => {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot parse trace: chunks must be Uint8Array: received ${
          Object.prototype.toString.call(chunk)
        }`,
      );
    }
    stats.bytesIn += chunk.length;
    return chunk;
  };
  const head: Uint8Array[] = [];
  let headBytes = 0;
  while (headBytes < 2) {
    const r = await it.next();
    if (r.done) break;
    const c = checked(r.value);
    if (c.length === 0) continue;
    head.push(c);
    headBytes += c.length;
  }
  const peek = (k: number) => head[0]?.length > k ? head[0][k] : head[1]?.[0];
  const gzip = options.gzip === undefined || options.gzip === "auto"
    ? peek(0) === 0x1f && peek(1) === 0x8b
    : options.gzip;
  stats.gzip = gzip;
  const input = async function* (): AsyncGenerator<Uint8Array> {
    yield* head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield checked(r.value);
    }
  };

  const take = (): Trace => {
    const t = parser.builder.build();
    parser.builder = new TraceBuilder(batchSize + 1024);
    stats.batches++;
    stats.accesses += t.length;
    if (t.length > stats.maxBatchLength) stats.maxBatchLength = t.length;
    stats.maxCarryBytes = parser.maxCarryBytes;
    return t;
  };
  let parseError: unknown = null;
  let parseErrorAt = 0;
  /**
   * Parse text; after a malformed line only count bytes for a while (up to 1 MiB more), so
   * gzip corruption can still be told apart, then report the line.
   */
  const text = (d: Uint8Array): void => {
    stats.textBytes += d.length;
    if (parseError !== null) {
      if (stats.textBytes - parseErrorAt > 1 << 20) throw parseError;
      return;
    }
    try {
      for (let at = 0; at < d.length; at += SLICE_BYTES) {
        parser.push(at === 0 && d.length <= SLICE_BYTES ? d : d.subarray(at, at + SLICE_BYTES));
      }
    } catch (e) {
      parseError = e;
      parseErrorAt = stats.textBytes;
    }
  };

  if (!gzip) {
    for await (const chunk of input()) {
      for (let at = 0; at < chunk.length; at += SLICE_BYTES) {
        text(chunk.subarray(at, at + SLICE_BYTES));
        if (parseError !== null) throw parseError;
        if (parser.builder.length >= batchSize) yield take();
      }
    }
  } else if (headBytes === 0 && inflater === "fflate") {
    throw gzipError("data is empty");
  } else if (inflater === "zlib") {
    // Loaded only for gzip input, so plain traces do not pay for node:zlib at start-up.
    const { gunzipMembers } = await import("./_gzip.ts");
    const counters = { members: 0, maxPendingBytes: 0 };
    try {
      for await (const d of gunzipMembers(input()[Symbol.asyncIterator](), counters)) {
        for (let at = 0; at < d.length; at += SLICE_BYTES) {
          text(d.subarray(at, at + SLICE_BYTES));
          if (parser.builder.length >= batchSize) yield take();
        }
      }
    } finally {
      stats.gzipMembers = counters.members;
      stats.maxInflatedBytes = counters.maxPendingBytes;
    }
  } else {
    // fflate is loaded only when asked for.
    const { Gunzip } = await import("fflate");
    const crc = new Crc32();
    const tail = new Uint8Array(8);
    let tailLength = 0;
    let members = 0;
    const gz = new Gunzip((d) => {
      crc.update(d);
      text(d);
    });
    gz.onmember = () => members++;
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
        gz.push(d, final);
      } catch (e) {
        if (e === parseError) throw e;
        throw gzipError(`data is corrupt or truncated (${(e as Error).message})`, e);
      }
    };
    for await (const chunk of input()) {
      keepTail(chunk);
      for (let at = 0; at < chunk.length; at += SLICE_BYTES) {
        feed(chunk.subarray(at, at + SLICE_BYTES), false);
        if (parser.builder.length >= batchSize) yield take();
      }
    }
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
  }
  if (parseError !== null) throw parseError;
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

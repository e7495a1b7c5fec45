/**
 * Open trace files for the streaming parser in `lib/trace`: the file is read
 * in chunks, never whole, and gzip is detected by the `.gz` extension (or,
 * failing that, by the magic bytes).
 *
 * @module
 */
// Imports name single modules, not lib/trace/mod.ts, so `sim cache` loads only what it runs.
import { TraceScanner } from "../trace/scan.ts";
import { parseTraceStream, type TraceStreamOptions } from "../trace/stream.ts";
import { concatTraces, type Trace } from "../trace/trace.ts";

/**
 * Open a trace file as a stream of byte chunks.
 *
 * @param path The file path.
 * @returns The file's bytes as a `ReadableStream` (closed when fully read or cancelled).
 * @throws {Deno.errors.NotFound} with the path in the message if the file does not exist.
 * @throws {Deno.errors.IsADirectory} with the path if it names a directory.
 *
 * @example Stream a small file
 * ```ts
 * import { openTraceFile, readTrace } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile({ suffix: ".trace" });
 * await Deno.writeTextFile(path, " L 10,4\n S 14,4\n");
 * const trace = await readTrace(await openTraceFile(path));
 * assert.equal(trace.length, 2);
 * await Deno.remove(path);
 * ```
 */
export async function openTraceFile(path: string): Promise<ReadableStream<Uint8Array>> {
  return (await openFile(path)).readable;
}

/** Open a file for reading; a missing file or a directory is an error naming the path. */
async function openFile(path: string): Promise<Deno.FsFile> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`Cannot open trace: file not found: received "${path}"`, {
        cause: e,
      });
    }
    throw new Error(`Cannot open trace: ${(e as Error).message}: received "${path}"`, {
      cause: e,
    });
  }
  const info = await file.stat();
  if (info.isDirectory) {
    file.close();
    throw new Deno.errors.IsADirectory(
      `Cannot open trace: the path is a directory, not a trace file: received "${path}"`,
    );
  }
  return file;
}

/**
 * Options for {@linkcode readTraceFile}: as for `parseTraceStream`; the
 * format defaults to `din` for `.din` / `.din.gz` files and `lackey` otherwise.
 */
export type TraceFileOptions = TraceStreamOptions;

/**
 * The stream options a path implies: gzip when it ends in `.gz`, din when it ends in `.din(.gz)`.
 *
 * @param path The file path.
 * @param options Explicit options, which win.
 * @returns The options to pass to `parseTraceStream`.
 *
 * @example By extension
 * ```ts
 * import { traceFileOptions } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(traceFileOptions("data/traces/sum.trace.gz"), { format: "lackey", gzip: true });
 * assert.deepEqual(traceFileOptions("x.din"), { format: "din", gzip: "auto" });
 * ```
 */
export function traceFileOptions(path: string, options: TraceFileOptions = {}): TraceFileOptions {
  const gz = /\.gz$/i.test(path);
  const base = gz ? path.slice(0, -3) : path;
  return {
    format: /\.din$/i.test(base) ? "din" : "lackey",
    gzip: gz ? true : "auto",
    ...options,
  };
}

/**
 * Stream a trace file batch by batch (constant memory).
 *
 * @param path The file path.
 * @param options Stream options; format and gzip default from the extension.
 * @returns An async generator of trace batches.
 * @throws {SyntaxError} with the path, for a malformed line or corrupt gzip data.
 *
 * @example Count accesses without holding them
 * ```ts
 * import { streamTraceFile } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile({ suffix: ".din" });
 * await Deno.writeTextFile(path, "0 10\n1 20\n");
 * let n = 0;
 * for await (const batch of streamTraceFile(path)) n += batch.length;
 * assert.equal(n, 2);
 * await Deno.remove(path);
 * ```
 */
export async function* streamTraceFile(
  path: string,
  options: TraceFileOptions = {},
): AsyncGenerator<Trace> {
  try {
    yield* parseTraceStream(await openTraceFile(path), traceFileOptions(path, options));
  } catch (e) {
    if (e instanceof SyntaxError) throw new SyntaxError(`${path}: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * Read a whole trace file into memory.
 *
 * @param path The file path.
 * @param options Stream options; format and gzip default from the extension.
 * @returns The trace.
 * @throws {SyntaxError} with the path, for a malformed line or corrupt gzip data.
 *
 * @example Read a gzip trace
 * ```ts
 * import { gzipSync } from "fflate";
 * import { readTraceFile } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile({ suffix: ".trace.gz" });
 * await Deno.writeFile(path, gzipSync(new TextEncoder().encode(" L 10,4\n")));
 * assert.equal((await readTraceFile(path)).addresses[0], 0x10);
 * await Deno.remove(path);
 * ```
 */
export async function readTraceFile(path: string, options: TraceFileOptions = {}): Promise<Trace> {
  const parts: Trace[] = [];
  for await (const t of streamTraceFile(path, options)) parts.push(t);
  return parts.length === 1 ? parts[0] : concatTraces(parts);
}

/** What {@linkcode scanTraceFile} read. */
export interface TraceScanSummary {
  /** Records handed to the consumer. */
  accesses: number;
  /** Lines of text read. */
  lines: number;
  /** Bytes of trace text (after gunzip). */
  textBytes: number;
  /** Whether the file was gzip. */
  gzip: boolean;
}

/**
 * Bytes read at a time, into one reused buffer. Measured on the 66 MB lackey trace of
 * `ls -la /usr/bin` (CPU time, best of 5, 2 busy vCPUs): reads of 64 KiB to 4 MiB with
 * batches of 1 Ki to 64 Ki records all scanned and simulated it in 242-266 ms, except 64 KiB
 * reads with the smallest or largest batches (288-301 ms); 1 MiB and 8192 sit in the middle.
 */
const READ_BYTES = 1 << 20;

/**
 * Read a trace file and hand its records to `onBatch` in batches, as fast as the file can be
 * parsed: the text is read in large chunks into one reused buffer (or gunzipped member by
 * member, like `zcat`), parsed in place, and each batch is reused once `onBatch` returns.
 * Memory does not grow with the trace.
 *
 * @param path The file; `.gz` (or gzip magic bytes) is gunzipped, `.din(.gz)` is Dinero din.
 * @param onBatch Called with each batch of records; it must not keep the batch.
 * @param options Format (default from the extension), records per batch (default 8192) and
 *   bytes per read (default 1 MiB).
 * @returns How much was read.
 * @throws {SyntaxError} starting with the path, for a malformed line (with its number) or bad gzip data.
 *
 * @example Count loads without holding the trace
 * ```ts
 * import { OP_LOAD, scanTraceFile } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile({ suffix: ".din" });
 * await Deno.writeTextFile(path, "0 10\n1 20\n0 30\n");
 * let loads = 0;
 * const summary = await scanTraceFile(path, (batch) => {
 *   for (let i = 0; i < batch.length; i++) loads += batch.ops[i] === OP_LOAD ? 1 : 0;
 * });
 * assert.deepEqual([loads, summary.accesses, summary.gzip], [2, 3, false]);
 * await Deno.remove(path);
 * ```
 */
export async function scanTraceFile(
  path: string,
  onBatch: (batch: Trace) => void,
  options: { format?: "lackey" | "din"; batchSize?: number; readBytes?: number } = {},
): Promise<TraceScanSummary> {
  const readBytes = options.readBytes ?? READ_BYTES;
  if (!Number.isInteger(readBytes) || readBytes < 1 || readBytes > 2 ** 28) {
    throw new RangeError(
      `Cannot scan trace: readBytes must be an integer in [1, 2^28]: received ${readBytes}`,
    );
  }
  const byName = traceFileOptions(path);
  const scanner = new TraceScanner({
    format: options.format ?? byName.format,
    batchSize: options.batchSize,
    onBatch,
  });
  const file = await openFile(path);
  let textBytes = 0;
  let gzip = false;
  try {
    const buffer = new Uint8Array(readBytes);
    // Synchronous reads: no hop through the runtime's thread pool for each chunk.
    let n = file.readSync(buffer);
    gzip = n !== null && n >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
    if (byName.gzip === true && !gzip) gzip = true; // a .gz name: let the gunzip say what is wrong
    if (!gzip) {
      while (n !== null) {
        textBytes += n;
        scanner.push(buffer.subarray(0, n));
        n = file.readSync(buffer);
      }
    } else {
      const { gunzipMembers } = await import("../trace/_gzip.ts");
      const first = buffer.slice(0, n ?? 0);
      const compressed = async function* (): AsyncGenerator<Uint8Array> {
        if (first.length > 0) yield first;
        // One buffer, reused: the gunzip is done with a chunk (every write to the inflater
        // has called back, headers and trailers are copied) before it asks for the next.
        const chunk = new Uint8Array(readBytes);
        for (;;) {
          const got = file.readSync(chunk);
          if (got === null) return;
          yield chunk.subarray(0, got);
        }
      };
      const counters = { members: 0, maxPendingBytes: 0 };
      for await (const text of gunzipMembers(compressed()[Symbol.asyncIterator](), counters)) {
        textBytes += text.length;
        scanner.push(text);
      }
    }
    scanner.finish();
  } catch (e) {
    if (e instanceof SyntaxError) throw new SyntaxError(`${path}: ${e.message}`, { cause: e });
    throw e;
  } finally {
    file.close();
  }
  return { accesses: scanner.accesses, lines: scanner.lines, textBytes, gzip };
}

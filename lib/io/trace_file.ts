/**
 * Open trace files for the streaming parser in `lib/trace`: the file is read
 * in chunks, never whole, and gzip is detected by the `.gz` extension (or,
 * failing that, by the magic bytes).
 *
 * @module
 */
import { parseTraceStream, type Trace, type TraceStreamOptions } from "../trace/mod.ts";
import { concatTraces } from "../trace/trace.ts";

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
  return file.readable;
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

import { gunzipSync } from "fflate";
import { z } from "zod";
import { issueText } from "../trace/_validate.ts";

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * Whether bytes start with the gzip magic number.
 *
 * @param bytes The bytes to inspect.
 * @returns `true` when `bytes` begins with `1f 8b`.
 *
 * @example Spot a gzip stream
 * ```ts
 * import { isGzip } from "memgarden";
 * import { gzipSync } from "fflate";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isGzip(gzipSync(new Uint8Array([1, 2, 3]))), true);
 * assert.equal(isGzip(new Uint8Array([1, 2, 3])), false);
 * ```
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1;
}

/**
 * Decompress gzip bytes, with an error that names the source when they are corrupt.
 *
 * @param bytes The gzip stream.
 * @param source A name for error messages (usually the file path).
 * @returns The decompressed bytes.
 *
 * @example Round trip
 * ```ts
 * import { gunzip } from "memgarden";
 * import { gzipSync } from "fflate";
 * import assert from "node:assert/strict";
 *
 * const data = new TextEncoder().encode("garden");
 * assert.deepEqual(gunzip(gzipSync(data), "inline"), data);
 * assert.throws(() => gunzip(new Uint8Array([0x1f, 0x8b, 0, 0]), "bad.gz"), /bad.gz/);
 * ```
 */
export function gunzip(bytes: Uint8Array, source: string): Uint8Array {
  if (!isGzip(bytes)) {
    throw new SyntaxError(
      `Cannot read ${source}: not a gzip stream: expected bytes 1f 8b, received ${
        hexPrefix(bytes)
      }`,
    );
  }
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new SyntaxError(
      `Cannot read ${source}: corrupt gzip data: ${err instanceof Error ? err.message : err}`,
      { cause: err },
    );
  }
}

function hexPrefix(bytes: Uint8Array): string {
  if (bytes.length === 0) return "an empty file";
  return [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

/**
 * Read a file's bytes, decompressing it when its name ends in `.gz`.
 *
 * @param path The file to read.
 * @returns The (decompressed) contents.
 *
 * @example Read a gzip file
 * ```ts
 * import { readDataBytes } from "memgarden";
 * import { gzipSync } from "fflate";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile({ suffix: ".gz" });
 * await Deno.writeFile(path, gzipSync(new TextEncoder().encode("hi")));
 * assert.equal(new TextDecoder().decode(await readDataBytes(path)), "hi");
 * await Deno.remove(path);
 * ```
 */
export async function readDataBytes(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot read ${path}: no such file`, { cause: err });
    }
    if (err instanceof Deno.errors.IsADirectory) {
      throw new Error(`Cannot read ${path}: it is a directory, not a file`, { cause: err });
    }
    throw err;
  }
  return path.endsWith(".gz") ? gunzip(bytes, path) : bytes;
}

/**
 * Parse JSON text and validate it with a zod schema; errors name the source,
 * the line for bad JSON, and each invalid field with its rule.
 *
 * @param text The JSON text.
 * @param schema The zod schema the data must satisfy.
 * @param source A name for error messages.
 * @returns The validated data.
 *
 * @example A field that breaks its rule
 * ```ts
 * import { parseJsonData } from "memgarden";
 * import { z } from "zod";
 * import assert from "node:assert/strict";
 *
 * const Level = z.object({ sizeBytes: z.number().positive() });
 * assert.deepEqual(parseJsonData('{"sizeBytes": 64}', Level, "x.json"), { sizeBytes: 64 });
 * assert.throws(() => parseJsonData('{"sizeBytes": -1}', Level, "x.json"), /x.json.*sizeBytes/s);
 * ```
 */
export function parseJsonData<T extends z.ZodType>(
  text: string,
  schema: T,
  source: string,
): z.infer<T> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const where = jsonErrorLine(text, err);
    throw new SyntaxError(
      `Cannot read ${source}: invalid JSON${where}: ${err instanceof Error ? err.message : err}`,
      { cause: err },
    );
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    // One line: the first problem's field, rule and value; the rest are counted (all of them
    // are in the error's cause).
    const issues = parsed.error.issues;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : "";
    throw new TypeError(
      `Cannot read ${source}: the data does not match its schema: ${
        issueText(parsed.error, data, "the document")
      }${more}`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/** Find the line of a JSON.parse error from V8's message (position, line or snippet). */
function jsonErrorLine(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : "";
  const line = /\(line (\d+) column \d+\)/.exec(message);
  if (line) return ` at line ${line[1]}`;
  let offset = -1;
  const pos = /position (\d+)/.exec(message);
  if (pos) offset = Number(pos[1]);
  const snippet = /^Unexpected token '(.)', (?:\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON/
    .exec(
      message,
    );
  if (offset < 0 && snippet) {
    const start = text.indexOf(snippet[2]);
    if (start >= 0) offset = text.indexOf(snippet[1], start);
  }
  if (offset < 0) return "";
  return ` at line ${text.slice(0, offset).split("\n").length}`;
}

/**
 * Load a JSON (or `.json.gz`) data file and validate it with a zod schema.
 *
 * @param path The file to read.
 * @param schema The zod schema the data must satisfy.
 * @returns The validated data.
 *
 * @example Load a small data file
 * ```ts
 * import { loadJsonData } from "memgarden";
 * import { z } from "zod";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await Deno.writeTextFile(path, '{"pageBytes": 4096}');
 * const data = await loadJsonData(path, z.object({ pageBytes: z.number() }));
 * assert.equal(data.pageBytes, 4096);
 * await Deno.remove(path);
 * ```
 */
export async function loadJsonData<T extends z.ZodType>(
  path: string,
  schema: T,
): Promise<z.infer<T>> {
  const bytes = await readDataBytes(path);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (err) {
    throw new SyntaxError(`Cannot read ${path}: not UTF-8 text`, { cause: err });
  }
  return parseJsonData(text, schema, path);
}

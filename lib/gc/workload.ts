/**
 * Mutator workloads for the simulated collectors: a small text format (one
 * operation a line), its parser and printer, and a seeded generator with
 * tunable object lifetimes and allocation rate.
 *
 * The format:
 *
 * ```text
 * # comments and blank lines are allowed
 * new o1 24 2      # allocate o1: 24 bytes, 2 null pointer fields (8 bytes each); not a root
 * root o1          # add one root reference (a stack slot or a global)
 * new o2 16 0
 * set o1 0 o2      # field 0 of o1 now points to o2 (or: set o1 0 null)
 * unroot o1        # remove one root reference
 * gc               # a full collection now
 * ```
 *
 * @module
 */
import { z } from "zod";
import type { Prng } from "../random/mod.ts";
import { createPrng } from "../random/mod.ts";
import { shownText } from "../trace/_validate.ts";

/** One mutator operation; `line` is its 1-based line in the text it came from. */
export type GcOp =
  | { op: "new"; id: string; sizeBytes: number; fieldCount: number; line: number }
  | { op: "set"; id: string; field: number; target: string | null; line: number }
  | { op: "root"; id: string; line: number }
  | { op: "unroot"; id: string; line: number }
  | { op: "gc"; line: number };

/** Most operations one workload may hold (memory stays bounded). */
export const GC_WORKLOAD_MAX_OPS = 1_000_000;
const MAX_SIZE = 2 ** 40;
const MAX_FIELDS = 1_000_000;

function fail(line: number, message: string, text: string): never {
  // A runaway line (a whole file without newlines, say) is cut, with its length said.
  throw new SyntaxError(
    `Cannot parse workload: line ${line}: ${message}: received ${shownText(text)}`,
  );
}

function integer(
  token: string,
  line: number,
  what: string,
  min: number,
  max: number,
  text: string,
) {
  if (!/^\d+$/.test(token)) fail(line, `${what} must be a whole number`, text);
  const n = Number(token);
  if (n < min || n > max) fail(line, `${what} must be from ${min} to ${max}`, text);
  return n;
}

/**
 * Parse a workload: one operation a line, `#` comments and blank lines allowed.
 *
 * @param text The workload text.
 * @returns The operations, each with its line number.
 * @throws {SyntaxError} For a malformed line, naming the line, the rule and the text.
 *
 * @example Two objects and a collection
 * ```ts
 * import { parseGcWorkload } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const ops = parseGcWorkload("new a 16 1\nroot a\n\n# a comment\ngc");
 * assert.deepEqual(ops.map((o) => [o.op, o.line]), [["new", 1], ["root", 2], ["gc", 5]]);
 * assert.throws(() => parseGcWorkload("new a 16\n"), /line 1: new takes ID SIZE FIELDS/);
 * ```
 */
export function parseGcWorkload(text: string): GcOp[] {
  if (typeof text !== "string") {
    throw new TypeError(`Cannot parse workload: text must be a string: received ${typeof text}`);
  }
  const ops: GcOp[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i];
    const hash = raw.indexOf("#");
    const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (body === "") continue;
    if (ops.length >= GC_WORKLOAD_MAX_OPS) {
      fail(line, `a workload holds at most ${GC_WORKLOAD_MAX_OPS} operations`, raw);
    }
    const t = body.split(/\s+/);
    const id = (token: string) => {
      if (token === "null") fail(line, `"null" cannot name an object`, raw);
      return token;
    };
    switch (t[0]) {
      case "new":
        if (t.length !== 4) fail(line, "new takes ID SIZE FIELDS", raw);
        {
          const sizeBytes = integer(t[2], line, "SIZE", 1, MAX_SIZE, raw);
          const fieldCount = integer(t[3], line, "FIELDS", 0, MAX_FIELDS, raw);
          if (fieldCount * 8 > sizeBytes) {
            fail(
              line,
              `SIZE must hold the ${fieldCount} pointer fields (8 bytes each, ${
                fieldCount * 8
              } bytes)`,
              raw,
            );
          }
          ops.push({ op: "new", id: id(t[1]), sizeBytes, fieldCount, line });
        }
        break;
      case "set":
        if (t.length !== 4) fail(line, "set takes ID FIELD TARGET (TARGET may be null)", raw);
        ops.push({
          op: "set",
          id: id(t[1]),
          field: integer(t[2], line, "FIELD", 0, MAX_FIELDS - 1, raw),
          target: t[3] === "null" ? null : t[3],
          line,
        });
        break;
      case "root":
      case "unroot":
        if (t.length !== 2) fail(line, `${t[0]} takes one ID`, raw);
        ops.push({ op: t[0], id: id(t[1]), line });
        break;
      case "gc":
        if (t.length !== 1) fail(line, "gc takes nothing", raw);
        ops.push({ op: "gc", line });
        break;
      default:
        fail(line, "an operation must be one of new, set, root, unroot, gc", raw);
    }
  }
  return ops;
}

/**
 * Print operations in the workload format, one a line.
 *
 * @param ops The operations.
 * @returns The text (it parses back to the same operations, numbered from line 1).
 *
 * @example Round trip
 * ```ts
 * import { formatGcWorkload, parseGcWorkload } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const text = "new a 16 1\nset a 0 null\ngc\n";
 * assert.equal(formatGcWorkload(parseGcWorkload(text)), text);
 * ```
 */
export function formatGcWorkload(ops: readonly GcOp[]): string {
  return ops.map((o) => {
    switch (o.op) {
      case "new":
        return `new ${o.id} ${o.sizeBytes} ${o.fieldCount}`;
      case "set":
        return `set ${o.id} ${o.field} ${o.target ?? "null"}`;
      case "root":
      case "unroot":
        return `${o.op} ${o.id}`;
      case "gc":
        return "gc";
    }
  }).join("\n") + (ops.length ? "\n" : "");
}

/** Settings of {@linkcode generateGcWorkload}. */
export const GcWorkloadSpec = z.strictObject({
  /** Seed of the generator: the same seed gives the same workload. */
  seed: z.number().int(),
  /** Objects to allocate (one `new` each). */
  objectCount: z.number().int().min(1).max(200_000),
  /** Smallest and largest object in bytes (pointer fields included). */
  minSizeBytes: z.number().int().min(8).max(1 << 20).default(16),
  maxSizeBytes: z.number().int().min(8).max(1 << 20).default(64),
  /** Most pointer fields per object (each object gets 0 to this many). */
  maxFields: z.number().int().min(0).max(8).default(2),
  /** Share of objects that stay rooted to the end (long-lived data). */
  longLivedFraction: z.number().min(0).max(1).default(0.05),
  /** Mean number of allocations a short-lived object stays rooted for. */
  meanLifetime: z.number().min(0).max(1e6).default(8),
  /**
   * Pointer stores per allocation: more stores mean more mutator work for each
   * allocation, so a lower allocation rate.
   */
  storesPerAllocation: z.number().min(0).max(16).default(1),
  /** Share of stores that write null instead of a pointer. */
  nullFraction: z.number().min(0).max(1).default(0.2),
  /** Insert a `gc` after every this many allocations (0: never; allocation alone triggers). */
  gcEvery: z.number().int().min(0).default(0),
}).refine((s) => s.minSizeBytes <= s.maxSizeBytes, {
  path: ["maxSizeBytes"],
  message: "maxSizeBytes must be at least minSizeBytes",
});
/** Settings of {@linkcode generateGcWorkload}. */
export type GcWorkloadSpec = z.input<typeof GcWorkloadSpec>;

/**
 * Generate a seeded mutator workload. Each new object is rooted at once (like
 * a local variable) and stays rooted for a random lifetime (geometric, with
 * mean `meanLifetime` allocations) unless it is one of the long-lived ones;
 * between allocations the mutator stores pointers between rooted objects, so
 * objects also stay alive through the graph and cycles form. Every operation
 * names a rooted object, so the workload is valid for every collector.
 *
 * @param spec The settings ({@linkcode GcWorkloadSpec}); `seed` and `objectCount` are required.
 * @returns The operations, numbered as lines of their text form.
 * @throws {TypeError} For malformed settings, naming the field.
 *
 * @example Same seed, same workload
 * ```ts
 * import { generateGcWorkload } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const a = generateGcWorkload({ seed: 1, objectCount: 50 });
 * assert.deepEqual(generateGcWorkload({ seed: 1, objectCount: 50 }), a);
 * assert.equal(a.filter((o) => o.op === "new").length, 50);
 * ```
 */
export function generateGcWorkload(spec: GcWorkloadSpec): GcOp[] {
  const parsed = GcWorkloadSpec.safeParse(spec);
  if (!parsed.success) {
    throw new TypeError(`Cannot generate workload: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const s = parsed.data;
  const prng: Prng = createPrng(s.seed);
  const ops: GcOp[] = [];
  // deno-lint-ignore no-explicit-any
  const push = (o: any) => ops.push({ ...o, line: ops.length + 1 } as GcOp);
  // Rooted objects: long-lived ones forever, short-lived ones until an allocation number.
  const forever: { id: string; fields: number }[] = [];
  const rooted: { id: string; fields: number; until: number }[] = [];
  const anyRooted = () => {
    const k = prng.int(0, forever.length + rooted.length - 1);
    return k < forever.length ? forever[k] : rooted[k - forever.length];
  };
  let storeCredit = 0;
  for (let i = 0; i < s.objectCount; i++) {
    const fields = prng.int(0, s.maxFields);
    const size = Math.max(prng.int(s.minSizeBytes, s.maxSizeBytes), 8 * fields);
    const id = `o${i + 1}`;
    push({ op: "new", id, sizeBytes: size, fieldCount: fields });
    push({ op: "root", id });
    const longLived = prng.float() < s.longLivedFraction;
    const life = 1 + Math.floor(-Math.log(1 - prng.float()) * s.meanLifetime);
    if (longLived) forever.push({ id, fields });
    else rooted.push({ id, fields, until: i + life });
    storeCredit += s.storesPerAllocation;
    for (; storeCredit >= 1; storeCredit--) {
      // A few tries to find a rooted object that has pointer fields.
      let src = anyRooted();
      for (let tries = 0; src.fields === 0 && tries < 4; tries++) src = anyRooted();
      if (src.fields === 0) continue;
      const target = prng.float() < s.nullFraction ? null : anyRooted().id;
      push({ op: "set", id: src.id, field: prng.int(0, src.fields - 1), target });
    }
    let kept = 0;
    for (const r of rooted) {
      if (r.until <= i) push({ op: "unroot", id: r.id });
      else rooted[kept++] = r;
    }
    rooted.length = kept;
    if (s.gcEvery > 0 && (i + 1) % s.gcEvery === 0) push({ op: "gc" });
  }
  return ops;
}

/**
 * A request loop with a cache, as a workload: a rooted `cache` object heads a
 * linked list of entries, each request allocates an entry (32 bytes) that
 * becomes the new head, plus a temporary (64 bytes) that nobody keeps. With
 * `keepLast` null the list only grows (a leak the collector cannot fix,
 * because every entry stays reachable); with a number, the entry that many
 * requests back is cut off, so the list stays that long.
 *
 * @param options Requests, how many entries to keep (null: all), a `gc` every so many requests.
 * @returns The operations.
 *
 * @example A leaking cache keeps every entry
 * ```ts
 * import { cacheGcWorkload, runGcWorkload } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const leak = runGcWorkload(cacheGcWorkload({ requests: 100, keepLast: null, gcEvery: 100 }), { collector: "mark-sweep", heapBytes: 1 << 16 });
 * const fixed = runGcWorkload(cacheGcWorkload({ requests: 100, keepLast: 10, gcEvery: 100 }), { collector: "mark-sweep", heapBytes: 1 << 16 });
 * assert.equal(leak.final.liveIds.length, 101);
 * assert.equal(fixed.final.liveIds.length, 11);
 * ```
 */
export function cacheGcWorkload(
  options: { requests: number; keepLast: number | null; gcEvery?: number },
): GcOp[] {
  const { requests, keepLast, gcEvery = 0 } = options;
  if (!Number.isInteger(requests) || requests < 1 || requests > 100_000) {
    throw new RangeError(
      `Cannot build workload: requests must be from 1 to 100000: received ${requests}`,
    );
  }
  if (keepLast !== null && (!Number.isInteger(keepLast) || keepLast < 1)) {
    throw new RangeError(
      `Cannot build workload: keepLast must be a positive whole number or null: received ${keepLast}`,
    );
  }
  const lines = ["new cache 16 1", "root cache"];
  for (let i = 0; i < requests; i++) {
    lines.push(
      `new e${i} 32 1`,
      `set e${i} 0 ${i > 0 ? `e${i - 1}` : "null"}`,
      `set cache 0 e${i}`,
    );
    if (keepLast !== null && i >= keepLast) lines.push(`set e${i - keepLast + 1} 0 null`);
    lines.push(`new tmp${i} 64 0`);
    if (gcEvery > 0 && (i + 1) % gcEvery === 0) lines.push("gc");
  }
  return parseGcWorkload(lines.join("\n"));
}

/**
 * Cache geometry: `sets` (S = 2^s) sets of `ways` (E) lines of `lineBytes`
 * (B = 2^b) bytes, and how an address splits into tag, set index and offset.
 *
 * @module
 */
import { z } from "zod";
import { parseWith } from "../trace/_validate.ts";

const isPowerOfTwo = (n: number) => n > 0 && Number.isInteger(Math.log2(n));

/** Most lines a simulated cache may hold (2^26), so a typo cannot allocate gigabytes. */
export const MAX_CACHE_LINES = 2 ** 26;

const Int = () =>
  z.number({ error: "must be a number" }).int("must be an integer").min(1, "must be at least 1");

/**
 * Geometry as given: `ways` and `lineBytes`, and either `sets` or `sizeBytes`
 * (`sizeBytes = sets * ways * lineBytes`). Direct-mapped is `ways: 1`; fully
 * associative is `sets: 1`.
 */
export const CacheGeometry = z.object({
  /** Number of sets; a power of two. Give this or `sizeBytes`. */
  sets: Int().optional(),
  /** Lines per set (associativity). */
  ways: Int(),
  /** Bytes per line; a power of two. */
  lineBytes: Int(),
  /** Total data capacity in bytes. Give this or `sets`. */
  sizeBytes: Int().optional(),
}).superRefine((g, ctx) => {
  if (!isPowerOfTwo(g.lineBytes)) {
    ctx.addIssue({ code: "custom", path: ["lineBytes"], message: "must be a power of two" });
    return;
  }
  if (g.sets === undefined && g.sizeBytes === undefined) {
    ctx.addIssue({ code: "custom", path: ["sets"], message: "or sizeBytes must be given" });
    return;
  }
  if (g.sets !== undefined && !isPowerOfTwo(g.sets)) {
    ctx.addIssue({ code: "custom", path: ["sets"], message: "must be a power of two" });
    return;
  }
  if (g.sizeBytes !== undefined) {
    if (g.sizeBytes % g.lineBytes !== 0) {
      ctx.addIssue({
        code: "custom",
        path: ["sizeBytes"],
        message: `must be a multiple of lineBytes (${g.lineBytes})`,
      });
      return;
    }
    const lines = g.sizeBytes / g.lineBytes;
    if (g.ways > lines) {
      ctx.addIssue({
        code: "custom",
        path: ["ways"],
        message: `must be at most the number of lines, sizeBytes / lineBytes (${lines})`,
      });
      return;
    }
    if (lines % g.ways !== 0 || !isPowerOfTwo(lines / g.ways)) {
      ctx.addIssue({
        code: "custom",
        path: ["sizeBytes"],
        message:
          `must make sets = sizeBytes / (ways * lineBytes) a power of two (ways ${g.ways}, lineBytes ${g.lineBytes})`,
      });
      return;
    }
    if (g.sets !== undefined && g.sets !== lines / g.ways) {
      ctx.addIssue({
        code: "custom",
        path: ["sets"],
        message: `must equal sizeBytes / (ways * lineBytes) = ${
          lines / g.ways
        } when both are given`,
      });
      return;
    }
  }
  const sets = g.sets ?? g.sizeBytes! / g.lineBytes / g.ways;
  if (sets * g.ways > MAX_CACHE_LINES) {
    ctx.addIssue({
      code: "custom",
      path: ["ways"],
      message: `times sets must be at most 2^26 lines (sets ${sets})`,
    });
  }
});
/** Geometry as given (see the schema). */
export type CacheGeometry = z.input<typeof CacheGeometry>;

/** A checked geometry with every field filled in. */
export interface ResolvedGeometry {
  /** Number of sets (power of two). */
  sets: number;
  /** Lines per set. */
  ways: number;
  /** Bytes per line (power of two). */
  lineBytes: number;
  /** sets * ways * lineBytes. */
  sizeBytes: number;
}

/**
 * Check a geometry and fill in `sets` or `sizeBytes`.
 *
 * @param geometry The geometry.
 * @param what Start of the error message (default `"Cannot create cache"`).
 * @returns The resolved geometry.
 * @throws {RangeError} naming the field, the rule and the value; {TypeError} for a wrong type.
 *
 * @example A 32 KiB 8-way cache with 64-byte lines has 64 sets
 * ```ts
 * import { resolveGeometry } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(resolveGeometry({ sizeBytes: 32768, ways: 8, lineBytes: 64 }).sets, 64);
 * assert.throws(() => resolveGeometry({ sets: 3, ways: 1, lineBytes: 16 }), /sets must be a power of two: received 3/);
 * ```
 */
export function resolveGeometry(
  geometry: CacheGeometry,
  what = "Cannot create cache",
): ResolvedGeometry {
  const g = parseWith(CacheGeometry, geometry, what);
  const sets = g.sets ?? g.sizeBytes! / g.lineBytes / g.ways;
  return { sets, ways: g.ways, lineBytes: g.lineBytes, sizeBytes: sets * g.ways * g.lineBytes };
}

/** The three fields of an address. */
export interface AddressParts {
  /** High bits that identify the line within its set. */
  tag: number;
  /** Set index. */
  set: number;
  /** Byte offset within the line. */
  offset: number;
}

/**
 * Split an address into tag, set index and block offset.
 *
 * @param address A non-negative integer address below 2^53.
 * @param geometry The cache geometry.
 * @returns `{ tag, set, offset }`.
 * @throws {RangeError} for a bad address or geometry.
 *
 * @example s = 4, b = 4: address 0x1234 has offset 4, set 3, tag 0x12
 * ```ts
 * import { splitAddress } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(splitAddress(0x1234, { sets: 16, ways: 1, lineBytes: 16 }), { tag: 0x12, set: 3, offset: 4 });
 * ```
 */
export function splitAddress(address: number, geometry: CacheGeometry): AddressParts {
  if (!Number.isSafeInteger(address) || address < 0) {
    throw new RangeError(
      `Cannot split address: address must be a non-negative safe integer: received ${address}`,
    );
  }
  const g = resolveGeometry(geometry, "Cannot split address");
  const line = Math.floor(address / g.lineBytes);
  return {
    tag: Math.floor(line / g.sets),
    set: line % g.sets,
    offset: address % g.lineBytes,
  };
}

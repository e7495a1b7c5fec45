/**
 * glibc's real malloc, called through FFI from this very process.
 *
 * {@linkcode probeGlibcSizes} asks malloc for blocks of chosen sizes and
 * reads back what glibc gave: the address, `malloc_usable_size`, and the
 * distance between consecutive blocks of one size (the chunk size, header
 * included; the most common positive distance, all blocks kept until the
 * end). {@linkcode glibcChunkModel} is the rule glibc documents for
 * 64-bit machines (a chunk is the request plus an 8-byte header, rounded up
 * to 16, at least 32), so the notebook can set the measured sizes beside the
 * model and beside the simulated heap configured the same way.
 *
 * {@linkcode probeGlibcPlacement} looks each block's address up in
 * `/proc/self/maps`: small blocks come from an arena, which is `[heap]`
 * (grown with `brk`) for the main thread and an anonymous mapping for other
 * threads; large ones get an anonymous mapping of their own (`mmap`), which
 * they start. The first size given its own mapping brackets the mmap
 * threshold.
 *
 * {@linkcode probeGlibcFragmentation} allocates many small blocks, frees every
 * other one, then the rest, reading the resident set size after each step:
 * half-freed memory stays resident because every page still holds live
 * blocks; freeing all lets glibc give the top of the heap back.
 *
 * Everything allocated is freed before a probe returns. Bounds are named
 * constants. glibc adjusts its mmap threshold after freeing an mmapped
 * block, so the placement probe walks sizes upwards and stops at the first
 * mmapped one.
 *
 * @module
 */
import { parseMaps, parseProcStatus } from "./maps.ts";
import { environment, type ProbeEnvironment } from "./machine.ts";
import { libc } from "./libc.ts";

/** glibc's malloc family, from the one libc handle every probe shares. */
function glibc() {
  try {
    return libc();
  } catch (cause) {
    throw new Error(`Cannot call glibc malloc: ${(cause as Error).message}`, { cause });
  }
}

const addressOf = (p: Deno.PointerValue) => Number(Deno.UnsafePointer.value(p));

function mostCommon(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}

/** The largest single request the size probe makes. */
export const GLIBC_MAX_PROBE_BYTES = 64 << 20;
/** Most blocks per size in the size probe (consecutive addresses give the chunk size); at most 16 MiB per size. */
export const GLIBC_BLOCKS_PER_SIZE = 256;
/** The most bytes the fragmentation probe allocates in all. */
export const GLIBC_MAX_FRAGMENTATION_BYTES = 256 << 20;

/**
 * glibc's documented chunk rule on 64-bit Linux: request + 8-byte size
 * header, rounded up to 16, at least 32 bytes; usable size = chunk − 8.
 *
 * @param requestBytes The malloc request.
 * @returns The chunk size and the usable size.
 *
 * @example
 * ```ts
 * import { glibcChunkModel } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(glibcChunkModel(1), { chunkBytes: 32, usableBytes: 24 });
 * assert.deepEqual(glibcChunkModel(25), { chunkBytes: 48, usableBytes: 40 });
 * ```
 */
export function glibcChunkModel(requestBytes: number): { chunkBytes: number; usableBytes: number } {
  const chunk = Math.max(32, Math.ceil((requestBytes + 8) / 16) * 16);
  return { chunkBytes: chunk, usableBytes: chunk - 8 };
}

/** What glibc gave for one request size. */
export interface GlibcSizeRow {
  /** Bytes asked for. */
  requestBytes: number;
  /**
   * The most common `malloc_usable_size` of the blocks: a block carved from a
   * free chunk whose rest would be too small to split can be larger.
   */
  usableBytes: number;
  /** The most common distance between consecutive blocks of this size (null if none repeated). */
  strideBytes: number | null;
  /** Address of the first block, hex. */
  firstAddress: string;
}

/** The result of {@linkcode probeGlibcSizes}. */
export interface GlibcSizes {
  /** One row per size. */
  rows: GlibcSizeRow[];
  /** Where and when. */
  environment: ProbeEnvironment;
}

/**
 * Ask glibc's malloc for blocks of each size and read back usable size and stride.
 *
 * @param sizes Request sizes in bytes (1 .. {@linkcode GLIBC_MAX_PROBE_BYTES}).
 * @returns Rows and the environment; every block is freed.
 * @throws {RangeError} For a size out of range.
 *
 * @example The usable size follows glibc's rule
 * ```ts
 * import { glibcChunkModel, probeGlibcSizes } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const { rows } = probeGlibcSizes([1, 24, 100]);
 * for (const r of rows) assert.equal(r.usableBytes, glibcChunkModel(r.requestBytes).usableBytes);
 * ```
 */
export function probeGlibcSizes(sizes: readonly number[]): GlibcSizes {
  for (const s of sizes) {
    if (!Number.isInteger(s) || s < 1 || s > GLIBC_MAX_PROBE_BYTES) {
      throw new RangeError(
        `Cannot probe glibc: sizes must be integers from 1 to ${GLIBC_MAX_PROBE_BYTES}: received ${s}`,
      );
    }
  }
  const g = glibc();
  // Blocks stay allocated until every size is done, so that a size never reuses the chunks
  // freed by the size before it (which come back in bin order, not address order).
  const all: Deno.PointerValue[] = [];
  try {
    const rows = sizes.map((requestBytes) => {
      const count = Math.max(
        2,
        Math.min(GLIBC_BLOCKS_PER_SIZE, Math.floor((16 << 20) / requestBytes)),
      );
      const ptrs: Deno.PointerValue[] = [];
      for (let i = 0; i < count; i++) {
        const p = g.malloc(BigInt(requestBytes));
        if (p === null) break;
        ptrs.push(p);
        all.push(p);
      }
      if (ptrs.length === 0) throw new Error(`Cannot probe glibc: malloc(${requestBytes}) failed`);
      const addrs = ptrs.map(addressOf);
      const counts = new Map<number, number>();
      for (let i = 1; i < addrs.length; i++) {
        const d = addrs[i] - addrs[i - 1];
        if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
      }
      let stride: number | null = null, best = 1;
      for (const [d, c] of counts) if (c > best) [stride, best] = [d, c];
      return {
        requestBytes,
        usableBytes: mostCommon(ptrs.map((p) => Number(g.malloc_usable_size(p)))),
        strideBytes: stride,
        firstAddress: "0x" + addrs[0].toString(16),
      };
    });
    return { rows, environment: environment() };
  } finally {
    for (const p of all) g.free(p);
  }
}

/** Where one block landed. */
export interface GlibcPlacementRow {
  /** Bytes asked for. */
  requestBytes: number;
  /** Address, hex. */
  address: string;
  /** `[heap]`, `anonymous mapping`, or the region's path. */
  region: string;
  /** True if the block is in `[heap]` (the main arena, grown with brk). */
  inHeap: boolean;
  /** True if the block starts its own mapping (its chunk header is the mapping's first bytes): mmap. */
  ownMapping: boolean;
}

/** The result of {@linkcode probeGlibcPlacement}. */
export interface GlibcPlacement {
  /** One row per size tried, in increasing size. */
  rows: GlibcPlacementRow[];
  /** The largest size served from an arena and the first given a mapping of its own (null if none). */
  threshold: { lastInArenaBytes: number | null; firstMappedBytes: number | null };
  /** Where and when. */
  environment: ProbeEnvironment;
}

/**
 * Find which region of `/proc/self/maps` each block of increasing size lands in.
 *
 * @param sizes Sizes to try (sorted ascending before use; at most {@linkcode GLIBC_MAX_PROBE_BYTES}).
 * @returns One row per size tried up to the first one outside `[heap]`, and the bracket.
 * @throws {RangeError} For a size out of range.
 *
 * @example A small block comes from an arena, a 64 MiB one gets its own mapping
 * ```ts
 * import { probeGlibcPlacement } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = probeGlibcPlacement([64, 64 << 20]);
 * assert.deepEqual(r.rows.map((row) => row.ownMapping), [false, true]);
 * ```
 */
export function probeGlibcPlacement(sizes: readonly number[]): GlibcPlacement {
  const sorted = [...sizes].sort((a, b) => a - b);
  for (const s of sorted) {
    if (!Number.isInteger(s) || s < 1 || s > GLIBC_MAX_PROBE_BYTES) {
      throw new RangeError(
        `Cannot probe glibc placement: sizes must be integers from 1 to ${GLIBC_MAX_PROBE_BYTES}: received ${s}`,
      );
    }
  }
  const g = glibc();
  const rows: GlibcPlacementRow[] = [];
  let lastInHeap: number | null = null, firstMapped: number | null = null;
  for (const size of sorted) {
    const p = g.malloc(BigInt(size));
    if (p === null) break;
    try {
      const a = addressOf(p);
      const regions = parseMaps(Deno.readTextFileSync("/proc/self/maps"));
      const r = regions.find((x) => a >= Number(BigInt(x.start)) && a < Number(BigInt(x.end)));
      const region = r ? (r.path || "anonymous mapping") : "unknown";
      const inHeap = region === "[heap]";
      // an mmapped chunk starts a page: its 16 bytes of header are the mapping's first bytes
      const ownMapping = !inHeap && r !== undefined && a - 16 === Number(BigInt(r.start));
      rows.push({ requestBytes: size, address: "0x" + a.toString(16), region, inHeap, ownMapping });
      if (!ownMapping) lastInHeap = size;
      else if (firstMapped === null) firstMapped = size;
    } finally {
      g.free(p);
    }
    if (firstMapped !== null) break;
  }
  return {
    rows,
    threshold: { lastInArenaBytes: lastInHeap, firstMappedBytes: firstMapped },
    environment: environment(),
  };
}

/** Resident set sizes around a half-freed heap. */
export interface GlibcFragmentation {
  /** Size of each block. */
  blockBytes: number;
  /** Number of blocks. */
  blockCount: number;
  /** VmRSS before allocating. */
  rssBeforeBytes: number;
  /** VmRSS after allocating and writing every block. */
  rssAllocatedBytes: number;
  /** VmRSS after freeing every other block. */
  rssHalfFreedBytes: number;
  /** VmRSS after freeing the rest (and `malloc_trim(0)` if asked). */
  rssAllFreedBytes: number;
  /** True if `malloc_trim(0)` was called before the first reading and at the end. */
  trimmed: boolean;
  /** Where and when. */
  environment: ProbeEnvironment;
}

function rssBytes(): number {
  return parseProcStatus(Deno.readTextFileSync("/proc/self/status")).vmRssBytes ?? 0;
}

/**
 * Allocate many small blocks with glibc, free every other one, then the rest,
 * and read the resident set size after each step.
 *
 * @param options Block size (default 1,000 bytes), total bytes (default 64 MiB,
 *   at most {@linkcode GLIBC_MAX_FRAGMENTATION_BYTES}), `trim` to call
 *   `malloc_trim(0)` before the first reading and at the end (default false),
 *   so that memory the process freed earlier neither serves the blocks nor
 *   leaves with the last trim.
 * @returns The four RSS readings.
 * @throws {RangeError} For sizes out of range.
 *
 * @example Writing 16 MiB of blocks raises RSS
 * ```ts
 * import { probeGlibcFragmentation } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = probeGlibcFragmentation({ totalBytes: 16 << 20 });
 * assert.ok(r.rssAllocatedBytes - r.rssBeforeBytes > 8 << 20);
 * ```
 */
export function probeGlibcFragmentation(
  options: { blockBytes?: number; totalBytes?: number; trim?: boolean } = {},
): GlibcFragmentation {
  const blockBytes = options.blockBytes ?? 1000;
  const totalBytes = options.totalBytes ?? 64 << 20;
  if (!Number.isInteger(blockBytes) || blockBytes < 16 || blockBytes > 65536) {
    throw new RangeError(
      `Cannot probe fragmentation: blockBytes must be an integer from 16 to 65536: received ${blockBytes}`,
    );
  }
  if (
    !Number.isInteger(totalBytes) || totalBytes < 1 << 20 ||
    totalBytes > GLIBC_MAX_FRAGMENTATION_BYTES
  ) {
    throw new RangeError(
      `Cannot probe fragmentation: totalBytes must be an integer from 1 MiB to ${GLIBC_MAX_FRAGMENTATION_BYTES}: received ${totalBytes}`,
    );
  }
  const g = glibc();
  const count = Math.floor(totalBytes / blockBytes);
  const ptrs: (Deno.PointerValue | null)[] = new Array(count).fill(null);
  const trim = options.trim ?? false;
  // Trim first too: memory the rest of the process freed earlier would otherwise serve the
  // blocks without raising RSS, and leave with the final trim as if it had been theirs.
  if (trim) g.malloc_trim(0n);
  const rssBeforeBytes = rssBytes();
  let rssAllocatedBytes = 0, rssHalfFreedBytes = 0;
  try {
    for (let i = 0; i < count; i++) {
      const p = g.malloc(BigInt(blockBytes));
      if (p === null) throw new Error(`Cannot probe fragmentation: malloc failed at block ${i}`);
      ptrs[i] = p;
      // touch every page of the block so it is resident
      const view = new Deno.UnsafePointerView(p);
      for (let off = 0; off < blockBytes; off += 512) view.getUint8(off);
      new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(p, blockBytes)).fill(1);
    }
    rssAllocatedBytes = rssBytes();
    for (let i = 0; i < count; i += 2) {
      g.free(ptrs[i]);
      ptrs[i] = null;
    }
    rssHalfFreedBytes = rssBytes();
  } finally {
    for (let i = 0; i < count; i++) if (ptrs[i] !== null) g.free(ptrs[i]);
  }
  if (trim) g.malloc_trim(0n);
  return {
    blockBytes,
    blockCount: count,
    rssBeforeBytes,
    rssAllocatedBytes,
    rssHalfFreedBytes,
    rssAllFreedBytes: rssBytes(),
    trimmed: trim,
    environment: environment(),
  };
}

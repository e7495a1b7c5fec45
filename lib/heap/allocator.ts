/**
 * A dynamic memory allocator working on real bytes, the way a good CS:APP
 * Malloc Lab solution does.
 *
 * The heap is one `ArrayBuffer` (copied into one twice as large when the
 * break passes its end, and past 1 MiB into one of `maxBytes`, which the OS
 * backs page by page as the heap touches it); addresses are byte offsets
 * into it. Its layout is the textbook one: 4 bytes of padding, an allocated
 * *prologue* block of 8 bytes, the blocks, and a 4-byte *epilogue* header of
 * size 0 marked allocated. Every block carries a 4-byte header and a 4-byte
 * footer (boundary tags; but see `footers` below) holding `size | allocated`,
 * where `size` counts the whole block (tags included) and is a multiple of
 * the alignment (8 or 16).
 * A payload (the address `malloc` returns) starts right after its header and
 * is aligned; a block is at least `minBlockBytes` (16 by default).
 *
 * Free blocks are found through one of three indexes:
 * - `implicit`: no list; the search walks every block in address order;
 * - `explicit`: one doubly linked list of free blocks, the predecessor and
 *   successor offsets stored in the free block's first 8 payload bytes,
 *   new free blocks pushed at the front (LIFO);
 * - `segregated`: many such lists, by size, as dlmalloc keeps them: one
 *   list per exact size up to 512 bytes (16, 24, ..., 512), then
 *   `classCount` lists of sizes 2^(k+9)+1 .. 2^(k+10) bytes (the last one
 *   unbounded). Exact lists make a small request's search O(1).
 *
 * Placement (`fit`): `first` takes the first block that fits, `next` resumes
 * where the previous search stopped, `best` the smallest that fits, `worst`
 * the largest. With segregated lists the search starts in the request's own
 * class; best fit there is exact, because every block of a higher class is
 * larger than every block of a lower one.
 *
 * A chosen block is split when the rest would be at least
 * `max(minBlockBytes, splitThresholdBytes)`; otherwise the whole block is
 * handed out (internal fragmentation). Freed blocks are merged with free
 * neighbours at once (`immediate`) or only when a request finds no block
 * (`deferred`). When nothing fits the heap grows at its end like `sbrk`, by
 * what is missing (or `chunkBytes`, whichever is larger), never beyond
 * `maxBytes`: then `malloc` returns `null`. Out of memory is a result.
 *
 * Four techniques of good Malloc Lab solutions are options, off by default
 * (the textbook allocator of lesson 04); `sim mdriver` turns them on:
 * - `footers: "free"`: allocated blocks carry no footer; bit 1 of every
 *   header says whether the block before is allocated, and only a free
 *   block's footer is needed to find its start when its successor merges;
 * - `placeHighBelowBytes`: small blocks are cut from the high end of the
 *   free block they split, large ones from its low end, so blocks of the two
 *   kinds gather apart and freed large ones merge (the fix for traces that
 *   alternate small and large blocks, then free the large);
 * - `growFraction`: the heap grows by at least that share of its size,
 *   leaving room for placement to work with;
 * - `reallocBackward`: a realloc that can neither stay nor grow in place
 *   merges with a free block before it (and after) and moves its contents
 *   down, instead of moving to a new block.
 * `realloc` always shrinks in place, grows into a free next block, and grows
 * the heap when the block is the last one.
 *
 * Utilization is Malloc Lab's: the peak of the aggregate requested payload
 * over the run, divided by the heap's final size.
 *
 * @module
 */
import { z } from "zod";
import { parseWith } from "../trace/_validate.ts";
import { withDisplay } from "../_html.ts";
import { heapHtml, heapText } from "./_display.ts";

/** Where free blocks are kept. */
export type FreeListKind = "implicit" | "explicit" | "segregated";
/** How a free block is chosen. */
export type FitPolicy = "first" | "next" | "best" | "worst";

/** Settings of a simulated heap. */
export const HeapConfig = z.strictObject({
  /** `implicit` (default), `explicit` or `segregated`. */
  list: z.enum(["implicit", "explicit", "segregated"], {
    error: 'must be "implicit", "explicit" or "segregated"',
  }).default("implicit"),
  /** `first` (default), `next`, `best` or `worst`. */
  fit: z.enum(["first", "next", "best", "worst"], {
    error: 'must be "first", "next", "best" or "worst"',
  }).default("first"),
  /** Payload alignment in bytes: 8 (default) or 16. */
  alignment: z.union([z.literal(8), z.literal(16)], { error: "must be 8 or 16" }).default(8),
  /** Smallest block in bytes, tags included (default 16; glibc's is 32). */
  minBlockBytes: z.number({ error: "must be a number" }).int("must be an integer")
    .min(16, "must be at least 16").max(4096, "must be at most 4096").default(16),
  /** Split only if the rest is at least this many bytes (default 0: whenever a block fits). */
  splitThresholdBytes: z.number({ error: "must be a number" }).int("must be an integer")
    .min(0, "must be at least 0").max(2 ** 30, "must be at most 2^30").default(0),
  /** `immediate` (default) or `deferred` coalescing of free neighbours. */
  coalesce: z.enum(["immediate", "deferred"], { error: 'must be "immediate" or "deferred"' })
    .default("immediate"),
  /** Least number of bytes the heap grows by (default 0: exactly what is missing). */
  chunkBytes: z.number({ error: "must be a number" }).int("must be an integer")
    .min(0, "must be at least 0").max(2 ** 30, "must be at most 2^30").default(0),
  /**
   * Least growth as a fraction of the heap's size (default 0): with 1/16 a
   * heap of 64 KiB grows by at least 4 KiB. Like `chunkBytes` it leaves room
   * where placement can keep blocks apart, without a fixed chunk's waste on
   * a small heap.
   */
  growFraction: z.number({ error: "must be a number" }).min(0, "must be at least 0")
    .max(1, "must be at most 1").default(0),
  /** Largest heap in bytes, like a resource limit on `sbrk` (default 64 MiB). */
  maxBytes: z.number({ error: "must be a number" }).int("must be an integer")
    .min(64, "must be at least 64").max(2 ** 31, "must be at most 2^31").default(2 ** 26),
  /** Number of power-of-two size classes above 512 bytes in the segregated lists (default 12). */
  classCount: z.number({ error: "must be a number" }).int("must be an integer")
    .min(1, "must be at least 1").max(28, "must be at most 28").default(12),
  /**
   * Boundary tags: `all` (default) puts a header and a footer on every block;
   * `free` puts footers on free blocks only and keeps, in bit 1 of each
   * header, whether the block before is allocated (CS:APP's optimisation:
   * an allocated block's overhead falls from 8 bytes to 4).
   */
  footers: z.enum(["all", "free"], { error: 'must be "all" or "free"' }).default("all"),
  /**
   * Blocks smaller than this many bytes are cut from the high end of the
   * free block they split, larger ones from its low end (default 0: always
   * the low end). Small and large blocks then gather at opposite ends of
   * each free region, so freed large blocks lie side by side and merge.
   */
  placeHighBelowBytes: z.number({ error: "must be a number" }).int("must be an integer")
    .min(0, "must be at least 0").max(2 ** 30, "must be at most 2^30").default(0),
  /**
   * When `realloc` can neither stay nor grow in place, try the free block
   * before it too (with the free one after, if any): merge them and move the
   * contents down, rather than allocate elsewhere (default false).
   */
  reallocBackward: z.boolean({ error: "must be a boolean" }).default(false),
  /** Keep a step log of every operation (default false). */
  steps: z.boolean({ error: "must be a boolean" }).default(false),
  /** Most steps kept in the log (default 10,000). */
  stepLimit: z.number({ error: "must be a number" }).int("must be an integer")
    .min(0, "must be at least 0").max(1_000_000, "must be at most 1,000,000").default(10_000),
}).refine((c) => c.minBlockBytes % c.alignment === 0, {
  message: "must be a multiple of the alignment",
  path: ["minBlockBytes"],
});
/** Settings of a simulated heap (input form, defaults optional). */
export type HeapConfigInput = z.input<typeof HeapConfig>;
/** Settings of a simulated heap, all filled in. */
export type HeapConfig = z.output<typeof HeapConfig>;

/** One block of the heap, as {@linkcode Heap.blocks} lists it. */
export interface HeapBlock {
  /** Payload address (the header sits 4 bytes below). */
  address: number;
  /** Whole block in bytes, header and footer included. */
  sizeBytes: number;
  /** True if allocated. */
  allocated: boolean;
  /** Bytes the program asked for (0 for a free block). */
  requestedBytes: number;
}

/** What one operation did, for the step log. */
export interface HeapStep {
  /** The operation. */
  op: "malloc" | "free" | "realloc" | "calloc";
  /** Requested size in bytes (malloc, realloc, calloc). */
  sizeBytes: number | null;
  /** The address passed in (free, realloc). */
  address: number | null;
  /** The address returned, or null (out of memory, or free). */
  result: number | null;
  /** Free blocks examined by the search. */
  searched: number;
  /** True if a block was split. */
  split: boolean;
  /** Number of merges of free neighbours done by this operation. */
  merges: number;
  /** Bytes the heap grew by. */
  grewBytes: number;
}

/** Counters and metrics of a heap at one moment. */
export interface HeapStats {
  /** Heap size in bytes (prologue and epilogue included): the break. */
  heapBytes: number;
  /** Sum of the sizes the program asked for, over live blocks. */
  payloadBytes: number;
  /** Largest `payloadBytes` seen so far. */
  peakPayloadBytes: number;
  /** Malloc Lab's utilization: `peakPayloadBytes / heapBytes` (0 for an unused heap). */
  utilization: number;
  /** Allocated blocks. */
  allocatedBlocks: number;
  /** Bytes in allocated blocks, tags and padding included. */
  allocatedBytes: number;
  /** Internal fragmentation: `allocatedBytes - payloadBytes`. */
  internalFragmentationBytes: number;
  /** Free blocks. */
  freeBlocks: number;
  /** Bytes in free blocks. */
  freeBytes: number;
  /** The largest free block in bytes. */
  largestFreeBytes: number;
  /** External fragmentation: `1 - largestFreeBytes / freeBytes` (0 with no free memory). */
  externalFragmentation: number;
  /** Heap bytes in no block: padding, prologue, epilogue (always 16). */
  fixedOverheadBytes: number;
  /** Successful malloc/calloc/realloc calls, frees, and requests that failed. */
  mallocs: number;
  /** Frees done. */
  frees: number;
  /** Requests that returned null for lack of memory. */
  failures: number;
  /** Free blocks examined by all searches. */
  searched: number;
}

const ALLOC = 1;
/** Header bit 1 with `footers: "free"`: the block before this one is allocated. */
const PREV_ALLOC = 2;
const FIXED_OVERHEAD = 16;
/** Exact-size free lists of the segregated heap: 16, 24, ..., 512 bytes. */
const SMALL_MAX = 512;
const SMALL_BINS = (SMALL_MAX >> 3) - 1;
const FIRST_BP = 16;
/** Heap buffer size past which the buffer is replaced by one of `maxBytes` (see #sbrk). */
const RESERVE_AT = 1 << 20;
const LIST_KIND = { implicit: 0, explicit: 1, segregated: 2 } as const;
const FIT_KIND = { first: 0, next: 1, best: 2, worst: 3 } as const;

/**
 * A simulated heap over an `ArrayBuffer`: malloc, free, realloc, calloc on
 * real bytes with boundary tags. Build one with {@linkcode createHeap}.
 */
export class Heap {
  /** The settings in use. */
  readonly config: HeapConfig;
  #buf: ArrayBuffer;
  #w: Uint32Array;
  #u8: Uint8Array;
  #brk = FIXED_OVERHEAD;
  #list: number;
  #fit: number;
  #align: number;
  #minBlock: number;
  #splitMin: number;
  #deferred: boolean;
  #freeFooters: boolean;
  // Bytes of tags in an allocated block: 8, or 4 without its footer.
  #tagBytes: number;
  // PREV_ALLOC with `footers: "free"`, else 0.
  #prevAllocBit: number;
  #placeHighBelow: number;
  #reallocBackward: boolean;
  #classes: number;
  #heads: Int32Array;
  // One bit per class: set while its list is not empty, so searches skip empty classes.
  #nonEmpty: Uint32Array;
  #rovers: Int32Array;
  #rover = FIRST_BP;
  // Live blocks' requested sizes, outside the heap's bytes: entry bp >> 4 holds
  // 2 * (requested + 1) + bit 3 of bp (0: none). Blocks are at least 16 bytes
  // apart, so no two payloads share an entry.
  #req: Uint32Array;
  #payload = 0;
  #peak = 0;
  #allocatedBlocks = 0;
  #allocatedBytes = 0;
  #mallocs = 0;
  #frees = 0;
  #failures = 0;
  #searched = 0;
  #steps: HeapStep[] = [];
  #stepsDropped = 0;
  // Per-operation counters for the step log.
  #opSearched = 0;
  #opSplit = false;
  #opMerges = 0;
  #opGrew = 0;

  /**
   * Build a heap (prefer {@linkcode createHeap}, which documents the settings).
   *
   * @param config Validated settings.
   */
  constructor(config: HeapConfig) {
    this.config = config;
    this.#list = LIST_KIND[config.list];
    this.#fit = FIT_KIND[config.fit];
    this.#align = config.alignment;
    this.#minBlock = config.minBlockBytes;
    this.#splitMin = Math.max(config.minBlockBytes, config.splitThresholdBytes);
    this.#deferred = config.coalesce === "deferred";
    this.#freeFooters = config.footers === "free";
    this.#tagBytes = this.#freeFooters ? 4 : 8;
    this.#prevAllocBit = this.#freeFooters ? PREV_ALLOC : 0;
    this.#placeHighBelow = config.placeHighBelowBytes;
    this.#reallocBackward = config.reallocBackward;
    this.#classes = config.list === "segregated" ? SMALL_BINS + config.classCount : 1;
    this.#heads = new Int32Array(this.#classes);
    this.#nonEmpty = new Uint32Array((this.#classes + 31) >> 5);
    this.#rovers = new Int32Array(this.#classes);
    // A plain buffer replaced by one twice as large when the break passes its end:
    // typed arrays over resizable buffers are several times slower in V8.
    this.#buf = new ArrayBuffer(Math.min(4096, config.maxBytes));
    this.#w = new Uint32Array(this.#buf);
    this.#u8 = new Uint8Array(this.#buf);
    this.#req = new Uint32Array(this.#buf.byteLength >> 4);
    // padding | prologue header | prologue footer | epilogue header
    this.#w[1] = 8 | ALLOC;
    this.#w[2] = 8 | ALLOC;
    this.#w[3] = 0 | ALLOC | this.#prevAllocBit;
  }

  /** The heap's bytes (length = the current break); a fresh view after the heap grows. */
  get bytes(): Uint8Array {
    return this.#u8.subarray(0, this.#brk);
  }

  /** The step log (empty unless `steps: true`). */
  get steps(): readonly HeapStep[] {
    return this.#steps;
  }

  /** Steps left out of the log after `stepLimit`. */
  get stepsDropped(): number {
    return this.#stepsDropped;
  }

  // ---- boundary tags -------------------------------------------------------
  #size(bp: number): number {
    return this.#w[(bp - 4) >> 2] & ~7;
  }
  #isAlloc(bp: number): boolean {
    return (this.#w[(bp - 4) >> 2] & ALLOC) !== 0;
  }
  /** The header's previous-allocated bit (always 0 with `footers: "all"`). */
  #prevBit(bp: number): number {
    return this.#w[(bp - 4) >> 2] & PREV_ALLOC;
  }
  /**
   * Write a block's tags: the header (with `prev`, the previous-allocated
   * bit), the footer unless the block is allocated and footers are for free
   * blocks only; then, in that mode, the next header's previous-allocated bit.
   */
  #setTags(bp: number, size: number, alloc: number, prev: number): void {
    const w = this.#w;
    w[(bp - 4) >> 2] = size | alloc | prev;
    if (!this.#freeFooters) {
      w[(bp + size - 8) >> 2] = size | alloc;
      return;
    }
    const next = (bp + size - 4) >> 2;
    if (alloc === 0) {
      w[(bp + size - 8) >> 2] = size;
      w[next] &= ~PREV_ALLOC;
    } else w[next] |= PREV_ALLOC;
  }
  /** True if the block before `bp` is free. */
  #prevFree(bp: number): boolean {
    return this.#freeFooters
      ? (this.#w[(bp - 4) >> 2] & PREV_ALLOC) === 0
      : (this.#w[(bp - 8) >> 2] & ALLOC) === 0;
  }

  // ---- free lists ------------------------------------------------------------
  #classOf(size: number): number {
    if (this.#classes === 1) return 0;
    if (size <= SMALL_MAX) return (size >> 3) - 2;
    const c = SMALL_BINS + 32 - Math.clz32(size - 1) - 10;
    return c >= this.#classes ? this.#classes - 1 : c;
  }
  #insert(bp: number): void {
    if (this.#list === 0) return;
    const c = this.#classOf(this.#size(bp));
    const head = this.#heads[c];
    this.#w[bp >> 2] = 0; // pred
    this.#w[(bp + 4) >> 2] = head; // succ
    if (head !== 0) this.#w[head >> 2] = bp;
    this.#heads[c] = bp;
    this.#nonEmpty[c >> 5] |= 1 << (c & 31);
  }
  /** The first class at or above `c` whose list is not empty, or -1. */
  #nextClass(c: number): number {
    const words = this.#nonEmpty;
    let i = c >> 5;
    if (i >= words.length) return -1;
    let word = words[i] & (~0 << (c & 31));
    for (;;) {
      if (word !== 0) {
        const found = (i << 5) + 31 - Math.clz32(word & -word);
        return found < this.#classes ? found : -1;
      }
      if (++i >= words.length) return -1;
      word = words[i];
    }
  }

  #remove(bp: number): void {
    if (this.#list === 0) return;
    const c = this.#classOf(this.#size(bp));
    const pred = this.#w[bp >> 2];
    const succ = this.#w[(bp + 4) >> 2];
    if (pred !== 0) this.#w[(pred + 4) >> 2] = succ;
    else {
      this.#heads[c] = succ;
      if (succ === 0) this.#nonEmpty[c >> 5] &= ~(1 << (c & 31));
    }
    if (succ !== 0) this.#w[succ >> 2] = pred;
    if (this.#rovers[c] === bp) this.#rovers[c] = succ;
  }

  // ---- search ----------------------------------------------------------------
  #find(asize: number): number {
    return this.#list === 0 ? this.#findImplicit(asize) : this.#findListed(asize);
  }
  #findImplicit(asize: number): number {
    const w = this.#w;
    const fit = this.#fit;
    let searched = 0;
    let best = 0;
    let bestSize = fit === 2 ? Infinity : -1;
    const start = fit === 1 ? this.#rover : FIRST_BP;
    let bp = start;
    let wrapped = fit !== 1;
    for (;;) {
      const h = w[(bp - 4) >> 2];
      const size = h & ~7;
      if (size === 0) {
        if (wrapped) break;
        wrapped = true;
        bp = FIRST_BP;
        continue;
      }
      if (wrapped && fit === 1 && bp >= start) break;
      if ((h & ALLOC) === 0) {
        searched++;
        if (size >= asize) {
          if (fit <= 1) {
            best = bp;
            break;
          }
          if ((fit === 2 && size < bestSize) || (fit === 3 && size > bestSize)) {
            best = bp;
            bestSize = size;
            if (fit === 2 && size === asize) break;
          }
        }
      }
      bp += size;
    }
    this.#opSearched += searched;
    if (best !== 0 && fit === 1) this.#rover = best;
    return best;
  }
  #findListed(asize: number): number {
    const w = this.#w;
    const fit = this.#fit;
    let searched = 0;
    let found = 0;
    const lo = this.#classOf(asize);
    if (fit === 3) {
      for (let c = this.#classes - 1; c >= lo && found === 0; c--) {
        let bestSize = -1;
        for (let bp = this.#heads[c]; bp !== 0; bp = w[(bp + 4) >> 2]) {
          searched++;
          const size = w[(bp - 4) >> 2] & ~7;
          if (size >= asize && size > bestSize) {
            found = bp;
            bestSize = size;
          }
        }
      }
    } else if (fit === 2) {
      for (let c = this.#nextClass(lo); c >= 0 && found === 0; c = this.#nextClass(c + 1)) {
        let bestSize = Infinity;
        for (let bp = this.#heads[c]; bp !== 0; bp = w[(bp + 4) >> 2]) {
          searched++;
          const size = w[(bp - 4) >> 2] & ~7;
          if (size >= asize && size < bestSize) {
            found = bp;
            bestSize = size;
            if (size === asize) break;
          }
        }
      }
    } else {
      for (let c = this.#nextClass(lo); c >= 0 && found === 0; c = this.#nextClass(c + 1)) {
        const head = this.#heads[c];
        const start = fit === 1 && this.#rovers[c] !== 0 ? this.#rovers[c] : head;
        for (let bp = start; bp !== 0; bp = w[(bp + 4) >> 2]) {
          searched++;
          if ((w[(bp - 4) >> 2] & ~7) >= asize) {
            found = bp;
            break;
          }
        }
        if (found === 0 && start !== head) {
          for (let bp = head; bp !== start && bp !== 0; bp = w[(bp + 4) >> 2]) {
            searched++;
            if ((w[(bp - 4) >> 2] & ~7) >= asize) {
              found = bp;
              break;
            }
          }
        }
        if (found !== 0 && fit === 1) this.#rovers[c] = w[(found + 4) >> 2];
      }
    }
    this.#opSearched += searched;
    return found;
  }

  // ---- placement, coalescing, growth -----------------------------------------
  /** Allocate `asize` bytes of the free block `bp`, splitting it if worth it; returns the payload. */
  #place(bp: number, asize: number): number {
    const size = this.#size(bp);
    const prev = this.#prevBit(bp);
    this.#remove(bp);
    if (size - asize < this.#splitMin) {
      this.#setTags(bp, size, ALLOC, prev);
      return bp;
    }
    this.#opSplit = true;
    if (asize < this.#placeHighBelow) {
      // The free rest stays at the low end, the small block takes the high end.
      this.#setTags(bp, size - asize, 0, prev);
      this.#insert(bp);
      const high = bp + size - asize;
      this.#setTags(high, asize, ALLOC, 0);
      return high;
    }
    this.#setTags(bp, asize, ALLOC, prev);
    const rest = bp + asize;
    this.#setTags(rest, size - asize, 0, this.#prevAllocBit);
    this.#insert(rest);
    return bp;
  }

  /** Merge a free block (not in a list) with its free neighbours, insert the result. */
  #coalesce(bp: number): number {
    let size = this.#size(bp);
    const prevAlloc = !this.#prevFree(bp);
    const next = bp + size;
    const nextAlloc = this.#isAlloc(next);
    if (!nextAlloc) {
      this.#remove(next);
      size += this.#size(next);
      this.#opMerges++;
    }
    if (!prevAlloc) {
      const prevSize = this.#w[(bp - 8) >> 2] & ~7;
      const prev = bp - prevSize;
      this.#remove(prev);
      size += prevSize;
      bp = prev;
      this.#opMerges++;
    }
    this.#setTags(bp, size, 0, this.#prevBit(bp));
    this.#insert(bp);
    if (this.#rover > bp && this.#rover < bp + size) this.#rover = bp;
    return bp;
  }

  /** Deferred coalescing: merge every run of free blocks, rebuild the lists. */
  #coalesceAll(): void {
    this.#heads.fill(0);
    this.#nonEmpty.fill(0);
    this.#rovers.fill(0);
    let bp = FIRST_BP;
    let runStart = 0;
    let runSize = 0;
    const flush = () => {
      if (runStart !== 0) {
        this.#setTags(runStart, runSize, 0, this.#prevBit(runStart));
        this.#insert(runStart);
        if (this.#rover > runStart && this.#rover < runStart + runSize) this.#rover = runStart;
        runStart = 0;
      }
    };
    for (let size = this.#size(bp); size !== 0; bp += size, size = this.#size(bp)) {
      if (this.#isAlloc(bp)) {
        flush();
        continue;
      }
      if (runStart === 0) {
        runStart = bp;
        runSize = size;
      } else {
        runSize += size;
        this.#opMerges++;
      }
    }
    flush();
  }

  /** Grow the heap so that a free block of at least `asize` ends it; null if the limit forbids. */
  #extend(asize: number): number | null {
    const epilogue = this.#brk;
    const lastFree = epilogue > FIXED_OVERHEAD && this.#prevFree(epilogue)
      ? this.#w[(epilogue - 8) >> 2] & ~7
      : 0;
    const need = asize - lastFree;
    const chunk = Math.ceil(this.config.chunkBytes / this.#align) * this.#align;
    const share = Math.ceil((this.#brk * this.config.growFraction) / this.#align) * this.#align;
    let grow = Math.max(need, chunk, share);
    if (this.#brk + grow > this.config.maxBytes) grow = need;
    if (this.#brk + grow > this.config.maxBytes) return null;
    this.#sbrk(grow);
    const bp = this.#brk - grow; // the old epilogue header becomes this block's header
    this.#w[(this.#brk - 4) >> 2] = 0 | ALLOC;
    this.#setTags(bp, grow, 0, this.#prevBit(bp));
    this.#opGrew += grow;
    if (lastFree !== 0) {
      const prev = bp - lastFree;
      this.#remove(prev);
      this.#setTags(prev, lastFree + grow, 0, this.#prevBit(prev));
      this.#insert(prev);
      this.#opMerges++;
      return prev;
    }
    this.#insert(bp);
    return bp;
  }

  #sbrk(bytes: number): void {
    const want = this.#brk + bytes;
    if (want > this.#buf.byteLength) {
      const max = this.config.maxBytes;
      const doubled = Math.min(max, Math.max(want, 2 * this.#buf.byteLength));
      let buf: ArrayBuffer | null = null;
      // Past RESERVE_AT bytes take the whole limit at once, as sbrk's address space is
      // there from the start: the OS backs a page only when it is first touched, so the
      // reservation costs address space, not memory, and no further copy is made.
      if (doubled > RESERVE_AT && doubled < max) {
        try {
          buf = new ArrayBuffer(max);
        } catch {
          buf = null; // no room for the reservation: keep doubling
        }
      }
      buf ??= new ArrayBuffer(doubled);
      const cap = buf.byteLength;
      const u8 = new Uint8Array(buf);
      u8.set(this.#u8);
      this.#buf = buf;
      this.#u8 = u8;
      this.#w = new Uint32Array(buf);
      const req = new Uint32Array(cap >> 4);
      req.set(this.#req);
      this.#req = req;
    }
    this.#brk = want;
  }

  #adjust(size: number): number {
    const a = this.#align;
    const asize = Math.ceil((size + this.#tagBytes) / a) * a;
    return asize < this.#minBlock ? this.#minBlock : asize;
  }

  #checkSize(size: number, what: string): void {
    if (typeof size !== "number" || !Number.isInteger(size) || size < 0) {
      throw new RangeError(
        `Cannot ${what}: size must be a non-negative integer: received ${String(size)}`,
      );
    }
  }

  /** The requested size of the live block at `address`, or -1. */
  #reqAt(address: number): number {
    if (
      typeof address !== "number" || !Number.isInteger(address) || address < FIRST_BP ||
      address >= this.#brk || (address & 7) !== 0
    ) return -1;
    const v = this.#req[address >> 4];
    return v !== 0 && (v & 1) === ((address >> 3) & 1) ? (v >>> 1) - 1 : -1;
  }

  #checkLive(address: number, what: string): number {
    const req = this.#reqAt(address);
    if (req < 0) {
      throw new RangeError(
        `Cannot ${what}: the address must be one that malloc returned and that is not freed yet: received ${
          String(address)
        }`,
      );
    }
    return req;
  }

  #beginOp(): void {
    this.#opSearched = 0;
    this.#opSplit = false;
    this.#opMerges = 0;
    this.#opGrew = 0;
  }

  #endOp(
    op: HeapStep["op"],
    sizeBytes: number | null,
    address: number | null,
    result: number | null,
  ): void {
    this.#searched += this.#opSearched;
    if (!this.config.steps) return;
    if (this.#steps.length >= this.config.stepLimit) {
      this.#stepsDropped++;
      return;
    }
    this.#steps.push({
      op,
      sizeBytes,
      address,
      result,
      searched: this.#opSearched,
      split: this.#opSplit,
      merges: this.#opMerges,
      grewBytes: this.#opGrew,
    });
  }

  #track(bp: number, requested: number): void {
    this.#req[bp >> 4] = 2 * (requested + 1) + ((bp >> 3) & 1);
    this.#payload += requested;
    if (this.#payload > this.#peak) this.#peak = this.#payload;
    this.#allocatedBlocks++;
    this.#allocatedBytes += this.#size(bp);
    this.#mallocs++;
  }

  #untrack(bp: number, requested: number): void {
    this.#req[bp >> 4] = 0;
    this.#payload -= requested;
    this.#allocatedBlocks--;
    this.#allocatedBytes -= this.#size(bp);
  }

  #malloc(size: number): number | null {
    if (size === 0) return null;
    if (size > this.config.maxBytes) {
      this.#failures++;
      return null;
    }
    const asize = this.#adjust(size);
    let bp = this.#find(asize);
    if (bp === 0 && this.#deferred) {
      this.#coalesceAll();
      bp = this.#find(asize);
    }
    if (bp === 0) {
      const grown = this.#extend(asize);
      if (grown === null) {
        this.#failures++;
        return null;
      }
      bp = grown;
    }
    bp = this.#place(bp, asize);
    this.#track(bp, size);
    return bp;
  }

  #free(bp: number): void {
    const req = this.#checkLive(bp, "free");
    this.#untrack(bp, req);
    this.#frees++;
    this.#setTags(bp, this.#size(bp), 0, this.#prevBit(bp));
    if (this.#deferred) this.#insert(bp);
    else this.#coalesce(bp);
  }

  // ---- the public API ----------------------------------------------------------

  /**
   * Allocate `size` bytes.
   *
   * @param size Bytes wanted (a non-negative integer).
   * @returns The payload address, or `null` for `size` 0 or when the heap is out of memory.
   * @throws {RangeError} If `size` is not a non-negative integer.
   *
   * @example Two blocks, one after the other
   * ```ts
   * import { createHeap } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const heap = createHeap();
   * const a = heap.malloc(10)!, b = heap.malloc(10)!;
   * assert.equal(b - a, 24); // 10 bytes + 8 of tags, rounded up to 8
   * ```
   */
  malloc(size: number): number | null {
    this.#checkSize(size, "malloc");
    this.#beginOp();
    const r = this.#malloc(size);
    this.#endOp("malloc", size, null, r);
    return r;
  }

  /**
   * Free a block. `free(null)` and `free(0)` do nothing, as in C.
   *
   * @param address An address returned by malloc, calloc or realloc and not freed yet.
   * @throws {RangeError} For any other address (use memcheck to get a report instead).
   *
   * @example Freed neighbours merge
   * ```ts
   * import { createHeap } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const heap = createHeap();
   * const a = heap.malloc(8)!, b = heap.malloc(8)!;
   * heap.malloc(8);
   * heap.free(a);
   * heap.free(b);
   * assert.equal(heap.stats().freeBlocks, 1);
   * ```
   */
  free(address: number | null): void {
    if (address === null || address === 0) return;
    this.#beginOp();
    this.#free(address);
    this.#endOp("free", null, address, null);
  }

  /**
   * Resize a block, in place when the block or its free neighbour allows,
   * otherwise by allocate, copy, free. Contents up to the smaller size are kept.
   *
   * @param address A live address, or null (then this is malloc).
   * @param size New size in bytes; 0 frees the block and returns null.
   * @returns The new address, or null when out of memory (the old block is then untouched).
   * @throws {RangeError} For a bad size or an address that is not live.
   *
   * @example Growing the last block grows the heap in place
   * ```ts
   * import { createHeap } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const heap = createHeap();
   * const p = heap.malloc(16)!;
   * heap.bytes[p] = 42;
   * const q = heap.realloc(p, 4000)!;
   * assert.equal(q, p);
   * assert.equal(heap.bytes[q], 42);
   * ```
   */
  realloc(address: number | null, size: number): number | null {
    this.#checkSize(size, "realloc");
    if (address === null || address === 0) {
      this.#beginOp();
      const r = this.#malloc(size);
      this.#endOp("realloc", size, null, r);
      return r;
    }
    if (size === 0) {
      this.#checkLive(address, "realloc");
      this.#beginOp();
      this.#free(address);
      this.#endOp("realloc", 0, address, null);
      return null;
    }
    const oldReq = this.#checkLive(address, "realloc");
    this.#beginOp();
    const r = this.#realloc(address, oldReq, size);
    this.#endOp("realloc", size, address, r);
    return r;
  }

  /** Resize the live block `bp` in place to `newSize` bytes, now holding `size` requested bytes. */
  #retag(bp: number, newSize: number, oldReq: number, size: number): void {
    this.#untrack(bp, oldReq);
    this.#mallocs--;
    this.#setTags(bp, newSize, ALLOC, this.#prevBit(bp));
    this.#track(bp, size);
  }

  #realloc(bp: number, oldReq: number, size: number): number | null {
    const asize = this.#adjust(size);
    const old = this.#size(bp);
    if (size > this.config.maxBytes) {
      this.#failures++;
      return null;
    }
    if (asize <= old) {
      if (old - asize >= this.#splitMin) {
        this.#retag(bp, asize, oldReq, size);
        const rest = bp + asize;
        this.#setTags(rest, old - asize, 0, this.#prevAllocBit);
        this.#opSplit = true;
        if (this.#deferred) this.#insert(rest);
        else this.#coalesce(rest);
      } else {
        this.#retag(bp, old, oldReq, size);
      }
      return bp;
    }
    const next = bp + old;
    const nextFree = !this.#isAlloc(next);
    const nextSize = nextFree ? this.#size(next) : 0;
    if (nextFree && old + nextSize >= asize) {
      this.#remove(next);
      this.#opMerges++;
      if (this.#rover === next) this.#rover = bp;
      const total = old + nextSize;
      if (total - asize >= this.#splitMin) {
        this.#retag(bp, asize, oldReq, size);
        this.#setTags(bp + asize, total - asize, 0, this.#prevAllocBit);
        this.#insert(bp + asize);
        this.#opSplit = true;
      } else {
        this.#retag(bp, total, oldReq, size);
      }
      return bp;
    }
    const endsHeap = nextFree ? next + nextSize === this.#brk : next === this.#brk;
    if (endsHeap) {
      const have = old + nextSize;
      if (this.#brk + (asize - have) <= this.config.maxBytes) {
        if (nextFree) {
          this.#remove(next);
          this.#opMerges++;
          if (this.#rover === next) this.#rover = bp;
        }
        this.#sbrk(asize - have);
        this.#opGrew += asize - have;
        this.#w[(this.#brk - 4) >> 2] = 0 | ALLOC;
        this.#retag(bp, asize, oldReq, size);
        return bp;
      }
    }
    if (this.#reallocBackward && this.#prevFree(bp)) {
      const prevSize = this.#w[(bp - 8) >> 2] & ~7;
      const total = prevSize + old + nextSize;
      if (total >= asize) return this.#slideBack(bp, oldReq, size, asize, prevSize, nextSize);
    }
    const fresh = this.#malloc(size);
    if (fresh === null) return null;
    this.#mallocs--; // a moved realloc counts once
    this.#u8.copyWithin(fresh, bp, bp + Math.min(oldReq, size));
    this.#free(bp);
    this.#frees--;
    return fresh;
  }

  /**
   * Realloc into the free block before `bp` (and the free one after, if
   * `nextSize` > 0): merge them, move the contents down, split off the rest.
   */
  #slideBack(
    bp: number,
    oldReq: number,
    size: number,
    asize: number,
    prevSize: number,
    nextSize: number,
  ): number {
    const start = bp - prevSize;
    const total = prevSize + this.#size(bp) + nextSize;
    this.#remove(start);
    if (nextSize > 0) this.#remove(bp + this.#size(bp));
    this.#opMerges += nextSize > 0 ? 2 : 1;
    this.#untrack(bp, oldReq);
    this.#mallocs--;
    this.#u8.copyWithin(start, bp, bp + Math.min(oldReq, size));
    const prev = this.#prevBit(start);
    if (total - asize >= this.#splitMin) {
      this.#setTags(start, asize, ALLOC, prev);
      const rest = start + asize;
      this.#setTags(rest, total - asize, 0, this.#prevAllocBit);
      this.#insert(rest);
      this.#opSplit = true;
    } else this.#setTags(start, total, ALLOC, prev);
    if (this.#rover > start && this.#rover < start + total) this.#rover = start;
    this.#track(start, size);
    return start;
  }

  /**
   * Allocate `count * size` bytes, zeroed.
   *
   * @param count Number of elements.
   * @param size Bytes per element.
   * @returns The address, or null (zero bytes, overflow beyond `maxBytes`, out of memory).
   * @throws {RangeError} If either argument is not a non-negative integer.
   *
   * @example Zeroed even when the block was used before
   * ```ts
   * import { createHeap } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const heap = createHeap();
   * const p = heap.malloc(16)!;
   * heap.bytes.fill(7, p, p + 16);
   * heap.free(p);
   * const q = heap.calloc(4, 4)!;
   * assert.deepEqual([...heap.bytes.subarray(q, q + 16)], new Array(16).fill(0));
   * ```
   */
  calloc(count: number, size: number): number | null {
    this.#checkSize(count, "calloc");
    this.#checkSize(size, "calloc");
    this.#beginOp();
    const total = count * size;
    let r: number | null = null;
    if (total > this.config.maxBytes) this.#failures++;
    else {
      r = this.#malloc(total);
      if (r !== null) this.#u8.fill(0, r, r + total);
    }
    this.#endOp("calloc", total, null, r);
    return r;
  }

  /**
   * The payload of a live block, as a view of the heap's bytes (the requested length).
   *
   * @param address A live address.
   * @returns A `Uint8Array` over the payload.
   * @throws {RangeError} If the address is not live.
   *
   * @example Write and read back
   * ```ts
   * import { createHeap } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const heap = createHeap();
   * const p = heap.malloc(3)!;
   * heap.payload(p).set([1, 2, 3]);
   * assert.deepEqual([...heap.payload(p)], [1, 2, 3]);
   * ```
   */
  payload(address: number): Uint8Array {
    const req = this.#checkLive(address, "read the payload");
    return this.#u8.subarray(address, address + req);
  }

  /**
   * Whether an address is a live allocation.
   *
   * @param address Any number.
   * @returns True if malloc returned it and it has not been freed.
   *
   * @example
   * ```ts
   * import { createHeap } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const heap = createHeap();
   * const p = heap.malloc(8)!;
   * assert.equal(heap.isLive(p), true);
   * heap.free(p);
   * assert.equal(heap.isLive(p), false);
   * ```
   */
  isLive(address: number): boolean {
    return this.#reqAt(address) >= 0;
  }

  /**
   * Every block in address order.
   *
   * @returns The blocks, allocated and free.
   *
   * @example A split leaves a free remainder
   * ```ts
   * import { createHeap } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const heap = createHeap({ chunkBytes: 64 });
   * heap.malloc(8);
   * assert.deepEqual(heap.blocks().map((b) => [b.sizeBytes, b.allocated]), [[16, true], [48, false]]);
   * ```
   */
  blocks(): HeapBlock[] {
    const out: HeapBlock[] = [];
    for (let bp = FIRST_BP, size = this.#size(bp); size !== 0; bp += size, size = this.#size(bp)) {
      const allocated = this.#isAlloc(bp);
      out.push({
        address: bp,
        sizeBytes: size,
        allocated,
        requestedBytes: allocated ? Math.max(0, this.#reqAt(bp)) : 0,
      });
    }
    return out;
  }

  /**
   * Counters and fragmentation metrics right now.
   *
   * @returns The statistics.
   *
   * @example Utilization as Malloc Lab defines it
   * ```ts
   * import { createHeap } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const heap = createHeap();
   * heap.malloc(24); // a 32-byte block; the heap is 16 + 32 bytes
   * assert.equal(heap.stats().utilization, 24 / 48);
   * ```
   */
  stats(): HeapStats {
    let freeBlocks = 0, freeBytes = 0, largest = 0;
    for (let bp = FIRST_BP, size = this.#size(bp); size !== 0; bp += size, size = this.#size(bp)) {
      if (this.#isAlloc(bp)) continue;
      freeBlocks++;
      freeBytes += size;
      if (size > largest) largest = size;
    }
    return {
      heapBytes: this.#brk,
      payloadBytes: this.#payload,
      peakPayloadBytes: this.#peak,
      utilization: this.#brk > FIXED_OVERHEAD ? this.#peak / this.#brk : 0,
      allocatedBlocks: this.#allocatedBlocks,
      allocatedBytes: this.#allocatedBytes,
      internalFragmentationBytes: this.#allocatedBytes - this.#payload,
      freeBlocks,
      freeBytes,
      largestFreeBytes: largest,
      externalFragmentation: freeBytes === 0 ? 0 : 1 - largest / freeBytes,
      fixedOverheadBytes: FIXED_OVERHEAD,
      mallocs: this.#mallocs,
      frees: this.#frees,
      failures: this.#failures,
      searched: this.#searched,
    };
  }

  /**
   * Free blocks counted by size, in power-of-two bins.
   *
   * @returns One row per non-empty bin: `[fromBytes, toBytes]` inclusive and the count.
   *
   * @example
   * ```ts
   * import { createHeap } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const heap = createHeap();
   * const a = heap.malloc(100)!;
   * heap.malloc(8);
   * heap.free(a);
   * assert.deepEqual(heap.freeHistogram(), [{ fromBytes: 65, toBytes: 128, count: 1 }]);
   * ```
   */
  freeHistogram(): { fromBytes: number; toBytes: number; count: number }[] {
    const counts = new Map<number, number>();
    for (const b of this.blocks()) {
      if (b.allocated) continue;
      const k = 32 - Math.clz32(b.sizeBytes - 1);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([k, count]) => ({
      fromBytes: 2 ** (k - 1) + 1,
      toBytes: 2 ** k,
      count,
    }));
  }

  /**
   * Check every invariant of the heap: tags agree, payloads aligned, blocks
   * tile the heap, no free neighbours under immediate coalescing, free lists
   * hold exactly the free blocks in the right classes with consistent links.
   *
   * @returns A list of problems, empty for a healthy heap.
   *
   * @example A healthy heap, then one corrupted by a stray write
   * ```ts
   * import { createHeap } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const heap = createHeap({ list: "explicit" });
   * const p = heap.malloc(8)!;
   * heap.malloc(8);
   * assert.deepEqual(heap.check(), []);
   * heap.bytes.fill(0xff, p, p + 12); // overflows into the next header
   * assert.ok(heap.check().length > 0);
   * ```
   */
  check(): string[] {
    const problems: string[] = [];
    const w = this.#w;
    if (w[1] !== (8 | ALLOC) || w[2] !== (8 | ALLOC)) problems.push("prologue overwritten");
    const freeSet = new Set<number>();
    const allocSet = new Set<number>();
    let bp = FIRST_BP;
    let prevFree = false;
    let total = FIXED_OVERHEAD;
    let guard = 0;
    while (bp < this.#brk) {
      const h = w[(bp - 4) >> 2];
      const size = h & ~7;
      if (size === 0) break;
      if (++guard > this.#brk) break;
      if (bp % this.#align !== 0) problems.push(`block ${bp}: payload not ${this.#align}-aligned`);
      if (size % this.#align !== 0 || size < this.#minBlock || bp + size > this.#brk) {
        problems.push(`block ${bp}: bad size ${size}`);
        break;
      }
      const free = (h & ALLOC) === 0;
      if (this.#freeFooters) {
        if (((h & PREV_ALLOC) === 0) !== prevFree) {
          problems.push(`block ${bp}: its previous-allocated bit is wrong`);
        }
        if (free && w[(bp + size - 8) >> 2] !== size) {
          problems.push(`block ${bp}: header and footer differ`);
        }
      } else if (w[(bp + size - 8) >> 2] !== h) {
        problems.push(`block ${bp}: header and footer differ`);
      }
      if (free) {
        freeSet.add(bp);
        if (prevFree && !this.#deferred) problems.push(`block ${bp}: two free blocks adjacent`);
      } else {
        allocSet.add(bp);
        const req = this.#reqAt(bp);
        if (req < 0) problems.push(`block ${bp}: allocated but not tracked`);
        else if (req + this.#tagBytes > size) {
          problems.push(`block ${bp}: payload larger than its block`);
        }
      }
      prevFree = free;
      total += size;
      bp += size;
    }
    const epilogue = w[(this.#brk - 4) >> 2];
    if (bp !== this.#brk || (epilogue & ~PREV_ALLOC) !== (0 | ALLOC)) {
      problems.push(`blocks end at ${bp} but the heap ends at ${this.#brk} (epilogue lost)`);
    } else if (epilogue !== (0 | ALLOC | (prevFree ? 0 : this.#prevAllocBit))) {
      problems.push(`the epilogue's previous-allocated bit is wrong`);
    }
    if (total !== this.#brk) problems.push(`blocks add up to ${total}, heap is ${this.#brk}`);
    for (let i = 0; i < this.#req.length && 16 * i < this.#brk; i++) {
      const v = this.#req[i];
      const at = 16 * i + 8 * (v & 1);
      if (v !== 0 && !allocSet.has(at)) {
        problems.push(`tracked block ${at} is not allocated`);
      }
    }
    if (this.#list !== 0) {
      const seen = new Set<number>();
      for (let c = 0; c < this.#classes; c++) {
        const bit = (this.#nonEmpty[c >> 5] >>> (c & 31)) & 1;
        if (bit !== (this.#heads[c] !== 0 ? 1 : 0)) {
          problems.push(
            `free list ${c}: its non-empty bit is ${bit} but its head is ${this.#heads[c]}`,
          );
        }
        let pred = 0;
        for (let p = this.#heads[c]; p !== 0; p = w[(p + 4) >> 2]) {
          if (seen.has(p) || seen.size > freeSet.size) {
            problems.push(`free list ${c}: cycle or block ${p} listed twice`);
            break;
          }
          seen.add(p);
          if (!freeSet.has(p)) problems.push(`free list ${c}: ${p} is not a free block`);
          else if (this.#classOf(this.#size(p)) !== c) {
            problems.push(`free list ${c}: ${p} is in the wrong class`);
          }
          if (w[p >> 2] !== pred) problems.push(`free list ${c}: ${p} has a wrong predecessor`);
          pred = p;
        }
      }
      for (const f of freeSet) if (!seen.has(f)) problems.push(`free block ${f} is in no list`);
    }
    return problems;
  }
}

/**
 * Create a simulated heap.
 *
 * @param config Settings (see {@linkcode HeapConfig}); all optional.
 * @returns An empty heap of 16 bytes (padding, prologue, epilogue).
 * @throws {TypeError} For a setting of the wrong shape, naming it.
 * @throws {RangeError} For a setting out of range, naming it.
 *
 * @example Best fit picks the tightest hole
 * ```ts
 * import { createHeap } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const heap = createHeap({ fit: "best", list: "explicit" });
 * const big = heap.malloc(64)!;
 * heap.malloc(8);
 * const small = heap.malloc(16)!;
 * heap.malloc(8);
 * heap.free(big);
 * heap.free(small);
 * assert.equal(heap.malloc(16), small);
 * ```
 */
export function createHeap(config: HeapConfigInput = {}): Heap {
  const c = parseWith(HeapConfig, config, "Cannot create heap");
  return withDisplay(
    new Heap(c),
    (h) => ({ html: heapHtml(h.blocks()), text: heapText(h.blocks()) }),
  );
}

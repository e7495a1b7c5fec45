/**
 * Multi-level (hierarchical) page tables: a tree of page-sized tables, each
 * level indexed by a slice of the virtual page number. Covers the general
 * two-level table and the x86-64 four-level walk (9+9+9+9+12 bits, 48-bit
 * addresses); every lookup on the walk is recorded.
 *
 * @module
 */
import { z } from "zod";
import type { Translation, WalkStep } from "./address.ts";
import { isPowerOfTwo, parseOrThrow } from "./_parse.ts";
import { makeTranslation } from "./_translation.ts";

/** Options of {@linkcode createMultiLevelPageTable}. */
export const MultiLevelPageTableOptions = z.object({
  /** Index bits per level, top level first (e.g. [9, 9, 9, 9] for x86-64). */
  levelBits: z.array(z.number().int().min(1).max(20)).min(1).max(6),
  /** Offset bits (12 for 4 KiB pages). */
  offsetBits: z.number().int().min(1).max(30),
  /** Bytes per entry (default 8). Each table must fit in one page. */
  entryBytes: z.number().int().positive().default(8),
  /** A name per level for display (default "L0", "L1", ...). */
  levelNames: z.array(z.string()).optional(),
  /** Frame number of the top-level table (the page-directory base); tables are numbered upward from it. Default 1,000,000. */
  rootFrame: z.number().int().min(0).default(1_000_000),
});
/** Options of {@linkcode createMultiLevelPageTable}. */
export type MultiLevelPageTableOptions = z.input<typeof MultiLevelPageTableOptions>;

/**
 * A multi-level page table. Entries hold `frame * pageBytes + 1` when valid
 * (bit 0 is the present bit, like x86) and 0 when not; table pages are
 * allocated on demand, from `rootFrame` upward.
 */
export class MultiLevelPageTable {
  /** Index bits per level, top first. */
  readonly levelBits: readonly number[];
  /** Offset bits. */
  readonly offsetBits: number;
  /** Bytes per page. */
  readonly pageBytes: number;
  /** Bytes per entry. */
  readonly entryBytes: number;
  /** Names of the levels. */
  readonly levelNames: readonly string[];
  /** Frame of the top-level table. */
  readonly rootFrame: number;
  /** Bytes of virtual address space (2^(sum of bits)). */
  readonly addressSpaceBytes: number;
  #tables = new Map<number, Float64Array>();
  #nextFrame: number;

  /**
   * Create an empty table (only the top-level table exists).
   *
   * @param options See {@linkcode MultiLevelPageTableOptions}.
   *
   * @example A two-level table like 32-bit x86 (10 + 10 + 12 bits)
   * ```ts
   * import { MultiLevelPageTable } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const table = new MultiLevelPageTable({ levelBits: [10, 10], offsetBits: 12, entryBytes: 4 });
   * assert.equal(table.addressSpaceBytes, 2 ** 32);
   * ```
   */
  constructor(options: MultiLevelPageTableOptions) {
    const o = parseOrThrow(
      MultiLevelPageTableOptions,
      options,
      "Cannot create multi-level page table",
    );
    if (!isPowerOfTwo(o.entryBytes)) {
      throw new RangeError(
        `Cannot create multi-level page table: entryBytes must be a power of two: received ${o.entryBytes}`,
      );
    }
    const total = o.levelBits.reduce((a, b) => a + b, 0) + o.offsetBits;
    if (total > 52) {
      throw new RangeError(
        `Cannot create multi-level page table: levelBits plus offsetBits must be at most 52 bits: received ${total}`,
      );
    }
    this.pageBytes = 2 ** o.offsetBits;
    o.levelBits.forEach((bits, level) => {
      if (2 ** bits * o.entryBytes > this.pageBytes) {
        throw new RangeError(
          `Cannot create multi-level page table: levelBits[${level}] must give a table that fits in one page (2^bits * entryBytes <= ${this.pageBytes}): received ${bits}`,
        );
      }
    });
    if (o.levelNames !== undefined && o.levelNames.length !== o.levelBits.length) {
      throw new RangeError(
        `Cannot create multi-level page table: levelNames must have one name per level (${o.levelBits.length}): received ${o.levelNames.length}`,
      );
    }
    this.levelBits = Object.freeze([...o.levelBits]);
    this.offsetBits = o.offsetBits;
    this.entryBytes = o.entryBytes;
    this.levelNames = Object.freeze(o.levelNames ?? o.levelBits.map((_, i) => `L${i}`));
    this.rootFrame = o.rootFrame;
    this.addressSpaceBytes = 2 ** total;
    this.#nextFrame = o.rootFrame + 1;
    this.#tables.set(o.rootFrame, new Float64Array(2 ** o.levelBits[0]));
  }

  /** Table pages allocated so far (including the top-level one). */
  get tablePageCount(): number {
    return this.#tables.size;
  }

  /** Bytes of memory spent on table pages. */
  get tableBytes(): number {
    return this.#tables.size * this.pageBytes;
  }

  #indices(vpn: number): number[] {
    const out = new Array<number>(this.levelBits.length);
    let rest = vpn;
    for (let l = this.levelBits.length - 1; l >= 0; l--) {
      const size = 2 ** this.levelBits[l];
      out[l] = rest % size;
      rest = Math.floor(rest / size);
    }
    return out;
  }

  #checkVpn(vpn: number, what: string): void {
    const pages = this.addressSpaceBytes / this.pageBytes;
    if (!Number.isSafeInteger(vpn) || vpn < 0 || vpn >= pages) {
      throw new RangeError(
        `Cannot ${what}: vpn must be an integer in [0, ${pages}): received ${vpn}`,
      );
    }
  }

  /**
   * Map virtual page `vpn` to frame `pfn`, allocating intermediate tables.
   *
   * @param vpn The virtual page number.
   * @param pfn The physical frame number (a non-negative safe integer).
   * @returns This table, for chaining.
   *
   * @example Map a page and read it back
   * ```ts
   * import { createX86_64PageTable } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const table = createX86_64PageTable().map(0x12345, 7);
   * assert.equal(table.lookup(0x12345), 7);
   * assert.equal(table.tablePageCount, 4);
   * ```
   */
  map(vpn: number, pfn: number): this {
    this.#checkVpn(vpn, "map page");
    if (
      !Number.isSafeInteger(pfn) || pfn < 0 || pfn * this.pageBytes + 1 > Number.MAX_SAFE_INTEGER
    ) {
      throw new RangeError(
        `Cannot map page: pfn must be a non-negative integer whose address fits in 2^53: received ${pfn}`,
      );
    }
    const idx = this.#indices(vpn);
    let table = this.#tables.get(this.rootFrame)!;
    for (let l = 0; l < idx.length - 1; l++) {
      let entry = table[idx[l]];
      if (entry === 0) {
        const frame = this.#nextFrame++;
        this.#tables.set(frame, new Float64Array(2 ** this.levelBits[l + 1]));
        entry = frame * this.pageBytes + 1;
        table[idx[l]] = entry;
      }
      table = this.#tables.get((entry - 1) / this.pageBytes)!;
    }
    table[idx[idx.length - 1]] = pfn * this.pageBytes + 1;
    return this;
  }

  /**
   * Remove the mapping of `vpn` (intermediate tables stay allocated).
   *
   * @param vpn The virtual page number.
   * @returns This table, for chaining.
   *
   * @example Unmapped pages fault
   * ```ts
   * import { createX86_64PageTable } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const table = createX86_64PageTable().map(5, 9).unmap(5);
   * assert.equal(table.translate(5 * 4096).reason, "invalid");
   * ```
   */
  unmap(vpn: number): this {
    this.#checkVpn(vpn, "unmap page");
    const idx = this.#indices(vpn);
    let table = this.#tables.get(this.rootFrame)!;
    for (let l = 0; l < idx.length - 1; l++) {
      const entry = table[idx[l]];
      if (entry === 0) return this;
      table = this.#tables.get((entry - 1) / this.pageBytes)!;
    }
    table[idx[idx.length - 1]] = 0;
    return this;
  }

  /**
   * The frame `vpn` maps to, or null (no step log; see {@linkcode MultiLevelPageTable.translate}).
   *
   * @param vpn The virtual page number.
   * @returns The frame number or null.
   *
   * @example Nothing mapped yet
   * ```ts
   * import { createX86_64PageTable } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * assert.equal(createX86_64PageTable().lookup(1), null);
   * ```
   */
  lookup(vpn: number): number | null {
    this.#checkVpn(vpn, "look up page");
    const t = this.translate(vpn * this.pageBytes);
    return t.pfn;
  }

  /**
   * Walk the table for `virtualAddress`, recording each level's lookup. An
   * address beyond the address space or a walk reaching an invalid entry is
   * a segmentation fault result.
   *
   * @param virtualAddress A non-negative safe integer.
   * @returns The translation with one step per level visited.
   *
   * @example A four-level walk
   * ```ts
   * import { createX86_64PageTable } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const table = createX86_64PageTable().map(0x7fff_ffff_f, 42);
   * const t = table.translate(0x7fff_ffff_f123);
   * assert.equal(t.physicalAddress, 42 * 4096 + 0x123);
   * assert.deepEqual(t.steps.map((s) => s.name), ["PML4", "PDPT", "PD", "PT"]);
   * assert.deepEqual(t.steps.map((s) => s.index), [255, 511, 511, 511]);
   * ```
   */
  translate(virtualAddress: number): Translation {
    if (!Number.isSafeInteger(virtualAddress) || virtualAddress < 0) {
      throw new TypeError(
        `Cannot translate: virtualAddress must be a non-negative safe integer: received ${virtualAddress}`,
      );
    }
    const offset = virtualAddress % this.pageBytes;
    const base = {
      virtualAddress,
      offset,
      ok: false,
      pfn: null,
      physicalAddress: null,
      fault: "segfault" as const,
    };
    if (virtualAddress >= this.addressSpaceBytes) {
      return makeTranslation({
        ...base,
        vpn: null,
        reason: "out-of-bounds",
        faultLevel: null,
        steps: [],
      });
    }
    const vpn = Math.floor(virtualAddress / this.pageBytes);
    const idx = this.#indices(vpn);
    const steps: WalkStep[] = [];
    let frame = this.rootFrame;
    for (let l = 0; l < idx.length; l++) {
      const entry = this.#tables.get(frame)![idx[l]];
      const valid = entry !== 0;
      steps.push({
        level: l,
        name: this.levelNames[l],
        index: idx[l],
        entryAddress: frame * this.pageBytes + idx[l] * this.entryBytes,
        entryValue: entry,
        valid,
      });
      if (!valid) {
        return makeTranslation({ ...base, vpn, reason: "invalid", faultLevel: l, steps });
      }
      frame = (entry - 1) / this.pageBytes;
    }
    return makeTranslation({
      virtualAddress,
      vpn,
      offset,
      ok: true,
      pfn: frame,
      physicalAddress: frame * this.pageBytes + offset,
      fault: null,
      reason: null,
      faultLevel: null,
      steps,
    });
  }
}

/**
 * Create a multi-level page table (see {@linkcode MultiLevelPageTable}).
 *
 * @param options Level bits (top first), offset bits, and optionally entry size, names, root frame.
 * @returns An empty table.
 *
 * @example A general two-level table: 4 + 4 index bits, 64-byte pages
 * ```ts
 * import { createMultiLevelPageTable } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const table = createMultiLevelPageTable({ levelBits: [4, 4], offsetBits: 6, entryBytes: 4, rootFrame: 100 });
 * table.map(0x23, 5);
 * const t = table.translate(0x23 * 64 + 10);
 * assert.equal(t.physicalAddress, 5 * 64 + 10);
 * assert.deepEqual(t.steps.map((s) => [s.index, s.entryAddress]), [[2, 100 * 64 + 8], [3, 101 * 64 + 12]]);
 * ```
 */
export function createMultiLevelPageTable(
  options: MultiLevelPageTableOptions,
): MultiLevelPageTable {
  return new MultiLevelPageTable(options);
}

/**
 * An x86-64-style four-level table: 4 KiB pages, 9+9+9+9 index bits, 8-byte
 * entries, 48-bit virtual addresses (levels PML4, PDPT, PD, PT).
 *
 * @param rootFrame The frame holding the PML4 (CR3's frame), default 1,000,000.
 * @returns An empty table.
 *
 * @example 2^48 bytes of address space, one table page to start
 * ```ts
 * import { createX86_64PageTable } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const table = createX86_64PageTable();
 * assert.equal(table.addressSpaceBytes, 2 ** 48);
 * assert.equal(table.translate(2 ** 48).reason, "out-of-bounds");
 * ```
 */
export function createX86_64PageTable(rootFrame = 1_000_000): MultiLevelPageTable {
  return new MultiLevelPageTable({
    levelBits: [9, 9, 9, 9],
    offsetBits: 12,
    entryBytes: 8,
    levelNames: ["PML4", "PDPT", "PD", "PT"],
    rootFrame,
  });
}

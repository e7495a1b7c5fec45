/**
 * OSTEP's free-space model (`vm-freespace/malloc.py`): a heap of `size`
 * units starting at `base`, a free list of `(address, size)` entries, a
 * search policy (BEST, WORST, FIRST), a list order after each free
 * (ADDRSORT, SIZESORT+, SIZESORT-, INSERT-FRONT, INSERT-BACK) and optional
 * coalescing. Unlike {@linkcode createHeap} it keeps no bytes: a block is
 * only an address and a size, and a header of `headerSize` units is simply
 * added to each request. The behaviour follows the script line for line,
 * quirks included:
 *
 * - a request is rounded up to `align` (if not -1) and then the header added;
 * - FIRST stops at the first entry that fits; BEST/WORST keep the first of
 *   equal sizes; every entry looked at counts as "searched";
 * - a chosen entry shrinks in place (its address moves up), or leaves the list
 *   on an exact fit;
 * - coalescing walks the list in its current order and merges an entry into
 *   the one before it only if they touch in address, so it merges fully only
 *   under ADDRSORT;
 * - freeing an address that is not allocated returns -1 and changes nothing.
 *
 * Random problems draw from Python's Mersenne Twister exactly as the script
 * does, so the same seed gives the same problem.
 *
 * @module
 */
import { MersenneTwister } from "../random/mersenne.ts";

/** OSTEP's search policies. */
export type OstepFitPolicy = "BEST" | "WORST" | "FIRST";
/** OSTEP's free-list orders. */
export type OstepListOrder =
  | "ADDRSORT"
  | "SIZESORT+"
  | "SIZESORT-"
  | "INSERT-FRONT"
  | "INSERT-BACK";

/** One free-list entry. */
export interface OstepFreeEntry {
  /** Start address. */
  addr: number;
  /** Size in units. */
  size: number;
}

/** Settings of OSTEP's malloc.py, with its defaults. */
export interface OstepMallocSettings {
  /** `-s`: random seed (default 0). */
  seed: number;
  /** `-S`: heap size (default 100). */
  heapSize: number;
  /** `-b`: base address (default 1000). */
  baseAddr: number;
  /** `-H`: header size (default 0). */
  headerSize: number;
  /** `-a`: alignment, -1 for none (default -1). */
  alignment: number;
  /** `-p`: search policy (default BEST). */
  policy: string;
  /** `-l`: list order (default ADDRSORT). */
  order: string;
  /** `-C`: coalesce (default false). */
  coalesce: boolean;
  /** `-n`: number of random operations (default 10). */
  opsNum: number;
  /** `-r`: largest random request (default 10). */
  opsRange: number;
  /** `-P`: percent of operations that allocate (default 50). */
  opsPAlloc: number;
  /** `-A`: explicit operations, e.g. `+10,-0` (default "": random). */
  opsList: string;
}

/** One operation of a run, with what the model computed. */
export type OstepMallocEvent =
  | {
    kind: "alloc";
    /** The pointer's index (`ptr[i]`). */
    index: number;
    /** Requested size. */
    size: number;
    /** Address returned as the script prints it with -c. */
    shownAddr: number;
    /** Address of the block, -1 when no entry fits. */
    addr: number;
    /** Entries searched. */
    searched: number;
    /** The free list after the operation. */
    freeList: OstepFreeEntry[];
  }
  | {
    kind: "free";
    /** The pointer's index. */
    index: number;
    /** 0, or -1 for an address not allocated. */
    rc: number;
    /** The free list after the operation. */
    freeList: OstepFreeEntry[];
  }
  | { kind: "invalid-free" }
  | {
    kind: "free-unknown";
    /** An index below the count of allocations whose allocation failed: the script crashes. */
    index: number;
  };

/** What a run produced: its events, and the error the script would stop with, if any. */
export interface OstepMallocRun {
  /** The settings used. */
  settings: OstepMallocSettings;
  /** The operations in order. */
  events: OstepMallocEvent[];
  /** The Python exception the script raises after these events, or null. */
  crash: string | null;
}

/** The defaults of malloc.py. */
export const OSTEP_MALLOC_DEFAULTS: Readonly<OstepMallocSettings> = Object.freeze({
  seed: 0,
  heapSize: 100,
  baseAddr: 1000,
  headerSize: 0,
  alignment: -1,
  policy: "BEST",
  order: "ADDRSORT",
  coalesce: false,
  opsNum: 10,
  opsRange: 10,
  opsPAlloc: 50,
  opsList: "",
});

/** A failure the Python script would raise (an assertion, a KeyError...). */
export class OstepScriptError extends Error {
  /**
   * @param message The Python exception, e.g. `AssertionError`.
   */
  constructor(message: string) {
    super(message);
    this.name = "OstepScriptError";
  }
}

const pyMod = (a: number, b: number) => ((a % b) + b) % b;

/**
 * The free list allocator of OSTEP's malloc.py.
 */
export class OstepFreeList {
  /** The free list, in its current order. */
  freeList: OstepFreeEntry[];
  #sizemap = new Map<number, number>();

  /**
   * @param size Heap size in units.
   * @param start Base address.
   * @param headerSize Header size added to each request.
   * @param policy BEST, WORST or FIRST.
   * @param order The list order after a free.
   * @param coalesce Whether to coalesce after a free.
   * @param align Alignment, or -1.
   * @throws {OstepScriptError} For a policy, order or alignment the script rejects.
   */
  constructor(
    readonly size: number,
    start: number,
    readonly headerSize: number,
    readonly policy: string,
    readonly order: string,
    readonly coalesce: boolean,
    readonly align: number,
  ) {
    this.freeList = [{ addr: start, size }];
    if (!["BEST", "WORST", "FIRST"].includes(policy)) {
      throw new OstepScriptError(
        `AssertionError: -p must be BEST, WORST or FIRST: received "${policy}"`,
      );
    }
    if (!["ADDRSORT", "SIZESORT+", "SIZESORT-", "INSERT-FRONT", "INSERT-BACK"].includes(order)) {
      throw new OstepScriptError(
        `AssertionError: -l must be ADDRSORT, SIZESORT+, SIZESORT-, INSERT-FRONT or INSERT-BACK: received "${order}"`,
      );
    }
    if (!(align === -1 || align > 0)) {
      throw new OstepScriptError(`AssertionError: -a must be -1 or positive: received ${align}`);
    }
  }

  /**
   * Allocate as malloc.py does.
   *
   * @param requested Size asked for.
   * @returns The address (-1 if nothing fits) and the entries searched.
   */
  malloc(requested: number): { addr: number; searched: number } {
    let size = requested;
    if (this.align !== -1) {
      const left = pyMod(size, this.align);
      size += left !== 0 ? this.align - left : 0;
    }
    size += this.headerSize;
    let bestIdx = -1;
    let bestSize = this.policy === "BEST" ? this.size + 1 : -1;
    let bestAddr = 0;
    let count = 0;
    for (let i = 0; i < this.freeList.length; i++) {
      const e = this.freeList[i];
      count++;
      if (
        e.size >= size && ((this.policy === "BEST" && e.size < bestSize) ||
          (this.policy === "WORST" && e.size > bestSize) || this.policy === "FIRST")
      ) {
        bestAddr = e.addr;
        bestSize = e.size;
        bestIdx = i;
        if (this.policy === "FIRST") break;
      }
    }
    if (bestIdx === -1) return { addr: -1, searched: count };
    if (bestSize > size) this.freeList[bestIdx] = { addr: bestAddr + size, size: bestSize - size };
    else this.freeList.splice(bestIdx, 1);
    if (this.#sizemap.has(bestAddr)) {
      throw new OstepScriptError(`AssertionError: address ${bestAddr} handed out twice`);
    }
    this.#sizemap.set(bestAddr, size);
    return { addr: bestAddr, searched: count };
  }

  /**
   * Free as malloc.py does.
   *
   * @param addr An address.
   * @returns 0, or -1 if the address is not allocated.
   */
  free(addr: number): number {
    const size = this.#sizemap.get(addr);
    if (size === undefined) return -1;
    const entry = { addr, size };
    const list = this.freeList;
    if (this.order === "INSERT-FRONT") list.unshift(entry);
    else list.push(entry);
    // Python's sorted() is stable, like Array.prototype.sort.
    if (this.order === "ADDRSORT") list.sort((a, b) => a.addr - b.addr);
    else if (this.order === "SIZESORT+") list.sort((a, b) => a.size - b.size);
    else if (this.order === "SIZESORT-") stableReverseSort(list);
    if (this.coalesce) {
      const out: OstepFreeEntry[] = [];
      let curr = list[0];
      for (let i = 1; i < list.length; i++) {
        const e = list[i];
        if (e.addr === curr.addr + curr.size) curr = { addr: curr.addr, size: curr.size + e.size };
        else {
          out.push(curr);
          curr = e;
        }
      }
      out.push(curr);
      this.freeList = out;
    }
    this.#sizemap.delete(addr);
    return 0;
  }
}

/** `sorted(key=size, reverse=True)`: descending; Python keeps equal sizes in their order. */
function stableReverseSort(list: OstepFreeEntry[]): void {
  list.sort((a, b) => b.size - a.size);
}

/** Python's int(text) for the `+N` and `-N` items of -A. */
function pyIntItem(text: string, op: string): number {
  const t = text.trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(t)) {
    throw new OstepScriptError(
      `ValueError: invalid literal for int() with base 10: '${text}' (in -A item "${op}")`,
    );
  }
  return Number(t.replaceAll("_", ""));
}

/**
 * Run malloc.py's main program: a random problem from the seed, or the
 * operations of `opsList`.
 *
 * @param options Settings; missing ones take malloc.py's defaults.
 * @returns The events and, if the script would stop with an exception, its text.
 *
 * @example OSTEP's first homework question, with answers
 * ```ts
 * import { runOstepMalloc } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const run = runOstepMalloc({ opsList: "+3,+5,-0" });
 * assert.deepEqual(run.events.map((e) => e.kind), ["alloc", "alloc", "free"]);
 * assert.deepEqual(run.events.at(-1), {
 *   kind: "free", index: 0, rc: 0,
 *   freeList: [{ addr: 1000, size: 3 }, { addr: 1008, size: 92 }],
 * });
 * ```
 */
export function runOstepMalloc(options: Partial<OstepMallocSettings> = {}): OstepMallocRun {
  const s: OstepMallocSettings = { ...OSTEP_MALLOC_DEFAULTS, ...options };
  const events: OstepMallocEvent[] = [];
  const run: OstepMallocRun = { settings: s, events, crash: null };
  // The script builds its allocator before printing anything: a bad policy stops it here.
  const m = new OstepFreeList(
    s.heapSize,
    s.baseAddr,
    s.headerSize,
    s.policy,
    s.order,
    s.coalesce,
    s.alignment,
  );
  const list = () => m.freeList.map((e) => ({ ...e }));
  try {
    const percent = s.opsPAlloc / 100;
    if (!(percent > 0)) {
      throw new OstepScriptError(`AssertionError: -P must be above 0: received ${s.opsPAlloc}`);
    }
    const mt = new MersenneTwister(BigInt(s.seed));
    const p = new Map<number, number>();
    if (s.opsList === "") {
      const L: number[] = [];
      let c = 0;
      let j = 0;
      while (j < s.opsNum) {
        if (mt.random() < percent) {
          const size = Math.trunc(mt.random() * s.opsRange) + 1;
          const { addr, searched } = m.malloc(size);
          if (addr !== -1) {
            p.set(c, addr);
            L.push(c);
          }
          events.push({
            kind: "alloc",
            index: c,
            size,
            addr,
            shownAddr: addr + s.headerSize,
            searched,
            freeList: list(),
          });
          c++;
          j++;
        } else if (p.size > 0) {
          const d = Math.trunc(mt.random() * L.length);
          const rc = m.free(p.get(L[d])!);
          events.push({ kind: "free", index: L[d], rc, freeList: list() });
          p.delete(L[d]);
          L.splice(d, 1);
          j++;
        }
      }
    } else {
      let c = 0;
      for (const op of s.opsList.split(",")) {
        if (op === "") throw new OstepScriptError("IndexError: string index out of range");
        if (op[0] === "+") {
          const size = pyIntItem(op.split("+")[1], op);
          const { addr, searched } = m.malloc(size);
          if (addr !== -1) p.set(c, addr);
          events.push({
            kind: "alloc",
            index: c,
            size,
            addr,
            shownAddr: addr,
            searched,
            freeList: list(),
          });
          c++;
        } else if (op[0] === "-") {
          const index = pyIntItem(op.split("-")[1], op);
          if (index >= p.size) {
            events.push({ kind: "invalid-free" });
            continue;
          }
          const addr = p.get(index); // a dict: p[-1] is a missing key, not the last item
          if (addr === undefined) {
            events.push({ kind: "free-unknown", index });
            throw new OstepScriptError(`KeyError: ${index}`);
          }
          const rc = m.free(addr);
          events.push({ kind: "free", index, rc, freeList: list() });
        } else {
          throw new OstepScriptError(
            `NameError: name 'abort' is not defined (item "${op}" must be +Size or -Index)`,
          );
        }
      }
    }
  } catch (e) {
    if (!(e instanceof OstepScriptError)) throw e;
    run.crash = e.message;
  }
  return run;
}

/**
 * A translation lookaside buffer: a small set-associative cache of
 * translations with LRU replacement in each set, and a choice of what a
 * context switch does (flush everything, or keep entries tagged with an
 * address-space id, ASID).
 *
 * @module
 */
import { z } from "zod";
import { parseOrThrow } from "./_parse.ts";
import { htmlTable, withDisplay } from "./_display.ts";

/** Options of {@linkcode Tlb} and {@linkcode simulateTlb}. */
export const TlbOptions = z.object({
  /** Entries in the TLB. */
  entries: z.number().int().positive(),
  /** Entries per set (default: `entries`, fully associative). Must divide `entries`. */
  ways: z.number().int().positive().optional(),
  /** On a context switch: "flush" empties the TLB, "asid" keeps entries tagged by address space. */
  contextSwitch: z.enum(["flush", "asid"]).default("flush"),
});
/** Options of {@linkcode Tlb}. */
export type TlbOptions = z.input<typeof TlbOptions>;

/** Hit/miss counters of a TLB. */
export interface TlbStats {
  /** Lookups that hit. */
  hits: number;
  /** Lookups that missed (and filled an entry). */
  misses: number;
  /** hits / lookups (0 before any lookup). */
  hitRate: number;
  /** Context switches seen. */
  contextSwitches: number;
  /** Full flushes done. */
  flushes: number;
  /** Valid entries evicted to make room. */
  evictions: number;
}

/**
 * A set-associative TLB with LRU replacement in each set. `lookup` on a miss
 * fills the entry (as a hardware-managed TLB does after the page walk).
 */
export class Tlb {
  /** Entries in the TLB. */
  readonly entries: number;
  /** Entries per set. */
  readonly ways: number;
  /** Number of sets. */
  readonly sets: number;
  /** What a context switch does. */
  readonly contextSwitch: "flush" | "asid";
  #vpn: Float64Array;
  #asid: Float64Array;
  #valid: Uint8Array;
  #used: Float64Array;
  #clock = 0;
  #current = 0;
  #hits = 0;
  #misses = 0;
  #switches = 0;
  #flushes = 0;
  #evictions = 0;

  /**
   * Create an empty TLB.
   *
   * @param options `entries`, `ways` (default fully associative), `contextSwitch` ("flush" or "asid").
   *
   * @example A 4-way, 16-entry TLB has 4 sets
   * ```ts
   * import { Tlb } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new Tlb({ entries: 16, ways: 4 }).sets, 4);
   * assert.throws(() => new Tlb({ entries: 16, ways: 3 }), /ways must divide entries \(16\): received 3/);
   * ```
   */
  constructor(options: TlbOptions) {
    const o = parseOrThrow(TlbOptions, options, "Cannot create TLB");
    const ways = o.ways ?? o.entries;
    if (o.entries % ways !== 0) {
      throw new RangeError(
        `Cannot create TLB: ways must divide entries (${o.entries}): received ${ways}`,
      );
    }
    this.entries = o.entries;
    this.ways = ways;
    this.sets = o.entries / ways;
    this.contextSwitch = o.contextSwitch;
    this.#vpn = new Float64Array(o.entries);
    this.#asid = new Float64Array(o.entries);
    this.#valid = new Uint8Array(o.entries);
    this.#used = new Float64Array(o.entries);
  }

  /** The address space currently running. */
  get asid(): number {
    return this.#current;
  }

  /**
   * Look up `vpn` for the running address space; on a miss, fill it (evicting the set's LRU entry).
   *
   * @param vpn A non-negative virtual page number.
   * @returns True on a hit.
   *
   * @example OSTEP's array walk: a[0..9] of 4-byte ints from VA 100, 16-byte pages
   * ```ts
   * import { Tlb } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const tlb = new Tlb({ entries: 4 });
   * const hits = Array.from({ length: 10 }, (_, i) => tlb.lookup(Math.floor((100 + 4 * i) / 16)));
   * assert.equal(hits.filter(Boolean).length, 7);
   * ```
   */
  lookup(vpn: number): boolean {
    if (!Number.isSafeInteger(vpn) || vpn < 0) {
      throw new TypeError(
        `Cannot look up TLB: vpn must be a non-negative safe integer: received ${vpn}`,
      );
    }
    const base = (vpn % this.sets) * this.ways;
    const asid = this.#current;
    const stamp = ++this.#clock;
    let victim = base;
    for (let i = base; i < base + this.ways; i++) {
      if (this.#valid[i] === 1 && this.#vpn[i] === vpn && this.#asid[i] === asid) {
        this.#used[i] = stamp;
        this.#hits++;
        return true;
      }
      if (
        this.#valid[victim] === 1 && (this.#valid[i] === 0 || this.#used[i] < this.#used[victim])
      ) {
        victim = i;
      }
    }
    this.#misses++;
    if (this.#valid[victim] === 1) this.#evictions++;
    this.#valid[victim] = 1;
    this.#vpn[victim] = vpn;
    this.#asid[victim] = asid;
    this.#used[victim] = stamp;
    return false;
  }

  /**
   * Switch to address space `asid`: flushes the TLB in "flush" mode, keeps it in "asid" mode.
   *
   * @param asid The address-space id (a non-negative integer).
   * @returns Nothing.
   *
   * @example With ASIDs, coming back finds the old entries
   * ```ts
   * import { Tlb } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const tlb = new Tlb({ entries: 8, contextSwitch: "asid" });
   * tlb.lookup(1);
   * tlb.switchTo(2);
   * tlb.lookup(1);
   * tlb.switchTo(0);
   * assert.equal(tlb.lookup(1), true);
   * ```
   */
  switchTo(asid: number): void {
    if (!Number.isSafeInteger(asid) || asid < 0) {
      throw new TypeError(
        `Cannot switch address space: asid must be a non-negative safe integer: received ${asid}`,
      );
    }
    if (asid === this.#current) return;
    this.#current = asid;
    this.#switches++;
    if (this.contextSwitch === "flush") this.flush();
  }

  /**
   * Invalidate every entry.
   *
   * @returns Nothing.
   *
   * @example After a flush everything misses
   * ```ts
   * import { Tlb } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const tlb = new Tlb({ entries: 2 });
   * tlb.lookup(3);
   * tlb.flush();
   * assert.equal(tlb.lookup(3), false);
   * ```
   */
  flush(): void {
    this.#valid.fill(0);
    this.#flushes++;
  }

  /**
   * The counters so far (plain data).
   *
   * @returns Hits, misses, hit rate, context switches, flushes and evictions.
   *
   * @example One miss then one hit
   * ```ts
   * import { Tlb } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const tlb = new Tlb({ entries: 2 });
   * tlb.lookup(5);
   * tlb.lookup(5);
   * assert.deepEqual([tlb.stats().hits, tlb.stats().misses, tlb.stats().hitRate], [1, 1, 0.5]);
   * ```
   */
  stats(): TlbStats {
    const n = this.#hits + this.#misses;
    return {
      hits: this.#hits,
      misses: this.#misses,
      hitRate: n === 0 ? 0 : this.#hits / n,
      contextSwitches: this.#switches,
      flushes: this.#flushes,
      evictions: this.#evictions,
    };
  }
}

/** One reference for {@linkcode simulateTlb}: a page, or a page in an address space. */
export type TlbReference = number | { asid: number; vpn: number };

/** The result of {@linkcode simulateTlb}. */
export interface TlbResult extends TlbStats {
  /** Entries, ways and sets. */
  entries: number;
  /** Entries per set. */
  ways: number;
  /** What a context switch does. */
  contextSwitch: "flush" | "asid";
  /** Per reference: `{ asid, vpn, hit }`, when asked for. */
  steps?: { asid: number; vpn: number; hit: boolean }[];
}

/**
 * Run a reference string through a TLB. A change of `asid` between
 * references is a context switch.
 *
 * @param options TLB options plus `references` (VPNs, or `{ asid, vpn }`) and `steps`.
 * @returns Hit/miss statistics and, if asked, one step per reference.
 *
 * @example Two processes taking turns: flushing loses everything, ASIDs keep it
 * ```ts
 * import { simulateTlb } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const references = [0, 1, 0, 1].flatMap((asid) => [1, 2, 3].map((vpn) => ({ asid, vpn })));
 * assert.equal(simulateTlb({ entries: 8, contextSwitch: "flush", references }).hits, 0);
 * assert.equal(simulateTlb({ entries: 8, contextSwitch: "asid", references }).hits, 6);
 * ```
 */
export function simulateTlb(
  options: TlbOptions & { references: readonly TlbReference[]; steps?: boolean },
): TlbResult {
  const tlb = new Tlb(options);
  const refs = options.references;
  if (!Array.isArray(refs)) {
    throw new TypeError(
      `Cannot simulate TLB: references must be an array: received ${typeof refs}`,
    );
  }
  const steps: { asid: number; vpn: number; hit: boolean }[] = [];
  const first = refs[0];
  if (first !== undefined && typeof first === "object") tlb.switchTo(first.asid);
  let switches = 0;
  for (const r of refs) {
    const asid = typeof r === "number" ? tlb.asid : r.asid;
    const vpn = typeof r === "number" ? r : r.vpn;
    if (asid !== tlb.asid) switches++;
    tlb.switchTo(asid);
    const hit = tlb.lookup(vpn);
    if (options.steps) steps.push({ asid, vpn, hit });
  }
  const s = tlb.stats();
  const result: TlbResult = {
    entries: tlb.entries,
    ways: tlb.ways,
    contextSwitch: tlb.contextSwitch,
    ...s,
    contextSwitches: switches,
    flushes: tlb.contextSwitch === "flush" ? switches : 0,
  };
  if (options.steps) result.steps = steps;
  return withDisplay(result, (r) => {
    const text =
      `TLB ${r.entries} entries, ${r.ways}-way, ${r.contextSwitch}: ${r.hits} hits, ${r.misses} misses, hit rate ${
        (100 * r.hitRate).toFixed(1)
      }%, ${r.contextSwitches} context switches`;
    const rows = (r.steps ?? []).slice(0, 200).map((
      x,
      i,
    ) => [i, x.asid, x.vpn, x.hit ? "hit" : "MISS"]);
    const table = rows.length ? htmlTable(["#", "asid", "vpn", ""], rows) : "";
    return { html: `<p>${text}</p>${table}`, text };
  });
}

/**
 * Page replacement policies behind one interface a student can implement
 * with a plain object, and the one place where a policy name becomes a
 * policy: {@linkcode resolvePagePolicy}.
 *
 * @module
 */
import { ChunkedList, IndexedHeap, PageMap } from "./_page_map.ts";
import { OrderedPages } from "./_order_stat.ts";

/** What a policy learns once, before the first reference. */
export interface PagePolicyContext {
  /** How many frames the policy manages. */
  frames: number;
  /** The whole reference string (empty when the simulation is online, e.g. a machine). */
  references: ArrayLike<number>;
  /** A source of floats in [0, 1) (Python's `random.random()` by default). */
  random: () => number;
  /** For CLOCK: the largest value a page's reference counter can reach. */
  clockBits: number;
}

/** The pages in memory, as seen by `chooseVictim`. */
export interface ResidentPages {
  /** How many pages are resident. */
  readonly size: number;
  /** Whether `page` is resident. */
  has(page: number): boolean;
  /** The resident pages (a fresh array, in no particular order). */
  pages(): number[];
}

/** The future of the reference string (only offline simulations have one). */
export interface PagingFuture {
  /** The whole reference string. */
  readonly references: ArrayLike<number>;
  /** The index of the next reference to `page` after the current time, or `references.length`. */
  nextUse(page: number): number;
}

/**
 * A page replacement policy. Only `name` and `chooseVictim` are required;
 * the simulator calls `onHit` on every hit, `onInsert` after every miss
 * (once the page is in memory), and `chooseVictim` when memory is full; the
 * chosen page is evicted and `onEvict` is called.
 */
export interface PagePolicy {
  /** The name shown in results. */
  readonly name: string;
  /** True when the policy needs the future (OPT); online simulators refuse it. */
  readonly needsFuture?: boolean;
  /** Labels for the left and right ends of `order()` (e.g. `["LRU", "MRU"]`). */
  readonly labels?: readonly [string, string];
  /** Reset and size internal state before a run. */
  init?(context: PagePolicyContext): void;
  /** The resident `page` was referenced at `time`. */
  onHit?(page: number, time: number): void;
  /** `page` was brought into memory at `time`. */
  onInsert?(page: number, time: number): void;
  /** `page` was evicted at `time` (after `chooseVictim` picked it). */
  onEvict?(page: number, time: number): void;
  /** Pick a resident page to evict at `time`. */
  chooseVictim(resident: ResidentPages, time: number, future: PagingFuture): number;
  /** Resident pages in the policy's own order, left to right, for display. */
  order?(): number[];
}

class FifoPolicy implements PagePolicy {
  readonly name = "FIFO";
  readonly labels = ["FirstIn", "Lastin "] as const;
  #ring = new Float64Array(0);
  #head = 0;
  #count = 0;
  init(ctx: PagePolicyContext): void {
    this.#ring = new Float64Array(ctx.frames);
    this.#head = 0;
    this.#count = 0;
  }
  onInsert(page: number): void {
    this.#ring[(this.#head + this.#count++) % this.#ring.length] = page;
  }
  chooseVictim(): number {
    const page = this.#ring[this.#head];
    this.#head = (this.#head + 1) % this.#ring.length;
    this.#count--;
    return page;
  }
  order(): number[] {
    const out = new Array<number>(this.#count);
    for (let i = 0; i < this.#count; i++) out[i] = this.#ring[(this.#head + i) % this.#ring.length];
    return out;
  }
}

/** LRU, or with `mostRecent` its opposite MRU (evicts the page used last), as OSTEP's script has it. */
class LruPolicy implements PagePolicy {
  readonly name: string;
  readonly labels = ["LRU", "MRU"] as const;
  #mostRecent: boolean;
  #slot = new PageMap();
  #prev = new Int32Array(0);
  #next = new Int32Array(0);
  #page = new Float64Array(0);
  #free: number[] = [];
  #head = -1;
  #tail = -1;
  constructor(mostRecent = false) {
    this.#mostRecent = mostRecent;
    this.name = mostRecent ? "MRU" : "LRU";
  }
  init(ctx: PagePolicyContext): void {
    this.#slot = new PageMap();
    this.#prev = new Int32Array(ctx.frames);
    this.#next = new Int32Array(ctx.frames);
    this.#page = new Float64Array(ctx.frames);
    this.#free = Array.from({ length: ctx.frames }, (_, i) => ctx.frames - 1 - i);
    this.#head = this.#tail = -1;
  }
  #unlink(s: number): void {
    const p = this.#prev[s], n = this.#next[s];
    if (p >= 0) this.#next[p] = n;
    else this.#head = n;
    if (n >= 0) this.#prev[n] = p;
    else this.#tail = p;
  }
  #append(s: number): void {
    this.#prev[s] = this.#tail;
    this.#next[s] = -1;
    if (this.#tail >= 0) this.#next[this.#tail] = s;
    else this.#head = s;
    this.#tail = s;
  }
  onHit(page: number): void {
    const s = this.#slot.get(page);
    if (s !== this.#tail) {
      this.#unlink(s);
      this.#append(s);
    }
  }
  onInsert(page: number): void {
    const s = this.#free.pop()!;
    this.#page[s] = page;
    this.#slot.set(page, s);
    this.#append(s);
  }
  chooseVictim(): number {
    const s = this.#mostRecent ? this.#tail : this.#head;
    const page = this.#page[s];
    this.#unlink(s);
    this.#slot.set(page, -1);
    this.#free.push(s);
    return page;
  }
  order(): number[] {
    const out: number[] = [];
    for (let s = this.#head; s >= 0; s = this.#next[s]) out.push(this.#page[s]);
    return out;
  }
}

/** OPT (Belady's MIN) and its opposite UNOPT, with a heap keyed by next use. */
class FuturePolicy implements PagePolicy {
  readonly name: string;
  readonly needsFuture = true;
  readonly labels = ["Left ", "Right"] as const;
  #farthest: boolean;
  #nextUse = new Int32Array(0);
  #slot = new PageMap();
  #page = new Float64Array(0);
  #stamp = new Float64Array(0);
  #free: number[] = [];
  #heap = new IndexedHeap(0, true);
  constructor(farthest: boolean) {
    this.#farthest = farthest;
    this.name = farthest ? "OPT" : "UNOPT";
  }
  init(ctx: PagePolicyContext): void {
    const refs = ctx.references;
    const n = refs.length;
    this.#nextUse = new Int32Array(n);
    const seen = new PageMap(n);
    for (let t = n - 1; t >= 0; t--) {
      this.#nextUse[t] = seen.get(refs[t]);
      seen.set(refs[t], t);
    }
    this.#slot = new PageMap();
    this.#page = new Float64Array(ctx.frames);
    this.#stamp = new Float64Array(ctx.frames);
    this.#free = Array.from({ length: ctx.frames }, (_, i) => ctx.frames - 1 - i);
    this.#heap = new IndexedHeap(ctx.frames, this.#farthest);
  }
  #next(time: number): number {
    if (time >= this.#nextUse.length) {
      throw new RangeError(
        `Cannot run ${this.name}: time must index the reference string given to init: received ${time}`,
      );
    }
    return this.#nextUse[time];
  }
  onHit(page: number, time: number): void {
    const s = this.#slot.get(page);
    this.#heap.upsert(s, this.#next(time), this.#stamp[s]);
  }
  onInsert(page: number, time: number): void {
    const s = this.#free.pop()!;
    this.#page[s] = page;
    this.#stamp[s] = time;
    this.#slot.set(page, s);
    this.#heap.upsert(s, this.#next(time), time);
  }
  chooseVictim(): number {
    const s = this.#heap.top();
    this.#heap.remove(s);
    const page = this.#page[s];
    this.#slot.set(page, -1);
    this.#free.push(s);
    return page;
  }
}

/** RAND: a uniformly random resident page, picked like OSTEP's `memory.pop(int(random() * count))`. */
class RandPolicy implements PagePolicy {
  readonly name = "RAND";
  readonly labels = ["Left ", "Right"] as const;
  #list = new ChunkedList();
  #random: () => number = () => 0;
  init(ctx: PagePolicyContext): void {
    this.#list = new ChunkedList();
    this.#random = ctx.random;
  }
  onInsert(page: number): void {
    this.#list.push(page);
  }
  chooseVictim(): number {
    return this.#list.removeAt(Math.trunc(this.#random() * this.#list.length));
  }
  order(): number[] {
    return this.#list.toArray();
  }
}

/**
 * CLOCK as OSTEP's paging-policy.py implements it: each page has a counter
 * (set to 1 on insert, raised on each reference up to `clockBits`); the hand
 * probes random resident pages, decrementing counters, and evicts the first
 * page whose counter is 0.
 */
class ClockPolicy implements PagePolicy {
  readonly name = "CLOCK";
  readonly labels = ["Left ", "Right"] as const;
  // Resident pages in insertion order with their counters: k-th page in O(log n).
  #list = new OrderedPages(0);
  #bits = 2;
  #random: () => number = () => 0;
  init(ctx: PagePolicyContext): void {
    this.#list = new OrderedPages(4 * ctx.frames);
    this.#bits = ctx.clockBits;
    this.#random = ctx.random;
  }
  onHit(page: number): void {
    const list = this.#list;
    const s = list.slotOf(page);
    const r = list.countAt(s) + 1;
    list.setCount(s, r > this.#bits ? this.#bits : r);
  }
  onInsert(page: number): void {
    this.#list.push(page, 1);
  }
  chooseVictim(): number {
    const list = this.#list;
    const random = this.#random;
    for (;;) {
      const s = list.slotAt(Math.trunc(random() * list.length));
      const r = list.countAt(s);
      if (r >= 1) list.setCount(s, r - 1);
      else return list.removeSlot(s);
    }
  }
  order(): number[] {
    return this.#list.toArray();
  }
}

const BUILT_IN: Record<string, () => PagePolicy> = {
  fifo: () => new FifoPolicy(),
  lru: () => new LruPolicy(),
  mru: () => new LruPolicy(true),
  opt: () => new FuturePolicy(true),
  unopt: () => new FuturePolicy(false),
  rand: () => new RandPolicy(),
  clock: () => new ClockPolicy(),
};

/** The names {@linkcode resolvePagePolicy} accepts (case-insensitive). */
export const pagePolicyNames: readonly string[] = Object.freeze(Object.keys(BUILT_IN));

/**
 * Turn a policy name or a user-written policy object into a policy. This is
 * the only place where policy names are compared.
 *
 * @param policy A name (`"fifo"`, `"lru"`, `"mru"`, `"opt"`, `"unopt"`,
 *   `"rand"`, `"clock"`, any case) or an object implementing {@linkcode PagePolicy}.
 * @returns A fresh built-in policy, or the given object after a shape check.
 *
 * @example By name, or your own
 * ```ts
 * import { resolvePagePolicy } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(resolvePagePolicy("lru").name, "LRU");
 * const mine = { name: "first", chooseVictim: (r: { pages(): number[] }) => r.pages()[0] };
 * assert.equal(resolvePagePolicy(mine), mine);
 * assert.equal(resolvePagePolicy("MRU").name, "MRU");
 * assert.throws(() => resolvePagePolicy("lfu"), /policy must be one of fifo, lru, mru, opt, unopt, rand, clock: received "lfu"/);
 * ```
 */
export function resolvePagePolicy(policy: string | PagePolicy): PagePolicy {
  if (typeof policy === "string") {
    const make = BUILT_IN[policy.toLowerCase()];
    if (!make) {
      throw new RangeError(
        `Cannot resolve page policy: policy must be one of ${
          pagePolicyNames.join(", ")
        }: received "${policy}"`,
      );
    }
    return make();
  }
  if (policy === null || typeof policy !== "object") {
    throw new TypeError(
      `Cannot resolve page policy: policy must be a name or an object: received ${String(policy)}`,
    );
  }
  if (typeof policy.name !== "string" || policy.name === "") {
    throw new TypeError(
      `Cannot resolve page policy: policy.name must be a non-empty string: received ${
        String(policy.name)
      }`,
    );
  }
  if (typeof policy.chooseVictim !== "function") {
    throw new TypeError(
      `Cannot resolve page policy: policy.chooseVictim must be a function: received ${typeof policy
        .chooseVictim}`,
    );
  }
  for (const hook of ["init", "onHit", "onInsert", "onEvict", "order"] as const) {
    const f = policy[hook];
    if (f !== undefined && typeof f !== "function") {
      throw new TypeError(
        `Cannot resolve page policy: policy.${hook} must be a function when present: received ${typeof f}`,
      );
    }
  }
  return policy;
}

import { PageMap } from "./_page_map.ts";

/**
 * Pages kept in insertion order, each with a small counter, with O(log n)
 * access to the k-th page and O(log n) removal (a Fenwick tree over
 * insertion slots; slots are compacted when they run out). Used by CLOCK's
 * random probing, which indexes the resident list like Python's `list[k]`.
 */
export class OrderedPages {
  #tree: Int32Array; // Fenwick tree over slots, 1-based
  #present: Uint8Array;
  #page: Float64Array;
  #count: Int32Array;
  #slotOf = new PageMap(-1);
  #next = 0;
  #size = 0;
  #cap: number;

  constructor(capacity: number) {
    let cap = 64;
    while (cap < capacity) cap *= 2;
    this.#cap = cap; // a power of two: the descent needs no bounds check
    this.#tree = new Int32Array(this.#cap + 1);
    this.#present = new Uint8Array(this.#cap);
    this.#page = new Float64Array(this.#cap);
    this.#count = new Int32Array(this.#cap);
  }

  get length(): number {
    return this.#size;
  }

  #add(slot: number, delta: number): void {
    const t = this.#tree, n = this.#cap;
    for (let i = slot + 1; i <= n; i += i & -i) t[i] += delta;
  }

  /** Append `page` with counter `count`; returns nothing. */
  push(page: number, count: number): void {
    if (this.#next === this.#cap) this.#compact();
    const s = this.#next++;
    this.#present[s] = 1;
    this.#page[s] = page;
    this.#count[s] = count;
    this.#slotOf.set(page, s);
    this.#add(s, 1);
    this.#size++;
  }

  /** The slot of the k-th present page (0-based, k < length): a branch-free Fenwick descent. */
  slotAt(k: number): number {
    const t = this.#tree;
    let pos = 0;
    for (let step = this.#cap >> 1; step > 0; step >>= 1) {
      const v = t[pos + step];
      const take = ~((k - v) >> 31); // -1 when v <= k, else 0
      pos += step & take;
      k -= v & take;
    }
    return pos;
  }

  /** The slot of `page`, or -1. */
  slotOf(page: number): number {
    return this.#slotOf.get(page);
  }

  pageAt(slot: number): number {
    return this.#page[slot];
  }

  countAt(slot: number): number {
    return this.#count[slot];
  }

  setCount(slot: number, count: number): void {
    this.#count[slot] = count;
  }

  /** Remove the page in `slot`; returns the page. */
  removeSlot(slot: number): number {
    const page = this.#page[slot];
    this.#present[slot] = 0;
    this.#slotOf.set(page, -1);
    this.#add(slot, -1);
    this.#size--;
    return page;
  }

  #compact(): void {
    let w = 0;
    for (let r = 0; r < this.#next; r++) {
      if (this.#present[r] === 1) {
        this.#page[w] = this.#page[r];
        this.#count[w] = this.#count[r];
        this.#slotOf.set(this.#page[w], w);
        w++;
      }
    }
    if (w * 2 > this.#cap) {
      // Mostly full: grow so compactions stay rare (amortised O(1) per push).
      const cap = this.#cap * 2;
      const page = new Float64Array(cap);
      page.set(this.#page.subarray(0, w));
      const count = new Int32Array(cap);
      count.set(this.#count.subarray(0, w));
      this.#page = page;
      this.#count = count;
      this.#present = new Uint8Array(cap);
      this.#tree = new Int32Array(cap + 1);
      this.#cap = cap;
    } else {
      this.#present.fill(0);
      this.#tree.fill(0);
    }
    this.#present.fill(1, 0, w);
    // Linear-time Fenwick build.
    const t = this.#tree, n = this.#cap;
    for (let i = 1; i <= w; i++) t[i] = 1;
    for (let i = 1; i <= n; i++) {
      const j = i + (i & -i);
      if (j <= n) t[j] += t[i];
    }
    this.#next = w;
  }

  toArray(): number[] {
    const out: number[] = [];
    for (let s = 0; s < this.#next; s++) if (this.#present[s] === 1) out.push(this.#page[s]);
    return out;
  }
}

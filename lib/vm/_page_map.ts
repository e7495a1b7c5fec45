/** A page-number -> int32 map: a typed array for small page numbers, a Map above. */
export class PageMap {
  #dense: Int32Array;
  #sparse = new Map<number, number>();
  readonly missing: number;

  constructor(missing = -1, initial = 1024) {
    this.missing = missing;
    this.#dense = new Int32Array(initial).fill(missing);
  }

  get(page: number): number {
    if (page < this.#dense.length) return this.#dense[page];
    if (page < DENSE_LIMIT) return this.missing;
    const v = this.#sparse.get(page);
    return v === undefined ? this.missing : v;
  }

  set(page: number, value: number): void {
    if (page < DENSE_LIMIT) {
      if (page >= this.#dense.length) this.#grow(page);
      this.#dense[page] = value;
    } else if (value === this.missing) {
      this.#sparse.delete(page);
    } else {
      this.#sparse.set(page, value);
    }
  }

  #grow(page: number): void {
    let size = this.#dense.length;
    while (size <= page) size *= 2;
    const next = new Int32Array(Math.min(size, DENSE_LIMIT)).fill(this.missing);
    next.set(this.#dense);
    this.#dense = next;
  }
}

/** Page numbers below this use a typed array (at most 16 MiB per map). */
const DENSE_LIMIT = 1 << 22;

/** A binary heap over a fixed set of slots keyed by (primary, secondary), max or min. */
export class IndexedHeap {
  #heap: Int32Array;
  #pos: Int32Array;
  #k1: Float64Array;
  #k2: Float64Array;
  #size = 0;
  #sign: number;

  constructor(capacity: number, max: boolean) {
    this.#heap = new Int32Array(capacity);
    this.#pos = new Int32Array(capacity).fill(-1);
    this.#k1 = new Float64Array(capacity);
    this.#k2 = new Float64Array(capacity);
    this.#sign = max ? 1 : -1;
  }

  get size(): number {
    return this.#size;
  }

  #above(a: number, b: number): boolean {
    const d = (this.#k1[a] - this.#k1[b]) * this.#sign;
    if (d !== 0) return d > 0;
    return (this.#k2[a] - this.#k2[b]) * this.#sign > 0;
  }

  upsert(slot: number, k1: number, k2: number): void {
    this.#k1[slot] = k1;
    this.#k2[slot] = k2;
    let i = this.#pos[slot];
    if (i < 0) {
      i = this.#size++;
      this.#heap[i] = slot;
      this.#pos[slot] = i;
    }
    this.#up(i);
    this.#down(this.#pos[slot]);
  }

  top(): number {
    return this.#heap[0];
  }

  remove(slot: number): void {
    const i = this.#pos[slot];
    if (i < 0) return;
    const last = this.#heap[--this.#size];
    this.#pos[slot] = -1;
    if (i < this.#size) {
      this.#heap[i] = last;
      this.#pos[last] = i;
      this.#up(i);
      this.#down(this.#pos[last]);
    }
  }

  #up(i: number): void {
    const h = this.#heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#above(h[i], h[p])) break;
      this.#swap(i, p);
      i = p;
    }
  }

  #down(i: number): void {
    const h = this.#heap;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.#size) break;
      let c = l;
      if (l + 1 < this.#size && this.#above(h[l + 1], h[l])) c = l + 1;
      if (!this.#above(h[c], h[i])) break;
      this.#swap(i, c);
      i = c;
    }
  }

  #swap(i: number, j: number): void {
    const h = this.#heap;
    const a = h[i];
    h[i] = h[j];
    h[j] = a;
    this.#pos[h[i]] = i;
    this.#pos[h[j]] = j;
  }
}

/**
 * A list kept in insertion order with O(sqrt n) access and removal by index
 * (Python's `list.pop(i)` without the O(n) shift), in chunks.
 */
export class ChunkedList {
  #chunks: number[][] = [[]];
  #length = 0;
  static readonly CHUNK = 128;

  get length(): number {
    return this.#length;
  }

  push(value: number): void {
    let last = this.#chunks[this.#chunks.length - 1];
    if (last.length >= ChunkedList.CHUNK) {
      last = [];
      this.#chunks.push(last);
    }
    last.push(value);
    this.#length++;
  }

  #locate(index: number): [number, number] {
    const chunks = this.#chunks;
    for (let c = 0; c < chunks.length; c++) {
      const len = chunks[c].length;
      if (index < len) return [c, index];
      index -= len;
    }
    throw new RangeError(`Index out of range: received ${index}`);
  }

  get(index: number): number {
    const [c, i] = this.#locate(index);
    return this.#chunks[c][i];
  }

  removeAt(index: number): number {
    const [c, i] = this.#locate(index);
    const chunk = this.#chunks[c];
    const [value] = chunk.splice(i, 1);
    if (chunk.length === 0 && this.#chunks.length > 1) this.#chunks.splice(c, 1);
    this.#length--;
    return value;
  }

  remove(value: number): void {
    const chunks = this.#chunks;
    for (let c = 0; c < chunks.length; c++) {
      const i = chunks[c].indexOf(value);
      if (i >= 0) {
        chunks[c].splice(i, 1);
        if (chunks[c].length === 0 && chunks.length > 1) chunks.splice(c, 1);
        this.#length--;
        return;
      }
    }
  }

  toArray(): number[] {
    return this.#chunks.flat();
  }
}

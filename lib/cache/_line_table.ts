// The 3C miss split's structures on typed arrays. Private.
//
// V8's Set and Map stop at 2^24 entries ("Set maximum size exceeded") and spend about
// 40 bytes per entry; the line table here holds integer line numbers (below 2^53) in a
// Float64Array with open addressing and linear probing, grows by doubling up to a
// fixed cap, and says so when the cap is reached. The shadow fully associative LRU
// beside it is a linked list on Int32Arrays.

/** Marks an empty slot (line numbers are never negative). */
const EMPTY = -1;

/**
 * Slot of a line number (an integer below 2^53) in a table of 2^(32 - shift) slots:
 * Fibonacci hashing of its two 32-bit halves, small enough for the JIT to inline.
 */
function slot(line: number, shift: number): number {
  return Math.imul((line >>> 0) ^ ((line / 4294967296) >>> 0), 0x9e3779b1) >>> shift;
}

/**
 * Most distinct lines a {@linkcode LineSet} remembers by default: 3 * 2^23 (25,165,824),
 * held in at most 2^25 slots of 12 bytes (384 MiB: the line and its shadow slot).
 */
export const MAX_DISTINCT_LINES = 3 * 2 ** 23;

/**
 * A growing set of line numbers, each with a small integer beside it (0 unless set); `add`
 * reports whether the line is new.
 */
export class LineSet {
  #keys: Float64Array;
  #values: Int32Array;
  #mask: number;
  #shift: number;
  #size = 0;
  readonly maxLines: number;

  /** @param maxLines Most lines held; `add` throws past it (the table stays at 4/3 of it). */
  constructor(maxLines: number = MAX_DISTINCT_LINES) {
    this.maxLines = maxLines;
    this.#keys = new Float64Array(1024).fill(EMPTY);
    this.#values = new Int32Array(1024);
    this.#mask = 1023;
    this.#shift = 22;
  }

  /** Lines held. */
  get size(): number {
    return this.#size;
  }

  /** Slots allocated (12 bytes each): what the set holds in memory. */
  get slots(): number {
    return this.#keys.length;
  }

  /**
   * Where `line` is: its position (0 or more) when held, else -1 - the position it would take
   * (pass that to `insert`, before any other insertion).
   */
  find(line: number): number {
    const keys = this.#keys;
    const mask = this.#mask;
    let i = slot(line, this.#shift);
    for (;;) {
      const k = keys[i];
      if (k === line) return i;
      if (k === EMPTY) return -1 - i;
      i = (i + 1) & mask;
    }
  }

  /** The value beside the line at `position` (from `find`). */
  valueAt(position: number): number {
    return this.#values[position];
  }

  /** Set the value beside the line at `position` (from `find`). */
  setValueAt(position: number, value: number): void {
    this.#values[position] = value;
  }

  /**
   * Add `line`, which `find` just reported missing as `missing`, with `value` beside it.
   * Throws when the set is full. Positions from earlier `find` calls are stale afterwards.
   */
  insert(missing: number, line: number, value: number): void {
    if (this.#size >= this.maxLines) {
      throw new Error(
        `Cannot classify misses: the trace touched more than ${this.maxLines} distinct lines, the most the 3C split remembers (it keeps every line ever touched, to tell compulsory misses): turn the split off (classifyMisses: false) or simulate a shorter trace`,
      );
    }
    const i = -1 - missing;
    this.#keys[i] = line;
    this.#values[i] = value;
    this.#size++;
    // Keep the load at or below 3/4.
    if (this.#size * 4 > this.#keys.length * 3) this.#grow();
  }

  /** Add `line`; returns true when it was not there before. Throws when the set is full. */
  add(line: number): boolean {
    const at = this.find(line);
    if (at >= 0) return false;
    this.insert(at, line, 0);
    return true;
  }

  #grow(): void {
    const old = this.#keys, oldValues = this.#values;
    const keys = new Float64Array(old.length * 2).fill(EMPTY);
    const values = new Int32Array(keys.length);
    const mask = keys.length - 1;
    const shift = this.#shift - 1;
    for (let j = 0; j < old.length; j++) {
      const k = old[j];
      if (k === EMPTY) continue;
      let i = slot(k, shift);
      while (keys[i] !== EMPTY) i = (i + 1) & mask;
      keys[i] = k;
      values[i] = oldValues[j];
    }
    this.#keys = keys;
    this.#values = values;
    this.#mask = mask;
    this.#shift = shift;
  }
}

/** Kinds of a classified miss, in the low two bits of {@linkcode ShadowLru.miss}'s answer. */
export const COMPULSORY = 0;
export const CAPACITY = 1;
export const CONFLICT = 2;

/**
 * The 3C split's companion of one cache level: a fully associative LRU cache of as many lines
 * (`capacity`), and every line ever missed (for compulsory misses).
 *
 * Lines sit in slots (`lines`, -1 when empty); slot `capacity` is a sentinel that never holds
 * a line, so "slot s holds this line" is one comparison, `lines[s] === line`, for any slot a
 * caller kept. Recency is a circular doubly linked list through `prev` and `next` with the
 * sentinel as its head: `next[capacity]` is the most recent slot, `prev[capacity]` the least
 * recent, which a new line takes (empty slots start at that end).
 * `known` maps every line met to (slot it was last placed in) * 2 + (whether it was missed):
 * the slot is a hint, checked against `lines`, so evictions never update it.
 */
export class ShadowLru {
  readonly capacity: number;
  readonly lines: Float64Array;
  /** Recency list: slot `capacity` is its head and tail (next: more recent first). */
  readonly prev: Int32Array;
  readonly next: Int32Array;
  readonly known: LineSet;

  constructor(capacity: number, maxLines: number = MAX_DISTINCT_LINES) {
    this.capacity = capacity;
    this.lines = new Float64Array(capacity + 1).fill(EMPTY);
    // Every slot starts in the list, empty ones least recent (slot 0 is used first).
    const prev = this.prev = new Int32Array(capacity + 1);
    const next = this.next = new Int32Array(capacity + 1);
    for (let s = 0; s <= capacity; s++) {
      next[s] = s === 0 ? capacity : s - 1;
      prev[s] = s === capacity ? 0 : s + 1;
    }
    this.known = new LineSet(maxLines);
  }

  /** Make `slot` the most recent. */
  touch(slot: number): void {
    // No branch: moving the most recent slot to the front again leaves the list as it was.
    const prev = this.prev, next = this.next, head = this.capacity;
    const p = prev[slot], n = next[slot];
    next[p] = n;
    prev[n] = p;
    const first = next[head];
    next[slot] = first;
    prev[slot] = head;
    prev[first] = slot;
    next[head] = slot;
  }

  /** Put `line` (not held) in the least recent slot (an empty one first); returns the slot. */
  #place(line: number): number {
    const s = this.prev[this.capacity];
    this.lines[s] = line;
    this.touch(s);
    return s;
  }

  /**
   * A use of `line` that the cache level hit: returns the slot now holding it (`capacity` if
   * it is not held and `allocate` is false). `hint` is where the caller last saw it.
   */
  hit(line: number, hint: number, allocate: boolean): number {
    if (this.lines[hint] === line) {
      this.touch(hint);
      return hint;
    }
    const known = this.known;
    const at = known.find(line);
    if (at >= 0) {
      const v = known.valueAt(at);
      const s = v >> 1;
      if (this.lines[s] === line) {
        this.touch(s);
        return s;
      }
      if (!allocate) return this.capacity;
      const placed = this.#place(line);
      known.setValueAt(at, placed * 2 + (v & 1));
      return placed;
    }
    if (!allocate) return this.capacity;
    const placed = this.#place(line);
    known.insert(at, line, placed * 2);
    return placed;
  }

  /**
   * A use of `line` that the cache level missed: returns (slot now holding it, or `capacity`)
   * * 4 + its kind ({@linkcode COMPULSORY}, {@linkcode CAPACITY} or {@linkcode CONFLICT}).
   */
  miss(line: number, allocate: boolean): number {
    const known = this.known;
    const at = known.find(line);
    if (at < 0) {
      const placed = allocate ? this.#place(line) : this.capacity;
      known.insert(at, line, placed * 2 + 1);
      return placed * 4 + COMPULSORY;
    }
    const v = known.valueAt(at);
    const kind = (v & 1) === 0 ? COMPULSORY : -1;
    const s = v >> 1;
    if (this.lines[s] === line) {
      this.touch(s);
      known.setValueAt(at, v | 1);
      return s * 4 + (kind === COMPULSORY ? COMPULSORY : CONFLICT);
    }
    const placed = allocate ? this.#place(line) : s;
    known.setValueAt(at, placed * 2 + 1);
    return (allocate ? placed : this.capacity) * 4 + (kind === COMPULSORY ? COMPULSORY : CAPACITY);
  }
}

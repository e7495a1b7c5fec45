// Hash tables of line numbers on typed arrays, for the 3C miss split. Private.
//
// V8's Set and Map stop at 2^24 entries ("Set maximum size exceeded") and spend about
// 40 bytes per entry; these tables hold integer line numbers (below 2^53) in a
// Float64Array with open addressing and linear probing, grow by doubling up to a
// fixed cap, and say so when the cap is reached.

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
 * held in at most 2^25 slots of 8 bytes (256 MiB).
 */
export const MAX_DISTINCT_LINES = 3 * 2 ** 23;

/** A growing set of line numbers; `add` reports whether the line is new. */
export class LineSet {
  #keys: Float64Array;
  #mask: number;
  #shift: number;
  #size = 0;
  readonly maxLines: number;

  /** @param maxLines Most lines held; `add` throws past it (the table stays at 4/3 of it). */
  constructor(maxLines: number = MAX_DISTINCT_LINES) {
    this.maxLines = maxLines;
    this.#keys = new Float64Array(1024).fill(EMPTY);
    this.#mask = 1023;
    this.#shift = 22;
  }

  /** Lines held. */
  get size(): number {
    return this.#size;
  }

  /** Slots allocated (8 bytes each): what the set holds in memory. */
  get slots(): number {
    return this.#keys.length;
  }

  /** Add `line`; returns true when it was not there before. Throws when the set is full. */
  add(line: number): boolean {
    const keys = this.#keys;
    const mask = this.#mask;
    let i = slot(line, this.#shift);
    for (;;) {
      const k = keys[i];
      if (k === line) return false;
      if (k === EMPTY) break;
      i = (i + 1) & mask;
    }
    if (this.#size >= this.maxLines) {
      throw new Error(
        `Cannot classify misses: the trace touched more than ${this.maxLines} distinct lines, the most the 3C split remembers (it keeps every line ever touched, to tell compulsory misses): turn the split off (classifyMisses: false) or simulate a shorter trace`,
      );
    }
    keys[i] = line;
    this.#size++;
    // Keep the load at or below 3/4.
    if (this.#size * 4 > keys.length * 3) this.#grow();
    return true;
  }

  #grow(): void {
    const old = this.#keys;
    const keys = new Float64Array(old.length * 2).fill(EMPTY);
    const mask = keys.length - 1;
    const shift = this.#shift - 1;
    for (let j = 0; j < old.length; j++) {
      const k = old[j];
      if (k === EMPTY) continue;
      let i = slot(k, shift);
      while (keys[i] !== EMPTY) i = (i + 1) & mask;
      keys[i] = k;
    }
    this.#keys = keys;
    this.#mask = mask;
    this.#shift = shift;
  }
}

/**
 * A map from line number to a small integer (a slot), of fixed capacity, with deletion
 * (backward-shift, so no tombstones build up). `capacity` entries at most.
 */
export class LineMap {
  readonly #keys: Float64Array;
  readonly #values: Int32Array;
  readonly #mask: number;
  readonly #shift: number;

  /** @param capacity Most entries held at once; the table has at least twice as many slots. */
  constructor(capacity: number) {
    let n = 16, shift = 28;
    while (n < capacity * 2) n *= 2, shift--;
    this.#keys = new Float64Array(n).fill(EMPTY);
    this.#values = new Int32Array(n);
    this.#mask = n - 1;
    this.#shift = shift;
  }

  /** Slots allocated (12 bytes each). */
  get slots(): number {
    return this.#keys.length;
  }

  /** The value stored for `line`, or -1. */
  get(line: number): number {
    const keys = this.#keys;
    const mask = this.#mask;
    let i = slot(line, this.#shift);
    for (;;) {
      const k = keys[i];
      if (k === line) return this.#values[i];
      if (k === EMPTY) return -1;
      i = (i + 1) & mask;
    }
  }

  /** Store `value` for `line` (which must not be present). */
  set(line: number, value: number): void {
    const keys = this.#keys;
    const mask = this.#mask;
    let i = slot(line, this.#shift);
    while (keys[i] !== EMPTY) i = (i + 1) & mask;
    keys[i] = line;
    this.#values[i] = value;
  }

  /** Remove `line` (which must be present). */
  delete(line: number): void {
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    let i = slot(line, this.#shift);
    while (keys[i] !== line) i = (i + 1) & mask;
    // Backward-shift: move later entries of the probe run into the hole when allowed.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = keys[j];
      if (k === EMPTY) break;
      const home = slot(k, this.#shift);
      // Entry at j may move to i if its home is not cyclically within (i, j].
      const between = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!between) {
        keys[i] = k;
        values[i] = values[j];
        i = j;
      }
    }
    keys[i] = EMPTY;
  }
}

/**
 * A persistent vector: an immutable list whose updates return a new version
 * and leave every older version intact, sharing all the structure the two
 * have in common.
 *
 * The elements sit in the leaves of a trie of branching factor 32 (the
 * design of Clojure's `PersistentVector` and Scala's `Vector`). Element `i`
 * is found by reading its index five bits at a time, from the most
 * significant group down: with a root of shift `s`, the child at the root is
 * `(i >>> s) & 31`, and so on down to the leaf slot `i & 31`. A vector of a
 * million elements is four levels deep.
 *
 * `set(i, v)` copies only the nodes on the path from the root to element
 * `i`: one node per level, each at most 32 slots. Every other node is shared
 * by the old version and the new one. `push(v)` copies the path to the last
 * leaf in the same way (adding a node where the path does not exist yet, and
 * a new root when the trie is full). So N updates of a vector of n elements
 * hold about `n + N × 32 × depth` slots, where N defensive copies hold
 * `N × n`. {@linkcode vectorSharing} counts exactly how many nodes and slots
 * a set of versions holds, by identity, so the saving can be computed
 * without a clock or a heap measurement.
 *
 * Pure: no clock, no I/O. Indexes are checked once at the public boundary.
 *
 * @module
 */

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

/** The longest vector: 2^30 elements (six levels of 32, index arithmetic in 32 bits). */
export const PERSISTENT_VECTOR_MAX_LENGTH = 2 ** 30;

type Node = unknown[];

function checkIndex(what: string, index: number, size: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new RangeError(
      `Cannot ${what}: index must be an integer from 0 to ${size - 1}: received ${index}`,
    );
  }
}

function setPath(node: Node, shift: number, index: number, value: unknown): Node {
  const copy = node.slice();
  if (shift === 0) copy[index & MASK] = value;
  else {
    const k = (index >>> shift) & MASK;
    copy[k] = setPath(node[k] as Node, shift - BITS, index, value);
  }
  return copy;
}

function newPath(shift: number, value: unknown): Node {
  return shift === 0 ? [value] : [newPath(shift - BITS, value)];
}

function pushPath(node: Node, shift: number, index: number, value: unknown): Node {
  const copy = node.slice();
  if (shift === 0) copy.push(value);
  else {
    const k = (index >>> shift) & MASK;
    const child = node[k] as Node | undefined;
    copy[k] = child === undefined
      ? newPath(shift - BITS, value)
      : pushPath(child, shift - BITS, index, value);
  }
  return copy;
}

/** How much memory a set of versions holds, counted by node identity. */
export interface VectorSharing {
  /** Versions counted. */
  versions: number;
  /** Sum of their lengths: the slots that one full copy per version would hold. */
  copySlots: number;
  /** Distinct trie nodes reachable from any version. */
  nodes: number;
  /** Slots (elements and child pointers) of those distinct nodes. */
  slots: number;
}

/**
 * An immutable vector with structural sharing (a 32-way trie). Build one
 * with {@linkcode PersistentVector.from} or {@linkcode PersistentVector.empty}.
 *
 * @example Old versions stay as they were
 * ```ts
 * import { PersistentVector } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const v1 = PersistentVector.from([10, 20, 30]);
 * const v2 = v1.set(1, 99).push(40);
 * assert.deepEqual(v1.toArray(), [10, 20, 30]);
 * assert.deepEqual(v2.toArray(), [10, 99, 30, 40]);
 * ```
 */
export class PersistentVector<T> implements Iterable<T> {
  /** The number of elements. */
  readonly size: number;
  readonly #root: Node;
  readonly #shift: number;

  private constructor(root: Node, shift: number, size: number) {
    this.#root = root;
    this.#shift = shift;
    this.size = size;
  }

  /**
   * The empty vector.
   *
   * @returns A vector of size 0.
   *
   * @example Empty
   * ```ts
   * import { PersistentVector } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * assert.equal(PersistentVector.empty<number>().size, 0);
   * ```
   */
  static empty<T>(): PersistentVector<T> {
    return new PersistentVector<T>([], 0, 0);
  }

  /**
   * A vector holding the given items, built bottom up (leaves of 32, then
   * levels of 32 nodes) without copying any path.
   *
   * @param items The elements, in order.
   * @returns The vector.
   * @throws {RangeError} If there are more than {@linkcode PERSISTENT_VECTOR_MAX_LENGTH} items.
   *
   * @example A thousand numbers
   * ```ts
   * import { PersistentVector } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const v = PersistentVector.from(Array.from({ length: 1000 }, (_, i) => i * 2));
   * assert.equal(v.get(999), 1998);
   * ```
   */
  static from<T>(items: Iterable<T>): PersistentVector<T> {
    const all = Array.isArray(items) ? items as T[] : [...items];
    if (all.length > PERSISTENT_VECTOR_MAX_LENGTH) {
      throw new RangeError(
        `Cannot build a persistent vector: length must be at most ${PERSISTENT_VECTOR_MAX_LENGTH}: received ${all.length}`,
      );
    }
    if (all.length === 0) return PersistentVector.empty<T>();
    let level: Node[] = [];
    for (let i = 0; i < all.length; i += WIDTH) level.push(all.slice(i, i + WIDTH));
    let shift = 0;
    while (level.length > 1) {
      const up: Node[] = [];
      for (let i = 0; i < level.length; i += WIDTH) up.push(level.slice(i, i + WIDTH));
      level = up;
      shift += BITS;
    }
    return new PersistentVector<T>(level[0], shift, all.length);
  }

  /**
   * The element at `index`.
   *
   * @param index From 0 to size - 1.
   * @returns The element.
   * @throws {RangeError} If the index is out of range or not an integer.
   *
   * @example Reading
   * ```ts
   * import { PersistentVector } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * assert.equal(PersistentVector.from(["a", "b"]).get(1), "b");
   * assert.throws(() => PersistentVector.from(["a"]).get(1), /index must be an integer from 0 to 0: received 1/);
   * ```
   */
  get(index: number): T {
    checkIndex("read a persistent vector", index, this.size);
    let node = this.#root;
    for (let s = this.#shift; s > 0; s -= BITS) node = node[(index >>> s) & MASK] as Node;
    return node[index & MASK] as T;
  }

  /**
   * A new version with the element at `index` replaced; this one is unchanged.
   * Copies one node per level (the path to the element) and shares the rest.
   *
   * @param index From 0 to size - 1.
   * @param value The new element.
   * @returns The new version.
   * @throws {RangeError} If the index is out of range or not an integer.
   *
   * @example One update, two versions
   * ```ts
   * import { PersistentVector } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const a = PersistentVector.from([1, 2, 3]);
   * const b = a.set(0, 7);
   * assert.deepEqual([a.get(0), b.get(0)], [1, 7]);
   * ```
   */
  set(index: number, value: T): PersistentVector<T> {
    checkIndex("update a persistent vector", index, this.size);
    return new PersistentVector<T>(
      setPath(this.#root, this.#shift, index, value),
      this.#shift,
      this.size,
    );
  }

  /**
   * A new version with `value` appended; this one is unchanged.
   *
   * @param value The new last element.
   * @returns The new version, one longer.
   * @throws {RangeError} If the vector is already {@linkcode PERSISTENT_VECTOR_MAX_LENGTH} long.
   *
   * @example Growing past one leaf (32) adds a level
   * ```ts
   * import { PersistentVector } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * let v = PersistentVector.empty<number>();
   * for (let i = 0; i < 40; i++) v = v.push(i);
   * assert.equal(v.size, 40);
   * assert.equal(v.get(33), 33);
   * ```
   */
  push(value: T): PersistentVector<T> {
    const size = this.size;
    if (size >= PERSISTENT_VECTOR_MAX_LENGTH) {
      throw new RangeError(
        `Cannot push onto a persistent vector: length must stay at most ${PERSISTENT_VECTOR_MAX_LENGTH}: received ${size} + 1`,
      );
    }
    if (size === 0) return new PersistentVector<T>([value], 0, 1);
    const capacity = 2 ** (this.#shift + BITS);
    if (size < capacity) {
      return new PersistentVector<T>(
        pushPath(this.#root, this.#shift, size, value),
        this.#shift,
        size + 1,
      );
    }
    const shift = this.#shift + BITS;
    return new PersistentVector<T>([this.#root, newPath(this.#shift, value)], shift, size + 1);
  }

  /**
   * The elements as a new plain array.
   *
   * @returns A copy of the elements, in order.
   *
   * @example Round trip
   * ```ts
   * import { PersistentVector } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * assert.deepEqual(PersistentVector.from([3, 1, 2]).toArray(), [3, 1, 2]);
   * ```
   */
  toArray(): T[] {
    return [...this];
  }

  /** The elements in order. */
  *[Symbol.iterator](): Iterator<T> {
    function* walk(node: Node, shift: number): Generator<T> {
      if (shift === 0) {
        for (const v of node) yield v as T;
      } else for (const child of node) yield* walk(child as Node, shift - BITS);
    }
    if (this.size > 0) yield* walk(this.#root, this.#shift);
  }

  /**
   * Levels of the trie (1 for up to 32 elements, 2 up to 1,024, ...).
   *
   * @returns The depth.
   *
   * @example A million elements: four levels
   * ```ts
   * import { PersistentVector } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * assert.equal(PersistentVector.from(new Array(1_000_000).fill(0)).depth(), 4);
   * ```
   */
  depth(): number {
    return this.#shift / BITS + 1;
  }

  /**
   * Count the distinct nodes and slots that a set of versions holds, by
   * identity: a node shared by many versions is counted once.
   *
   * @param versions The versions kept alive.
   * @returns Versions, slots of one full copy per version, distinct nodes and their slots.
   *
   * @example Two versions of 1,024 elements share all but two nodes
   * ```ts
   * import { PersistentVector } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const a = PersistentVector.from(new Array(1024).fill(0));
   * const s = PersistentVector.sharing([a, a.set(5, 1)]);
   * // a: one root of 32 pointers and 32 leaves of 32; the update copies the root and one leaf.
   * assert.deepEqual(s, { versions: 2, copySlots: 2048, nodes: 35, slots: 33 * 32 + 64 });
   * ```
   */
  static sharing(versions: readonly PersistentVector<unknown>[]): VectorSharing {
    const seen = new Set<Node>();
    let slots = 0;
    const visit = (node: Node, shift: number) => {
      if (seen.has(node)) return;
      seen.add(node);
      slots += node.length;
      if (shift > 0) { for (const child of node) visit(child as Node, shift - BITS); }
    };
    let copySlots = 0;
    for (const v of versions) {
      copySlots += v.size;
      if (v.size > 0) visit(v.#root, v.#shift);
    }
    return { versions: versions.length, copySlots, nodes: seen.size, slots };
  }
}

/**
 * The memory a set of versions holds, counted by identity (see
 * {@linkcode PersistentVector.sharing}).
 *
 * @param versions The versions kept alive.
 * @returns Versions, slots of one full copy per version, distinct nodes and slots.
 *
 * @example A hundred updates of 10,000 elements hold far less than a hundred copies
 * ```ts
 * import { PersistentVector, vectorSharing } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * let v = PersistentVector.from(new Array(10_000).fill(0));
 * const versions = [v];
 * for (let k = 1; k <= 100; k++) versions.push(v = v.set((k * 97) % 10_000, k));
 * const s = vectorSharing(versions);
 * assert.equal(s.copySlots, 101 * 10_000);
 * assert.ok(s.slots < s.copySlots / 20);
 * ```
 */
export function vectorSharing(versions: readonly PersistentVector<unknown>[]): VectorSharing {
  return PersistentVector.sharing(versions);
}

/**
 * Real JavaScript that leaks, and the same code fixed: the demonstrations of
 * lesson 06 and the test bench of `detectLeak`. Each scenario is a factory,
 * so every detection starts from fresh state; `leaks` says what the code does
 * by construction (it is the expected verdict, not a measurement).
 *
 * @module
 */

/** One demonstration: a name, what it shows, whether it leaks, and a factory for the code. */
export interface LeakScenario {
  /** Kebab-case name. */
  name: string;
  /** One sentence on what the code does. */
  description: string;
  /** True if the code keeps memory for every call, by construction. */
  leaks: boolean;
  /** Make fresh state and return the function to call once per iteration. */
  make(): (iteration: number) => void;
}

/**
 * A least-recently-used cache holding at most `capacity` entries: the usual
 * fix for an unbounded cache. A `Map` keeps insertion order, so re-inserting
 * on every hit keeps the least recently used entry first.
 *
 * @example Capacity 2
 * ```ts
 * import { BoundedLruCache } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = new BoundedLruCache<string, number>(2);
 * c.set("a", 1);
 * c.set("b", 2);
 * c.get("a");
 * c.set("c", 3); // evicts b, the least recently used
 * assert.deepEqual([...c.keys()], ["a", "c"]);
 * ```
 */
export class BoundedLruCache<K, V> {
  #map = new Map<K, V>();
  /** The most entries kept. */
  readonly capacity: number;

  /**
   * Create an empty cache.
   *
   * @param capacity The most entries kept (a positive whole number).
   */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot create cache: capacity must be a positive whole number: received ${capacity}`,
      );
    }
    this.capacity = capacity;
  }

  /**
   * The value for `key`, marking it most recently used.
   *
   * @param key The key.
   * @returns The value, or undefined.
   */
  get(key: K): V | undefined {
    if (!this.#map.has(key)) return undefined;
    const v = this.#map.get(key)!;
    this.#map.delete(key);
    this.#map.set(key, v);
    return v;
  }

  /**
   * Store a value, evicting the least recently used entry when full.
   *
   * @param key The key.
   * @param value The value.
   */
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.capacity) this.#map.delete(this.#map.keys().next().value!);
  }

  /** Entries now. */
  get size(): number {
    return this.#map.size;
  }

  /**
   * Keys, least recently used first.
   *
   * @returns An iterator over the keys.
   */
  keys(): IterableIterator<K> {
    return this.#map.keys();
  }
}

const record = (i: number) => ({ id: i, name: `user-${i}`, tags: ["a", "b", String(i % 7)] });

/**
 * The demonstrations: eight that leak and seven fixed versions.
 *
 * @example Names are unique, and both verdicts occur
 * ```ts
 * import { LEAK_SCENARIOS } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new Set(LEAK_SCENARIOS.map((s) => s.name)).size, LEAK_SCENARIOS.length);
 * assert.ok(LEAK_SCENARIOS.filter((s) => s.leaks).length >= 6);
 * assert.ok(LEAK_SCENARIOS.filter((s) => !s.leaks).length >= 6);
 * ```
 */
export const LEAK_SCENARIOS: readonly LeakScenario[] = Object.freeze([
  {
    name: "unbounded-cache",
    description: "a Map used as a cache: every new key is stored and nothing is ever removed",
    leaks: true,
    make: () => {
      const cache = new Map<string, unknown>();
      return (i: number) => {
        cache.set(`key-${i}`, record(i));
      };
    },
  },
  {
    name: "bounded-lru",
    description: "the same cache as a least-recently-used cache of at most 500 entries",
    leaks: false,
    make: () => {
      const cache = new BoundedLruCache<string, unknown>(500);
      return (i: number) => {
        cache.set(`key-${i}`, record(i));
      };
    },
  },
  {
    name: "essay-cache",
    description: "a plain object used as a cache, keys added forever (no pruning)",
    leaks: true,
    make: () => {
      const cache: Record<string, unknown> = {};
      return (i: number) => {
        cache[`k${i}`] = record(i);
      };
    },
  },
  {
    name: "essay-cache-pruned",
    description:
      "the same object cache, replaced by an empty one once it holds more than 1000 keys",
    leaks: false,
    make: () => {
      let cache: Record<string, unknown> = {};
      let size = 0;
      return (i: number) => {
        cache[`k${i}`] = record(i);
        if (++size > 1000) {
          cache = {};
          size = 0;
        }
      };
    },
  },
  {
    name: "listeners-never-removed",
    description:
      "every call adds an event listener (a closure over a small array) and never removes it",
    leaks: true,
    make: () => {
      const target = new EventTarget();
      return (i: number) => {
        const state = [i, i + 1, i + 2];
        target.addEventListener("tick", () => state.push(i));
      };
    },
  },
  {
    name: "listeners-removed",
    description: "the same listener, removed when the call is done with it",
    leaks: false,
    make: () => {
      const target = new EventTarget();
      return (i: number) => {
        const state = [i, i + 1, i + 2];
        const onTick = () => state.push(i);
        target.addEventListener("tick", onTick);
        target.dispatchEvent(new Event("tick"));
        target.removeEventListener("tick", onTick);
      };
    },
  },
  {
    name: "closure-holding-large-data",
    description: "a callback kept in a list closes over a 4 KiB buffer it needs only the length of",
    leaks: true,
    make: () => {
      const callbacks: (() => number)[] = [];
      return () => {
        const buffer = new Uint8Array(4096);
        callbacks.push(() => buffer.length);
      };
    },
  },
  {
    name: "closure-keeping-only-what-it-needs",
    description: "the callback keeps the length, not the buffer, and the list is emptied after use",
    leaks: false,
    make: () => {
      const callbacks: (() => number)[] = [];
      return () => {
        const length = new Uint8Array(4096).length;
        callbacks.push(() => length);
        if (callbacks.length >= 100) callbacks.length = 0;
      };
    },
  },
  {
    name: "global-log",
    description: "every call appends a message to a module-level array that is never trimmed",
    leaks: true,
    make: () => {
      const log: string[] = [];
      return (i: number) => {
        log.push(`request ${i} served at step ${i * 3}`);
      };
    },
  },
  {
    name: "ring-buffer-log",
    description: "the same log kept in a ring of the last 256 messages",
    leaks: false,
    make: () => {
      const ring: string[] = new Array(256);
      return (i: number) => {
        ring[i & 255] = `request ${i} served at step ${i * 3}`;
      };
    },
  },
  {
    name: "memo-unbounded",
    description: "a memoised function whose memo table keeps every argument it ever saw",
    leaks: true,
    make: () => {
      const memo = new Map<number, number[]>();
      const square = (n: number) => {
        if (!memo.has(n)) memo.set(n, [n * n, n]);
        return memo.get(n)![0];
      };
      return (i: number) => {
        square(i);
      };
    },
  },
  {
    name: "weakmap-metadata",
    description: "metadata attached to short-lived objects through a WeakMap, which lets both go",
    leaks: false,
    make: () => {
      const meta = new WeakMap<object, unknown>();
      return (i: number) => {
        const obj = { i };
        meta.set(obj, record(i));
      };
    },
  },
  {
    name: "map-metadata",
    description: "the same metadata kept in an ordinary Map keyed by the objects, which keeps both",
    leaks: true,
    make: () => {
      const meta = new Map<object, unknown>();
      return (i: number) => {
        const obj = { i };
        meta.set(obj, record(i));
      };
    },
  },
  {
    name: "temporary-garbage",
    description: "lots of short-lived arrays and strings that nothing keeps",
    leaks: false,
    make: () => {
      let checksum = 0;
      return (i: number) => {
        const parts = Array.from({ length: 20 }, (_, k) => `${i}:${k}`);
        checksum = (checksum + parts.join(",").length) | 0;
      };
    },
  },
  {
    name: "detached-tree",
    description: "nodes removed from a tree but still listed in a registry of every node ever made",
    leaks: true,
    make: () => {
      const registry: object[] = [];
      let root: { children: object[] } = { children: [] };
      return (i: number) => {
        const node = { id: i, children: [] as object[], label: `node ${i}` };
        registry.push(node);
        root.children.push(node);
        if (root.children.length > 50) root = { children: [] };
      };
    },
  },
]);

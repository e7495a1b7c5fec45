// A deliberately naive cache model for the property tests: an array of sets,
// each an array of { line, lastUse, insertedAt, dirty } in way order.
import { createPrng } from "memgarden";

export interface RefConfig {
  sets: number;
  ways: number;
  lineBytes: number;
  policy: "lru" | "fifo" | "random" | "plru";
  writeBack: boolean;
  writeAllocate: boolean;
  seed: number;
}

export interface RefCounts {
  hits: number;
  misses: number;
  evictions: number;
  dirtyWritebacks: number;
  writesForwarded: number;
}

interface Entry {
  line: number;
  lastUse: number;
  insertedAt: number;
  dirty: boolean;
}

/**
 * Runs `accesses` (already split: write or read, address) through the naive model; when
 * `hitEach` is given, pushes whether each access hit.
 */
export function referenceCache(
  accesses: readonly { write: boolean; address: number }[],
  c: RefConfig,
  hitEach?: boolean[],
): RefCounts {
  const sets: Entry[][] = Array.from({ length: c.sets }, () => []);
  // PLRU: per set, a heap-ordered array of ways - 1 flags; flag true means "the victim is on the right".
  const trees: boolean[][] = Array.from({ length: c.sets }, () => Array(c.ways - 1).fill(false));
  const prng = createPrng(c.seed);
  const counts: RefCounts = {
    hits: 0,
    misses: 0,
    evictions: 0,
    dirtyWritebacks: 0,
    writesForwarded: 0,
  };
  let clock = 0;

  const plruTouch = (tree: boolean[], way: number) => {
    let node = 0, lo = 0, hi = c.ways;
    while (hi - lo > 1) {
      const mid = (lo + hi) / 2;
      if (way < mid) {
        tree[node] = true; // used the left half, so evict from the right next
        node = 2 * node + 1;
        hi = mid;
      } else {
        tree[node] = false;
        node = 2 * node + 2;
        lo = mid;
      }
    }
  };
  const plruVictim = (tree: boolean[]) => {
    let node = 0, lo = 0, hi = c.ways;
    while (hi - lo > 1) {
      const mid = (lo + hi) / 2;
      if (tree[node]) {
        node = 2 * node + 2;
        lo = mid;
      } else {
        node = 2 * node + 1;
        hi = mid;
      }
    }
    return lo;
  };

  for (const { write, address } of accesses) {
    clock++;
    const line = Math.floor(address / c.lineBytes);
    const setIndex = line % c.sets;
    const set = sets[setIndex];
    const way = set.findIndex((e) => e.line === line);
    hitEach?.push(way >= 0);
    if (way >= 0) {
      counts.hits++;
      set[way].lastUse = clock;
      if (c.policy === "plru") plruTouch(trees[setIndex], way);
      if (write) {
        if (c.writeBack) set[way].dirty = true;
        else counts.writesForwarded++;
      }
      continue;
    }
    counts.misses++;
    if (write && !c.writeAllocate) {
      counts.writesForwarded++;
      continue;
    }
    const entry: Entry = { line, lastUse: clock, insertedAt: clock, dirty: write && c.writeBack };
    if (write && !c.writeBack) counts.writesForwarded++;
    let at: number;
    if (set.length < c.ways) {
      at = set.length;
      set.push(entry);
    } else {
      if (c.policy === "lru") {
        at = set.reduce((best, e, i) => (e.lastUse < set[best].lastUse ? i : best), 0);
      } else if (c.policy === "fifo") {
        at = set.reduce((best, e, i) => (e.insertedAt < set[best].insertedAt ? i : best), 0);
      } else if (c.policy === "random") {
        at = prng.int(0, c.ways - 1);
      } else {
        at = plruVictim(trees[setIndex]);
      }
      counts.evictions++;
      if (set[at].dirty) counts.dirtyWritebacks++;
      set[at] = entry;
    }
    if (c.policy === "plru") plruTouch(trees[setIndex], at);
  }
  return counts;
}

// One cache level: the hot loop. Private; see simulator.ts for the public API.
import { createPrng } from "../random/prng.ts";
import { CAPACITY, COMPULSORY, CONFLICT, ShadowLru } from "./_line_table.ts";
import { LRU, type ReplacementPolicy, type ReplacementState } from "./replacement.ts";

export const MISS = 1;
export const EVICT = 2;
export const WRITEBACK = 4;
export const FORWARD = 8;
export const FETCH = 16;

/**
 * Move the line at index `at` of the set starting at `base` to the front, shifting the lines
 * before it back by one (with the built-in LRU each set keeps its lines most recent first).
 */
function toFront(tags: Float64Array, dirty: Uint8Array, base: number, at: number): void {
  const tag = tags[at], d = dirty[at];
  for (let i = at; i > base; i--) {
    tags[i] = tags[i - 1];
    dirty[i] = dirty[i - 1];
  }
  tags[base] = tag;
  dirty[base] = d;
}

/** {@linkcode toFront}, moving each way's shadow slot (`slotOf`) along with its line. */
function toFrontWithSlots(
  tags: Float64Array,
  dirty: Uint8Array,
  slotOf: Int32Array,
  base: number,
  at: number,
): void {
  const tag = tags[at], d = dirty[at], slot = slotOf[at];
  for (let i = at; i > base; i--) {
    tags[i] = tags[i - 1];
    dirty[i] = dirty[i - 1];
    slotOf[i] = slotOf[i - 1];
  }
  tags[base] = tag;
  dirty[base] = d;
  slotOf[base] = slot;
}

/** Stands in for the built-in LRU's state, which a level keeps in its tag order instead. */
const INLINE: ReplacementState = {
  touch: unreachable,
  fill: unreachable,
  victim: unreachable,
};
function unreachable(): never {
  throw new Error("Cannot simulate cache: the built-in LRU is kept inline and has no state object");
}

/**
 * Add what one access's result code sent to memory to `totals` (see `Level.runAlone`);
 * `demand` says whether the access was a demand access.
 */
function countMemory(code: number, totals: Float64Array, demand = true): void {
  if ((code & FETCH) !== 0) totals[1]++, totals[3]++;
  if ((code & WRITEBACK) !== 0) totals[2]++;
  if ((code & FORWARD) !== 0) {
    totals[2]++;
    // A no-write-allocate miss is a demand access served by memory.
    if (demand && (code & MISS) !== 0 && (code & FETCH) === 0) totals[3]++;
  }
}

/** {@linkcode Downstream} flags: the access writes; it is a demand access. */
export const DOWN_WRITE = 1;
export const DOWN_DEMAND = 2;

/**
 * The accesses one level sends to the level below, in order, collected for a batch of trace
 * records so that each level can run over its whole input in one loop (levels are
 * non-inclusive: what a level does never depends on the levels below it).
 */
export class Downstream {
  addresses: Float64Array = new Float64Array(1024);
  flags: Uint8Array = new Uint8Array(1024);
  length = 0;

  /** Append one access (`flags`: {@linkcode DOWN_WRITE}, {@linkcode DOWN_DEMAND}). */
  push(address: number, flags: number): void {
    const i = this.length;
    if (i === this.addresses.length) {
      const addresses = new Float64Array(i * 2), f = new Uint8Array(i * 2);
      addresses.set(this.addresses);
      f.set(this.flags);
      this.addresses = addresses;
      this.flags = f;
    }
    this.addresses[i] = address;
    this.flags[i] = flags;
    this.length = i + 1;
  }
}

/** One recorded demand access at one level. */
export interface CacheStep {
  /** Index of the trace record that caused it. */
  index: number;
  /** Level name. */
  level: string;
  /** `"read"` or `"write"`. */
  kind: "read" | "write";
  /** Byte address. */
  address: number;
  /** Tag of the address. */
  tag: number;
  /** Set index of the address. */
  set: number;
  /** Byte offset of the address within its line. */
  offset: number;
  /** `"hit"`, or the kind of miss (`"miss"` when misses are not classified). */
  outcome: "hit" | "miss" | "compulsory" | "capacity" | "conflict";
  /** The line evicted by this access, if any. */
  evicted: { tag: number; address: number; dirty: boolean } | null;
}

export interface LevelSettings {
  name: string;
  sets: number;
  ways: number;
  lineBytes: number;
  policy: ReplacementPolicy;
  writeBack: boolean;
  writeAllocate: boolean;
  latencyCycles: number;
  seed: number;
  classify: boolean;
}

export class Level {
  readonly s: LevelSettings;
  readonly ways: number;
  readonly lineBytes: number;
  readonly invLine: number;
  readonly setMask: number;
  readonly tags: Float64Array;
  readonly dirty: Uint8Array;
  readonly filled: Uint32Array;
  /** Way of each set's most recent access: looked at first (way 0 when `inOrder`). */
  readonly recent: Uint32Array;
  readonly policy: ReplacementState;
  /**
   * The policy is the built-in LRU, handled here without calling it: each set keeps its lines
   * most recent first, so a hit moves its line to way 0 and the victim is the last way.
   */
  readonly inOrder: boolean;
  readonly writeBack: boolean;
  readonly writeAllocate: boolean;
  /** The 3C split's fully associative LRU and every line missed (null when not classifying). */
  readonly shadow: ShadowLru | null;
  /**
   * With the 3C split, per way: the shadow slot its line was last seen in (a hint, checked
   * against `shadow.lines`, so a hit usually finds its shadow copy without hashing).
   */
  readonly slotOf: Int32Array | null;
  nextIndex = -1;
  /** Hits need bookkeeping beyond counting (3C shadow cache or step log). */
  slowHit = false;
  victimLine = 0;
  steps: CacheStep[] | null = null;
  stepLimit = 0;
  stepIndex = 0;
  /** Whether a step was left out of the full log. */
  stepsDropped = false;
  // statistics (demand accesses unless said otherwise)
  writes = 0;
  hits = 0;
  misses = 0;
  compulsory = 0;
  capacity = 0;
  conflict = 0;
  evictions = 0;
  dirtyWritebacks = 0;
  writesForwarded = 0;
  receivedWrites = 0;

  constructor(s: LevelSettings) {
    this.s = s;
    this.ways = s.ways;
    this.lineBytes = s.lineBytes;
    this.invLine = 1 / s.lineBytes;
    this.setMask = s.sets - 1;
    this.tags = new Float64Array(s.sets * s.ways).fill(-1);
    this.dirty = new Uint8Array(s.sets * s.ways);
    this.filled = new Uint32Array(s.sets);
    this.recent = new Uint32Array(s.sets);
    this.inOrder = s.policy === LRU;
    this.policy = this.inOrder ? INLINE : s.policy.create(s.sets, s.ways, createPrng(s.seed));
    this.writeBack = s.writeBack;
    this.writeAllocate = s.writeAllocate;
    this.shadow = s.classify ? new ShadowLru(s.sets * s.ways) : null;
    this.slotOf = s.classify ? new Int32Array(s.sets * s.ways).fill(s.sets * s.ways) : null;
    this.slowHit = s.classify;
  }

  /** One line access; returns MISS/EVICT/WRITEBACK/FORWARD/FETCH bits; sets victimLine. */
  access(addr: number, write: boolean, demand: boolean): number {
    const line = Math.floor(addr * this.invLine);
    const set = (line >>> 0) & this.setMask;
    const ways = this.ways;
    const base = set * ways;
    const tags = this.tags;
    let way = this.inOrder ? 0 : this.recent[set];
    if (tags[base + way] !== line) {
      way = 0;
      while (way < ways && tags[base + way] !== line) way++;
      if (way === ways) return this.#miss(addr, line, set, write, demand);
    }
    if (!this.inOrder) {
      this.recent[set] = way;
      this.policy.touch(set, way);
    } else if (way !== 0) {
      if (this.slotOf !== null) toFrontWithSlots(tags, this.dirty, this.slotOf, base, base + way);
      else toFront(tags, this.dirty, base, base + way);
      way = 0;
    }
    if (demand) {
      this.hits++;
      if (write) this.writes++;
      if (this.slowHit) this.#noteHit(addr, line, set, write, base + way);
    } else this.receivedWrites++;
    if (write) {
      if (this.writeBack) this.dirty[base + way] = 1;
      else {
        this.writesForwarded++;
        return FORWARD;
      }
    }
    return 0;
  }

  /**
   * Run trace records `from..to` straight through this level, the top one: the hot loop with
   * everything in locals. What it sends below goes to `below`, or, when nothing but memory
   * is below (`below` null), is counted in `totals`.
   * Returns nothing; adds to `totals` [accesses, memoryReads, memoryWrites, memoryDemand, straddles].
   */
  runAlone(
    ops: Uint8Array,
    addresses: Float64Array,
    sizes: Uint16Array,
    from: number,
    to: number,
    csim: boolean,
    iFetchToo: boolean,
    totals: Float64Array,
    below: Downstream | null = null,
  ): void {
    if (this.shadow !== null) {
      this.#runClassified(ops, addresses, sizes, from, to, csim, iFetchToo, totals, below);
      return;
    }
    const ways = this.ways;
    const tags = this.tags;
    const dirty = this.dirty;
    const policy = this.policy;
    const invLine = this.invLine;
    const setMask = this.setMask;
    const writeBack = this.writeBack;
    const slowHit = this.slowHit;
    const logging = this.steps !== null;
    const writeAllocate = this.writeAllocate;
    const filled = this.filled;
    const recent = this.recent;
    const inOrder = this.inOrder;
    const lineBytes = this.lineBytes;
    // Few counters in the loop (each inline miss reads one line from memory, each write-back
    // and forwarded write reaches memory); the rare general-path accesses add to `totals` directly.
    const demandBefore = this.hits + this.misses;
    let hits = 0, writes = 0, forwarded = 0;
    let misses = 0, evictions = 0, dirtyWritebacks = 0;
    for (let r = from; r < to; r++) {
      const op = ops[r];
      if (op === 2 && !iFetchToo) continue; // instruction fetch, when not simulated here
      const addr = addresses[r];
      const line = Math.floor(addr * invLine);
      if (!csim && (addr + sizes[r] - 1) * invLine >= line + 1) {
        this.#straddle(op, addr, sizes[r], line, totals, below);
        continue;
      }
      const set = (line >>> 0) & setMask;
      const base = set * ways;
      // 1 for a store, else 0 (ops 0..3: load, store, instruction, modify), counted without
      // a branch: which accesses write is as unpredictable as the trace.
      const w = (2 >> op) & 1;
      const write = w !== 0;
      // Look first at the way used last (way 0 with LRU): sequential code keeps hitting the
      // same line.
      let way = inOrder ? 0 : recent[set];
      if (tags[base + way] !== line) {
        way = inOrder ? 1 : 0;
        while (way < ways && tags[base + way] !== line) way++;
      }
      if (way < ways) {
        hits++;
        if (!inOrder) {
          recent[set] = way;
          policy.touch(set, way);
        } else if (way !== 0) {
          toFront(tags, dirty, base, base + way);
          way = 0;
        }
        if (slowHit) this.#noteHit(addr, line, set, write, base + way);
        writes += w;
        if (writeBack) dirty[base + way] |= w;
        else {
          forwarded += w;
          if (below !== null && w !== 0) below.push(addr, DOWN_WRITE);
        }
      } else if (!logging && (!write || writeAllocate)) {
        // Plain allocating miss, inline: fill a free way or evict the policy's victim.
        misses++;
        const n = filled[set];
        if (n < ways) {
          way = n;
          filled[set] = n + 1;
        } else {
          way = inOrder ? ways - 1 : policy.victim(set);
          evictions++;
          dirtyWritebacks += dirty[base + way];
        }
        if (below !== null) {
          // What the general path sends below, in its order: dirty victim, fetch, write.
          if (n === ways && dirty[base + way] !== 0) {
            below.push(tags[base + way] * lineBytes, DOWN_WRITE);
          }
          below.push(addr, DOWN_DEMAND);
          if (!writeBack && w !== 0) below.push(addr, DOWN_WRITE);
        }
        if (!inOrder) {
          recent[set] = way;
          policy.fill(set, way);
        } else {
          toFront(tags, dirty, base, base + way);
          way = 0;
        }
        tags[base + way] = line;
        writes += w;
        dirty[base + way] = writeBack ? w : 0;
        if (!writeBack) forwarded += w;
      } else {
        const code = this.#miss(addr, line, set, write, true);
        if (below !== null) this.#passDown(code, addr, true, below);
        else countMemory(code, totals);
        if (op === 3) way = this.#find(line, base);
      }
      if (op === 3) {
        // The store half of a modify: the load just made the line present, so it hits.
        hits++;
        writes++;
        if (!inOrder) policy.touch(set, way); // LRU: the line is already at the front
        if (slowHit) this.#noteHit(addr, line, set, true, base + way);
        if (writeBack) dirty[base + way] = 1;
        else {
          forwarded++;
          if (below !== null) below.push(addr, DOWN_WRITE);
        }
      }
    }
    this.hits += hits;
    this.misses += misses;
    this.evictions += evictions;
    this.dirtyWritebacks += dirtyWritebacks;
    this.writes += writes;
    this.writesForwarded += forwarded;
    totals[0] += this.hits + this.misses - demandBefore; // every demand access hits or misses
    if (below === null) {
      totals[1] += misses;
      totals[2] += dirtyWritebacks + forwarded;
      totals[3] += misses;
    }
  }

  /** {@linkcode runAlone} with the 3C split on: the same loop, plus the shadow's bookkeeping. */
  #runClassified(
    ops: Uint8Array,
    addresses: Float64Array,
    sizes: Uint16Array,
    from: number,
    to: number,
    csim: boolean,
    iFetchToo: boolean,
    totals: Float64Array,
    below: Downstream | null = null,
  ): void {
    const ways = this.ways;
    const tags = this.tags;
    const dirty = this.dirty;
    const policy = this.policy;
    const invLine = this.invLine;
    const setMask = this.setMask;
    const writeBack = this.writeBack;
    const logging = this.steps !== null;
    const writeAllocate = this.writeAllocate;
    const filled = this.filled;
    const recent = this.recent;
    const inOrder = this.inOrder;
    const lineBytes = this.lineBytes;
    const shadow = this.shadow!;
    const slotOf = this.slotOf!;
    const shadowLines = shadow.lines;
    const known = shadow.known;
    // The shadow's recency list, inline (ShadowLru.touch): slot `front` is its head and tail.
    const prev = shadow.prev, next = shadow.next, front = shadow.capacity;
    const demandBefore = this.hits + this.misses;
    let hits = 0, writes = 0, forwarded = 0;
    let misses = 0, evictions = 0, dirtyWritebacks = 0;
    // Misses by kind (COMPULSORY, CAPACITY, CONFLICT), counted without a branch.
    const kinds = new Float64Array(3);
    for (let r = from; r < to; r++) {
      const op = ops[r];
      if (op === 2 && !iFetchToo) continue;
      const addr = addresses[r];
      const line = Math.floor(addr * invLine);
      if (!csim && (addr + sizes[r] - 1) * invLine >= line + 1) {
        this.#straddle(op, addr, sizes[r], line, totals, below);
        continue;
      }
      const set = (line >>> 0) & setMask;
      const base = set * ways;
      const w = (2 >> op) & 1;
      const write = w !== 0;
      let way = inOrder ? 0 : recent[set];
      let used = -1; // the shadow slot to make most recent, when not done already
      if (tags[base + way] !== line) {
        way = inOrder ? 1 : 0;
        while (way < ways && tags[base + way] !== line) way++;
      }
      if (way < ways) {
        hits++;
        if (!inOrder) {
          recent[set] = way;
          policy.touch(set, way);
        } else if (way !== 0) {
          toFrontWithSlots(tags, dirty, slotOf, base, base + way);
          way = 0;
        }
        // The shadow copy is usually where this way last saw it: no hashing then.
        const at = base + way;
        const hint = slotOf[at];
        if (shadowLines[hint] === line) used = hint;
        else slotOf[at] = shadow.hit(line, hint, !write || writeAllocate);
        if (logging) this.#step(addr, line, set, write, "hit", -1, false);
        writes += w;
        if (writeBack) dirty[at] |= w;
        else {
          forwarded += w;
          if (below !== null && w !== 0) below.push(addr, DOWN_WRITE);
        }
      } else if (!logging && (!write || writeAllocate)) {
        // ShadowLru.miss, inline: compulsory unless missed before; conflict if still in the
        // shadow, else capacity (and it takes the shadow's least recent slot).
        const k = known.find(line);
        let slot: number, kind = COMPULSORY;
        if (k >= 0) {
          const v = known.valueAt(k);
          slot = v >> 1;
          const held = shadowLines[slot] === line;
          if ((v & 1) !== 0) kind = held ? CONFLICT : CAPACITY;
          if (!held) {
            slot = prev[front];
            shadowLines[slot] = line;
          }
          known.setValueAt(k, slot * 2 + 1);
        } else {
          slot = prev[front];
          shadowLines[slot] = line;
          known.insert(k, line, slot * 2 + 1);
        }
        used = slot;
        kinds[kind]++;
        misses++;
        const n = filled[set];
        if (n < ways) {
          way = n;
          filled[set] = n + 1;
        } else {
          way = inOrder ? ways - 1 : policy.victim(set);
          evictions++;
          dirtyWritebacks += dirty[base + way];
        }
        if (below !== null) {
          // What the general path sends below, in its order: dirty victim, fetch, write.
          if (n === ways && dirty[base + way] !== 0) {
            below.push(tags[base + way] * lineBytes, DOWN_WRITE);
          }
          below.push(addr, DOWN_DEMAND);
          if (!writeBack && w !== 0) below.push(addr, DOWN_WRITE);
        }
        if (!inOrder) {
          recent[set] = way;
          policy.fill(set, way);
        } else {
          toFrontWithSlots(tags, dirty, slotOf, base, base + way);
          way = 0;
        }
        tags[base + way] = line;
        slotOf[base + way] = slot;
        writes += w;
        dirty[base + way] = writeBack ? w : 0;
        if (!writeBack) forwarded += w;
      } else {
        const code = this.#miss(addr, line, set, write, true);
        if (below !== null) this.#passDown(code, addr, true, below);
        else countMemory(code, totals);
        if (op === 3) way = this.#find(line, base);
      }
      if (used >= 0 && used !== next[front]) {
        // ShadowLru.touch, inline (skipped, as measured faster, for the slot already in front).
        const p = prev[used], n = next[used];
        next[p] = n;
        prev[n] = p;
        const first = next[front];
        next[used] = first;
        prev[used] = front;
        prev[first] = used;
        next[front] = used;
      }
      if (op === 3) {
        // The store half hits the line the load half just put at the front of the shadow too.
        hits++;
        writes++;
        if (!inOrder) policy.touch(set, way);
        if (logging) this.#step(addr, line, set, true, "hit", -1, false);
        if (writeBack) dirty[base + way] = 1;
        else {
          forwarded++;
          if (below !== null) below.push(addr, DOWN_WRITE);
        }
      }
    }
    this.hits += hits;
    this.misses += misses;
    this.evictions += evictions;
    this.dirtyWritebacks += dirtyWritebacks;
    this.writes += writes;
    this.writesForwarded += forwarded;
    this.compulsory += kinds[COMPULSORY];
    this.capacity += kinds[CAPACITY];
    this.conflict += kinds[CONFLICT];
    totals[0] += this.hits + this.misses - demandBefore;
    if (below === null) {
      totals[1] += misses;
      totals[2] += dirtyWritebacks + forwarded;
      totals[3] += misses;
    }
  }

  /**
   * Run the accesses a level above sent down (`from`) through this level, sending on what
   * reaches the level below to `below`, or, for the last level, counting what reaches memory
   * in `totals` (see {@linkcode runAlone}).
   */
  runBelow(from: Downstream, below: Downstream | null, totals: Float64Array): void {
    const addresses = from.addresses, flags = from.flags;
    for (let i = 0; i < from.length; i++) {
      const f = flags[i], addr = addresses[i];
      const demand = (f & DOWN_DEMAND) !== 0;
      const code = this.access(addr, (f & DOWN_WRITE) !== 0, demand);
      if (code === 0) continue;
      if (below !== null) this.#passDown(code, addr, demand, below);
      else countMemory(code, totals, demand);
    }
  }

  /** Send what one access's result code passes to the level below (as the general path does). */
  #passDown(code: number, addr: number, demand: boolean, below: Downstream): void {
    if ((code & WRITEBACK) !== 0) below.push(this.victimLine * this.lineBytes, DOWN_WRITE);
    if ((code & FETCH) !== 0) below.push(addr, DOWN_DEMAND);
    if ((code & FORWARD) !== 0) {
      // A no-write-allocate miss keeps travelling as a demand access; write-through traffic does not.
      const stillDemand = demand && (code & MISS) !== 0 && (code & FETCH) === 0;
      below.push(addr, stillDemand ? DOWN_WRITE | DOWN_DEMAND : DOWN_WRITE);
    }
  }

  /** An access that straddles lines: one access per line touched, through the general path. */
  #straddle(
    op: number,
    addr: number,
    size: number,
    line: number,
    totals: Float64Array,
    below: Downstream | null,
  ): void {
    totals[4]++;
    const last = Math.floor((addr + size - 1) * this.invLine);
    for (let l = line; l <= last; l++) {
      const a = l === line ? addr : l * this.lineBytes;
      for (let k = 0; k < (op === 3 ? 2 : 1); k++) {
        const code = this.access(a, op === 1 || k === 1, true);
        if (below !== null) this.#passDown(code, a, true, below);
        else countMemory(code, totals);
      }
    }
  }

  #find(line: number, base: number): number {
    let way = 0;
    while (way < this.ways && this.tags[base + way] !== line) way++;
    return way;
  }

  #noteHit(addr: number, line: number, set: number, write: boolean, at: number): void {
    const slotOf = this.slotOf;
    if (slotOf !== null) {
      slotOf[at] = this.shadow!.hit(line, slotOf[at], !write || this.writeAllocate);
    }
    if (this.steps !== null) this.#step(addr, line, set, write, "hit", -1, false);
  }

  #miss(addr: number, line: number, set: number, write: boolean, demand: boolean): number {
    const ways = this.ways;
    const base = set * ways;
    const tags = this.tags;
    const allocate = !write || this.writeAllocate;
    let outcome: CacheStep["outcome"] = "miss";
    // Where the line sits in the shadow (none for a fill that is not a demand access).
    let slot = this.s.sets * ways;
    if (!demand) this.receivedWrites++;
    else {
      this.misses++;
      if (write) this.writes++;
      if (this.shadow !== null) {
        const found = this.shadow.miss(line, allocate);
        slot = found >> 2;
        const kind = found & 3;
        if (kind === COMPULSORY) {
          this.compulsory++;
          outcome = "compulsory";
        } else if (kind === CAPACITY) {
          this.capacity++;
          outcome = "capacity";
        } else {
          this.conflict++;
          outcome = "conflict";
        }
      }
    }
    if (!allocate) {
      this.writesForwarded++;
      if (demand && this.steps !== null) this.#step(addr, line, set, write, outcome, -1, false);
      return MISS | FORWARD;
    }
    let code = demand ? MISS | FETCH : MISS;
    let way: number;
    const n = this.filled[set];
    if (n < ways) {
      way = n;
      this.filled[set] = n + 1;
      if (demand && this.steps !== null) this.#step(addr, line, set, write, outcome, -1, false);
    } else {
      way = this.inOrder ? ways - 1 : this.policy.victim(set);
      const old = tags[base + way];
      this.victimLine = old;
      this.evictions++;
      code |= EVICT;
      const wasDirty = this.dirty[base + way] !== 0;
      if (wasDirty) {
        this.dirtyWritebacks++;
        code |= WRITEBACK;
      }
      if (demand && this.steps !== null) this.#step(addr, line, set, write, outcome, old, wasDirty);
    }
    const slotOf = this.slotOf;
    if (!this.inOrder) this.policy.fill(set, way);
    else {
      if (slotOf !== null) toFrontWithSlots(tags, this.dirty, slotOf, base, base + way);
      else toFront(tags, this.dirty, base, base + way);
      way = 0;
    }
    tags[base + way] = line;
    if (slotOf !== null) slotOf[base + way] = slot;
    this.dirty[base + way] = 0;
    if (write) {
      if (this.writeBack) this.dirty[base + way] = 1;
      else {
        this.writesForwarded++;
        code |= FORWARD;
      }
    }
    return code;
  }

  #step(
    addr: number,
    line: number,
    set: number,
    write: boolean,
    outcome: CacheStep["outcome"],
    evicted: number,
    dirty: boolean,
  ): void {
    const steps = this.steps!;
    if (steps.length >= this.stepLimit) {
      this.stepsDropped = true;
      return;
    }
    const sets = this.setMask + 1;
    steps.push({
      index: this.stepIndex,
      level: this.s.name,
      kind: write ? "write" : "read",
      address: addr,
      tag: Math.floor(line / sets),
      set,
      offset: addr - line * this.lineBytes,
      outcome,
      evicted: evicted < 0
        ? null
        : { tag: Math.floor(evicted / sets), address: evicted * this.lineBytes, dirty },
    });
  }
}

/** csim's cache: 2^s sets of E ways of 2^b-byte lines, LRU, write-back, write-allocate. */
export function csimLevel(s: number, E: number, b: number): Level {
  return new Level({
    name: "csim",
    sets: 2 ** s,
    ways: E,
    lineBytes: 2 ** b,
    policy: LRU,
    writeBack: true,
    writeAllocate: true,
    latencyCycles: 1,
    seed: 0,
    classify: false,
  });
}

/**
 * Cache simulation: one level or a hierarchy (optional split L1
 * instruction/data, then unified lower levels), with per-level statistics,
 * the 3C miss classification, AMAT and an optional step log.
 *
 * Hierarchies are non-inclusive: a miss fetches the line through the level
 * below; a dirty victim is written back to the level below; write-through
 * levels pass every write down. Only demand accesses (those of the trace,
 * and misses travelling down) count as hits and misses; write-backs and
 * write-through traffic received from above are counted apart.
 *
 * 3C: a miss is *compulsory* on the first reference ever to its line,
 * *capacity* if a fully associative LRU cache with the same number of lines
 * would also miss, and *conflict* otherwise. The fully associative cache is
 * LRU whatever the level's policy; Dinero IV gives it the level's policy, so
 * the two agree on every count for LRU levels and on misses and compulsory
 * misses otherwise (tests/cache/dinero_test.ts checks both on recorded runs).
 *
 * @module
 */
import { z } from "zod";
import { parseWith } from "../trace/_validate.ts";
import { OP_IFETCH, OP_MODIFY, OP_STORE, type Trace } from "../trace/trace.ts";
import { cacheHtml, cacheText } from "./_display.ts";
import { withDisplay } from "../_html.ts";
import { type CacheStep, Downstream, FETCH, FORWARD, Level, MISS, WRITEBACK } from "./_level.ts";
import { CacheGeometry, type ResolvedGeometry, resolveGeometry } from "./geometry.ts";
import { type ReplacementPolicy, resolveReplacement } from "./replacement.ts";

export type { CacheStep } from "./_level.ts";

const PolicyInput = z.union([
  z.string(),
  z.custom<ReplacementPolicy>(
    (v) =>
      typeof v === "object" && v !== null && typeof (v as ReplacementPolicy).create === "function",
    { error: "must be a policy name or an object with create()" },
  ),
], { error: "must be a policy name or an object with create()" });

/** One cache level: geometry plus policies and latency. */
export const CacheLevelConfig = z.strictObject({
  /** Name shown in results (default `L1`, `L2`, ...; `L1i` for the instruction cache). */
  name: z.string().optional(),
  /** Number of sets (power of two); or give `sizeBytes`. */
  sets: z.unknown().optional(),
  /** Lines per set. */
  ways: z.unknown(),
  /** Bytes per line (power of two). */
  lineBytes: z.unknown(),
  /** Total size in bytes; or give `sets`. */
  sizeBytes: z.unknown().optional(),
  /** Replacement: `lru` (default), `fifo`, `random`, `plru`, or a policy object. */
  policy: PolicyInput.default("lru"),
  /** `write-back` (default) or `write-through`. */
  writePolicy: z.enum(["write-back", "write-through"], {
    error: 'must be "write-back" or "write-through"',
  }).default("write-back"),
  /** Allocate a line on a write miss (default true). */
  writeAllocate: z.boolean({ error: "must be a boolean" }).default(true),
  /** Hit time in cycles, for AMAT (default 1). */
  latencyCycles: z.number({ error: "must be a number" }).min(0, "must be at least 0").default(1),
  /** Seed of the random replacement policy (default 0). */
  seed: z.number({ error: "must be a number" }).int("must be an integer").default(0),
});
/** One cache level: geometry plus policies and latency. */
export type CacheLevelConfig = z.input<typeof CacheLevelConfig>;

/** A hierarchy: data (or unified) levels top-down, an optional instruction L1, memory latency. */
export const CacheHierarchyConfig = z.strictObject({
  /** Levels from L1 (data, or unified when there is no `instructionL1`) down. */
  levels: z.array(CacheLevelConfig).min(1, "must hold at least one level"),
  /** Separate L1 instruction cache; its misses go to `levels[1]` (or memory). */
  instructionL1: CacheLevelConfig.optional(),
  /** Memory access time in cycles, for AMAT (default 100). */
  memoryLatencyCycles: z.number({ error: "must be a number" }).min(0, "must be at least 0")
    .default(100),
  /**
   * `"lines"` (default): an access touches every line its bytes cover and instruction
   * fetches are simulated. `"csim"`: like CS:APP's csim, sizes and `I` records are ignored.
   */
  accessMode: z.enum(["lines", "csim"], { error: 'must be "lines" or "csim"' }).default("lines"),
  /** Classify misses as compulsory / capacity / conflict (default true; costs speed). */
  classifyMisses: z.boolean({ error: "must be a boolean" }).default(true),
  /**
   * Record this many demand accesses in `result.steps` (default 0: no log; at most
   * {@linkcode MAX_STEP_LOG}, since the log is held in memory).
   */
  stepLimit: z.number({ error: "must be a number" }).int("must be an integer")
    .min(0, "must be at least 0")
    .max(
      2 ** 20,
      "must be at most 1048576 (2^20): the step log is held in memory",
    ).default(0),
});
/** A hierarchy configuration. */
export type CacheHierarchyConfig = z.input<typeof CacheHierarchyConfig>;

/**
 * Longest step log a simulator holds: 2^20 steps (a few hundred MB of objects at most).
 *
 * @example A longer log is refused when the simulator is built
 * ```ts
 * import { CacheSimulator, MAX_STEP_LOG } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => new CacheSimulator({ levels: [{ sets: 1, ways: 1, lineBytes: 16 }], stepLimit: MAX_STEP_LOG + 1 }),
 *   /stepLimit must be at most 1048576/,
 * );
 * ```
 */
export const MAX_STEP_LOG = 2 ** 20;

/**
 * Most lines the levels of one hierarchy may hold together: 2^26 (about 600 MB of tags).
 * With the 3C split each line also has a fully associative shadow copy, so the cap is then
 * {@linkcode MAX_CLASSIFIED_LINES}.
 *
 * @example Twelve levels of 2^26 lines are refused before anything is allocated
 * ```ts
 * import { CacheSimulator, MAX_HIERARCHY_LINES } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const big = { sets: 2 ** 20, ways: 64, lineBytes: 64 };
 * assert.equal(big.sets * big.ways, MAX_HIERARCHY_LINES);
 * assert.throws(
 *   () => new CacheSimulator({ levels: Array(12).fill(big), classifyMisses: false }),
 *   /levels.1 brings the total to 134217728 lines: the levels together may hold at most 67108864/,
 * );
 * ```
 */
export const MAX_HIERARCHY_LINES = 2 ** 26;

/**
 * Most lines the levels may hold together when misses are classified (3C): 2^24.
 *
 * @example The 3C split on a 2 GiB cache is refused
 * ```ts
 * import { CacheSimulator, MAX_CLASSIFIED_LINES } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const level = { sets: 2 ** 19, ways: 64, lineBytes: 64 };
 * assert.ok(level.sets * level.ways > MAX_CLASSIFIED_LINES);
 * assert.throws(() => new CacheSimulator({ levels: [level] }), /classifyMisses: false/);
 * ```
 */
export const MAX_CLASSIFIED_LINES = 2 ** 24;

/** Statistics of one level; hits and misses count demand accesses only. */
export interface CacheLevelStats {
  /** Level name (`L1`, `L1i`, `L2`, ...). */
  name: string;
  /** Number of sets. */
  sets: number;
  /** Lines per set. */
  ways: number;
  /** Bytes per line. */
  lineBytes: number;
  /** sets * ways * lineBytes. */
  sizeBytes: number;
  /** Replacement policy name. */
  policy: string;
  /** Write policy. */
  writePolicy: "write-back" | "write-through";
  /** Whether write misses allocate a line. */
  writeAllocate: boolean;
  /** Hit time in cycles. */
  latencyCycles: number;
  /** Demand reads. */
  reads: number;
  /** Demand writes. */
  writes: number;
  /** Demand hits. */
  hits: number;
  /** Demand misses. */
  misses: number;
  /** misses / (reads + writes), 0 when there were no accesses. */
  missRate: number;
  /** Misses on the first reference to a line (null when classification is off). */
  compulsory: number | null;
  /** Misses a fully associative LRU cache of the same size would also make (or null). */
  capacity: number | null;
  /** The other misses, caused by the mapping to sets (or null). */
  conflict: number | null;
  /** Valid lines replaced. */
  evictions: number;
  /** Evicted lines that were dirty (written back below). */
  dirtyWritebacks: number;
  /** Writes passed down by write-through or no-write-allocate. */
  writesForwarded: number;
  /** Write-backs and write-through writes received from the level above. */
  receivedWrites: number;
}

/** Result of a simulation: plain data, plus a rich notebook view. */
export interface CacheResult {
  /** Statistics per level (instruction L1 first when present, then levels top-down). */
  levels: CacheLevelStats[];
  /** Demand accesses presented to L1 (line accesses in `"lines"` mode). */
  accesses: number;
  /** Trace records consumed. */
  records: number;
  /** Average memory access time in cycles, from the simulated counts. */
  amatCycles: number;
  /** Memory access time used for AMAT. */
  memoryLatencyCycles: number;
  /** Lines read from memory. */
  memoryReads: number;
  /** Writes that reached memory (write-backs and write-through traffic). */
  memoryWrites: number;
  /** Step log (null when `stepLimit` is 0). */
  steps: CacheStep[] | null;
  /** Whether the step log stopped at `stepLimit`. */
  stepsTruncated: boolean;
  /** Teaching warnings about legal but suspicious input. */
  warnings: string[];
}

/**
 * A cache simulator that consumes traces (possibly in several batches) and reports statistics.
 */
export class CacheSimulator {
  readonly #levels: Level[] = [];
  readonly #iL1: number;
  readonly #dL1: number;
  readonly #csim: boolean;
  readonly #memoryLatency: number;
  readonly #steps: CacheStep[] | null;
  readonly #warnings = new Set<string>();
  #accesses = 0;
  #records = 0;
  #memoryDemand = 0;
  #memoryReads = 0;
  #memoryWrites = 0;
  #straddles = 0;
  readonly #totals = new Float64Array(5);
  /** What L1 sends to L2, what L2 sends to L3, ...: two buffers used in turn (see `run`). */
  readonly #down = [new Downstream(), new Downstream()];

  /**
   * Build the hierarchy; every check happens here, none per access.
   *
   * @param config A hierarchy, or a single level.
   * @throws {RangeError} or {TypeError} naming the field, the rule and the value.
   *
   * @example A split L1 over a unified L2
   * ```ts
   * import { CacheSimulator, createTrace } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const sim = new CacheSimulator({
   *   instructionL1: { sizeBytes: 1024, ways: 2, lineBytes: 32 },
   *   levels: [{ sizeBytes: 1024, ways: 2, lineBytes: 32 }, { sizeBytes: 8192, ways: 4, lineBytes: 32, latencyCycles: 10 }],
   * });
   * sim.run(createTrace([{ op: "I", address: 0x400000 }, { op: "L", address: 0x10 }, { op: "L", address: 0x14 }]));
   * const r = sim.result();
   * assert.deepEqual(r.levels.map((l) => [l.name, l.hits, l.misses]), [["L1i", 0, 1], ["L1", 1, 1], ["L2", 0, 2]]);
   * ```
   */
  constructor(config: CacheHierarchyConfig | CacheLevelConfig) {
    const isHierarchy = typeof config === "object" && config !== null && "levels" in config;
    // A single level is checked on its own first, so errors name its fields directly.
    if (!isHierarchy) parseWith(CacheLevelConfig, config, "Cannot create cache");
    const h = parseWith(
      CacheHierarchyConfig,
      isHierarchy ? config : { levels: [config] },
      "Cannot create cache",
    );
    // Every geometry is checked, and the total size with it, before any level is allocated.
    const given = [
      ...(h.instructionL1 ? [{ c: h.instructionL1, name: "L1i", path: "instructionL1" }] : []),
      ...h.levels.map((c, i) => ({ c, name: `L${i + 1}`, path: isHierarchy ? `levels.${i}` : "" })),
    ].map(({ c, name, path }) => ({
      c,
      name,
      path,
      g: resolveGeometry(
        {
          sets: c.sets,
          ways: c.ways,
          lineBytes: c.lineBytes,
          sizeBytes: c.sizeBytes,
        } as CacheGeometry,
        `Cannot create cache${path ? `: ${path}` : ""}`,
      ),
    }));
    const cap = h.classifyMisses ? MAX_CLASSIFIED_LINES : MAX_HIERARCHY_LINES;
    let total = 0;
    for (const { g, path } of given) {
      total += g.sets * g.ways;
      if (total <= cap) continue;
      const field = path || "levels.0";
      throw new RangeError(
        h.classifyMisses
          ? `Cannot create cache: ${field} brings the total to ${total} lines: with the 3C split (classifyMisses) the levels together may hold at most ${cap} (2^24) lines, since each line also gets a fully associative shadow copy; set classifyMisses: false for bigger caches: received sets ${g.sets}, ways ${g.ways}`
          : `Cannot create cache: ${field} brings the total to ${total} lines: the levels together may hold at most ${cap} (2^26) lines, about 600 MB of tags: received sets ${g.sets}, ways ${g.ways}`,
      );
    }
    const make = (
      { c, g, name }: { c: z.output<typeof CacheLevelConfig>; g: ResolvedGeometry; name: string },
    ): Level =>
      new Level({
        name: c.name ?? name,
        ...g,
        policy: resolveReplacement(c.policy),
        writeBack: c.writePolicy === "write-back",
        writeAllocate: c.writeAllocate,
        latencyCycles: c.latencyCycles,
        seed: c.seed,
        classify: h.classifyMisses,
      });
    for (const level of given) this.#levels.push(make(level));
    const first = h.instructionL1 ? 1 : 0;
    for (let i = first; i < this.#levels.length - 1; i++) this.#levels[i].nextIndex = i + 1;
    if (h.instructionL1 && h.levels.length > 1) this.#levels[0].nextIndex = first + 1;
    this.#iL1 = h.instructionL1 ? 0 : first;
    this.#dL1 = first;
    this.#csim = h.accessMode === "csim";
    this.#memoryLatency = h.memoryLatencyCycles;
    this.#steps = h.stepLimit > 0 ? [] : null;
    for (const l of this.#levels) {
      l.steps = this.#steps;
      l.stepLimit = h.stepLimit;
      if (this.#steps !== null) l.slowHit = true;
    }
    for (let i = first + 1; i < this.#levels.length; i++) {
      const up = this.#levels[i - 1], down = this.#levels[i];
      if (down.s.sets * down.s.ways * down.lineBytes < up.s.sets * up.s.ways * up.lineBytes) {
        this.#warnings.add(
          `${down.s.name} is smaller than ${up.s.name}: lower levels are usually larger; check the order of levels`,
        );
      }
    }
  }

  #access(i: number, addr: number, write: boolean, demand: boolean): void {
    const level = this.#levels[i];
    const code = level.access(addr, write, demand);
    if (code !== 0) this.#propagate(level, code, addr, demand);
  }

  #propagate(level: Level, code: number, addr: number, demand: boolean): void {
    const next = level.nextIndex;
    if ((code & WRITEBACK) !== 0) {
      const victim = level.victimLine * level.lineBytes;
      if (next >= 0) this.#access(next, victim, true, false);
      else this.#memoryWrites++;
    }
    if ((code & FETCH) !== 0) {
      if (next >= 0) this.#access(next, addr, false, true);
      else {
        this.#memoryReads++;
        this.#memoryDemand++;
      }
    }
    if ((code & FORWARD) !== 0) {
      // A no-write-allocate miss keeps travelling as a demand access; write-through traffic does not.
      const stillDemand = demand && (code & MISS) !== 0 && (code & FETCH) === 0;
      if (next >= 0) this.#access(next, addr, true, stillDemand);
      else {
        this.#memoryWrites++;
        if (stillDemand) this.#memoryDemand++;
      }
    }
  }

  /**
   * Simulate every access of `trace` (call again with the next batch to continue).
   *
   * @param trace The accesses.
   * @returns This simulator, for chaining.
   *
   * @example Two batches give the same counts as one
   * ```ts
   * import { CacheSimulator, stridedTrace } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const t = stridedTrace({ count: 64, strideBytes: 16, repeat: 2 });
   * const sim = new CacheSimulator({ sizeBytes: 512, ways: 2, lineBytes: 32 });
   * sim.run(t).run(t);
   * assert.equal(sim.result().levels[0].misses, 4 * 32);
   * ```
   */
  run(trace: Trace): this {
    const { ops, addresses, sizes } = trace;
    const n = trace.length;
    if (this.#steps === null && this.#iL1 === this.#dL1) {
      // No step log and one L1: the fast loop, with the same semantics. With levels below,
      // each batch of records runs through L1, then what L1 sent down runs through L2, and
      // so on (no level depends on those below it, so the counts are the same).
      const levels = this.#levels;
      const t = this.#totals.fill(0);
      const invLine = levels[0].invLine;
      for (let from = 0, to = 0; from < n; from = to) {
        // A batch covers at most about 32768 lines at L1 (a record of size bytes touches at
        // most 2 + size / lineBytes lines), so what each level sends down stays small.
        if (levels.length === 1) to = n;
        else if (this.#csim) to = Math.min(n, from + 32768);
        else {
          let lines = 0;
          while (to < n && lines < 32768) lines += 2 + sizes[to++] * invLine;
        }
        let down = levels.length === 1 ? null : this.#down[0];
        if (down !== null) down.length = 0;
        levels[0].runAlone(ops, addresses, sizes, from, to, this.#csim, !this.#csim, t, down);
        for (let i = 1; i < levels.length; i++) {
          const next = i === levels.length - 1 ? null : this.#down[i % 2];
          if (next !== null) next.length = 0;
          levels[i].runBelow(down!, next, t);
          down = next;
        }
      }
      this.#accesses += t[0];
      this.#memoryReads += t[1];
      this.#memoryWrites += t[2];
      this.#memoryDemand += t[3];
      this.#straddles += t[4];
      this.#records += n;
      return this;
    }
    const levels = this.#levels;
    const csim = this.#csim;
    const iL1 = this.#iL1, dL1 = this.#dL1;
    const logging = this.#steps !== null;
    let accesses = 0;
    for (let r = 0; r < n; r++) {
      const op = ops[r];
      if (op === OP_IFETCH && csim) continue;
      const top = op === OP_IFETCH ? iL1 : dL1;
      const level = levels[top];
      const addr = addresses[r];
      if (logging) { for (const l of levels) l.stepIndex = this.#records + r; }
      const lineBytes = level.lineBytes;
      const size = sizes[r];
      const first = Math.floor(addr * level.invLine);
      if (csim || size <= 1 || addr - first * lineBytes + size <= lineBytes) {
        if (op === OP_MODIFY) {
          let code = level.access(addr, false, true);
          if (code !== 0) this.#propagate(level, code, addr, true);
          code = level.access(addr, true, true);
          if (code !== 0) this.#propagate(level, code, addr, true);
          accesses += 2;
        } else {
          const code = level.access(addr, op === OP_STORE, true);
          if (code !== 0) this.#propagate(level, code, addr, true);
          accesses++;
        }
        continue;
      }
      this.#straddles++;
      const last = Math.floor((addr + size - 1) / lineBytes);
      for (let line = first; line <= last; line++) {
        const a = line === first ? addr : line * lineBytes;
        if (op === OP_MODIFY) {
          this.#access(top, a, false, true);
          this.#access(top, a, true, true);
          accesses += 2;
        } else {
          this.#access(top, a, op === OP_STORE, true);
          accesses++;
        }
      }
    }
    this.#accesses += accesses;
    this.#records += n;
    return this;
  }

  /**
   * Take the steps logged so far out of the log, so a long trace can be shown batch by
   * batch without holding every step (`stepLimit` then bounds one batch, not the run).
   *
   * @returns The steps since the last call (empty when there is no log), and whether any
   *   step was left out because the log was full.
   *
   * @example Two batches, two drains
   * ```ts
   * import { CacheSimulator, createTrace } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const sim = new CacheSimulator({ levels: [{ sets: 1, ways: 1, lineBytes: 16 }], stepLimit: 8 });
   * sim.run(createTrace([{ op: "L", address: 0 }, { op: "L", address: 4 }]));
   * assert.deepEqual(sim.drainSteps().steps.map((s) => s.outcome), ["compulsory", "hit"]);
   * sim.run(createTrace([{ op: "S", address: 32 }]));
   * const { steps, dropped } = sim.drainSteps();
   * assert.deepEqual([steps.length, steps[0].index, steps[0].evicted?.address, dropped], [1, 2, 0, false]);
   * ```
   */
  drainSteps(): { steps: CacheStep[]; dropped: boolean } {
    if (this.#steps === null) return { steps: [], dropped: false };
    const steps = this.#steps.splice(0);
    let dropped = false;
    for (const l of this.#levels) {
      dropped ||= l.stepsDropped;
      l.stepsDropped = false;
    }
    return { steps, dropped };
  }

  /** Total demand time: each level's latency per demand access, memory latency per demand miss below the last level. */
  #cycles(): number {
    let c = this.#memoryDemand * this.#memoryLatency;
    for (const l of this.#levels) c += (l.hits + l.misses) * l.s.latencyCycles;
    return c;
  }

  /**
   * The statistics so far, as plain data with a notebook view.
   *
   * @returns The result.
   *
   * @example Read the counts
   * ```ts
   * import { CacheSimulator, createTrace } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const sim = new CacheSimulator({ sets: 1, ways: 1, lineBytes: 16 });
   * sim.run(createTrace([{ op: "L", address: 0 }, { op: "L", address: 4 }]));
   * const r = sim.result();
   * assert.equal(r.levels[0].hits, 1);
   * assert.equal(r.amatCycles, 1 + 0.5 * 100);
   * ```
   */
  result(): CacheResult {
    const warnings = [...this.#warnings];
    if (this.#straddles > 0) {
      warnings.push(
        `${this.#straddles} accesses straddle a line boundary and were counted once per line touched (accessMode "csim" counts them once)`,
      );
    }
    const levels: CacheLevelStats[] = this.#levels.map((l) => ({
      name: l.s.name,
      sets: l.s.sets,
      ways: l.s.ways,
      lineBytes: l.s.lineBytes,
      sizeBytes: l.s.sets * l.s.ways * l.s.lineBytes,
      policy: l.s.policy.name,
      writePolicy: l.writeBack ? "write-back" : "write-through",
      writeAllocate: l.writeAllocate,
      latencyCycles: l.s.latencyCycles,
      reads: l.hits + l.misses - l.writes,
      writes: l.writes,
      hits: l.hits,
      misses: l.misses,
      missRate: l.hits + l.misses === 0 ? 0 : l.misses / (l.hits + l.misses),
      compulsory: l.shadow ? l.compulsory : null,
      capacity: l.shadow ? l.capacity : null,
      conflict: l.shadow ? l.conflict : null,
      evictions: l.evictions,
      dirtyWritebacks: l.dirtyWritebacks,
      writesForwarded: l.writesForwarded,
      receivedWrites: l.receivedWrites,
    }));
    const result: CacheResult = {
      levels,
      accesses: this.#accesses,
      records: this.#records,
      amatCycles: this.#accesses === 0 ? 0 : this.#cycles() / this.#accesses,
      memoryLatencyCycles: this.#memoryLatency,
      memoryReads: this.#memoryReads,
      memoryWrites: this.#memoryWrites,
      steps: this.#steps ? this.#steps.slice() : null,
      stepsTruncated: this.#levels.some((l) => l.stepsDropped),
      warnings,
    };
    return withDisplay(result, (r) => ({ html: cacheHtml(r), text: cacheText(r) }));
  }
}

/**
 * Simulate a trace on a cache or hierarchy in one call.
 *
 * @param config A hierarchy, or a single level.
 * @param trace The accesses.
 * @returns The result.
 * @throws {RangeError} or {TypeError} for a bad configuration.
 *
 * @example Column-major traversal misses more than row-major
 * ```ts
 * import { matrixTrace, simulateCache } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const cache = { sizeBytes: 1024, ways: 2, lineBytes: 64 };
 * const row = simulateCache(cache, matrixTrace({ rows: 64, cols: 64, order: "row" }));
 * const col = simulateCache(cache, matrixTrace({ rows: 64, cols: 64, order: "column" }));
 * assert.equal(row.levels[0].misses, 64 * 64 / 16);
 * assert.equal(col.levels[0].misses, 64 * 64);
 * ```
 */
export function simulateCache(
  config: CacheHierarchyConfig | CacheLevelConfig,
  trace: Trace,
): CacheResult {
  return new CacheSimulator(config).run(trace).result();
}

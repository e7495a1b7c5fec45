/**
 * Demand paging over a reference string: hits, misses, evictions and an
 * optional per-access step log, for any {@linkcode PagePolicy}.
 *
 * @module
 */
import { z } from "zod";
import { MersenneTwister } from "../random/mersenne.ts";
import { PageMap } from "./_page_map.ts";
import { htmlTable, withDisplay } from "./_display.ts";
import {
  type PagePolicy,
  type PagingFuture,
  type ResidentPages,
  resolvePagePolicy,
} from "./page_policy.ts";

/** One reference in a paging run. */
export interface PagingStep {
  /** Index of the reference. */
  time: number;
  /** The page referenced. */
  page: number;
  /** Whether it was in memory. */
  hit: boolean;
  /** The page evicted to make room, or null. */
  victim: number | null;
  /** Resident pages after the access, in the policy's display order. */
  resident: number[];
  /** Running totals. */
  hits: number;
  /** Running totals. */
  misses: number;
}

/** Totals of a paging run (plain data). */
export interface PagingResult {
  /** The policy's name. */
  policy: string;
  /** Labels for the two ends of `steps[i].resident`. */
  labels: [string, string];
  /** Frames of physical memory. */
  frames: number;
  /** How many references were simulated. */
  referenceCount: number;
  /** References found in memory. */
  hits: number;
  /** References that faulted. */
  misses: number;
  /** hits / references. */
  hitRate: number;
  /** Pages evicted. */
  evictions: number;
  /** Per-access steps when `steps: true`. */
  steps?: PagingStep[];
  /** Teaching warnings about legal but suspicious input. */
  warnings: string[];
}

const isPolicyLike = (v: unknown) => typeof v === "string" || (typeof v === "object" && v !== null);

/** Options of {@linkcode simulatePaging}. */
export const PagingOptions = z.object({
  frames: z.number().int().min(1),
  policy: z.custom<string | PagePolicy>(isPolicyLike, { message: "must be a name or an object" }),
  references: z.custom<ArrayLike<number>>(
    (v) => Array.isArray(v) || ArrayBuffer.isView(v),
    { message: "must be an array of page numbers" },
  ),
  steps: z.boolean().optional(),
  seed: z.union([z.number().int(), z.bigint()]).optional(),
  random: z.custom<() => number>((v) => typeof v === "function").optional(),
  clockBits: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  onStep: z.custom<(step: PagingStep) => void>((v) => typeof v === "function").optional(),
});
/** Options of {@linkcode simulatePaging}. */
export type PagingOptions = z.infer<typeof PagingOptions>;

function parseOptions(options: unknown): PagingOptions {
  const parsed = PagingOptions.safeParse(options);
  if (!parsed.success) {
    throw new TypeError(`Cannot simulate paging: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const refs = parsed.data.references;
  if (refs.length === 0) {
    throw new RangeError(
      "Cannot simulate paging: references must not be empty: received 0 references",
    );
  }
  for (let i = 0; i < refs.length; i++) {
    const p = refs[i];
    if (!Number.isSafeInteger(p) || p < 0) {
      throw new RangeError(
        `Cannot simulate paging: references[${i}] must be a non-negative integer: received ${p}`,
      );
    }
  }
  return parsed.data;
}

function makeFuture(refs: ArrayLike<number>, now: () => number): PagingFuture {
  let occurrences: Map<number, number[]> | undefined;
  return {
    references: refs,
    nextUse(page: number): number {
      if (!occurrences) {
        occurrences = new Map();
        for (let t = 0; t < refs.length; t++) {
          const list = occurrences.get(refs[t]);
          if (list) list.push(t);
          else occurrences.set(refs[t], [t]);
        }
      }
      const list = occurrences.get(page);
      const t = now();
      if (!list) return refs.length;
      let lo = 0, hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid] <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo < list.length ? list[lo] : refs.length;
    },
  };
}

/**
 * Simulate demand paging of a reference string with `frames` frames.
 *
 * @param options `frames`, `policy` (name or object), `references`, and
 *   optionally `steps` (record each access), `seed` (for RAND and CLOCK,
 *   Python-compatible Mersenne Twister; default 0), `random` (your own
 *   source of floats in [0, 1)), `clockBits` (CLOCK's counter limit, default 2),
 *   `onStep` (called with each step as it happens, so a long run can be
 *   printed without keeping every step).
 * @returns Totals, warnings and, if asked, the steps; a miss is a result, not an error.
 *
 * @example Belady's anomaly with FIFO
 * ```ts
 * import { simulatePaging } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const references = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];
 * assert.equal(simulatePaging({ frames: 3, policy: "fifo", references }).misses, 9);
 * assert.equal(simulatePaging({ frames: 4, policy: "fifo", references }).misses, 10);
 * ```
 */
export function simulatePaging(options: PagingOptions): PagingResult {
  const opts = parseOptions(options);
  const policy = resolvePagePolicy(opts.policy);
  const refs = opts.references;
  const frames = opts.frames;
  const random = opts.random ?? (() => {
    const mt = new MersenneTwister(opts.seed ?? 0);
    return () => mt.random();
  })();
  policy.init?.({ frames, references: refs, random, clockBits: opts.clockBits ?? 2 });

  const slotOf = new PageMap(-1);
  const slots = new Float64Array(frames);
  let count = 0;
  let now = 0;
  const resident: ResidentPages = {
    get size() {
      return count;
    },
    has: (page) => slotOf.get(page) >= 0,
    pages: () => Array.from(slots.subarray(0, count)),
  };
  const future = makeFuture(refs, () => now);
  const onHit = policy.onHit ? policy.onHit.bind(policy) : undefined;
  const onInsert = policy.onInsert ? policy.onInsert.bind(policy) : undefined;
  const onEvict = policy.onEvict ? policy.onEvict.bind(policy) : undefined;
  const keepSteps = opts.steps === true;
  const onStep = opts.onStep;
  const wantSteps = keepSteps || onStep !== undefined;
  const steps: PagingStep[] = [];
  const insertionOrder: number[] = [];
  let hits = 0, misses = 0, evictions = 0, lastHits = 0;
  const n = refs.length;

  for (let t = 0; t < n; t++) {
    const page = refs[t];
    now = t;
    let victim = -1;
    if (slotOf.get(page) >= 0) {
      hits++;
      if (onHit) onHit(page, t);
    } else {
      misses++;
      if (count === frames) {
        victim = policy.chooseVictim(resident, t, future);
        // PageMap indexes a typed array: check the shape first, or -1 and 1.5 read `undefined`.
        const vs = Number.isSafeInteger(victim) && victim >= 0 ? slotOf.get(victim) : -1;
        if (vs < 0) {
          throw new RangeError(
            `Cannot simulate paging: ${policy.name}.chooseVictim must return a resident page: received ${victim} at time ${t}`,
          );
        }
        const last = slots[--count];
        slots[vs] = last;
        slotOf.set(last, vs);
        slotOf.set(victim, -1);
        evictions++;
        if (onEvict) onEvict(victim, t);
      }
      slots[count] = page;
      slotOf.set(page, count++);
      if (onInsert) onInsert(page, t);
    }
    if (wantSteps) {
      const hit = hits > lastHits;
      if (!hit && !policy.order) {
        if (victim >= 0) insertionOrder.splice(insertionOrder.indexOf(victim), 1);
        insertionOrder.push(page);
      }
      const step: PagingStep = {
        time: t,
        page,
        hit,
        victim: victim >= 0 ? victim : null,
        resident: policy.order ? policy.order() : [...insertionOrder],
        hits,
        misses,
      };
      if (keepSteps) steps.push(step);
      if (onStep) onStep(step);
      lastHits = hits;
    }
  }
  const warnings: string[] = [];
  if (evictions === 0) {
    warnings.push(
      `All ${count} distinct pages fit in ${frames} frames: every miss is a cold (compulsory) miss, so the policy never mattered`,
    );
  }
  const result: PagingResult = {
    policy: policy.name,
    labels: [policy.labels?.[0] ?? "Left ", policy.labels?.[1] ?? "Right"],
    frames,
    referenceCount: n,
    hits,
    misses,
    hitRate: hits / n,
    evictions,
    warnings,
  };
  if (keepSteps) result.steps = steps;
  return withDisplay(result, renderPaging);
}

function renderPaging(r: PagingResult): { html: string; text: string } {
  const pct = (100 * r.hitRate).toFixed(2);
  const summary =
    `${r.policy}, ${r.frames} frames: ${r.hits} hits, ${r.misses} misses, hit rate ${pct}%, ${r.evictions} evictions`;
  const rows = (r.steps ?? []).slice(0, 200).map((s) => [
    s.time,
    s.page,
    s.hit ? "hit" : "MISS",
    `${r.labels[0].trim()} [${s.resident.join(", ")}] ${r.labels[1].trim()}`,
    s.victim ?? "-",
  ]);
  const table = rows.length ? htmlTable(["t", "page", "", "memory", "evicted"], rows) : "";
  const more = (r.steps?.length ?? 0) > 200 ? `<p>(first 200 of ${r.steps!.length} steps)</p>` : "";
  const warn = r.warnings.map((w) => `<p><em>${w}</em></p>`).join("");
  return { html: `<p>${summary}</p>${warn}${table}${more}`, text: summary };
}

/** Misses for each memory size. */
export interface FaultCurvePoint {
  /** Frames of memory. */
  frames: number;
  /** Misses (page faults) with that many frames. */
  misses: number;
}

/**
 * Run a policy on the same references for each frame count in `frameCounts`.
 *
 * @param references The reference string.
 * @param policy A policy name or object (a fresh built-in per run).
 * @param frameCounts The memory sizes to try.
 * @returns One point per size, in the order given.
 *
 * @example LRU never gets worse with more memory
 * ```ts
 * import { pagingFaultCurve } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const curve = pagingFaultCurve([1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5], "lru", [3, 4]);
 * assert.deepEqual(curve.map((p) => p.misses), [10, 8]);
 * ```
 */
export function pagingFaultCurve(
  references: ArrayLike<number>,
  policy: string | PagePolicy,
  frameCounts: readonly number[],
): FaultCurvePoint[] {
  return frameCounts.map((frames) => ({
    frames,
    misses: simulatePaging({ frames, policy, references }).misses,
  }));
}

/**
 * Find Belady's anomaly in a fault curve: places where more frames gave more faults.
 *
 * @param curve Points from {@linkcode pagingFaultCurve}.
 * @returns Each pair (fewer frames, more frames) whose misses went up.
 *
 * @example FIFO on the classic string
 * ```ts
 * import { beladyAnomalies, pagingFaultCurve } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const curve = pagingFaultCurve([1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5], "fifo", [1, 2, 3, 4, 5]);
 * assert.deepEqual(beladyAnomalies(curve), [{ from: { frames: 3, misses: 9 }, to: { frames: 4, misses: 10 } }]);
 * ```
 */
export function beladyAnomalies(
  curve: readonly FaultCurvePoint[],
): { from: FaultCurvePoint; to: FaultCurvePoint }[] {
  const sorted = [...curve].sort((a, b) => a.frames - b.frames);
  const out: { from: FaultCurvePoint; to: FaultCurvePoint }[] = [];
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].frames > sorted[i - 1].frames && sorted[i].misses > sorted[i - 1].misses) {
      out.push({ from: sorted[i - 1], to: sorted[i] });
    }
  }
  return out;
}

/**
 * The real kernel following a simulated replacement policy.
 *
 * A plan says, for each page reference, whether the simulated policy hits or
 * misses and which resident page it evicts first. {@linkcode replayOnKernel}
 * maps a temporary file with one page per simulated page, starts with all of
 * them out of memory, evicts from the page cache exactly the pages the plan
 * evicts, and reads one byte of each referenced page. The kernel's major-fault
 * count (getrusage on the JavaScript thread) then equals the simulated miss
 * count, reference by reference.
 *
 * Plans are plain data, so this module depends on no simulator: build one
 * with {@linkcode planFromVictims}, or from any policy function with
 * {@linkcode planFromPolicy}.
 *
 * @module
 */
import { z } from "zod";
import { escapeHtml, htmlTable, textTable } from "./_format.ts";
import { canEvict, createEvictableFile } from "./_evictable_file.ts";
import { attachKeyValueDisplay } from "./_kv_display.ts";
import { getRusage } from "./libc.ts";
import { environment, type ProbeEnvironment } from "./machine.ts";

/** One reference of a plan: the page, whether the policy hits, and the page it evicts first. */
export interface ReplayStep {
  /** The referenced page, 0..pageCount-1. */
  page: number;
  /** True if the page is resident in the simulation when referenced. */
  hit: boolean;
  /** The resident page evicted before this reference (only on a miss with all frames full). */
  evict: number | null;
}

/** A replacement policy's decisions for one reference string, as plain data. */
export interface ReplayPlan {
  /** A label, e.g. `"FIFO"`. */
  name: string;
  /** Number of frames (pages that fit in memory at once). */
  frames: number;
  /** Pages in the address space (at least the largest referenced page + 1). */
  pageCount: number;
  /** One step per reference. */
  steps: ReplayStep[];
  /** Number of steps that miss. */
  misses: number;
}

/**
 * A replacement policy as a function: for a reference string and a frame
 * count, the page evicted before each reference (`null` when none) and the
 * number of misses it counts.
 */
export type VictimPlanner = (
  refs: readonly number[],
  frames: number,
) => { victims: (number | null)[]; misses: number };

const MAX_PAGES = 4096;
const MAX_REFS = 20000;

const RefsSchema = z.array(z.number().int().min(0).max(MAX_PAGES - 1)).min(1).max(MAX_REFS);
const FramesSchema = z.number().int().min(1).max(MAX_PAGES);

const PlanSchema = z.strictObject({
  name: z.string().default("plan"),
  frames: FramesSchema,
  pageCount: z.number().int().min(1).max(MAX_PAGES).optional(),
  steps: z.array(z.strictObject({
    page: z.number().int().min(0).max(MAX_PAGES - 1),
    hit: z.boolean(),
    evict: z.number().int().min(0).max(MAX_PAGES - 1).nullable(),
  })).min(1).max(MAX_REFS),
  misses: z.number().int().min(0).optional(),
});

function parseOrThrow<S extends z.ZodType>(schema: S, what: string, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new TypeError(`Cannot ${what}: ${z.prettifyError(r.error)}`, { cause: r.error });
  }
  return r.data;
}

/**
 * Check a plan: shape (with zod) and consistency (each hit is resident, each
 * miss evicts exactly when all frames are full, and only a resident page).
 *
 * @param plan A plan, e.g. loaded from JSON.
 * @returns The same plan with `pageCount` and `misses` filled in.
 * @throws {TypeError} If a field has the wrong shape.
 * @throws {RangeError} If a step contradicts the frames, naming the step.
 *
 * @example A hit on a page that is not resident is rejected
 * ```ts
 * import { validateReplayPlan } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const plan = { name: "bad", frames: 1, steps: [{ page: 0, hit: true, evict: null }] };
 * assert.throws(() => validateReplayPlan(plan), /step 0 .*page 0 is not resident/);
 * ```
 */
export function validateReplayPlan(plan: unknown): ReplayPlan {
  const p = parseOrThrow(PlanSchema, "replay plan: invalid plan", plan);
  const maxPage = Math.max(...p.steps.map((s) => s.page));
  const pageCount = p.pageCount ?? maxPage + 1;
  if (pageCount <= maxPage) {
    throw new RangeError(
      `Cannot replay plan: pageCount must exceed the largest page ${maxPage}: received ${pageCount}`,
    );
  }
  const resident = new Set<number>();
  let misses = 0;
  p.steps.forEach((s, i) => {
    const at = `Cannot replay plan: step ${i} (page ${s.page})`;
    if (resident.has(s.page)) {
      if (!s.hit) throw new RangeError(`${at}: page ${s.page} is resident, so hit must be true`);
      if (s.evict !== null) {
        throw new RangeError(`${at}: a hit must not evict: received evict ${s.evict}`);
      }
      return;
    }
    if (s.hit) throw new RangeError(`${at}: hit must be false: page ${s.page} is not resident`);
    misses++;
    if (resident.size >= p.frames) {
      if (s.evict === null || !resident.has(s.evict)) {
        throw new RangeError(
          `${at}: all ${p.frames} frames are full, so evict must be a resident page (${
            [...resident].join(", ")
          }): received ${s.evict}`,
        );
      }
      resident.delete(s.evict);
    } else if (s.evict !== null) {
      throw new RangeError(
        `${at}: a free frame remains, so evict must be null: received ${s.evict}`,
      );
    }
    resident.add(s.page);
  });
  if (p.misses !== undefined && p.misses !== misses) {
    throw new RangeError(
      `Cannot replay plan: misses must equal the steps that miss (${misses}): received ${p.misses}`,
    );
  }
  return { name: p.name, frames: p.frames, pageCount, steps: p.steps, misses };
}

/**
 * Build a plan from a reference string and the victim chosen before each reference.
 *
 * @param refs Page numbers referenced, in order.
 * @param frames Number of frames.
 * @param victims For each reference, the page evicted before it, or `null`.
 * @param options A name for the plan and an optional page count.
 * @returns The validated plan, with hits derived from residency.
 * @throws {TypeError} If refs, frames or victims have the wrong shape or length.
 * @throws {RangeError} If a victim is impossible (not resident, or memory not full).
 *
 * @example One frame: every change of page evicts the previous one
 * ```ts
 * import { planFromVictims } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const plan = planFromVictims([0, 0, 1], 1, [null, null, 0]);
 * assert.deepEqual(plan.steps.map((s) => s.hit), [false, true, false]);
 * assert.equal(plan.misses, 2);
 * ```
 */
export function planFromVictims(
  refs: readonly number[],
  frames: number,
  victims: readonly (number | null)[],
  options: { name?: string; pageCount?: number } = {},
): ReplayPlan {
  const r = parseOrThrow(RefsSchema, "build plan: refs", refs);
  const f = parseOrThrow(FramesSchema, "build plan: frames", frames);
  const v = parseOrThrow(
    z.array(z.number().int().min(0).nullable()).length(r.length),
    `build plan: victims must have one entry per reference (${r.length})`,
    victims,
  );
  const resident = new Set<number>();
  const steps: ReplayStep[] = r.map((page, i) => {
    const hit = resident.has(page);
    const evict = v[i];
    if (evict !== null) resident.delete(evict);
    resident.add(page);
    return { page, hit, evict };
  });
  return validateReplayPlan({
    name: options.name ?? "plan",
    frames: f,
    pageCount: options.pageCount,
    steps,
  });
}

/**
 * Build a plan by running a policy function, and check its own miss count.
 *
 * @param refs Page numbers referenced, in order.
 * @param frames Number of frames.
 * @param planner The policy: returns a victim (or null) per reference and its miss count.
 * @param name A label for the plan, e.g. `"LRU"`.
 * @returns The validated plan.
 * @throws {RangeError} If the planner's victims are impossible or its miss count disagrees.
 *
 * @example A FIFO planner
 * ```ts
 * import { planFromPolicy } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const fifo = (refs: readonly number[], frames: number) => {
 *   const queue: number[] = [];
 *   const victims: (number | null)[] = [];
 *   let misses = 0;
 *   for (const p of refs) {
 *     let v: number | null = null;
 *     if (!queue.includes(p)) {
 *       misses++;
 *       if (queue.length === frames) v = queue.shift()!;
 *       queue.push(p);
 *     }
 *     victims.push(v);
 *   }
 *   return { victims, misses };
 * };
 * const refs = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];
 * assert.equal(planFromPolicy(refs, 3, fifo, "FIFO").misses, 9);
 * assert.equal(planFromPolicy(refs, 4, fifo, "FIFO").misses, 10);
 * ```
 */
export function planFromPolicy(
  refs: readonly number[],
  frames: number,
  planner: VictimPlanner,
  name = "policy",
): ReplayPlan {
  if (typeof planner !== "function") {
    throw new TypeError(
      `Cannot build plan: planner must be a function: received ${typeof planner}`,
    );
  }
  const out = planner(refs, frames);
  const plan = planFromVictims(refs, frames, out?.victims, { name });
  if (out.misses !== plan.misses) {
    throw new RangeError(
      `Cannot build plan: ${name} reports ${out.misses} misses but its victims give ${plan.misses}`,
    );
  }
  return plan;
}

/** What happened at one reference of a replay. */
export interface ReplayStepResult {
  /** Position in the reference string. */
  index: number;
  /** The referenced page. */
  page: number;
  /** True if the simulated policy misses here. */
  simulatedMiss: boolean;
  /** The page the plan evicted before this reference, or null. */
  evicted: number | null;
  /** Major faults the kernel counted for this reference (0 or 1 when exact). */
  kernelMajorFaults: number;
}

/** Result of {@linkcode replayOnKernel}. */
export interface KernelReplayResult {
  /** The plan's name. */
  name: string;
  /** Frames in the simulation. */
  frames: number;
  /** Pages in the mapped file. */
  pageCount: number;
  /** Number of references. */
  refCount: number;
  /** Misses in the simulated plan. */
  simulatedMisses: number;
  /** Major faults the kernel counted over all references. */
  kernelMajorFaults: number;
  /** True if every reference faulted exactly when the plan missed. */
  match: boolean;
  /** Indices of references where the kernel disagreed with the plan. */
  mismatchedSteps: number[];
  /** Per-reference record, for charting simulated against real. */
  steps: ReplayStepResult[];
  /** Pages that stayed in the page cache despite being evicted (0 when exact). */
  evictionFailures: number;
  /** Evictions that needed more than one attempt before mincore showed the page gone. */
  evictionRetries: number;
  /** Filesystem of the temporary file. */
  fsType: string | null;
  /** True if every eviction was confirmed by mincore, so counts can be compared exactly. */
  exact: boolean;
  /** A sentence on how to read the result. */
  note: string;
  /** Wall time of the replay in milliseconds. */
  elapsedMs: number;
  /** Kernel release (`Deno.osRelease()`). */
  kernelRelease: string;
  /** Where and when this was measured. */
  environment: ProbeEnvironment;
}

const ReplayOptionsSchema = z.strictObject({ dir: z.string().min(1).optional() });

/**
 * Replay a plan on the real kernel and count its major faults reference by reference.
 *
 * @param plan A plan from {@linkcode planFromPolicy}, {@linkcode planFromVictims} or plain data.
 * @param options Optional parent directory for the temporary file (must be disk-backed).
 * @returns Simulated misses, kernel major faults, and a per-reference record.
 * @throws {TypeError} If the plan or options have the wrong shape.
 * @throws {RangeError} If the plan is inconsistent.
 *
 * @example Three pages, one frame
 * ```ts
 * import { planFromVictims, replayOnKernel } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const plan = planFromVictims([0, 1, 1, 0], 1, [null, 0, null, 1]);
 * const r = replayOnKernel(plan);
 * assert.equal(r.simulatedMisses, 3);
 * if (r.exact) assert.equal(r.kernelMajorFaults, 3);
 * ```
 */
export function replayOnKernel(
  plan: ReplayPlan,
  options: { dir?: string } = {},
): KernelReplayResult {
  const p = validateReplayPlan(plan);
  const { dir } = parseOrThrow(ReplayOptionsSchema, "replay plan: invalid options", options);
  const started = performance.now();
  const file = createEvictableFile(p.pageCount, dir);
  try {
    const left = file.evictAll();
    let evictionFailures = left;
    let evictionRetries = 0;
    const steps: ReplayStepResult[] = [];
    const mismatchedSteps: number[] = [];
    let kernelMajorFaults = 0;
    for (let i = 0; i < p.steps.length; i++) {
      const s = p.steps[i];
      if (s.evict !== null) {
        const attempts = file.evictPage(s.evict);
        if (attempts === 0) evictionFailures++;
        else if (attempts > 1) evictionRetries++;
      }
      const before = getRusage("thread").majorFaults;
      file.touch(s.page);
      const faults = getRusage("thread").majorFaults - before;
      kernelMajorFaults += faults;
      if (faults !== (s.hit ? 0 : 1)) mismatchedSteps.push(i);
      steps.push({
        index: i,
        page: s.page,
        simulatedMiss: !s.hit,
        evicted: s.evict,
        kernelMajorFaults: faults,
      });
    }
    const exact = canEvict(file.fsType) && evictionFailures === 0;
    const match = mismatchedSteps.length === 0;
    const note = !exact
      ? `Pages could not all be dropped from memory (filesystem ${file.fsType}, ${evictionFailures} failed evictions): the kernel counts are not an exact replay`
      : match
      ? `The kernel took one major fault exactly where ${p.name} missed`
      : `${mismatchedSteps.length} references disagreed (another process may have touched the file or memory was reclaimed)`;
    const result: KernelReplayResult = {
      name: p.name,
      frames: p.frames,
      pageCount: p.pageCount,
      refCount: p.steps.length,
      simulatedMisses: p.misses,
      kernelMajorFaults,
      match,
      mismatchedSteps,
      steps,
      evictionFailures,
      evictionRetries,
      fsType: file.fsType,
      exact,
      note,
      elapsedMs: performance.now() - started,
      kernelRelease: Deno.osRelease(),
      environment: environment(),
    };
    return attachKeyValueDisplay(
      result,
      `${p.name} with ${p.frames} frames on the real kernel`,
      () => [
        ["references", String(result.refCount)],
        ["simulated misses", String(result.simulatedMisses)],
        ["kernel major faults", String(result.kernelMajorFaults)],
        ["match", result.match ? "yes" : `no (${mismatchedSteps.length} steps)`],
        ["filesystem", String(result.fsType)],
        ["exact", result.exact ? "yes" : "no"],
        ["note", result.note],
      ],
      () => stepTable(steps),
    );
  } finally {
    file.close();
  }
}

function stepTable(steps: readonly ReplayStepResult[]): { html: string; text: string } {
  const shown = steps.slice(0, 40);
  const rows = shown.map((s) => [
    String(s.index),
    String(s.page),
    s.evicted === null ? "" : String(s.evicted),
    s.simulatedMiss ? "miss" : "hit",
    String(s.kernelMajorFaults),
  ]);
  const headers = ["ref", "page", "evicted first", "simulated", "kernel major faults"];
  const more = steps.length > shown.length ? `(first ${shown.length} of ${steps.length})` : "";
  return {
    html: `<details><summary>per reference ${escapeHtml(more)}</summary>${
      htmlTable(headers, rows.map((r) => r.map(escapeHtml)))
    }</details>`,
    text: textTable(headers, rows) + (more ? `\n${more}` : ""),
  };
}

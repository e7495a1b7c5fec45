/**
 * The bridge between the paging simulator and the real kernel: run a
 * {@linkcode PagePolicy} from `lib/vm` (built-in or written by a student)
 * over a reference string, and turn its eviction decisions into a
 * {@linkcode ReplayPlan} that {@linkcode replayOnKernel} can follow.
 *
 * The probe imports the simulator only to compare with it: the plan is the
 * simulator's output, the kernel's major faults are the measurement.
 *
 * @module
 */
import { z } from "zod";
import { type PagePolicy, simulatePaging } from "../vm/mod.ts";
import { planFromVictims, type ReplayPlan } from "./kernel_replay.ts";

/** Options of {@linkcode planFromPagePolicy}. */
export interface PagePolicyPlanOptions {
  /** Page numbers referenced, in order (each 0..4095, at most 20,000 references). */
  references: readonly number[];
  /** Number of frames the policy manages. */
  frames: number;
  /** A policy name (`"fifo"`, `"lru"`, `"opt"`, `"clock"`, ...) or a {@linkcode PagePolicy} object. */
  policy: string | PagePolicy;
  /** Seed for RAND and CLOCK (default 0, as in the simulator). */
  seed?: number;
}

const OptionsSchema = z.object({
  references: z.array(z.number()).min(1, "references must not be empty"),
  frames: z.number().int().min(1, "frames must be at least 1"),
  policy: z.custom<string | PagePolicy>(
    (v) => typeof v === "string" || (typeof v === "object" && v !== null),
    { message: "policy must be a name or a PagePolicy object" },
  ),
  seed: z.number().int().optional(),
});

/**
 * Simulate a replacement policy and turn its decisions into a kernel-replay plan.
 *
 * @param options The reference string, the frame count, the policy (name or
 *   object) and an optional seed for the random policies.
 * @returns A validated {@linkcode ReplayPlan} whose misses equal the simulator's.
 * @throws {TypeError} If an option has the wrong shape, or a page number is
 *   outside the replay's range (0..4095).
 * @throws {RangeError} If the policy is unknown or returns a page that is not resident.
 *
 * @example FIFO's anomaly, as plans the kernel can follow
 * ```ts
 * import { planFromPagePolicy } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const references = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];
 * assert.equal(planFromPagePolicy({ references, frames: 3, policy: "fifo" }).misses, 9);
 * const plan = planFromPagePolicy({ references, frames: 4, policy: "fifo" });
 * assert.equal(plan.name, "FIFO");
 * assert.equal(plan.misses, 10);
 * assert.equal(plan.steps[6].evict, 1); // page 5 pushes out page 1, the first one in
 * ```
 */
export function planFromPagePolicy(options: PagePolicyPlanOptions): ReplayPlan {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new TypeError(`Cannot build plan from policy: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const { references, frames, policy, seed } = parsed.data;
  const sim = simulatePaging({ references, frames, policy, seed, steps: true });
  const victims = sim.steps!.map((s) => s.victim);
  const plan = planFromVictims(references, frames, victims, { name: sim.policy });
  if (plan.misses !== sim.misses) {
    throw new RangeError(
      `Cannot build plan from policy: ${sim.policy}'s plan must miss as often as its simulation (${sim.misses}): received ${plan.misses}`,
    );
  }
  return plan;
}

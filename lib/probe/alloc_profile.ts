/**
 * An allocation profile of a small program, from V8's sampling heap
 * profiler, as folded stacks ready for a flame (icicle) chart.
 *
 * {@linkcode profileAllocations} runs a word-counting program (make lines
 * of text, split them into words, count the words in a map, sort, format a
 * report) in a fresh child Deno process. Before the program starts, the
 * child asks V8's inspector (`HeapProfiler.startSampling`, through
 * `node:inspector`) to sample allocations: V8 picks about one allocation
 * per `samplingIntervalBytes` bytes at random, records the call stack that
 * made it, and credits that stack with the interval's worth of bytes. With
 * `includeObjectsCollectedByMajorGC` and `...MinorGC` set, objects already
 * collected stay in the profile, so it shows everything allocated, not only
 * what is still alive. {@linkcode foldHeapProfile} turns V8's call tree
 * into one line per stack (`main;countWords;tokenize 123456`).
 *
 * Sampled, so approximate: a function that allocates much less than the
 * interval may be missed, and each run differs a little. The child is
 * killed after {@linkcode ALLOC_PROFILE_TIMEOUT_MS} and always awaited.
 *
 * @module
 */
import { z } from "zod";
import { environment, type ProbeEnvironment } from "./machine.ts";
import { runDenoChild } from "./_run_child.ts";

/** The child of {@linkcode profileAllocations} is killed after this long. */
export const ALLOC_PROFILE_TIMEOUT_MS = 20_000;
/** The most lines of text the profiled program makes. */
export const ALLOC_PROFILE_MAX_LINES = 200_000;

/** A node of V8's sampling heap profile (`HeapProfiler.SamplingHeapProfileNode`). */
export interface HeapProfileNode {
  callFrame: { functionName: string; url?: string; lineNumber?: number };
  /** Bytes of the samples taken in this frame itself. */
  selfSize: number;
  children: HeapProfileNode[];
}

/** Bytes allocated under one call stack (outermost frame first). */
export interface FoldedStack {
  stack: string[];
  bytes: number;
}

/**
 * Fold V8's sampling heap profile into one entry per call stack with the
 * bytes allocated in its innermost frame. The `(root)` frame is dropped,
 * an unnamed function is `(anonymous)`, and stacks with no bytes are left out.
 *
 * @param head The profile's root node.
 * @param options `skipUntil`: drop every frame above the first frame of this name (e.g. `"main"`).
 * @returns The stacks, largest first.
 *
 * @example A tiny profile
 * ```ts
 * import { foldHeapProfile } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const node = (functionName: string, selfSize: number, children: unknown[] = []) =>
 *   ({ callFrame: { functionName }, selfSize, children });
 * const head = node("(root)", 0, [node("", 10, [node("main", 0, [node("load", 300), node("parse", 100)])])]);
 * assert.deepEqual(foldHeapProfile(head as never), [
 *   { stack: ["(anonymous)", "main", "load"], bytes: 300 },
 *   { stack: ["(anonymous)", "main", "parse"], bytes: 100 },
 *   { stack: ["(anonymous)"], bytes: 10 },
 * ]);
 * assert.deepEqual(foldHeapProfile(head as never, { skipUntil: "main" })[0].stack, ["main", "load"]);
 * ```
 */
export function foldHeapProfile(
  head: HeapProfileNode,
  options: { skipUntil?: string } = {},
): FoldedStack[] {
  const sums = new Map<string, FoldedStack>();
  const walk = (n: HeapProfileNode, path: string[]) => {
    const name = n.callFrame.functionName || "(anonymous)";
    const here = name === "(root)" ? path : [...path, name];
    if (n.selfSize > 0 && here.length > 0) {
      let stack = here;
      if (options.skipUntil !== undefined) {
        const at = here.indexOf(options.skipUntil);
        stack = at < 0 ? [] : here.slice(at);
      }
      if (stack.length > 0) {
        const key = stack.join(";");
        const e = sums.get(key) ?? { stack, bytes: 0 };
        e.bytes += n.selfSize;
        sums.set(key, e);
      }
    }
    for (const c of n.children ?? []) walk(c, here);
  };
  walk(head, []);
  return [...sums.values()].sort((a, b) => b.bytes - a.bytes);
}

/** The result of {@linkcode profileAllocations}. */
export interface AllocationProfile {
  /** Lines of text the program made, and the sampling interval. */
  lines: number;
  samplingIntervalBytes: number;
  /** The stacks from `main` down, largest first. */
  stacks: FoldedStack[];
  /** Sum of the stacks' bytes (sampled estimate of what `main` allocated). */
  totalBytes: number;
  /** The program's answer (the report's length), to show that it ran. */
  answer: number;
  environment: ProbeEnvironment;
}

const ProfileOptions = z.strictObject({
  lines: z.number().int().min(100).max(ALLOC_PROFILE_MAX_LINES).default(20_000),
  samplingIntervalBytes: z.number().int().min(128).max(1 << 20).default(4096),
});

/**
 * Profile the allocations of a small word-counting program in a child process.
 *
 * @param options `lines` of text it makes (100 to 200,000, default 20,000)
 *   and `samplingIntervalBytes` (128 to 1 MiB, default 4,096).
 * @returns The folded stacks from `main` down, with the environment.
 * @throws {TypeError} For a bad option, naming it.
 * @throws {Error} If the child fails.
 *
 * @example Every stack starts at main
 * ```ts
 * import { profileAllocations } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const p = await profileAllocations({ lines: 2000 });
 * assert.ok(p.stacks.length > 0 && p.stacks.every((s) => s.stack[0] === "main"));
 * ```
 */
export async function profileAllocations(
  options: { lines?: number; samplingIntervalBytes?: number } = {},
): Promise<AllocationProfile> {
  const parsed = ProfileOptions.safeParse(options);
  if (!parsed.success) {
    throw new TypeError(`Cannot profile allocations: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const o = parsed.data;
  const child = new URL("./_alloc_profile_child.ts", import.meta.url).pathname;
  const out = await runDenoChild(
    [
      "run",
      "--quiet",
      "--no-check",
      "--allow-sys",
      "--v8-flags=--max-old-space-size=512",
      child,
      String(o.lines),
      String(o.samplingIntervalBytes),
    ],
    ALLOC_PROFILE_TIMEOUT_MS,
  );
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
    throw new Error(
      `Cannot profile allocations: the child process failed (${out.signal ?? out.code}): ${err}`,
    );
  }
  const { answer, profile } = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    answer: number;
    profile: { head: HeapProfileNode };
  };
  const stacks = foldHeapProfile(profile.head, { skipUntil: "main" });
  return {
    lines: o.lines,
    samplingIntervalBytes: o.samplingIntervalBytes,
    stacks,
    totalBytes: stacks.reduce((s, x) => s + x.bytes, 0),
    answer,
    environment: environment(),
  };
}

/**
 * Three design principles for programs that use memory well, each measured
 * on the real V8 of this machine.
 *
 * - {@linkcode measureBufferReuse}: fill `items` records of `recordBytes`
 *   bytes, either into a new `Uint8Array` per record or into one buffer
 *   reused for all. V8's own counter of bytes allocated
 *   (`total_allocated_bytes`) gives the allocations, `--trace-gc` gives every
 *   collection it ran, and the clock gives the time.
 * - {@linkcode measureLaziness}: the same pipeline over a million records
 *   (make, filter, map, sum), once with arrays built stage by stage (eager)
 *   and once with generators that pass one record at a time (lazy). The
 *   heap's used bytes are sampled every 8,192 records and at each stage's
 *   end; the peak over the start is what the pipeline needed at once. The
 *   kernel's peak resident set (`VmHWM`) is reported beside it.
 * - {@linkcode measureVersions}: keep N versions of a list of `items`
 *   numbers, each one element different from the one before, as defensive
 *   copies (`slice()` then write) or as {@linkcode PersistentVector} updates
 *   (structural sharing). After a forced collection at each checkpoint, the
 *   heap's used bytes over the start are what the versions hold; the time
 *   per update is the mean over all N.
 *
 * Every variant runs in its own fresh child Deno process (`--expose-gc`,
 * `--trace-gc`, a capped heap), so one variant's garbage and warmed-up code
 * cannot bias the other, and a forgotten reference in the notebook cannot
 * hide a peak. A child that runs past {@linkcode DESIGN_CHILD_TIMEOUT_MS} is
 * killed; every child is awaited (reaped) before a function returns.
 * Collections are counted in the child's whole run, minus those of a child
 * that runs no work (start-up's own collections and the one forced
 * collection before the measured loop).
 *
 * Times are wall-clock on a machine that may be busy: compare variants by
 * ratio, not by absolute value.
 *
 * @module
 */
import { z } from "zod";
import { formatBytes } from "./_format.ts";
import { attachKeyValueDisplay } from "./_kv_display.ts";
import { environment, type ProbeEnvironment } from "./machine.ts";
import { parseTraceGcLine } from "./v8_heap.ts";
import { runDenoChild } from "./_run_child.ts";

/** A design child is killed after this long. */
export const DESIGN_CHILD_TIMEOUT_MS = 20_000;
/** The old generation of a design child is capped at this many MiB. */
export const DESIGN_CHILD_HEAP_MIB = 512;
/** The most records {@linkcode measureBufferReuse} and {@linkcode measureLaziness} process. */
export const DESIGN_MAX_ITEMS = 2_000_000;
/** The most versions {@linkcode measureVersions} keeps. */
export const DESIGN_MAX_VERSIONS = 5_000;
/** The longest list {@linkcode measureVersions} versions. */
export const DESIGN_MAX_LIST_ITEMS = 100_000;

interface ChildRun {
  result: Record<string, unknown>;
  collections: { minor: number; major: number };
}

async function runChild(args: Record<string, unknown>): Promise<ChildRun> {
  const child = new URL("./_design_child.ts", import.meta.url).pathname;
  const out = await runDenoChild(
    [
      "run",
      "--quiet",
      "--no-check",
      "-A", // /proc/self/status needs -A (a narrow --allow-read is refused for /proc)
      `--v8-flags=--expose-gc,--trace-gc,--max-old-space-size=${DESIGN_CHILD_HEAP_MIB}`,
      child,
      JSON.stringify(args),
    ],
    DESIGN_CHILD_TIMEOUT_MS,
  );
  const stderr = new TextDecoder().decode(out.stderr);
  const line = stderr.split("\n").find((l) => l.startsWith("RESULT "));
  if (!out.success || !line) {
    // Name the bound the child hit, so that a Try it pushed too far says what to lower.
    const why = out.signal === "SIGKILL"
      ? `was stopped at its time limit of ${DESIGN_CHILD_TIMEOUT_MS / 1000} s`
      : /out of memory|heap limit/i.test(stderr)
      ? `ran out of its ${DESIGN_CHILD_HEAP_MIB} MiB heap`
      : `failed (${out.signal ?? out.code})`;
    throw new Error(
      `Cannot measure ${args.experiment} (${args.variant}): the child process ${why}: ${
        stderr.trim().split("\n").slice(-3).join(" | ")
      }`,
    );
  }
  const collections = { minor: 0, major: 0 };
  for (const l of new TextDecoder().decode(out.stdout).split("\n")) {
    const e = parseTraceGcLine(l);
    if (e) collections[e.kind]++;
  }
  return { result: JSON.parse(line.slice(7)), collections };
}

function parse<S extends z.ZodType>(schema: S, what: string, options: unknown): z.output<S> {
  const r = schema.safeParse(options);
  if (!r.success) {
    throw new TypeError(`Cannot ${what}: ${z.prettifyError(r.error)}`, { cause: r.error });
  }
  return r.data;
}

/** One variant of {@linkcode measureBufferReuse}. */
export interface BufferReuseVariant {
  /** `"per-item"` (a new buffer per record) or `"reused"` (one buffer). */
  variant: "per-item" | "reused";
  /** Bytes V8 allocated on its heap during the loop (its own counter). */
  allocatedBytes: number;
  /** Collections V8 ran, beyond those of a child doing no work. */
  minorCollections: number;
  majorCollections: number;
  /** Wall time of the loop, ms. */
  ms: number;
}

/** The result of {@linkcode measureBufferReuse}. */
export interface BufferReuseResult {
  items: number;
  recordBytes: number;
  /** Per-item first, reused second. */
  variants: [BufferReuseVariant, BufferReuseVariant];
  /** Collections of a child that does no work (subtracted above). */
  startupCollections: number;
  environment: ProbeEnvironment;
}

const ReuseOptions = z.strictObject({
  items: z.number().int().min(1000).max(DESIGN_MAX_ITEMS).default(200_000),
  recordBytes: z.number().int().min(8).max(4096).default(64),
});

/**
 * Fill records into a new buffer each, or into one reused buffer, in two
 * fresh child processes: allocations, collections and time of each.
 *
 * @param options `items` (1,000 to 2,000,000, default 200,000) and
 *   `recordBytes` (8 to 4,096, default 64).
 * @returns Both variants, with the environment.
 * @throws {TypeError} For a bad option, naming it.
 * @throws {Error} If a child fails.
 *
 * @example A reused buffer allocates almost nothing
 * ```ts
 * import { measureBufferReuse } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await measureBufferReuse({ items: 100_000 });
 * const [perItem, reused] = r.variants;
 * assert.ok(perItem.allocatedBytes > 3 * reused.allocatedBytes);
 * ```
 */
export async function measureBufferReuse(
  options: { items?: number; recordBytes?: number } = {},
): Promise<BufferReuseResult> {
  const o = parse(ReuseOptions, "measure buffer reuse", options);
  const idle = await runChild({ experiment: "idle", variant: "none", items: 0 });
  const startup = idle.collections.minor + idle.collections.major;
  const variants = [] as unknown as [BufferReuseVariant, BufferReuseVariant];
  for (const variant of ["per-item", "reused"] as const) {
    const run = await runChild({ experiment: "reuse", variant, ...o });
    variants.push({
      variant,
      allocatedBytes: Number(run.result.allocatedBytes),
      minorCollections: Math.max(0, run.collections.minor - idle.collections.minor),
      majorCollections: Math.max(0, run.collections.major - idle.collections.major),
      ms: Number(run.result.ms),
    });
  }
  const result: BufferReuseResult = {
    items: o.items,
    recordBytes: o.recordBytes,
    variants,
    startupCollections: startup,
    environment: environment(),
  };
  return attachKeyValueDisplay(
    result,
    `${o.items.toLocaleString("en")} records of ${o.recordBytes} B`,
    () =>
      variants.map((v) => [
        v.variant === "per-item" ? "a new buffer per record" : "one reused buffer",
        `${
          formatBytes(v.allocatedBytes)
        } allocated, ${v.minorCollections} minor + ${v.majorCollections} major collections, ${
          v.ms.toFixed(1)
        } ms`,
      ]),
  );
}

/** One variant of {@linkcode measureLaziness}. */
export interface LazinessVariant {
  variant: "eager" | "lazy";
  /** Peak heap used over the heap at the start, bytes (sampled every 8,192 records and at each stage's end). */
  peakHeapBytes: number;
  /** The child's resident set before the pipeline, and its peak (`VmHWM`) at the end, bytes (null if unreadable). */
  rssBeforeBytes: number | null;
  peakRssBytes: number | null;
  /** Wall time, ms. */
  ms: number;
  /** The pipeline's answer (both variants must agree). */
  total: number;
}

/** The result of {@linkcode measureLaziness}. */
export interface LazinessResult {
  items: number;
  /** Eager first, lazy second. */
  variants: [LazinessVariant, LazinessVariant];
  environment: ProbeEnvironment;
}

const LazyOptions = z.strictObject({
  items: z.number().int().min(1000).max(DESIGN_MAX_ITEMS).default(1_000_000),
});

/**
 * Run the same pipeline eagerly (an array per stage) and lazily (generators)
 * in two fresh child processes, and measure the peak heap of each.
 *
 * @param options `items` (1,000 to 2,000,000, default 1,000,000).
 * @returns Both variants, with the environment.
 * @throws {TypeError} For a bad option, naming it.
 * @throws {Error} If a child fails, or the two variants disagree on the answer.
 *
 * @example Lazy needs a fraction of the heap
 * ```ts
 * import { measureLaziness } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await measureLaziness({ items: 200_000 });
 * const [eager, lazy] = r.variants;
 * assert.equal(eager.total, lazy.total);
 * assert.ok(eager.peakHeapBytes > 5 * lazy.peakHeapBytes);
 * ```
 */
export async function measureLaziness(
  options: { items?: number } = {},
): Promise<LazinessResult> {
  const o = parse(LazyOptions, "measure laziness", options);
  const variants = [] as unknown as [LazinessVariant, LazinessVariant];
  for (const variant of ["eager", "lazy"] as const) {
    const { result: r } = await runChild({ experiment: "lazy", variant, items: o.items });
    variants.push({
      variant,
      peakHeapBytes: Number(r.peakHeapBytes),
      rssBeforeBytes: r.rssBeforeBytes === null ? null : Number(r.rssBeforeBytes),
      peakRssBytes: r.peakRssBytes === null ? null : Number(r.peakRssBytes),
      ms: Number(r.ms),
      total: Number(r.total),
    });
  }
  if (variants[0].total !== variants[1].total) {
    throw new Error(
      `Cannot measure laziness: eager and lazy disagree: ${variants[0].total} vs ${
        variants[1].total
      }`,
    );
  }
  const result: LazinessResult = { items: o.items, variants, environment: environment() };
  return attachKeyValueDisplay(
    result,
    `A pipeline over ${o.items.toLocaleString("en")} records`,
    () =>
      variants.map((v) => [
        v.variant === "eager" ? "eager (arrays)" : "lazy (generators)",
        `peak heap +${formatBytes(v.peakHeapBytes)}, ${v.ms.toFixed(0)} ms`,
      ]),
  );
}

/** One variant of {@linkcode measureVersions}. */
export interface VersionsVariant {
  variant: "copies" | "persistent";
  /** Heap bytes held by all versions so far, after a forced collection, per checkpoint. */
  points: { versions: number; retainedBytes: number }[];
  /** Mean time of one update (copy and write, or `set`), ns, including any collection it set off. */
  updateNs: number;
}

/** The result of {@linkcode measureVersions}. */
export interface VersionsResult {
  items: number;
  /** Copies first, persistent second. */
  variants: [VersionsVariant, VersionsVariant];
  environment: ProbeEnvironment;
}

const VersionsOptions = z.strictObject({
  items: z.number().int().min(32).max(DESIGN_MAX_LIST_ITEMS).default(10_000),
  checkpoints: z.array(z.number().int().min(1).max(DESIGN_MAX_VERSIONS)).min(1).max(20)
    .refine((xs) => xs.every((x, i) => i === 0 || x > xs[i - 1]), "must be increasing")
    .default([1, 10, 100, 1000]),
});

/**
 * Keep N versions of a list, each one element different from the last, as
 * defensive copies or as persistent-vector updates (two fresh child
 * processes): the heap they hold at each checkpoint and the time per update.
 *
 * @param options `items` (32 to 100,000, default 10,000) and `checkpoints`
 *   (increasing version counts, at most 5,000, default 1, 10, 100, 1,000).
 * @returns Both variants, with the environment.
 * @throws {TypeError} For a bad option, naming it.
 * @throws {Error} If a child fails.
 *
 * @example Sharing holds less than copying
 * ```ts
 * import { measureVersions } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await measureVersions({ items: 10_000, checkpoints: [100] });
 * const [copies, persistent] = r.variants;
 * assert.ok(copies.points[0].retainedBytes > 5 * persistent.points[0].retainedBytes);
 * ```
 */
export async function measureVersions(
  options: { items?: number; checkpoints?: number[] } = {},
): Promise<VersionsResult> {
  const o = parse(VersionsOptions, "measure versions", options);
  const variants = [] as unknown as [VersionsVariant, VersionsVariant];
  for (const variant of ["copies", "persistent"] as const) {
    const { result: r } = await runChild({ experiment: "copies", variant, ...o });
    variants.push({
      variant,
      points: r.points as VersionsVariant["points"],
      updateNs: Number(r.updateNs),
    });
  }
  const result: VersionsResult = { items: o.items, variants, environment: environment() };
  const last = (v: VersionsVariant) => v.points[v.points.length - 1];
  return attachKeyValueDisplay(
    result,
    `Versions of a list of ${o.items.toLocaleString("en")} numbers`,
    () =>
      variants.map((v) => [
        v.variant === "copies" ? "defensive copies" : "persistent vector",
        `${last(v).versions} versions hold ${formatBytes(last(v).retainedBytes)}; ${
          v.updateNs.toFixed(0)
        } ns per update`,
      ]),
  );
}

const fold = (a: number, b: number) => {
  if (b <= 0) return a > 0 ? "far more than" : "as much as";
  const r = a / b;
  return r >= 1.5
    ? `${r >= 10 ? r.toFixed(0) : r.toFixed(1)} times`
    : r > 1 / 1.5
    ? "about as much as"
    : "less than";
};

/**
 * A sentence on what {@linkcode measureBufferReuse} found on this machine,
 * written from the numbers (it names whichever way each comparison went).
 *
 * @param result A buffer-reuse result (live or recorded).
 * @returns Markdown text.
 *
 * @example Fewer collections, less time
 * ```ts
 * import { describeBufferReuse } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const v = (variant: string, allocatedBytes: number, minor: number, ms: number) =>
 *   ({ variant, allocatedBytes, minorCollections: minor, majorCollections: 0, ms });
 * const text = describeBufferReuse({ items: 1000, recordBytes: 64, startupCollections: 0,
 *   variants: [v("per-item", 4e7, 38, 600), v("reused", 3e6, 0, 100)] } as never);
 * assert.match(text, /allocated 13 times the bytes/);
 * assert.match(text, /38 collections for it and 0 for the reused buffer/);
 * assert.match(text, /6\.0 times as long/);
 * ```
 */
export function describeBufferReuse(result: BufferReuseResult): string {
  const [per, re] = result.variants;
  const cPer = per.minorCollections + per.majorCollections;
  const cRe = re.minorCollections + re.majorCollections;
  const timing = per.ms > re.ms * 1.2
    ? `took ${fold(per.ms, re.ms)} as long (${per.ms.toFixed(0)} ms against ${re.ms.toFixed(0)} ms)`
    : `took about as long or less this time (${per.ms.toFixed(0)} ms against ${
      re.ms.toFixed(0)
    } ms: a busy machine can hide the difference; rerun to see it)`;
  const collections = cPer > cRe
    ? `V8 ran ${cPer} collections for it and ${cRe} for the reused buffer`
    : `V8 ran ${cPer} collections for it and ${cRe} for the reused buffer, so the garbage fitted in the nursery without extra work this time`;
  return `On this machine, a new buffer for each of the ${
    result.items.toLocaleString("en")
  } records allocated ${fold(per.allocatedBytes, re.allocatedBytes)} the bytes of the reused one (${
    formatBytes(per.allocatedBytes)
  } against ${formatBytes(re.allocatedBytes)}); ${collections}; and the loop ${timing}.`;
}

/**
 * A sentence on what {@linkcode measureLaziness} found, from the numbers.
 *
 * @param result A laziness result (live or recorded).
 * @returns Markdown text.
 *
 * @example Eager peaks higher
 * ```ts
 * import { describeLaziness } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const v = (variant: string, peakHeapBytes: number, ms: number) =>
 *   ({ variant, peakHeapBytes, rssBeforeBytes: null, peakRssBytes: null, ms, total: 7 });
 * const text = describeLaziness({ items: 1e6, variants: [v("eager", 6.2e7, 900), v("lazy", 1.1e6, 400)] } as never);
 * assert.match(text, /peaked 56 times as high/);
 * assert.match(text, /lazy one was faster/);
 * ```
 */
export function describeLaziness(result: LazinessResult): string {
  const [eager, lazy] = result.variants;
  const peak = eager.peakHeapBytes > lazy.peakHeapBytes * 1.5
    ? `peaked ${fold(eager.peakHeapBytes, lazy.peakHeapBytes).replace("times", "times as high")}`
    : "peaked about as high";
  const speed = lazy.ms < eager.ms
    ? "the lazy one was faster too, since it never built and walked the intermediate arrays"
    : "the lazy one was slower here: each record pays for a generator step per stage, which an array loop does not";
  return `On this machine the eager pipeline's heap ${peak} as the lazy one's (${
    formatBytes(eager.peakHeapBytes)
  } against ${formatBytes(lazy.peakHeapBytes)} over the start); ${speed} (${
    eager.ms.toFixed(0)
  } ms against ${lazy.ms.toFixed(0)} ms). Both computed the same total, ${lazy.total}.`;
}

/**
 * A sentence on what {@linkcode measureVersions} found, from the numbers.
 *
 * @param result A versions result (live or recorded).
 * @returns Markdown text.
 *
 * @example Copies hold more, and are slower to make
 * ```ts
 * import { describeVersions } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const text = describeVersions({ items: 10000, variants: [
 *   { variant: "copies", updateNs: 50000, points: [{ versions: 1000, retainedBytes: 8e7 }] },
 *   { variant: "persistent", updateNs: 2000, points: [{ versions: 1000, retainedBytes: 1e6 }] },
 * ] } as never);
 * assert.match(text, /1000 versions kept as defensive copies held 80 times the heap/);
 * assert.match(text, /25 times as long/);
 * ```
 */
export function describeVersions(result: VersionsResult): string {
  const [copies, pers] = result.variants;
  const c = copies.points[copies.points.length - 1];
  const p = pers.points[pers.points.length - 1];
  const speed = copies.updateNs > pers.updateNs * 1.2
    ? `a defensive copy took ${fold(copies.updateNs, pers.updateNs)} as long as a shared update`
    : `a defensive copy was about as fast as a shared update or faster (copying is cheap for a short list, and a busy machine can hide the difference)`;
  return `On this machine, ${c.versions} versions kept as defensive copies held ${
    fold(c.retainedBytes, p.retainedBytes)
  } the heap of the same versions in a persistent vector (${formatBytes(c.retainedBytes)} against ${
    formatBytes(p.retainedBytes)
  }), and ${speed} (${copies.updateNs.toFixed(0)} ns against ${pers.updateNs.toFixed(0)} ns).`;
}

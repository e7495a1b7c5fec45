/**
 * V8's real garbage collector, observed from inside and from a child process.
 *
 * - {@linkcode sampleV8Heap}: the heap's used and committed bytes, space by
 *   space (new space is the nursery, old space the old generation), and V8's
 *   running count of bytes ever allocated, from `node:v8`.
 * - {@linkcode measureV8Collection}: force a full collection with `gc()`
 *   after allocating known numbers of surviving and garbage objects, and
 *   compare the heap before and after, with the pause it took.
 * - {@linkcode observeWeakRefs}: objects held only through a `WeakRef` or
 *   registered with a `FinalizationRegistry`, before and after a collection.
 * - {@linkcode measureGcPauses}: a child Deno process runs an allocation loop
 *   under `--trace-gc`, and V8 itself reports each collection: its kind
 *   (scavenge of the nursery, or mark-compact of the whole heap), the heap
 *   before and after, and the pause. {@linkcode parseTraceGcLine} reads one
 *   such line.
 *
 * Forcing a collection needs V8's `gc()`, which exists only when V8 starts
 * with `--expose-gc` (the course's Jupyter kernel does, through
 * `DENO_V8_FLAGS`; from a terminal: `deno run --v8-flags=--expose-gc`). The
 * functions that need it say so with a clear error when it is missing.
 * Everything is bounded: a few megabytes in this process, a capped heap and
 * a time limit in the child.
 *
 * @module
 */
import v8 from "node:v8";
import { z } from "zod";
import { formatBytes } from "./_format.ts";
import { attachKeyValueDisplay } from "./_kv_display.ts";
import { environment, type ProbeEnvironment } from "./machine.ts";

/** The most objects {@linkcode measureV8Collection} allocates (about 60 bytes each). */
export const V8_MAX_PROBE_OBJECTS = 2_000_000;
/** The child of {@linkcode measureGcPauses} runs at most this long. */
export const V8_MAX_PAUSE_PROBE_MS = 10_000;
/** The child's old generation is capped at this many MiB. */
const CHILD_HEAP_MIB = 256;

/**
 * True if V8's `gc()` is available (V8 started with `--expose-gc`).
 *
 * @returns Whether collections can be forced.
 *
 * @example Either way, a boolean
 * ```ts
 * import { v8GcAvailable } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(typeof v8GcAvailable(), "boolean");
 * ```
 */
export function v8GcAvailable(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === "function";
}

/**
 * V8's `gc()`, or a clear error saying how to get it.
 *
 * @param what What needs it, for the message (e.g. `"detectLeak"`).
 * @returns A function that runs a full, blocking collection.
 * @throws {Error} When V8 did not start with `--expose-gc`.
 *
 * @example The message says what to do
 * ```ts
 * import { requireV8Gc, v8GcAvailable } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * if (v8GcAvailable()) assert.equal(typeof requireV8Gc("a demo"), "function");
 * else assert.throws(() => requireV8Gc("a demo"), /a demo needs V8's gc\(\).*--expose-gc/);
 * ```
 */
export function requireV8Gc(what: string): () => void {
  const gc = (globalThis as { gc?: unknown }).gc;
  if (typeof gc !== "function") {
    throw new Error(
      `${what} needs V8's gc(), which exists only when V8 starts with --expose-gc: run deno with --v8-flags=--expose-gc, or set DENO_V8_FLAGS=--expose-gc (the course's Jupyter kernel does)`,
    );
  }
  return gc as () => void;
}

/** One heap space, as `v8.getHeapSpaceStatistics()` reports it. */
export interface V8SpaceSample {
  /** V8's name: `new_space` (the nursery), `old_space`, `code_space`, `large_object_space`, ... */
  name: string;
  /** Bytes used by objects. */
  usedBytes: number;
  /** Bytes committed for the space. */
  sizeBytes: number;
}

/** The V8 heap at one moment. */
export interface V8HeapSample {
  /** Bytes used by JavaScript objects on the V8 heap. */
  usedBytes: number;
  /** Bytes committed for the heap. */
  totalBytes: number;
  /** Memory outside the heap held by JavaScript objects (ArrayBuffer contents, ...). */
  externalBytes: number;
  /** Every byte V8 has allocated since it started (a running counter). */
  allocatedTotalBytes: number;
  /** The heap's limit. */
  limitBytes: number;
  /** Space by space, empty spaces left out. */
  spaces: V8SpaceSample[];
}

/**
 * Read the V8 heap now (no collection is forced).
 *
 * @returns Used, committed and external bytes, the allocation counter and the spaces.
 *
 * @example Used bytes fit in the committed heap
 * ```ts
 * import { sampleV8Heap } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const s = sampleV8Heap();
 * assert.ok(s.usedBytes > 0 && s.usedBytes <= s.totalBytes);
 * assert.ok(s.spaces.some((sp) => sp.name === "old_space"));
 * ```
 */
export function sampleV8Heap(): V8HeapSample {
  const h = v8.getHeapStatistics() as v8.HeapInfo & { total_allocated_bytes?: number };
  let spaces: V8SpaceSample[] = [];
  try {
    spaces = v8.getHeapSpaceStatistics()
      .filter((s) => s.space_size > 0)
      .map((s) => ({ name: s.space_name, usedBytes: s.space_used_size, sizeBytes: s.space_size }));
  } catch {
    spaces = [];
  }
  return {
    usedBytes: h.used_heap_size,
    totalBytes: h.total_heap_size,
    externalBytes: h.external_memory ?? 0,
    allocatedTotalBytes: h.total_allocated_bytes ?? 0,
    limitBytes: h.heap_size_limit,
    spaces,
  };
}

/** The result of {@linkcode measureV8Collection}. */
export interface V8CollectionResult {
  /** Objects kept alive through the collection, and objects dropped before it. */
  survivorObjects: number;
  garbageObjects: number;
  /** The heap after a first forced collection, before allocating. */
  before: V8HeapSample;
  /** The heap after allocating, before the measured collection. */
  allocated: V8HeapSample;
  /** The heap after the measured collection. */
  after: V8HeapSample;
  /** Bytes V8 allocated during the loop (its own counter; null when V8 does not report it). */
  allocatedBytes: number | null;
  /** Bytes the measured collection freed (used before minus used after). */
  freedBytes: number;
  /** Bytes still used after it, over the heap before allocating: the survivors. */
  retainedBytes: number;
  /** Retained bytes per surviving object. */
  bytesPerSurvivor: number | null;
  /** How long the forced collection took, in milliseconds (wall time: a busy machine adds to it). */
  pauseMs: number;
  /** Where and when. */
  environment: ProbeEnvironment;
}

const CollectionOptions = z.strictObject({
  survivorObjects: z.number().int().min(0).max(V8_MAX_PROBE_OBJECTS).default(50_000),
  garbageObjects: z.number().int().min(0).max(V8_MAX_PROBE_OBJECTS).default(200_000),
});

/**
 * Allocate objects (small records of three numbers), keep some, drop the
 * rest, and force a full collection: how many bytes it freed and kept, and
 * how long it paused. Needs `--expose-gc`.
 *
 * @param options How many objects survive and how many become garbage.
 * @returns Heap samples before and after, with bytes freed, retained and the pause.
 * @throws {Error} Without `--expose-gc`.
 * @throws {TypeError} For bad options, naming the field.
 *
 * @example Survivors stay, garbage goes
 * ```ts
 * import { measureV8Collection, v8GcAvailable } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * if (v8GcAvailable()) {
 *   const r = measureV8Collection({ survivorObjects: 20000, garbageObjects: 100000 });
 *   assert.ok(r.retainedBytes > 20000 * 16);
 * }
 * ```
 */
export function measureV8Collection(
  options: { survivorObjects?: number; garbageObjects?: number } = {},
): V8CollectionResult {
  const parsed = CollectionOptions.safeParse(options);
  if (!parsed.success) {
    throw new TypeError(`Cannot measure a collection: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const o = parsed.data;
  const gc = requireV8Gc("measureV8Collection");
  gc();
  gc();
  const before = sampleV8Heap();
  const survivors: { a: number; b: number; c: number }[] = [];
  let garbage: { a: number; b: number; c: number }[] = [];
  const total = o.survivorObjects + o.garbageObjects;
  for (let i = 0; i < total; i++) {
    const obj = { a: i, b: i + 1, c: i + 2 };
    // Spread the survivors evenly among the garbage, as real programs do.
    if (survivors.length * total < (i + 1) * o.survivorObjects) survivors.push(obj);
    else garbage.push(obj);
    if (garbage.length >= 4096) garbage = [];
  }
  garbage = [];
  const allocated = sampleV8Heap();
  const t0 = performance.now();
  gc();
  const pauseMs = performance.now() - t0;
  const after = sampleV8Heap();
  // Reading the survivors here keeps them alive through the collection.
  if (survivors.length !== o.survivorObjects) {
    throw new Error(
      `measureV8Collection kept ${survivors.length} objects instead of ${o.survivorObjects}`,
    );
  }
  const retainedBytes = after.usedBytes - before.usedBytes;
  const result: V8CollectionResult = {
    survivorObjects: o.survivorObjects,
    garbageObjects: o.garbageObjects,
    before,
    allocated,
    after,
    allocatedBytes: allocated.allocatedTotalBytes > 0
      ? allocated.allocatedTotalBytes - before.allocatedTotalBytes
      : null,
    freedBytes: allocated.usedBytes - after.usedBytes,
    retainedBytes,
    bytesPerSurvivor: o.survivorObjects > 0 ? retainedBytes / o.survivorObjects : null,
    pauseMs,
    environment: environment(),
  };
  return attachKeyValueDisplay(result, "A forced V8 collection", () => [
    ["objects", `${o.survivorObjects} kept, ${o.garbageObjects} dropped`],
    ["heap used before allocating", formatBytes(before.usedBytes)],
    [
      "allocated during the loop",
      result.allocatedBytes === null ? "not reported" : formatBytes(result.allocatedBytes),
    ],
    ["heap used before gc()", formatBytes(allocated.usedBytes)],
    ["heap used after gc()", formatBytes(after.usedBytes)],
    ["freed by gc()", formatBytes(result.freedBytes)],
    [
      "kept (survivors)",
      `${formatBytes(retainedBytes)}${
        result.bytesPerSurvivor === null ? "" : ` (${result.bytesPerSurvivor.toFixed(1)} B each)`
      }`,
    ],
    ["pause", `${pauseMs.toFixed(2)} ms`],
  ]);
}

/** The result of {@linkcode observeWeakRefs}. */
export interface WeakRefObservation {
  /** Objects created, each behind a WeakRef and registered for finalization. */
  objectCount: number;
  /** Of those, kept alive by an ordinary (strong) reference. */
  stronglyHeld: number;
  /** WeakRefs whose target was still there before the collection. */
  aliveBefore: number;
  /** WeakRefs whose target was still there after it. */
  aliveAfter: number;
  /** Finalization callbacks that had run when the probe stopped waiting. */
  finalized: number;
  /** How long the probe waited for callbacks, in milliseconds. */
  waitedMs: number;
  /** Where and when. */
  environment: ProbeEnvironment;
}

const WeakOptions = z.strictObject({
  objectCount: z.number().int().min(1).max(100_000).default(1000),
  keepEvery: z.number().int().min(1).max(100_000).default(4),
  waitMs: z.number().int().min(0).max(5000).default(200),
});

/**
 * Watch WeakRefs and a FinalizationRegistry through a forced collection.
 * Objects are created, one in `keepEvery` is also held strongly; after a
 * turn of the event loop (a WeakRef keeps its target alive until the current
 * job ends) the probe forces a collection and counts the WeakRefs that still
 * answer and the finalization callbacks that ran. Needs `--expose-gc`.
 *
 * @param options Objects to create, how many to keep strongly, how long to wait for callbacks.
 * @returns The counts.
 * @throws {Error} Without `--expose-gc`.
 *
 * @example Strongly held objects survive
 * ```ts
 * import { observeWeakRefs, v8GcAvailable } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * if (v8GcAvailable()) {
 *   const r = await observeWeakRefs({ objectCount: 100, keepEvery: 4 });
 *   assert.equal(r.aliveAfter, 25);
 * }
 * ```
 */
export async function observeWeakRefs(
  options: { objectCount?: number; keepEvery?: number; waitMs?: number } = {},
): Promise<WeakRefObservation> {
  const parsed = WeakOptions.safeParse(options);
  if (!parsed.success) {
    throw new TypeError(`Cannot observe WeakRefs: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const o = parsed.data;
  const gc = requireV8Gc("observeWeakRefs");
  let finalized = 0;
  const registry = new FinalizationRegistry<number>(() => {
    finalized++;
  });
  const strong: object[] = [];
  const refs: WeakRef<object>[] = [];
  (() => {
    for (let i = 0; i < o.objectCount; i++) {
      const obj = { index: i, payload: new Array(8).fill(i) };
      refs.push(new WeakRef(obj));
      registry.register(obj, i);
      if (i % o.keepEvery === 0) strong.push(obj);
    }
  })();
  const aliveBefore = refs.filter((r) => r.deref() !== undefined).length;
  // A WeakRef created or dereferenced in this job keeps its target until the job ends.
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  const aliveAfter = refs.filter((r) => r.deref() !== undefined).length;
  const t0 = performance.now();
  const expected = o.objectCount - strong.length;
  while (finalized < expected && performance.now() - t0 < o.waitMs) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const result: WeakRefObservation = {
    objectCount: o.objectCount,
    stronglyHeld: strong.length,
    aliveBefore,
    aliveAfter,
    finalized,
    waitedMs: performance.now() - t0,
    environment: environment(),
  };
  strong.length = 0;
  return attachKeyValueDisplay(result, "WeakRefs and finalization through a collection", () => [
    ["objects", String(result.objectCount)],
    ["held strongly as well", String(result.stronglyHeld)],
    ["WeakRefs answering before gc()", String(result.aliveBefore)],
    ["WeakRefs answering after gc()", String(result.aliveAfter)],
    [
      "finalization callbacks run",
      `${result.finalized} of ${expected} (waited ${result.waitedMs.toFixed(0)} ms)`,
    ],
  ]);
}

/** One collection as V8 reports it under `--trace-gc`. */
export interface V8GcEvent {
  /** Milliseconds since the process started. */
  atMs: number;
  /** V8's name, e.g. `Scavenge`, `Mark-Compact`, `Minor Mark-Sweep`. */
  name: string;
  /** `minor` (the nursery only) or `major` (the whole heap). */
  kind: "minor" | "major";
  /** Heap used before and after, in MB as V8 prints it (10^6 bytes). */
  usedBeforeMB: number;
  usedAfterMB: number;
  /** The pause on the main thread, in milliseconds. */
  pauseMs: number;
  /** Why V8 collected, e.g. `allocation failure`. */
  reason: string;
}

const TRACE_GC =
  /^\[\d+:0x[0-9a-f]+\]\s+(\d+(?:\.\d+)?) ms: (.+?) ([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB,(?: pooled: [\d.]+ MB,)? ([\d.]+) \/ ([\d.]+) ms(?: \(.*?\))?(?:.*?mu = [\d.]+\))?\s*(.*?);?\s*$/;

/**
 * Read one line of V8's `--trace-gc` output.
 *
 * @param line A line of the child's standard output.
 * @returns The event, or `null` when the line is not a collection.
 *
 * @example A scavenge recorded on this course's build machine
 * ```ts
 * import { parseTraceGcLine } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const e = parseTraceGcLine("[10268:0x55c25c637000]       97 ms: Scavenge 3.2 (4.2) -> 3.0 (5.2) MB, pooled: 0.0 MB, 2.16 / 0.00 ms (average mu = 1.000, current mu = 1.000) allocation failure; ");
 * assert.deepEqual(e, { atMs: 97, name: "Scavenge", kind: "minor", usedBeforeMB: 3.2, usedAfterMB: 3, pauseMs: 2.16, reason: "allocation failure" });
 * assert.equal(parseTraceGcLine("done 1000"), null);
 * ```
 */
export function parseTraceGcLine(line: string): V8GcEvent | null {
  const m = TRACE_GC.exec(line);
  if (!m) return null;
  const name = m[2].trim();
  return {
    atMs: Number(m[1]),
    name,
    kind: /scavenge|minor/i.test(name) ? "minor" : "major",
    usedBeforeMB: Number(m[3]),
    usedAfterMB: Number(m[5]),
    pauseMs: Number(m[7]),
    reason: m[9].trim(),
  };
}

/** The result of {@linkcode measureGcPauses}. */
export interface V8PauseResult {
  /** Every collection V8 reported, in order. */
  events: V8GcEvent[];
  /** How long the allocation loop ran, in milliseconds. */
  durationMs: number;
  /** Objects allocated by the loop, and how many stayed alive at a time. */
  allocatedObjects: number;
  liveObjects: number;
  /** Pauses of each kind, in milliseconds, sorted. */
  minorPausesMs: number[];
  majorPausesMs: number[];
  /** Share of the loop's time spent paused, 0..1. */
  pausedFraction: number;
  /** The command line of the child. */
  command: string;
  /** Where and when. */
  environment: ProbeEnvironment;
}

const PauseOptions = z.strictObject({
  durationMs: z.number().int().min(50).max(V8_MAX_PAUSE_PROBE_MS).default(1000),
  liveObjects: z.number().int().min(0).max(1_000_000).default(100_000),
});

/**
 * Run an allocation loop in a child Deno process under `--trace-gc` and
 * collect V8's own report of every collection and its pause. The loop keeps
 * `liveObjects` objects alive in a ring and replaces one per step, so most
 * objects die young and some live long enough to be promoted. The child's
 * heap is capped (256 MiB) and it is killed if it overruns its time.
 *
 * @param options How long to run (ms) and how many objects stay alive at once.
 * @returns The events, pauses by kind, and the share of time paused.
 * @throws {TypeError} For bad options, naming the field.
 * @throws {Error} If the child cannot start or fails.
 *
 * @example Scavenges happen, and each takes time
 * ```ts
 * import { measureGcPauses } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await measureGcPauses({ durationMs: 200 });
 * assert.ok(r.minorPausesMs.length > 0);
 * assert.ok(r.minorPausesMs.every((ms) => ms >= 0));
 * ```
 */
export async function measureGcPauses(
  options: { durationMs?: number; liveObjects?: number } = {},
): Promise<V8PauseResult> {
  const parsed = PauseOptions.safeParse(options);
  if (!parsed.success) {
    throw new TypeError(`Cannot measure GC pauses: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const o = parsed.data;
  const child = new URL("./_gc_pause_child.ts", import.meta.url).pathname;
  const flags = `--trace-gc,--max-old-space-size=${CHILD_HEAP_MIB}`;
  const args = [
    "run",
    "--quiet",
    "--no-check",
    `--v8-flags=${flags}`,
    child,
    String(o.durationMs),
    String(o.liveObjects),
  ];
  const cmd = new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
  const proc = cmd.spawn();
  const timer = setTimeout(() => {
    try {
      proc.kill("SIGKILL");
    } catch { /* already gone */ }
  }, o.durationMs + 20_000);
  const out = await proc.output();
  clearTimeout(timer);
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
    throw new Error(`Cannot measure GC pauses: the child process failed (${out.code}): ${err}`);
  }
  const events: V8GcEvent[] = [];
  let durationMs = o.durationMs, allocatedObjects = 0;
  for (const line of stdout.split("\n")) {
    const e = parseTraceGcLine(line);
    if (e) events.push(e);
  }
  // The child's summary comes on stderr, apart from V8's buffered trace on stdout.
  const done = /^done (\d+) (\d+(?:\.\d+)?)$/m.exec(new TextDecoder().decode(out.stderr));
  if (done) {
    allocatedObjects = Number(done[1]);
    durationMs = Number(done[2]);
  }
  const pauses = (kind: "minor" | "major") =>
    events.filter((e) => e.kind === kind).map((e) => e.pauseMs).sort((a, b) => a - b);
  const minorPausesMs = pauses("minor");
  const majorPausesMs = pauses("major");
  const paused = [...minorPausesMs, ...majorPausesMs].reduce((s, x) => s + x, 0);
  const result: V8PauseResult = {
    events,
    durationMs,
    allocatedObjects,
    liveObjects: o.liveObjects,
    minorPausesMs,
    majorPausesMs,
    pausedFraction: durationMs > 0 ? Math.min(1, paused / durationMs) : 0,
    command: `deno ${
      args.slice(0, -3).join(" ")
    } _gc_pause_child.ts ${o.durationMs} ${o.liveObjects}`,
    environment: environment(),
  };
  const median = (xs: number[]) => (xs.length ? xs[Math.floor(xs.length / 2)].toFixed(2) : "—");
  return attachKeyValueDisplay(
    result,
    "V8's collections in an allocation loop (--trace-gc)",
    () => [
      ["loop", `${result.durationMs.toFixed(0)} ms, ${result.allocatedObjects} objects allocated`],
      ["live at a time", String(result.liveObjects)],
      ["minor (scavenges)", `${minorPausesMs.length}, median pause ${median(minorPausesMs)} ms`],
      ["major (mark-compact)", `${majorPausesMs.length}, median pause ${median(majorPausesMs)} ms`],
      ["time paused", `${(result.pausedFraction * 100).toFixed(1)} %`],
    ],
  );
}

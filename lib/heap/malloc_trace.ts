/**
 * CS:APP Malloc Lab traces: the text format, seeded generators of the lab's
 * workload shapes, and a driver that checks an allocator the way the lab's
 * `mdriver` does.
 *
 * A trace file has four header lines (suggested heap size, number of block
 * ids, number of operations, weight) and then one operation a line:
 * `a id size` (allocate), `f id` (free), `r id size` (reallocate).
 *
 * The driver runs every operation on a {@linkcode createHeap} heap, fills
 * each payload with its id's low byte as mdriver does, and checks that every
 * payload is aligned, lies inside the heap and overlaps no other live
 * payload, that realloc kept the old bytes, and that the heap's invariants
 * hold at the end. Utilization is mdriver's: peak aggregate payload over the
 * final heap size. The driver is pure: timing belongs to the caller.
 *
 * @module
 */
import { createPrng, type Prng } from "../random/mod.ts";
import { createHeap, type Heap, type HeapBlock, type HeapConfigInput } from "./allocator.ts";

/** One operation of a trace. */
export type MallocOp =
  | { op: "a"; id: number; size: number }
  | { op: "f"; id: number }
  | { op: "r"; id: number; size: number };

/** A Malloc Lab trace. */
export interface MallocTrace {
  /** The first header line: the heap size the lab suggests (unused by mdriver). */
  suggestedHeapBytes: number;
  /** Number of distinct block ids. */
  idCount: number;
  /** Number of operations. */
  opCount: number;
  /** Weight of the trace in the lab's score (0 or 1). */
  weight: number;
  /** The operations. */
  ops: MallocOp[];
}

/** The most operations a trace may hold. */
export const MAX_TRACE_OPS = 5_000_000;
/** The largest size an operation may ask for. */
export const MAX_TRACE_SIZE = 1 << 30;

/**
 * Parse a Malloc Lab trace.
 *
 * @param text The file's text.
 * @param name The file name for error messages.
 * @returns The trace.
 * @throws {SyntaxError} For a malformed line, naming the file and line.
 *
 * @example A short trace
 * ```ts
 * import { parseMallocTrace } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = parseMallocTrace("0\n2\n3\n1\na 0 16\na 1 8\nf 0\n");
 * assert.deepEqual(t.ops[1], { op: "a", id: 1, size: 8 });
 * assert.throws(() => parseMallocTrace("0\n1\n1\n1\nx 0\n", "t.rep"), /t.rep line 5/);
 * ```
 */
export function parseMallocTrace(text: string, name = "trace"): MallocTrace {
  const lines = text.split("\n");
  const bad = (i: number, rule: string) =>
    new SyntaxError(
      `Cannot read ${name} line ${i + 1}: ${rule}: received "${(lines[i] ?? "").slice(0, 60)}"`,
    );
  const header: number[] = [];
  let i = 0;
  const labels = ["suggested heap size", "number of ids", "number of operations", "weight"];
  for (; header.length < 4; i++) {
    if (i >= lines.length) throw bad(i, `the header needs 4 lines (${labels[header.length]})`);
    const t = lines[i].trim();
    if (!/^\d+$/.test(t)) throw bad(i, `${labels[header.length]} must be a non-negative integer`);
    header.push(Number(t));
  }
  const [suggestedHeapBytes, idCount, opCount, weight] = header;
  if (opCount > MAX_TRACE_OPS) {
    throw bad(2, `the number of operations must be at most ${MAX_TRACE_OPS}`);
  }
  const ops: MallocOp[] = [];
  for (; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t === "") continue;
    const m = /^([afr])\s+(\d+)(?:\s+(\d+))?$/.exec(t);
    if (!m) throw bad(i, 'an operation must be "a ID SIZE", "f ID" or "r ID SIZE"');
    const id = Number(m[2]);
    if (id >= idCount) throw bad(i, `the id must be below the header's ${idCount}`);
    if (m[1] === "f") {
      if (m[3] !== undefined) throw bad(i, 'a free must be "f ID"');
      ops.push({ op: "f", id });
      continue;
    }
    if (m[3] === undefined) throw bad(i, `"${m[1]}" needs a size`);
    const size = Number(m[3]);
    if (size > MAX_TRACE_SIZE) throw bad(i, `the size must be at most ${MAX_TRACE_SIZE}`);
    ops.push({ op: m[1] as "a" | "r", id, size });
    if (ops.length > MAX_TRACE_OPS) {
      throw bad(i, `a trace must hold at most ${MAX_TRACE_OPS} operations`);
    }
  }
  if (ops.length !== opCount) {
    throw new SyntaxError(
      `Cannot read ${name}: the header says ${opCount} operations: received ${ops.length}`,
    );
  }
  return { suggestedHeapBytes, idCount, opCount, weight, ops };
}

/**
 * Write a trace in the lab's format.
 *
 * @param trace The trace.
 * @returns The text, ending with a newline.
 *
 * @example Round trip
 * ```ts
 * import { formatMallocTrace, parseMallocTrace } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const text = "0\n1\n2\n1\na 0 5\nf 0\n";
 * assert.equal(formatMallocTrace(parseMallocTrace(text)), text);
 * ```
 */
export function formatMallocTrace(trace: MallocTrace): string {
  const body = trace.ops.map((o) => (o.op === "f" ? `f ${o.id}` : `${o.op} ${o.id} ${o.size}`));
  return [trace.suggestedHeapBytes, trace.idCount, trace.ops.length, trace.weight, ...body]
    .join("\n") + "\n";
}

/** The workload shapes of the lab's traces. */
export type TraceShape = "binary" | "realloc" | "random" | "coalescing" | "compiler";
/** All shapes, in a fixed order. */
export const TRACE_SHAPES: readonly TraceShape[] = [
  "binary",
  "realloc",
  "random",
  "coalescing",
  "compiler",
];

function finish(ops: MallocOp[], idCount: number): MallocTrace {
  return { suggestedHeapBytes: 0, idCount, opCount: ops.length, weight: 1, ops };
}

/** Free every id still live, in a seeded order. */
function freeAll(ops: MallocOp[], live: number[], prng: Prng): void {
  for (let i = live.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [live[i], live[j]] = [live[j], live[i]];
  }
  for (const id of live) ops.push({ op: "f", id });
}

/**
 * Generate a trace of one of the lab's workload shapes, seeded.
 *
 * - `binary`: small and large blocks alternate, every large one is freed,
 *   then larger blocks are asked for (the holes are just too small);
 * - `realloc`: a few buffers grow step by step by realloc, small blocks
 *   allocated in between;
 * - `random`: random sizes from 1 to 2^k bytes, random frees, the live count
 *   hovering around n/8 (at most 2,000);
 * - `coalescing`: pairs allocated, both freed, their sum asked for;
 * - `compiler`: many small blocks, most short-lived, some kept to the end.
 *
 * @param shape The workload.
 * @param options Seed and approximate number of operations (default 4,000).
 * @returns A trace whose every id is allocated before use and freed at the end.
 * @throws {RangeError} For an unknown shape or a bad size.
 *
 * @example Same seed, same trace
 * ```ts
 * import { generateMallocTrace } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const a = generateMallocTrace("random", { seed: 1, ops: 100 });
 * assert.deepEqual(a, generateMallocTrace("random", { seed: 1, ops: 100 }));
 * assert.ok(a.ops.length >= 100);
 * ```
 */
export function generateMallocTrace(
  shape: TraceShape,
  options: { seed?: number; ops?: number } = {},
): MallocTrace {
  const n = options.ops ?? 4000;
  if (!Number.isInteger(n) || n < 4 || n > MAX_TRACE_OPS) {
    throw new RangeError(
      `Cannot generate trace: ops must be an integer from 4 to ${MAX_TRACE_OPS}: received ${n}`,
    );
  }
  const prng = createPrng(options.seed ?? 0);
  const ops: MallocOp[] = [];
  switch (shape) {
    case "binary": {
      const pairs = Math.max(1, Math.floor(n / 5));
      const small = 16 << prng.int(0, 2), big = 112 << prng.int(0, 2);
      for (let i = 0; i < pairs; i++) {
        ops.push({ op: "a", id: 2 * i, size: small }, { op: "a", id: 2 * i + 1, size: big });
      }
      for (let i = 0; i < pairs; i++) ops.push({ op: "f", id: 2 * i + 1 });
      const bigger = big + small + 8;
      for (let i = 0; i < pairs; i++) ops.push({ op: "a", id: 2 * pairs + i, size: bigger });
      const live = [...Array(pairs).keys()].map((i) => 2 * i)
        .concat([...Array(pairs).keys()].map((i) => 2 * pairs + i));
      freeAll(ops, live, prng);
      return finish(ops, 3 * pairs);
    }
    case "realloc": {
      const buffers = 1 + prng.int(0, 2);
      const rounds = Math.max(1, Math.floor((n - 2 * buffers) / (3 * buffers)));
      const size = new Array(buffers).fill(0).map(() => 64 + prng.int(0, 64));
      for (let b = 0; b < buffers; b++) ops.push({ op: "a", id: b, size: size[b] });
      let next = buffers;
      const live: number[] = [];
      for (let r = 0; r < rounds; r++) {
        for (let b = 0; b < buffers; b++) {
          size[b] += 32 + prng.int(0, 96);
          ops.push({ op: "r", id: b, size: size[b] });
          ops.push({ op: "a", id: next, size: 16 + prng.int(0, 16) });
          live.push(next++);
          if (live.length > 4) ops.push({ op: "f", id: live.shift()! });
        }
      }
      freeAll(ops, [...live, ...Array(buffers).keys()], prng);
      return finish(ops, next);
    }
    case "random": {
      const maxLog = 4 + prng.int(0, 6);
      const live: number[] = [];
      let next = 0;
      const target = Math.min(2000, Math.max(8, n >> 3)); // live blocks hover around this
      while (ops.length < n - live.length) {
        if (live.length === 0 || prng.float() < (live.length < target ? 0.6 : 0.4)) {
          ops.push({ op: "a", id: next, size: 1 + prng.int(0, (1 << maxLog) - 1) });
          live.push(next++);
        } else {
          const k = prng.int(0, live.length - 1);
          ops.push({ op: "f", id: live[k] });
          live[k] = live[live.length - 1];
          live.pop();
        }
      }
      freeAll(ops, live, prng);
      return finish(ops, next);
    }
    case "coalescing": {
      let next = 0;
      const keep: number[] = [];
      while (ops.length < n - keep.length - 5) {
        const a = 16 + 8 * prng.int(0, 30), b = 16 + 8 * prng.int(0, 30);
        ops.push({ op: "a", id: next, size: a }, { op: "a", id: next + 1, size: b });
        ops.push({ op: "f", id: next }, { op: "f", id: next + 1 });
        ops.push({ op: "a", id: next + 2, size: a + b });
        keep.push(next + 2);
        if (keep.length > 2) ops.push({ op: "f", id: keep.shift()! });
        next += 3;
      }
      freeAll(ops, keep, prng);
      return finish(ops, next);
    }
    case "compiler": {
      const live: number[] = [];
      const kept: number[] = [];
      let next = 0;
      while (ops.length < n - live.length - kept.length) {
        if (live.length > 0 && prng.float() < 0.45) {
          ops.push({ op: "f", id: live.pop()! }); // mostly last-in, first-out, like scopes
          continue;
        }
        const size = prng.float() < 0.9 ? 8 + 4 * prng.int(0, 14) : 64 + prng.int(0, 1000);
        ops.push({ op: "a", id: next, size });
        (prng.float() < 0.15 ? kept : live).push(next++);
      }
      freeAll(ops, [...live, ...kept], prng);
      return finish(ops, next);
    }
    default:
      throw new RangeError(
        `Cannot generate trace: shape must be one of ${TRACE_SHAPES.join(", ")}: received "${
          String(shape)
        }"`,
      );
  }
}

/** What the driver found for one trace. */
export interface TraceRun {
  /** True if every check passed. */
  valid: boolean;
  /** What failed, with the operation's index (at most 20). */
  problems: string[];
  /** Peak aggregate payload over final heap size (0 for an invalid run). */
  utilization: number;
  /** Operations run. */
  ops: number;
  /** Peak aggregate payload in bytes. */
  peakPayloadBytes: number;
  /** Final heap size in bytes. */
  heapBytes: number;
  /** Heap snapshots after chosen operations, when asked for. */
  timeline: { op: number; blocks: HeapBlock[] }[];
}

/**
 * Run a trace through a simulated heap and check it as mdriver does.
 *
 * @param trace The trace.
 * @param config Heap settings.
 * @param options `check: false` skips the per-operation checks (for timing);
 *   `snapshots` takes a heap snapshot every that many operations.
 * @returns Validity, problems, utilization and the heap size.
 *
 * @example A tiny trace
 * ```ts
 * import { parseMallocTrace, runMallocTrace } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = runMallocTrace(parseMallocTrace("0\n2\n4\n1\na 0 24\na 1 24\nf 0\nf 1\n"), {});
 * assert.equal(r.valid, true);
 * assert.equal(r.utilization, 48 / (16 + 32 + 32));
 * ```
 */
export function runMallocTrace(
  trace: MallocTrace,
  config: HeapConfigInput,
  options: { check?: boolean; snapshots?: number } = {},
): TraceRun {
  const heap: Heap = createHeap(config);
  const check = options.check ?? true;
  const every = options.snapshots ?? 0;
  const align = heap.config.alignment;
  const addr = new Int32Array(trace.idCount).fill(-1);
  const size = new Int32Array(trace.idCount);
  const problems: string[] = [];
  const timeline: TraceRun["timeline"] = [];
  const bytes = () => heap.bytes;
  const fail = (i: number, what: string) => {
    if (problems.length < 20) problems.push(`operation ${i} (line ${i + 5}): ${what}`);
  };
  // Which id (plus one) owns each 8-byte granule of payload: overlap checks cost O(size).
  let owner = new Int32Array(1024);
  const mark = (p: number, n: number, value: number) => {
    const last = (p + Math.max(n, 1) - 1) >> 3;
    if (last >= owner.length) {
      const grown = new Int32Array(Math.max(last + 1, 2 * owner.length));
      grown.set(owner);
      owner = grown;
    }
    for (let g = p >> 3; g <= last; g++) {
      if (value !== 0 && owner[g] !== 0) return owner[g] - 1;
      owner[g] = value;
    }
    return -1;
  };
  const place = (i: number, id: number, p: number, n: number) => {
    if (!check) return;
    if (p % align !== 0) fail(i, `payload ${p} is not ${align}-aligned`);
    const hi = heap.stats().heapBytes;
    if (p < 16 || p + n > hi) fail(i, `payload ${p}..${p + n} lies outside the heap (16..${hi})`);
    const other = mark(p, n, id + 1);
    if (other >= 0) fail(i, `payload of id ${id} overlaps id ${other}`);
  };
  const unplace = (id: number) => {
    if (check && addr[id] >= 0) mark(addr[id], size[id], 0);
  };
  trace.ops.forEach((o, i) => {
    if (problems.length >= 20) return;
    if (o.op === "a") {
      if (addr[o.id] >= 0) return fail(i, `id ${o.id} is allocated twice`);
      const p = heap.malloc(o.size);
      if (p === null) {
        if (o.size > 0) fail(i, `malloc(${o.size}) failed: out of memory`);
        return;
      }
      place(i, o.id, p, o.size);
      addr[o.id] = p;
      size[o.id] = o.size;
      if (check) bytes().fill(o.id & 0xff, p, p + o.size);
    } else if (o.op === "f") {
      if (addr[o.id] < 0) return fail(i, `id ${o.id} is freed but not allocated`);
      unplace(o.id);
      heap.free(addr[o.id]);
      addr[o.id] = -1;
    } else {
      const old = addr[o.id];
      const p = heap.realloc(old < 0 ? null : old, o.size);
      if (p === null) {
        if (o.size > 0) return fail(i, `realloc(${o.size}) failed: out of memory`);
        unplace(o.id);
        addr[o.id] = -1;
        return;
      }
      unplace(o.id);
      addr[o.id] = -1;
      place(i, o.id, p, o.size);
      if (check && old >= 0) {
        const keep = Math.min(size[o.id], o.size);
        const b = bytes();
        for (let k = 0; k < keep; k++) {
          if (b[p + k] !== (o.id & 0xff)) {
            fail(i, `realloc of id ${o.id} lost byte ${k}`);
            break;
          }
        }
      }
      addr[o.id] = p;
      size[o.id] = o.size;
      if (check) bytes().fill(o.id & 0xff, p, p + o.size);
    }
    if (every > 0 && (i + 1) % every === 0) timeline.push({ op: i + 1, blocks: heap.blocks() });
  });
  if (check) { for (const p of heap.check()) fail(trace.ops.length, p); }
  const s = heap.stats();
  const valid = problems.length === 0;
  return {
    valid,
    problems,
    utilization: valid ? s.utilization : 0,
    ops: trace.ops.length,
    peakPayloadBytes: s.peakPayloadBytes,
    heapBytes: s.heapBytes,
    timeline,
  };
}

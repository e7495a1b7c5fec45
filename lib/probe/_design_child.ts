// Child process of design.ts: runs one variant of one design experiment in a
// fresh V8 (started with --expose-gc and --trace-gc) and writes its result as
// one JSON line to stderr (V8's --trace-gc lines go to stdout, buffered by C
// stdio, so the two never interleave). Arguments: one JSON object.
import v8 from "node:v8";
import { PersistentVector } from "../persistent/vector.ts";

const args = JSON.parse(Deno.args[0]) as {
  experiment: "reuse" | "lazy" | "copies" | "idle";
  variant: string;
  items: number;
  recordBytes?: number;
  checkpoints?: number[];
};
const gc = (globalThis as unknown as { gc: () => void }).gc;
const heap = () => v8.getHeapStatistics() as v8.HeapInfo & { total_allocated_bytes: number };
const vmHwmBytes = () => {
  const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Number(m[1]) * 1024 : null;
};
const vmRssBytes = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Number(m[1]) * 1024 : null;
};

function fill(buf: Uint8Array, i: number): number {
  let sum = 0;
  for (let k = 0; k < buf.length; k++) {
    buf[k] = (i + k * 31) & 255;
    sum += buf[k];
  }
  return sum;
}

function reuse(): Record<string, unknown> {
  const n = args.items, bytes = args.recordBytes ?? 64;
  gc();
  const before = heap().total_allocated_bytes;
  const t0 = performance.now();
  let sum = 0;
  if (args.variant === "per-item") {
    for (let i = 0; i < n; i++) sum += fill(new Uint8Array(bytes), i);
  } else {
    const buf = new Uint8Array(bytes);
    for (let i = 0; i < n; i++) sum += fill(buf, i);
  }
  const ms = performance.now() - t0;
  return { ms, allocatedBytes: heap().total_allocated_bytes - before, checksum: sum };
}

function* range(k: number) {
  for (let i = 0; i < k; i++) yield i;
}
function* map<A, B>(xs: Iterable<A>, f: (x: A, i: number) => B) {
  let i = 0;
  for (const x of xs) yield f(x, i++);
}
function* filter<A>(xs: Iterable<A>, p: (x: A, i: number) => boolean) {
  let i = 0;
  for (const x of xs) if (p(x, i++)) yield x;
}

function lazy(): Record<string, unknown> {
  const n = args.items;
  gc();
  gc();
  const base = heap().used_heap_size;
  const rss0 = vmRssBytes();
  let peak = base;
  let samples = 0;
  const look = () => {
    samples++;
    const u = heap().used_heap_size;
    if (u > peak) peak = u;
  };
  const tap = (i: number) => {
    if ((i & 8191) === 0) look();
  };
  const t0 = performance.now();
  let total = 0;
  if (args.variant === "eager") {
    const records = Array.from({ length: n }, (_, i) => {
      tap(i);
      return { id: i, value: i * 3 };
    });
    look();
    const kept = records.filter((r, i) => (tap(i), r.value % 2 === 0));
    look();
    const values = kept.map((r, i) => (tap(i), r.value + 1));
    look();
    total = values.reduce((s, x) => s + x, 0);
  } else {
    const records = map(range(n), (i) => (tap(i), { id: i, value: i * 3 }));
    const kept = filter(records, (r) => r.value % 2 === 0);
    for (const v of map(kept, (r) => r.value + 1)) total += v;
    look();
  }
  const ms = performance.now() - t0;
  return {
    ms,
    peakHeapBytes: peak - base,
    heapSamples: samples,
    rssBeforeBytes: rss0,
    peakRssBytes: vmHwmBytes(),
    total,
  };
}

function copies(): Record<string, unknown> {
  const n = args.items;
  const checkpoints = args.checkpoints ?? [1, 10, 100, 1000];
  const last = checkpoints[checkpoints.length - 1];
  const init = Array.from({ length: n }, (_, i) => i);
  gc();
  gc();
  const base = heap().used_heap_size;
  const points: { versions: number; retainedBytes: number }[] = [];
  let updateMs = 0;
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const versions: unknown[] = [];
  if (args.variant === "copies") {
    let cur = init.slice();
    versions.push(cur);
    for (let k = 1; k <= last; k++) {
      const t0 = performance.now();
      const copy = cur.slice();
      copy[next()] = -k;
      updateMs += performance.now() - t0;
      versions.push(cur = copy);
      if (checkpoints.includes(k)) {
        gc();
        points.push({ versions: k, retainedBytes: heap().used_heap_size - base });
      }
    }
  } else {
    let cur = PersistentVector.from(init);
    versions.push(cur);
    for (let k = 1; k <= last; k++) {
      const t0 = performance.now();
      const v = cur.set(next(), -k);
      updateMs += performance.now() - t0;
      versions.push(cur = v);
      if (checkpoints.includes(k)) {
        gc();
        points.push({ versions: k, retainedBytes: heap().used_heap_size - base });
      }
    }
  }
  return { points, updateNs: (updateMs * 1e6) / last, kept: versions.length };
}

const result = args.experiment === "reuse"
  ? reuse()
  : args.experiment === "lazy"
  ? lazy()
  : args.experiment === "copies"
  ? copies()
  : (gc(), {}); // idle: start-up plus the one forced collection reuse() also makes
console.error(`RESULT ${JSON.stringify(result)}`);

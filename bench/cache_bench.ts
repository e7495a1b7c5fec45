// Cache simulator throughput. Inputs are built outside `fn`; each iteration
// simulates the same 1,000,000-access trace, so accesses/s = 1e6 / (time per iteration).
import {
  CacheSimulator,
  concatTraces,
  createPrng,
  OP_LOAD,
  OP_STORE,
  readTraceFile,
  type Trace,
  TraceBuilder,
} from "memgarden";

const N = 1_000_000;

function mixedTrace(seed: number): Trace {
  // 70% loads walking through a 256 KiB array, 30% random accesses within 64 KiB
  // (so both hits and misses happen: about 26% misses); addresses go past 2^32.
  const prng = createPrng(seed);
  const b = new TraceBuilder(N);
  const base = 2 ** 40;
  let walk = 0;
  for (let i = 0; i < N; i++) {
    if (prng.float() < 0.7) {
      b.push(OP_LOAD, base + walk, 8);
      walk = (walk + 8) % 262144;
    } else {
      b.push(prng.float() < 0.5 ? OP_STORE : OP_LOAD, base + prng.int(0, 8191) * 8, 8);
    }
  }
  return b.build();
}

const trace = mixedTrace(1);
const l1 = { sizeBytes: 32768, ways: 8, lineBytes: 64, policy: "lru" } as const;
let sink = 0;

Deno.bench({
  group: "one 32 KiB 8-way LRU level, 1e6 accesses",
  name: "no 3C classification",
  baseline: true,
  fn() {
    const sim = new CacheSimulator({ levels: [l1], classifyMisses: false });
    sink += sim.run(trace).result().levels[0].misses;
  },
});

Deno.bench({
  group: "one 32 KiB 8-way LRU level, 1e6 accesses",
  name: "with 3C classification",
  fn() {
    const sim = new CacheSimulator({ levels: [l1], classifyMisses: true });
    sink += sim.run(trace).result().levels[0].misses;
  },
});

// A friendlier workload for context: 8-byte sequential sweeps over 16 KiB (fits in L1).
const resident = (() => {
  const b = new TraceBuilder(N);
  for (let i = 0; i < N; i++) b.push(OP_LOAD, 2 ** 40 + (i * 8) % 16384, 8);
  return b.build();
})();

Deno.bench({
  group: "one 32 KiB 8-way LRU level, 1e6 accesses",
  name: "no 3C, resident 16 KiB sweep (hit rate ~100%)",
  fn() {
    const sim = new CacheSimulator({ levels: [l1], classifyMisses: false });
    sink += sim.run(resident).result().levels[0].misses;
  },
});

// Real programs: the recorded valgrind traces in data/traces (instruction fetches included),
// read into memory once before timing.
const recorded = concatTraces(
  await Promise.all(
    ["sum", "transpose_naive", "transpose_blocked", "list_walk"].map((name) =>
      readTraceFile(new URL(`../data/traces/${name}.trace.gz`, import.meta.url).pathname)
    ),
  ),
);

const laps = Math.ceil(N / recorded.length);

Deno.bench({
  group: "one 32 KiB 8-way LRU level, 1e6 accesses",
  name: `no 3C, recorded valgrind traces: ${laps} laps x ${recorded.length} records`,
  n: 50,
  fn() {
    const sim = new CacheSimulator({ levels: [l1], classifyMisses: false });
    for (let lap = 0; lap < laps; lap++) sim.run(recorded);
    sink += sim.result().levels[0].misses;
  },
});

for (const policy of ["fifo", "random", "plru"] as const) {
  Deno.bench({
    group: "replacement policies (no 3C), 1e6 accesses",
    name: policy,
    fn() {
      const sim = new CacheSimulator({ levels: [{ ...l1, policy }], classifyMisses: false });
      sink += sim.run(trace).result().levels[0].misses;
    },
  });
}

const l2 = { sizeBytes: 1 << 20, ways: 16, lineBytes: 64, latencyCycles: 14 } as const;

Deno.bench({
  group: "hierarchy, 1e6 accesses",
  name: "L1 32 KiB 8-way + L2 1 MiB 16-way (no 3C)",
  baseline: true,
  fn() {
    const sim = new CacheSimulator({ levels: [l1, l2], classifyMisses: false });
    sink += sim.run(trace).result().levels[1].misses;
  },
});

Deno.bench({
  group: "hierarchy, 1e6 accesses",
  name: "L1 32 KiB 8-way + L2 1 MiB 16-way, with 3C at both levels",
  fn() {
    const sim = new CacheSimulator({ levels: [l1, l2], classifyMisses: true });
    sink += sim.run(trace).result().levels[1].misses;
  },
});

globalThis.addEventListener("unload", () => {
  if (sink === -1) console.log(sink);
});

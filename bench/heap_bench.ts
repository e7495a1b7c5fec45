/**
 * Allocator throughput on million-operation traces of the lab's five shapes,
 * and sim malloc on a large random problem. Inputs are built outside `fn`;
 * each iteration replays a whole trace on a fresh heap (growth included), so
 * operations/s = ops / (time per iteration).
 *
 * Two allocators are measured: the textbook one (every option off, as in
 * lesson 04) and `sim mdriver`'s (the Malloc Lab techniques on). Their
 * throughput differs mostly through memory: a heap that wastes half its bytes
 * touches twice as many fresh pages.
 */
import { generateMallocTrace, type HeapConfigInput, runMallocTrace, TRACE_SHAPES } from "memgarden";
import { mallocCli } from "memgarden/cli/malloc.ts";
import { MDRIVER_LAB_DEFAULTS } from "memgarden/cli/mdriver.ts";

const MILLION = 1_000_000;
let sink = 0;

for (const shape of TRACE_SHAPES) {
  const trace = generateMallocTrace(shape, { seed: 7, ops: MILLION });
  const group = `heap, ${shape}, ${trace.ops.length} ops`;
  const run = (config: HeapConfigInput) => () => {
    sink += runMallocTrace(trace, { maxBytes: 2 ** 30, ...config }, { check: false }).heapBytes;
  };
  for (const fit of ["first", "best"] as const) {
    Deno.bench({
      group,
      name: `segregated ${fit} fit, mdriver's Malloc Lab techniques`,
      baseline: fit === "first",
      n: 8,
      warmup: 2,
      fn: run({ list: "segregated", fit, ...MDRIVER_LAB_DEFAULTS }),
    });
    Deno.bench({
      group,
      name: `segregated ${fit} fit, textbook`,
      n: 8,
      warmup: 2,
      fn: run({ list: "segregated", fit }),
    });
  }
  // One explicit list walks every free block too small for a request: quadratic on binary
  // (skipped) and seconds per run on compiler, so only a few runs.
  if (shape === "binary") continue;
  Deno.bench({
    group,
    name: "explicit first fit, textbook",
    n: 3,
    warmup: 1,
    fn: run({ list: "explicit", fit: "first" }),
  });
}

Deno.bench({
  group: "sim malloc",
  name: "OSTEP malloc.py problem, -n 10000 -c",
  fn() {
    sink += mallocCli(["-s", "1", "-n", "10000", "-S", "100000", "-r", "100", "-c"]).stdout.length;
  },
});

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(sink);
});

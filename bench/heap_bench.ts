/**
 * Allocator throughput on million-operation traces of the lab's shapes, and
 * sim malloc on a large random problem. Inputs are built outside `fn`; each
 * iteration replays a whole trace on a fresh heap (growth included), so
 * operations/s = ops / (time per iteration).
 */
import { generateMallocTrace, runMallocTrace } from "memgarden";
import { mallocCli } from "memgarden/cli/malloc.ts";

const MILLION = 1_000_000;
const traces = {
  random: generateMallocTrace("random", { seed: 7, ops: MILLION }),
  compiler: generateMallocTrace("compiler", { seed: 7, ops: MILLION }),
  coalescing: generateMallocTrace("coalescing", { seed: 7, ops: MILLION }),
};
let sink = 0;

for (const [shape, trace] of Object.entries(traces)) {
  for (const fit of ["first", "best"] as const) {
    Deno.bench({
      group: `segregated, ${shape}`,
      name: `segregated ${fit} fit, ${trace.ops.length} ops`,
      baseline: fit === "first",
      fn() {
        sink +=
          runMallocTrace(trace, { list: "segregated", fit, maxBytes: 2 ** 30 }, { check: false })
            .heapBytes;
      },
    });
  }
  Deno.bench({
    group: `segregated, ${shape}`,
    name: `explicit first fit, ${trace.ops.length} ops`,
    fn() {
      sink += runMallocTrace(trace, { list: "explicit", fit: "first", maxBytes: 2 ** 30 }, {
        check: false,
      })
        .heapBytes;
    },
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

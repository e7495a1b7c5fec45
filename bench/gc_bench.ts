// Speed of the simulated collectors: marking a graph of a million objects
// (target: at least 5 million objects marked per second), full collections of
// it, and whole workloads through each collector.
import {
  createGcCollector,
  GC_COLLECTOR_NAMES,
  type GcCollector,
  type GcCollectorName,
  generateGcWorkload,
  runGcWorkload,
} from "memgarden";

const OBJECTS = 1_000_000;

/** A million 32-byte objects with two fields: a binary tree (all reachable) plus random cross pointers. */
function bigGraph(name: GcCollectorName): GcCollector {
  const gc = createGcCollector(name, { heapBytes: 4 * 32 * OBJECTS });
  let s = 12345;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < OBJECTS; i++) gc.allocate(`o${i}`, 32, 2);
  for (let i = 1; i < OBJECTS; i++) gc.setField(`o${(i - 1) >> 1}`, (i - 1) & 1, `o${i}`);
  for (let i = 0; i < OBJECTS; i += 4) {
    const from = `o${OBJECTS - 1 - (next() % (OBJECTS >> 1))}`; // a leaf: its fields are free
    gc.setField(from, 0, `o${next() % OBJECTS}`);
  }
  gc.addRoot("o0");
  return gc;
}

const marking = bigGraph("mark-sweep");
let sink = 0;

Deno.bench({
  group: "mark",
  name: "mark phase, 1 M objects, 2 fields each (mark-sweep heap)",
  baseline: true,
  fn() {
    sink += marking.mark();
    if (sink % OBJECTS !== 0) throw new Error("not every object was marked");
  },
});

Deno.bench({
  group: "mark",
  name: "full mark-sweep collection of 1 M live objects (mark + sweep + free list)",
  fn() {
    sink += marking.collect().survivorIds.length;
  },
});

const copying = bigGraph("copying");
Deno.bench({
  group: "mark",
  name: "full copying collection of 1 M live objects (Cheney)",
  fn() {
    sink += copying.collect().objectsTraced;
  },
});

const ops = generateGcWorkload({ seed: 1, objectCount: 5000, gcEvery: 500 });
for (const collector of GC_COLLECTOR_NAMES) {
  Deno.bench({
    group: "workload",
    name: `${collector}: generated workload of ${ops.length} operations, 16 KiB heap`,
    fn() {
      sink += runGcWorkload(ops, { collector, heapBytes: 16384 }).collections.length;
    },
  });
}

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(sink);
});

// Private: the child process of measureGcPauses. Run with --trace-gc; it
// allocates small objects for DURATION_MS, keeping LIVE of them alive in a
// ring (one replaced per step), then prints "done <objects> <elapsed ms>" on stderr.
const durationMs = Number(Deno.args[0]);
const live = Number(Deno.args[1]);
if (!(durationMs > 0) || !(live >= 0)) {
  console.error("usage: _gc_pause_child.ts DURATION_MS LIVE_OBJECTS");
  Deno.exit(2);
}
const ring: unknown[] = new Array(live).fill(null);
let allocated = 0;
let at = 0;
const start = performance.now();
let now = start;
while (now - start < durationMs) {
  for (let i = 0; i < 1000; i++) {
    const obj = { n: allocated, list: [allocated, allocated + 1], label: "x" + (allocated & 1023) };
    allocated++;
    if (live > 0 && (allocated & 7) === 0) {
      ring[at] = obj;
      at = (at + 1) % live;
    }
  }
  now = performance.now();
}
// On stderr: V8's --trace-gc lines go to stdout through C's buffered stdio and
// can be flushed around a line written here, splitting it.
console.error(`done ${allocated} ${(now - start).toFixed(1)}`);

// The V8 probes. `deno test` runs without --expose-gc, so what needs gc()
// runs in a child Deno process started with it.
import assert from "node:assert/strict";
import {
  measureGcPauses,
  parseTraceGcLine,
  requireV8Gc,
  sampleV8Heap,
  v8GcAvailable,
} from "memgarden";
import { runWithGc } from "./_gc_child.ts";

// Recorded with Deno 2.9.6 (V8 15.0) on the course's build machine, 2026-12-01.
const RECORDED = [
  "[10268:0x55c25c637000]       97 ms: Scavenge 3.2 (4.2) -> 3.0 (5.2) MB, pooled: 0.0 MB, 2.16 / 0.00 ms (average mu = 1.000, current mu = 1.000) allocation failure; ",
  "[15076:0x5597a8675000]     1265 ms: Incremental Mark-Compact 79.0 (93.2) -> 57.0 (71.2) MB, pooled: 0.0 MB, 296.78 / 0.00 ms (+ 0.0 ms in 1 steps since start of marking, biggest step 0.0 ms, walltime since start of marking 448 ms) (average mu = 0.765, current mu = 0.765) finalize incremental marking via stack guard; GC in old space requested",
  "[15076:0x5597a8675000]     2409 ms: Mark-Compact 164.7 (178.7) -> 127.4 (141.3) MB, pooled: 0.0 MB, 620.23 / 0.00 ms (average mu = 0.619, current mu = 0.458) testing; GC in old space requested",
];

Deno.test("parseTraceGcLine reads V8's scavenge and mark-compact lines", () => {
  const [s, inc, mc] = RECORDED.map(parseTraceGcLine);
  assert.deepEqual(s, {
    atMs: 97,
    name: "Scavenge",
    kind: "minor",
    usedBeforeMB: 3.2,
    usedAfterMB: 3,
    pauseMs: 2.16,
    reason: "allocation failure",
  });
  assert.equal(inc?.name, "Incremental Mark-Compact");
  assert.equal(inc?.kind, "major");
  assert.equal(inc?.pauseMs, 296.78);
  assert.equal(
    inc?.reason,
    "finalize incremental marking via stack guard; GC in old space requested",
  );
  assert.equal(mc?.kind, "major");
  assert.equal(mc?.usedAfterMB, 127.4);
  // Older V8 (no "pooled") and a Minor Mark-Sweep still parse.
  const old = parseTraceGcLine(
    "[1:0x1]  5 ms: Minor Mark-Sweep 2.0 (3.0) -> 1.0 (3.0) MB, 0.50 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure;",
  );
  assert.equal(old?.kind, "minor");
  assert.equal(old?.pauseMs, 0.5);
  for (const line of ["", "done 100 5.0", "[1:0x1] 5 ms: Scavenge broken"]) {
    assert.equal(parseTraceGcLine(line), null);
  }
});

Deno.test("sampleV8Heap: used within committed, spaces named", () => {
  const s = sampleV8Heap();
  assert.ok(s.usedBytes > 0 && s.usedBytes <= s.totalBytes && s.totalBytes <= s.limitBytes);
  const names = s.spaces.map((x) => x.name);
  assert.ok(names.includes("old_space") && names.includes("new_space"), names.join(","));
  const before = s.allocatedTotalBytes;
  const junk = Array.from({ length: 10000 }, (_, i) => ({ i }));
  assert.equal(junk.length, 10000);
  if (before > 0) assert.ok(sampleV8Heap().allocatedTotalBytes > before);
});

Deno.test("without --expose-gc the probes say how to get gc()", () => {
  if (v8GcAvailable()) return; // started with the flag: nothing to check here
  assert.throws(
    () => requireV8Gc("detectLeak"),
    /detectLeak needs V8's gc\(\).*--v8-flags=--expose-gc/,
  );
});

Deno.test("a forced collection frees the garbage and keeps the survivors (child with --expose-gc)", async () => {
  const r = await runWithGc(`
import { measureV8Collection, observeWeakRefs } from "memgarden/probe/v8_heap.ts";
const small = measureV8Collection({ survivorObjects: 20000, garbageObjects: 200000 });
const large = measureV8Collection({ survivorObjects: 80000, garbageObjects: 200000 });
const weak = await observeWeakRefs({ objectCount: 400, keepEvery: 4 });
console.log(JSON.stringify({ small, large, weak }));
`) as {
    small: {
      retainedBytes: number;
      freedBytes: number;
      allocatedBytes: number | null;
      pauseMs: number;
    };
    large: { retainedBytes: number };
    weak: { aliveBefore: number; aliveAfter: number; stronglyHeld: number; finalized: number };
  };
  // Each survivor is at least a 3-field object: more than 16 bytes.
  assert.ok(r.small.retainedBytes > 20000 * 16, `retained ${r.small.retainedBytes}`);
  // Four times the survivors: clearly more retained (not an absolute size).
  assert.ok(r.large.retainedBytes > 2.5 * r.small.retainedBytes);
  assert.ok(r.small.freedBytes >= 0);
  if (r.small.allocatedBytes !== null) {
    assert.ok(r.small.allocatedBytes > r.small.retainedBytes);
  }
  assert.ok(r.small.pauseMs >= 0);
  assert.equal(r.weak.aliveBefore, 400);
  assert.equal(r.weak.stronglyHeld, 100);
  assert.equal(r.weak.aliveAfter, 100);
  assert.ok(r.weak.finalized <= 300);
});

Deno.test("measureGcPauses: V8 reports scavenges, each freeing young garbage", async () => {
  const r = await measureGcPauses({ durationMs: 300, liveObjects: 20000 });
  assert.ok(r.allocatedObjects > 0);
  assert.ok(r.minorPausesMs.length >= 1, `no scavenge in ${r.events.length} events`);
  assert.ok(r.pausedFraction >= 0 && r.pausedFraction <= 1);
  for (const e of r.events) assert.ok(e.pauseMs >= 0 && e.usedBeforeMB >= 0);
  const minor = r.events.filter((e) => e.kind === "minor");
  const shrank = minor.filter((e) => e.usedAfterMB <= e.usedBeforeMB).length;
  assert.ok(shrank >= minor.length / 2, `${shrank} of ${minor.length} scavenges shrank the heap`);
  await assert.rejects(() => measureGcPauses({ durationMs: 1e9 }), /durationMs/);
});

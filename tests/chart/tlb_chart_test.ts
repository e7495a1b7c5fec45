import assert from "node:assert/strict";
import { realWorkingSetChart, tlbReachChart, workingSetSizes } from "memgarden";
import { TLB_RECORDED_THIS_MACHINE } from "../probe/_tlb_fixture.ts";

const RECORDED = TLB_RECORDED_THIS_MACHINE;

Deno.test("TLB reach chart: labelled log axes, one line per curve, rules at the steps and cpuinfo's size", () => {
  const c = tlbReachChart(RECORDED);
  assert.match(c.svg, /Pages chased \(count, log scale\)/);
  assert.match(c.svg, /Time per step \(ns, log scale\)/);
  for (const curve of RECORDED.curves) assert.ok(c.svg.includes(curve.label), curve.label);
  assert.match(c.svg, /1st TLB step after \d+/);
  assert.match(c.svg, /cpuinfo TLB 2560/);
  assert.match(c.caption, /while the packed control, the same lines in few pages, does not/);
  assert.match(
    c.caption,
    /At 16384 pages: \d+ ns per step with 4 KiB pages, \d+ ns with huge pages/,
  );
});

Deno.test("TLB reach chart: a flat curve says so, and no curves is an error", () => {
  const c = tlbReachChart({
    pageCounts: [8, 16, 32],
    cpuinfoTlb: null,
    curves: [
      { layout: "small-pages", label: "a", nsPerAccess: [2, 2, 2], samples: [] },
      { layout: "packed", label: "b", nsPerAccess: [2, 2, 2], samples: [] },
    ],
  });
  assert.match(c.caption, /No step of the 4 KiB curve shows/);
  assert.doesNotMatch(c.svg, /cpuinfo TLB/);
  assert.throws(
    () => tlbReachChart({ pageCounts: [], cpuinfoTlb: null, curves: [] }),
    /curves must be a non-empty array/,
  );
});

Deno.test("real working-set chart: simulated line, real dots, resident line, caption from the comparison", () => {
  const refs = [0, 1, 2, 0, 1, 2, 7, 7, 7];
  const c = realWorkingSetChart(
    {
      intervalRefs: 3,
      referenceCount: 9,
      method: "referenced",
      reason: null,
      samples: [
        { interval: 0, t: 2, referencedPages: 3, residentPages: 3 },
        { interval: 1, t: 5, referencedPages: 3, residentPages: 3 },
        { interval: 2, t: 8, referencedPages: 1, residentPages: 4 },
      ],
    },
    workingSetSizes(refs, 3),
    { phases: [{ start: 0, label: "loop" }, { start: 6, label: "one page" }] },
  );
  assert.match(c.svg, /Time t \(references\)/);
  assert.match(c.svg, /Pages \(count\)/);
  assert.match(c.svg, /simulated W\(t, Δ = 3\)/);
  assert.match(c.svg, /one page/);
  assert.match(c.caption, /In all 3 intervals .* exactly/);
  assert.match(c.caption, /RSS \(4 pages\) overstates .* \(at most 3\)/);
  assert.throws(
    () =>
      realWorkingSetChart({
        intervalRefs: 3,
        referenceCount: 9,
        method: "referenced",
        reason: null,
        samples: [],
      }, [1]),
    /one size per reference \(9\)/,
  );
});

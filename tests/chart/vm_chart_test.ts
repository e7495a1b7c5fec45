import assert from "node:assert/strict";
import {
  addressSpaceChart,
  addressSpaceRuns,
  addressSplitChart,
  overcommitChart,
  pageMappingChart,
  parseMaps,
  tlbHitRateChart,
} from "memgarden";

const DISPLAY = Symbol.for("Jupyter.display");

function bundle(c: object): Record<string, string> {
  return (c as Record<symbol, () => Record<string, string>>)[DISPLAY]();
}

const MAPS = [
  "55d0a0000000-55d0a0002000 r-xp 00000000 08:01 42 /usr/bin/garden",
  "55d0a0002000-55d0a0003000 rw-p 00002000 08:01 42 /usr/bin/garden",
  "55d0a0003000-55d0a0004000 rw-p 00000000 00:00 0",
  "55d0a1000000-55d0a1021000 rw-p 00000000 00:00 0 [heap]",
  "7f1000000000-7f1000200000 r-xp 00000000 08:01 7 /usr/lib/libc.so.6",
  "7f1000200000-7f1000201000 rw-p 00200000 08:01 7 /usr/lib/libc.so.6",
  "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]",
].join("\n");

Deno.test("page mappings: one column per space plus frames, crosses for unmapped pages", () => {
  const one = pageMappingChart([{
    name: "pid 1",
    mappings: [{ page: 0, frame: 6 }, { page: 1, frame: 2 }, { page: 2, frame: null }],
  }]);
  assert.match(one.svg, /Page or frame number \(count\)/);
  assert.match(one.svg, /Where \(address space\)/);
  assert.equal((one.svg.match(/aria-label="link"/g) ?? []).length, 1);
  assert.equal((one.svg.match(/<path [^>]*d="M/g) ?? []).length >= 2, true, "two links drawn");
  assert.match(one.svg, /frame 6/);
  assert.match(one.svg, /✕/);
  assert.match(one.caption, /1 not mapped/);
  const two = pageMappingChart([
    { name: "pid 1", mappings: [{ page: 0, frame: 1 }] },
    { name: "pid 2", mappings: [{ page: 0, frame: 1 }] },
  ]);
  assert.match(two.caption, /Frames shared by both spaces: 1/);
  const repeated = pageMappingChart([{
    name: "p",
    mappings: [{ page: 0, frame: 2 }, { page: 0, frame: 2 }],
  }]);
  assert.match(repeated.caption, /1 page\(s\) mapped to 1 frame/);
  assert.throws(() => pageMappingChart([]), /spaces must be a non-empty array/);
  assert.throws(
    () => pageMappingChart([1, 2, 3].map((i) => ({ name: `p${i}`, mappings: [] }))),
    /one or two address spaces: received 3/,
  );
});

Deno.test("address split: one field per level plus the offset, every bit written out", () => {
  const c = addressSplitChart(0x7f12_3456_7890);
  for (const name of ["PML4 = 254", "PDPT = 72", "PD = 418", "PT = 359", "offset = 0x890"]) {
    assert.ok(c.caption.includes(name), name);
  }
  assert.match(c.svg, /Bit of the virtual address \(bit number\)/);
  assert.equal((c.svg.match(/<rect /g) ?? []).length, 5);
  const small = addressSplitChart(0x3abc, { levelBits: [2], offsetBits: 12, levelNames: ["VPN"] });
  assert.match(small.caption, /VPN = 3, offset = 0xabc/);
  assert.throws(() => addressSplitChart(2 ** 48), /must be an integer in \[0, 2\^48\)/);
  assert.throws(
    () => addressSplitChart(1, { levelBits: [9, 9], levelNames: ["A"] }),
    /one name per level \(2\): received 1/,
  );
});

Deno.test("TLB hit rate: a line per pattern on a log axis, the 90% point in the caption", () => {
  const c = tlbHitRateChart([
    { pattern: "loop", points: [{ entries: 16, hitRate: 0 }, { entries: 64, hitRate: 0.98 }] },
    { pattern: "random", points: [{ entries: 16, hitRate: 0.1 }, { entries: 64, hitRate: 0.3 }] },
  ]);
  assert.match(c.svg, /TLB entries \(count, log scale\)/);
  assert.match(c.svg, /Hit rate \(%\)/);
  assert.equal((c.svg.match(/aria-label="line"/g) ?? []).length, 1);
  assert.match(c.svg, /— loop/);
  assert.match(c.caption, /loop: 90% from 64 entries; random: never 90%/);
  assert.throws(() => tlbHitRateChart([]), /curves must be a non-empty array/);
});

Deno.test("overcommit: resident bytes against pages written, the reservation as a line", () => {
  const c = overcommitChart([
    { source: "simulated", touchedPages: 16, residentBytes: 65536 },
    { source: "real", touchedPages: 16, residentBytes: 65536 },
    { source: "real", touchedPages: 1024, residentBytes: 4 * 2 ** 20 },
  ], { reservedBytes: 2 ** 30 });
  assert.match(c.svg, /Pages written \(count, log scale\)/);
  assert.match(c.svg, /Resident memory \(bytes, log scale\)/);
  assert.match(c.svg, /reserved \(virtual size\): 1 GiB/);
  assert.match(c.svg, /— real/);
  assert.match(c.caption, /16 touched pages: 64 KiB resident of 1 GiB reserved/);
  assert.match(
    c.caption,
    /Each line climbs by the same 4 KiB of RAM per page written and stays below/,
  );
  // The caption follows the points: a source that does not grow in step is named.
  const huge = overcommitChart([
    { source: "simulated", touchedPages: 1, residentBytes: 4096 },
    { source: "simulated", touchedPages: 512, residentBytes: 2 ** 21 },
    { source: "real", touchedPages: 1, residentBytes: 2 ** 21 },
    { source: "real", touchedPages: 512, residentBytes: 2 ** 21 },
  ], { reservedBytes: 2 ** 21 });
  assert.match(huge.caption, /real does not grow by the same amount per page written/);
  assert.match(huge.caption, /reaches the dashed reservation at 1 page written/);
  assert.throws(
    () =>
      overcommitChart([{ source: "x", touchedPages: 0, residentBytes: 0 }], {
        reservedBytes: 1,
      }),
    /touchedPages must be at least 1/,
  );
  assert.throws(() => overcommitChart([], { reservedBytes: 1 }), /non-empty array/);
});

Deno.test("address space: runs of one kind merged, gaps measured with bigints", () => {
  const regions = parseMaps(MAPS);
  const runs = addressSpaceRuns(regions);
  assert.deepEqual(runs.map((r) => r.kind), ["text", "data", "bss", "heap", "library", "stack"]);
  assert.equal(runs[4].regionCount, 2);
  assert.equal(runs[4].mappedBytes, 0x201000);
  assert.equal(runs[3].gapAfterBytes, 0x7f1000000000 - 0x55d0a1021000);
  assert.equal(runs.at(-1)!.gapAfterBytes, 0);
  const c = addressSpaceChart(regions);
  assert.match(c.svg, /Bytes \(log scale\)/);
  assert.match(c.svg, /Run \(start address · kind\)/);
  assert.match(c.svg, /0x7f1000000000 · library ×2/);
  const plotted = c.svg.replace(/<g class="memgarden-legend".*?<\/g>/, "");
  assert.equal((plotted.match(/<rect /g) ?? []).length, 6);
  assert.match(c.caption, /7 regions in 6 runs/);
  // Highest addresses on top: the stack's row comes first in the SVG's y axis.
  const stackAt = c.svg.indexOf("· stack");
  const textAt = c.svg.indexOf("· text");
  assert.ok(stackAt > 0 && textAt > stackAt);
  assert.ok(bundle(c)["text/html"].includes(c.svg));
  assert.throws(() => addressSpaceChart([]), /regions must be a non-empty array/);
  const withKernel = addressSpaceChart(
    parseMaps(MAPS + "\nffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]"),
  );
  assert.match(withKernel.caption, /1 run lies in the kernel's half/);
  assert.doesNotMatch(withKernel.caption, /PiB/, "the non-canonical hole is not a gap");
});

Deno.test("vm charts are deterministic", () => {
  const make = () => [
    addressSpaceChart(parseMaps(MAPS)).svg,
    addressSplitChart(0x1234_5678_9abc).svg,
    pageMappingChart([{ name: "a", mappings: [{ page: 0, frame: 3 }] }]).svg,
  ];
  assert.deepEqual(make(), make());
});

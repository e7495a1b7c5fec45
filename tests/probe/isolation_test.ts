import assert from "node:assert/strict";
import {
  decodePagemapEntry,
  describeCopyOnWrite,
  describeIsolation,
  type ForkCowResult,
  type IsolationChild,
  type IsolationResult,
  measureForkCopyOnWrite,
  measureIsolation,
} from "memgarden";
import { LineChild } from "memgarden/probe/_line_child.ts";
import { liveChildren } from "./_children.ts";

Deno.test("measured: two children, one address, each reads back its own value; both reaped", async () => {
  const before = liveChildren();
  const r = await measureIsolation({ values: [7, 9] });
  assert.equal(r.sameAddress, true, describeIsolation(r));
  assert.deepEqual(r.children.map((c) => c.readBack), [7, 9]);
  assert.equal(r.eachReadOwnValue, true);
  for (const c of r.children) {
    assert.equal(c.mapsLine?.start, r.address, "each map has a line starting at the address");
    assert.equal(c.mapsLine?.perms, "rw-p");
    assert.ok(c.regionCount > 10);
  }
  assert.notEqual(r.children[0].pid, r.children[1].pid);
  if (r.uid === 0) {
    assert.equal(r.pfnVisible, true, "root sees frame numbers");
    assert.equal(r.framesDiffer, true);
    assert.match(describeIsolation(r), /pagemap shows where: frame 0x[0-9a-f]+ for child 1/);
  } else if (!r.pfnVisible) {
    assert.equal(r.framesDiffer, null);
    assert.match(describeIsolation(r), /hid the frame numbers|could not be read/);
  }
  assert.deepEqual(liveChildren().filter((p) => !before.includes(p)), []);
});

Deno.test("a child that never answers: the deadline fires, and close kills and reaps it", async () => {
  const before = liveChildren();
  const child = new LineChild("sleep", ["30"]);
  try {
    await assert.rejects(() => child.nextLine(150, "wait"), /did not answer in 150 ms/);
  } finally {
    const status = await child.close(100);
    assert.equal(status.success, false);
  }
  assert.deepEqual(liveChildren().filter((p) => !before.includes(p)), []);
});

Deno.test("a child that ends early is reported with its last words", async () => {
  const child = new LineChild("sh", ["-c", "echo boom >&2; exit 3"]);
  try {
    await assert.rejects(() => child.nextLine(5000, "talk"), /ended early: boom/);
  } finally {
    await child.close();
  }
});

Deno.test("bad isolation options name the field", async () => {
  await assert.rejects(() => measureIsolation({ address: 12 }), /address/);
  await assert.rejects(
    () => measureIsolation({ address: 0x3f00_0000_0010 }),
    /multiple of the page size/,
  );
  await assert.rejects(() => measureForkCopyOnWrite({ pageCount: 1 << 20 }), /pageCount/);
});

Deno.test("decodePagemapEntry: present bit, frame bits, hidden frame", () => {
  assert.deepEqual(decodePagemapEntry(0n), { present: false, pfn: null });
  assert.deepEqual(decodePagemapEntry((1n << 63n) | (1n << 55n) | 5n), { present: true, pfn: 5 });
  assert.deepEqual(decodePagemapEntry(1n << 63n), { present: true, pfn: null });
});

function child(pid: number, v: number, o: Partial<IsolationChild> = {}): IsolationChild {
  return {
    pid,
    mapped: true,
    error: null,
    wrote: v,
    readBack: v,
    mapsLine: null,
    stack: null,
    regionCount: 140,
    pagemap: { present: true, pfn: null },
    ...o,
  };
}
const base: IsolationResult = {
  address: "0x3f0000000000",
  children: [child(1, 111), child(2, 222)],
  sameAddress: true,
  eachReadOwnValue: true,
  framesDiffer: null,
  pfnVisible: false,
  uid: 1000,
  environment: {} as IsolationResult["environment"],
};

Deno.test("describeIsolation names every outcome a machine can show", () => {
  assert.match(describeIsolation(base), /one virtual address, two memories.*uid 1000/);
  assert.match(
    describeIsolation({
      ...base,
      children: [
        child(1, 111, { pagemap: { present: true, pfn: 10 } }),
        child(2, 222, { pagemap: { present: true, pfn: 11 } }),
      ],
      framesDiffer: true,
      pfnVisible: true,
      uid: 0,
    }),
    /frame 0xa for child 1 and 0xb for child 2 .*runs as root/,
  );
  assert.match(
    describeIsolation({ ...base, children: [child(1, 111, { pagemap: null }), child(2, 222)] }),
    /could not be read/,
  );
  assert.match(
    describeIsolation({
      ...base,
      sameAddress: false,
      children: [child(1, 111, { mapped: false, error: "mmap failed: errno 17" }), child(2, 222)],
    }),
    /could not both map .*errno 17/,
  );
  assert.match(
    describeIsolation({
      ...base,
      eachReadOwnValue: false,
      children: [child(1, 111, { readBack: 222 }), child(2, 222)],
    }),
    /not what isolation promises/,
  );
});

Deno.test("measured: after fork a read of inherited pages is free, the first write faults once per page", async () => {
  const before = liveChildren();
  const r = await measureForkCopyOnWrite({ pageCount: 1024 });
  if (!r.available) {
    assert.ok(r.reason && r.reason.length > 0, "a reason when Python is missing");
    return;
  }
  const n = r.pageCount;
  assert.ok(r.childReadFaults < 0.25 * n, `reads: ${r.childReadFaults}`);
  assert.ok(
    r.childFirstWriteFaults >= 0.95 * n && r.childFirstWriteFaults <= 1.3 * n,
    `first writes: ${r.childFirstWriteFaults}`,
  );
  assert.ok(r.childSecondWriteFaults < 0.25 * n, `second writes: ${r.childSecondWriteFaults}`);
  assert.ok(r.parentRewriteFaultsBeforeFork < 0.25 * n);
  assert.equal(r.childSawParentValues, true);
  assert.equal(r.parentKeptValues, true);
  assert.match(describeCopyOnWrite(r), /one per page/);
  assert.deepEqual(liveChildren().filter((p) => !before.includes(p)), []);
});

Deno.test("no Python: the fork experiment says why instead of failing", async () => {
  const r = await measureForkCopyOnWrite({ python: "/nonexistent/python3" });
  assert.equal(r.available, false);
  assert.match(r.reason!, /\/nonexistent\/python3 could not be started/);
  assert.match(describeCopyOnWrite(r), /did not run here/);
});

Deno.test("describeCopyOnWrite: fewer faults than pages, and a parent that lost its values", () => {
  const r: ForkCowResult = {
    available: true,
    reason: null,
    pageCount: 100,
    childReadFaults: 0,
    childFirstWriteFaults: 50,
    childSecondWriteFaults: 0,
    childSawParentValues: true,
    parentKeptValues: false,
    parentRewriteFaultsBeforeFork: 0,
    parentWriteFaultsAfterFork: 0,
    python: "python3",
    environment: {} as ForkCowResult["environment"],
  };
  const s = describeCopyOnWrite(r);
  assert.match(s, /fewer than one per page/);
  assert.match(s, /did not all keep its values/);
  assert.doesNotMatch(s, /Even the parent/);
});

Deno.test("recorded on this machine as root and as uid 65534: frames shown, then hidden, and said so", () => {
  const read = (name: string) =>
    JSON.parse(
      Deno.readTextFileSync(new URL(`./fixtures/isolation/${name}`, import.meta.url)),
    ) as IsolationResult;
  const root = read("root-2026-12-01.json");
  assert.equal(root.uid, 0);
  assert.equal(root.framesDiffer, true);
  assert.match(describeIsolation(root), /pagemap shows where: .*it runs as root/);
  const user = read("uid-65534-2026-12-01.json");
  assert.equal(user.uid, 65534);
  assert.equal(user.pfnVisible, false);
  assert.deepEqual(user.children.map((c) => c.readBack), [111, 222]);
  assert.match(describeIsolation(user), /hid the frame numbers .*uid 65534/);
});

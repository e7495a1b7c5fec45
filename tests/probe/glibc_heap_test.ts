import assert from "node:assert/strict";
import {
  createHeap,
  glibcChunkModel,
  probeGlibcFragmentation,
  probeGlibcPlacement,
  probeGlibcSizes,
} from "memgarden";

Deno.test("glibc's usable sizes and strides follow its documented chunk rule, and the simulated heap agrees", () => {
  const sizes = [1, 8, 16, 24, 25, 40, 41, 100, 255, 1000, 1024, 4000];
  const { rows } = probeGlibcSizes(sizes);
  let strides = 0;
  for (const r of rows) {
    const model = glibcChunkModel(r.requestBytes);
    assert.equal(r.usableBytes, model.usableBytes, `usable size of malloc(${r.requestBytes})`);
    if (r.strideBytes !== null) {
      strides++;
      assert.equal(r.strideBytes, model.chunkBytes, `stride of malloc(${r.requestBytes})`);
    }
    // the simulated heap set up like glibc (16-byte alignment, 32-byte minimum) hands out the same block
    const heap = createHeap({ alignment: 16, minBlockBytes: 32 });
    const a = heap.malloc(r.requestBytes)!, b = heap.malloc(r.requestBytes)!;
    assert.equal(b - a, model.chunkBytes);
  }
  assert.ok(strides >= sizes.length / 2, `only ${strides} sizes showed a repeated stride`);
  assert.throws(() => probeGlibcSizes([0]), /sizes must be integers from 1/);
});

Deno.test("small blocks come from an arena; a 64 MiB block starts a mapping of its own", () => {
  const r = probeGlibcPlacement([64 << 20, 512]);
  assert.deepEqual(r.rows.map((x) => x.requestBytes), [512, 64 << 20]);
  assert.equal(r.rows[0].ownMapping, false);
  assert.ok(r.rows[0].region === "[heap]" || r.rows[0].region === "anonymous mapping");
  assert.equal(r.rows[1].ownMapping, true);
  assert.equal(r.rows[1].region, "anonymous mapping");
  assert.deepEqual(r.threshold, { lastInArenaBytes: 512, firstMappedBytes: 64 << 20 });
});

Deno.test("a half-freed heap stays resident; malloc_trim gives the freed pages back", async () => {
  const total = 32 << 20;
  // In a small process of its own (the probe's module alone): in the test runner's, or beside
  // the whole library, what else the process holds kept a third to all of the trimmed pages
  // resident (RSS did not fall once in CI; a child importing "memgarden" gave back 10 MB of
  // 32, one importing the probe alone 21 MB, every time).
  const code = `import { probeGlibcFragmentation } from "./lib/probe/glibc_heap.ts";
console.log(JSON.stringify(probeGlibcFragmentation({ totalBytes: ${total}, trim: true })));`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--frozen", code],
    cwd: new URL("../../", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const r = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(r.blockCount, Math.floor(total / 1000));
  // freeing every other 1000-byte block frees no whole page: RSS barely moves
  assert.ok(r.rssHalfFreedBytes > r.rssAllocatedBytes - total / 8, JSON.stringify(r));
  // after freeing everything and trimming, most of it leaves
  assert.ok(r.rssAllFreedBytes < r.rssHalfFreedBytes - total / 4, JSON.stringify(r));
  assert.throws(
    () => probeGlibcFragmentation({ totalBytes: 1 << 40 }),
    /totalBytes must be an integer/,
  );
});

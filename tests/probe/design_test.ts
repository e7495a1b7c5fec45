/**
 * The three design measurements, run for real in child processes: orderings
 * and ratios only (the machine may be busy), small sizes so each test takes
 * about a second, and no child left behind.
 */
import assert from "node:assert/strict";
import {
  describeBufferReuse,
  describeLaziness,
  describeVersions,
  measureBufferReuse,
  measureLaziness,
  measureVersions,
} from "memgarden";
import { liveChildren } from "./_children.ts";

Deno.test("a reused buffer allocates a fraction of a buffer per item, and collects no more often", async () => {
  const r = await measureBufferReuse({ items: 100_000 });
  const [perItem, reused] = r.variants;
  assert.equal(perItem.variant, "per-item");
  assert.ok(perItem.allocatedBytes > 3 * reused.allocatedBytes, JSON.stringify(r.variants));
  // 100,000 buffers of 64 B are at least 6.4 MB of garbage: the nursery must be swept.
  assert.ok(perItem.allocatedBytes > 100_000 * 64);
  assert.ok(perItem.minorCollections > reused.minorCollections, JSON.stringify(r.variants));
  assert.match(describeBufferReuse(r), /allocated \S+ times the bytes/);
  assert.deepEqual(liveChildren(), []);
});

Deno.test("an eager pipeline's heap peaks far above a lazy one's, for the same answer", async () => {
  const r = await measureLaziness({ items: 200_000 });
  const [eager, lazy] = r.variants;
  assert.equal(eager.total, lazy.total);
  // 200,000 records of two numbers, alive at once: several MB; the lazy peak is a few samples' worth.
  assert.ok(eager.peakHeapBytes > 5 * Math.max(lazy.peakHeapBytes, 1), JSON.stringify(r.variants));
  assert.ok(eager.peakHeapBytes > 200_000 * 16);
  assert.match(describeLaziness(r), /peaked \S+ times as high/);
  assert.deepEqual(liveChildren(), []);
});

Deno.test("copies hold memory in proportion to versions; the shared trie far less", async () => {
  const r = await measureVersions({ items: 10_000, checkpoints: [10, 100, 300] });
  const [copies, pers] = r.variants;
  const held = (v: typeof copies) => v.points.map((p) => p.retainedBytes);
  const [c10, c100, c300] = held(copies);
  assert.ok(c100 > 5 * c10 && c300 > 2 * c100, `copies: ${held(copies)}`);
  // each copy is a whole list: at least 8 B per element
  assert.ok(c300 > 300 * 10_000 * 4);
  assert.ok(c300 > 10 * held(pers)[2], `copies ${c300}, persistent ${held(pers)[2]}`);
  assert.match(
    describeVersions(r),
    /300 versions kept as defensive copies held \S+ times the heap/,
  );
  assert.deepEqual(liveChildren(), []);
});

Deno.test("bad options name the field and the rule", async () => {
  await assert.rejects(
    () => measureBufferReuse({ items: 10 }),
    /Cannot measure buffer reuse:[\s\S]*items/,
  );
  await assert.rejects(
    () => measureLaziness({ items: 1e9 }),
    /Cannot measure laziness:[\s\S]*items/,
  );
  await assert.rejects(
    () => measureVersions({ checkpoints: [10, 5] }),
    /Cannot measure versions:[\s\S]*increasing[\s\S]*checkpoints/,
  );
  await assert.rejects(() => measureBufferReuse({ items: 2000, extra: 1 } as never), TypeError);
});

Deno.test("the prose names the other outcome when the machine shows it", () => {
  const v = (variant: string, allocatedBytes: number, minor: number, ms: number) => ({
    variant,
    allocatedBytes,
    minorCollections: minor,
    majorCollections: 0,
    ms,
  });
  const loaded = describeBufferReuse(
    {
      items: 1000,
      recordBytes: 64,
      startupCollections: 0,
      variants: [v("per-item", 4e7, 2, 90), v("reused", 3e6, 2, 100)],
    } as never,
  );
  assert.match(loaded, /about as long or less this time/);
  assert.match(loaded, /without extra work this time/);
  const slowLazy = describeLaziness({
    items: 10,
    variants: [
      {
        variant: "eager",
        peakHeapBytes: 9e6,
        rssBeforeBytes: null,
        peakRssBytes: null,
        ms: 100,
        total: 3,
      },
      {
        variant: "lazy",
        peakHeapBytes: 1e5,
        rssBeforeBytes: null,
        peakRssBytes: null,
        ms: 300,
        total: 3,
      },
    ],
  } as never);
  assert.match(slowLazy, /lazy one was slower here/);
  const cheapCopies = describeVersions({
    items: 64,
    variants: [
      { variant: "copies", updateNs: 100, points: [{ versions: 10, retainedBytes: 6000 }] },
      { variant: "persistent", updateNs: 300, points: [{ versions: 10, retainedBytes: 5000 }] },
    ],
  } as never);
  assert.match(cheapCopies, /about as much as the heap/);
  assert.match(cheapCopies, /copying is cheap/);
});

import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { createHeap, type FitPolicy, type FreeListKind, type Heap } from "memgarden";

// ---- worked cases ---------------------------------------------------------------

Deno.test("layout: 16 fixed bytes, payloads 8 bytes apart from headers, sizes rounded", () => {
  const heap = createHeap();
  assert.equal(heap.stats().heapBytes, 16);
  const a = heap.malloc(1)!; // 1 + 8 -> 16 (the minimum block)
  const b = heap.malloc(9)!; // 9 + 8 = 17 -> 24
  const c = heap.malloc(24)!; // 24 + 8 = 32
  assert.deepEqual([a, b, c], [16, 32, 56]);
  assert.equal(heap.stats().heapBytes, 16 + 16 + 24 + 32);
  // header and footer hold size | 1
  const w = new DataView(heap.bytes.buffer);
  assert.equal(w.getUint32(b - 4, true), 24 | 1);
  assert.equal(w.getUint32(b + 24 - 8, true), 24 | 1);
});

Deno.test("16-byte alignment rounds blocks to 16 and keeps payloads aligned", () => {
  const heap = createHeap({ alignment: 16 });
  const ps = [1, 9, 24, 25, 100].map((n) => heap.malloc(n)!);
  assert.ok(ps.every((p) => p % 16 === 0));
  assert.deepEqual(heap.blocks().map((b) => b.sizeBytes), [16, 32, 32, 48, 112]);
});

Deno.test("glibc-like minimum block of 32 bytes", () => {
  const heap = createHeap({ alignment: 16, minBlockBytes: 32 });
  const a = heap.malloc(1)!, b = heap.malloc(24)!, c = heap.malloc(25)!;
  assert.deepEqual([b - a, c - b], [32, 32]);
  assert.throws(() => createHeap({ alignment: 16, minBlockBytes: 40 }), /minBlockBytes/);
});

/** Holes of 48, 32, 80 and 40 bytes, each followed by an allocated 16-byte block. */
function holes(list: FreeListKind, fit: FitPolicy): { heap: Heap; hole: number[] } {
  const heap = createHeap({ list, fit });
  const hole: number[] = [];
  for (const size of [48, 32, 80, 40]) {
    hole.push(heap.malloc(size - 8)!);
    heap.malloc(8);
  }
  for (const h of hole) heap.free(h);
  return { heap, hole };
}

for (const list of ["implicit", "explicit", "segregated"] as const) {
  Deno.test(`${list}: first, best and worst fit choose the textbook holes`, () => {
    // A request of 24 bytes needs a 32-byte block.
    let { heap, hole } = holes(list, "best");
    assert.equal(heap.malloc(24), hole[1]); // the 32-byte hole, exactly
    ({ heap, hole } = holes(list, "worst"));
    assert.equal(heap.malloc(24), hole[2]); // the 80-byte hole
    ({ heap, hole } = holes(list, "first"));
    const got = heap.malloc(24);
    // implicit: address order; explicit: LIFO order, so the last hole freed (40) comes first
    if (list === "implicit") assert.equal(got, hole[0]);
    else if (list === "explicit") assert.equal(got, hole[3]);
    else assert.equal(got, hole[1]); // segregated: class 17..32 holds the 32-byte hole
    assert.deepEqual(heap.check(), []);
  });
}

Deno.test("next fit resumes after the previous find instead of starting over", () => {
  const { heap, hole } = holes("implicit", "next");
  assert.equal(heap.malloc(8), hole[0]);
  assert.equal(heap.malloc(8), hole[0] + 16); // the rest of the first hole, found where we stopped
  const first = createHeap({ fit: "first" });
  const a = first.malloc(40)!;
  first.malloc(8);
  first.free(a);
  assert.equal(first.malloc(8), a); // first fit returns to the start
});

Deno.test("split threshold: a small remainder stays inside the block", () => {
  const heap = createHeap({ splitThresholdBytes: 32 });
  const a = heap.malloc(40)!; // a 48-byte block
  heap.malloc(8);
  heap.free(a);
  heap.malloc(8); // needs 16: the 32-byte rest is split off
  assert.equal(heap.stats().freeBlocks, 1);
  const h2 = createHeap({ splitThresholdBytes: 40 });
  const b = h2.malloc(40)!;
  h2.malloc(8);
  h2.free(b);
  h2.malloc(8); // the 32-byte rest is below 40: no split
  assert.equal(h2.stats().freeBlocks, 0);
  assert.equal(h2.stats().internalFragmentationBytes, (48 - 8) + (16 - 8));
});

Deno.test("coalescing: all four cases of CS:APP's boundary-tag merge", () => {
  for (
    const [order, expectBlocks] of [
      [[1], 5], // neither neighbour free
      [[0, 1], 4], // previous free
      [[2, 1], 4], // next free
      [[0, 2, 1], 3], // both free
    ] as const
  ) {
    const heap = createHeap();
    const p = [0, 1, 2, 3].map(() => heap.malloc(8)!);
    heap.malloc(8);
    for (const i of order) heap.free(p[i]);
    assert.equal(heap.blocks().length, expectBlocks, `frees ${order}`);
    assert.deepEqual(heap.check(), []);
  }
});

Deno.test("deferred coalescing merges only when a request finds nothing", () => {
  const heap = createHeap({ coalesce: "deferred" });
  const p = [0, 1, 2].map(() => heap.malloc(8)!);
  heap.malloc(8);
  for (const x of p) heap.free(x);
  assert.equal(heap.stats().freeBlocks, 3);
  const before = heap.stats().heapBytes;
  assert.equal(heap.malloc(40), p[0]); // 48 bytes: only the merged run fits
  assert.equal(heap.stats().heapBytes, before);
  assert.deepEqual(heap.check(), []);
});

Deno.test("the heap grows like sbrk: by what is missing, reusing a free block at its end", () => {
  const heap = createHeap();
  const a = heap.malloc(8)!;
  const b = heap.malloc(24)!;
  heap.free(b); // a free 32-byte block ends the heap
  heap.malloc(56); // needs 64: grows by 32 only
  assert.equal(heap.stats().heapBytes, 16 + 16 + 64);
  assert.equal(a, 16);
  const chunked = createHeap({ chunkBytes: 4096 });
  chunked.malloc(8);
  assert.equal(chunked.stats().heapBytes, 16 + 4096);
});

Deno.test("out of memory is null, never an exception, and leaves the heap intact", () => {
  const heap = createHeap({ maxBytes: 128 });
  const a = heap.malloc(64)!;
  assert.equal(heap.malloc(64), null);
  assert.equal(heap.malloc(2 ** 40), null);
  assert.equal(heap.calloc(2 ** 20, 2 ** 20), null);
  assert.equal(heap.realloc(a, 1000), null);
  assert.equal(heap.isLive(a), true);
  assert.equal(heap.stats().failures, 4);
  assert.deepEqual(heap.check(), []);
  assert.equal(heap.malloc(0), null);
});

Deno.test("bad sizes and bad pointers are clear errors", () => {
  const heap = createHeap();
  assert.throws(() => heap.malloc(-1), /malloc: size must be a non-negative integer: received -1/);
  assert.throws(() => heap.malloc(1.5), RangeError);
  const p = heap.malloc(8)!;
  assert.throws(() => heap.free(p + 1), /free: the address must be one that malloc returned/);
  heap.free(p);
  assert.throws(() => heap.free(p), RangeError);
  assert.throws(() => heap.realloc(p, 8), RangeError);
  heap.free(null);
  assert.throws(() => createHeap({ list: "tree" as "implicit" }), /list must be/);
  assert.throws(() => createHeap({ alignment: 4 as 8 }), /alignment must be 8 or 16: received 4/);
});

Deno.test("realloc: shrink in place, grow into a free neighbour, move when boxed in", () => {
  const heap = createHeap();
  const a = heap.malloc(64)!;
  heap.payload(a).set([1, 2, 3]);
  assert.equal(heap.realloc(a, 8), a);
  assert.deepEqual([...heap.payload(a)], [1, 2, 3, 0, 0, 0, 0, 0]);
  assert.equal(heap.realloc(a, 40), a); // grows back into the freed rest
  const wall = heap.malloc(8)!;
  const b = heap.realloc(a, 200)!; // boxed in: moves
  assert.notEqual(b, a);
  assert.deepEqual([...heap.payload(b).subarray(0, 3)], [1, 2, 3]);
  assert.equal(heap.isLive(a), false);
  assert.equal(heap.isLive(wall), true);
  assert.equal(heap.realloc(b, 0), null);
  assert.equal(heap.isLive(b), false);
  const c = heap.realloc(null, 8)!;
  assert.equal(heap.isLive(c), true);
  assert.deepEqual(heap.check(), []);
});

Deno.test("segregated lists put each free block in its power-of-two class", () => {
  const heap = createHeap({ list: "segregated" });
  const sizes = [16, 24, 32, 40, 64, 72, 2000];
  const ps = sizes.map((s) => {
    const p = heap.malloc(s - 8)!;
    heap.malloc(8);
    return p;
  });
  ps.forEach((p) => heap.free(p));
  assert.deepEqual(heap.check(), []);
  // a request of 56 needs 64: class 33..64 holds 40 and 64; first fit there is LIFO: 64
  assert.equal(heap.malloc(56), ps[4]);
});

Deno.test("step log records search length, split, merges and growth", () => {
  const heap = createHeap({ steps: true, stepLimit: 3 });
  const a = heap.malloc(40)!;
  heap.malloc(8);
  heap.free(a);
  heap.malloc(8);
  assert.equal(heap.steps.length, 3);
  assert.equal(heap.stepsDropped, 1);
  assert.deepEqual(heap.steps[0], {
    op: "malloc",
    sizeBytes: 40,
    address: null,
    result: 16,
    searched: 0,
    split: false,
    merges: 0,
    grewBytes: 48,
  });
});

Deno.test("metrics: utilization, internal and external fragmentation, histogram", () => {
  const heap = createHeap();
  const ps = [0, 1, 2, 3].map(() => heap.malloc(20)!); // 4 blocks of 32
  heap.free(ps[0]);
  heap.free(ps[2]);
  const s = heap.stats();
  assert.equal(s.heapBytes, 16 + 128);
  assert.equal(s.peakPayloadBytes, 80);
  assert.equal(s.utilization, 80 / 144);
  assert.equal(s.internalFragmentationBytes, 2 * (32 - 20));
  assert.equal(s.freeBytes, 64);
  assert.equal(s.externalFragmentation, 0.5);
  assert.deepEqual(heap.freeHistogram(), [{ fromBytes: 17, toBytes: 32, count: 2 }]);
  assert.equal(s.allocatedBytes + s.freeBytes + s.fixedOverheadBytes, s.heapBytes);
});

// ---- the Malloc Lab techniques (options, off by default) ----------------------------------

Deno.test("footers on free blocks only: 4 bytes of tags, and a previous-allocated bit", () => {
  const heap = createHeap({ footers: "free" });
  const w = () => new DataView(heap.bytes.buffer);
  const a = heap.malloc(12)!; // 12 + 4 -> 16 (24 with a footer)
  const b = heap.malloc(20)!; // 20 + 4 -> 24
  const c = heap.malloc(4)!;
  assert.deepEqual([a, b, c], [16, 32, 56]);
  const withFooters = createHeap();
  withFooters.malloc(12);
  assert.equal(withFooters.blocks()[0].sizeBytes, 24);
  assert.equal(w().getUint32(a - 4, true), 16 | 2 | 1); // the prologue before a is allocated
  assert.equal(w().getUint32(b - 4, true), 24 | 2 | 1);
  assert.equal(heap.payload(b).length, 20);
  heap.free(b);
  assert.equal(w().getUint32(b - 4, true), 24 | 2); // free, a before it allocated
  assert.equal(w().getUint32(b + 24 - 8, true), 24); // a free block has its footer
  assert.equal(w().getUint32(c - 4, true), 16 | 1); // c is told its neighbour is free
  assert.deepEqual(heap.check(), []);
  heap.free(a); // merges with b through the bit, not a footer of a
  assert.deepEqual(heap.blocks().map((x) => [x.sizeBytes, x.allocated]), [[40, false], [
    16,
    true,
  ]]);
  assert.equal(w().getUint32(c - 4, true), 16 | 1);
  heap.free(c); // the last block, freed: its footer lets the heap grow by what is missing
  heap.malloc(100);
  assert.equal(heap.stats().heapBytes, 16 + 104);
  assert.deepEqual(heap.check(), []);
  // a corrupted bit is caught
  const d = heap.malloc(8)!;
  heap.bytes[d - 4] &= ~2;
  assert.match(heap.check().join("\n"), /previous-allocated bit is wrong/);
});

Deno.test("small blocks take the high end of a split, large ones the low end", () => {
  const heap = createHeap({ chunkBytes: 256, placeHighBelowBytes: 100 });
  const small = heap.malloc(8)!; // a 16-byte block, cut from the end of the 256-byte chunk
  assert.equal(small, 16 + 256 - 16);
  const large = heap.malloc(200)!; // 208 bytes, from the start
  assert.equal(large, 16);
  assert.deepEqual(heap.blocks().map((b) => [b.sizeBytes, b.allocated]), [
    [208, true],
    [32, false],
    [16, true],
  ]);
  // The binary pattern: small and large alternate; freed large blocks merge only when apart.
  const holes = (placeHighBelowBytes: number) => {
    const h = createHeap({ chunkBytes: 4096, placeHighBelowBytes });
    const big: number[] = [];
    for (let i = 0; i < 5; i++) {
      h.malloc(40);
      big.push(h.malloc(400)!);
    }
    big.forEach((p) => h.free(p));
    assert.deepEqual(h.check(), []);
    return h.stats().freeBlocks;
  };
  assert.equal(holes(100), 1);
  assert.equal(holes(0), 5); // the last one merges with the rest of the chunk
});

Deno.test("growth by a fraction of the heap, and its setting is checked", () => {
  const heap = createHeap({ growFraction: 0.5 });
  heap.malloc(8); // 16 missing; half of 16 is 8: grows by 16
  assert.equal(heap.stats().heapBytes, 32);
  heap.malloc(1000); // 1008 missing, more than 16
  assert.equal(heap.stats().heapBytes, 32 + 1008);
  heap.malloc(8); // half of 1040 is 520
  assert.equal(heap.stats().heapBytes, 1040 + 520);
  assert.equal(heap.stats().largestFreeBytes, 520 - 16);
  const capped = createHeap({ growFraction: 1, maxBytes: 100 });
  assert.notEqual(capped.malloc(40), null); // 16 + 48 = 64; twice that is over the limit: by 48
  assert.equal(capped.stats().heapBytes, 64);
  assert.throws(
    () => createHeap({ growFraction: 2 }),
    /growFraction must be at most 1: received 2/,
  );
  assert.throws(() => createHeap({ footers: "none" as "all" }), /footers must be "all" or "free"/);
  assert.throws(() => createHeap({ placeHighBelowBytes: -1 }), /placeHighBelowBytes/);
  assert.throws(() => createHeap({ reallocBackward: 1 as unknown as boolean }), /reallocBackward/);
});

Deno.test("realloc backward: merge with the free block before and move the contents down", () => {
  for (const footers of ["all", "free"] as const) {
    const heap = createHeap({ reallocBackward: true, footers });
    const a = heap.malloc(40)!;
    const b = heap.malloc(40)!;
    const wall = heap.malloc(8)!;
    heap.payload(b).set([1, 2, 3, 4]);
    heap.free(a);
    const before = heap.stats().heapBytes;
    const q = heap.realloc(b, 80)!; // boxed in by wall, but a's block and b's together suffice
    assert.equal(q, a);
    assert.deepEqual([...heap.payload(q).subarray(0, 4)], [1, 2, 3, 4]);
    assert.equal(heap.stats().heapBytes, before);
    assert.equal(heap.isLive(b), false);
    assert.equal(heap.isLive(wall), true);
    assert.deepEqual(heap.check(), []);
    const plain = createHeap({ footers });
    const pa = plain.malloc(40)!, pb = plain.malloc(40)!;
    plain.malloc(8);
    plain.free(pa);
    assert.ok(plain.realloc(pb, 80)! > pb); // without the option it moves to the end
  }
});

Deno.test("a payload address inside another's 16-byte slot is not live", () => {
  const heap = createHeap();
  const a = heap.malloc(8)!, b = heap.malloc(16)!, c = heap.malloc(8)!;
  assert.deepEqual([a, b, c], [16, 32, 56]);
  assert.equal(heap.isLive(48), false); // shares c's slot (48 >> 4 = 56 >> 4)
  assert.equal(heap.isLive(40), false); // shares b's slot
  assert.throws(() => heap.free(48), RangeError);
  assert.equal(heap.payload(c).length, 8);
  assert.equal(heap.payload(b).length, 16);
});

// ---- a naive reference model ---------------------------------------------------------

interface RefBlock {
  /** Payload address. */
  start: number;
  size: number;
  free: boolean;
}

/**
 * Address-ordered blocks in an array, written from the textbook's description,
 * with the Malloc Lab options: `tags` bytes of overhead in an allocated block
 * (8 with footers, 4 without), small blocks at the high end of a split, and
 * growth by at least a fraction of the heap.
 */
class NaiveHeap {
  blocks: RefBlock[] = [];
  brk = 16;
  constructor(
    readonly fit: "first" | "best" | "worst",
    readonly align = 8,
    readonly tags = 8,
    readonly placeHighBelow = 0,
    readonly growFraction = 0,
  ) {}
  asize(n: number) {
    return Math.max(16, Math.ceil((n + this.tags) / this.align) * this.align);
  }
  malloc(n: number): number {
    const need = this.asize(n);
    const fits = this.blocks.filter((b) => b.free && b.size >= need);
    let chosen: RefBlock | undefined;
    if (this.fit === "first") chosen = fits[0];
    else if (fits.length) {
      const target = this.fit === "best"
        ? Math.min(...fits.map((b) => b.size))
        : Math.max(...fits.map((b) => b.size));
      chosen = fits.find((b) => b.size === target);
    }
    if (!chosen) {
      const last = this.blocks.at(-1);
      const missing = last?.free ? need - last.size : need;
      const grow = Math.max(
        missing,
        Math.ceil(this.brk * this.growFraction / this.align) * this.align,
      );
      if (last?.free) last.size += grow;
      else this.blocks.push({ start: this.brk, size: grow, free: true });
      this.brk += grow;
      chosen = this.blocks.at(-1)!;
    }
    const i = this.blocks.indexOf(chosen);
    if (chosen.size - need >= 16) {
      const rest = chosen.size - need;
      if (need < this.placeHighBelow) {
        // the free rest keeps the low end
        const high = { start: chosen.start + rest, size: need, free: false };
        chosen.size = rest;
        this.blocks.splice(i + 1, 0, high);
        return high.start;
      }
      this.blocks.splice(i + 1, 0, { start: chosen.start + need, size: rest, free: true });
      chosen.size = need;
    }
    chosen.free = false;
    return chosen.start;
  }
  free(p: number) {
    const i = this.blocks.findIndex((b) => b.start === p);
    this.blocks[i].free = true;
    const merged: RefBlock[] = [];
    for (const b of this.blocks) {
      const last = merged.at(-1);
      if (last && last.free && b.free) last.size += b.size;
      else merged.push({ ...b });
    }
    this.blocks = merged;
  }
}

type Op = { kind: "malloc"; size: number } | {
  kind: "free" | "realloc";
  pick: number;
  size: number;
} | {
  kind: "calloc";
  size: number;
};

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("malloc" as const),
      size: fc.integer({ min: 1, max: 300 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("free" as const),
      pick: fc.nat(),
      size: fc.constant(0),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("realloc" as const),
      pick: fc.nat(),
      size: fc.integer({ min: 1, max: 600 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("calloc" as const),
      size: fc.integer({ min: 1, max: 100 }),
    }),
  },
);

Deno.test("implicit lists match the naive model address for address (first, best, worst)", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("first" as const, "best" as const, "worst" as const),
      fc.constantFrom(8, 16),
      fc.constantFrom("all" as const, "free" as const),
      fc.constantFrom(0, 64, 100),
      fc.constantFrom(0, 1 / 16, 0.5),
      fc.array(opArb, { maxLength: 120 }),
      (fit, align, footers, placeHighBelowBytes, growFraction, ops) => {
        const heap = createHeap({
          fit,
          alignment: align as 8 | 16,
          footers,
          placeHighBelowBytes,
          growFraction,
        });
        const ref = new NaiveHeap(
          fit,
          align,
          footers === "free" ? 4 : 8,
          placeHighBelowBytes,
          growFraction,
        );
        const live: number[] = [];
        for (const op of ops) {
          if (op.kind === "malloc" || op.kind === "calloc") {
            const p = heap.malloc(op.size)!;
            assert.equal(p, ref.malloc(op.size));
            live.push(p);
          } else if (op.kind === "free" && live.length) {
            const p = live.splice(op.pick % live.length, 1)[0];
            heap.free(p);
            ref.free(p);
          }
        }
        assert.deepEqual(
          heap.blocks().map((b) => [b.address, b.sizeBytes, !b.allocated]),
          ref.blocks.map((b) => [b.start, b.size, b.free]),
        );
        assert.equal(heap.stats().heapBytes, ref.brk);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("every configuration keeps its invariants and the program's data on random operations", () => {
  fc.assert(
    fc.property(
      fc.record({
        list: fc.constantFrom("implicit", "explicit", "segregated") as fc.Arbitrary<FreeListKind>,
        fit: fc.constantFrom("first", "next", "best", "worst") as fc.Arbitrary<FitPolicy>,
        alignment: fc.constantFrom(8, 16) as fc.Arbitrary<8 | 16>,
        coalesce: fc.constantFrom("immediate", "deferred") as fc.Arbitrary<
          "immediate" | "deferred"
        >,
        splitThresholdBytes: fc.constantFrom(0, 48),
        chunkBytes: fc.constantFrom(0, 256),
        maxBytes: fc.constantFrom(2048, 1 << 20),
        footers: fc.constantFrom("all", "free") as fc.Arbitrary<"all" | "free">,
        placeHighBelowBytes: fc.constantFrom(0, 64, 4096),
        growFraction: fc.constantFrom(0, 1 / 16, 0.5),
        reallocBackward: fc.boolean(),
      }),
      fc.array(opArb, { maxLength: 150 }),
      (config, ops) => {
        const heap = createHeap(config);
        const live = new Map<number, Uint8Array>(); // address -> the bytes the program wrote
        let stamp = 1;
        const fill = (p: number) => {
          const data = heap.payload(p).map((_, i) => (stamp * 31 + i) & 0xff);
          stamp++;
          heap.payload(p).set(data);
          live.set(p, data);
        };
        for (const op of ops) {
          const addrs = [...live.keys()];
          if (op.kind === "malloc") {
            const p = heap.malloc(op.size);
            if (p !== null) fill(p);
          } else if (op.kind === "calloc") {
            const p = heap.calloc(op.size, 2);
            if (p !== null) {
              assert.ok(heap.payload(p).every((b) => b === 0), "calloc zeroes");
              fill(p);
            }
          } else if (addrs.length > 0) {
            const p = addrs[op.pick % addrs.length];
            if (op.kind === "free") {
              heap.free(p);
              live.delete(p);
            } else {
              const old = live.get(p)!;
              const q = heap.realloc(p, op.size);
              if (q === null) {
                assert.equal(heap.isLive(p), true, "a failed realloc keeps the old block");
              } else {
                const keep = Math.min(old.length, op.size);
                assert.deepEqual(heap.payload(q).subarray(0, keep), old.subarray(0, keep));
                live.delete(p);
                fill(q);
              }
            }
          }
          assert.deepEqual(heap.check(), []);
          // live payloads are aligned, inside the heap, and never overlap
          const spans = [...live.entries()].map(([p, d]) => [p, p + d.length] as const)
            .sort((a, b) => a[0] - b[0]);
          for (let i = 0; i < spans.length; i++) {
            assert.equal(spans[i][0] % config.alignment, 0);
            assert.ok(spans[i][1] <= heap.stats().heapBytes);
            const tags = config.footers === "free" ? 4 : 8; // at least a header between payloads
            if (i > 0) assert.ok(spans[i - 1][1] + tags <= spans[i][0], "blocks overlap");
          }
          for (const [p, d] of live) assert.deepEqual(heap.payload(p), d, `block ${p} corrupted`);
          const s = heap.stats();
          assert.equal(s.allocatedBytes + s.freeBytes + s.fixedOverheadBytes, s.heapBytes);
          assert.equal(s.payloadBytes, [...live.values()].reduce((t, d) => t + d.length, 0));
          assert.ok(s.heapBytes <= config.maxBytes);
        }
      },
    ),
    { numRuns: 400 },
  );
});

import assert from "node:assert/strict";
import fc from "fast-check";
import { gzipSync } from "fflate";
import {
  createTrace,
  createTraceStreamStats,
  formatLackey,
  parseTraceStream,
  randomTrace,
  readTrace,
  traceToAccesses,
} from "memgarden";

const enc = new TextEncoder();

function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
}

Deno.test("gzip round trip: any chunking of plain or gzip bytes gives the same trace", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer(),
      fc.integer({ min: 0, max: 3000 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.boolean(),
      async (seed, count, cuts, gz) => {
        const t = randomTrace({ seed, count, rangeBytes: 1 << 20, storeFraction: 0.3 });
        const text = enc.encode(formatLackey(t));
        const bytes = gz ? gzipSync(text) : text;
        const stats = createTraceStreamStats();
        const inflater = seed % 2 === 0 ? "native" as const : "fflate" as const;
        const back = await readTrace(chunked(bytes, cuts), { batchSize: 500, stats, inflater });
        assert.deepEqual(back.addresses, t.addresses);
        assert.deepEqual(back.ops, t.ops);
        assert.deepEqual(back.sizes, t.sizes);
        assert.equal(stats.gzip, gz);
        assert.equal(stats.accesses, count);
      },
    ),
    { numRuns: 40 },
  );
});

Deno.test("a ReadableStream source works, and din through gzip", async () => {
  const gz = gzipSync(enc.encode("0 10\n1 20\n2 30\n"));
  const t = await readTrace(new Blob([gz]).stream(), { format: "din" });
  assert.deepEqual(traceToAccesses(t).map((a) => a.op), ["L", "S", "I"]);
});

for (const inflater of ["native", "fflate"] as const) {
  Deno.test(`corrupt gzip gives a clear error (${inflater} inflater)`, async () => {
    const read = (bytes: Uint8Array) => readTrace([bytes], { inflater });
    const text = enc.encode(formatLackey(randomTrace({ seed: 1, count: 2000, rangeBytes: 4096 })));
    const gz = gzipSync(text);
    // Flip one byte in the middle of the deflate data: inflate fails or the checksum does not
    // match; either way the error is about gzip, not a misleading malformed line.
    for (const at of [0.3, 0.5, 0.7]) {
      const bad = gz.slice();
      bad[Math.floor(bad.length * at)] ^= 0x55;
      await assert.rejects(read(bad), /^SyntaxError: Cannot read gzip trace: /);
    }
    await assert.rejects(
      read(gz.subarray(0, gz.length - 20)),
      /Cannot read gzip trace: data is corrupt or truncated/,
    );
    await assert.rejects(read(gz.subarray(0, gz.length - 4)), /Cannot read gzip trace: /);
    const wrongCrc = gz.slice();
    wrongCrc[wrongCrc.length - 8] ^= 1;
    await assert.rejects(read(wrongCrc), /Cannot read gzip trace: .*checksum/);
    const wrongSize = gz.slice();
    wrongSize[wrongSize.length - 1] ^= 1;
    await assert.rejects(read(wrongSize), /Cannot read gzip trace: .*(length|size|checksum)/);
    await assert.rejects(
      readTrace([enc.encode("xy")], { gzip: true, inflater }),
      /Cannot read gzip trace/,
    );
    await assert.rejects(
      readTrace([], { gzip: true, inflater }),
      /Cannot read gzip trace: data is empty/,
    );
    // And intact data still reads through this inflater, in odd chunks.
    const back = await readTrace(chunked(gz, [1, 2, 333]), { inflater });
    assert.equal(back.length, 2000);
  });
}

Deno.test("a malformed line inside gzip data names its line number across chunk boundaries", async () => {
  const lines = Array.from({ length: 5000 }, (_, i) => ` L ${(i * 8).toString(16)},8`);
  lines[4321] = " L 10;8";
  const gz = gzipSync(enc.encode(lines.join("\n") + "\n"));
  await assert.rejects(
    readTrace(chunked(gz, [17, 999, 3000])),
    (e: Error) => e instanceof SyntaxError && /line 4322 .*received " L 10;8"/.test(e.message),
  );
});

Deno.test("a final line without newline is parsed; an over-long line is refused", async () => {
  const t = await readTrace([enc.encode(" L 10,4\n S 2"), enc.encode("0,4")]);
  assert.deepEqual([...t.addresses], [0x10, 0x20]);
  await assert.rejects(
    readTrace([enc.encode(" L " + "0".repeat(5000))]),
    /line 1 is longer than 4096 bytes/,
  );
});

Deno.test("bad options are clear errors", async () => {
  await assert.rejects(
    readTrace([], { format: "csv" as "din" }),
    /format must be "lackey" or "din": received "csv"/,
  );
  await assert.rejects(
    readTrace([], { batchSize: 0 }),
    /batchSize must be a positive integer: received 0/,
  );
  await assert.rejects(readTrace([[1, 2] as unknown as Uint8Array]), /chunks must be Uint8Array/);
  await assert.rejects(
    readTrace([], { inflater: "zlib" as "native" }),
    /inflater must be "native" or "fflate": received "zlib"/,
  );
});

Deno.test("streaming 200 MB of trace text keeps memory flat (checked by counting)", async () => {
  // A pull-based source that makes each 1 MiB chunk only when asked; nothing is kept.
  const line = enc.encode(" L 7ff000398,8\n S 04022e40,4\nI  0400d7d4,8\n"); // 3 accesses, 44 bytes
  const perChunk = Math.floor((1 << 20) / line.length);
  const chunk = new Uint8Array(perChunk * line.length);
  for (let i = 0; i < perChunk; i++) chunk.set(line, i * line.length);
  const chunks = Math.ceil(200e6 / chunk.length);
  let made = 0, outstandingMax = 0, consumed = 0;
  const source = {
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < chunks; i++) {
        made++;
        outstandingMax = Math.max(outstandingMax, made - consumed);
        yield chunk;
      }
    },
  };
  const stats = createTraceStreamStats();
  let accesses = 0, stores = 0;
  for await (const batch of parseTraceStream(source, { batchSize: 65536, stats })) {
    consumed = made;
    accesses += batch.length;
    for (let i = 0; i < batch.length; i++) stores += batch.ops[i] === 1 ? 1 : 0;
  }
  assert.ok(stats.textBytes >= 200e6, `only ${stats.textBytes} bytes`);
  assert.equal(accesses, chunks * perChunk * 3);
  assert.equal(stores, chunks * perChunk);
  // Bounded state: at most one source chunk in flight, batches never much above batchSize,
  // and no more than one partial line carried between slices.
  assert.ok(outstandingMax <= 1, `outstanding chunks ${outstandingMax}`);
  assert.ok(stats.maxBatchLength <= 65536 + 16384, `max batch ${stats.maxBatchLength}`);
  assert.ok(stats.maxCarryBytes < 44, `carry ${stats.maxCarryBytes}`);
  assert.ok(stats.batches >= accesses / (65536 + 16384));
});

Deno.test("empty input gives an empty trace", async () => {
  assert.equal((await readTrace([])).length, 0);
  assert.equal((await readTrace([gzipSync(new Uint8Array(0))])).length, 0);
  assert.deepEqual(traceToAccesses(await readTrace([enc.encode("==1== banner only\n")])), []);
  assert.equal(createTrace([]).length, 0);
});

Deno.test("a stream is cancelled when parsing stops early, so its source is released", async () => {
  let cancelled = false;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(enc.encode(" L 10,4\n X 20,4\n"));
    },
    cancel() {
      cancelled = true;
    },
  });
  await assert.rejects(readTrace(source), /line 2 must start with I, L, S or M/);
  assert.ok(cancelled);
});

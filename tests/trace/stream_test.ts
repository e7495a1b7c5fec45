import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { chunked } from "./_chunks.ts";
import { gzipSync } from "fflate";
import {
  createTrace,
  createTraceStreamStats,
  formatLackey,
  parseDin,
  parseLackey,
  parseTraceStream,
  randomTrace,
  readTrace,
  traceToAccesses,
} from "memgarden";

const enc = new TextEncoder();

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
        const inflater = seed % 2 === 0 ? "zlib" as const : "fflate" as const;
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

for (const inflater of ["zlib", "fflate"] as const) {
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
      /Cannot read gzip trace: data is (corrupt or )?truncated/,
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
    readTrace([], { inflater: "native" as "zlib" }),
    /inflater must be "zlib" or "fflate": received "native"/,
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

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("several gzip members (cat a.gz b.gz) read whole, as zcat reads them", async () => {
  const a = randomTrace({ seed: 5, count: 3000, rangeBytes: 1 << 16 });
  const b = randomTrace({ seed: 6, count: 1000, rangeBytes: 1 << 16 });
  const gzA = gzipSync(enc.encode(formatLackey(a)));
  // The second member's header carries extra data, a file name and a comment
  // (FEXTRA, FNAME, FCOMMENT), spliced in after the 10 fixed bytes.
  const plainB = gzipSync(enc.encode(formatLackey(b)));
  const head = plainB.slice(0, 10);
  head[3] = 4 | 8 | 16;
  const gzB = concat(
    head,
    new Uint8Array([3, 0, 1, 2, 3]),
    enc.encode("b.trace\0member 2\0"),
    plainB.subarray(10),
  );
  const joined = concat(gzA, gzB, gzA);
  for (const cuts of [[], [gzA.length], [gzA.length - 3, gzA.length + 5], [1, 17, 4000]]) {
    const stats = createTraceStreamStats();
    const t = await readTrace(chunked(joined, cuts), { stats });
    assert.equal(t.length, 7000);
    assert.deepEqual(t.addresses.subarray(3000, 4000), b.addresses);
    assert.deepEqual(t.addresses.subarray(4000), a.addresses);
    assert.equal(stats.gzipMembers, 3);
  }
  // fflate's inflater reads the members too.
  assert.equal((await readTrace([joined], { inflater: "fflate" })).length, 7000);
});

Deno.test("bytes after a gzip member: zero padding is ignored like gzip; other bytes name their offset", async () => {
  const gz = gzipSync(enc.encode(" L 10,4\n S 20,4\n"));
  const padded = await readTrace(chunked(concat(gz, new Uint8Array(512)), [gz.length + 7]));
  assert.equal(padded.length, 2);
  await assert.rejects(
    readTrace([concat(gz, enc.encode("trailing junk\n"))]),
    (e: Error) =>
      e instanceof SyntaxError &&
      e.message ===
        `Cannot read gzip trace: unexpected bytes after gzip member 1 at byte offset ${gz.length}: expected another member (1f 8b) or the end of the file: received 74 72 61 69 6c 69 6e 67`,
  );
  await assert.rejects(
    readTrace([concat(gz, gz, new Uint8Array([0x1f]))]),
    new RegExp(`after gzip member 2 at byte offset ${2 * gz.length}: .*received 1f$`),
  );
  await assert.rejects(
    readTrace([concat(gz, new Uint8Array(4), enc.encode("x"))]),
    new RegExp(`after the zero padding that follows member 1 at byte offset ${gz.length + 4}`),
  );
  // A second member cut short is truncation, not garbage.
  await assert.rejects(
    readTrace([concat(gz, gz.subarray(0, gz.length - 4))]),
    /Cannot read gzip trace: data is truncated: member 2 .*no trailer/,
  );
});

/** The same gzip member over and over: `members` x `lines` lackey lines, made as it is read. */
function repeatedMembers(members: number, lines: number) {
  const text = enc.encode(
    Array.from({ length: lines }, (_, i) => ` L ${(0x7ff000000 + 8 * (i % 2048)).toString(16)},8`)
      .join("\n") + "\n",
  );
  const member = gzipSync(text, { level: 9 });
  let made = 0;
  const source = {
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < members; i++) {
        made++;
        yield member;
      }
    },
  };
  return { source, member, textBytes: text.length * members, made: () => made };
}

Deno.test("a 1 GiB-of-lines gzip streams with bounded state (counted, stopped early)", async () => {
  // 1024 members of 1 MiB of text each: a few MB of gzip standing for 1 GiB of trace lines.
  const lines = Math.floor((1 << 20) / 15);
  const big = repeatedMembers(1024, lines);
  assert.ok(big.textBytes >= 2 ** 30 * 0.99);
  const stats = createTraceStreamStats();
  let accesses = 0;
  for await (const batch of parseTraceStream(big.source, { batchSize: 8192, stats })) {
    accesses += batch.length;
    if (accesses >= 16 * lines) break; // 16 MiB of text is enough to see the state stay flat
  }
  assert.ok(big.made() <= 18, `members pulled: ${big.made()}`);
  assert.ok(stats.maxBatchLength <= 8192 + 16384, `batch ${stats.maxBatchLength}`);
  assert.ok(stats.maxCarryBytes < 32, `carry ${stats.maxCarryBytes}`);
  // One inflater write (16 KiB of input) is the most text waiting at once; a 1 MiB member
  // compresses far below that, so at most about one member's text is held.
  assert.ok(stats.maxInflatedBytes <= 1.1 * (1 << 20), `inflated ${stats.maxInflatedBytes}`);
  assert.ok(stats.gzipMembers >= 15);
});

Deno.test("fuzz: random bytes parse or fail with a SyntaxError naming the line", async () => {
  const lineChars = fc.constantFrom(
    ..." LSMI0123456789abcdefABCDEFx,;\t\r\n=-".split(""),
  );
  const text = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.array(lineChars, { maxLength: 300 }).map((cs) => enc.encode(cs.join(""))),
  );
  await fc.assert(
    fc.asyncProperty(text, fc.constantFrom("lackey" as const, "din" as const), async (b, f) => {
      for (const parse of [() => (f === "lackey" ? parseLackey(b) : parseDin(b))]) {
        try {
          const t = parse();
          for (let i = 0; i < t.length; i++) {
            assert.ok(Number.isSafeInteger(t.addresses[i]) && t.addresses[i] >= 0);
            assert.ok(t.sizes[i] >= 1 && t.ops[i] <= 3);
          }
        } catch (e) {
          assert.ok(e instanceof SyntaxError, String(e));
          assert.match(e.message, /^Cannot parse (lackey|din) trace: line \d+ /);
        }
      }
      // The streaming reader agrees with the one-shot parser, in any chunking.
      let one: unknown, streamed: unknown;
      try {
        one = traceToAccesses(f === "lackey" ? parseLackey(b) : parseDin(b));
      } catch (e) {
        one = (e as Error).message;
      }
      try {
        streamed = traceToAccesses(
          await readTrace(chunked(b, [7, 50]), { format: f, gzip: false }),
        );
      } catch (e) {
        streamed = (e as Error).message;
      }
      assert.deepEqual(streamed, one);
    }),
    { numRuns: 300 },
  );
});

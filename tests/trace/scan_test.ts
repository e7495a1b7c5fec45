import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { chunked } from "./_chunks.ts";
import { gzipSync } from "fflate";
import {
  type Access,
  formatDin,
  formatLackey,
  MAX_ADDRESS,
  parseDin,
  parseLackey,
  readTraceFile,
  scanTraceFile,
  type Trace,
  TraceScanner,
  traceToAccesses,
} from "memgarden";

const enc = new TextEncoder();
const LETTERS = ["L", "S", "I", "M"] as const;

/**
 * A reference parser written from the formats' grammar with strings and regular
 * expressions, sharing no code with the library: the byte-level scanner must agree with it.
 */
function referenceParse(text: string, format: "lackey" | "din"): Access[] | { line: number } {
  const out: Access[] = [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (let k = 0; k < lines.length; k++) {
    const raw = lines[k];
    if (raw.length > 4096) return { line: k + 1 };
    const line = raw.replace(/[\r \t]+$/, "").replace(/^[ \t]+/, "");
    if (line === "") continue;
    if (format === "lackey") {
      if (line.startsWith("==")) continue;
      const m = /^([ILSM])[ \t]+(?:0[xX])?([0-9a-fA-F]+),([0-9]+)$/.exec(line);
      if (!m) return { line: k + 1 };
      const address = parseInt(m[2], 16), size = Number(m[3]);
      if (address > MAX_ADDRESS || size > 65535) return { line: k + 1 };
      out.push({ op: m[1] as Access["op"], address, sizeBytes: size === 0 ? 1 : size });
    } else {
      const m = /^([012])[ \t]+(?:0[xX])?([0-9a-fA-F]+)(?:[ \t].*)?$/.exec(line);
      if (!m) return { line: k + 1 };
      const address = parseInt(m[2], 16);
      if (address > MAX_ADDRESS) return { line: k + 1 };
      out.push({ op: (["L", "S", "I"] as const)[Number(m[1])], address, sizeBytes: 1 });
    }
  }
  return out;
}

/** Everything a scanner hands out, copied batch by batch (the batch arrays are reused). */
function scanAll(
  chunks: Uint8Array[],
  format: "lackey" | "din",
  batchSize: number,
): Access[] | { line: number; message: string } {
  const got: Access[] = [];
  const scanner = new TraceScanner({
    format,
    batchSize,
    onBatch(b: Trace) {
      for (let i = 0; i < b.length; i++) {
        got.push({ op: LETTERS[b.ops[i]], address: b.addresses[i], sizeBytes: b.sizes[i] });
      }
    },
  });
  try {
    for (const c of chunks) scanner.push(c);
    scanner.finish();
  } catch (e) {
    assert.ok(e instanceof SyntaxError, String(e));
    return { line: Number(/ line (\d+) /.exec(e.message)?.[1]), message: e.message };
  }
  assert.equal(scanner.accesses, got.length);
  return got;
}

/** 14 to 16 hex digits: at or past 2^53 some of the time. */
const longHex = fc.string({
  unit: fc.constantFrom(..."0123456789abcdef1".split("")),
  minLength: 14,
  maxLength: 16,
});

/** One line of a trace, in the many legal spellings and some illegal ones. */
const lackeyLine = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constantFrom(...LETTERS),
      address: fc.oneof(fc.nat(0xffff), fc.integer({ min: 0, max: MAX_ADDRESS })),
      size: fc.integer({ min: 0, max: 70000 }),
      lead: fc.constantFrom(" ", "", "  ", "\t"),
      gap: fc.constantFrom(" ", "  ", "\t"),
      prefix: fc.constantFrom("", "", "0x"),
      upper: fc.boolean(),
      pad: fc.nat(14),
      tail: fc.constantFrom("", "", "", "\r", " ", "\t\r"),
      long: fc.option(longHex, { freq: 8 }),
    }).map((l) => {
      let hex = l.long ?? l.address.toString(16).padStart(l.pad, "0");
      if (l.upper) hex = hex.toUpperCase();
      return `${l.lead}${l.op}${l.gap}${l.prefix}${hex},${l.size}${l.tail}`;
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom("==123== Lackey banner", "", "   ", "\r") },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

const dinLine = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      label: fc.constantFrom("0", "1", "2"),
      address: fc.oneof(fc.nat(0xffff), fc.integer({ min: 0, max: MAX_ADDRESS })),
      gap: fc.constantFrom(" ", " ", "\t", "  "),
      prefix: fc.constantFrom("", "", "0X"),
      rest: fc.constantFrom("", "", " 4", "\r", " ignored"),
      long: fc.option(longHex, { freq: 8 }),
    }).map((l) => `${l.label}${l.gap}${l.prefix}${l.long ?? l.address.toString(16)}${l.rest}`),
  },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "3 10", "0 ", "0 xyz") },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

function textOf(lines: string[], finalNewline: boolean): string {
  return lines.join("\n") + (finalNewline && lines.length > 0 ? "\n" : "");
}

for (const format of ["lackey", "din"] as const) {
  Deno.test(`${format}: the byte-level scanner agrees with a reference parser on random traces, in any chunking`, () => {
    fc.assert(
      fc.property(
        fc.array(format === "lackey" ? lackeyLine : dinLine, { maxLength: 60 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 1, max: 50 }),
        (lines, finalNewline, cuts, batchSize) => {
          const text = textOf(lines, finalNewline);
          const bytes = enc.encode(text);
          const want = referenceParse(text, format);
          const got = scanAll(chunked(bytes, cuts), format, batchSize);
          // The library's one-shot parser gives the same records or the same error.
          let oneShot: Access[] | { line: number; message: string };
          try {
            oneShot = traceToAccesses(format === "lackey" ? parseLackey(bytes) : parseDin(bytes));
          } catch (e) {
            oneShot = {
              line: Number(/ line (\d+) /.exec((e as Error).message)?.[1]),
              message: (e as Error).message,
            };
          }
          if (Array.isArray(want)) {
            assert.deepEqual(got, want);
            assert.deepEqual(oneShot, want);
          } else {
            assert.ok(!Array.isArray(got) && !Array.isArray(oneShot), JSON.stringify(got));
            assert.equal(got.line, want.line, got.message);
            assert.equal(oneShot.message, got.message);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
}

Deno.test("a line longer than 4096 bytes is refused however the chunks fall", () => {
  const line = " L " + "0".repeat(4100) + "10,4\n";
  for (const cuts of [[], [2000], [4500]]) {
    const got = scanAll(chunked(enc.encode(" L 10,4\n" + line), cuts), "lackey", 8);
    assert.ok(!Array.isArray(got));
    assert.match(got.message, /line 2 is longer than 4096 bytes/);
  }
});

Deno.test("scanTraceFile reads every recorded trace in data/ like readTraceFile, plain and gzip", async () => {
  const dir = new URL("../../data/traces/", import.meta.url).pathname;
  const tmp = await Deno.makeTempDir();
  try {
    for (const entry of Deno.readDirSync(dir)) {
      if (!/\.trace(\.gz)?$/.test(entry.name)) continue;
      const path = dir + entry.name;
      const want = await readTraceFile(path);
      // The same text both ways: plain, gzip, and Dinero's din (M written as a load and a store).
      const text = formatLackey(want);
      const din = formatDin(want);
      const files: [string, string | Uint8Array, number][] = [
        [path, "", want.length],
        [`${tmp}/a.trace`, text, want.length],
        [`${tmp}/a.trace.gz`, gzipSync(enc.encode(text)), want.length],
        [`${tmp}/a.din`, din, din.split("\n").length - 1],
      ];
      for (const [file, data, count] of files) {
        if (data !== "") {
          if (typeof data === "string") await Deno.writeTextFile(file, data);
          else await Deno.writeFile(file, data);
        }
        let n = 0, sum = 0;
        const summary = await scanTraceFile(file, (b) => {
          for (let i = 0; i < b.length; i++) sum += b.addresses[i] % 9973 + b.ops[i];
          n += b.length;
        });
        assert.equal(n, count, file);
        assert.equal(summary.accesses, count);
        if (!file.endsWith(".din")) {
          let ref = 0;
          for (let i = 0; i < want.length; i++) ref += want.addresses[i] % 9973 + want.ops[i];
          assert.equal(sum, ref, file);
        }
      }
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("scanTraceFile names the file and line of a malformed line, and a directory", async () => {
  const path = await Deno.makeTempFile({ suffix: ".din" });
  try {
    await Deno.writeTextFile(path, "0 10\n1 20\n9 30\n");
    await assert.rejects(
      scanTraceFile(path, () => {}),
      (e: Error) =>
        e instanceof SyntaxError && e.message.startsWith(`${path}: `) &&
        / line 3 label must be 0 \(read\), 1 \(write\) or 2 \(ifetch\): received "9 30"$/.test(
          e.message,
        ),
    );
  } finally {
    await Deno.remove(path);
  }
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(scanTraceFile(dir, () => {}), /is a directory.*received "/);
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("scanTraceFile: a gzip file of several members spanning many 1 MiB reads", async () => {
  const { randomTrace } = await import("memgarden");
  const t = randomTrace({ seed: 9, count: 400_000, rangeBytes: 2 ** 40, storeFraction: 0.3 });
  const text = enc.encode(formatLackey(t));
  // Three members, cut at line ends, with fflate's fastest level so the file stays large.
  const cuts = [0.31, 0.77].map((f) => text.indexOf(10, Math.floor(text.length * f)) + 1);
  const parts = [text.subarray(0, cuts[0]), text.subarray(cuts[0], cuts[1]), text.subarray(cuts[1])]
    .map((p) => gzipSync(p, { level: 1 }));
  const path = await Deno.makeTempFile({ suffix: ".trace.gz" });
  try {
    const file = await Deno.open(path, { write: true });
    for (const p of parts) await file.write(p);
    file.close();
    assert.ok(Deno.statSync(path).size > 1.5 * (1 << 20), `${Deno.statSync(path).size} bytes`);
    let n = 0, sum = 0;
    const summary = await scanTraceFile(path, (b) => {
      for (let i = 0; i < b.length; i++) sum += (b.addresses[i] % 65521) * (b.ops[i] + 1);
      n += b.length;
    });
    let ref = 0;
    for (let i = 0; i < t.length; i++) ref += (t.addresses[i] % 65521) * (t.ops[i] + 1);
    assert.deepEqual([n, sum, summary.gzip, summary.textBytes], [t.length, ref, true, text.length]);
  } finally {
    await Deno.remove(path);
  }
});

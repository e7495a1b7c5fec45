// Trace throughput inside one process: gzip lackey bytes held in memory, streamed
// through node:zlib (or fflate) + the lackey parser + one 32 KiB 8-way LRU level; and the
// fused scanner on the plain text. For the command as a user runs it, see cache_e2e_bench.ts.
// Each iteration handles N accesses, so accesses/s = N / (time per iteration).
import { gzipSync } from "fflate";
import {
  CacheSimulator,
  concatTraces,
  CsimCounter,
  formatDin,
  formatLackey,
  parseLackey,
  parseTraceStream,
  randomTrace,
  readTrace,
  stridedTrace,
  TraceScanner,
} from "memgarden";

const N = 1_000_000;
// Half a sequential sweep, half random accesses in 1 MiB: a realistic mix of hits and misses,
// with lackey's 8+ hex-digit addresses.
const trace = concatTraces([
  stridedTrace({ count: N / 2, startAddress: 0x7ff000000, strideBytes: 8, elementBytes: 8 }),
  randomTrace({
    seed: 3,
    count: N / 2,
    rangeBytes: 1 << 20,
    startAddress: 0x4000000,
    elementBytes: 8,
    storeFraction: 0.3,
  }),
]);
const text = new TextEncoder().encode(formatLackey(trace));
const gz = gzipSync(text, { level: 6 });
const chunks: Uint8Array[] = [];
for (let at = 0; at < gz.length; at += 65536) chunks.push(gz.subarray(at, at + 65536));
const l1 = { sizeBytes: 32768, ways: 8, lineBytes: 64 };
let sink = 0;

console.log(`input: ${N} accesses, ${text.length} bytes of text, ${gz.length} bytes gzip`);

Deno.bench({
  group: "1e6 accesses from gzip lackey bytes in memory",
  name: "stream: gunzip + parse + simulate (no 3C)",
  baseline: true,
  async fn() {
    const sim = new CacheSimulator({ levels: [l1], classifyMisses: false });
    for await (const batch of parseTraceStream(chunks)) sim.run(batch);
    sink += sim.result().levels[0].misses;
  },
});

Deno.bench({
  group: "1e6 accesses from gzip lackey bytes in memory",
  name: "stream with fflate's Gunzip + parse + simulate (no 3C)",
  async fn() {
    const sim = new CacheSimulator({ levels: [l1], classifyMisses: false });
    for await (const batch of parseTraceStream(chunks, { inflater: "fflate" })) sim.run(batch);
    sink += sim.result().levels[0].misses;
  },
});

// The fused path behind `sim cache`: text chunks parsed in place into one reused batch,
// simulated as each batch fills (csim's rules, one LRU level).
const textChunks: Uint8Array[] = [];
for (let at = 0; at < text.length; at += 1 << 20) {
  textChunks.push(text.subarray(at, at + (1 << 20)));
}
const din = new TextEncoder().encode(formatDin(trace));
const dinChunks: Uint8Array[] = [];
for (let at = 0; at < din.length; at += 1 << 20) dinChunks.push(din.subarray(at, at + (1 << 20)));
for (
  const [name, format, input] of [["lackey", "lackey", textChunks], [
    "din",
    "din",
    dinChunks,
  ]] as const
) {
  Deno.bench({
    group: "1e6 accesses from gzip lackey bytes in memory",
    name: `fused: scan ${name} text + simulate (TraceScanner + CsimCounter, no gzip)`,
    fn() {
      const counter = new CsimCounter(6, 8, 6);
      const scanner = new TraceScanner({ format, onBatch: (b) => counter.run(b) });
      for (const c of input) scanner.push(c);
      scanner.finish();
      sink += counter.counts().misses;
    },
  });
}

Deno.bench({
  group: "1e6 accesses from gzip lackey bytes in memory",
  name: "stream: gunzip + parse only",
  async fn() {
    for await (const batch of parseTraceStream(chunks)) sink += batch.length;
  },
});

Deno.bench({
  group: "1e6 accesses from gzip lackey bytes in memory",
  name: "plain text: parseLackey only (no gzip)",
  fn() {
    sink += parseLackey(text).length;
  },
});

Deno.bench({
  group: "1e6 accesses from gzip lackey bytes in memory",
  name: "readTrace to one in-memory trace",
  async fn() {
    sink += (await readTrace(chunks)).length;
  },
});

globalThis.addEventListener("unload", () => {
  if (sink === -1) console.log(sink);
});

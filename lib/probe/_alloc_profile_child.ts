// Child process of alloc_profile.ts: run a small word-counting program
// under V8's sampling heap profiler (every allocation is a candidate for a
// sample, about one per `interval` bytes; collected objects are kept in the
// profile) and print the profile's call tree as JSON on stdout.
import inspector from "node:inspector";

const [linesArg, intervalArg] = Deno.args;
const lineCount = Number(linesArg);

const WORDS = ["page", "frame", "heap", "stack", "cache", "line", "fault", "swap", "leak", "arena"];

function makeText(lines: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const words: string[] = [];
    for (let k = 0; k < 12; k++) words.push(WORDS[(i * 7 + k * 3) % WORDS.length] + (k % 4));
    out.push(words.join(" ") + ".");
  }
  return out;
}

function tokenize(line: string): string[] {
  return line.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 0);
}

function countWords(lines: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    for (const w of tokenize(line)) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return counts;
}

function topWords(counts: Map<string, number>, n: number): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n);
}

function formatReport(top: [string, number][]): string {
  return top.map(([w, c]) => `${w.padEnd(12)} ${String(c).padStart(8)}`).join("\n");
}

function main(): number {
  const lines = makeText(lineCount);
  const counts = countWords(lines);
  return formatReport(topWords(counts, 20)).length;
}

const session = new inspector.Session();
session.connect();
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) =>
    session.post(
      method,
      params ?? {},
      (err: Error | null, res: unknown) => err ? reject(err) : resolve(res),
    )
  );
await post("HeapProfiler.startSampling", {
  samplingInterval: Number(intervalArg),
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
const answer = main();
const { profile } = await post("HeapProfiler.stopSampling") as { profile: unknown };
session.disconnect();
console.log(JSON.stringify({ answer, profile }));

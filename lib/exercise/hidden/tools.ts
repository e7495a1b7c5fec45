/**
 * Lesson 09's hidden tests (instructor side only): reference answers and
 * the cases that decide the grade.
 *
 * @module
 */
import { defineHiddenTests, type HiddenTests, visibleAsHidden } from "../exercise.ts";
import { createPrng } from "../../random/mod.ts";
import {
  type CpuReading,
  type RssPoint,
  toolsCpuShare,
  toolsFindLeaks,
  toolsRssVerdict,
} from "../bank/tools.ts";

const prng = createPrng(0x09_5eed);
const MiB = 1048576;

/** The reference: where each definitely lost block was allocated. */
function lostAt(report: string): string[] {
  const lines = report.split("\n").map((l) => l.replace(/^==\d+==\s?/, ""));
  const out: string[] = [];
  lines.forEach((l, i) => {
    if (!/ are definitely lost in loss record/.test(l)) return;
    for (let j = i + 1; j < lines.length && /^\s+(at|by) /.test(lines[j]); j++) {
      const f = lines[j].match(/^\s+(?:at|by) 0x[0-9A-Fa-f]+: (\S+) \(([^():]+):(\d+)\)/);
      if (f) {
        out.push(`${f[1]} ${f[2]}:${f[3]}`);
        break;
      }
    }
  });
  return out.sort();
}

/** A third report, unseen: a possibly lost record, a loss through a helper, pid prefixes removed. */
const HIDDEN_REPORT = `HEAP SUMMARY:
    in use at exit: 4,176 bytes in 4 blocks
  total heap usage: 12 allocs, 8 frees, 9,000 bytes allocated

80 bytes in 1 blocks are possibly lost in loss record 1 of 4
   at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
   by 0x1091F0: slice_of (image.c:40)
   by 0x109402: main (image.c:88)

96 bytes in 1 blocks are still reachable in loss record 2 of 4
   at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
   by 0x109120: open_cache (image.c:12)
   by 0x1093E0: main (image.c:80)

4,000 bytes in 1 blocks are definitely lost in loss record 3 of 4
   at 0x4843D70: calloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
   by 0x109230: xcalloc (util.c:7)
   by 0x109290: load_pixels (image.c:55)
   by 0x109420: main (image.c:91)

LEAK SUMMARY:
   definitely lost: 4,000 bytes in 1 blocks
   indirectly lost: 0 bytes in 0 blocks
     possibly lost: 80 bytes in 1 blocks
   still reachable: 96 bytes in 1 blocks
`;

/**
 * Hidden tests of tools-find-leaks: the two visible reports and an unseen one.
 *
 * @example Four points in all, as the exercise
 * ```ts
 * import { toolsFindLeaksHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(toolsFindLeaksHidden.tests.reduce((s, t) => s + t.points, 0), 4);
 * ```
 */
export const toolsFindLeaksHidden: HiddenTests<(r: string) => string[]> = defineHiddenTests<
  (r: string) => string[]
>({
  id: "tools-find-leaks",
  reference: lostAt,
  tests: [
    ...visibleAsHidden(toolsFindLeaks, 2),
    {
      name: "an unseen report: possibly lost is not definitely lost; the first frame with a line",
      points: 2,
      calls: [[HIDDEN_REPORT]],
      judge: ([got], _calls, expected) => {
        if (
          !Array.isArray(got) || JSON.stringify([...got].sort()) !== JSON.stringify(expected![0])
        ) {
          throw new Error(
            `expected ${JSON.stringify(expected![0])}: received ${JSON.stringify(got)}`,
          );
        }
      },
    },
  ],
});

/** The reference RSS verdict. */
function rssVerdict(samples: readonly RssPoint[]): string {
  const first = samples[0].rssBytes;
  const last = samples[samples.length - 1].rssBytes;
  const peak = Math.max(...samples.map((s) => s.rssBytes));
  if (peak - first < 16 * MiB) return "flat";
  return last >= first + (peak - first) * 0.8 ? "growing" : "released";
}

const randomTrace = (): RssPoint[] => {
  const n = prng.int(3, 30);
  const base = prng.int(10, 200);
  const shape = prng.int(0, 2);
  const rise = prng.int(0, 300);
  return Array.from({ length: n }, (_, i) => {
    const up = rise * Math.min(1, i / (n * 0.6));
    const down = shape === 1 && i > n * 0.7 ? up * prng.float() : 0;
    const noise = shape === 2 ? prng.int(0, 15) : 0;
    return { tMs: i * 50, rssBytes: Math.round((base + up - down + noise) * MiB) };
  });
};

/**
 * Hidden tests of tools-rss-verdict: the visible traces and 60 seeded ones.
 *
 * @example Three points in all, as the exercise
 * ```ts
 * import { toolsRssVerdictHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(toolsRssVerdictHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const toolsRssVerdictHidden: HiddenTests<(s: RssPoint[]) => string> = defineHiddenTests<
  (s: RssPoint[]) => string
>({
  id: "tools-rss-verdict",
  reference: rssVerdict,
  tests: [
    ...visibleAsHidden(toolsRssVerdict, 1),
    {
      name: "60 seeded traces of every shape",
      points: 2,
      calls: Array.from({ length: 60 }, () => [randomTrace()]),
    },
  ],
});

/** The reference CPU share. */
function cpuShare(before: CpuReading, after: CpuReading, ticksPerSecond: number): number {
  const ticks = after.utimeTicks + after.stimeTicks - before.utimeTicks - before.stimeTicks;
  return (100 * (ticks * 1000 / ticksPerSecond)) / (after.tMs - before.tMs);
}

/**
 * Hidden tests of tools-cpu-share: the visible cases and seeded readings
 * (compared to within 1e-9 of the reference).
 *
 * @example Three points in all, as the exercise
 * ```ts
 * import { toolsCpuShareHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(toolsCpuShareHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const toolsCpuShareHidden: HiddenTests = defineHiddenTests<
  (a: CpuReading, b: CpuReading, t: number) => number
>({
  id: "tools-cpu-share",
  reference: cpuShare,
  tests: [
    ...visibleAsHidden(toolsCpuShare, 1),
    {
      name: "30 seeded pairs of readings and tick rates",
      points: 2,
      calls: Array.from({ length: 30 }, () => {
        const t0 = prng.int(0, 10_000);
        const u0 = prng.int(0, 1000);
        const s0 = prng.int(0, 1000);
        return [
          { tMs: t0, utimeTicks: u0, stimeTicks: s0 },
          {
            tMs: t0 + prng.int(10, 5000),
            utimeTicks: u0 + prng.int(0, 800),
            stimeTicks: s0 + prng.int(0, 200),
          },
          [100, 250, 1000][prng.int(0, 2)],
        ];
      }),
      judge: (got, _calls, expected) => {
        got.forEach((g, i) => {
          const want = expected![i] as number;
          // Written so that NaN fails: NaN > x is false, so "not within" must be tested as !(<=).
          if (
            typeof g !== "number" || !(Math.abs(g - want) <= 1e-9 * Math.max(1, Math.abs(want)))
          ) {
            throw new Error(`call ${i + 1}: expected ${want}: received ${JSON.stringify(g)}`);
          }
        });
      },
    },
  ],
});

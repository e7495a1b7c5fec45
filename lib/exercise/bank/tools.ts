/**
 * Lesson 09's exercises: find the leaks in a valgrind report, read a
 * process's RSS trace, and compute the CPU share `top` shows from two
 * readings of `/proc/<pid>/stat`.
 *
 * The inputs are plain data (report text, samples, counters) and every
 * judge computes its expectation with the course's own parser or a direct
 * rule.
 *
 * @module
 */
import assert from "../judge_assert.ts";
import { defineExercise, registerExercises, show } from "../exercise.ts";

/**
 * Two memcheck reports (valgrind 3.19's layout) for exercise "tools-find-leaks".
 * The first is the course's own leaky program, recorded on this course's
 * build machine; the second is written in the same layout for a different
 * program.
 *
 * @example Both have a LEAK SUMMARY
 * ```ts
 * import { TOOLS_LEAK_REPORTS } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.ok(TOOLS_LEAK_REPORTS.every((r) => r.includes("LEAK SUMMARY")));
 * ```
 */
export const TOOLS_LEAK_REPORTS: readonly string[] = Object.freeze([
  `==24914== HEAP SUMMARY:
==24914==     in use at exit: 188 bytes in 5 blocks
==24914==   total heap usage: 6 allocs, 1 frees, 204 bytes allocated
==24914==
==24914== 32 bytes in 2 blocks are indirectly lost in loss record 1 of 4
==24914==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==24914==    by 0x10916E: make_list (leak.c:11)
==24914==    by 0x10920C: main (leak.c:28)
==24914==
==24914== 40 bytes in 1 blocks are still reachable in loss record 2 of 4
==24914==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==24914==    by 0x1091AF: keep_settings (leak.c:20)
==24914==    by 0x10921D: main (leak.c:30)
==24914==
==24914== 48 (16 direct, 32 indirect) bytes in 1 blocks are definitely lost in loss record 3 of 4
==24914==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==24914==    by 0x10916E: make_list (leak.c:11)
==24914==    by 0x10920C: main (leak.c:28)
==24914==
==24914== 100 bytes in 1 blocks are definitely lost in loss record 4 of 4
==24914==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==24914==    by 0x1091E5: main (leak.c:25)
==24914==
==24914== LEAK SUMMARY:
==24914==    definitely lost: 116 bytes in 2 blocks
==24914==    indirectly lost: 32 bytes in 2 blocks
==24914==      possibly lost: 0 bytes in 0 blocks
==24914==    still reachable: 40 bytes in 1 blocks
==24914==         suppressed: 0 bytes in 0 blocks
`,
  `==51== HEAP SUMMARY:
==51==     in use at exit: 1,088 bytes in 3 blocks
==51==   total heap usage: 9 allocs, 6 frees, 3,200 bytes allocated
==51==
==51== 64 bytes in 1 blocks are still reachable in loss record 1 of 3
==51==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==51==    by 0x1091C2: init_log (server.c:14)
==51==    by 0x109310: main (server.c:52)
==51==
==51== 512 bytes in 1 blocks are definitely lost in loss record 2 of 3
==51==    at 0x4843D70: realloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==51==    by 0x109245: grow_buffer (server.c:33)
==51==    by 0x1092A8: handle_request (server.c:41)
==51==    by 0x109331: main (server.c:55)
==51==
==51== 512 bytes in 1 blocks are definitely lost in loss record 3 of 3
==51==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==51==    by 0x109201: read_request (server.c:27)
==51==    by 0x109299: handle_request (server.c:40)
==51==    by 0x109331: main (server.c:55)
==51==
==51== LEAK SUMMARY:
==51==    definitely lost: 1,024 bytes in 2 blocks
==51==    indirectly lost: 0 bytes in 0 blocks
==51==      possibly lost: 0 bytes in 0 blocks
==51==    still reachable: 64 bytes in 1 blocks
==51==         suppressed: 0 bytes in 0 blocks
`,
]);

/**
 * Lesson 09: list where each definitely lost block was allocated, as
 * `"function file:line"` (the innermost frame of the program's own code),
 * sorted.
 *
 * @example Answering with every record (reachable too) fails
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await check("tools-find-leaks", () => ["main leak.c:25"]);
 * assert.equal(r.passed, false);
 * ```
 */
export const toolsFindLeaks = defineExercise<(report: string) => string[]>({
  id: "tools-find-leaks",
  title: "Find the leaks in a valgrind report",
  lesson: "09-debugging-tools",
  points: 4,
  expects: "lostAt",
  tests: TOOLS_LEAK_REPORTS.map((report, i) => ({
    name: i === 0 ? "the course's leaky program" : "a server's report",
    points: 2,
    calls: [[report]],
    judge: ([got]: unknown[]) => {
      const want = [["main leak.c:25", "make_list leak.c:11"], [
        "grow_buffer server.c:33",
        "read_request server.c:27",
      ]][i];
      assert.ok(
        Array.isArray(got),
        `expected an array of "function file:line" strings: received ${show(got)}`,
      );
      assert.deepEqual(
        [...(got as string[])].sort(),
        want,
        `expected ${
          show(want)
        }: only "definitely lost" records, and the first frame that names a file and line (not malloc or realloc)`,
      );
    },
  })),
});

/** A sample of a process's RSS over time, as exercise "tools-rss-verdict" gives it. */
export interface RssPoint {
  /** Milliseconds since the start. */
  tMs: number;
  /** Resident set size in bytes. */
  rssBytes: number;
}

const MiB = 1048576;
const trace = (mibs: number[]): RssPoint[] =>
  mibs.map((m, i) => ({ tMs: i * 100, rssBytes: m * MiB }));

/**
 * Lesson 09: read an RSS trace: `"flat"` if the peak is less than 16 MiB
 * above the first sample, else `"growing"` if the last sample keeps at
 * least 80% of that rise, else `"released"`.
 *
 * @example Everything "growing" fails
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal((await check("tools-rss-verdict", () => "growing")).passed, false);
 * ```
 */
export const toolsRssVerdict = defineExercise<(samples: RssPoint[]) => string>({
  id: "tools-rss-verdict",
  title: "Read an RSS trace",
  lesson: "09-debugging-tools",
  points: 3,
  expects: "rssVerdict",
  tests: [
    [30, 46, 62, 78, 94, 110, 110],
    [30, 60, 90, 120, 35, 34, 34],
    [30, 31, 33, 32, 35, 31, 30],
  ].map((mibs, i) => ({
    name: ["a leak: RSS climbs and stays", "a burst given back", "noise only"][i],
    points: 1,
    calls: [[trace(mibs)]],
    want: [["growing", "released", "flat"][i]],
  })),
});

/** Two readings of `/proc/<pid>/stat` for exercise "tools-cpu-share". */
export interface CpuReading {
  /** Wall-clock time of the reading, ms. */
  tMs: number;
  /** Field 14, CPU time in user mode, in clock ticks. */
  utimeTicks: number;
  /** Field 15, CPU time in kernel mode, in clock ticks. */
  stimeTicks: number;
}

/**
 * Lesson 09: the CPU share `top` shows between two readings, in percent of
 * one core: CPU time gained (user + kernel, ticks → ms) over wall time passed.
 *
 * @example Ignoring the tick rate fails
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const ticksOnly = (a: { utimeTicks: number }, b: { utimeTicks: number }) => b.utimeTicks - a.utimeTicks;
 * assert.equal((await check("tools-cpu-share", ticksOnly)).passed, false);
 * ```
 */
export const toolsCpuShare = defineExercise<
  (before: CpuReading, after: CpuReading, ticksPerSecond: number) => number
>({
  id: "tools-cpu-share",
  title: "Compute top's CPU share",
  lesson: "09-debugging-tools",
  points: 3,
  expects: "cpuShare",
  tests: [
    {
      name: "a busy second: 100 ticks of 100 per second in 1000 ms is 100%",
      points: 1,
      calls: [[{ tMs: 0, utimeTicks: 10, stimeTicks: 5 }, {
        tMs: 1000,
        utimeTicks: 100,
        stimeTicks: 15,
      }, 100]],
      want: [100],
    },
    {
      name: "user and kernel time both count; half a core is 50%",
      points: 1,
      calls: [[{ tMs: 500, utimeTicks: 0, stimeTicks: 0 }, {
        tMs: 2500,
        utimeTicks: 60,
        stimeTicks: 40,
      }, 100]],
      want: [50],
    },
    {
      name: "another tick rate, and two threads busy: over 100%",
      points: 1,
      calls: [[{ tMs: 0, utimeTicks: 0, stimeTicks: 0 }, {
        tMs: 500,
        utimeTicks: 250,
        stimeTicks: 0,
      }, 250]],
      want: [200],
    },
  ],
});

registerExercises(toolsFindLeaks, toolsRssVerdict, toolsCpuShare);

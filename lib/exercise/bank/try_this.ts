/**
 * Lesson 11's exercises: read a process's resident set from its
 * `/proc/<pid>/status` text, as `ps` does, and predict when a leaking
 * process reaches a memory cap from its samples.
 *
 * @module
 */
import assert from "../judge_assert.ts";
import { defineExercise, registerExercises } from "../exercise.ts";

/** What exercise 1 asks for: VmRSS in bytes, or null when the text has none. */
export type ResidentBytesFn = (statusText: string) => number | null;

/** Status texts of the kinds the exercise meets (recorded shapes; the numbers are examples). */
const status = (rssKb: number | null, extra = "") =>
  [
    "Name:\tdeno",
    "Umask:\t0022",
    "State:\tS (sleeping)",
    "VmPeak:\t18446720 kB",
    "VmSize:\t18165120 kB",
    "VmHWM:\t  130012 kB",
    ...(rssKb === null ? [] : [`VmRSS:\t${String(rssKb).padStart(8)} kB`]),
    "RssAnon:\t   90112 kB",
    "RssFile:\t   31744 kB",
    "VmSwap:\t       0 kB",
    "Threads:\t9",
    extra,
  ].join("\n");

/**
 * Lesson 11, exercise 1: the resident set from a status text.
 *
 * @example Returning VmSize (the virtual size) is wrong
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const virtualSize = (t: string) => Number(/VmSize:\s+(\d+)/.exec(t)![1]) * 1024;
 * assert.equal((await check("try-resident-bytes", virtualSize)).passed, false);
 * ```
 */
export const tryResidentBytes = defineExercise<ResidentBytesFn>({
  id: "try-resident-bytes",
  title: "Read the resident set like ps",
  lesson: "11-try-this",
  points: 3,
  expects: "residentBytes",
  tests: [
    {
      name:
        "a Deno process holding about 80 MB: VmRSS in bytes (the file counts kB of 1,024 bytes)",
      points: 1,
      calls: [[status(122048)]],
      want: [122048 * 1024],
    },
    {
      name: "not VmHWM (the peak) nor RssAnon: exactly the VmRSS line, whatever its spacing",
      points: 1,
      calls: [[status(4)], [status(0)], ["VmRSS: 7 kB"]],
      want: [4096, 0, 7168],
    },
    {
      name: "a kernel thread has no VmRSS line: null",
      points: 1,
      calls: [["Name:\tkworker/0:1\nState:\tI (idle)\nThreads:\t1\n"]],
      want: [null],
    },
  ],
});

/** What exercise 2 asks for: further ticks until the cap, 0 if reached, null if not growing. */
export type TicksUntilCapFn = (samples: number[], capBytes: number) => number | null;

/**
 * The rule of exercise 2: growth per tick is (last - first) / (samples - 1);
 * the answer is the number of further ticks until the last value plus that
 * growth times the ticks reaches the cap.
 */
function ticksUntilCapReference(samples: number[], capBytes: number): number | null {
  const last = samples[samples.length - 1];
  if (last >= capBytes) return 0;
  if (samples.length < 2) return null;
  const growth = (last - samples[0]) / (samples.length - 1);
  if (!(growth > 0)) return null;
  return Math.ceil((capBytes - last) / growth);
}

const MiB = 2 ** 20;

/**
 * Lesson 11, exercise 2: when will the leak reach the cap?
 *
 * @example Counting samples instead of ticks is off by one
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const offByOne = (s: number[], cap: number) => {
 *   const g = (s[s.length - 1] - s[0]) / s.length;
 *   return g > 0 ? Math.ceil((cap - s[s.length - 1]) / g) : null;
 * };
 * assert.equal((await check("try-ticks-until-cap", offByOne)).passed, false);
 * ```
 */
export const tryTicksUntilCap = defineExercise<TicksUntilCapFn>({
  id: "try-ticks-until-cap",
  title: "When will the leak reach the cap?",
  lesson: "11-try-this",
  points: 3,
  expects: "ticksUntilCap",
  tests: [
    {
      name: "a steady 1 MiB a tick from 40 MiB, cap 48 MiB",
      points: 1,
      calls: [[[40 * MiB, 41 * MiB, 42 * MiB, 43 * MiB], 48 * MiB]],
      want: [5],
    },
    {
      name: "already over the cap: 0; flat, shrinking or a single sample: null",
      points: 1,
      calls: [[[40 * MiB, 50 * MiB], 48 * MiB], [[40 * MiB, 40 * MiB, 40 * MiB], 48 * MiB], [
        [42 * MiB, 41 * MiB],
        48 * MiB,
      ], [[40 * MiB], 48 * MiB]],
      want: [0, null, null, null],
    },
    {
      name:
        "uneven samples: the growth is the average step, and a partial tick counts as a whole one",
      points: 1,
      calls: [[[10, 13, 14, 19], 30], [[0, 1000, 1500, 3000], 10_001]],
      judge: (r, calls) =>
        r.forEach((got, i) => {
          const [s, cap] = calls[i] as [number[], number];
          const want = ticksUntilCapReference(s, cap);
          assert.equal(
            got,
            want,
            `samples ${JSON.stringify(s)}, cap ${cap}: growth ${
              (s[s.length - 1] - s[0]) / (s.length - 1)
            } a tick gives ${want}`,
          );
        }),
    },
  ],
});

registerExercises(tryResidentBytes, tryTicksUntilCap);

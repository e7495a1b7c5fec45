/**
 * Lesson 11's hidden tests (instructor side only): reference answers and
 * the seeded cases that decide the grade.
 *
 * @module
 */
import { defineHiddenTests, type HiddenTests, visibleAsHidden } from "../exercise.ts";
import { createPrng } from "../../random/mod.ts";
import {
  type ResidentBytesFn,
  type TicksUntilCapFn,
  tryResidentBytes,
  tryTicksUntilCap,
} from "../bank/try_this.ts";

const prng = createPrng(0x11_5eed);

/**
 * Hidden tests of try-resident-bytes.
 *
 * @example Three points in all
 * ```ts
 * import { tryResidentBytesHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(tryResidentBytesHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const tryResidentBytesHidden: HiddenTests<ResidentBytesFn> = defineHiddenTests<
  ResidentBytesFn
>({
  id: "try-resident-bytes",
  reference: (text) => {
    const m = /^VmRSS:\s*(\d+)\s*kB/m.exec(text);
    return m ? Number(m[1]) * 1024 : null;
  },
  tests: [
    ...visibleAsHidden(tryResidentBytes, 2),
    {
      name: "seeded sizes, VmRSS anywhere among the other lines",
      points: 1,
      calls: Array.from({ length: 6 }, (_, i) => {
        const kb = prng.int(0, 64 * 1024 * 1024);
        const lines = ["Name:\tx", `VmHWM:\t${kb + 5} kB`, `RssAnon:\t${kb >> 1} kB`];
        lines.splice(i % 4, 0, `VmRSS:\t ${kb} kB`);
        return [lines.join("\n")];
      }),
    },
  ],
});

/**
 * Hidden tests of try-ticks-until-cap.
 *
 * @example Three points in all
 * ```ts
 * import { tryTicksUntilCapHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(tryTicksUntilCapHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const tryTicksUntilCapHidden: HiddenTests<TicksUntilCapFn> = defineHiddenTests<
  TicksUntilCapFn
>({
  id: "try-ticks-until-cap",
  reference: (samples, capBytes) => {
    const last = samples[samples.length - 1];
    if (last >= capBytes) return 0;
    if (samples.length < 2) return null;
    const growth = (last - samples[0]) / (samples.length - 1);
    return growth > 0 ? Math.ceil((capBytes - last) / growth) : null;
  },
  tests: [
    ...visibleAsHidden(tryTicksUntilCap, 2),
    {
      name: "seeded leaks of 1 to 8 MiB a tick",
      points: 1,
      calls: Array.from({ length: 8 }, () => {
        const step = prng.int(1, 8) * 2 ** 20;
        const start = prng.int(30, 60) * 2 ** 20;
        const n = prng.int(2, 12);
        const samples = Array.from({ length: n }, (_, k) => start + k * step);
        return [samples, start + prng.int(n, 60) * step + prng.int(0, step - 1)];
      }),
    },
  ],
});

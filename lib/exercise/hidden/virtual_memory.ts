/**
 * Lesson 02's hidden tests (instructor side only): reference answers and
 * the cases that decide the grade.
 *
 * @module
 */
import { defineHiddenTests, type HiddenTests, visibleAsHidden } from "../exercise.ts";
import { createPrng } from "../../random/mod.ts";
import {
  vmLinearTableBytes,
  type VmLinearTableBytesAnswer,
  vmSplitX86,
  type VmSplitX86Answer,
  vmTlbReach,
  type VmTlbReachAnswer,
  vmTranslate,
  type VmTranslateAnswer,
} from "../bank/virtual_memory.ts";

const prng = createPrng(0x02_5eed);
const randomTable = () => {
  const pageBytes = 2 ** prng.int(8, 14);
  const table = Array.from(
    { length: prng.int(1, 16) },
    () => prng.int(0, 2) === 0 ? null : prng.int(0, 63),
  );
  const addresses = Array.from(
    { length: 6 },
    () => prng.int(0, (table.length + 2) * pageBytes - 1),
  );
  return addresses.map((va) => [table, pageBytes, va]);
};

/**
 * Hidden tests of vm-translate.
 *
 * @example Four points in all
 * ```ts
 * import { vmTranslateHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(vmTranslateHidden.tests.reduce((s, t) => s + t.points, 0), 4);
 * ```
 */
export const vmTranslateHidden: HiddenTests<VmTranslateAnswer> = defineHiddenTests<
  VmTranslateAnswer
>({
  id: "vm-translate",
  reference: (pageTable, pageBytes, virtualAddress) => {
    const vpn = Math.floor(virtualAddress / pageBytes);
    const frame = vpn < pageTable.length ? pageTable[vpn] : null;
    if (frame === null || frame === undefined) return "segfault";
    return frame * pageBytes + (virtualAddress % pageBytes);
  },
  tests: [
    ...visibleAsHidden(vmTranslate, 2),
    {
      name: "random tables, page sizes and addresses, some past the end",
      points: 2,
      calls: Array.from({ length: 8 }, randomTable).flat(),
    },
  ],
});

/**
 * Hidden tests of vm-x86-split.
 *
 * @example Four points in all
 * ```ts
 * import { vmSplitX86Hidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(vmSplitX86Hidden.tests.reduce((s, t) => s + t.points, 0), 4);
 * ```
 */
export const vmSplitX86Hidden: HiddenTests<VmSplitX86Answer> = defineHiddenTests<VmSplitX86Answer>(
  {
    id: "vm-x86-split",
    reference: (va) => {
      const field = (lowBit: number) => Math.floor(va / 2 ** lowBit) % 512;
      return { pml4: field(39), pdpt: field(30), pd: field(21), pt: field(12), offset: va % 4096 };
    },
    tests: [
      ...visibleAsHidden(vmSplitX86, 2),
      {
        name: "random 47-bit addresses",
        points: 2,
        calls: Array.from(
          { length: 40 },
          () => [prng.int(0, 2 ** 21 - 1) * 2 ** 26 + prng.int(0, 2 ** 26 - 1)],
        ),
      },
    ],
  },
);

/**
 * Hidden tests of vm-linear-table-bytes.
 *
 * @example Three points in all
 * ```ts
 * import { vmLinearTableBytesHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(vmLinearTableBytesHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const vmLinearTableBytesHidden: HiddenTests<VmLinearTableBytesAnswer> = defineHiddenTests<
  VmLinearTableBytesAnswer
>({
  id: "vm-linear-table-bytes",
  reference: (space, page, entry) => (space / page) * entry,
  tests: [
    ...visibleAsHidden(vmLinearTableBytes, 2),
    {
      name:
        "address spaces of 2^20 to 2^57 bytes, pages of 1 KiB to 1 GiB, entries of 4 or 8 bytes",
      points: 1,
      calls: Array.from(
        { length: 30 },
        () => [2 ** prng.int(30, 57), 2 ** prng.int(10, 30), 4 * prng.int(1, 2)],
      ),
    },
  ],
});

/**
 * Hidden tests of vm-tlb-reach.
 *
 * @example Two points in all
 * ```ts
 * import { vmTlbReachHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(vmTlbReachHidden.tests.reduce((s, t) => s + t.points, 0), 2);
 * ```
 */
export const vmTlbReachHidden: HiddenTests<VmTlbReachAnswer> = defineHiddenTests<VmTlbReachAnswer>({
  id: "vm-tlb-reach",
  reference: (entries, pageBytes) => entries * pageBytes,
  tests: [
    ...visibleAsHidden(vmTlbReach, 1),
    {
      name: "TLBs of 8 to 4096 entries, pages of 4 KiB, 2 MiB and 1 GiB",
      points: 1,
      calls: Array.from(
        { length: 20 },
        () => [prng.int(8, 4096), 2 ** [12, 21, 30][prng.int(0, 2)]],
      ),
    },
  ],
});

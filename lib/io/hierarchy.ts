import { z } from "zod";
import { loadJsonData } from "./data_file.ts";

/** One level of the memory hierarchy, in round typical numbers. */
export const HierarchyLevel = z.object({
  name: z.string().min(1),
  sizeBytes: z.number().positive(),
  latencyNs: z.number().positive(),
  role: z.string().min(1),
});
/** One level of the memory hierarchy, in round typical numbers. */
export type HierarchyLevel = z.infer<typeof HierarchyLevel>;

/** The hierarchy table: typical sizes and latencies, with where they come from. */
export const HierarchyTable = z.object({
  source: z.string().min(1),
  levels: z.array(HierarchyLevel).min(2).refine(
    (levels) => levels.every((l, i) => i === 0 || l.sizeBytes > levels[i - 1].sizeBytes),
    { message: "must grow in size from fastest to slowest" },
  ),
});
/** The hierarchy table: typical sizes and latencies, with where they come from. */
export type HierarchyTable = z.infer<typeof HierarchyTable>;

/** Where the course keeps its hierarchy table. */
export const HIERARCHY_TABLE_URL: URL = new URL("../../data/hierarchy.json", import.meta.url);

/**
 * Load the course's table of typical memory-hierarchy levels.
 *
 * @param path The JSON file (defaults to `data/hierarchy.json`).
 * @returns The validated table.
 *
 * @example Registers are smallest, disks are largest
 * ```ts
 * import { loadHierarchyTable } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const { levels } = await loadHierarchyTable();
 * assert.ok(levels[0].sizeBytes < levels.at(-1)!.sizeBytes);
 * ```
 */
export async function loadHierarchyTable(
  path: string | URL = HIERARCHY_TABLE_URL,
): Promise<HierarchyTable> {
  const p = path instanceof URL ? decodeURIComponent(path.pathname) : path;
  return await loadJsonData(p, HierarchyTable);
}

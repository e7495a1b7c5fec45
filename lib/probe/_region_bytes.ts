/**
 * Private helper: a `Uint8Array` over a whole mapped region, so measurement
 * loops touch memory without allocating a JavaScript object per access (which
 * would add V8 heap faults to the counts). Never let the array outlive
 * `munmapRegion`: using it afterwards would crash the process.
 *
 * @module
 */
import type { MappedRegion } from "./libc.ts";

/** A byte view of a live region; keep it local to the function that unmaps the region. */
export function regionBytes(region: MappedRegion): Uint8Array {
  if (region.unmapped) throw new Error("Cannot view region: the region is already unmapped");
  return new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(region.pointer, region.sizeBytes));
}

// Private: the two non-moving-allocation tracing collectors, mark-sweep (free
// list, first fit, fragmentation) and mark-compact (bump allocation, sliding
// compaction in three passes, as in the Lisp 2 algorithm).
import { FreeList, type GcObject } from "./_object.ts";
import { bumpPlace, FullHeapCollector, type ResolvedGcOptions } from "./_base.ts";
import type { GcCollectionRecord } from "./types.ts";

export class MarkSweepCollector extends FullHeapCollector {
  readonly name = "mark-sweep" as const;
  readonly capacityBytes: number;
  private free: FreeList;

  constructor(options: ResolvedGcOptions) {
    super(options);
    this.capacityBytes = options.heapBytes;
    this.free = new FreeList(0, options.heapBytes);
  }

  protected place(o: GcObject): boolean {
    const at = this.free.take(o.sizeBytes);
    if (at < 0) return false;
    o.address = at;
    return true;
  }

  protected full(trigger: "gc" | "allocation"): GcCollectionRecord {
    const p = this.begin("full", trigger);
    const e = ++this.epoch;
    this.markFromRoots(e, null);
    // Sweep: visit every object; unmarked ones are freed, and the gaps
    // between the survivors (in address order) become the new free list.
    const survivors: GcObject[] = [];
    for (const o of this.table) {
      if (!o) continue;
      this.c.swept++;
      if (this.isMarked(o, e)) survivors.push(o);
      else this.release(o);
    }
    survivors.sort((a, b) => a.address - b.address);
    this.free.rebuild(survivors, 0, this.capacityBytes);
    return this.finish(p);
  }

  protected regions() {
    return [{ name: "heap", start: 0, end: this.heapBytes }];
  }

  protected freeSpace() {
    return { free: this.free.total(), largest: this.free.largest() };
  }
}

export class MarkCompactCollector extends FullHeapCollector {
  readonly name = "mark-compact" as const;
  readonly capacityBytes: number;
  /** Objects in address order (bump allocation and sliding both keep it). */
  private order: GcObject[] = [];
  private top = 0;

  constructor(options: ResolvedGcOptions) {
    super(options);
    this.capacityBytes = options.heapBytes;
  }

  protected place(o: GcObject): boolean {
    const top = bumpPlace(o, this.top, this.capacityBytes, this.order);
    if (top < 0) return false;
    this.top = top;
    return true;
  }

  protected full(trigger: "gc" | "allocation"): GcCollectionRecord {
    const p = this.begin("full", trigger);
    const e = ++this.epoch;
    this.markFromRoots(e, null);
    // Pass 1: forwarding addresses, sliding survivors towards address 0.
    const forward = new Map<GcObject, number>();
    let to = 0;
    for (const o of this.order) {
      this.c.swept++;
      if (this.isMarked(o, e)) {
        forward.set(o, to);
        to += o.sizeBytes;
      }
    }
    // Pass 2: update every pointer of every survivor to its target's new address.
    for (const o of this.order) {
      this.c.swept++;
      if (this.isMarked(o, e)) this.c.pointers += o.fields.length;
    }
    // Pass 3: move each survivor (in address order, so no survivor overwrites another).
    const kept: GcObject[] = [];
    for (const o of this.order) {
      this.c.swept++;
      if (this.isMarked(o, e)) {
        this.moveTo(o, forward.get(o)!);
        kept.push(o);
      } else {
        this.release(o);
      }
    }
    this.order = kept;
    this.top = to;
    return this.finish(p);
  }

  protected regions() {
    return [{ name: "heap", start: 0, end: this.heapBytes }];
  }

  protected freeSpace() {
    const free = this.capacityBytes - this.top;
    return { free, largest: free };
  }
}

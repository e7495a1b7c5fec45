// Private: the semispace copying collector with Cheney's breadth-first scan.
import type { GcObject } from "./_object.ts";
import { bumpPlace, FullHeapCollector, type ResolvedGcOptions } from "./_base.ts";
import type { GcCollectionRecord } from "./types.ts";

export class CopyingCollector extends FullHeapCollector {
  readonly name = "copying" as const;
  readonly capacityBytes: number;
  private fromBase = 0;
  private top = 0;
  /** Objects in from-space, in address order. */
  private order: GcObject[] = [];

  constructor(options: ResolvedGcOptions) {
    super(options);
    this.capacityBytes = Math.floor(options.heapBytes / 2);
  }

  protected place(o: GcObject): boolean {
    const top = bumpPlace(o, this.top, this.fromBase + this.capacityBytes, this.order);
    if (top < 0) return false;
    this.top = top;
    return true;
  }

  protected full(trigger: "gc" | "allocation"): GcCollectionRecord {
    const p = this.begin("full", trigger);
    const e = ++this.epoch;
    const toBase = this.fromBase === 0 ? this.capacityBytes : 0;
    let free = toBase;
    const queue: GcObject[] = [];
    const table = this.table;
    const copy = (o: GcObject) => {
      if (o.mark === e) return;
      o.mark = e;
      this.moveTo(o, free);
      free += o.sizeBytes;
      queue.push(o);
    };
    for (const h of this.roots.keys()) copy(table[h]!);
    // Cheney: the to-space between scan and free is the queue of grey objects.
    for (let scan = 0; scan < queue.length; scan++) {
      const fields = queue[scan].fields;
      for (let i = 0; i < fields.length; i++) {
        this.c.pointers++;
        if (fields[i] >= 0) copy(table[fields[i]]!);
      }
    }
    this.c.traced += queue.length;
    for (const o of this.order) if (o.mark !== e) this.release(o);
    this.order = queue;
    this.fromBase = toBase;
    this.top = free;
    return this.finish(p);
  }

  protected regions() {
    const a = { start: 0, end: this.capacityBytes };
    const b = { start: this.capacityBytes, end: this.heapBytes };
    return this.fromBase === 0
      ? [{ name: "from-space", ...a }, { name: "to-space (reserve)", ...b }]
      : [{ name: "to-space (reserve)", ...a }, { name: "from-space", ...b }];
  }

  protected freeSpace() {
    const free = this.fromBase + this.capacityBytes - this.top;
    return { free, largest: free };
  }
}

// Private: a two-generation collector. The nursery is a pair of semispaces
// collected by copying (minor collections); survivors that reach the promotion
// age move to the old generation, which a major collection marks and compacts
// by sliding. A write barrier keeps the remembered set: every old object that
// may point into the nursery, whose fields are extra roots of a minor collection.
import type { GcObject } from "./_object.ts";
import { CollectorBase, type ResolvedGcOptions } from "./_base.ts";
import type { GcCollectionRecord } from "./types.ts";

export class GenerationalCollector extends CollectorBase {
  readonly name = "generational" as const;
  readonly capacityBytes: number;
  private readonly nursery: number;
  private readonly oldStart: number;
  private youngBase = 0;
  private youngTop = 0;
  private young: GcObject[] = [];
  private oldTop: number;
  private old: GcObject[] = [];
  private remembered = new Set<GcObject>();

  constructor(options: ResolvedGcOptions) {
    super(options);
    this.nursery = options.nurseryBytes;
    this.oldStart = 2 * this.nursery;
    this.oldTop = this.oldStart;
    this.capacityBytes = this.nursery + (options.heapBytes - this.oldStart);
  }

  protected place(o: GcObject): boolean {
    if (o.sizeBytes > this.nursery) return this.placeOld(o, true);
    if (this.youngTop + o.sizeBytes > this.youngBase + this.nursery) return false;
    o.address = this.youngTop;
    o.space = "young";
    this.youngTop += o.sizeBytes;
    this.young.push(o);
    return true;
  }

  /** Bump-allocate in the old generation: a fresh large object, or a promotion (a move). */
  private placeOld(o: GcObject, fresh: boolean): boolean {
    if (this.oldTop + o.sizeBytes > this.heapBytes) return false;
    if (fresh) {
      o.address = this.oldTop;
      o.space = "old";
    } else {
      this.moveTo(o, this.oldTop, "old");
    }
    this.oldTop += o.sizeBytes;
    this.old.push(o);
    return true;
  }

  private fits(o: GcObject): boolean {
    return o.sizeBytes > this.nursery
      ? this.oldTop + o.sizeBytes <= this.heapBytes
      : this.youngTop + o.sizeBytes <= this.youngBase + this.nursery;
  }

  protected maxObjectBytes(): number {
    return Math.max(this.nursery, this.heapBytes - this.oldStart);
  }

  protected override onWrite(src: GcObject, _old: number, now: number): void {
    // The write barrier: one check per pointer store.
    this.t.mutatorOverheadUnits++;
    if (now >= 0 && src.space === "old" && this.table[now]!.space === "young") {
      this.remembered.add(src);
    }
  }

  protected reclaimForAllocation(o: GcObject, records: GcCollectionRecord[]): void {
    if (o.sizeBytes <= this.nursery) {
      records.push(this.minor("allocation"));
      if (this.fits(o)) return;
    }
    records.push(this.major("allocation"));
  }

  collect(): GcCollectionRecord {
    return this.major("gc");
  }

  /** Move a surviving young object: to the old generation when old enough and there is room. */
  private survive(o: GcObject, to: { free: number; young: GcObject[] }): void {
    o.age++;
    if (o.age >= this.options.promotionAge && this.oldTop + o.sizeBytes <= this.heapBytes) {
      this.placeOld(o, false);
      this.c.promoted += o.sizeBytes;
    } else {
      this.moveTo(o, to.free, "young");
      to.free += o.sizeBytes;
      to.young.push(o);
    }
  }

  private flip(to: { base: number; free: number; young: GcObject[] }): void {
    this.young = to.young;
    this.youngBase = to.base;
    this.youngTop = to.free;
  }

  private minor(trigger: "gc" | "allocation"): GcCollectionRecord {
    const p = this.begin("minor", trigger);
    const e = ++this.epoch;
    const base = this.youngBase === 0 ? this.nursery : 0;
    const to = { base, free: base, young: [] as GcObject[] };
    const oldBefore = this.old.length;
    const queue: GcObject[] = [];
    const table = this.table;
    const evacuate = (o: GcObject) => {
      if (o.space !== "young" || o.mark === e) return;
      o.mark = e;
      this.survive(o, to);
      queue.push(o);
    };
    for (const h of this.roots.keys()) evacuate(table[h]!);
    for (const r of this.remembered) {
      for (const h of r.fields) {
        this.c.pointers++;
        if (h >= 0) evacuate(table[h]!);
      }
    }
    for (let scan = 0; scan < queue.length; scan++) {
      for (const h of queue[scan].fields) {
        this.c.pointers++;
        if (h >= 0) evacuate(table[h]!);
      }
    }
    this.c.traced += queue.length;
    for (const o of this.young) if (o.mark !== e) this.release(o);
    this.flip(to);
    // Old objects that may point into the nursery now: the remembered ones
    // and the ones promoted just now.
    this.rebuildRemembered([...this.remembered, ...this.old.slice(oldBefore)]);
    return this.finish(p, this.remembered.size);
  }

  private major(trigger: "gc" | "allocation"): GcCollectionRecord {
    const p = this.begin("full", trigger);
    const e = ++this.epoch;
    this.markFromRoots(e, null);
    // Slide the old generation's survivors down, as mark-compact does.
    let at = this.oldStart;
    const kept: GcObject[] = [];
    for (const o of this.old) {
      this.c.swept++;
      if (!this.isMarked(o, e)) {
        this.release(o);
        continue;
      }
      this.c.pointers += o.fields.length;
      this.moveTo(o, at);
      at += o.sizeBytes;
      kept.push(o);
    }
    this.old = kept;
    this.oldTop = at;
    // Then evacuate the nursery's survivors, promoting those old enough.
    const base = this.youngBase === 0 ? this.nursery : 0;
    const to = { base, free: base, young: [] as GcObject[] };
    for (const o of this.young) {
      this.c.swept++;
      if (!this.isMarked(o, e)) {
        this.release(o);
        continue;
      }
      this.c.pointers += o.fields.length;
      this.survive(o, to);
    }
    this.flip(to);
    this.rebuildRemembered(this.old);
    return this.finish(p, this.remembered.size);
  }

  private rebuildRemembered(candidates: Iterable<GcObject>): void {
    const next = new Set<GcObject>();
    for (const o of candidates) {
      if (this.table[o.handle] !== o || o.space !== "old") continue;
      for (const h of o.fields) {
        this.c.pointers++;
        if (h >= 0 && this.table[h]!.space === "young") {
          next.add(o);
          break;
        }
      }
    }
    this.remembered = next;
  }

  protected regions() {
    const n = this.nursery;
    const a = { start: 0, end: n };
    const b = { start: n, end: 2 * n };
    const old = { name: "old generation", start: this.oldStart, end: this.heapBytes };
    return this.youngBase === 0
      ? [{ name: "nursery", ...a }, { name: "nursery (reserve)", ...b }, old]
      : [{ name: "nursery (reserve)", ...a }, { name: "nursery", ...b }, old];
  }

  protected freeSpace() {
    const young = this.youngBase + this.nursery - this.youngTop;
    const old = this.heapBytes - this.oldTop;
    return { free: young + old, largest: Math.max(young, old) };
  }
}

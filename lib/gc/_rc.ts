// Private: reference counting, with or without the synchronous cycle
// collector of Bacon and Rajan (trial deletion: MarkGray, Scan, CollectWhite).
import { BLACK, FreeList, type GcObject, GRAY, PURPLE, WHITE } from "./_object.ts";
import { CollectorBase, type ResolvedGcOptions } from "./_base.ts";
import type { GcCollectionRecord } from "./types.ts";

export class RcCollector extends CollectorBase {
  readonly name: "rc" | "rc-cycles";
  readonly capacityBytes: number;
  private free: FreeList;
  private readonly cycles: boolean;
  /** Zero-count table: new objects nothing has referenced yet. */
  private zct = new Set<GcObject>();
  /** Cycle-collector candidates ("purple" objects, and new objects). */
  private candidates: GcObject[] = [];

  constructor(options: ResolvedGcOptions, cycles: boolean) {
    super(options);
    this.cycles = cycles;
    this.name = cycles ? "rc-cycles" : "rc";
    this.capacityBytes = options.heapBytes;
    this.free = new FreeList(0, options.heapBytes);
  }

  protected place(o: GcObject): boolean {
    const at = this.free.take(o.sizeBytes);
    if (at < 0) return false;
    o.address = at;
    return true;
  }

  protected maxObjectBytes(): number {
    return this.capacityBytes;
  }

  protected override referenceCount(o: GcObject): number {
    return o.rc;
  }

  protected override release(o: GcObject): void {
    super.release(o);
    this.free.give(o.address, o.sizeBytes);
    this.zct.delete(o);
    o.buffered = false;
  }

  protected override onAllocated(o: GcObject): void {
    this.zct.add(o);
    if (this.cycles) this.buffer(o);
  }

  protected override onRoot(o: GcObject, added: boolean): void {
    if (added) this.increment(o);
    else this.decrement(o);
  }

  protected override onWrite(_src: GcObject, old: number, now: number): void {
    if (now >= 0) this.increment(this.table[now]!);
    if (old >= 0) this.decrement(this.table[old]!);
  }

  private increment(o: GcObject): void {
    this.t.mutatorOverheadUnits++;
    o.rc++;
    this.zct.delete(o);
  }

  private decrement(o: GcObject): void {
    this.t.mutatorOverheadUnits++;
    o.rc--;
    if (o.rc === 0) this.freeCascade(o, true);
    else if (this.cycles) this.buffer(o);
  }

  private buffer(o: GcObject): void {
    o.color = PURPLE;
    if (!o.buffered) {
      o.buffered = true;
      this.candidates.push(o);
    }
  }

  /** Free `first` and everything whose count drops to zero because of it. */
  private freeCascade(first: GcObject, mutator: boolean): void {
    const stack = [first];
    while (stack.length > 0) {
      const o = stack.pop()!;
      if (this.table[o.handle] !== o) continue;
      if (mutator) this.t.mutatorOverheadUnits += 1 + o.fields.length;
      else {
        this.c.traced++;
        this.c.pointers += o.fields.length;
      }
      for (const h of o.fields) {
        if (h < 0) continue;
        const t = this.table[h]!;
        t.rc--;
        if (t.rc === 0) stack.push(t);
        else if (this.cycles) this.buffer(t);
      }
      this.release(o);
    }
  }

  private flushZct(): void {
    for (const o of [...this.zct]) if (o.rc === 0) this.freeCascade(o, false);
    this.zct.clear();
  }

  protected reclaimForAllocation(_o: GcObject, records: GcCollectionRecord[]): void {
    records.push(this.run("allocation"));
  }

  collect(): GcCollectionRecord {
    return this.run("gc");
  }

  private run(trigger: "gc" | "allocation"): GcCollectionRecord {
    const p = this.begin(this.cycles ? "full" : "rc", trigger);
    this.flushZct();
    if (this.cycles) this.collectCycles();
    return this.finish(p);
  }

  /** Trial deletion from the candidates: subtract internal counts; what stays at zero is a garbage cycle. */
  private collectCycles(): void {
    const roots: GcObject[] = [];
    for (const o of this.candidates) {
      if (this.table[o.handle] !== o || !o.buffered) continue;
      if (o.color === PURPLE && o.rc > 0) {
        this.markGray(o);
        roots.push(o);
      } else {
        o.buffered = false;
      }
    }
    this.candidates = [];
    for (const o of roots) this.scan(o);
    const white: GcObject[] = [];
    for (const o of roots) {
      o.buffered = false;
      this.collectWhite(o, white);
    }
    for (const o of white) this.release(o);
  }

  private markGray(s: GcObject): void {
    if (s.color === GRAY) return;
    s.color = GRAY;
    this.c.traced++;
    const stack = [s];
    while (stack.length > 0) {
      const o = stack.pop()!;
      for (const h of o.fields) {
        this.c.pointers++;
        if (h < 0) continue;
        const t = this.table[h]!;
        t.rc--;
        if (t.color !== GRAY) {
          t.color = GRAY;
          this.c.traced++;
          stack.push(t);
        }
      }
    }
  }

  private scan(s: GcObject): void {
    const stack = [s];
    while (stack.length > 0) {
      const o = stack.pop()!;
      if (o.color !== GRAY) continue;
      if (o.rc > 0) {
        this.scanBlack(o);
        continue;
      }
      o.color = WHITE;
      for (const h of o.fields) {
        this.c.pointers++;
        if (h >= 0) stack.push(this.table[h]!);
      }
    }
  }

  private scanBlack(s: GcObject): void {
    s.color = BLACK;
    const stack = [s];
    while (stack.length > 0) {
      const o = stack.pop()!;
      for (const h of o.fields) {
        this.c.pointers++;
        if (h < 0) continue;
        const t = this.table[h]!;
        t.rc++;
        if (t.color !== BLACK) {
          t.color = BLACK;
          stack.push(t);
        }
      }
    }
  }

  private collectWhite(s: GcObject, out: GcObject[]): void {
    const stack = [s];
    while (stack.length > 0) {
      const o = stack.pop()!;
      if (o.color !== WHITE || o.buffered) continue;
      o.color = BLACK;
      out.push(o);
      for (const h of o.fields) if (h >= 0) stack.push(this.table[h]!);
    }
  }

  protected regions() {
    return [{ name: "heap", start: 0, end: this.heapBytes }];
  }

  protected freeSpace() {
    return { free: this.free.total(), largest: this.free.largest() };
  }
}

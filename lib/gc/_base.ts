// Private: what every simulated collector shares: the object table, names,
// roots as a multiset, mutator operations with their checks, record keeping,
// marking from the roots, heap maps. Subclasses decide where objects go and
// what a collection does.
import { BLACK, type GcObject, type Space } from "./_object.ts";
import type {
  GcAllocation,
  GcCollectionKind,
  GcCollectionRecord,
  GcCollector,
  GcCollectorName,
  GcHeapBlock,
  GcHeapMap,
  GcObjectView,
  GcTotals,
} from "./types.ts";

/** Settings after validation. */
export interface ResolvedGcOptions {
  heapBytes: number;
  nurseryBytes: number;
  promotionAge: number;
  heapMaps: boolean;
}

interface Counters {
  traced: number;
  pointers: number;
  swept: number;
  copied: number;
  promoted: number;
  freedBytes: number;
}

interface Pending {
  kind: GcCollectionKind;
  trigger: "gc" | "allocation";
  before: number;
  heapBefore?: GcHeapMap;
}

const ID_RULE = /^[^\s#]+$/;

export abstract class CollectorBase implements GcCollector {
  abstract readonly name: GcCollectorName;
  readonly heapBytes: number;
  abstract readonly capacityBytes: number;
  op: number | null = null;
  protected readonly options: ResolvedGcOptions;
  /** Objects by handle; freed slots are undefined. */
  protected table: (GcObject | undefined)[] = [];
  protected byName = new Map<string, number>();
  /** For freed names: the op of the collection (or count update) that freed them. */
  protected freedAt = new Map<string, number | null>();
  /** Root references: handle -> count, in the order roots were first added. */
  protected roots = new Map<number, number>();
  protected epoch = 0;
  /**
   * What the marking loop reads, interleaved by handle so that one object
   * costs one cache line: `meta[2h]` is where object `h`'s fields start in
   * `fieldPool` (they end where object `h + 1`'s start: handles and pool
   * slots are handed out in the same order) and `meta[2h + 1]` is its mark
   * epoch. `o.fields` stays the source of truth; `setField` writes both.
   */
  private meta: Int32Array = new Int32Array(2048);
  private fieldPool: Int32Array = new Int32Array(4096).fill(-1);
  private poolTop = 0;
  /** The marking loop's work stack of handles. */
  private markStack: Int32Array = new Int32Array(1024);
  protected c: Counters = {
    traced: 0,
    pointers: 0,
    swept: 0,
    copied: 0,
    promoted: 0,
    freedBytes: 0,
  };
  protected freedSinceRecord: GcObject[] = [];
  protected occupancy = 0;
  protected t: GcTotals = {
    fullCollections: 0,
    minorCollections: 0,
    rcCollections: 0,
    gcWorkUnits: 0,
    mutatorOverheadUnits: 0,
    maxPauseUnits: 0,
    bytesAllocated: 0,
    bytesCopied: 0,
    bytesFreed: 0,
    peakOccupancyBytes: 0,
  };

  constructor(options: ResolvedGcOptions) {
    this.options = options;
    this.heapBytes = options.heapBytes;
  }

  // ---- what each collector decides ----------------------------------------

  /** Find room for `o` without collecting; set its address and space. */
  protected abstract place(o: GcObject): boolean;
  /** The largest object that could ever fit. */
  protected abstract maxObjectBytes(): number;
  /** Collect to make room for `o`, pushing one record per collection. */
  protected abstract reclaimForAllocation(o: GcObject, records: GcCollectionRecord[]): void;
  /** The explicit `gc` operation. */
  abstract collect(): GcCollectionRecord;
  /** Regions in address order, for heap maps. */
  protected abstract regions(): { name: string; start: number; end: number }[];
  /** Free bytes and the largest free stretch where new objects can go. */
  protected abstract freeSpace(): { free: number; largest: number };
  /** Called after `o` is allocated and registered. */
  protected onAllocated(_o: GcObject): void {}
  /** Called after a pointer store; `old` and `now` are handles or -1. */
  protected onWrite(_src: GcObject, _old: number, _now: number): void {}
  /** Called after a root reference is added or removed. */
  protected onRoot(_o: GcObject, _added: boolean): void {}
  /** The reference count to show, or null for tracing collectors. */
  protected referenceCount(_o: GcObject): number | null {
    return null;
  }

  // ---- mutator operations --------------------------------------------------

  allocate(id: string, sizeBytes: number, fieldCount: number): GcAllocation {
    if (typeof id !== "string" || !ID_RULE.test(id) || id === "null") {
      throw new TypeError(
        `Cannot allocate: id must be a name without spaces or "#", other than "null": received ${
          JSON.stringify(id)
        }`,
      );
    }
    if (this.byName.has(id) || this.freedAt.has(id)) {
      throw new RangeError(
        `Cannot allocate ${id}: ids must be unique: ${id} was already allocated${
          this.freedAt.has(id) ? " (and has been freed since)" : ""
        }`,
      );
    }
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 1) {
      throw new RangeError(
        `Cannot allocate ${id}: size must be a positive whole number of bytes: received ${sizeBytes}`,
      );
    }
    if (!Number.isSafeInteger(fieldCount) || fieldCount < 0 || fieldCount > 1_000_000) {
      throw new RangeError(
        `Cannot allocate ${id}: fields must be a whole number from 0 to 1000000: received ${fieldCount}`,
      );
    }
    if (fieldCount * 8 > sizeBytes) {
      throw new RangeError(
        `Cannot allocate ${id}: size must hold the pointer fields (8 bytes each, ${
          fieldCount * 8
        } bytes for ${fieldCount}): received ${sizeBytes}`,
      );
    }
    const o: GcObject = {
      handle: this.table.length,
      id,
      sizeBytes,
      fields: new Int32Array(fieldCount).fill(-1),
      address: -1,
      rc: 0,
      mark: 0,
      age: 0,
      space: "heap",
      color: BLACK,
      buffered: false,
    };
    const collections: GcCollectionRecord[] = [];
    if (sizeBytes > this.maxObjectBytes()) {
      return this.outOfMemory(
        o,
        collections,
        `${id} needs ${sizeBytes} bytes but the largest object this ${this.name} heap can hold is ${this.maxObjectBytes()} bytes`,
      );
    }
    if (!this.place(o)) {
      this.reclaimForAllocation(o, collections);
      if (!this.place(o)) {
        const { free, largest } = this.freeSpace();
        return this.outOfMemory(
          o,
          collections,
          free >= sizeBytes
            ? `${free} bytes are free after collecting, but the largest free stretch is ${largest} bytes: the heap is fragmented`
            : `after collecting, ${this.occupancy} bytes are still in use and only ${free} of ${this.capacityBytes} are free`,
        );
      }
    }
    this.table.push(o);
    this.registerFields(o);
    this.byName.set(id, o.handle);
    this.occupancy += sizeBytes;
    this.t.bytesAllocated += sizeBytes;
    if (this.occupancy > this.t.peakOccupancyBytes) this.t.peakOccupancyBytes = this.occupancy;
    this.onAllocated(o);
    return { ok: true, collections, outOfMemory: null };
  }

  private outOfMemory(
    o: GcObject,
    collections: GcCollectionRecord[],
    reason: string,
  ): GcAllocation {
    return {
      ok: false,
      collections,
      outOfMemory: {
        id: o.id,
        sizeBytes: o.sizeBytes,
        occupancyBytes: this.occupancy,
        capacityBytes: this.capacityBytes,
        reason,
      },
    };
  }

  setField(id: string, field: number, target: string | null): void {
    const src = this.lookup(id, "set a field of");
    if (!Number.isInteger(field) || field < 0 || field >= src.fields.length) {
      throw new RangeError(
        `Cannot set a field of ${id}: field must be from 0 to ${
          src.fields.length - 1
        } (${id} has ${src.fields.length} field${
          src.fields.length === 1 ? "" : "s"
        }): received ${field}`,
      );
    }
    const now = target === null ? -1 : this.lookup(target, `store a pointer to`).handle;
    const old = src.fields[field];
    src.fields[field] = now;
    this.fieldPool[this.meta[2 * src.handle] + field] = now;
    this.onWrite(src, old, now);
  }

  addRoot(id: string): void {
    const o = this.lookup(id, "root");
    this.roots.set(o.handle, (this.roots.get(o.handle) ?? 0) + 1);
    this.onRoot(o, true);
  }

  removeRoot(id: string): void {
    const o = this.lookup(id, "unroot");
    const n = this.roots.get(o.handle) ?? 0;
    if (n === 0) throw new RangeError(`Cannot unroot ${id}: it is not a root`);
    if (n === 1) this.roots.delete(o.handle);
    else this.roots.set(o.handle, n - 1);
    this.onRoot(o, false);
  }

  has(id: string): boolean {
    return this.byName.has(id);
  }

  object(id: string): GcObjectView {
    const o = this.lookup(id, "read");
    return {
      id: o.id,
      sizeBytes: o.sizeBytes,
      fields: [...o.fields].map((h) => (h < 0 ? null : this.table[h]!.id)),
      address: o.address,
      rootCount: this.roots.get(o.handle) ?? 0,
      space: o.space,
      referenceCount: this.referenceCount(o),
    };
  }

  liveIds(): string[] {
    const ids: string[] = [];
    for (const o of this.table) if (o) ids.push(o.id);
    return ids;
  }

  occupancyBytes(): number {
    return this.occupancy;
  }

  totals(): GcTotals {
    return { ...this.t };
  }

  mark(): number {
    this.epoch++;
    return this.markFromRoots(this.epoch, null);
  }

  heapMap(): GcHeapMap {
    this.epoch++;
    const e = this.epoch;
    this.markFromRoots(e, null, false);
    const objects = this.table.filter((o): o is GcObject => o !== undefined)
      .sort((a, b) => a.address - b.address);
    const regions = this.regions();
    const blocks: GcHeapBlock[] = [];
    let i = 0;
    for (const r of regions) {
      let at = r.start;
      while (i < objects.length && objects[i].address < r.end) {
        const o = objects[i++];
        if (o.address > at) {
          blocks.push({
            id: null,
            address: at,
            sizeBytes: o.address - at,
            status: "free",
            region: r.name,
          });
        }
        blocks.push({
          id: o.id,
          address: o.address,
          sizeBytes: o.sizeBytes,
          status: this.isMarked(o, e) ? "live" : "garbage",
          region: r.name,
        });
        at = o.address + o.sizeBytes;
      }
      if (r.end > at) {
        blocks.push({
          id: null,
          address: at,
          sizeBytes: r.end - at,
          status: "free",
          region: r.name,
        });
      }
    }
    return { heapBytes: this.heapBytes, regions, blocks };
  }

  // ---- helpers for subclasses ---------------------------------------------

  protected lookup(id: string, doing: string): GcObject {
    const h = this.byName.get(id);
    if (h !== undefined) return this.table[h]!;
    if (this.freedAt.has(id)) {
      const at = this.freedAt.get(id);
      throw new RangeError(
        `Cannot ${doing} ${id}: ${id} was freed${at === null ? "" : ` at line ${at}`}`,
      );
    }
    throw new RangeError(`Cannot ${doing} ${id}: no object is named ${JSON.stringify(id)}`);
  }

  /** Give `o`'s (null) fields their slots in the flat pool the marking loop reads. */
  private registerFields(o: GcObject): void {
    const h = o.handle, n = o.fields.length;
    if (2 * h + 3 >= this.meta.length) {
      const grown = new Int32Array(Math.max(2 * h + 4, 2 * this.meta.length));
      grown.set(this.meta);
      this.meta = grown;
    }
    if (this.poolTop + n > this.fieldPool.length) {
      const grown = new Int32Array(Math.max(this.poolTop + n, 2 * this.fieldPool.length)).fill(-1);
      grown.set(this.fieldPool.subarray(0, this.poolTop));
      this.fieldPool = grown;
    }
    this.meta[2 * h] = this.poolTop;
    this.poolTop += n;
    this.meta[2 * h + 2] = this.poolTop; // where the next object's fields will start
  }

  /** Free one object: its bytes leave the occupancy and its name may not be used again. */
  protected release(o: GcObject): void {
    this.table[o.handle] = undefined;
    this.byName.delete(o.id);
    this.freedAt.set(o.id, this.op);
    this.roots.delete(o.handle);
    this.occupancy -= o.sizeBytes;
    this.c.freedBytes += o.sizeBytes;
    this.t.bytesFreed += o.sizeBytes;
    this.freedSinceRecord.push(o);
  }

  /**
   * Mark every object reachable from the roots with epoch `e` (read it with
   * {@linkcode isMarked}; `o.mark` is left to the copying traversals).
   * Returns the count. The hot loop touches only typed arrays indexed by
   * handle (marks, the flat field pool, a stack of handles), so neither an
   * object nor an edge costs a JavaScript object load.
   */
  protected markFromRoots(e: number, _unused: null, count = true): number {
    const meta = this.meta, pool = this.fieldPool;
    let stack = this.markStack;
    let top = 0, marked = 0, pointers = 0;
    for (const h of this.roots.keys()) {
      if (meta[2 * h + 1] === e) continue;
      meta[2 * h + 1] = e;
      marked++;
      if (top === stack.length) stack = this.growStack(stack);
      stack[top++] = h;
    }
    while (top > 0) {
      const o = 2 * stack[--top];
      const from = meta[o], to = meta[o + 2];
      pointers += to - from;
      for (let i = from; i < to; i++) {
        const h = pool[i];
        if (h < 0 || meta[2 * h + 1] === e) continue;
        meta[2 * h + 1] = e;
        marked++;
        if (top === stack.length) stack = this.growStack(stack);
        stack[top++] = h;
      }
    }
    this.markStack = stack;
    if (count) {
      this.c.traced += marked;
      this.c.pointers += pointers;
    }
    return marked;
  }

  /** True if the last {@linkcode markFromRoots} with epoch `e` reached `o`. */
  protected isMarked(o: GcObject, e: number): boolean {
    return this.meta[2 * o.handle + 1] === e;
  }

  private growStack(stack: Int32Array): Int32Array {
    const grown = new Int32Array(2 * stack.length);
    grown.set(stack);
    return grown;
  }

  /** Objects in allocation order. */
  protected liveObjects(): GcObject[] {
    return this.table.filter((o): o is GcObject => o !== undefined);
  }

  protected begin(kind: GcCollectionKind, trigger: "gc" | "allocation"): Pending {
    this.c = { traced: 0, pointers: 0, swept: 0, copied: 0, promoted: 0, freedBytes: 0 };
    const p: Pending = { kind, trigger, before: this.occupancy };
    if (this.options.heapMaps) p.heapBefore = this.heapMap();
    return p;
  }

  protected finish(p: Pending, rememberedSetSize = 0): GcCollectionRecord {
    const c = this.c;
    const pauseUnits = c.traced + c.pointers + c.swept + Math.ceil(c.copied / 8);
    const freed = this.freedSinceRecord.sort((a, b) => a.handle - b.handle).map((o) => o.id);
    this.freedSinceRecord = [];
    const { free, largest } = this.freeSpace();
    const record: GcCollectionRecord = {
      op: this.op,
      kind: p.kind,
      trigger: p.trigger,
      freedIds: freed,
      survivorIds: this.liveIds(),
      objectsTraced: c.traced,
      pointersScanned: c.pointers,
      objectsSwept: c.swept,
      bytesCopied: c.copied,
      bytesPromoted: c.promoted,
      bytesFreed: c.freedBytes,
      pauseUnits,
      occupancyBeforeBytes: p.before,
      occupancyAfterBytes: this.occupancy,
      capacityBytes: this.capacityBytes,
      freeBytesAfter: free,
      largestFreeBytesAfter: largest,
      rememberedSetSize,
    };
    if (p.heapBefore) {
      record.heapBefore = p.heapBefore;
      record.heapAfter = this.heapMap();
    }
    if (p.kind === "full") this.t.fullCollections++;
    else if (p.kind === "minor") this.t.minorCollections++;
    else this.t.rcCollections++;
    this.t.gcWorkUnits += pauseUnits;
    this.t.bytesCopied += c.copied;
    if (pauseUnits > this.t.maxPauseUnits) this.t.maxPauseUnits = pauseUnits;
    return record;
  }

  /** Give `o` the address `address` in `space`, counting the bytes moved. */
  protected moveTo(o: GcObject, address: number, space: Space = o.space): void {
    if (o.address !== address) this.c.copied += o.sizeBytes;
    o.address = address;
    o.space = space;
  }
}

/**
 * A collector whose every collection is a full one over a single space, with
 * bump or free-list allocation: mark-sweep, mark-compact and copying.
 */
export abstract class FullHeapCollector extends CollectorBase {
  /** One full collection. */
  protected abstract full(trigger: "gc" | "allocation"): GcCollectionRecord;

  protected maxObjectBytes(): number {
    return this.capacityBytes;
  }

  protected reclaimForAllocation(_o: GcObject, records: GcCollectionRecord[]): void {
    records.push(this.full("allocation"));
  }

  collect(): GcCollectionRecord {
    return this.full("gc");
  }
}

/** Bump allocation at `top` below `limit`, keeping `order` in address order; returns the new top, or -1. */
export function bumpPlace(o: GcObject, top: number, limit: number, order: GcObject[]): number {
  if (top + o.sizeBytes > limit) return -1;
  o.address = top;
  order.push(o);
  return top + o.sizeBytes;
}

/**
 * The shapes every simulated collector shares: the collector interface, one
 * record per collection, heap maps for charts, and running totals. Plain data,
 * so results print as JSON and chart functions take them directly.
 *
 * @module
 */

/** The collectors the simulator knows, by the names the CLI and `createGcCollector` accept. */
export type GcCollectorName =
  | "rc"
  | "rc-cycles"
  | "mark-sweep"
  | "mark-compact"
  | "copying"
  | "generational";

/** What kind of collection a record describes. */
export type GcCollectionKind = "full" | "minor" | "rc";

/** One block of a heap map: an object (live or garbage) or a free stretch. */
export interface GcHeapBlock {
  /** The object's id, or `null` for free space. */
  id: string | null;
  /** First byte of the block. */
  address: number;
  /** Length in bytes. */
  sizeBytes: number;
  /** `live` (reachable from the roots), `garbage` (allocated, unreachable) or `free`. */
  status: "live" | "garbage" | "free";
  /** The region it lies in, e.g. `heap`, `from-space`, `nursery`, `old`. */
  region: string;
}

/** A picture of the simulated heap at one moment, for heap-map charts. */
export interface GcHeapMap {
  /** The whole simulated heap in bytes. */
  heapBytes: number;
  /** The regions the collector divides it into, in address order. */
  regions: { name: string; start: number; end: number }[];
  /** Every object and free stretch, in address order. */
  blocks: GcHeapBlock[];
}

/** What one collection did. Work is counted in units, not time (see the module doc of `lib/gc`). */
export interface GcCollectionRecord {
  /** The workload line (or operation number) that started it; `null` when called directly. */
  op: number | null;
  /** `full`, `minor` (generational nursery only) or `rc` (plain reference counting). */
  kind: GcCollectionKind;
  /** `gc` for an explicit request, `allocation` when an allocation found no room. */
  trigger: "gc" | "allocation";
  /** Objects freed, in allocation order (for RC: everything freed since the previous record). */
  freedIds: string[];
  /** Every object still allocated afterwards, in allocation order. */
  survivorIds: string[];
  /** Objects visited by tracing (marked, copied, or examined by trial deletion). */
  objectsTraced: number;
  /** Pointer fields read while tracing or fixing up pointers. */
  pointersScanned: number;
  /** Objects visited by linear passes over the heap (sweeping, computing new addresses). */
  objectsSwept: number;
  /** Bytes moved to a new address. */
  bytesCopied: number;
  /** Bytes moved from the nursery into the old generation. */
  bytesPromoted: number;
  /** Bytes returned to free space. */
  bytesFreed: number;
  /** The pause, in work units: traced + pointers + swept + words copied (8 bytes a unit). */
  pauseUnits: number;
  /** Bytes held by objects before the collection. */
  occupancyBeforeBytes: number;
  /** Bytes held by objects after it. */
  occupancyAfterBytes: number;
  /** Bytes the mutator can fill: the heap, or one semispace, or nursery plus old generation. */
  capacityBytes: number;
  /** Free bytes where new objects can go, after the collection. */
  freeBytesAfter: number;
  /** The largest single stretch of free bytes after the collection (fragmentation shows here). */
  largestFreeBytesAfter: number;
  /** Old objects known to point into the nursery (generational), afterwards. */
  rememberedSetSize: number;
  /** The heap before (with garbage marked), when heap maps are on. */
  heapBefore?: GcHeapMap;
  /** The heap after, when heap maps are on. */
  heapAfter?: GcHeapMap;
}

/** Why an allocation failed. */
export interface GcOutOfMemory {
  /** The object that could not be allocated. */
  id: string;
  /** Its size. */
  sizeBytes: number;
  /** Bytes still held by objects after the collector tried. */
  occupancyBytes: number;
  /** What the mutator can fill. */
  capacityBytes: number;
  /** One sentence. */
  reason: string;
}

/** The outcome of one allocation: any collections it started, and whether it got room. */
export interface GcAllocation {
  /** True if the object was allocated. */
  ok: boolean;
  /** Collections this allocation started (none when there was room). */
  collections: GcCollectionRecord[];
  /** Set when no room could be found; the object then does not exist. */
  outOfMemory: GcOutOfMemory | null;
}

/** One object as the mutator sees it. */
export interface GcObjectView {
  id: string;
  sizeBytes: number;
  /** Each pointer field: the target's id or `null`. */
  fields: (string | null)[];
  /** Its current address. */
  address: number;
  /** How many root references it has. */
  rootCount: number;
  /** `heap`, or `young` / `old` under the generational collector. */
  space: "heap" | "young" | "old";
  /** Its reference count (RC collectors), otherwise `null`. */
  referenceCount: number | null;
}

/** Running totals over a collector's life. */
export interface GcTotals {
  /** Collections of each kind. */
  fullCollections: number;
  minorCollections: number;
  rcCollections: number;
  /** Sum of every collection's pause units. */
  gcWorkUnits: number;
  /** Work done on the mutator's side: count updates and frees (RC), write-barrier checks. */
  mutatorOverheadUnits: number;
  /** The longest pause in units. */
  maxPauseUnits: number;
  /** Bytes allocated, bytes moved and bytes freed in total. */
  bytesAllocated: number;
  bytesCopied: number;
  bytesFreed: number;
  /** The most bytes the objects ever held at once. */
  peakOccupancyBytes: number;
}

/**
 * A simulated collector: it owns a heap of fixed size and the objects in it,
 * and the mutator drives it through five operations. Naming an object that
 * does not exist or was freed throws a `RangeError`; running out of memory is
 * a result ({@linkcode GcAllocation}).
 */
export interface GcCollector {
  /** The collector's name. */
  readonly name: GcCollectorName;
  /** The whole simulated heap in bytes. */
  readonly heapBytes: number;
  /** Bytes the mutator can fill (see {@linkcode GcCollectionRecord.capacityBytes}). */
  readonly capacityBytes: number;
  /** The operation number stamped on records (the CLI sets the workload line). */
  op: number | null;
  /** Allocate an object with `fieldCount` null pointer fields; it is not a root. */
  allocate(id: string, sizeBytes: number, fieldCount: number): GcAllocation;
  /** Store a pointer to `target` (or null) in field `field` of `id`. */
  setField(id: string, field: number, target: string | null): void;
  /** Add one root reference to `id`. */
  addRoot(id: string): void;
  /** Remove one root reference from `id`. */
  removeRoot(id: string): void;
  /** A full collection now (for `rc`, only what counting allows). */
  collect(): GcCollectionRecord;
  /** The mark phase alone: mark from the roots and return the number of reachable objects. */
  mark(): number;
  /** True if `id` is allocated now. */
  has(id: string): boolean;
  /** The object named `id`. */
  object(id: string): GcObjectView;
  /** Every allocated object's id, in allocation order. */
  liveIds(): string[];
  /** Bytes held by allocated objects. */
  occupancyBytes(): number;
  /** The heap now, with unreachable objects marked as garbage. */
  heapMap(): GcHeapMap;
  /** Running totals. */
  totals(): GcTotals;
}

// Private: the simulated objects and the address-ordered free list that the
// collectors share. Nothing here is re-exported.

/** Colours of the synchronous cycle collector (Bacon and Rajan); black is the resting state. */
export const BLACK = 0;
export const GRAY = 1;
export const WHITE = 2;
export const PURPLE = 3;

/** Where an object lives: one heap, or the young or old generation. */
export type Space = "heap" | "young" | "old";

/** One simulated object. Fields hold handles of other objects, -1 for null. */
export interface GcObject {
  /** Index in the collector's object table; never reused. */
  handle: number;
  /** The mutator's name for it. */
  id: string;
  sizeBytes: number;
  fields: Int32Array;
  /** Byte address inside the simulated heap. */
  address: number;
  /** Reference count (RC collectors): root references plus incoming pointers. */
  rc: number;
  /** Mark epoch: marked in the current collection when equal to the collector's epoch. */
  mark: number;
  /** Minor collections survived (generational). */
  age: number;
  space: Space;
  /** Cycle-collector colour. */
  color: number;
  /** True while in the cycle collector's candidate buffer. */
  buffered: boolean;
}

/** An address-ordered list of free blocks with first-fit allocation and coalescing. */
export class FreeList {
  starts: number[] = [];
  sizes: number[] = [];

  constructor(start: number, size: number) {
    if (size > 0) {
      this.starts.push(start);
      this.sizes.push(size);
    }
  }

  /** First fit: the address of a block of `size` bytes, or -1 when none is large enough. */
  take(size: number): number {
    for (let i = 0; i < this.starts.length; i++) {
      if (this.sizes[i] >= size) {
        const at = this.starts[i];
        if (this.sizes[i] === size) {
          this.starts.splice(i, 1);
          this.sizes.splice(i, 1);
        } else {
          this.starts[i] += size;
          this.sizes[i] -= size;
        }
        return at;
      }
    }
    return -1;
  }

  /** Return a block, merging it with free neighbours. */
  give(start: number, size: number): void {
    let lo = 0, hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] < start) lo = mid + 1;
      else hi = mid;
    }
    const mergesLeft = lo > 0 && this.starts[lo - 1] + this.sizes[lo - 1] === start;
    const mergesRight = lo < this.starts.length && start + size === this.starts[lo];
    if (mergesLeft && mergesRight) {
      this.sizes[lo - 1] += size + this.sizes[lo];
      this.starts.splice(lo, 1);
      this.sizes.splice(lo, 1);
    } else if (mergesLeft) {
      this.sizes[lo - 1] += size;
    } else if (mergesRight) {
      this.starts[lo] = start;
      this.sizes[lo] += size;
    } else {
      this.starts.splice(lo, 0, start);
      this.sizes.splice(lo, 0, size);
    }
  }

  /** Rebuild from the blocks in use, sorted by address: every gap becomes one free block. */
  rebuild(used: readonly GcObject[], start: number, end: number): void {
    this.starts = [];
    this.sizes = [];
    let at = start;
    for (const o of used) {
      if (o.address > at) {
        this.starts.push(at);
        this.sizes.push(o.address - at);
      }
      at = o.address + o.sizeBytes;
    }
    if (end > at) {
      this.starts.push(at);
      this.sizes.push(end - at);
    }
  }

  /** Total free bytes. */
  total(): number {
    let s = 0;
    for (const n of this.sizes) s += n;
    return s;
  }

  /** The largest free block in bytes (0 when none). */
  largest(): number {
    let m = 0;
    for (const n of this.sizes) if (n > m) m = n;
    return m;
  }
}

// Incremental, byte-level parser for line-oriented trace formats. Private.
//
// Bytes are parsed in place, never decoded to strings: a fast loop takes the well-formed
// lines of each chunk (hex straight to numbers) and stops at the first line it cannot take
// whole; that line goes through the careful parser, which accepts the rarer legal forms
// (banners, tabs, 0x, CRLF, blank lines) and words the errors. Records go to a sink.
import { OP_IFETCH, OP_LOAD, OP_MODIFY, OP_STORE, type TraceBuilder } from "./trace.ts";

/** Where parsed records go: a growing `TraceBuilder`, or a fixed batch handed on when full. */
export interface RecordSink {
  push(op: number, address: number, sizeBytes: number): void;
}

/** Longest line accepted; a longer one is an error, which keeps memory bounded. */
export const MAX_LINE_BYTES = 4096;

const decoder = new TextDecoder();

function show(bytes: Uint8Array, start: number, end: number): string {
  const text = decoder.decode(bytes.subarray(start, Math.min(end, start + 80)));
  return JSON.stringify(end - start > 80 ? text + "..." : text);
}

function fail(
  format: string,
  line: number,
  rule: string,
  bytes: Uint8Array,
  start: number,
  end: number,
): never {
  throw new SyntaxError(
    `Cannot parse ${format} trace: line ${line} ${rule}: received ${show(bytes, start, end)}`,
  );
}

/** Value of each byte as a hex digit, or -1. */
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[65 + c] = HEX[97 + c] = 10 + c;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** Parses lackey (`I  addr,size`, ` L addr,size`, ...) or din (`label addr`) lines into a sink. */
export class LineParser<S extends RecordSink = TraceBuilder> {
  readonly format: "lackey" | "din";
  builder: S;
  /** Number of lines seen (complete or final). */
  line = 0;
  /** Largest number of bytes held back across chunk boundaries so far. */
  maxCarryBytes = 0;
  #carry: Uint8Array | null = null;

  constructor(format: "lackey" | "din", builder: S) {
    this.format = format;
    this.builder = builder;
  }

  push(chunk: Uint8Array): void {
    let from = 0;
    if (this.#carry !== null) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.#hold(chunk, 0);
        return;
      }
      const joined = new Uint8Array(this.#carry.length + nl);
      joined.set(this.#carry);
      joined.set(chunk.subarray(0, nl), this.#carry.length);
      this.#carry = null;
      this.#parse(joined, 0, joined.length);
      from = nl + 1;
    }
    const lackey = this.format === "lackey";
    for (;;) {
      from = lackey ? this.#fastLackey(chunk, from) : this.#fastDin(chunk, from);
      const nl = chunk.indexOf(10, from);
      if (nl < 0) break;
      this.#parse(chunk, from, nl);
      from = nl + 1;
    }
    if (from < chunk.length) this.#hold(chunk, from);
  }

  /**
   * One pass over well-formed lackey lines (` L 7ff0003a8,8`); stops at the first
   * line it cannot take whole (banner, odd spacing, error, no newline yet) and
   * returns its start, so the careful per-line parser handles it. Hex digits go through
   * a table into two 32-bit halves (integer operations only), joined once per line.
   */
  #fastLackey(b: Uint8Array, from: number): number {
    const n = b.length;
    const builder = this.builder;
    let i = from;
    let lines = 0;
    while (i < n) {
      const start = i;
      while (i < n && b[i] === 32) i++;
      if (i + 2 >= n) {
        i = start;
        break;
      }
      const c = b[i];
      const op = c === 76
        ? OP_LOAD
        : c === 83
        ? OP_STORE
        : c === 77
        ? OP_MODIFY
        : c === 73
        ? OP_IFETCH
        : -1;
      if (op < 0 || b[i + 1] !== 32) {
        i = start;
        break;
      }
      i += 2;
      while (i < n && b[i] === 32) i++;
      let hi = 0, lo = 0;
      const first = i;
      while (i < n) {
        const d = HEX[b[i]];
        if (d < 0) break;
        hi = (hi << 4) | (lo >>> 28);
        lo = (lo << 4) | d;
        i++;
      }
      if (i === first || i - first > 13 || i >= n || b[i] !== 44) {
        i = start;
        break;
      }
      i++;
      let size = 0;
      const sizeFirst = i;
      while (i < n) {
        const d = b[i] - 48;
        if (d < 0 || d > 9) break;
        size = size * 10 + d;
        i++;
      }
      if (
        i === sizeFirst || i - sizeFirst > 5 || size > 65535 || i >= n || b[i] !== 10 ||
        i - start > MAX_LINE_BYTES
      ) {
        i = start;
        break;
      }
      i++;
      lines++;
      builder.push(op, hi * 4294967296 + (lo >>> 0), size === 0 ? 1 : size);
    }
    this.line += lines;
    return i;
  }

  /**
   * One pass over well-formed din lines (`0 7ff0003a8`, label then one space then hex); stops
   * at the first line it cannot take whole, as {@linkcode #fastLackey} does.
   */
  #fastDin(b: Uint8Array, from: number): number {
    const n = b.length;
    const builder = this.builder;
    let i = from;
    let lines = 0;
    while (i + 2 < n) {
      const start = i;
      const label = b[i] - 48;
      if (label < 0 || label > 2 || b[i + 1] !== 32) break;
      i += 2;
      let hi = 0, lo = 0;
      const first = i;
      while (i < n) {
        const d = HEX[b[i]];
        if (d < 0) break;
        hi = (hi << 4) | (lo >>> 28);
        lo = (lo << 4) | d;
        i++;
      }
      if (i === first || i - first > 13 || i >= n || b[i] !== 10) {
        i = start;
        break;
      }
      i++;
      lines++;
      builder.push(
        label === 0 ? OP_LOAD : label === 1 ? OP_STORE : OP_IFETCH,
        hi * 4294967296 + (lo >>> 0),
        1,
      );
    }
    this.line += lines;
    return i;
  }

  finish(): void {
    if (this.#carry !== null) {
      const c = this.#carry;
      this.#carry = null;
      this.#parse(c, 0, c.length);
    }
  }

  #hold(chunk: Uint8Array, from: number): void {
    const prev = this.#carry;
    const n = (prev?.length ?? 0) + chunk.length - from;
    if (n > MAX_LINE_BYTES) {
      const all = new Uint8Array(n);
      if (prev) all.set(prev);
      all.set(chunk.subarray(from), prev?.length ?? 0);
      fail(
        this.format,
        this.line + 1,
        `is longer than ${MAX_LINE_BYTES} bytes`,
        all,
        0,
        all.length,
      );
    }
    const next = new Uint8Array(n);
    if (prev) next.set(prev);
    next.set(chunk.subarray(from), prev?.length ?? 0);
    this.#carry = next;
    if (n > this.maxCarryBytes) this.maxCarryBytes = n;
  }

  #parse(b: Uint8Array, start: number, end: number): void {
    const line = ++this.line;
    // The same limit whether or not the line arrived in one chunk.
    if (end - start > MAX_LINE_BYTES) {
      fail(this.format, line, `is longer than ${MAX_LINE_BYTES} bytes`, b, start, end);
    }
    let i = start;
    while (end > i && (b[end - 1] === 13 || b[end - 1] === 32 || b[end - 1] === 9)) end--;
    while (i < end && (b[i] === 32 || b[i] === 9)) i++;
    if (i === end) return;
    if (this.format === "lackey") this.#lackey(b, start, i, end, line);
    else this.#din(b, start, i, end, line);
  }

  #lackey(b: Uint8Array, start: number, i: number, end: number, line: number): void {
    const c = b[i];
    if (c === 61 && b[i + 1] === 61) return; // "==" banner
    let op: number;
    if (c === 76) op = OP_LOAD;
    else if (c === 83) op = OP_STORE;
    else if (c === 73) op = OP_IFETCH;
    else if (c === 77) op = OP_MODIFY;
    else return fail("lackey", line, "must start with I, L, S or M", b, start, end);
    i++;
    if (b[i] !== 32 && b[i] !== 9) {
      return fail("lackey", line, 'must be "OP ADDRESS,SIZE"', b, start, end);
    }
    while (b[i] === 32 || b[i] === 9) i++;
    if (b[i] === 48 && (b[i + 1] | 32) === 120) i += 2;
    let addr = 0;
    const first = i;
    for (; i < end; i++) {
      const d = hexValue(b[i]);
      if (d < 0) break;
      addr = addr * 16 + d;
    }
    if (i === first || b[i] !== 44) {
      return fail("lackey", line, 'must be "OP ADDRESS,SIZE" with a hex address', b, start, end);
    }
    if (i - first > 13 && addr > Number.MAX_SAFE_INTEGER) {
      return fail("lackey", line, "address must be below 2^53", b, start, end);
    }
    i++;
    let size = 0;
    const sizeFirst = i;
    for (; i < end; i++) {
      const d = b[i] - 48;
      if (d < 0 || d > 9) break;
      size = size * 10 + d;
    }
    if (i === sizeFirst || i !== end) {
      return fail("lackey", line, 'must be "OP ADDRESS,SIZE" with a decimal size', b, start, end);
    }
    if (size > 65535) return fail("lackey", line, "size must be at most 65535", b, start, end);
    this.builder.push(op, addr, size === 0 ? 1 : size);
  }

  #din(b: Uint8Array, start: number, i: number, end: number, line: number): void {
    const label = b[i] - 48;
    if (label < 0 || label > 2 || (b[i + 1] !== 32 && b[i + 1] !== 9)) {
      return fail("din", line, "label must be 0 (read), 1 (write) or 2 (ifetch)", b, start, end);
    }
    i++;
    while (b[i] === 32 || b[i] === 9) i++;
    if (b[i] === 48 && (b[i + 1] | 32) === 120) i += 2;
    let addr = 0;
    const first = i;
    for (; i < end; i++) {
      const d = hexValue(b[i]);
      if (d < 0) break;
      addr = addr * 16 + d;
    }
    // Dinero ignores anything after the address, separated by white space.
    if (i === first || (i < end && b[i] !== 32 && b[i] !== 9)) {
      return fail("din", line, 'must be "LABEL ADDRESS" with a hex address', b, start, end);
    }
    if (addr > Number.MAX_SAFE_INTEGER) {
      return fail("din", line, "address must be below 2^53", b, start, end);
    }
    this.builder.push(label === 0 ? OP_LOAD : label === 1 ? OP_STORE : OP_IFETCH, addr, 1);
  }
}

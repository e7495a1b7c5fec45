// Streaming gunzip with gzip's own framing, read like `zcat` reads it. Private.
//
// The runtime's DecompressionStream refuses anything after the first member, and fflate's
// Gunzip cannot say where bad bytes start, so this module walks the members itself:
// it parses each header (RFC 1952), inflates the raw deflate data with node:zlib (which
// reports exactly how much input the deflate stream used), checks each trailer's CRC-32
// and length, and then expects another member, zero padding (ignored, as gzip does) or the
// end. Any other bytes after a member are an error naming their byte offset; gzip itself
// would print "trailing garbage ignored" and exit 2, so this reader refuses them too.
import { crc32, createInflateRaw } from "node:zlib";

/** Compressed bytes handed to the inflater at once; bounds the text one write produces. */
const WRITE_BYTES = 16384;
/** Longest gzip header accepted (file name and comment included). */
const MAX_HEADER_BYTES = 65536;

/** Counters the gunzip fills in. */
export interface GunzipCounters {
  /** Members read completely. */
  members: number;
  /** Most decompressed bytes waiting to be parsed at once. */
  maxPendingBytes: number;
}

function gzipError(message: string): SyntaxError {
  return new SyntaxError(`Cannot read gzip trace: ${message}`);
}

function hex(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** A byte reader over async chunks that knows the offset of every byte. */
class Bytes {
  #it: AsyncIterator<Uint8Array>;
  /** Unread bytes of the current chunk. */
  pending: Uint8Array = new Uint8Array(0);
  /** Offset of `pending[0]` in the whole input. */
  offset = 0;
  done = false;

  constructor(it: AsyncIterator<Uint8Array>) {
    this.#it = it;
  }

  /** Make `pending` non-empty; false at the end of input. */
  async more(): Promise<boolean> {
    while (this.pending.length === 0) {
      if (this.done) return false;
      const r = await this.#it.next();
      if (r.done) {
        this.done = true;
        return false;
      }
      this.pending = r.value;
    }
    return true;
  }

  /** Make at least `k` bytes pending (joining chunks); false if the input ends first. */
  async fill(k: number): Promise<boolean> {
    while (this.pending.length < k) {
      const have = this.pending;
      this.pending = new Uint8Array(0);
      if (!(await this.more())) {
        this.pending = have;
        return false;
      }
      const joined = new Uint8Array(have.length + this.pending.length);
      joined.set(have);
      joined.set(this.pending, have.length);
      this.pending = joined;
    }
    return true;
  }

  skip(k: number): void {
    this.pending = this.pending.subarray(k);
    this.offset += k;
  }
}

/** Read one member header; returns false at the end of input or after zero padding. */
async function header(src: Bytes, member: number): Promise<boolean> {
  if (!(await src.more())) {
    if (member === 0) throw gzipError("data is empty");
    return false;
  }
  if (member > 0 && src.pending[0] === 0) {
    // Zero padding after the last member (tape blocks): gzip ignores it, and so do we.
    for (;;) {
      const p = src.pending;
      let i = 0;
      while (i < p.length && p[i] === 0) i++;
      if (i < p.length) {
        throw gzipError(
          `unexpected bytes after the zero padding that follows member ${member} at byte offset ${
            src.offset + i
          }: received ${hex(p.subarray(i))}`,
        );
      }
      src.skip(p.length);
      if (!(await src.more())) return false;
    }
  }
  const at = src.offset;
  const complete = await src.fill(10);
  const p = src.pending;
  if (p[0] !== 0x1f || (p.length > 1 && p[1] !== 0x8b) || !complete) {
    if (member === 0) {
      throw gzipError(
        complete || p[0] !== 0x1f || p[1] !== 0x8b
          ? `not gzip data: expected bytes 1f 8b at byte offset 0: received ${hex(p)}`
          : "data is truncated: the gzip header is incomplete",
      );
    }
    throw gzipError(
      `unexpected bytes after gzip member ${member} at byte offset ${at}: expected another member (1f 8b) or the end of the file: received ${
        hex(p)
      }`,
    );
  }
  if (p[2] !== 8) {
    throw gzipError(
      `member ${
        member + 1
      } at byte offset ${at}: compression method must be 8 (deflate): received ${p[2]}`,
    );
  }
  const flags = p[3];
  if ((flags & 0xe0) !== 0) {
    throw gzipError(
      `member ${member + 1} at byte offset ${at}: reserved flag bits must be 0: received ${flags}`,
    );
  }
  let n = 10;
  const need = async (k: number) => {
    if (k > MAX_HEADER_BYTES || !(await src.fill(k))) {
      throw gzipError(
        k > MAX_HEADER_BYTES
          ? `member ${
            member + 1
          } at byte offset ${at}: header is longer than ${MAX_HEADER_BYTES} bytes`
          : `data is truncated: the header of member ${
            member + 1
          } at byte offset ${at} is incomplete`,
      );
    }
  };
  if (flags & 4) {
    await need(n + 2);
    n += 2 + (src.pending[n] | (src.pending[n + 1] << 8));
  }
  for (const bit of [8, 16]) {
    if ((flags & bit) === 0) continue;
    for (;;) {
      await need(n + 1);
      if (src.pending[n++] === 0) break;
    }
  }
  if (flags & 2) n += 2;
  await need(n);
  src.skip(n);
  return true;
}

/**
 * Gunzip a stream of compressed chunks into a stream of text chunks, member after member.
 *
 * @param it The compressed chunks.
 * @param counters Counters to fill in.
 * @returns The decompressed chunks.
 */
export async function* gunzipMembers(
  it: AsyncIterator<Uint8Array>,
  counters: GunzipCounters,
): AsyncGenerator<Uint8Array> {
  const src = new Bytes(it);
  for (let member = 0;; member++) {
    if (!(await header(src, member))) return;
    const start = src.offset;
    const inflate = createInflateRaw();
    const out: Uint8Array[] = [];
    let outBytes = 0;
    let failure: Error | null = null;
    let ended = false;
    const finished = new Promise<void>((resolve) => {
      inflate.on("end", () => {
        ended = true;
        resolve();
      });
      inflate.on("error", (e: Error) => {
        failure = e;
        resolve();
      });
    });
    inflate.on("data", (d: Uint8Array) => {
      out.push(d);
      outBytes += d.length;
    });
    let crc = 0;
    let size = 0;
    const corrupt = (e: Error) =>
      gzipError(
        `member ${member + 1} (from byte offset ${start}) is corrupt: ${e.message}`,
      );
    const drain = function* (): Generator<Uint8Array> {
      if (outBytes > counters.maxPendingBytes) counters.maxPendingBytes = outBytes;
      for (const d of out) {
        crc = crc32(d, crc);
        size += d.length;
        yield d;
      }
      out.length = 0;
      outBytes = 0;
    };
    while (!ended) {
      if (!(await src.more())) {
        throw gzipError(
          `data is truncated: member ${
            member + 1
          } (from byte offset ${start}) ends inside its compressed data`,
        );
      }
      const piece = src.pending.subarray(0, WRITE_BYTES);
      const before = inflate.bytesWritten;
      await new Promise<void>((resolve) => {
        inflate.write(piece, () => resolve());
        // A failed write may never call back; the error event settles it instead.
        finished.then(() => resolve());
      });
      if (failure !== null) throw corrupt(failure);
      yield* drain();
      // bytesWritten counts the input the inflater used: all of it, or up to the end of
      // the deflate stream.
      const used = inflate.bytesWritten - before;
      src.skip(used);
      if (used < piece.length) break;
      // The deflate stream may end exactly at the end of a piece: let the end event through.
      await Promise.resolve();
    }
    await finished;
    if (failure !== null) throw corrupt(failure);
    yield* drain();
    if (!(await src.fill(8))) {
      throw gzipError(
        `data is truncated: member ${member + 1} (from byte offset ${start}) has no trailer`,
      );
    }
    const t = src.pending;
    const want = (t[0] | (t[1] << 8) | (t[2] << 16) | (t[3] << 24)) >>> 0;
    const length = (t[4] | (t[5] << 8) | (t[6] << 16) | (t[7] << 24)) >>> 0;
    if (want !== crc >>> 0) {
      throw gzipError(
        `checksum mismatch in member ${member + 1}: trailer says ${want.toString(16)}, data gives ${
          (crc >>> 0).toString(16)
        }`,
      );
    }
    if (length !== size % 0x1_0000_0000) {
      throw gzipError(
        `length mismatch in member ${member + 1}: trailer says ${length} bytes, data has ${size}`,
      );
    }
    src.skip(8);
    counters.members++;
  }
}

// CRC-32 (IEEE, as in gzip trailers). Private.
const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** Running CRC-32: feed chunks with `update`, read the value with `digest`. */
export class Crc32 {
  #c = -1;
  update(d: Uint8Array): void {
    let c = this.#c;
    for (let i = 0; i < d.length; i++) c = TABLE[(c ^ d[i]) & 255] ^ (c >>> 8);
    this.#c = c;
  }
  digest(): number {
    return ~this.#c >>> 0;
  }
}

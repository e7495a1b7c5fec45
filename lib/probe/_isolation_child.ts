// Private: one child process of measureIsolation. Usage:
//   _isolation_child.ts ADDRESS_HEX VALUE
// It maps one page at exactly ADDRESS (MAP_FIXED_NOREPLACE: never over an
// existing mapping), writes VALUE there, prints one JSON line
// {"pid","address","mapped","error","wrote"}, then waits for a line on stdin;
// on it, it reads the page back, prints {"readBack"} and exits. On end of
// input it exits at once. It never runs longer than its parent lets it: the
// parent kills it on any error.
import { errno, libc, LINUX, pageSizeBytes } from "./libc.ts";

const MAP_FIXED_NOREPLACE = 0x100000;
const address = BigInt(Deno.args[0] ?? "0");
const value = Number(Deno.args[1]);
const page = pageSizeBytes();
const out = (o: unknown) => console.log(JSON.stringify(o));

let view: Int32Array | null = null;
let error: string | null = null;
const wanted = Deno.UnsafePointer.create(address);
const p = libc().mmap(
  wanted,
  BigInt(page),
  LINUX.PROT_READ | LINUX.PROT_WRITE,
  LINUX.MAP_PRIVATE | LINUX.MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
  -1,
  0n,
);
const got = p === null ? 0n : BigInt(Deno.UnsafePointer.value(p));
if (p === null || got === 0xffff_ffff_ffff_ffffn) {
  error = `mmap failed: errno ${errno()}`;
} else if (got !== address) {
  // An old kernel treats the flag as a hint and may place the page elsewhere.
  error = `the kernel placed the page at 0x${got.toString(16)} instead`;
} else {
  view = new Int32Array(Deno.UnsafePointerView.getArrayBuffer(p, page));
  view[0] = value;
}
out({
  pid: Deno.pid,
  address: "0x" + address.toString(16),
  mapped: view !== null,
  error,
  wrote: value,
});

const reader = Deno.stdin.readable.getReader();
const { done } = await reader.read();
if (!done) out({ readBack: view === null ? null : view[0] });
Deno.exit(0);

// Private: the child process of measureRealWorkingSet. It reads one JSON line
// {"pageCount","references","intervalRefs"} from stdin, maps pageCount pages
// between two inaccessible guard pages (so that the buffer stays a mapping of
// its own in /proc/PID/smaps), prints {"pid","start"}, and then for every
// line "next" on stdin writes one byte to the page of each reference of the
// next interval and prints {"done": k}. It exits at end of input or on "exit".
import { libc, LINUX, madviseRegion, mmapRegion, pageSizeBytes } from "./libc.ts";

const MAP_FIXED = 0x10;
const MADV_NOHUGEPAGE = 15;
const page = pageSizeBytes();
const out = (o: unknown) => console.log(JSON.stringify(o));
const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
let buffered = "";
async function nextLine(): Promise<string | null> {
  while (!buffered.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) return null;
    buffered += value;
  }
  const nl = buffered.indexOf("\n");
  const line = buffered.slice(0, nl);
  buffered = buffered.slice(nl + 1);
  return line;
}

const first = await nextLine();
if (first === null) Deno.exit(0);
const cfg = JSON.parse(first) as { pageCount: number; references: number[]; intervalRefs: number };
const outer = mmapRegion({
  sizeBytes: (cfg.pageCount + 2) * page,
  prot: LINUX.PROT_NONE,
});
const startPtr = Deno.UnsafePointer.offset(outer.pointer, page)!;
const p = libc().mmap(
  startPtr,
  BigInt(cfg.pageCount * page),
  LINUX.PROT_READ | LINUX.PROT_WRITE,
  LINUX.MAP_PRIVATE | LINUX.MAP_ANONYMOUS | MAP_FIXED,
  -1,
  0n,
);
if (p === null || Deno.UnsafePointer.value(p) !== Deno.UnsafePointer.value(startPtr)) {
  out({ error: "could not map the buffer between its guard pages" });
  Deno.exit(1);
}
try {
  madviseRegion(
    { pointer: p, sizeBytes: cfg.pageCount * page, pageCount: cfg.pageCount, unmapped: false },
    MADV_NOHUGEPAGE,
  );
} catch {
  // No transparent huge pages in this kernel: base pages anyway.
}
const bytes = new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(p, cfg.pageCount * page));
const refs = Int32Array.from(cfg.references);
out({ pid: Deno.pid, start: "0x" + BigInt(Deno.UnsafePointer.value(p)).toString(16) });
let k = 0;
while (true) {
  const line = await nextLine();
  if (line === null || line === "exit") break;
  const from = k * cfg.intervalRefs;
  const to = Math.min(refs.length, from + cfg.intervalRefs);
  for (let t = from; t < to; t++) bytes[refs[t] * page + ((t & 63) << 6)] = (t & 255) | 1;
  out({ done: k });
  k++;
}
Deno.exit(0);

/**
 * Isolation, for real: two processes, one virtual address, two memories; and
 * fork's copy-on-write, counted.
 *
 * {@linkcode measureIsolation} starts two child Deno processes. Each maps one
 * page at the **same** virtual address (`MAP_FIXED_NOREPLACE`, so it never
 * lands on something already there), writes its own value, and waits. While
 * both wait, the parent reads `/proc/PID/maps` of each (the line that covers
 * the address, and where each one's stack landed) and `/proc/PID/pagemap`
 * (is the page present, and in which physical frame). Then each child reads
 * its page back. Both values coming back unchanged proves the address means
 * two different memories; two different frame numbers show where. The kernel
 * gives frame numbers only to a process with `CAP_SYS_ADMIN` (root, usually):
 * to anyone else pagemap reports the frame as 0, and the result says that it
 * could not see them rather than guessing.
 *
 * {@linkcode measureForkCopyOnWrite} shows how the kernel avoids copying at
 * `fork()`. JavaScript engines cannot fork (V8's threads do not survive it),
 * so a short Python program, Python being present wherever Jupyter runs,
 * does the forking: the parent writes every page of a private buffer, forks,
 * and the child counts its own minor faults (getrusage) while it reads every
 * page, writes every page, and writes every page again. Reads of inherited
 * pages cost nothing; the first write to each page costs one fault, the
 * moment the kernel copies it; the second write costs nothing. The parent
 * then checks that its own pages still hold its value.
 *
 * Bounds: each child maps one page (isolation) or at most
 * {@linkcode COW_MAX_PAGES} pages (fork); every answer has a deadline; every
 * child is killed and reaped in a `finally` block, error or not.
 *
 * @module
 */
import { z } from "zod";
import { attachKeyValueDisplay } from "./_kv_display.ts";
import { escapeHtml, htmlTable, textTable } from "./_format.ts";
import { LineChild } from "./_line_child.ts";
import { pageSizeBytes } from "./libc.ts";
import { type MapRegion, parseMaps } from "./maps.ts";
import { environment, type ProbeEnvironment } from "./machine.ts";

/** The address both children map by default: far from where Linux puts anything on its own. */
export const ISOLATION_DEFAULT_ADDRESS = 0x3f00_0000_0000;
/** The most pages the fork experiment may copy. */
export const COW_MAX_PAGES = 16384;
const ANSWER_MS = 15_000;
const PFN_MASK = (1n << 55n) - 1n;

const IsolationOptionsSchema = z.strictObject({
  address: z.number().int().min(0x1_0000).max(0x7fff_ffff_f000).default(
    ISOLATION_DEFAULT_ADDRESS,
  ),
  values: z.tuple([z.number().int(), z.number().int()]).default([111, 222]),
  procRoot: z.string().min(1).default("/proc"),
  timeoutMs: z.number().int().min(100).max(60_000).default(ANSWER_MS),
});

/** Options of {@linkcode measureIsolation}. */
export interface IsolationOptions {
  /** The virtual address both children map (page-aligned, user space; default 0x3f0000000000). */
  address?: number;
  /** The value each child writes (default 111 and 222). */
  values?: [number, number];
  /** Where procfs is mounted (default `/proc`). */
  procRoot?: string;
  /** Deadline for each child's answer, ms (default 15000). */
  timeoutMs?: number;
}

/** What pagemap says about one virtual page of one process. */
export interface PagemapEntry {
  /** The page is in RAM (bit 63). */
  present: boolean;
  /** The physical frame number, or null when the kernel hid it (reported as 0) or the page is absent. */
  pfn: number | null;
}

/** One child of {@linkcode measureIsolation}, as the parent saw it. */
export interface IsolationChild {
  /** Its process id. */
  pid: number;
  /** True if the page was mapped at exactly the address asked for. */
  mapped: boolean;
  /** Why not, when it was not. */
  error: string | null;
  /** The value it wrote. */
  wrote: number;
  /** The value it read back after the other child had written its own (null if unmapped). */
  readBack: number | null;
  /** The line of its /proc/PID/maps that covers the address, or null. */
  mapsLine: MapRegion | null;
  /** Its stack, from the same file (addresses differ from run to run: randomised). */
  stack: MapRegion | null;
  /** Number of regions in its map. */
  regionCount: number;
  /** What its /proc/PID/pagemap says about the page, or null if unreadable. */
  pagemap: PagemapEntry | null;
}

/** Result of {@linkcode measureIsolation}. */
export interface IsolationResult {
  /** The shared virtual address, `0x` hex. */
  address: string;
  /** The two children. */
  children: [IsolationChild, IsolationChild];
  /** True if both mapped the very same address. */
  sameAddress: boolean;
  /** True if each read back exactly what it wrote. */
  eachReadOwnValue: boolean;
  /** True or false when both frame numbers were visible; null when the kernel hid them. */
  framesDiffer: boolean | null;
  /** True if this process may see frame numbers (pagemap gave a non-zero PFN). */
  pfnVisible: boolean;
  /** The effective user id of this process (0: root), or null if unknown. */
  uid: number | null;
  /** Where and when this was measured. */
  environment: ProbeEnvironment;
}

/**
 * Decode one 64-bit pagemap entry: bit 63 present, bits 0–54 the frame.
 *
 * @param raw The entry as read (little-endian u64).
 * @returns Presence and frame number (null when absent or hidden as 0).
 *
 * @example A present page in frame 0x1234, and a hidden frame
 * ```ts
 * import { decodePagemapEntry } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodePagemapEntry((1n << 63n) | 0x1234n), { present: true, pfn: 0x1234 });
 * assert.deepEqual(decodePagemapEntry(1n << 63n), { present: true, pfn: null });
 * ```
 */
export function decodePagemapEntry(raw: bigint): PagemapEntry {
  const present = ((raw >> 63n) & 1n) === 1n;
  const pfn = raw & PFN_MASK;
  return { present, pfn: present && pfn !== 0n ? Number(pfn) : null };
}

function readPagemap(procRoot: string, pid: number, address: number): PagemapEntry | null {
  let file: Deno.FsFile | null = null;
  try {
    file = Deno.openSync(`${procRoot}/${pid}/pagemap`, { read: true });
    file.seekSync((address / pageSizeBytes()) * 8, Deno.SeekMode.Start);
    const buf = new Uint8Array(8);
    if (file.readSync(buf) !== 8) return null;
    return decodePagemapEntry(new DataView(buf.buffer).getBigUint64(0, true));
  } catch {
    return null;
  } finally {
    file?.close();
  }
}

function readMaps(procRoot: string, pid: number, address: number) {
  try {
    const regions = parseMaps(Deno.readTextFileSync(`${procRoot}/${pid}/maps`));
    const a = BigInt(address);
    const line = regions.find((r) => BigInt(r.start) <= a && a < BigInt(r.end)) ?? null;
    return { line, stack: regions.find((r) => r.kind === "stack") ?? null, count: regions.length };
  } catch {
    return { line: null, stack: null, count: 0 };
  }
}

function uid(): number | null {
  try {
    return Deno.uid();
  } catch {
    return null;
  }
}

/**
 * Two child processes map the same virtual address and write different
 * values; the parent reads both maps and pagemaps while they wait, then each
 * reads its value back.
 *
 * @param options The address, the two values, the /proc root and a deadline.
 * @returns Both children side by side, and what they prove.
 * @throws {TypeError} If an option is out of shape or range.
 * @throws {Error} If a child cannot start or does not answer in time (both are reaped first).
 *
 * @example Each child reads back its own value
 * ```ts
 * import { measureIsolation } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await measureIsolation();
 * if (r.sameAddress) assert.deepEqual(r.children.map((c) => c.readBack), [111, 222]);
 * ```
 */
export async function measureIsolation(options: IsolationOptions = {}): Promise<IsolationResult> {
  const parsed = IsolationOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    throw new TypeError(
      `Cannot measure isolation: invalid options: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  const o = parsed.data;
  const page = pageSizeBytes();
  if (o.address % page !== 0) {
    throw new RangeError(
      `Cannot measure isolation: address must be a multiple of the page size ${page}: received 0x${
        o.address.toString(16)
      }`,
    );
  }
  const script = new URL("./_isolation_child.ts", import.meta.url).pathname;
  const hex = "0x" + o.address.toString(16);
  const kids: LineChild[] = [];
  try {
    for (const v of o.values) {
      kids.push(
        new LineChild(Deno.execPath(), [
          "run",
          "--quiet",
          "--no-check",
          "--allow-ffi",
          "--allow-read",
          script,
          hex,
          String(v),
        ]),
      );
    }
    const hello = await Promise.all(
      kids.map(async (k) =>
        JSON.parse(await k.nextLine(o.timeoutMs, "measure isolation")) as {
          pid: number;
          mapped: boolean;
          error: string | null;
          wrote: number;
        }
      ),
    );
    // Both children have written and are waiting: look at them from outside.
    const seen = kids.map((k) => ({
      maps: readMaps(o.procRoot, k.pid, o.address),
      pagemap: readPagemap(o.procRoot, k.pid, o.address),
    }));
    for (const k of kids) await k.send("read");
    const back = await Promise.all(
      kids.map(async (k) =>
        (JSON.parse(await k.nextLine(o.timeoutMs, "measure isolation")) as {
          readBack: number | null;
        }).readBack
      ),
    );
    const children = kids.map((k, i): IsolationChild => ({
      pid: k.pid,
      mapped: hello[i].mapped,
      error: hello[i].error,
      wrote: hello[i].wrote,
      readBack: back[i],
      mapsLine: seen[i].maps.line,
      stack: seen[i].maps.stack,
      regionCount: seen[i].maps.count,
      pagemap: seen[i].pagemap,
    })) as [IsolationChild, IsolationChild];
    const sameAddress = children.every((c) => c.mapped);
    const pfns = children.map((c) => c.pagemap?.pfn ?? null);
    const result: IsolationResult = {
      address: hex,
      children,
      sameAddress,
      eachReadOwnValue: children.every((c) => c.readBack === c.wrote),
      framesDiffer: pfns.every((p) => p !== null) ? pfns[0] !== pfns[1] : null,
      pfnVisible: pfns.some((p) => p !== null),
      uid: uid(),
      environment: environment(),
    };
    return withIsolationDisplay(result);
  } finally {
    await Promise.all(kids.map((k) => k.close()));
  }
}

function mapsText(r: MapRegion | null): string {
  return r === null ? "(none)" : `${r.start}-${r.end} ${r.perms} ${r.path || "(anonymous)"}`;
}

function pfnText(p: PagemapEntry | null): string {
  if (p === null) return "pagemap unreadable";
  if (!p.present) return "not present";
  return p.pfn === null ? "present, frame hidden (0)" : `frame 0x${p.pfn.toString(16)}`;
}

function withIsolationDisplay(result: IsolationResult): IsolationResult {
  const [a, b] = result.children;
  const rows: [string, string, string][] = [
    ["pid", String(a.pid), String(b.pid)],
    ["wrote at " + result.address, String(a.wrote), String(b.wrote)],
    ["read back", String(a.readBack), String(b.readBack)],
    ["maps line for the address", mapsText(a.mapsLine), mapsText(b.mapsLine)],
    ["pagemap for the address", pfnText(a.pagemap), pfnText(b.pagemap)],
    ["stack (randomised)", mapsText(a.stack), mapsText(b.stack)],
    ["regions in the map", String(a.regionCount), String(b.regionCount)],
  ];
  Object.defineProperty(result, Symbol.for("Jupyter.display"), {
    enumerable: false,
    value: () => {
      const headers = ["", "child 1", "child 2"];
      const caption = describeIsolation(result);
      return {
        "text/html": `<div><b>Two processes, one virtual address</b>${
          htmlTable(headers, rows.map((r) => r.map(escapeHtml)))
        }<p><small>${escapeHtml(caption)}</small></p></div>`,
        "text/plain": `Two processes, one virtual address\n${textTable(headers, rows)}\n${caption}`,
      };
    },
  });
  return result;
}

/**
 * The reading of an isolation result in sentences that follow its numbers:
 * whether both got the address, whether each read its own value, and what
 * pagemap could show (frames, or why not).
 *
 * @param result A {@linkcode IsolationResult}.
 * @returns A paragraph.
 *
 * @example Frames hidden from a process without CAP_SYS_ADMIN
 * ```ts
 * import { describeIsolation } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const child = (pid: number, v: number) => ({ pid, mapped: true, error: null, wrote: v, readBack: v, mapsLine: null, stack: null, regionCount: 300, pagemap: { present: true, pfn: null } });
 * const s = describeIsolation({ address: "0x3f0000000000", children: [child(10, 111), child(11, 222)], sameAddress: true, eachReadOwnValue: true, framesDiffer: null, pfnVisible: false, uid: 1000, environment: {} as never });
 * assert.match(s, /each read back its own value/);
 * assert.match(s, /hid the frame numbers/);
 * ```
 */
export function describeIsolation(result: IsolationResult): string {
  const [a, b] = result.children;
  if (!result.sameAddress) {
    const why = result.children.filter((c) => !c.mapped).map((c) => `pid ${c.pid}: ${c.error}`)
      .join("; ");
    return `The two children could not both map ${result.address} (${why}), so this run shows nothing about isolation: try another address.`;
  }
  const parts = [
    result.eachReadOwnValue
      ? `Both children mapped ${result.address}; child 1 wrote ${a.wrote} and child 2 wrote ${b.wrote}, and each read back its own value: one virtual address, two memories.`
      : `Both children mapped ${result.address}, but they read back ${a.readBack} and ${b.readBack} after writing ${a.wrote} and ${b.wrote}: not what isolation promises, so something else wrote there.`,
  ];
  if (result.framesDiffer === true) {
    parts.push(
      `pagemap shows where: frame 0x${a.pagemap!.pfn!.toString(16)} for child 1 and 0x${
        b.pagemap!.pfn!.toString(16)
      } for child 2 (this process may read frame numbers${
        result.uid === 0 ? ": it runs as root" : ""
      }).`,
    );
  } else if (result.framesDiffer === false) {
    parts.push(
      `pagemap reports the same frame for both, which private writable pages should never share.`,
    );
  } else if (a.pagemap === null || b.pagemap === null) {
    parts.push(`pagemap could not be read here, so the frames stay unseen.`);
  } else {
    parts.push(
      `The kernel hid the frame numbers (pagemap reports frame 0 to a process without CAP_SYS_ADMIN${
        result.uid === null ? "" : result.uid === 0 ? "" : `; this one runs as uid ${result.uid}`
      }), so only the values prove the two memories differ.`,
    );
  }
  if (a.stack && b.stack) {
    parts.push(
      a.stack.start === b.stack.start
        ? `Both stacks start at ${a.stack.start}: address-space layout randomisation looks switched off.`
        : `Their stacks landed at different addresses (${a.stack.start} and ${b.stack.start}): layout randomisation at work.`,
    );
  }
  return parts.join(" ");
}

const CowOptionsSchema = z.strictObject({
  pageCount: z.number().int().min(16).max(COW_MAX_PAGES).default(1024),
  python: z.string().min(1).optional(),
  timeoutMs: z.number().int().min(100).max(60_000).default(ANSWER_MS),
});

/** Options of {@linkcode measureForkCopyOnWrite}. */
export interface ForkCowOptions {
  /** Pages the parent writes before forking, 16..16384 (default 1024). */
  pageCount?: number;
  /** The Python interpreter (default `/usr/bin/python3` if present, else `python3`). */
  python?: string;
  /** Deadline for the whole run, ms (default 15000). */
  timeoutMs?: number;
}

/** Result of {@linkcode measureForkCopyOnWrite}. */
export interface ForkCowResult {
  /** True if the experiment ran; false when no Python could fork (see `reason`). */
  available: boolean;
  /** Why it did not run, or null. */
  reason: string | null;
  /** Pages inherited by the child. */
  pageCount: number;
  /** The child's minor faults while reading every inherited page. */
  childReadFaults: number;
  /** Its minor faults while writing every page the first time. */
  childFirstWriteFaults: number;
  /** Its minor faults while writing every page again. */
  childSecondWriteFaults: number;
  /** True if the child read the parent's value in every page before writing. */
  childSawParentValues: boolean;
  /** True if the parent's pages still held its own value after the child wrote. */
  parentKeptValues: boolean;
  /** The parent's minor faults rewriting its pages before the fork (a baseline: about 0). */
  parentRewriteFaultsBeforeFork: number;
  /** The parent's minor faults writing its pages after the child exited. */
  parentWriteFaultsAfterFork: number;
  /** The interpreter used. */
  python: string | null;
  /** Where and when this was measured. */
  environment: ProbeEnvironment;
}

const COW_SCRIPT = `
import json, mmap, os, resource, sys
n = int(sys.argv[1]); page = mmap.PAGESIZE
buf = mmap.mmap(-1, n * page, flags=mmap.MAP_PRIVATE)
if hasattr(mmap, "MADV_NOHUGEPAGE"):
    try: buf.madvise(mmap.MADV_NOHUGEPAGE)
    except OSError: pass
offsets = range(0, n * page, page)
def minflt(): return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
def write(v):
    for i in offsets: buf[i] = v
def read():
    s = 0
    for i in offsets: s += buf[i]
    return s
write(1)
for _ in range(3): read(); write(1)
g = minflt(); write(1); h = minflt()
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    a = minflt(); total = read(); b = minflt(); write(2); c = minflt(); write(3); d = minflt()
    os.write(w, json.dumps({"read": b - a, "first": c - b, "second": d - c, "saw": total == n}).encode())
    os._exit(0)
os.close(w)
data = b""
while True:
    chunk = os.read(r, 65536)
    if not chunk: break
    data += chunk
os.waitpid(pid, 0)
kept = read() == n
e = minflt(); write(4); f = minflt()
child = json.loads(data)
print(json.dumps({"child": child, "kept": kept, "before": h - g, "after": f - e}))
`;

function findPython(explicit: string | undefined): string | null {
  if (explicit) return explicit;
  try {
    Deno.statSync("/usr/bin/python3");
    return "/usr/bin/python3";
  } catch {
    return "python3";
  }
}

/**
 * Count copy-on-write faults after `fork()`: a Python parent writes every
 * page of a private buffer and forks; the child counts its minor faults while
 * reading, writing, and writing again every inherited page.
 *
 * @param options Pages (default 1024), the Python interpreter, a deadline.
 * @returns Fault counts per pass, and whether each side kept its own values;
 *   `available: false` with a reason when Python could not be run.
 * @throws {TypeError} If an option is out of shape or range.
 *
 * @example The first write to an inherited page faults, reads do not
 * ```ts
 * import { measureForkCopyOnWrite } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await measureForkCopyOnWrite({ pageCount: 256 });
 * if (r.available) assert.ok(r.childFirstWriteFaults > r.childReadFaults);
 * ```
 */
export async function measureForkCopyOnWrite(options: ForkCowOptions = {}): Promise<ForkCowResult> {
  const parsed = CowOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    throw new TypeError(
      `Cannot measure copy-on-write: invalid options: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  const o = parsed.data;
  const python = findPython(o.python);
  const base: ForkCowResult = {
    available: false,
    reason: null,
    pageCount: o.pageCount,
    childReadFaults: 0,
    childFirstWriteFaults: 0,
    childSecondWriteFaults: 0,
    childSawParentValues: false,
    parentKeptValues: false,
    parentRewriteFaultsBeforeFork: 0,
    parentWriteFaultsAfterFork: 0,
    python,
    environment: environment(),
  };
  let proc: Deno.ChildProcess;
  try {
    proc = new Deno.Command(python!, {
      args: ["-c", COW_SCRIPT, String(o.pageCount)],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
  } catch (e) {
    return withCowDisplay({
      ...base,
      reason: `${python} could not be started: ${(e as Error).message}`,
    });
  }
  const timer = setTimeout(() => {
    try {
      proc.kill("SIGKILL");
    } catch { /* already gone */ }
  }, o.timeoutMs);
  let out: Deno.CommandOutput;
  try {
    out = await proc.output();
  } finally {
    clearTimeout(timer);
  }
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-1)[0] ?? "";
    return withCowDisplay({
      ...base,
      reason: `${python} failed (${out.signal ?? out.code}${err ? `: ${err}` : ""})`,
    });
  }
  const r = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    child: { read: number; first: number; second: number; saw: boolean };
    kept: boolean;
    before: number;
    after: number;
  };
  return withCowDisplay({
    ...base,
    available: true,
    childReadFaults: r.child.read,
    childFirstWriteFaults: r.child.first,
    childSecondWriteFaults: r.child.second,
    childSawParentValues: r.child.saw,
    parentKeptValues: r.kept,
    parentRewriteFaultsBeforeFork: r.before,
    parentWriteFaultsAfterFork: r.after,
  });
}

function withCowDisplay(result: ForkCowResult): ForkCowResult {
  const per = (n: number) => `${n} (${(n / result.pageCount).toFixed(2)} per page)`;
  return attachKeyValueDisplay(
    result,
    `fork() and copy-on-write over ${result.pageCount} pages`,
    () =>
      result.available
        ? [
          ["parent rewrites its pages before fork", per(result.parentRewriteFaultsBeforeFork)],
          ["child reads every inherited page", per(result.childReadFaults)],
          ["child writes every page (first time)", per(result.childFirstWriteFaults)],
          ["child writes every page again", per(result.childSecondWriteFaults)],
          ["parent writes after the child exited", per(result.parentWriteFaultsAfterFork)],
          ["child saw the parent's values", result.childSawParentValues ? "yes" : "no"],
          ["parent kept its own values", result.parentKeptValues ? "yes" : "no"],
        ]
        : [["not run", String(result.reason)]],
  );
}

/**
 * The reading of a fork copy-on-write result, from its counts.
 *
 * @param result A {@linkcode ForkCowResult}.
 * @returns A paragraph.
 *
 * @example One fault per page on the first write
 * ```ts
 * import { describeCopyOnWrite } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const s = describeCopyOnWrite({ available: true, reason: null, pageCount: 1000, childReadFaults: 3, childFirstWriteFaults: 1004, childSecondWriteFaults: 0, childSawParentValues: true, parentKeptValues: true, parentRewriteFaultsBeforeFork: 0, parentWriteFaultsAfterFork: 1000, python: "python3", environment: {} as never });
 * assert.match(s, /first write cost 1.00 faults per page/);
 * ```
 */
export function describeCopyOnWrite(result: ForkCowResult): string {
  if (!result.available) {
    return `The fork experiment did not run here: ${result.reason}.`;
  }
  const n = result.pageCount;
  const f = (x: number) => (x / n).toFixed(2);
  const parts = [
    `After fork() the child read all ${n} inherited pages for ${result.childReadFaults} minor faults (${
      f(result.childReadFaults)
    } per page): it shares the parent's frames.`,
    `Its first write cost ${f(result.childFirstWriteFaults)} faults per page, ${
      result.childFirstWriteFaults >= 0.9 * n
        ? "one per page: each is the moment the kernel copies that page"
        : "fewer than one per page, so the kernel copied some pages without a fault of this thread"
    }, and writing again cost ${f(result.childSecondWriteFaults)} per page.`,
    result.parentKeptValues
      ? `The parent's pages still held its own values afterwards.`
      : `The parent's pages did not all keep its values, which copy-on-write should prevent.`,
  ];
  if (result.parentWriteFaultsAfterFork >= 0.5 * n) {
    parts.push(
      `Even the parent paid ${
        f(result.parentWriteFaultsAfterFork)
      } faults per page on its next write (against ${
        f(result.parentRewriteFaultsBeforeFork)
      } before the fork): fork had made its pages read-only too.`,
    );
  }
  return parts.join(" ");
}

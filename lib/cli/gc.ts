/**
 * `deno task sim gc -c COLLECTOR -w WORKLOAD [--heap BYTES] [--json]`: run a
 * mutator workload (one operation a line: `new ID SIZE FIELDS`, `set ID FIELD
 * TARGET`, `root ID`, `unroot ID`, `gc`) through a simulated collector and
 * print one row per collection, or one JSON document.
 *
 * Exit status: 0 when the workload ran (running out of memory is a result:
 * the run stops there and says so); 1 when the workload file is unreadable or
 * malformed, or an operation names an object that was freed; 2 for a usage
 * error.
 *
 * @module
 */
import { z } from "zod";
import {
  GC_COLLECTOR_NAMES,
  gcCollectionRows,
  type GcCollectorName,
  type GcOp,
  gcRunSummary,
  parseGcWorkload,
  runGcWorkload,
} from "../gc/mod.ts";
import type { SimCommand } from "./main.ts";

const USAGE = `Usage: deno task sim gc -c COLLECTOR -w WORKLOAD [--heap BYTES] [--json]
Options:
  -h, --help              Print this help message.
  -c, --collector NAME    ${GC_COLLECTOR_NAMES.join(", ")}.
  -w, --workload FILE     One operation a line: new ID SIZE FIELDS | set ID FIELD TARGET |
                          root ID | unroot ID | gc   (# comments and blank lines allowed).
  --heap BYTES            Size of the simulated heap (default 4096).
  --nursery BYTES         generational: each nursery semispace (default heap / 8).
  --promotion-age N       generational: minor collections survived before promotion (default 2).
  --json                  Print one JSON document.

Example:
  deno task sim gc -c mark-sweep -w workload.txt --heap 1024`;

/** Flag -> key; `true` values are flags without a value. */
const OPTIONS: Record<string, [string, boolean]> = {
  "-h": ["help", false],
  "--help": ["help", false],
  "--json": ["json", false],
  "-c": ["collector", true],
  "--collector": ["collector", true],
  "-w": ["workload", true],
  "--workload": ["workload", true],
  "--heap": ["heap", true],
  "--nursery": ["nursery", true],
  "--promotion-age": ["promotionAge", true],
};

/** `-c NAME`, `-cNAME`, `--collector NAME`, `--collector=NAME`; a flag given twice is an error. */
function parseFlags(args: readonly string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    let name = arg, inline: string | undefined;
    if (arg.startsWith("--") && arg.includes("=")) {
      name = arg.slice(0, arg.indexOf("="));
      inline = arg.slice(arg.indexOf("=") + 1);
    } else if (/^-[a-z]./.test(arg)) {
      name = arg.slice(0, 2);
      inline = arg.slice(2);
    }
    const option = OPTIONS[name];
    if (!option) {
      throw new TypeError(
        `Cannot run sim gc: ${
          arg.startsWith("-") ? "unknown option" : "unexpected argument"
        }: received ${JSON.stringify(arg)}`,
      );
    }
    const [key, takesValue] = option;
    if (key in out) {
      throw new TypeError(
        `Cannot run sim gc: ${name} given twice: received ${JSON.stringify(arg)}`,
      );
    }
    if (!takesValue) {
      if (inline !== undefined) {
        throw new TypeError(
          `Cannot run sim gc: ${name} takes no value: received ${JSON.stringify(arg)}`,
        );
      }
      out[key] = true;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) {
      throw new TypeError(`Cannot run sim gc: ${name} requires a value: received nothing`);
    }
    out[key] = value;
  }
  return out;
}

/** The largest workload file read (bytes). */
const MAX_WORKLOAD_BYTES = 64 << 20;

const wholeNumber = (flag: string, min: number, max: number) =>
  z.string().regex(/^\d+$/, `${flag} must be a whole number`).transform(Number).pipe(
    z.number().min(min, `${flag} must be at least ${min}`).max(
      max,
      `${flag} must be at most ${max}`,
    ),
  );

const Flags = z.object({
  collector: z.enum(GC_COLLECTOR_NAMES as [GcCollectorName, ...GcCollectorName[]], {
    message: `-c must be one of ${GC_COLLECTOR_NAMES.join(", ")}`,
  }),
  workload: z.string({ message: "-w WORKLOAD is required" }).min(1, "-w must name a file"),
  heap: wholeNumber("--heap", 16, 2 ** 40).default(4096),
  nursery: wholeNumber("--nursery", 8, 2 ** 39).optional(),
  promotionAge: wholeNumber("--promotion-age", 1, 16).optional(),
  json: z.literal(true).optional(),
});

/** What a run prints and its exit status. */
export interface GcCliOutput {
  /** Lines for standard output. */
  stdout: string[];
  /** Lines for standard error. */
  stderr: string[];
  /** 0 ran, 1 bad workload, 2 usage error. */
  status: number;
}

function pad(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r.map((c, i) => (i === 0 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd()
  );
}

/**
 * Run `sim gc` on an argument list without touching the console (for tests).
 *
 * @param args The arguments after `gc`.
 * @returns Lines for stdout and stderr, and the exit status.
 *
 * @example A cycle that reference counting keeps
 * ```ts
 * import { gcCli } from "memgarden/cli/gc.ts";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "new a 16 1\nnew b 16 1\nroot a\nset a 0 b\nset b 0 a\nunroot a\ngc\n");
 * const out = await gcCli(["-c", "rc", "-w", path, "--json"]);
 * const doc = JSON.parse(out.stdout.join("\n"));
 * assert.deepEqual(doc.final.liveIds, ["a", "b"]);
 * assert.equal(doc.collections[0].op, 7);
 * await Deno.remove(path);
 * ```
 */
export async function gcCli(args: readonly string[]): Promise<GcCliOutput> {
  let raw: Record<string, string | true>;
  try {
    raw = parseFlags(args);
  } catch (e) {
    return { stdout: [], stderr: [(e as Error).message, USAGE], status: 2 };
  }
  if (raw.help) return { stdout: [USAGE], stderr: [], status: 0 };
  const parsed = Flags.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const got = raw[String(issue.path[0])];
    return {
      stdout: [],
      stderr: [
        `Cannot run sim gc: ${issue.message}: received ${
          got === undefined ? "nothing" : JSON.stringify(got)
        }`,
        USAGE,
      ],
      status: 2,
    };
  }
  const f = parsed.data;
  if (f.nursery !== undefined && 2 * f.nursery >= f.heap) {
    return {
      stdout: [],
      stderr: [
        `Cannot run sim gc: --nursery must leave room for an old generation (2 × nursery < heap ${f.heap}): received ${f.nursery}`,
        USAGE,
      ],
      status: 2,
    };
  }
  const fail = (message: string): GcCliOutput => {
    if (!f.json) return { stdout: [], stderr: [message], status: 1 };
    const doc = {
      collector: f.collector,
      heapBytes: f.heap,
      collections: [],
      final: null,
      error: message,
    };
    return { stdout: [JSON.stringify(doc, null, 2)], stderr: [message], status: 1 };
  };
  let ops: GcOp[];
  try {
    const info = await Deno.stat(f.workload);
    if (!info.isFile) throw new Error(`it is not a file`);
    if (info.size > MAX_WORKLOAD_BYTES) {
      throw new Error(
        `a workload must be at most ${MAX_WORKLOAD_BYTES} bytes: received ${info.size} bytes`,
      );
    }
    ops = parseGcWorkload(await Deno.readTextFile(f.workload));
  } catch (e) {
    const message = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    return fail(`${f.workload}: ${message}`);
  }
  const r = runGcWorkload(ops, {
    collector: f.collector,
    heapBytes: f.heap,
    nurseryBytes: f.nursery,
    promotionAge: f.promotionAge,
  });
  const error = r.error ? `${f.workload}: line ${r.error.line}: ${r.error.message}` : null;
  const status = error ? 1 : 0;
  if (f.json) {
    const doc = {
      collector: r.collector,
      heapBytes: r.heapBytes,
      capacityBytes: r.capacityBytes,
      collections: r.collections,
      final: r.final,
      totals: r.totals,
      outOfMemory: r.outOfMemory,
      error,
    };
    return { stdout: [JSON.stringify(doc, null, 2)], stderr: error ? [error] : [], status };
  }
  const stdout = [
    `ARG collector ${f.collector}`,
    `ARG workload ${f.workload} (${ops.length} operations)`,
    `ARG heap ${f.heap}`,
    ...(f.collector === "generational"
      ? [
        `ARG nursery ${f.nursery ?? Math.max(8, Math.floor(f.heap / 8))}`,
        `ARG promotion-age ${f.promotionAge ?? 2}`,
      ]
      : []),
    "",
  ];
  const { header, rows } = gcCollectionRows(r);
  if (rows.length) stdout.push(...pad([header, ...rows]), "");
  else stdout.push("no collections", "");
  for (const [k, v] of gcRunSummary(r)) stdout.push(`${k}: ${v}`);
  return { stdout, stderr: error ? [error] : [], status };
}

/** The `sim gc` command. */
export const command: SimCommand = {
  summary: "simulated garbage collectors on a mutator workload (rc, mark-sweep, copying, ...)",
  async run(args: string[]): Promise<number> {
    const out = await gcCli(args);
    if (out.stdout.length) console.log(out.stdout.join("\n"));
    if (out.stderr.length) console.error(out.stderr.join("\n"));
    return out.status;
  },
};

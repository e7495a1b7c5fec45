/**
 * `deno task probe <what> [flags]`: the real measurements from a terminal,
 * with live progress on stderr, a text table on stdout (or `--json`), and
 * `--svg FILE` to save the chart.
 *
 *   deno task probe machine [--json]
 *   deno task probe latency [--budget MS] [--max-bytes N] [--json] [--svg FILE]
 *   deno task probe patterns [--budget MS] [--json]
 *
 * Every flag is checked before anything is measured: a bad value, a flag the
 * probe does not take, or an `--svg` path that cannot be written is one line
 * on stderr naming the flag, the rule and the value, and exit status 2.
 *
 * @module
 */
import {
  cacheSizeMarkers,
  estimateLevels,
  latencyCurveChart,
  machineFacts,
  machineSummary,
  measureAccessPatterns,
  measureLatencyCurve,
  saveSvg,
} from "../mod.ts";
import { enterCallerFolder } from "./_process.ts";

const USAGE = `Usage: deno task probe <machine|latency|patterns> [flags]
  --budget MS     latency, patterns: time budget in ms, 1 to ${600_000} (latency: 4000, patterns: 2000)
  --max-bytes N   latency: largest working set, ${4096} to ${
  512 * 1024 * 1024
} bytes (default 67108864 = 64 MiB)
  --json          print one JSON document instead of a table
  --svg FILE      latency: also save the chart as an SVG file (in an existing folder)`;

/** The probes the command knows. */
export type ProbeName = "machine" | "latency" | "patterns";

/** Flags of `deno task probe`, after checking. */
export interface ProbeFlags {
  /** Time budget in ms. */
  budgetMs?: number;
  /** Largest working set of the latency sweep, bytes. */
  maxBytes?: number;
  /** Print JSON instead of a table. */
  json: boolean;
  /** Where to save the latency chart. */
  svg?: string;
}

/** What {@linkcode parseProbeArgs} returns: a probe to run, help, or a usage error. */
export type ProbeArgs =
  | { kind: "run"; what: ProbeName; flags: ProbeFlags }
  | { kind: "help" }
  | { kind: "error"; message: string };

/** The largest `--budget`, in ms (the probes refuse more). */
export const MAX_PROBE_BUDGET_MS = 600_000;
/** The smallest `--max-bytes`: the latency sweep starts at 4 KiB. */
export const MIN_PROBE_MAX_BYTES = 4096;
/** The largest `--max-bytes`: the latency probe allocates at most 512 MiB. */
export const MAX_PROBE_MAX_BYTES = 512 * 1024 * 1024;

const FLAGS_OF: Record<ProbeName, readonly string[]> = {
  machine: ["--json"],
  latency: ["--budget", "--max-bytes", "--json", "--svg"],
  patterns: ["--budget", "--json"],
};

function integerIn(flag: string, raw: string, min: number, max: number, unit: string): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new RangeError(
      `${flag} must be a whole number of ${unit} from ${min} to ${max}: received ${
        JSON.stringify(raw)
      }`,
    );
  }
  return n;
}

/**
 * Parse the command line of `deno task probe` without touching the machine
 * or the file system. Never throws: anything wrong is a usage error naming
 * the flag, the rule and the value.
 *
 * @param args The arguments after `probe`.
 * @returns The probe and its flags, a request for help, or a usage error.
 *
 * @example A budget beyond the limit is a usage error
 * ```ts
 * import { parseProbeArgs } from "memgarden/cli/probe.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseProbeArgs(["latency", "--budget", "300"]), {
 *   kind: "run", what: "latency", flags: { json: false, budgetMs: 300 },
 * });
 * const bad = parseProbeArgs(["latency", "--budget", "700000"]);
 * assert.equal(bad.kind, "error");
 * ```
 */
export function parseProbeArgs(args: readonly string[]): ProbeArgs {
  const [what, ...rest] = args;
  if (what === undefined) {
    return { kind: "error", message: "Missing probe: expected machine, latency or patterns" };
  }
  if (what === "--help" || what === "-h") return { kind: "help" };
  if (what !== "machine" && what !== "latency" && what !== "patterns") {
    return {
      kind: "error",
      message: `Unknown probe: expected machine, latency or patterns: received ${
        JSON.stringify(what)
      }`,
    };
  }
  const flags: ProbeFlags = { json: false };
  try {
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i];
      if (a === "--help" || a === "-h") return { kind: "help" };
      if (!["--budget", "--max-bytes", "--json", "--svg"].includes(a)) {
        throw new Error(
          `Unknown flag: expected one of ${FLAGS_OF[what].join(", ")}: received ${
            JSON.stringify(a)
          }`,
        );
      }
      if (!FLAGS_OF[what].includes(a)) {
        throw new Error(
          `${a} does not apply to the ${what} probe: it takes ${FLAGS_OF[what].join(", ")}`,
        );
      }
      if (a === "--json") {
        flags.json = true;
        continue;
      }
      const v = rest[++i];
      if (v === undefined || (v.startsWith("--") && v.length > 2)) {
        throw new Error(
          `${a} needs a value: received ${v === undefined ? "nothing" : JSON.stringify(v)}`,
        );
      }
      if (a === "--budget") flags.budgetMs = integerIn(a, v, 1, MAX_PROBE_BUDGET_MS, "ms");
      else if (a === "--max-bytes") {
        flags.maxBytes = integerIn(a, v, MIN_PROBE_MAX_BYTES, MAX_PROBE_MAX_BYTES, "bytes");
      } else {
        if (v.trim() === "" || v.endsWith("/")) {
          throw new Error(`--svg must name a file: received ${JSON.stringify(v)}`);
        }
        flags.svg = v;
      }
    }
  } catch (error) {
    return { kind: "error", message: (error as Error).message };
  }
  return { kind: "run", what, flags };
}

/**
 * Check, before measuring, that an SVG can be written at `path`: its folder
 * exists and it is not itself a folder.
 *
 * @param path The `--svg` value.
 * @returns `null` when it looks writable, else a one-line usage error.
 *
 * @example A folder is not a file
 * ```ts
 * import { checkSvgPath } from "memgarden/cli/probe.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = Deno.makeTempDirSync();
 * assert.match(checkSvgPath(dir)!, /--svg must name a file, not a folder/);
 * assert.match(checkSvgPath(`${dir}/missing/x.svg`)!, /folder .* does not exist/);
 * assert.equal(checkSvgPath(`${dir}/x.svg`), null);
 * Deno.removeSync(dir);
 * ```
 */
export function checkSvgPath(path: string): string | null {
  try {
    if (Deno.statSync(path).isDirectory) {
      return `--svg must name a file, not a folder: received ${JSON.stringify(path)}`;
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      // The system's message quotes the path raw: escape it so the error stays one line.
      const reason = JSON.stringify((error as Error).message).slice(1, -1);
      return `--svg must name a file that can be written: received ${
        JSON.stringify(path)
      }: ${reason}`;
    }
  }
  const slash = path.lastIndexOf("/");
  const folder = slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
  try {
    if (!Deno.statSync(folder).isDirectory) {
      return `--svg must name a file in an existing folder: ${
        JSON.stringify(folder)
      } is not a folder: received ${JSON.stringify(path)}`;
    }
  } catch {
    return `--svg must name a file in an existing folder: the folder ${
      JSON.stringify(folder)
    } does not exist: received ${JSON.stringify(path)}`;
  }
  return null;
}

function textOf(result: object): string {
  const display = (result as Record<symbol, unknown>)[Symbol.for("Jupyter.display")];
  if (typeof display === "function") {
    const bundle = display.call(result) as Record<string, string>;
    if (bundle["text/plain"]) return bundle["text/plain"];
  }
  return JSON.stringify(result, null, 2);
}

const HINT = "(deno task probe --help shows the flags)";

/**
 * Run a probe from the command line.
 *
 * @param args The arguments after `probe`.
 * @returns The exit status: 0 on success, 1 when the measurement failed, 2 on a usage error.
 *
 * @example A flag the probe does not take stops at once, before any measuring
 * ```ts
 * import { probeCli } from "memgarden/cli/probe.ts";
 * import assert from "node:assert/strict";
 *
 * const error = console.error;
 * console.error = () => {};
 * try {
 *   assert.equal(await probeCli(["machine", "--svg", "x.svg"]), 2);
 * } finally {
 *   console.error = error;
 * }
 * ```
 */
export async function probeCli(args: string[]): Promise<number> {
  const parsed = parseProbeArgs(args);
  if (parsed.kind === "help") {
    console.log(USAGE);
    return 0;
  }
  if (parsed.kind === "error") {
    console.error(`probe: ${parsed.message} ${HINT}`);
    return 2;
  }
  const { what, flags } = parsed;
  if (flags.svg !== undefined) {
    const problem = checkSvgPath(flags.svg);
    if (problem) {
      console.error(`probe: ${problem} ${HINT}`);
      return 2;
    }
  }
  const print = (result: object) =>
    console.log(flags.json ? JSON.stringify(result, null, 2) : textOf(result));
  try {
    if (what === "machine") {
      const facts = machineFacts();
      if (!flags.json) console.log(machineSummary(facts));
      print(facts);
    } else if (what === "latency") {
      const curve = await measureLatencyCurve({
        progress: !flags.json,
        ...(flags.budgetMs ? { budgetMs: flags.budgetMs } : {}),
        ...(flags.maxBytes ? { maxBytes: flags.maxBytes } : {}),
      });
      print(flags.json ? { ...curve, levels: estimateLevels(curve) } : curve);
      if (flags.svg) {
        const markers = cacheSizeMarkers(curve.caches);
        await saveSvg(latencyCurveChart(curve, { markers }), flags.svg);
        console.error(`wrote ${flags.svg}`);
      }
    } else {
      print(
        await measureAccessPatterns({
          progress: !flags.json,
          ...(flags.budgetMs ? { budgetMs: flags.budgetMs } : {}),
        }),
      );
    }
  } catch (error) {
    console.error(`probe ${what}: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
  return 0;
}

if (import.meta.main) {
  enterCallerFolder(); // --svg FILE is relative to where `deno task probe` was typed
  Deno.exit(await probeCli(Deno.args));
}

/**
 * Real Valgrind on a real leak: compile a tiny C program with `gcc -g -O0`,
 * run it under `valgrind --leak-check=full --show-leak-kinds=all`, and parse
 * the report (heap summary, loss records with their allocation stacks, leak
 * summary by kind, error count).
 *
 * Memcheck's leak kinds: a block is *definitely lost* when no pointer to it
 * remains anywhere, *indirectly lost* when the only pointers to it are inside
 * lost blocks (the rest of a lost list), *possibly lost* when only pointers
 * into its middle remain, and *still reachable* when a pointer to its start
 * still exists at exit (a global, say).
 *
 * Both tools are optional: {@linkcode valgrindTools} says which are
 * installed, and {@linkcode runValgrindLeakCheck} returns `{ available:
 * false, reason }` when one is missing. The compiled program lives in a
 * temporary folder that is removed afterwards; each step is killed after a
 * time limit.
 *
 * @module
 */

/** The leaking C program the lesson runs (line numbers matter: the report names them). */
export const LEAKY_C_PROGRAM = `#include <stdlib.h>
#include <string.h>

struct node { int value; struct node *next; };

static char *settings;              /* a global: its block stays reachable */

static struct node *make_list(int n) {
    struct node *head = NULL;
    for (int i = 0; i < n; i++) {
        struct node *x = malloc(sizeof *x);
        x->value = i;
        x->next = head;
        head = x;
    }
    return head;
}

static void keep_settings(void) {
    settings = malloc(40);
    strcpy(settings, "verbose=1");
}

int main(void) {
    char *name = malloc(100);
    strcpy(name, "garden");
    name = NULL;                     /* the only pointer is gone: lost */
    struct node *list = make_list(3);
    list = NULL;                     /* the head is lost, and with it the rest */
    keep_settings();
    char *tmp = malloc(16);
    free(tmp);                       /* freed: not a leak */
    return 0;
}
`;

/** One frame of an allocation stack. */
export interface ValgrindFrame {
  /** Function name, e.g. `malloc` or `make_list`. */
  fn: string;
  /** Source file, when debug information names it. */
  file: string | null;
  /** Line in that file. */
  line: number | null;
}

/** One loss record: blocks lost (or reachable) from one allocation stack. */
export interface ValgrindLossRecord {
  kind: "definitely lost" | "indirectly lost" | "possibly lost" | "still reachable";
  /** Total bytes (direct + indirect for a definitely lost record). */
  bytes: number;
  /** Bytes in the blocks themselves. */
  directBytes: number;
  /** Bytes only reachable through them. */
  indirectBytes: number;
  blocks: number;
  /** The allocation stack, innermost first. */
  stack: ValgrindFrame[];
}

/** Bytes and blocks of one leak kind. */
export interface ValgrindAmount {
  bytes: number;
  blocks: number;
}

/** A parsed memcheck report. */
export interface ValgrindReport {
  /** The report text, `==pid==` prefixes removed. */
  text: string;
  heap: {
    inUseBytes: number;
    inUseBlocks: number;
    allocs: number;
    frees: number;
    allocatedBytes: number;
  };
  records: ValgrindLossRecord[];
  summary: {
    definitelyLost: ValgrindAmount;
    indirectlyLost: ValgrindAmount;
    possiblyLost: ValgrindAmount;
    stillReachable: ValgrindAmount;
  };
  /** From `ERROR SUMMARY: N errors`. */
  errors: number;
}

/** The result of a run. */
export type ValgrindRun =
  | { available: false; reason: string }
  | {
    available: true;
    valgrind: string;
    gcc: string;
    report: ValgrindReport;
    /** Wall time of the valgrind run, ms. */
    elapsedMs: number;
  };

/** Time limit of each step (compile, run). */
export const VALGRIND_TIME_LIMIT_MS = 60_000;

async function version(cmd: string, args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    if (!out.success) return null;
    return new TextDecoder().decode(out.stdout).split("\n")[0].trim();
  } catch {
    return null;
  }
}

/**
 * Which of valgrind and gcc are installed, with their version lines.
 *
 * @returns `{ valgrind, gcc }`, each a version line or `null`.
 *
 * @example Either a version or null
 * ```ts
 * import { valgrindTools } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = await valgrindTools();
 * assert.ok(t.valgrind === null || t.valgrind.startsWith("valgrind"));
 * ```
 */
export async function valgrindTools(): Promise<{ valgrind: string | null; gcc: string | null }> {
  const [valgrind, gcc] = await Promise.all([
    version("valgrind", ["--version"]),
    version("gcc", ["--version"]),
  ]);
  return { valgrind, gcc };
}

const num = (s: string) => Number(s.replaceAll(",", ""));
const KINDS = ["definitely lost", "indirectly lost", "possibly lost", "still reachable"] as const;

/**
 * Parse valgrind memcheck's report (its standard error).
 *
 * @param raw The report, with or without `==pid==` prefixes.
 * @returns Heap summary, loss records, leak summary and error count.
 * @throws {SyntaxError} If there is no LEAK SUMMARY or HEAP SUMMARY (naming which).
 *
 * @example A one-record report
 * ```ts
 * import { parseValgrindReport } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = parseValgrindReport([
 *   "==7== HEAP SUMMARY:",
 *   "==7==     in use at exit: 100 bytes in 1 blocks",
 *   "==7==   total heap usage: 2 allocs, 1 frees, 116 bytes allocated",
 *   "==7== 100 bytes in 1 blocks are definitely lost in loss record 1 of 1",
 *   "==7==    at 0x48407B4: malloc (vg_replace_malloc.c:381)",
 *   "==7==    by 0x1091A6: main (leak.c:25)",
 *   "==7== LEAK SUMMARY:",
 *   "==7==    definitely lost: 100 bytes in 1 blocks",
 *   "==7== ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)",
 * ].join("\n"));
 * assert.equal(r.summary.definitelyLost.bytes, 100);
 * assert.deepEqual(r.records[0].stack[1], { fn: "main", file: "leak.c", line: 25 });
 * ```
 */
export function parseValgrindReport(raw: string): ValgrindReport {
  const lines = raw.split("\n").map((l) => l.replace(/^==\d+==\s?/, ""));
  const text = lines.join("\n");
  const heapIdx = lines.findIndex((l) => l.includes("HEAP SUMMARY:"));
  if (heapIdx < 0) throw new SyntaxError("Cannot parse valgrind report: no HEAP SUMMARY line");
  if (!lines.some((l) => l.includes("LEAK SUMMARY:")) && !/All heap blocks were freed/.test(text)) {
    throw new SyntaxError("Cannot parse valgrind report: no LEAK SUMMARY line");
  }
  const inUse = text.match(/in use at exit: ([\d,]+) bytes in ([\d,]+) blocks/);
  const usage = text.match(
    /total heap usage: ([\d,]+) allocs, ([\d,]+) frees, ([\d,]+) bytes allocated/,
  );
  const records: ValgrindLossRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i].match(
      /^([\d,]+)(?: \(([\d,]+) direct, ([\d,]+) indirect\))? bytes in ([\d,]+) blocks are (definitely lost|indirectly lost|possibly lost|still reachable) in loss record/,
    );
    if (!m) continue;
    const stack: ValgrindFrame[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const f = lines[j].match(
        /^\s+(?:at|by) 0x[0-9A-Fa-f]+: (.+?) \((?:(?:in )?([^:()]+?)(?::(\d+))?)\)\s*$/,
      );
      if (!f) break;
      stack.push({ fn: f[1], file: f[3] ? f[2] : null, line: f[3] ? Number(f[3]) : null });
    }
    const bytes = num(m[1]);
    records.push({
      kind: m[5] as ValgrindLossRecord["kind"],
      bytes,
      directBytes: m[2] ? num(m[2]) : bytes,
      indirectBytes: m[3] ? num(m[3]) : 0,
      blocks: num(m[4]),
      stack,
    });
  }
  const amount = (kind: string): ValgrindAmount => {
    const m = text.match(new RegExp(`${kind}: ([\\d,]+) bytes in ([\\d,]+) blocks`));
    return m ? { bytes: num(m[1]), blocks: num(m[2]) } : { bytes: 0, blocks: 0 };
  };
  void KINDS;
  const errors = text.match(/ERROR SUMMARY: ([\d,]+) errors?/);
  return {
    text,
    heap: {
      inUseBytes: inUse ? num(inUse[1]) : 0,
      inUseBlocks: inUse ? num(inUse[2]) : 0,
      allocs: usage ? num(usage[1]) : 0,
      frees: usage ? num(usage[2]) : 0,
      allocatedBytes: usage ? num(usage[3]) : 0,
    },
    records,
    summary: {
      definitelyLost: amount("definitely lost"),
      indirectlyLost: amount("indirectly lost"),
      possiblyLost: amount("possibly lost"),
      stillReachable: amount("still reachable"),
    },
    errors: errors ? num(errors[1]) : 0,
  };
}

async function run(
  cmd: string,
  args: string[],
  cwd: string,
  limitMs: number,
): Promise<Deno.CommandOutput> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limitMs);
  try {
    const out = await new Deno.Command(cmd, {
      args,
      cwd,
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
      signal: controller.signal,
    }).output();
    if (controller.signal.aborted) {
      throw new Error(`${cmd} ran past its time limit of ${limitMs} ms and was stopped`);
    }
    return out;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Compile a C program with gcc and run it under valgrind's memcheck with a
 * full leak check; parse the report.
 *
 * @param options `source` (default {@linkcode LEAKY_C_PROGRAM}), `timeLimitMs` per step.
 * @returns The parsed report, or `{ available: false, reason }` without valgrind or gcc.
 * @throws {Error} If the program does not compile (with gcc's message) or a step runs too long.
 *
 * @example The course's leaky program (when valgrind and gcc are installed)
 * ```ts
 * import { runValgrindLeakCheck } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await runValgrindLeakCheck();
 * if (r.available) assert.equal(r.report.summary.stillReachable.bytes, 40);
 * ```
 */
export async function runValgrindLeakCheck(
  options: { source?: string; timeLimitMs?: number } = {},
): Promise<ValgrindRun> {
  const tools = await valgrindTools();
  if (tools.valgrind === null || tools.gcc === null) {
    const missing = [tools.valgrind === null ? "valgrind" : null, tools.gcc === null ? "gcc" : null]
      .filter(Boolean).join(" and ");
    return {
      available: false,
      reason: `${missing} ${
        missing.includes(" and ") ? "are" : "is"
      } not installed (on Debian: sudo apt-get install valgrind gcc)`,
    };
  }
  const limit = options.timeLimitMs ?? VALGRIND_TIME_LIMIT_MS;
  const dir = await Deno.makeTempDir({ prefix: "memgarden-valgrind-" });
  try {
    await Deno.writeTextFile(`${dir}/leak.c`, options.source ?? LEAKY_C_PROGRAM);
    const cc = await run("gcc", ["-g", "-O0", "-o", "leak", "leak.c"], dir, limit);
    if (!cc.success) {
      throw new Error(
        `Cannot compile the C program: ${new TextDecoder().decode(cc.stderr).trim()}`,
      );
    }
    const t0 = performance.now();
    const vg = await run(
      "valgrind",
      ["--tool=memcheck", "--leak-check=full", "--show-leak-kinds=all", "./leak"],
      dir,
      limit,
    );
    const elapsedMs = performance.now() - t0;
    return {
      available: true,
      valgrind: tools.valgrind,
      gcc: tools.gcc,
      report: parseValgrindReport(new TextDecoder().decode(vg.stderr)),
      elapsedMs,
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

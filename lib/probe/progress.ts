/**
 * Progress for long sweeps: a live line in a Jupyter notebook (through
 * `Deno.jupyter.broadcast`), a `\r`-rewritten line on a terminal, a line per
 * ~10% when stderr is a file or pipe, or nothing at all. At most about ten
 * updates per second reach the screen.
 *
 * @module
 */

import { z } from "zod";
import { escapeHtml } from "./_format.ts";

/**
 * Where a probe reports its progress. `update` may return a promise (the
 * Jupyter sink does); probes await it, which also lets the kernel flush.
 */
export interface ProgressSink {
  /** Report that `fraction` (0..1) of the work is done, with a short note. */
  update(fraction: number, note: string): void | Promise<void>;
  /** Report the end of the work with a closing note. */
  finish(note: string): void | Promise<void>;
}

/** A Jupyter-style broadcast function, as `Deno.jupyter.broadcast`. */
export type BroadcastFn = (
  msgType: string,
  content: Record<string, unknown>,
) => Promise<void> | void;

/** How to show progress; `"auto"` picks Jupyter, terminal or lines. */
export type ProgressMode = "auto" | "jupyter" | "terminal" | "lines" | "silent";

const ProgressOptionsSchema = z.object({
  label: z.string().min(1),
  mode: z.enum(["auto", "jupyter", "terminal", "lines", "silent"]).default("auto"),
  silent: z.boolean().default(false),
  minIntervalMs: z.number().nonnegative().finite().default(100),
  write: z.function().optional(),
  broadcast: z.function().optional(),
  now: z.function().optional(),
});

/** Options of {@linkcode createProgress}. */
export interface ProgressOptions {
  /** What is being measured, shown before the percentage. */
  label: string;
  /** Where to show progress (default `"auto"`). */
  mode?: ProgressMode;
  /** Show nothing (same as `mode: "silent"`). */
  silent?: boolean;
  /** Minimum time between two shown updates (default 100 ms, i.e. ≤ 10 per second). */
  minIntervalMs?: number;
  /** Text output for terminal and lines modes (default: stderr). */
  write?: (text: string) => void;
  /** Broadcast function for jupyter mode (default: `Deno.jupyter.broadcast`). */
  broadcast?: BroadcastFn;
  /** Clock in milliseconds (default `performance.now`). */
  now?: () => number;
}

/**
 * Tell whether this code runs inside a Deno Jupyter kernel. Outside a kernel
 * `Deno.jupyter` is either absent or a getter that throws.
 *
 * @returns `true` inside `deno jupyter --kernel`, else `false`.
 *
 * @example In `deno test` there is no kernel
 * ```ts
 * import { isJupyterKernel } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isJupyterKernel(), false);
 * ```
 */
export function isJupyterKernel(): boolean {
  try {
    // deno-lint-ignore no-explicit-any
    const jupyter = (Deno as any).jupyter;
    return typeof jupyter?.broadcast === "function";
  } catch {
    return false;
  }
}

function stderrIsTerminal(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

const encoder = new TextEncoder();

function writeStderr(text: string): void {
  try {
    Deno.stderr.writeSync(encoder.encode(text));
  } catch {
    // A closed stderr must not break a measurement.
  }
}

function bar(fraction: number, width = 20): string {
  const filled = Math.round(fraction * width);
  return "#".repeat(filled) + ".".repeat(width - filled);
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

let displayCounter = 0;

/**
 * Create a progress reporter.
 *
 * @param options A label, and optionally the mode, throttle, and injected
 * output functions (for tests).
 * @returns A {@linkcode ProgressSink}.
 * @throws {TypeError} When an option has the wrong type (names the field).
 *
 * @example One line per ~10% when output is not a terminal
 * ```ts
 * import { createProgress } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const out: string[] = [];
 * let t = 0;
 * const p = createProgress({ label: "sweep", mode: "lines", write: (s) => out.push(s), now: () => (t += 1000) });
 * for (let i = 1; i <= 100; i++) p.update(i / 100, `step ${i}`);
 * p.finish("done");
 * assert.ok(out.length >= 10 && out.length <= 12);
 * assert.match(out.at(-1)!, /sweep: done/);
 * ```
 */
export function createProgress(options: ProgressOptions): ProgressSink {
  const parsed = ProgressOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new TypeError(
      `Cannot create progress: invalid options: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  const { label, minIntervalMs } = parsed.data;
  let mode: ProgressMode = parsed.data.silent ? "silent" : parsed.data.mode;
  if (mode === "auto") {
    mode = options.broadcast || isJupyterKernel()
      ? "jupyter"
      : stderrIsTerminal()
      ? "terminal"
      : "lines";
  }
  if (mode === "silent") return { update() {}, finish() {} };
  const now = options.now ?? (() => performance.now());
  const write = options.write ?? writeStderr;
  let last = -Infinity;
  const throttled = (): boolean => {
    const t = now();
    if (t - last < minIntervalMs) return true;
    last = t;
    return false;
  };

  if (mode === "jupyter") {
    // deno-lint-ignore no-explicit-any
    const broadcast: BroadcastFn = options.broadcast ?? ((Deno as any).jupyter.broadcast);
    const displayId = `memgarden-progress-${Date.now()}-${++displayCounter}`;
    let shown = false;
    const send = (fraction: number, note: string) => {
      const pct = Math.round(fraction * 100);
      const text = `${label}: ${pct}% ${note}`;
      const html =
        `<div style="font-family:monospace"><progress value="${pct}" max="100"></progress> ${
          escapeHtml(label)
        }: ${pct}% ${escapeHtml(note)}</div>`;
      const content = {
        data: { "text/plain": text, "text/html": html },
        metadata: {},
        transient: { display_id: displayId },
      };
      const type = shown ? "update_display_data" : "display_data";
      shown = true;
      return broadcast(type, content);
    };
    return {
      update(fraction, note) {
        if (shown && throttled()) return;
        if (!shown) last = now();
        return send(clamp01(fraction), note);
      },
      finish(note) {
        return send(1, note);
      },
    };
  }

  if (mode === "terminal") {
    let width = 0;
    const line = (text: string) => {
      const padded = text.padEnd(width);
      width = text.length;
      write(`\r${padded}`);
    };
    return {
      update(fraction, note) {
        if (throttled()) return;
        const f = clamp01(fraction);
        line(`${label} [${bar(f)}] ${Math.round(f * 100)}% ${note}`);
      },
      finish(note) {
        line(`${label} [${bar(1)}] 100% ${note}`);
        write("\n");
      },
    };
  }

  // lines: one line whenever another tenth of the work is done.
  let lastDecile = -1;
  return {
    update(fraction, note) {
      const decile = Math.floor(clamp01(fraction) * 10);
      if (decile <= lastDecile || decile >= 10) return;
      lastDecile = decile;
      write(`${label}: ${decile * 10}% ${note}\n`);
    },
    finish(note) {
      write(`${label}: ${note}\n`);
    },
  };
}

/**
 * Turn a probe's `progress` option into a sink: `true` means
 * {@linkcode createProgress} in auto mode, `false` or `undefined` means
 * silent, and a sink is used as is.
 *
 * @param progress The option as the caller gave it.
 * @param label The label for an automatically created sink.
 * @returns A {@linkcode ProgressSink}.
 * @throws {TypeError} When `progress` is neither a boolean nor a sink.
 *
 * @example Silent by default
 * ```ts
 * import { resolveProgress } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const sink = resolveProgress(undefined, "sweep");
 * assert.equal(sink.update(0.5, "half"), undefined);
 * ```
 */
export function resolveProgress(
  progress: boolean | ProgressSink | undefined,
  label: string,
): ProgressSink {
  if (progress === undefined || progress === false) return createProgress({ label, silent: true });
  if (progress === true) return createProgress({ label });
  const sink = progress as Partial<ProgressSink> | null;
  if (
    typeof sink !== "object" || sink === null || typeof sink.update !== "function" ||
    typeof sink.finish !== "function"
  ) {
    throw new TypeError(
      `Cannot report progress: progress must be a boolean or an object with update and finish functions: received ${
        typeof progress === "object" ? JSON.stringify(progress) : String(progress)
      }`,
    );
  }
  return progress;
}

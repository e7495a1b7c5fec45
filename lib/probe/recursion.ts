/**
 * V8's real stack limit: how deep a JavaScript recursion goes before
 * `RangeError: Maximum call stack size exceeded`, as a function of how many
 * locals each frame holds and of V8's `--stack-size`.
 *
 * Each measurement runs in a child `deno eval` with a time limit, so a
 * stack size the operating system cannot back crashes only the child. The
 * child builds, for each local count k, a recursive function with k live
 * locals (so its interpreter frame holds k more registers), recurses until
 * the RangeError, and reports the deepest level reached. Bytes per frame is
 * then the stack size over the depth: the number a simulated stack needs to
 * predict the depth at another stack size ({@linkcode simulateRecursion}).
 *
 * Stack sizes are capped below the soft `RLIMIT_STACK` read from
 * `/proc/self/limits` (less 1 MiB for what runs before the recursion); V8's
 * default is 984 KiB.
 *
 * @module
 */
import { environment, type ProbeEnvironment } from "./machine.ts";

/** V8's default `--stack-size` on 64-bit Linux, in KiB. */
export const V8_DEFAULT_STACK_KIB = 984;
/** The child's time limit in milliseconds. */
export const RECURSION_CHILD_TIMEOUT_MS = 20_000;
/** The most locals per frame a probe may ask for. */
export const MAX_RECURSION_LOCALS = 500;

/** One measurement: a stack size, a local count, the depth reached. */
export interface RecursionSample {
  /** V8's `--stack-size` in KiB. */
  stackKiB: number;
  /** Locals per frame. */
  locals: number;
  /** Deepest level reached (the best of the repeats). */
  depth: number;
  /** `stackKiB * 1024 / depth`. */
  bytesPerFrame: number;
}

/** The result of {@linkcode probeRecursionDepth}. */
export interface RecursionProbe {
  /** One sample per (stack size, locals) pair. */
  samples: RecursionSample[];
  /** The soft stack limit of this process in bytes (null when unlimited or unreadable). */
  osStackLimitBytes: number | null;
  /** Stack sizes that were asked for but skipped as too close to the OS limit. */
  skippedStackKiB: number[];
  /** Where and when. */
  environment: ProbeEnvironment;
}

/**
 * Parse the soft "Max stack size" of a `/proc/<pid>/limits` file.
 *
 * @param text The file's text.
 * @returns Bytes, or null for "unlimited" or a missing line.
 *
 * @example
 * ```ts
 * import { parseStackLimit } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseStackLimit("Max stack size            8388608              unlimited            bytes\n"), 8388608);
 * assert.equal(parseStackLimit("Max stack size            unlimited            unlimited            bytes\n"), null);
 * ```
 */
export function parseStackLimit(text: string): number | null {
  const m = /^Max stack size\s+(\S+)/m.exec(text);
  if (!m || m[1] === "unlimited") return null;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : null;
}

const CHILD = `
const ks = JSON.parse(Deno.args[0]);
const repeats = Number(Deno.args[1]);
const out = [];
for (const k of ks) {
  const decl = Array.from({ length: k }, (_, i) => "let v" + i + " = n + " + i + ";").join("");
  const sum = Array.from({ length: k }, (_, i) => "v" + i).join("+") || "0";
  const make = new Function("state", "return function f(n) { " + decl +
    " if (n > state.max) state.max = n; const r = f(n + 1); return r + " + sum + "; };");
  let best = 0;
  for (let r = 0; r < repeats; r++) {
    const state = { max: 0 };
    try { make(state)(1); } catch (e) { if (!(e instanceof RangeError)) throw e; }
    best = Math.max(best, state.max);
  }
  out.push(best);
}
console.log(JSON.stringify(out));
`;

/**
 * Measure V8's recursion depth for frames with each number of locals, at
 * each `--stack-size`, in bounded child processes.
 *
 * @param options `locals` (default [0, 8, 32, 128]), `stackKiB` (default [984]),
 *   `repeats` per point (default 3), and `limitsText` to use instead of
 *   reading `/proc/self/limits` (for tests).
 * @returns The samples, the OS limit, and the stack sizes skipped.
 * @throws {RangeError} For counts or sizes out of range.
 * @throws {Error} If a child fails or runs past its time limit.
 *
 * @example Depth falls with frame size
 * ```ts
 * import { probeRecursionDepth } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await probeRecursionDepth({ locals: [0, 64], repeats: 1 });
 * assert.ok(r.samples[0].depth > r.samples[1].depth);
 * ```
 */
export async function probeRecursionDepth(
  options: { locals?: number[]; stackKiB?: number[]; repeats?: number; limitsText?: string } = {},
): Promise<RecursionProbe> {
  const locals = options.locals ?? [0, 8, 32, 128];
  const stackKiB = options.stackKiB ?? [V8_DEFAULT_STACK_KIB];
  const repeats = options.repeats ?? 3;
  for (const k of locals) {
    if (!Number.isInteger(k) || k < 0 || k > MAX_RECURSION_LOCALS) {
      throw new RangeError(
        `Cannot probe recursion: locals must be integers from 0 to ${MAX_RECURSION_LOCALS}: received ${k}`,
      );
    }
  }
  for (const s of stackKiB) {
    if (!Number.isInteger(s) || s < 64 || s > 1 << 20) {
      throw new RangeError(
        `Cannot probe recursion: stackKiB must be integers from 64 to 1048576: received ${s}`,
      );
    }
  }
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 20) {
    throw new RangeError(
      `Cannot probe recursion: repeats must be from 1 to 20: received ${repeats}`,
    );
  }
  let limitsText = options.limitsText;
  if (limitsText === undefined) {
    try {
      limitsText = Deno.readTextFileSync("/proc/self/limits");
    } catch {
      limitsText = "";
    }
  }
  const osLimit = parseStackLimit(limitsText);
  const usable = osLimit === null ? Infinity : osLimit - (1 << 20);
  const samples: RecursionSample[] = [];
  const skipped: number[] = [];
  for (const kib of stackKiB) {
    if (kib * 1024 > usable) {
      skipped.push(kib);
      continue;
    }
    const env = { ...Deno.env.toObject() };
    delete env.DENO_V8_FLAGS;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `--v8-flags=--stack-size=${kib}`,
        CHILD,
        JSON.stringify(locals),
        String(repeats),
      ],
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(RECURSION_CHILD_TIMEOUT_MS),
    });
    let out: Deno.CommandOutput;
    try {
      out = await child.output();
    } catch (cause) {
      throw new Error(
        `Cannot probe recursion: the child at --stack-size=${kib} did not finish within ${RECURSION_CHILD_TIMEOUT_MS} ms`,
        { cause },
      );
    }
    if (!out.success) {
      throw new Error(
        `Cannot probe recursion: the child at --stack-size=${kib} failed (exit ${out.code}): ${
          new TextDecoder().decode(out.stderr).trim().split("\n").at(-1)
        }`,
      );
    }
    const depths: number[] = JSON.parse(new TextDecoder().decode(out.stdout));
    locals.forEach((k, i) =>
      samples.push({
        stackKiB: kib,
        locals: k,
        depth: depths[i],
        bytesPerFrame: (kib * 1024) / depths[i],
      })
    );
  }
  return {
    samples,
    osStackLimitBytes: osLimit,
    skippedStackKiB: skipped,
    environment: environment(),
  };
}

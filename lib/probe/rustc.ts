/**
 * The real Rust compiler as a witness: compile a program with
 * `rustc --edition 2021 --emit=metadata --error-format=json` (type and borrow
 * checking, no code generation) and return its verdict, error codes and
 * primary positions, so the simulated checker in `lib/ownership` can be shown
 * beside it and tested against it.
 *
 * `rustc` is optional: {@linkcode rustcVersion} says whether it is installed,
 * and {@linkcode runRustc} returns `{ available: false }` instead of failing
 * when it is not. Each run works in a fresh temporary folder that is removed
 * afterwards, and is killed after a time limit.
 *
 * @module
 */

/** One error as rustc reports it in JSON: code and primary position. */
export interface RustcDiagnostic {
  /** The error code (`"E0382"`), or `null` for errors without one (syntax errors). */
  code: string | null;
  /** 1-based line of the primary span. */
  line: number;
  /** 1-based column (characters) of the primary span. */
  column: number;
  /** rustc's headline. */
  message: string;
}

/** rustc's verdict on one program. */
export type RustcVerdict =
  | { available: false; reason: string }
  | {
    available: true;
    /** `rustc --version`. */
    version: string;
    /** True when rustc reports no error. */
    accepted: boolean;
    /** The errors (warnings left out), in rustc's order. */
    diagnostics: RustcDiagnostic[];
    /** Wall time of the compilation in milliseconds. */
    elapsedMs: number;
  };

/** Default time limit of one compilation. */
export const RUSTC_TIME_LIMIT_MS = 30_000;

let versionCache: Promise<string | null> | null = null;

/**
 * The installed rustc's version line, or `null` when rustc is not installed.
 *
 * @returns `"rustc 1.95.0 (...)"` or `null`.
 *
 * @example Either a version or null
 * ```ts
 * import { rustcVersion } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const v = await rustcVersion();
 * assert.ok(v === null || v.startsWith("rustc "));
 * ```
 */
export function rustcVersion(): Promise<string | null> {
  versionCache ??= (async () => {
    try {
      const out = await new Deno.Command("rustc", {
        args: ["--version"],
        stdout: "piped",
        stderr: "null",
      })
        .output();
      return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
    } catch {
      return null;
    }
  })();
  return versionCache;
}

/**
 * Parse rustc's `--error-format=json` output: the errors, each with its code
 * and primary position.
 *
 * @param text rustc's standard error (one JSON object a line).
 * @returns The errors, warnings and notes left out.
 * @throws {SyntaxError} If a line is not JSON, naming the line.
 *
 * @example One error
 * ```ts
 * import { parseRustcJson } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const line = JSON.stringify({
 *   level: "error", message: "borrow of moved value: `s`", code: { code: "E0382" },
 *   spans: [{ is_primary: true, line_start: 4, column_start: 20 }],
 * });
 * assert.deepEqual(parseRustcJson(line), [
 *   { code: "E0382", line: 4, column: 20, message: "borrow of moved value: `s`" },
 * ]);
 * ```
 */
export function parseRustcJson(text: string): RustcDiagnostic[] {
  const out: RustcDiagnostic[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let d: {
      level?: string;
      message?: string;
      code?: { code?: string } | null;
      spans?: { is_primary?: boolean; line_start?: number; column_start?: number }[];
    };
    try {
      d = JSON.parse(line);
    } catch (cause) {
      throw new SyntaxError(`Cannot parse rustc output: line ${i + 1} is not JSON`, { cause });
    }
    if (d.level !== "error") return;
    const primary = (d.spans ?? []).find((s) => s.is_primary);
    if (!primary) return; // "aborting due to ..." summaries carry no span
    out.push({
      code: d.code?.code ?? null,
      line: primary.line_start ?? 0,
      column: primary.column_start ?? 0,
      message: d.message ?? "",
    });
  });
  return out;
}

/**
 * Type- and borrow-check a program with the real rustc (edition 2021,
 * metadata only), in a temporary folder removed afterwards.
 *
 * @param source Rust source of a binary crate.
 * @param options `timeLimitMs`: kill rustc after this long (default 30 s).
 * @returns rustc's verdict, or `{ available: false }` when rustc is not installed.
 * @throws {Error} If rustc runs past the time limit.
 *
 * @example rustc's verdict on a use after move (when rustc is installed)
 * ```ts
 * import { runRustc } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const v = await runRustc('fn main() { let s = String::from("a"); let t = s; println!("{}", s); }');
 * if (v.available) assert.deepEqual(v.diagnostics.map((d) => d.code), ["E0382"]);
 * ```
 */
export async function runRustc(
  source: string,
  options: { timeLimitMs?: number } = {},
): Promise<RustcVerdict> {
  return await compile(source, options.timeLimitMs ?? RUSTC_TIME_LIMIT_MS);
}

/**
 * Check many programs with one rustc run: each becomes a module of one crate
 * (`mod p0 { ... }`, lines kept, so positions map back exactly), which rustc
 * type- and borrow-checks body by body, so one program's errors do not hide
 * another's. A program whose errors cannot be placed (a syntax error breaks
 * the whole crate) makes this fall back to one run per program.
 *
 * @param sources Programs, each a binary crate with its own `fn main`.
 * @param options `timeLimitMs`: the limit of each rustc run.
 * @returns One verdict per program, in order (`available: false` when rustc is missing).
 *
 * @example Two programs, one rustc run
 * ```ts
 * import { runRustcBatch } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const [a, b] = await runRustcBatch([
 *   "fn main() { let x = 1; x = 2; }",
 *   "fn main() { let x = 1; println!(\"{}\", x); }",
 * ]);
 * if (a.available && b.available) {
 *   assert.deepEqual(a.diagnostics.map((d) => [d.code, d.line, d.column]), [["E0384", 1, 24]]);
 *   assert.equal(b.accepted, true);
 * }
 * ```
 */
export async function runRustcBatch(
  sources: string[],
  options: { timeLimitMs?: number } = {},
): Promise<RustcVerdict[]> {
  const limit = options.timeLimitMs ?? RUSTC_TIME_LIMIT_MS;
  let text = "";
  let line = 1;
  const starts: number[] = [];
  sources.forEach((src, i) => {
    text += `mod p${i} {\n`;
    line++;
    starts.push(line);
    const body = src.endsWith("\n") ? src : src + "\n";
    text += body + "}\n";
    line += body.split("\n").length - 1 + 1;
  });
  text += "fn main() {}\n";
  const whole = await compile(text, limit);
  if (!whole.available) return sources.map(() => whole);
  const per: RustcDiagnostic[][] = sources.map(() => []);
  let placed = true;
  for (const d of whole.diagnostics) {
    let i = starts.length - 1;
    while (i >= 0 && starts[i] > d.line) i--;
    if (i < 0 || d.code === null) {
      placed = false;
      break;
    }
    per[i].push({ ...d, line: d.line - starts[i] + 1 });
  }
  if (!placed) {
    const out: RustcVerdict[] = [];
    for (const s of sources) out.push(await compile(s, limit));
    return out;
  }
  return per.map((diagnostics) => ({
    available: true,
    version: whole.version,
    accepted: diagnostics.length === 0,
    diagnostics,
    elapsedMs: whole.elapsedMs / sources.length,
  }));
}

async function compile(source: string, limit: number): Promise<RustcVerdict> {
  const version = await rustcVersion();
  if (version === null) return { available: false, reason: "rustc is not installed (not on PATH)" };
  const dir = await Deno.makeTempDir({ prefix: "memgarden-rustc-" });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limit);
  try {
    await Deno.writeTextFile(`${dir}/main.rs`, source);
    const t0 = performance.now();
    const out = await new Deno.Command("rustc", {
      args: [
        "--edition",
        "2021",
        "--crate-type",
        "bin",
        "--crate-name",
        "main",
        "--emit=metadata",
        "--error-format=json",
        "-o",
        `${dir}/main.rmeta`,
        `${dir}/main.rs`,
      ],
      cwd: dir,
      stdout: "null",
      stderr: "piped",
      signal: controller.signal,
    }).output();
    const elapsedMs = performance.now() - t0;
    if (controller.signal.aborted) {
      throw new Error(`rustc ran past its time limit of ${limit} ms and was stopped`);
    }
    const diagnostics = parseRustcJson(new TextDecoder().decode(out.stderr));
    return { available: true, version, accepted: diagnostics.length === 0, diagnostics, elapsedMs };
  } finally {
    clearTimeout(timer);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

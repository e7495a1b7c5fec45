/**
 * What the three OSTEP-compatible models (`sim paging`, `sim translate`,
 * `sim tables`) share, written once: Python optparse's command-line rules,
 * Python's number syntax, the help text, range checks that name the flag,
 * a size-capped reader for `-f` files, and the wrapper that prints the
 * output and turns a usage error into exit status 2.
 *
 * Private to `lib/cli/`; not re-exported.
 *
 * @module
 */
import type { SimCommand } from "./main.ts";
import { writeStdoutSync } from "./_process.ts";
import { shownText as shownTextOf } from "../trace/_validate.ts";

/** The exit status of a usage error (bad flag, bad value, unreadable file), as optparse uses. */
export const USAGE_EXIT = 2;

/**
 * One option, declared as the Python script declares it with optparse.
 * `type` follows optparse: `"int"` is `type='int'` (parsed while parsing, with
 * `0x`/`0b`/`0` prefixes, printed as a number), `"string"` keeps the text as
 * typed (the scripts print it in their `ARG` lines and call `int()` later).
 */
export interface OstepOption {
  /** Short flag, e.g. "-s". */
  short?: string;
  /** Long flag, e.g. "--seed". */
  long?: string;
  /** Key in the parsed values. */
  dest: string;
  /** optparse's action: a flag (store_true), or a value of this type. */
  type: "flag" | "string" | "int";
  /** The default, as the script spells it. */
  default?: string | number | boolean;
  /** How errors name the option, e.g. "-n (numaddrs)"; default "SHORT (LONG without dashes)". */
  label?: string;
  /** One line of help. */
  help: string;
}

/** Values parsed from a command line, by `dest`. */
export type OstepValues = Record<string, string | bigint | boolean>;

const HELP_OPTION: OstepOption = {
  short: "-h",
  long: "--help",
  dest: "help",
  type: "flag",
  default: false,
  help: "show this help and exit",
};
const JSON_OPTION: OstepOption = {
  long: "--json",
  dest: "json",
  type: "flag",
  default: false,
  help: "print one JSON document instead (not in the Python original)",
};

/**
 * How an error names an option: its label, or "-s (seed)" built from its flags.
 *
 * @param option The option.
 * @returns The name used in error messages.
 */
export function optionLabel(option: OstepOption): string {
  if (option.label) return option.label;
  const name = option.long?.slice(2) ?? option.dest;
  return option.short ? `${option.short} (${name})` : `--${name}`;
}

/**
 * Parse a command line the way Python's optparse does: `-s 5`, `-s5`,
 * `--seed 5`, `--seed=5`, bundled flags (`-cN`, `-cs5`), a long option
 * shortened to any unambiguous prefix (`--se=5`), and `--` to end the options.
 * `-h/--help` and `--json` are always accepted; as in optparse, nothing after
 * `-h` is looked at. Unlike the Python scripts,
 * which ignore them, a stray positional argument is an error.
 *
 * @param args The arguments.
 * @param options The accepted options.
 * @returns Every option's value by `dest` (its default when absent; `int` options as bigints).
 *
 * @example Short, bundled, abbreviated and long forms
 * ```ts
 * import { parseOstepFlags } from "memgarden/cli/_ostep.ts";
 * import assert from "node:assert/strict";
 *
 * const opts = [
 *   { short: "-s", long: "--seed", dest: "seed", type: "int", default: 0, help: "seed" },
 *   { short: "-c", long: "--solve", dest: "solve", type: "flag", default: false, help: "answers" },
 * ] as const;
 * assert.deepEqual(parseOstepFlags(["-cs0x10"], opts), { seed: 16n, solve: true, help: false, json: false });
 * assert.equal(parseOstepFlags(["--se=7"], opts).seed, 7n);
 * assert.throws(() => parseOstepFlags(["--s=7"], opts), /ambiguous option: received "--s" \(--seed, --solve\)/);
 * assert.equal(parseOstepFlags(["-h", "--bogus"], opts).help, true);
 * ```
 */
export function parseOstepFlags(
  args: readonly string[],
  options: readonly OstepOption[],
): OstepValues {
  const all = [...options, HELP_OPTION, JSON_OPTION];
  const out: OstepValues = {};
  for (const o of all) {
    if (o.type === "flag") out[o.dest] = o.default === true;
    else if (o.type === "int") out[o.dest] = BigInt(o.default as number ?? 0);
    else out[o.dest] = String(o.default ?? "");
  }
  const store = (o: OstepOption, name: string, value: string | undefined) => {
    if (value === undefined) {
      throw new TypeError(`Cannot parse flags: ${name} requires a value: received nothing`);
    }
    out[o.dest] = o.type === "int" ? optparseInt(value, optionLabel(o)) : value;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      if (i + 1 < args.length) unexpected(args[i + 1]);
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq >= 0 ? arg.slice(0, eq) : arg;
      const o = matchLong(name, all);
      if (o.type === "flag") {
        if (eq >= 0) {
          throw new TypeError(
            `Cannot parse flags: ${o.long} takes no value: received "${arg.slice(eq + 1)}"`,
          );
        }
        out[o.dest] = true;
        if (o === HELP_OPTION) return out; // optparse prints the help as soon as it meets -h
      } else store(o, o.long!, eq >= 0 ? arg.slice(eq + 1) : args[++i]);
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const name = "-" + arg[j];
        const o = all.find((x) => x.short === name);
        if (!o) throw new TypeError(`Cannot parse flags: unknown option: received "${name}"`);
        if (o.type === "flag") {
          out[o.dest] = true;
          if (o === HELP_OPTION) return out;
          continue;
        }
        const rest = arg.slice(j + 1);
        store(o, name, rest !== "" ? rest : args[++i]);
        break;
      }
      continue;
    }
    unexpected(arg);
  }
  return out;
}

function unexpected(arg: string): never {
  throw new TypeError(
    `Cannot parse flags: positional arguments are not accepted: received "${arg}"`,
  );
}

function matchLong(name: string, all: readonly OstepOption[]): OstepOption {
  const exact = all.find((o) => o.long === name);
  if (exact) return exact;
  const matches = name.length > 2 ? all.filter((o) => o.long?.startsWith(name)) : [];
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new TypeError(
      `Cannot parse flags: ambiguous option: received "${name}" (${
        matches.map((o) => o.long).join(", ")
      })`,
    );
  }
  throw new TypeError(`Cannot parse flags: unknown option: received "${name}"`);
}

/**
 * The help text, generated from the options.
 *
 * @param usage The first line, e.g. "deno task sim paging [options]   (OSTEP paging-policy.py)".
 * @param options The options.
 * @returns The help text, ending with a newline.
 */
export function ostepHelp(usage: string, options: readonly OstepOption[]): string {
  const rows = [...options, JSON_OPTION, HELP_OPTION].map((o) => {
    const meta = o.type === "flag" ? "" : ` ${o.dest.toUpperCase()}`;
    const flags = [
      o.short ? o.short + meta : "",
      o.long ? o.long + (meta ? `=${meta.trim()}` : "") : "",
    ]
      .filter(Boolean).join(", ");
    const dflt = o.type === "flag" || o.default === undefined || o.default === ""
      ? ""
      : ` (default ${o.default})`;
    return `  ${flags.padEnd(38)} ${o.help}${dflt}`;
  });
  return `Usage: ${usage}\n\nOptions:\n${rows.join("\n")}\n`;
}

/**
 * Python optparse's `type="int"`: `0x` hex, `0b` binary, a leading `0` octal, else decimal.
 *
 * @param text The flag's text.
 * @param field The flag, for the error message (e.g. "-s (seed)").
 * @returns The integer (any size).
 *
 * @example Like optparse
 * ```ts
 * import { optparseInt } from "memgarden/cli/_ostep.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(["10", "0x10", "010", "0b10", "-3"].map((t) => optparseInt(t, "-s")), [10n, 16n, 8n, 2n, -3n]);
 * assert.throws(() => optparseInt("ten", "-s (seed)"), /Invalid -s \(seed\): must be an integer: received "ten"/);
 * ```
 */
export function optparseInt(text: string, field: string): bigint {
  const lower = text.slice(0, 2).toLowerCase();
  let radix = 10;
  let body = text;
  if (lower === "0x") radix = 16;
  else if (lower === "0b") {
    radix = 2;
    body = text.slice(2) || "0";
  } else if (text.startsWith("0")) radix = 8;
  const t = body.trim().replace(/^([+-]?)0[xob]/i, (_, s) => (radix === 10 ? "!" : s));
  const digits = radix === 16
    ? "[0-9a-fA-F]"
    : radix === 8
    ? "[0-7]"
    : radix === 2
    ? "[01]"
    : "\\d";
  if (!new RegExp(`^[+-]?${digits}+(_${digits}+)*$`).test(t)) {
    throw new TypeError(`Invalid ${field}: must be an integer: received "${text}"`);
  }
  const negative = t.startsWith("-");
  const clean = t.replace(/^[+-]/, "").replace(/_/g, "");
  const prefix = radix === 16 ? "0x" : radix === 8 ? "0o" : radix === 2 ? "0b" : "";
  const value = BigInt(prefix + clean);
  return negative ? -value : value;
}

/**
 * Python's `int(text)` for decimal text (sign, surrounding spaces, underscores).
 *
 * @param text The text.
 * @param field What the text is, for the error message.
 * @returns The integer as a bigint.
 *
 * @example Like Python's int()
 * ```ts
 * import { pythonInt } from "memgarden/cli/_ostep.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(pythonInt(" -1_000 ", "seed"), -1000n);
 * assert.throws(() => pythonInt("1e3", "-n (numaddrs)"), /Invalid -n \(numaddrs\): must be an integer: received "1e3"/);
 * ```
 */
export function pythonInt(text: string, field: string): bigint {
  const t = text.trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(t)) {
    throw new TypeError(`Invalid ${field}: must be an integer: received "${text}"`);
  }
  return BigInt(t.replace(/_/g, ""));
}

/**
 * Text from an input file, for an error message: quoted and escaped, and cut
 * after `max` characters (marked `...`) so that one long line cannot flood the terminal.
 *
 * @param text The text, e.g. a line of the file.
 * @param max The most characters shown.
 * @returns The text as shown.
 *
 * @example A long line is cut
 * ```ts
 * import { shownText } from "memgarden/cli/_ostep.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(shownText("x"), '"x"');
 * assert.equal(shownText("7".repeat(100), 4), '"7777"... (100 characters)');
 * ```
 */
export function shownText(text: string, max = 80): string {
  return shownTextOf(text, max);
}

/**
 * Check that an integer flag lies in [min, max] and return it as a number.
 *
 * @param value The parsed value.
 * @param field The flag, e.g. "-n (numaddrs)".
 * @param min The smallest value allowed.
 * @param max The largest value allowed (at most 2^53).
 * @param why Why the limit exists, appended to the rule when given.
 * @returns The value as a number.
 *
 * @example A clear error naming the flag, the rule and the value
 * ```ts
 * import { intInRange } from "memgarden/cli/_ostep.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(intInRange(50n, "-u (used)", 0, 100), 50);
 * assert.throws(() => intInRange(200n, "-u (used)", 0, 100, "a percentage"),
 *   /^RangeError: Invalid -u \(used\): must be between 0 and 100 \(a percentage\): received 200$/);
 * ```
 */
export function intInRange(
  value: bigint,
  field: string,
  min: number,
  max: number,
  why?: string,
): number {
  if (value < BigInt(min) || value > BigInt(max)) {
    const rule = max === Infinity ? `must be at least ${min}` : `must be between ${min} and ${max}`;
    throw new RangeError(`Invalid ${field}: ${rule}${why ? ` (${why})` : ""}: received ${value}`);
  }
  return Number(value);
}

/**
 * Python's `'%.Nf' % x`: round half to even on the exact binary value.
 *
 * @param x The number.
 * @param digits Digits after the point.
 * @returns The formatted text.
 *
 * @example Ties go to even, as in Python
 * ```ts
 * import { pythonFixed } from "memgarden/cli/_ostep.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(pythonFixed(3.125, 2), "3.12");
 * assert.equal(pythonFixed(8.3333, 2), "8.33");
 * ```
 */
export function pythonFixed(x: number, digits: number): string {
  const exact = Math.abs(x).toFixed(100);
  const point = exact.indexOf(".");
  const kept = exact.slice(0, point + 1 + digits);
  const rest = exact.slice(point + 1 + digits);
  const first = rest[0] ?? "0";
  const tail = rest.slice(1);
  let up = first > "5" || (first === "5" && /[1-9]/.test(tail));
  if (first === "5" && !/[1-9]/.test(tail)) {
    const last = kept.replace(".", "").slice(-1);
    up = Number(last) % 2 === 1;
  }
  let digitsOnly = kept.replace(".", "");
  if (up) digitsOnly = (BigInt(digitsOnly) + 1n).toString().padStart(digitsOnly.length, "0");
  const intLen = digitsOnly.length - digits;
  const text = digits > 0
    ? `${digitsOnly.slice(0, intLen)}.${digitsOnly.slice(intLen)}`
    : digitsOnly;
  return (x < 0 && /[1-9]/.test(text) ? "-" : "") + text;
}

/**
 * A bigint for a JSON document: a number when it is a safe integer, else its decimal text.
 *
 * @param n The integer.
 * @returns A number or a string.
 */
export function jsonInt(n: bigint): number | string {
  return Number.isSafeInteger(Number(n)) ? Number(n) : n.toString();
}

/** What a CLI run produced. */
export interface CliOutput {
  /** Text for standard output. */
  stdout: string;
  /** Exit status. */
  status: number;
}

/**
 * Read a text file for a flag, refusing one larger than `maxBytes` before
 * reading it (from its size) or while reading it (pipes, devices), so that
 * memory stays bounded whatever the file is.
 *
 * @param path The file.
 * @param field The flag, e.g. "-f (addressfile)".
 * @param maxBytes The largest file accepted.
 * @returns The text (UTF-8).
 *
 * @example A small file reads; a missing one names the flag and the path
 * ```ts
 * import { readTextCapped } from "memgarden/cli/_ostep.ts";
 * import assert from "node:assert/strict";
 *
 * const path = Deno.makeTempFileSync();
 * Deno.writeTextFileSync(path, "1\n2\n");
 * assert.equal(readTextCapped(path, "-f (addressfile)", 1024), "1\n2\n");
 * assert.throws(() => readTextCapped(path, "-f (addressfile)", 3), /must be at most 3 bytes: received 4 bytes/);
 * Deno.removeSync(path);
 * assert.throws(() => readTextCapped(path, "-f (addressfile)", 1024), /Cannot read -f \(addressfile\) ".*": no such file/);
 * ```
 */
export function readTextCapped(path: string, field: string, maxBytes: number): string {
  const what = `Cannot read ${field} "${path}"`;
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (e) {
    const reason = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : e instanceof Error
      ? e.message
      : String(e);
    throw new TypeError(`${what}: ${reason}`, { cause: e });
  }
  try {
    const info = file.statSync();
    if (info.isDirectory) throw new TypeError(`${what}: must be a file: received a directory`);
    const tooBig = (size: string) =>
      new RangeError(`${what}: must be at most ${maxBytes} bytes: received ${size} bytes`);
    if (info.isFile && info.size > maxBytes) throw tooBig(String(info.size));
    const buf = new Uint8Array(Math.min(maxBytes + 1, info.isFile ? info.size + 1 : 1 << 16));
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const n = file.readSync(buf);
      if (n === null) break;
      total += n;
      if (total > maxBytes) throw tooBig(`more than ${maxBytes}`);
      chunks.push(buf.slice(0, n));
    }
    const all = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    return new TextDecoder().decode(all);
  } catch (e) {
    if (isUsageError(e)) throw e;
    throw new TypeError(`${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  } finally {
    file.close();
  }
}

/** True for the errors a model throws about its input (bad flag, value or file). */
export function isUsageError(e: unknown): e is Error {
  return e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError;
}

/**
 * Make a `SimCommand`: run the pure model, write its output (all of it, and
 * quietly stop if the reader closed the pipe), and turn a usage error into
 * its one-line message on stderr and exit status 2.
 *
 * @param summary The one-line summary for `deno task sim --help`.
 * @param cli The model: arguments to output; throws TypeError, RangeError or SyntaxError on bad input.
 * @returns The command.
 */
export function ostepCommand(
  summary: string,
  cli: (args: readonly string[]) => CliOutput,
): SimCommand {
  return {
    summary,
    run(args: string[]): Promise<number> {
      let out: CliOutput;
      try {
        out = cli(args);
      } catch (e) {
        if (!isUsageError(e)) throw e;
        console.error(e.message);
        return Promise.resolve(USAGE_EXIT);
      }
      writeStdoutSync(new TextEncoder().encode(out.stdout));
      return Promise.resolve(out.status);
    },
  };
}

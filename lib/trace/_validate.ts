// Zod at the boundaries: turn the first issue into a clear TypeError or RangeError. Private.
import { z } from "zod";

/** The value at `path` inside `input` (undefined when the path leads nowhere). */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || v == null) return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * Text from an input, for an error message: quoted and escaped, and cut after `max`
 * characters (marked `...`, with the full length) so that one long line cannot flood the
 * terminal.
 */
export function shownText(text: string, max = 80): string {
  return text.length > max
    ? `${JSON.stringify(text.slice(0, max))}... (${text.length} characters)`
    : JSON.stringify(text);
}

/** Any value for an error message: a string as {@linkcode shownText}, else its JSON, cut alike. */
export function shownValue(v: unknown, max = 80): string {
  if (typeof v === "string") return shownText(v, max);
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}

/**
 * The first issue of a failed parse as "<field> <rule>: received <value>", a field left out
 * as "<field> is required: received nothing"; `root` names the whole input when the issue is
 * about it, `show` formats the value.
 */
export function issueText(
  error: z.ZodError,
  input: unknown,
  root: string,
  show: (v: unknown) => string = shownValue,
): string {
  const issue = error.issues[0];
  const field = issue.path.length ? issue.path.map(String).join(".") : root;
  const received = valueAt(input, issue.path);
  // A field left out is named as missing, not as a value of the wrong type.
  return issue.code === "invalid_type" && received === undefined && issue.path.length > 0
    ? `${field} is required: received nothing`
    : `${field} ${issue.message}: received ${show(received)}`;
}

/**
 * Parse `input` with `schema`; on failure throw `TypeError` (wrong shape) or
 * `RangeError` (out of range) saying `<what>: <field> <rule>: received <value>`,
 * with the zod error as `cause` and its pretty form appended for multi-issue cases.
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (issue.code === "unrecognized_keys") {
    const at = issue.path.length ? `${issue.path.map(String).join(".")}.` : "";
    throw new TypeError(
      `${what}: ${at}${issue.keys[0]} is not a known field: received ${
        show(valueAt(input, [...issue.path, issue.keys[0]]))
      }`,
      { cause: r.error },
    );
  }
  const received = valueAt(input, issue.path);
  // A number that is not an integer is out of range, not of the wrong shape.
  const shape = (issue.code === "invalid_type" && typeof received !== "number") ||
    issue.code === "invalid_union";
  const message = `${what}: ${issueText(r.error, input, "value", show)}`;
  const Err = shape ? TypeError : RangeError;
  const err = new Err(message, { cause: r.error });
  (err as Error & { details?: string }).details = z.prettifyError(r.error);
  throw err;
}

/** A positive safe integer with readable messages. */
export function positiveInt(): z.ZodNumber {
  return z.number({ error: "must be a number" }).int("must be an integer").min(
    1,
    "must be at least 1",
  );
}

/** A non-negative safe integer with readable messages. */
export function nonNegativeInt(): z.ZodNumber {
  return z.number({ error: "must be a number" }).int("must be an integer").min(
    0,
    "must be at least 0",
  ).max(Number.MAX_SAFE_INTEGER, "must be at most 2^53 - 1");
}

// Zod at the boundaries: turn the first issue into a clear TypeError or RangeError. Private.
import { z } from "zod";

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
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
  const field = issue.path.length ? issue.path.map(String).join(".") : "value";
  const received = valueAt(input, issue.path);
  // A number that is not an integer is out of range, not of the wrong shape.
  const shape = (issue.code === "invalid_type" && typeof received !== "number") ||
    issue.code === "invalid_union";
  // A field left out is named as missing, not as a value of the wrong type.
  const missing = issue.code === "invalid_type" && received === undefined &&
    issue.path.length > 0;
  const message = missing
    ? `${what}: ${field} is required: received nothing`
    : `${what}: ${field} ${issue.message}: received ${show(received)}`;
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

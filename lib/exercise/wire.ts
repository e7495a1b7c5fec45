/**
 * The data that crosses between the grader and the student's process:
 * arguments one way, results the other. JSON, with tags for what JSON
 * cannot say (`NaN`, `±Infinity`, `-0`, `undefined`, bigints), bounded in
 * depth and size, and decoded into fresh plain objects only.
 *
 * @module
 */

const TAGS = new Set(["$num", "$undefined", "$bigint", "$unsupported"]);
const MAX_DEPTH = 64;

/**
 * Turn a value into JSON-safe data. Plain objects keep their own enumerable
 * string keys (a key starting with `$` gets one more `$`); functions,
 * symbols and class instances other than arrays become `$unsupported`.
 *
 * @param value A result or an argument.
 * @returns JSON-safe data for {@linkcode decodeValue}.
 *
 * @example What JSON cannot say survives a round trip
 * ```ts
 * import { decodeValue, encodeValue } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const v = [NaN, -0, Infinity, undefined, 12n, { $x: 1, page: null }];
 * assert.deepEqual(decodeValue(JSON.parse(JSON.stringify(encodeValue(v)))), v);
 * ```
 */
export function encodeValue(value: unknown): unknown {
  const seen = new Set<object>();
  const enc = (v: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) return { $unsupported: `nested deeper than ${MAX_DEPTH}` };
    switch (typeof v) {
      case "number":
        if (Number.isNaN(v)) return { $num: "NaN" };
        if (v === Infinity) return { $num: "Infinity" };
        if (v === -Infinity) return { $num: "-Infinity" };
        if (Object.is(v, -0)) return { $num: "-0" };
        return v;
      case "string":
      case "boolean":
        return v;
      case "undefined":
        return { $undefined: true };
      case "bigint":
        return { $bigint: v.toString() };
      case "object": {
        if (v === null) return null;
        if (seen.has(v)) return { $unsupported: "a cycle" };
        seen.add(v);
        try {
          if (Array.isArray(v)) return Array.from(v, (x) => enc(x, depth + 1));
          const proto = Object.getPrototypeOf(v);
          if (proto !== Object.prototype && proto !== null) {
            return { $unsupported: `an instance of ${proto?.constructor?.name ?? "a class"}` };
          }
          const out: Record<string, unknown> = {};
          for (const key of Object.keys(v)) {
            out[key.startsWith("$") ? "$" + key : key] = enc(
              (v as Record<string, unknown>)[key],
              depth + 1,
            );
          }
          return out;
        } finally {
          seen.delete(v);
        }
      }
      default:
        return { $unsupported: `a ${typeof v}` };
    }
  };
  return enc(value, 0);
}

/**
 * Turn data from {@linkcode encodeValue} (after `JSON.parse`) back into a value.
 *
 * @param data Parsed JSON.
 * @returns The value; objects are fresh plain objects.
 *
 * @example An unsupported value stays a marker, not a function
 * ```ts
 * import { decodeValue, encodeValue } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodeValue(encodeValue(() => 1)), { $unsupported: "a function" });
 * ```
 */
export function decodeValue(data: unknown): unknown {
  const dec = (d: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH + 1 || d === null || typeof d !== "object") return d;
    if (Array.isArray(d)) return d.map((x) => dec(x, depth + 1));
    const keys = Object.keys(d);
    const obj = d as Record<string, unknown>;
    if (keys.length === 1 && TAGS.has(keys[0])) {
      const [tag] = keys;
      if (tag === "$undefined") return undefined;
      if (tag === "$num") {
        const n = { "NaN": NaN, "Infinity": Infinity, "-Infinity": -Infinity, "-0": -0 }[
          String(obj.$num)
        ];
        if (n !== undefined) return n;
      }
      if (tag === "$bigint" && /^-?\d{1,400}$/.test(String(obj.$bigint))) {
        return BigInt(String(obj.$bigint));
      }
      return { $unsupported: String(obj[tag]).slice(0, 100) };
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const name = key.startsWith("$") ? key.slice(1) : key;
      Object.defineProperty(out, name, {
        value: dec(obj[key], depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  return dec(data, 0);
}

/**
 * A value as it would arrive from the student's process: encoded and
 * decoded, so the notebook's check and the grader judge the same data.
 *
 * @param value A result.
 * @returns The value after a round trip through {@linkcode encodeValue}.
 *
 * @example Methods do not survive
 * ```ts
 * import { asData } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(asData({ page: 1, f() {} }), { page: 1, f: { $unsupported: "a function" } });
 * ```
 */
export function asData(value: unknown): unknown {
  return decodeValue(JSON.parse(JSON.stringify(encodeValue(value))));
}

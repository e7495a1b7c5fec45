/**
 * Lesson 10's exercises: make an encoder allocation-free (write into the
 * caller's buffer), make a pipeline lazy (pull only what is needed), and
 * write a structurally shared update of a nested tree.
 *
 * Each test is data (calls and wanted results, or a judge); `run` turns one
 * call into a plain-data result where the student's code runs.
 *
 * @module
 */
import assert from "../judge_assert.ts";
import { defineExercise, registerExercises } from "../exercise.ts";

/** Bytes of one encoded record: id (4, little-endian), score (2), flags (1), checksum (1). */
export const DESIGN_RECORD_BYTES = 8;

/**
 * The allocating encoder the exercise starts from: a new 8-byte buffer per
 * record holding the id (4 bytes, little-endian), the score (2 bytes), a
 * flag byte (1 if the score is at least 50) and a checksum (the sum of the
 * first 7 bytes, modulo 256).
 *
 * @param id 0 to 2^32 - 1.
 * @param score 0 to 65,535.
 * @returns A new buffer of {@linkcode DESIGN_RECORD_BYTES} bytes.
 *
 * @example Record 258 with score 60
 * ```ts
 * import { encodeRecord } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...encodeRecord(258, 60)], [2, 1, 0, 0, 60, 0, 1, 64]);
 * ```
 */
export function encodeRecord(id: number, score: number): Uint8Array {
  const out = new Uint8Array(DESIGN_RECORD_BYTES);
  out[0] = id & 255;
  out[1] = (id >>> 8) & 255;
  out[2] = (id >>> 16) & 255;
  out[3] = (id >>> 24) & 255;
  out[4] = score & 255;
  out[5] = (score >>> 8) & 255;
  out[6] = score >= 50 ? 1 : 0;
  let sum = 0;
  for (let i = 0; i < 7; i++) sum += out[i];
  out[7] = sum & 255;
  return out;
}

/** What exercise 1 asks for: fill `out` with the record and return `out` itself. */
export type EncodeIntoFn = (id: number, score: number, out: Uint8Array) => Uint8Array;

/** Encode records one after another into one buffer; report identity and the bytes. */
function runEncodeInto(encode: EncodeIntoFn, records: [number, number][]) {
  const out = new Uint8Array(DESIGN_RECORD_BYTES).fill(0xee);
  let sameBuffer = true;
  const bytes = records.map(([id, score]) => {
    const got = encode(id, score, out);
    if (got !== out) sameBuffer = false;
    return [...out];
  });
  return { sameBuffer, bytes };
}

const expectedBytes = (records: [number, number][]) =>
  records.map(([id, score]) => [...encodeRecord(id, score)]);

const someRecords = (n: number, seed: number): [number, number][] => {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: n }, () => [next() % 2 ** 31, next() % 65536]);
};

/**
 * Lesson 10, exercise 1: write into the caller's buffer instead of allocating.
 *
 * @example The allocating version fails: it returns a new buffer each time
 * ```ts
 * import { check, encodeRecord } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const allocating = (id: number, score: number, _out: Uint8Array) => encodeRecord(id, score);
 * assert.equal((await check("design-encode-into", allocating)).passed, false);
 * ```
 */
export const designEncodeInto = defineExercise<EncodeIntoFn>({
  id: "design-encode-into",
  title: "Encode into a reused buffer",
  lesson: "10-efficient-design",
  points: 3,
  expects: "encodeInto",
  run: runEncodeInto,
  tests: [
    {
      name: "returns the very buffer it was given, filled with the record",
      points: 1,
      calls: [[[[258, 60]]]],
      want: [{ sameBuffer: true, bytes: [[2, 1, 0, 0, 60, 0, 1, 64]] }],
    },
    {
      name: "every byte is rewritten: nothing is left over from the record before",
      points: 1,
      calls: [[[[0xffffffff, 65535], [0, 0], [7, 49], [7, 50]]]],
      judge: (r, calls) => {
        const got = r[0] as { sameBuffer: boolean; bytes: number[][] };
        const want = expectedBytes(calls[0][0] as [number, number][]);
        assert.ok(got.sameBuffer, "return the buffer you were given (out), not a new one");
        assert.equal(got.bytes.length, want.length, "one result per record");
        got.bytes.forEach((b, i) =>
          assert.deepEqual(
            b,
            want[i],
            `record ${i + 1} ${JSON.stringify((calls[0][0] as unknown[])[i])}: bytes ${
              JSON.stringify(b)
            }, expected ${JSON.stringify(want[i])}`,
          )
        );
      },
    },
    {
      name: "200 random records through one buffer agree with encodeRecord",
      points: 1,
      calls: [[someRecords(200, 10)]],
      judge: (r, calls) => {
        const got = r[0] as { sameBuffer: boolean; bytes: number[][] };
        assert.ok(got.sameBuffer, "return the buffer you were given (out), not a new one");
        assert.deepEqual(got.bytes, expectedBytes(calls[0][0] as [number, number][]));
      },
    },
  ],
});

/** An order of exercise 2's stream. */
export interface DesignOrder {
  id: number;
  total: number;
}

/**
 * Order `i` of exercise 2's stream: its id is `i` and its total a fixed
 * pseudo-random amount from 0 to 999.
 *
 * @param i The position in the stream.
 * @returns The order.
 *
 * @example The first order
 * ```ts
 * import { designOrder } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(designOrder(0), { id: 0, total: 0 });
 * assert.equal(designOrder(5).id, 5);
 * ```
 */
export function designOrder(i: number): DesignOrder {
  return { id: i, total: (i * 7919) % 1000 };
}

/** What exercise 2 asks for: the ids of orders of at least `min`, produced lazily. */
export type BigOrdersFn = (orders: Iterable<DesignOrder>, min: number) => Iterable<number>;

/**
 * Feed `count` orders (or an endless stream when `count` is null) to the
 * answer, take `take` ids, and report them with how many orders were pulled.
 */
function runBigOrders(answer: BigOrdersFn, count: number | null, min: number, take: number) {
  let pulled = 0;
  function* source() {
    for (let i = 0; count === null || i < count; i++) {
      pulled++;
      if (pulled > 200_000) throw new Error("pulled more than 200,000 orders: is it lazy?");
      yield designOrder(i);
    }
  }
  const ids: number[] = [];
  if (take > 0) {
    for (const id of answer(source(), min)) {
      ids.push(id);
      if (ids.length >= take) break;
    }
  }
  return { ids, pulled };
}

function bigOrdersReference(count: number | null, min: number, take: number) {
  const ids: number[] = [];
  let pulled = 0;
  for (let i = 0; (count === null || i < count) && ids.length < take; i++) {
    pulled++;
    if (designOrder(i).total >= min) ids.push(i);
  }
  return { ids, pulled };
}

/**
 * Lesson 10, exercise 2: make a pipeline lazy.
 *
 * @example The eager version reads the whole stream
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const eager = (orders: Iterable<{ id: number; total: number }>, min: number) =>
 *   [...orders].filter((o) => o.total >= min).map((o) => o.id);
 * assert.equal((await check("design-lazy-orders", eager)).passed, false);
 * ```
 */
export const designLazyOrders = defineExercise<BigOrdersFn>({
  id: "design-lazy-orders",
  title: "Make the pipeline lazy",
  lesson: "10-efficient-design",
  points: 3,
  expects: "bigOrders",
  run: runBigOrders,
  tests: [
    {
      name: "the right ids, in order, on a short stream",
      points: 1,
      calls: [[20, 500, 20]],
      want: [bigOrdersReference(20, 500, 20)],
    },
    {
      name: "takes 3 ids from 100,000 orders after reading only as many orders as needed",
      points: 1,
      calls: [[100_000, 900, 3]],
      judge: (r, calls) => {
        const got = r[0] as { ids: number[]; pulled: number };
        const want = bigOrdersReference(...(calls[0] as [number, number, number]));
        assert.deepEqual(got.ids, want.ids);
        assert.equal(
          got.pulled,
          want.pulled,
          `reading ${got.pulled} orders to find 3 big ones; ${want.pulled} were enough`,
        );
      },
    },
    {
      name: "works on an endless stream",
      points: 1,
      calls: [[null, 990, 5]],
      want: [bigOrdersReference(null, 990, 5)],
    },
  ],
});

/** A nested tree of plain objects and arrays (exercise 3). */
export type DesignTree = unknown;

/** What exercise 3 asks for: a new tree with `value` at `path`; the old tree untouched. */
export type SetInFn = (tree: DesignTree, path: (string | number)[], value: unknown) => DesignTree;

function deepFreeze<T>(x: T): T {
  if (x && typeof x === "object") {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

/**
 * Call the answer on a frozen tree and report the result, whether every
 * node on the path is a new object, and whether every untouched child along
 * the path is the very same object as before.
 */
function runSetIn(answer: SetInFn, tree: DesignTree, path: (string | number)[], value: unknown) {
  const before = JSON.stringify(tree);
  deepFreeze(tree);
  const result = answer(tree, path, value);
  const pathCopied: boolean[] = [];
  const unshared: string[] = [];
  let a = tree as Record<string, unknown>, b = result as Record<string, unknown>;
  for (let d = 0; d < path.length; d++) {
    if (!b || typeof b !== "object") break;
    pathCopied.push(a !== b);
    for (const k of Object.keys(a)) {
      if (
        String(k) !== String(path[d]) && a[k] !== null && typeof a[k] === "object" && b[k] !== a[k]
      ) {
        unshared.push([...path.slice(0, d), k].join("."));
      }
    }
    a = a[path[d]] as Record<string, unknown>;
    b = b[path[d]] as Record<string, unknown>;
  }
  return { result, originalUnchanged: JSON.stringify(tree) === before, pathCopied, unshared };
}

function setInReference(tree: DesignTree, path: (string | number)[], value: unknown): DesignTree {
  if (path.length === 0) return value;
  const [k, ...rest] = path;
  const node = tree as Record<string | number, unknown>;
  const copy = (Array.isArray(tree) ? tree.slice() : { ...node }) as Record<
    string | number,
    unknown
  >;
  copy[k] = setInReference(node[k], rest, value);
  return copy;
}

const library = () => ({
  shelves: [
    { label: "memory", books: [{ title: "OSTEP", year: 2018 }, { title: "CS:APP", year: 2015 }] },
    { label: "languages", books: [{ title: "TRPL", year: 2019 }] },
  ],
  owner: { name: "Ada", card: { number: 7 } },
});

const setInJudge = (r: unknown[], calls: readonly (readonly unknown[])[]) =>
  r.forEach((raw, i) => {
    const got = raw as ReturnType<typeof runSetIn>;
    const [tree, path, value] = calls[i] as [DesignTree, (string | number)[], unknown];
    const at = path.join(".");
    assert.ok(got.originalUnchanged, `setting ${at} changed the original tree: copy, then write`);
    assert.deepEqual(
      got.result,
      setInReference(tree, path, value),
      `the new tree after setting ${at}`,
    );
    assert.ok(
      got.pathCopied.every((x) => x),
      `setting ${at}: every object on the path must be a new one (the old tree keeps its own)`,
    );
    assert.deepEqual(
      got.unshared,
      [],
      `setting ${at}: ${got.unshared.join(", ")} did not change, so share it instead of copying it`,
    );
  });

/**
 * Lesson 10, exercise 3: a structurally shared update of a nested tree.
 *
 * @example A deep copy gets the values right but shares nothing
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const deepCopy = (tree: unknown, path: (string | number)[], value: unknown) => {
 *   const copy = structuredClone(tree) as Record<string | number, unknown>;
 *   let node = copy;
 *   for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
 *   node[path[path.length - 1]] = value;
 *   return copy;
 * };
 * assert.equal((await check("design-shared-update", deepCopy)).passed, false);
 * ```
 */
export const designSharedUpdate = defineExercise<SetInFn>({
  id: "design-shared-update",
  title: "A structurally shared update",
  lesson: "10-efficient-design",
  points: 4,
  expects: "setIn",
  run: runSetIn,
  tests: [
    {
      name: "a top-level field",
      points: 1,
      calls: [[library(), ["owner"], { name: "Grace" }]],
      judge: setInJudge,
    },
    {
      name: "deep inside arrays and objects (arrays stay arrays)",
      points: 2,
      calls: [
        [library(), ["shelves", 0, "books", 1, "year"], 2016],
        [library(), ["owner", "card", "number"], 8],
        [library(), ["shelves", 1, "label"], "rust"],
      ],
      judge: setInJudge,
    },
    {
      name: "a new key at the end of the path",
      points: 1,
      calls: [[library(), ["owner", "card", "expires"], "2030-01"]],
      judge: setInJudge,
    },
  ],
});

registerExercises(designEncodeInto, designLazyOrders, designSharedUpdate);

import assert from "node:assert/strict";
import { amat, CacheSimulator, resolveGeometry, resolveReplacement, splitAddress } from "memgarden";

const bad = (config: unknown, kind: ErrorConstructor, pattern: RegExp) =>
  assert.throws(() => new CacheSimulator(config as never), (e: Error) => {
    assert.ok(e instanceof kind, `expected ${kind.name}, got ${e.constructor.name}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });

Deno.test("geometry errors name the field, the rule and the value", () => {
  bad(
    { sets: 3, ways: 1, lineBytes: 16 },
    RangeError,
    /^Cannot create cache: sets must be a power of two: received 3$/,
  );
  bad(
    { sets: 4, ways: 1, lineBytes: 24 },
    RangeError,
    /lineBytes must be a power of two: received 24/,
  );
  bad(
    { sizeBytes: 256, ways: 32, lineBytes: 16 },
    RangeError,
    /ways must be at most the number of lines, sizeBytes \/ lineBytes \(16\): received 32/,
  );
  bad(
    { sizeBytes: 1000, ways: 1, lineBytes: 16 },
    RangeError,
    /sizeBytes must be a multiple of lineBytes \(16\): received 1000/,
  );
  bad(
    { sizeBytes: 768, ways: 1, lineBytes: 16 },
    RangeError,
    /sizeBytes must make sets = .* a power of two.*: received 768/,
  );
  bad({ sets: 4, ways: 0, lineBytes: 16 }, RangeError, /ways must be at least 1: received 0/);
  bad({ sets: 4, ways: 1.5, lineBytes: 16 }, RangeError, /ways must be an integer: received 1.5/);
  bad({ sets: 4, ways: "2", lineBytes: 16 }, TypeError, /ways must be a number: received "2"/);
  bad({ ways: 2, lineBytes: 16 }, RangeError, /sets or sizeBytes must be given/);
  bad(
    { sets: 4, ways: 3, lineBytes: 16, policy: "plru" },
    RangeError,
    /ways must be a power of two for tree-PLRU: received 3/,
  );
  bad(
    { sets: 4, ways: 1, lineBytes: 16, policy: "mru" },
    RangeError,
    /must be one of lru, fifo, random, plru: received "mru"/,
  );
  bad(
    { sets: 4, ways: 1, lineBytes: 16, writePolicy: "write-around" },
    RangeError,
    /writePolicy must be "write-back" or "write-through": received "write-around"/,
  );
  bad(
    { levels: [{ sets: 4, ways: 1, lineBytes: 16 }, { sets: 6, ways: 1, lineBytes: 16 }] },
    RangeError,
    /^Cannot create cache: levels.1: sets must be a power of two: received 6$/,
  );
  bad({ levels: [] }, RangeError, /levels must hold at least one level/);
  bad(
    { levels: [{ sets: 4, ways: 1, lineBytes: 16 }], stepLimit: "x" },
    TypeError,
    /^Cannot create cache: stepLimit must be a number: received "x"$/,
  );
  bad({ sets: 2 ** 20, ways: 128, lineBytes: 16 }, RangeError, /at most 2\^26 lines/);
});

Deno.test("errors carry the zod error as cause", () => {
  try {
    resolveGeometry({ sets: 5, ways: 1, lineBytes: 8 });
    assert.fail("no error");
  } catch (e) {
    assert.ok((e as Error).cause instanceof Error);
  }
});

Deno.test("splitAddress, resolveReplacement and amat reject bad input clearly", () => {
  assert.throws(
    () => splitAddress(-1, { sets: 1, ways: 1, lineBytes: 1 }),
    /address must be a non-negative safe integer: received -1/,
  );
  assert.throws(
    () => splitAddress(0, { sets: 1, ways: 1, lineBytes: 3 }),
    /Cannot split address: lineBytes must be a power of two: received 3/,
  );
  assert.throws(() => resolveReplacement({} as never), TypeError);
  assert.throws(
    () => amat([{ latencyCycles: 1, missRate: 1.5 }], 100),
    /levels.0.missRate must be in \[0, 1\]: received 1.5/,
  );
});

Deno.test("splitAddress on wide addresses stays exact", () => {
  const a = 2 ** 48 - 1;
  const p = splitAddress(a, { sets: 64, ways: 8, lineBytes: 64 });
  assert.deepEqual(p, { tag: 2 ** 36 - 1, set: 63, offset: 63 });
  assert.equal((p.tag * 64 + p.set) * 64 + p.offset, a);
});

Deno.test("a misspelt field is an error, not silently ignored", () => {
  bad(
    { sets: 4, ways: 1, lineBytes: 16, polcy: "fifo" },
    TypeError,
    /^Cannot create cache: polcy is not a known field: received "fifo"$/,
  );
  bad(
    { levels: [{ sets: 4, ways: 1, lineBytes: 16 }], memoryLatency: 50 },
    TypeError,
    /memoryLatency is not a known field: received 50/,
  );
});

Deno.test("a field left out is named as required, not as a value of the wrong type", () => {
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => new CacheSimulator({ levels: [{ name: "L1", sets: 4, lineBytes: 64 } as any] }),
    (e: Error) =>
      e instanceof TypeError && /levels\.0\.ways is required: received nothing$/.test(e.message),
  );
  // A value that is there but wrong still says what it was.
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => new CacheSimulator({ levels: [{ sets: 4, ways: "8", lineBytes: 64 } as any] }),
    /levels\.0: ways must be a number: received "8"$/,
  );
});

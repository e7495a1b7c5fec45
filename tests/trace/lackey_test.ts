import assert from "node:assert/strict";
import fc from "../_fc.ts";
import {
  createTrace,
  decodeTrace,
  encodeTrace,
  formatDin,
  formatLackey,
  parseDin,
  parseLackey,
  traceToAccesses,
} from "memgarden";

const accessArb = fc.record({
  op: fc.constantFrom("L" as const, "S" as const, "I" as const, "M" as const),
  address: fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 2 ** 48 })),
  sizeBytes: fc.integer({ min: 1, max: 64 }),
}).map((a) => ({ ...a }));

Deno.test("lackey: real valgrind output with banners, CRLF and blank lines", () => {
  const text = [
    "==12345== Lackey, an example Valgrind tool",
    "==12345== Command: ./sum",
    "I  04001f30,3",
    " S 1ffefffd88,8\r",
    "",
    " L 04022e40,8",
    " M 0402a0c8,4",
    "==12345== ",
  ].join("\n");
  assert.deepEqual(traceToAccesses(parseLackey(text)), [
    { op: "I", address: 0x04001f30, sizeBytes: 3 },
    { op: "S", address: 0x1ffefffd88, sizeBytes: 8 },
    { op: "L", address: 0x04022e40, sizeBytes: 8 },
    { op: "M", address: 0x0402a0c8, sizeBytes: 4 },
  ]);
});

Deno.test("lackey: malformed lines name their number and content", () => {
  const cases: [string, RegExp][] = [
    [
      " L 10,1\n L 20,1\n X 30,1\n",
      /^Cannot parse lackey trace: line 3 must start with I, L, S or M: received " X 30,1"$/,
    ],
    [
      " L 10,1\n L zz,1\n",
      /line 2 must be "OP ADDRESS,SIZE" with a hex address: received " L zz,1"/,
    ],
    [" L 10\n", /line 1 .*: received " L 10"/],
    [" L 10,\n", /line 1 must be "OP ADDRESS,SIZE" with a decimal size/],
    [" L 10,4 extra\n", /line 1 .* decimal size: received " L 10,4 extra"/],
    [" L10,4\n", /line 1 must be "OP ADDRESS,SIZE": received " L10,4"/],
    [" L 10,70000\n", /line 1 size must be at most 65535/],
    [" L 123456789abcdef01,4\n", /line 1 address must be below 2\^53/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(() => parseLackey(text), (e: Error) => {
      assert.ok(e instanceof SyntaxError);
      assert.match(e.message, pattern);
      return true;
    });
  }
});

Deno.test("lackey: format then parse is the identity (addresses up to 2^48)", () => {
  fc.assert(
    fc.property(fc.array(accessArb, { maxLength: 100 }), (list) => {
      const t = createTrace(list);
      assert.deepEqual(traceToAccesses(parseLackey(formatLackey(t))), list);
    }),
  );
});

Deno.test("din: format then parse keeps ops and addresses; a modify becomes read + write", () => {
  fc.assert(
    fc.property(fc.array(accessArb, { maxLength: 100 }), (list) => {
      const back = traceToAccesses(parseDin(formatDin(createTrace(list))));
      const want = list.flatMap((a) =>
        a.op === "M"
          ? [{ op: "L", address: a.address, sizeBytes: 1 }, {
            op: "S",
            address: a.address,
            sizeBytes: 1,
          }]
          : [{ op: a.op, address: a.address, sizeBytes: 1 }]
      );
      assert.deepEqual(back, want);
    }),
  );
});

Deno.test("din: extra fields are ignored, bad labels and addresses name the line", () => {
  assert.equal(parseDin("0 10 ignored\n2 0x20\n").length, 2);
  assert.throws(
    () => parseDin("0 10\n1 20\n3 30\n"),
    /^SyntaxError: Cannot parse din trace: line 3 label must be 0 \(read\), 1 \(write\) or 2 \(ifetch\): received "3 30"$/,
  );
  assert.throws(
    () => parseDin("0 1g\n"),
    /line 1 must be "LABEL ADDRESS" with a hex address: received "0 1g"/,
  );
  assert.throws(() => parseDin("01 10\n"), SyntaxError);
});

Deno.test("binary form round-trips and rejects truncated data", () => {
  fc.assert(
    fc.property(fc.array(accessArb, { maxLength: 50 }), (list) => {
      const t = createTrace(list);
      assert.deepEqual(traceToAccesses(decodeTrace(encodeTrace(t))), list);
    }),
  );
  const bytes = encodeTrace(createTrace([{ op: "L", address: 1 }, { op: "S", address: 2 }]));
  assert.throws(
    () => decodeTrace(bytes.subarray(0, bytes.length - 1)),
    /must hold \d+ bytes for 2 accesses/,
  );
});

Deno.test("createTrace rejects bad accesses by index", () => {
  assert.throws(
    () => createTrace([{ op: "L", address: 0 }, { op: "X" as "L", address: 0 }]),
    /access 1 op must be one of L, S, I, M: received "X"/,
  );
  assert.throws(
    () => createTrace([{ op: "L", address: -4 }]),
    /access 0 address must be a non-negative safe integer: received -4/,
  );
  assert.throws(
    () => createTrace([{ op: "L", address: 0, sizeBytes: 0 }]),
    /sizeBytes must be an integer in \[1, 65535\]: received 0/,
  );
});

import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { createCallStack, simulateRecursion } from "memgarden";

Deno.test("a frame is laid out as cdecl on x86-64 lays it out", () => {
  const stack = createCallStack({ topAddress: 0x1000, sizeBytes: 256 });
  stack.call({
    name: "f",
    args: [7, 9],
    locals: [{ name: "n", bytes: 4 }, { name: "buf", bytes: 10 }],
    returnAddress: 0x401234,
  });
  const [f] = stack.frames();
  assert.deepEqual(
    f.slots.map((s) => [s.name, s.address, s.sizeBytes]),
    [
      ["arg1", 0xff8, 8],
      ["arg0", 0xff0, 8],
      ["return address", 0xfe8, 8],
      ["saved frame pointer", 0xfe0, 8],
      ["n", 0xfd8, 8],
      ["buf", 0xfc8, 16],
    ],
  );
  assert.equal(stack.fp, 0xfe0);
  assert.equal(stack.sp, 0xfc8);
  assert.equal(f.slots[0].hex, "0x0000000000000009");
  assert.equal(f.slots[2].hex, "0x0000000000401234");
  assert.equal(f.slots[3].hex, "0x0000000000000000"); // no caller frame: saved fp 0
});

Deno.test("32-bit words halve the linkage", () => {
  const stack = createCallStack({ wordBytes: 4, topAddress: 0x1000 });
  stack.call({ name: "main" });
  stack.call({ name: "f", args: [1] });
  assert.equal(stack.sp, 0x1000 - 8 - 12);
  assert.equal(stack.frames()[0].slots[2].hex, "0x00000ff8"); // saved fp = main's fp
});

Deno.test("return pops the frame and restores the caller's frame pointer", () => {
  const stack = createCallStack();
  stack.call({ name: "main", locals: [{ name: "x", bytes: 8 }] });
  const mainFp = stack.fp, mainSp = stack.sp;
  stack.call({ name: "f", args: [1, 2, 3] });
  assert.deepEqual(stack.ret(), { ok: true, kind: "returned", frame: "f", depth: 1, sp: mainSp });
  assert.equal(stack.fp, mainFp);
  stack.ret();
  assert.equal(stack.ret().kind, "empty");
});

Deno.test("overflow is a result at exactly the frame that does not fit, and changes nothing", () => {
  const stack = createCallStack({ sizeBytes: 100 });
  const spec = { name: "f", args: [1], locals: [{ name: "a", bytes: 8 }] }; // 32 bytes
  for (let i = 0; i < 3; i++) assert.equal(stack.call(spec).ok, true);
  const sp = stack.sp;
  assert.deepEqual(stack.call(spec), {
    ok: false,
    kind: "stack-overflow",
    frame: "f",
    depth: 3,
    neededBytes: 32,
    freeBytes: 4,
  });
  assert.equal(stack.sp, sp);
  assert.equal(stack.call({ name: "g" }).ok, false); // 16 bytes do not fit in 4 either
});

Deno.test("a long write reaches the return address; the return jumps where the input said", () => {
  const stack = createCallStack();
  stack.call({ name: "main" });
  stack.call({ name: "greet", locals: [{ name: "name", bytes: 16 }] });
  const input = new Uint8Array(32).fill(0x41);
  const w = stack.write("name", input);
  assert.deepEqual(w.overwrote, ["saved frame pointer", "return address"]);
  assert.equal(w.segfault, false);
  assert.deepEqual(stack.ret(), {
    ok: false,
    kind: "hijacked",
    frame: "greet",
    depth: 1,
    returnAddress: "0x4141414141414141",
  });
  assert.equal(stack.call({ name: "again" }).kind, "crashed");
});

Deno.test("the canary catches the same write before the return address is used", () => {
  const stack = createCallStack({ canary: true });
  stack.call({ name: "greet", locals: [{ name: "name", bytes: 16 }] });
  const canary = stack.frames()[0].slots.find((s) => s.kind === "canary")!;
  assert.match(canary.hex, /00$/); // lowest byte zero, as glibc's
  assert.deepEqual(stack.write("name", new Uint8Array(16)).overwrote, []);
  assert.equal(stack.ret().ok, true);
  stack.call({ name: "greet", locals: [{ name: "name", bytes: 16 }] });
  assert.deepEqual(stack.write("name", new Uint8Array(17).fill(1)).overwrote, ["canary"]);
  assert.equal(stack.ret().kind, "stack-smashing-detected");
});

Deno.test("writing past the top of the stack is a segfault and writes nothing beyond", () => {
  const stack = createCallStack({ sizeBytes: 64 });
  stack.call({ name: "f", locals: [{ name: "b", bytes: 8 }] });
  const r = stack.write("b", new Uint8Array(100).fill(2));
  assert.equal(r.segfault, true);
  assert.equal(r.bytesWritten, 24);
  assert.throws(
    () => stack.write("nope", new Uint8Array(1)),
    /local must name a local of the running function: received "nope"/,
  );
});

Deno.test("bad settings and specs name the field", () => {
  assert.throws(
    () => createCallStack({ sizeBytes: 8 }),
    /sizeBytes must be at least 16: received 8/,
  );
  assert.throws(() => createCallStack({ wordBytes: 2 as 4 }), /wordBytes must be 4 or 8/);
  const stack = createCallStack();
  assert.throws(
    () => stack.call({ name: "f", locals: [{ name: "x", bytes: 0 }] }),
    /locals.0.bytes must be at least 1/,
  );
});

Deno.test("simulated recursion depth is the stack size over the frame size", () => {
  for (const locals of [[], [8], [8, 64], [1000]]) {
    const r = simulateRecursion({ stackBytes: 1 << 16, args: 2, localBytes: locals });
    assert.equal(r.depth, Math.floor((1 << 16) / r.frameBytes));
  }
});

Deno.test("random calls and returns agree with a model that only adds frame sizes", () => {
  const op = fc.oneof(
    fc.record({
      kind: fc.constant("call" as const),
      args: fc.nat({ max: 4 }),
      locals: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 3 }),
    }),
    fc.record({ kind: fc.constant("ret" as const) }),
  );
  fc.assert(
    fc.property(fc.boolean(), fc.array(op, { maxLength: 60 }), (canary, ops) => {
      const size = 512, top = 0x9000;
      const stack = createCallStack({ sizeBytes: size, topAddress: top, canary });
      const model: number[] = [];
      for (const o of ops) {
        if (o.kind === "call") {
          const bytes = 8 * (o.args + 2 + (canary ? 1 : 0)) +
            o.locals.reduce((s, b) => s + Math.ceil(b / 8) * 8, 0);
          const used = model.reduce((s, b) => s + b, 0);
          const r = stack.call({
            name: "f",
            args: new Array(o.args).fill(3),
            locals: o.locals.map((bytes, i) => ({ name: `l${i}`, bytes })),
          });
          assert.equal(r.ok, used + bytes <= size);
          if (r.ok) model.push(bytes);
        } else {
          const r = stack.ret();
          assert.equal(r.ok, model.length > 0);
          model.pop();
        }
        assert.equal(stack.depth, model.length);
        assert.equal(stack.sp, top - model.reduce((s, b) => s + b, 0));
        const frames = stack.frames();
        for (let i = 1; i < frames.length; i++) assert.equal(frames[i - 1].high, frames[i].low);
      }
    }),
    { numRuns: 200 },
  );
});

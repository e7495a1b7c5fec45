/**
 * A call stack in a byte array, laid out as a 64-bit C compiler without
 * optimisation would lay it out (arguments passed on the stack, as in the
 * classic cdecl convention, so that they can be seen).
 *
 * The stack occupies `[topAddress - sizeBytes, topAddress)` and grows down.
 * A call pushes, from high to low addresses:
 *
 * | slot | size | written by |
 * |---|---|---|
 * | arguments, last first | one word each | the caller |
 * | return address | one word | the `call` instruction |
 * | saved frame pointer | one word | the callee; the frame pointer then points here |
 * | canary (if enabled) | one word | the callee's prologue |
 * | locals, first declared highest | each rounded up to a word | the callee |
 *
 * A local buffer is written upwards, so writing past its end runs over the
 * locals declared before it, then the canary, the saved frame pointer and
 * the return address. A return first checks the canary (a mismatch is
 * `stack-smashing-detected`, as glibc aborts), then jumps to the return
 * address found in memory: if the program overwrote it, the return is
 * `hijacked`. A call that would go below the stack's lowest address is a
 * `stack-overflow` (the guard page's segmentation fault) and changes nothing.
 * These are results, never exceptions; after a crash every operation returns
 * `crashed`.
 *
 * @module
 */
import { z } from "zod";
import { parseWith } from "../trace/_validate.ts";
import { createPrng } from "../random/mod.ts";
import { withDisplay } from "../_html.ts";
import { stackHtml, stackText } from "./_display.ts";

/** Settings of a simulated call stack. */
export const CallStackConfig = z.strictObject({
  /** Stack size in bytes (default 512). */
  sizeBytes: z.number({ error: "must be a number" }).int("must be an integer")
    .min(16, "must be at least 16").max(1 << 24, "must be at most 16 MiB").default(512),
  /** One past the highest stack address (default 0x7ffe0000). */
  topAddress: z.number({ error: "must be a number" }).int("must be an integer")
    .min(16, "must be at least 16").max(2 ** 47, "must be at most 2^47").default(
      0x7ffe0000,
    ),
  /** Word size in bytes: 8 (default) or 4. */
  wordBytes: z.union([z.literal(4), z.literal(8)], { error: "must be 4 or 8" }).default(8),
  /** Put a canary between the saved frame pointer and the locals (default false). */
  canary: z.boolean({ error: "must be a boolean" }).default(false),
  /** Seed of the canary value (default 1); its lowest byte is always 0, as glibc's. */
  canarySeed: z.number({ error: "must be a number" }).int("must be an integer").default(1),
}).refine((c) => c.topAddress >= c.sizeBytes, {
  message: "must be at least sizeBytes (the stack cannot start below address 0)",
  path: ["topAddress"],
});
/** Settings of a simulated call stack (input form). */
export type CallStackConfigInput = z.input<typeof CallStackConfig>;
/** Settings of a simulated call stack, all filled in. */
export type CallStackConfig = z.output<typeof CallStackConfig>;

/** A local variable of a function: a name and a size in bytes. */
export interface LocalVar {
  /** Name, unique within the frame. */
  name: string;
  /** Size in bytes (a buffer's length, 8 for a long...). */
  bytes: number;
}

/** What a function call needs. */
export interface CallSpec {
  /** The function's name. */
  name: string;
  /** Arguments, one word each. */
  args?: number[];
  /** Local variables, in declaration order. */
  locals?: LocalVar[];
  /** The return address the call pushes (default: a code address made up from the depth). */
  returnAddress?: number;
}

/** Kinds of slots in a frame. */
export type SlotKind = "arg" | "return-address" | "saved-fp" | "canary" | "local";

/** One slot of a frame, as laid out in memory. */
export interface StackSlot {
  /** What the slot holds. */
  kind: SlotKind;
  /** Its name (`arg0`, `return address`, a local's name...). */
  name: string;
  /** Lowest address of the slot. */
  address: number;
  /** Size in bytes. */
  sizeBytes: number;
  /** The bytes now in the slot, as hex, highest address first (like a number). */
  hex: string;
}

/** One frame of the stack. */
export interface StackFrame {
  /** The function's name. */
  name: string;
  /** 0 for the first call. */
  depth: number;
  /** Lowest address of the frame (the stack pointer while it runs). */
  low: number;
  /** One past the highest address (its first argument's end). */
  high: number;
  /** The frame pointer (address of the saved frame pointer). */
  fp: number;
  /** Slots from high to low addresses. */
  slots: StackSlot[];
}

/**
 * The outcome of a call or a return. `depth` counts the frames on the stack when it happened:
 * the canary is checked in the function's epilogue, before its frame is popped (so that frame
 * still counts), while a hijack happens at the return itself, after the pop.
 */
export type StackResult =
  | { ok: true; kind: "called" | "returned"; frame: string; depth: number; sp: number }
  | {
    ok: false;
    kind: "stack-overflow";
    frame: string;
    depth: number;
    neededBytes: number;
    freeBytes: number;
  }
  | { ok: false; kind: "stack-smashing-detected"; frame: string; depth: number }
  | { ok: false; kind: "hijacked"; frame: string; depth: number; returnAddress: string }
  | { ok: false; kind: "empty" | "crashed"; frame: null; depth: number };

/** The outcome of a write into a local. */
export interface WriteResult {
  /** Bytes written. */
  bytesWritten: number;
  /** Slots outside the local that the write changed, in the order it reached them. */
  overwrote: string[];
  /** True if the write ran past the top of the stack (a segmentation fault: nothing past it is written). */
  segfault: boolean;
}

interface LiveFrame extends StackFrame {
  returnAddress: number;
  canary: Uint8Array | null;
}

const hexOf = (bytes: Uint8Array) =>
  "0x" + [...bytes].reverse().map((b) => b.toString(16).padStart(2, "0")).join("");

/**
 * A simulated call stack. Build one with {@linkcode createCallStack}.
 */
export class CallStack {
  /** The settings in use. */
  readonly config: CallStackConfig;
  /** The stack's bytes: index 0 is the lowest address. */
  readonly memory: Uint8Array;
  #frames: LiveFrame[] = [];
  #sp: number;
  #fp = 0;
  #crashed = false;
  #canary: Uint8Array;
  #maxDepth = 0;

  /**
   * Build a call stack (prefer {@linkcode createCallStack}).
   *
   * @param config Validated settings.
   */
  constructor(config: CallStackConfig) {
    this.config = config;
    this.memory = new Uint8Array(config.sizeBytes);
    this.#sp = config.topAddress;
    const prng = createPrng(config.canarySeed);
    this.#canary = new Uint8Array(config.wordBytes);
    for (let i = 1; i < config.wordBytes; i++) this.#canary[i] = prng.int(1, 255);
  }

  /** The stack pointer (lowest address in use). */
  get sp(): number {
    return this.#sp;
  }
  /** The frame pointer of the running function (0 when none). */
  get fp(): number {
    return this.#fp;
  }
  /** Frames now on the stack. */
  get depth(): number {
    return this.#frames.length;
  }
  /** The deepest the stack has been. */
  get maxDepth(): number {
    return this.#maxDepth;
  }
  /** Lowest address of the stack. */
  get bottomAddress(): number {
    return this.config.topAddress - this.config.sizeBytes;
  }
  /** Bytes in use. */
  get usedBytes(): number {
    return this.config.topAddress - this.#sp;
  }

  #index(address: number): number {
    return address - this.bottomAddress;
  }
  #writeWord(address: number, value: number): void {
    const w = this.config.wordBytes;
    let v = BigInt(value);
    const i = this.#index(address);
    for (let k = 0; k < w; k++) {
      this.memory[i + k] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  #readWord(address: number): bigint {
    const i = this.#index(address);
    let v = 0n;
    for (let k = this.config.wordBytes - 1; k >= 0; k--) v = (v << 8n) | BigInt(this.memory[i + k]);
    return v;
  }
  #round(bytes: number): number {
    const w = this.config.wordBytes;
    return Math.ceil(bytes / w) * w;
  }

  /**
   * Bytes a call to `spec` pushes.
   *
   * @param spec The call.
   * @returns The frame size in bytes (arguments included).
   *
   * @example Three words of linkage plus an 11-byte buffer rounded to 16
   * ```ts
   * import { createCallStack } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const stack = createCallStack();
   * assert.equal(stack.frameBytes({ name: "f", args: [1], locals: [{ name: "buf", bytes: 11 }] }), 8 + 8 + 8 + 16);
   * ```
   */
  frameBytes(spec: CallSpec): number {
    const w = this.config.wordBytes;
    const locals = (spec.locals ?? []).reduce((s, l) => s + this.#round(l.bytes), 0);
    return w * ((spec.args?.length ?? 0) + 2 + (this.config.canary ? 1 : 0)) + locals;
  }

  /**
   * Call a function: push its arguments, the return address, the saved frame
   * pointer, the canary and its locals.
   *
   * @param spec The call.
   * @returns `called`, or `stack-overflow` (nothing pushed), or `crashed`.
   * @throws {TypeError} For a malformed spec (a local without a name, a negative size...).
   *
   * @example Recursion until the stack runs out
   * ```ts
   * import { createCallStack } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const stack = createCallStack({ sizeBytes: 256 });
   * let r;
   * do r = stack.call({ name: "f", args: [1], locals: [{ name: "x", bytes: 8 }] }); while (r.ok);
   * assert.equal(r.kind, "stack-overflow");
   * assert.equal(stack.depth, 8); // 256 bytes / 32 bytes per frame
   * ```
   */
  call(spec: CallSpec): StackResult {
    return this.#call(parseWith(CallSpecSchema, spec, "Cannot call"));
  }

  /**
   * Call the same function again and again, as an endless recursion does,
   * until the stack overflows.
   *
   * @param spec The call made at every level.
   * @returns The overflow result (its `depth` is the number of frames that fit).
   * @throws {TypeError} For a malformed spec.
   *
   * @example A 1 KiB stack holds 64 frames of 16 bytes
   * ```ts
   * import { createCallStack } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const stack = createCallStack({ sizeBytes: 1024 });
   * assert.equal(stack.recurse({ name: "f" }).depth, 64);
   * ```
   */
  recurse(spec: CallSpec): StackResult {
    const s = parseWith(CallSpecSchema, spec, "Cannot call");
    for (;;) {
      const r = this.#call(s);
      if (!r.ok) return r;
    }
  }

  #call(s: CallSpec): StackResult {
    if (this.#crashed) return { ok: false, kind: "crashed", frame: null, depth: this.depth };
    const w = this.config.wordBytes;
    const need = this.frameBytes(s);
    if (this.#sp - need < this.bottomAddress) {
      return {
        ok: false,
        kind: "stack-overflow",
        frame: s.name,
        depth: this.depth,
        neededBytes: need,
        freeBytes: this.#sp - this.bottomAddress,
      };
    }
    const high = this.#sp;
    const slots: StackSlot[] = [];
    const push = (kind: SlotKind, name: string, size: number) => {
      this.#sp -= size;
      slots.push({ kind, name, address: this.#sp, sizeBytes: size, hex: "" });
      return this.#sp;
    };
    const args = s.args ?? [];
    for (let i = args.length - 1; i >= 0; i--) this.#writeWord(push("arg", `arg${i}`, w), args[i]);
    const ret = s.returnAddress ?? 0x401000 + 0x40 * this.depth + 0x1b;
    this.#writeWord(push("return-address", "return address", w), ret);
    this.#writeWord(push("saved-fp", "saved frame pointer", w), this.#fp);
    this.#fp = this.#sp;
    let canary: Uint8Array | null = null;
    if (this.config.canary) {
      const at = this.#index(push("canary", "canary", w));
      this.memory.set(this.#canary, at);
      canary = this.#canary;
    }
    for (const l of s.locals ?? []) {
      const at = this.#index(push("local", l.name, this.#round(l.bytes)));
      this.memory.fill(0, at, at + this.#round(l.bytes));
    }
    this.#frames.push({
      name: s.name,
      depth: this.depth,
      low: this.#sp,
      high,
      fp: this.#fp,
      slots,
      returnAddress: ret,
      canary,
    });
    this.#maxDepth = Math.max(this.#maxDepth, this.depth);
    return { ok: true, kind: "called", frame: s.name, depth: this.depth, sp: this.#sp };
  }

  /**
   * Return from the running function: check the canary, pop the frame, jump
   * to the return address stored in memory.
   *
   * @returns `returned`, `stack-smashing-detected`, `hijacked`, `empty` or `crashed`.
   *
   * @example An overflow caught by the canary
   * ```ts
   * import { createCallStack } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const stack = createCallStack({ canary: true });
   * stack.call({ name: "greet", locals: [{ name: "buf", bytes: 8 }] });
   * stack.write("buf", new Uint8Array(12).fill(0x41));
   * assert.equal(stack.ret().kind, "stack-smashing-detected");
   * ```
   */
  ret(): StackResult {
    if (this.#crashed) return { ok: false, kind: "crashed", frame: null, depth: this.depth };
    const f = this.#frames.at(-1);
    if (!f) return { ok: false, kind: "empty", frame: null, depth: 0 };
    const w = this.config.wordBytes;
    if (f.canary) {
      const at = this.#index(f.fp - w);
      const now = this.memory.subarray(at, at + w);
      if (now.some((b, i) => b !== f.canary![i])) {
        this.#crashed = true;
        return { ok: false, kind: "stack-smashing-detected", frame: f.name, depth: this.depth };
      }
    }
    const savedFp = this.#readWord(f.fp);
    const ret = this.#readWord(f.fp + w);
    this.#frames.pop();
    this.#sp = f.high;
    this.#fp = Number(savedFp);
    if (ret !== BigInt(f.returnAddress)) {
      this.#crashed = true;
      return {
        ok: false,
        kind: "hijacked",
        frame: f.name,
        depth: this.depth,
        returnAddress: "0x" + ret.toString(16),
      };
    }
    return { ok: true, kind: "returned", frame: f.name, depth: this.depth, sp: this.#sp };
  }

  /**
   * Copy bytes into a local of the running function, unchecked, as `strcpy`
   * or `gets` would: a long input runs past the local's end.
   *
   * @param local The local's name.
   * @param data The bytes.
   * @param offset Where in the local to start (default 0).
   * @returns What the write reached.
   * @throws {RangeError} If no frame runs or it has no such local.
   *
   * @example Eight bytes fit, the ninth reaches the saved frame pointer
   * ```ts
   * import { createCallStack } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const stack = createCallStack();
   * stack.call({ name: "f", locals: [{ name: "buf", bytes: 8 }] });
   * assert.deepEqual(stack.write("buf", new Uint8Array(8)).overwrote, []);
   * assert.deepEqual(stack.write("buf", new Uint8Array(20)).overwrote, ["saved frame pointer", "return address"]);
   * ```
   */
  write(local: string, data: Uint8Array, offset = 0): WriteResult {
    const f = this.#frames.at(-1);
    const slot = f?.slots.find((s) => s.kind === "local" && s.name === local);
    if (!f || !slot) {
      throw new RangeError(
        `Cannot write: local must name a local of the running function: received "${local}"`,
      );
    }
    const start = slot.address + offset;
    const room = this.config.topAddress - start;
    const n = Math.min(data.length, room);
    this.memory.set(data.subarray(0, n), this.#index(start));
    const end = start + n;
    const overwrote: string[] = [];
    for (const fr of [...this.#frames].reverse()) {
      for (const s of [...fr.slots].reverse()) {
        if (s === slot) continue;
        if (s.address < end && s.address + s.sizeBytes > start) {
          overwrote.push(fr === f ? s.name : `${fr.name}: ${s.name}`);
        }
      }
    }
    return { bytesWritten: n, overwrote, segfault: n < data.length };
  }

  /**
   * Read a local of the running function.
   *
   * @param local The local's name.
   * @returns A copy of its bytes.
   * @throws {RangeError} If there is no such local.
   *
   * @example
   * ```ts
   * import { createCallStack } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const stack = createCallStack();
   * stack.call({ name: "f", locals: [{ name: "n", bytes: 4 }] });
   * stack.write("n", new Uint8Array([7]));
   * assert.equal(stack.read("n")[0], 7);
   * ```
   */
  read(local: string): Uint8Array {
    const slot = this.#frames.at(-1)?.slots.find((s) => s.kind === "local" && s.name === local);
    if (!slot) {
      throw new RangeError(
        `Cannot read: local must name a local of the running function: received "${local}"`,
      );
    }
    const i = this.#index(slot.address);
    return this.memory.slice(i, i + slot.sizeBytes);
  }

  /**
   * The frames on the stack, most recent first, with every slot's bytes.
   *
   * @returns The frames.
   *
   * @example The layout of one frame
   * ```ts
   * import { createCallStack } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const stack = createCallStack({ canary: true });
   * stack.call({ name: "f", args: [5], locals: [{ name: "i", bytes: 4 }] });
   * assert.deepEqual(stack.frames()[0].slots.map((s) => s.kind), ["arg", "return-address", "saved-fp", "canary", "local"]);
   * ```
   */
  frames(): StackFrame[] {
    return [...this.#frames].reverse().map((f) => ({
      name: f.name,
      depth: f.depth,
      low: f.low,
      high: f.high,
      fp: f.fp,
      slots: f.slots.map((s) => {
        const i = this.#index(s.address);
        return { ...s, hex: hexOf(this.memory.subarray(i, i + s.sizeBytes)) };
      }),
    }));
  }
}

const CallSpecSchema = z.object({
  name: z.string({ error: "must be a string" }).min(1, "must not be empty"),
  args: z.array(
    z.number({ error: "must be a number" }).int("must be an integer").min(0, "must be at least 0")
      .max(Number.MAX_SAFE_INTEGER, "must be at most 2^53 - 1"),
  ).max(64, "must have at most 64 items").optional(),
  locals: z.array(z.object({
    name: z.string({ error: "must be a string" }).min(1, "must not be empty"),
    bytes: z.number({ error: "must be a number" }).int("must be an integer")
      .min(1, "must be at least 1").max(1 << 24, "must be at most 16 MiB"),
  })).max(256, "must have at most 256 items").optional(),
  returnAddress: z.number({ error: "must be a number" }).int("must be an integer")
    .min(0, "must be at least 0").max(Number.MAX_SAFE_INTEGER, "must be at most 2^53 - 1")
    .optional(),
});

/**
 * Create a simulated call stack.
 *
 * @param config Settings (see {@linkcode CallStackConfig}); all optional.
 * @returns An empty stack.
 * @throws {TypeError} For a setting of the wrong shape, naming it.
 * @throws {RangeError} For a setting out of range, naming it.
 *
 * @example Two frames, the second below the first
 * ```ts
 * import { createCallStack } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const stack = createCallStack({ topAddress: 0x10000 });
 * stack.call({ name: "main" });
 * stack.call({ name: "f", args: [1, 2] });
 * const [f, main] = stack.frames();
 * assert.equal(f.high, main.low);
 * assert.equal(stack.sp, 0x10000 - 16 - 32);
 * ```
 */
export function createCallStack(config: CallStackConfigInput = {}): CallStack {
  const c = parseWith(CallStackConfig, config, "Cannot create call stack");
  return withDisplay(new CallStack(c), (s) => ({
    html: stackHtml(s.frames()),
    text: stackText(s.frames()),
  }));
}

/** How deep a recursion goes before it overflows, and what each frame costs. */
export interface RecursionDepth {
  /** Frames that fit. */
  depth: number;
  /** Bytes per frame. */
  frameBytes: number;
  /** Stack size in bytes. */
  stackBytes: number;
}

/**
 * Recurse with the same frame until the stack overflows.
 *
 * @param options Stack size, and the frame: argument count and local sizes.
 * @returns The depth reached (frames that fit) and the frame size.
 * @throws {RangeError} For a bad size.
 *
 * @example Depth falls as the frame grows
 * ```ts
 * import { simulateRecursion } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const small = simulateRecursion({ stackBytes: 8192, args: 1, localBytes: [8] });
 * const big = simulateRecursion({ stackBytes: 8192, args: 1, localBytes: [8, 256] });
 * assert.equal(small.depth, 8192 / 32);
 * assert.ok(big.depth < small.depth);
 * ```
 */
export function simulateRecursion(
  options: {
    stackBytes: number;
    args?: number;
    localBytes?: number[];
    wordBytes?: 4 | 8;
    canary?: boolean;
  },
): RecursionDepth {
  const stack = createCallStack({
    sizeBytes: options.stackBytes,
    wordBytes: options.wordBytes ?? 8,
    canary: options.canary ?? false,
  });
  const spec: CallSpec = {
    name: "recurse",
    args: new Array(options.args ?? 0).fill(0),
    locals: (options.localBytes ?? []).map((bytes, i) => ({ name: `local${i}`, bytes })),
  };
  const depth = stack.recurse(spec).depth;
  return { depth, frameBytes: stack.frameBytes(spec), stackBytes: options.stackBytes };
}

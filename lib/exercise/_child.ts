/**
 * The grader's child: runs in the sandbox with no permissions, computes
 * answers, judges nothing. It loads the library, reads one request from
 * stdin (the exercise, the student module's URL, the calls), prints
 * `@@<nonce> ready` (the grader's time limit starts there), imports the
 * student module and prints one line per call: `@@<nonce> {"i":k,"ok":...}`
 * or `{"i":k,"error":"..."}`. With an empty request it only loads the
 * library (the grader's warm-up, which fills the sandbox's module cache).
 *
 * Whatever the student's code does here (patching globals, printing fake
 * lines) only changes its own answers, which the grader judges against
 * expected results this process never sees.
 *
 * @module
 */
import "../mod.ts"; // the library: the student's set-up imports are loaded before the clock starts
import { getExercise } from "./exercise.ts";
import { decodeValue, encodeValue } from "./wire.ts";

const stdout = Deno.stdout;
const writeSync = stdout.writeSync.bind(stdout);
const stringify = JSON.stringify;
const encoder = new TextEncoder();
const exit = Deno.exit;

function emit(nonce: string, record: unknown): void {
  const bytes = encoder.encode(`\n@@${nonce} ${stringify(record)}\n`);
  let written = 0;
  while (written < bytes.length) written += writeSync(bytes.subarray(written));
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const at = /student\.ts:(\d+):(\d+)/.exec(`${err.message}\n${err.stack ?? ""}`);
    return `${err.name}: ${err.message.split("\n")[0]}${at ? ` @@line ${at[1]}:${at[2]}` : ""}`;
  }
  return `a non-error value: ${String(err)}`;
}

const input = await new Response(Deno.stdin.readable).text();
if (input.trim() !== "") {
  const job = JSON.parse(input) as { id: string; module: string; nonce: string; calls: unknown[] };
  const exercise = getExercise(job.id);
  emit(job.nonce, "ready");
  let answer: unknown;
  try {
    answer = (await import(job.module)).__memgardenAnswer;
  } catch (err) {
    emit(job.nonce, { load: describe(err) });
    exit(3);
  }
  if (answer === undefined) {
    emit(job.nonce, { missing: true });
  } else {
    // After the answer runs out of memory the process is in no state to go on (every later call
    // would grind through the same allocations): the remaining calls get that error.
    let outOfMemory = "";
    for (let i = 0; i < job.calls.length; i++) {
      if (outOfMemory) {
        emit(job.nonce, { i, error: outOfMemory });
        continue;
      }
      try {
        const args = decodeValue(job.calls[i]) as unknown[];
        const result = await exercise.run(answer, ...args);
        emit(job.nonce, { i, ok: encodeValue(result) });
      } catch (err) {
        const error = describe(err);
        if (/allocation failed|Invalid array length|out of memory/i.test(error)) {
          outOfMemory = error;
        }
        emit(job.nonce, { i, error });
      }
    }
  }
  emit(job.nonce, { done: true });
}
exit(0);

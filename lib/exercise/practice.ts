/**
 * Generated practice problems, after OSTEP's homework simulators: a seed
 * makes a problem, the same seed always makes the same problem, and the
 * answers stay hidden until asked for.
 *
 * @module
 */
import { z } from "zod";
import { createPrng, type Prng } from "../random/mod.ts";
import { escapeText } from "../chart/_escape.ts";

/** What a generator returns: the question and one answer per part. */
export interface GeneratedQuestion {
  /** The question, plain text (several numbered parts allowed). */
  question: string;
  /** The answers, one per part, with the working where useful. */
  answers: string[];
}

/** A kind of practice problem, made from a seed. */
export interface PracticeDefinition {
  /** Unique kebab-case id. */
  id: string;
  /** A short title. */
  title: string;
  /** The lesson it belongs to, e.g. `00-welcome`. */
  lesson: string;
  /** Builds a problem; must draw every random choice from `prng`. */
  generate: (prng: Prng) => GeneratedQuestion;
}

/** One generated problem; `answers` is null until revealed. */
export interface PracticeProblem {
  /** The practice kind's id. */
  id: string;
  /** Its title. */
  title: string;
  /** The seed that made this problem. */
  seed: number;
  /** The question. */
  question: string;
  /** The answers, or null while hidden. */
  answers: string[] | null;
  /** The same problem with its answers shown. */
  reveal(): PracticeProblem;
}

const practices = new Map<string, PracticeDefinition>();

const Options = z.object({
  seed: z.number().int("seed must be an integer").min(0, "seed must be at least 0").max(
    0xffff_ffff,
    "seed must fit in 32 bits",
  ),
  answers: z.boolean().optional(),
});

/**
 * Add practice generators to the registry that {@linkcode practice} reads.
 *
 * @param definitions The generators.
 * @returns Nothing; throws when an id is already taken by another generator.
 *
 * @example A tiny generator
 * ```ts
 * import { practice, registerPractice } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * registerPractice({
 *   id: "demo-add", title: "Add", lesson: "00-welcome",
 *   generate: (prng) => {
 *     const a = prng.int(1, 9), b = prng.int(1, 9);
 *     return { question: `${a} + ${b} = ?`, answers: [String(a + b)] };
 *   },
 * });
 * assert.equal(practice("demo-add", { seed: 1 }).answers, null);
 * ```
 */
export function registerPractice(...definitions: PracticeDefinition[]): void {
  for (const d of definitions) {
    const known = practices.get(d.id);
    if (known && known !== d) {
      throw new RangeError(
        `Cannot register practice: id must be unique: received ${d.id}, already used by "${known.title}"`,
      );
    }
    practices.set(d.id, d);
  }
}

function render(p: Omit<PracticeProblem, "reveal">): Record<string, string> {
  const head = `${p.title} (${p.id}, seed ${p.seed})`;
  const answersText = p.answers === null
    ? `Answers hidden: call .reveal() or pass { answers: true } (seed ${p.seed})`
    : "Answers:\n" + p.answers.map((a, i) => `  ${i + 1}. ${a}`).join("\n");
  const answersHtml = p.answers === null
    ? `<p><i>Answers hidden: call <code>.reveal()</code> or pass <code>{ answers: true }</code>.</i></p>`
    : `<p><b>Answers</b></p><ol>${p.answers.map((a) => `<li>${escapeText(a)}</li>`).join("")}</ol>`;
  return {
    "text/html": `<div><p><b>${escapeText(head)}</b></p><pre>${
      escapeText(p.question)
    }</pre>${answersHtml}</div>`,
    "text/plain": `${head}\n${p.question}\n${answersText}`,
  };
}

/**
 * Make a practice problem from a seed; the answers are shown only when asked
 * for, with `{ answers: true }` or `.reveal()`.
 *
 * @param id The generator's id.
 * @param options `seed` (a 32-bit non-negative integer) and `answers` (default false).
 * @returns A {@linkcode PracticeProblem} with a rich view for Jupyter.
 *
 * @example Same seed, same problem; answers on request
 * ```ts
 * import { practice } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const p = practice("welcome-addresses", { seed: 7 });
 * assert.equal(p.question, practice("welcome-addresses", { seed: 7 }).question);
 * assert.equal(p.answers, null);
 * assert.deepEqual(p.reveal().answers, practice("welcome-addresses", { seed: 7, answers: true }).answers);
 * assert.throws(() => practice("welcome-addresses", { seed: -1 }), /seed must be at least 0/);
 * ```
 */
export function practice(
  id: string,
  options: { seed: number; answers?: boolean },
): PracticeProblem {
  const parsed = Options.safeParse(options);
  if (!parsed.success) {
    throw new RangeError(
      `Cannot make practice problem ${id}: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  const def = practices.get(id);
  if (!def) {
    throw new RangeError(
      `Cannot make practice problem: no generator has id ${id}: known ids are ${
        [...practices.keys()].sort().join(", ")
      }`,
    );
  }
  const { seed } = parsed.data;
  const made = def.generate(createPrng(seed));
  const build = (show: boolean): PracticeProblem => {
    const problem: PracticeProblem = {
      id,
      title: def.title,
      seed,
      question: made.question,
      answers: show ? [...made.answers] : null,
      reveal: () => build(true),
    };
    Object.defineProperty(problem, "reveal", { enumerable: false });
    Object.defineProperty(problem, Symbol.for("Jupyter.display"), {
      value: () => render(problem),
      enumerable: false,
    });
    return problem;
  };
  return build(parsed.data.answers === true);
}

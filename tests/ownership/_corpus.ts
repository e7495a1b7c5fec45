/**
 * The corpus of small Rust programs in data/rust/ and rustc's recorded
 * verdicts on them (data/rust/verdicts.json), shared by the corpus tests and
 * the recording script.
 *
 * @module
 */
import { z } from "zod";

/** Where the corpus lives. */
export const CORPUS_DIR = new URL("../../data/rust/", import.meta.url).pathname;

/** One recorded error: rustc's code and primary position. */
export const RecordedError = z.strictObject({
  code: z.string().nullable(),
  line: z.number().int().positive(),
  column: z.number().int().positive(),
  message: z.string(),
});

/** The recorded verdicts file. */
export const Verdicts = z.strictObject({
  rustc: z.string(),
  recorded: z.string(),
  command: z.string(),
  programs: z.record(
    z.string(),
    z.strictObject({ accepted: z.boolean(), errors: z.array(RecordedError) }),
  ),
});
export type Verdicts = z.infer<typeof Verdicts>;

/** The corpus programs, sorted by name. */
export function corpusFiles(): { name: string; source: string }[] {
  return [...Deno.readDirSync(CORPUS_DIR)]
    .filter((e) => e.name.endsWith(".rs"))
    .map((e) => e.name)
    .sort()
    .map((name) => ({ name, source: Deno.readTextFileSync(CORPUS_DIR + name) }));
}

/** The recorded verdicts, validated. */
export function loadVerdicts(): Verdicts {
  const raw = JSON.parse(Deno.readTextFileSync(CORPUS_DIR + "verdicts.json"));
  const r = Verdicts.safeParse(raw);
  if (!r.success) {
    throw new TypeError(`Cannot load data/rust/verdicts.json: ${z.prettifyError(r.error)}`, {
      cause: r.error,
    });
  }
  return r.data;
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(
  items: T[],
  limit: number,
  fn: (x: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Random mutations of a Rust program, the kinds a student's edit makes: a
 * statement line deleted, a `&` turned into `&mut`, a statement moved one
 * line down (a use moved after what follows it). Seeded, so a failing
 * mutant can be reproduced from its seed.
 *
 * @module
 */
import { createPrng } from "memgarden";

/** One mutant: the kind of change, the line changed, and the new source. */
export interface Mutant {
  kind: "delete line" | "& to &mut" | "move line down";
  line: number;
  source: string;
}

const isStatement = (l: string) => /;\s*$/.test(l) && !/^\s*(fn|\})/.test(l);

/**
 * Make a mutant of `source`, or `null` when no mutation of the drawn kind applies.
 *
 * @param source A program.
 * @param seed The seed.
 * @returns A mutant or null.
 */
export function mutate(source: string, seed: number): Mutant | null {
  const prng = createPrng(seed);
  const lines = source.split("\n");
  const kind = (["delete line", "& to &mut", "move line down"] as const)[prng.int(0, 2)];
  if (kind === "delete line") {
    const cands = lines.flatMap((l, i) => isStatement(l) ? [i] : []);
    if (cands.length === 0) return null;
    const i = cands[prng.int(0, cands.length - 1)];
    return { kind, line: i + 1, source: [...lines.slice(0, i), ...lines.slice(i + 1)].join("\n") };
  }
  if (kind === "& to &mut") {
    const sites: [number, number][] = [];
    lines.forEach((l, i) => {
      for (let c = 0; c < l.length; c++) {
        if (l[c] === "&" && l[c + 1] !== "&" && l[c - 1] !== "&" && !l.startsWith("mut", c + 1)) {
          sites.push([i, c]);
        }
      }
    });
    if (sites.length === 0) return null;
    const [i, c] = sites[prng.int(0, sites.length - 1)];
    const out = lines.slice();
    out[i] = l_replace(out[i], c);
    return { kind, line: i + 1, source: out.join("\n") };
  }
  const cands = lines.flatMap((l, i) =>
    isStatement(l) && i + 1 < lines.length && isStatement(lines[i + 1]) &&
      indent(l) === indent(lines[i + 1])
      ? [i]
      : []
  );
  if (cands.length === 0) return null;
  const i = cands[prng.int(0, cands.length - 1)];
  const out = lines.slice();
  [out[i], out[i + 1]] = [out[i + 1], out[i]];
  return { kind, line: i + 1, source: out.join("\n") };
}

function l_replace(line: string, c: number): string {
  return line.slice(0, c) + "&mut " + line.slice(c + 1);
}

function indent(l: string): number {
  return l.length - l.trimStart().length;
}

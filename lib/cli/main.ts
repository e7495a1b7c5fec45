/**
 * `deno task sim <model> [flags]`: the simulators as command-line tools,
 * flag-compatible with the tools students already know (CS:APP's csim,
 * OSTEP's homework simulators). Each model lives in its own file and exports
 * `run(args: string[]): Promise<number>` returning the exit status.
 *
 * @module
 */
import { enterCallerFolder } from "./_process.ts";

/** A command-line model: parses its own flags, prints, returns an exit status. */
export interface SimCommand {
  /** One line shown by `deno task sim --help`. */
  summary: string;
  /** Run with the arguments after the model name; resolve to the exit status. */
  run(args: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<SimCommand>> = {
  // Each entry loads lazily so one model's start-up cost is not paid by the others.
  paging: async () => (await import("./paging.ts")).command,
  translate: async () => (await import("./translate.ts")).command,
  tables: async () => (await import("./tables.ts")).command,
  cache: async () => (await import("./cache.ts")).command,
  malloc: async () => (await import("./malloc.ts")).command,
  mdriver: async () => (await import("./mdriver.ts")).command,
  borrow: async () => (await import("./borrow.ts")).command,
  gc: async () => (await import("./gc.ts")).command,
};

/** Register a model (used by the entries above and by tests). */
export function registerCommand(name: string, load: () => Promise<SimCommand>): void {
  commands[name] = load;
}

async function usage(): Promise<string> {
  const lines = ["Usage: deno task sim <model> [flags]   (each model takes --help)", "", "Models:"];
  for (const [name, load] of Object.entries(commands).sort()) {
    lines.push(`  ${name.padEnd(10)} ${(await load()).summary}`);
  }
  return lines.join("\n");
}

/**
 * Dispatch `args` to a model.
 *
 * @param args The command line, model name first.
 * @returns The exit status: 0 on success, 2 on a usage error.
 */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h") {
    // Asked for, the usage is the output; missing a model, it is a usage error (stderr, 2).
    (name === undefined ? console.error : console.log)(await usage());
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (!load) {
    console.error(
      `Unknown model: expected one of ${
        Object.keys(commands).sort().join(", ")
      }: received "${name}"`,
    );
    return 2;
  }
  return await (await load()).run(rest);
}

if (import.meta.main) {
  enterCallerFolder(); // paths in the arguments are relative to where `deno task sim` was typed
  Deno.exit(await main(Deno.args));
}

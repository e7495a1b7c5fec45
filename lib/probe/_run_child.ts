/**
 * Private helper: run a Deno child process to completion with a time bound
 * (SIGKILL when it runs over), always awaited, and return its output.
 *
 * @module
 */

/** Run `deno <args>` with piped output; kill it after `timeoutMs`; wait for it either way. */
export async function runDenoChild(args: string[], timeoutMs: number): Promise<Deno.CommandOutput> {
  const proc = new Deno.Command(Deno.execPath(), {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const timer = setTimeout(() => {
    try {
      proc.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutMs);
  try {
    return await proc.output();
  } finally {
    clearTimeout(timer);
  }
}

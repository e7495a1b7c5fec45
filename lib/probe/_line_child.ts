/**
 * Private helper: a child process spoken to one line at a time (stdin in,
 * stdout out), with a deadline on every answer, that is always killed and
 * reaped by {@linkcode LineChild.close} (call it in a `finally` block).
 *
 * @module
 */

/** A running child with line-by-line input and output. */
export class LineChild {
  readonly #proc: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reader: ReadableStreamDefaultReader<string>;
  readonly #stderr: Promise<string>;
  #buffer = "";
  #closed = false;
  #pending: Promise<ReadableStreamReadResult<string>> | null = null;
  /** The child's process id. */
  readonly pid: number;

  /**
   * Start `command` with `args`, stdin and stdout piped, stderr collected.
   *
   * @param command The program.
   * @param args Its arguments.
   */
  constructor(command: string, args: string[]) {
    this.#proc = new Deno.Command(command, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    this.pid = this.#proc.pid;
    this.#writer = this.#proc.stdin.getWriter();
    this.#reader = this.#proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
    this.#stderr = new Response(this.#proc.stderr).text().catch(() => "");
  }

  /** The next line of output, or an error after `timeoutMs` or at end of output. */
  async nextLine(timeoutMs: number, what: string): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const nl = this.#buffer.indexOf("\n");
      if (nl >= 0) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        return line;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `Cannot ${what}: the child (pid ${this.pid}) did not answer in ${timeoutMs} ms`,
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), left);
      });
      this.#pending ??= this.#reader.read();
      const chunk = await Promise.race([this.#pending, timeout]);
      clearTimeout(timer);
      if (chunk === "timeout") continue;
      this.#pending = null;
      if (chunk.done) {
        const err = (await this.#stderrTail()) || "no message";
        throw new Error(`Cannot ${what}: the child (pid ${this.pid}) ended early: ${err}`);
      }
      this.#buffer += chunk.value;
    }
  }

  /** Send one line to the child's input. */
  async send(line: string): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(line + "\n"));
  }

  async #stderrTail(): Promise<string> {
    const status = await Promise.race([
      this.#proc.status,
      new Promise<null>((r) => setTimeout(() => r(null), 500)),
    ]);
    if (status === null) return "";
    return (await this.#stderr).trim().split("\n").slice(-2).join(" | ");
  }

  /** Close its input, kill it if it is still running after `graceMs`, and reap it. */
  async close(graceMs = 2000): Promise<Deno.CommandStatus> {
    if (!this.#closed) {
      this.#closed = true;
      await this.#writer.close().catch(() => {});
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        try {
          this.#proc.kill("SIGKILL");
        } catch { /* already gone */ }
        resolve();
      }, graceMs);
    });
    const status = await Promise.race([this.#proc.status, killed.then(() => this.#proc.status)]);
    clearTimeout(timer);
    await this.#reader.cancel().catch(() => {});
    await this.#stderr;
    return status;
  }
}

/**
 * Start the course exactly as the README's first command does (`./garden
 * lab`), on a throw-away copy of this checkout, for tests and screenshots:
 * the real working tree is never served, so nothing a test saves can touch
 * it. `close()` stops the server (and the kernels it started) and removes
 * the copy.
 *
 * @module
 */

const REPO = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** A running `./garden lab` on a copy of the repository. */
export interface LabSession {
  /** The URL the lab printed (with its token), e.g. `http://127.0.0.1:8890/tree/notebooks?token=...`. */
  url: URL;
  /** The token that authorises API calls. */
  token: string;
  /** The copy being served (a git repository with one commit). */
  root: string;
  /** Call Jupyter's REST API (`/api/...`) with the token. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Stop the server and remove the copy. */
  close(): Promise<void>;
}

async function run(cmd: string, args: string[], cwd = REPO) {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** Copy the working tree (tracked and new files, not ignored ones) to `to` and commit it there. */
async function copyTrackedFiles(to: string): Promise<void> {
  const files = (await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]))
    .stdout.split("\0").filter((f) => f !== "");
  for (const f of files) {
    // .tools is linked in below (it may itself be a link in a checkout, which git then lists).
    if (f === ".tools" || f.startsWith(".tools/")) continue;
    const target = `${to}/${f}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    try {
      await Deno.copyFile(`${REPO}/${f}`, target);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error; // deleted, not yet committed
    }
  }
  await Deno.chmod(`${to}/garden`, 0o755);
  for (
    const args of [
      ["init", "--quiet"],
      ["add", "-A"],
      ["-c", "user.name=lab", "-c", "user.email=lab@localhost", "commit", "--quiet", "-m", "copy"],
    ]
  ) {
    const r = await run("git", args, to);
    if (r.code !== 0) {
      throw new Error(`Cannot prepare the lab copy: git ${args.join(" ")}: ${r.stderr}`);
    }
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Read stderr until the "Opening the course: URL" line, or fail after the deadline. */
async function waitForUrl(stream: ReadableStream<Uint8Array>, deadlineMs: number): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  const timer = setTimeout(() => reader.cancel(), deadlineMs);
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value, { stream: true });
      const m = /Opening the course: (http:\/\/\S+)/.exec(seen);
      if (m) {
        // Keep draining in the background so the server never blocks on a full pipe.
        (async () => {
          try {
            while (!(await reader.read()).done) { /* drain */ }
          } catch { /* cancelled */ }
        })();
        return m[1];
      }
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`./garden lab printed no URL:\n${seen}`);
}

/**
 * Copy the checkout, run `./garden lab` in the copy (Deno from this
 * checkout's `.tools/`), and wait until its server answers.
 *
 * @returns A {@linkcode LabSession}; always `close()` it.
 */
export async function startLab(): Promise<LabSession> {
  const tmp = await Deno.makeTempDir({ prefix: "garden-lab-" });
  const root = `${tmp}/repo`;
  let server: Deno.ChildProcess | null = null;
  const close = async () => {
    if (server) {
      try {
        // garden execs Jupyter, so this is the server; it shuts its kernels down on SIGTERM.
        server.kill("SIGTERM");
      } catch { /* already gone */ }
      const timer = setTimeout(() => {
        try {
          server?.kill("SIGKILL");
        } catch { /* gone */ }
      }, 10_000);
      await server.status;
      clearTimeout(timer);
    }
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  };
  try {
    await copyTrackedFiles(root);
    await Deno.symlink(`${REPO}/.tools`, `${root}/.tools`);
    server = new Deno.Command("bash", {
      args: [`${root}/garden`, "lab"],
      cwd: root,
      env: { GARDEN_PORT: String(freePort()) },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const url = new URL(await waitForUrl(server.stderr, 120_000));
    const token = url.searchParams.get("token") ?? "";
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${url.origin}/api/${path}`, {
        ...init,
        headers: { Authorization: `token ${token}`, "Content-Type": "application/json" },
      });
    for (let i = 0;; i++) {
      try {
        const r = await api("status");
        await r.body?.cancel();
        if (r.ok) break;
      } catch (error) {
        if (i >= 300) throw new Error(`The Jupyter server never answered: ${error}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return { url, token, root, api, close };
  } catch (error) {
    await close();
    throw error;
  }
}

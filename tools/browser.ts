/**
 * A small headless-Chromium driver over the DevTools protocol, for the
 * course's browser tests and README screenshots. No browser download: it
 * uses Debian's `chromium` (installed by `./garden setup`), a fresh profile
 * in a temporary folder, background networking off, and it always closes the
 * browser and removes the profile.
 *
 * @module
 */

/** Where Debian puts Chromium; `GARDEN_CHROMIUM` overrides it. */
export function chromiumPath(): string | null {
  const candidates = [
    Deno.env.get("GARDEN_CHROMIUM"),
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
  ];
  for (const c of candidates) {
    if (!c) continue;
    try {
      if (Deno.statSync(c).isFile) return c;
    } catch { /* not there */ }
  }
  return null;
}

/** What a page did while it loaded: console errors, exceptions and every request it made. */
export interface PageLog {
  /** Console messages of level error, uncaught exceptions and failed loads. */
  errors: string[];
  /** Every URL the page requested. */
  requests: string[];
}

type Pending = { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void };

/** One page (target) of the browser, driven through its own WebSocket. */
export class BrowserPage {
  #ws: WebSocket;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #listeners: ((method: string, params: Record<string, unknown>) => void)[] = [];
  #requestUrls = new Map<string, string>();
  /** Errors and requests seen since the page was opened. */
  readonly log: PageLog = { errors: [], requests: [] };

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onmessage = (event) => {
      const msg = JSON.parse(String(event.data));
      if (msg.id !== undefined) {
        const p = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        if (!p) return;
        if (msg.error) p.reject(new Error(`DevTools: ${msg.error.message}`));
        else p.resolve(msg.result ?? {});
        return;
      }
      this.#record(msg.method, msg.params ?? {});
      for (const l of this.#listeners) l(msg.method, msg.params ?? {});
    };
  }

  /** Connect to a page's WebSocket and enable the domains the log needs. */
  static async connect(url: string): Promise<BrowserPage> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`Cannot connect to the browser page at ${url}`));
    });
    const page = new BrowserPage(ws);
    for (const domain of ["Page", "Runtime", "Log", "Network"]) await page.send(`${domain}.enable`);
    return page;
  }

  #record(method: string, params: Record<string, unknown>): void {
    if (method === "Runtime.consoleAPICalled" && params.type === "error") {
      const args = (params.args as { value?: unknown; description?: string }[]) ?? [];
      this.log.errors.push(`console.error: ${args.map((a) => a.value ?? a.description).join(" ")}`);
    } else if (method === "Runtime.exceptionThrown") {
      const d = params.exceptionDetails as { text?: string; exception?: { description?: string } };
      this.log.errors.push(`exception: ${d.exception?.description ?? d.text}`);
    } else if (method === "Log.entryAdded") {
      const e = params.entry as { level: string; text: string; url?: string };
      if (e.level === "error") this.log.errors.push(`log: ${e.text}${e.url ? ` (${e.url})` : ""}`);
    } else if (method === "Network.requestWillBeSent") {
      const url = (params.request as { url: string }).url;
      this.#requestUrls.set(params.requestId as string, url);
      this.log.requests.push(url);
    } else if (method === "Network.loadingFailed") {
      const url = this.#requestUrls.get(params.requestId as string) ?? "?";
      this.log.errors.push(`failed load: ${params.errorText} (${url})`);
    }
  }

  /** Send one DevTools command and wait for its result. */
  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    this.#ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }

  /** Navigate and wait for the load event (at most `timeoutMs`). */
  async goto(url: string, timeoutMs = 30_000): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const loaded = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`Timed out loading ${url}`)), timeoutMs);
      this.#listeners.push((method) => {
        if (method === "Page.loadEventFired") resolve();
      });
    });
    try {
      await this.send("Page.navigate", { url });
      await loaded;
    } finally {
      clearTimeout(timer);
      this.#listeners = [];
    }
  }

  /** Evaluate an expression in the page and return its value (JSON-serialisable). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send("Runtime.evaluate", {
      expression,
      returnByValue: true,
      awaitPromise: true,
    });
    const details = r.exceptionDetails as { text?: string; exception?: { description?: string } };
    if (details) {
      throw new Error(`In the page: ${details.exception?.description ?? details.text}`);
    }
    return (r.result as { value: T }).value;
  }

  /** Poll `expression` until it is truthy, or fail after `timeoutMs` with `what`. */
  async waitFor(expression: string, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await this.evaluate<boolean>(`Boolean(${expression})`)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}`);
  }

  /** A PNG screenshot of the whole page (or the viewport), as bytes. */
  async screenshot(fullPage = false): Promise<Uint8Array> {
    const params: Record<string, unknown> = { format: "png" };
    if (fullPage) params.captureBeyondViewport = true;
    const r = await this.send("Page.captureScreenshot", params);
    return Uint8Array.from(atob(r.data as string), (c) => c.charCodeAt(0));
  }

  /** Close the connection. */
  close(): void {
    this.#ws.close();
  }
}

/** A running headless Chromium with a throw-away profile. */
export class Browser {
  #child: Deno.ChildProcess;
  #profile: string;
  #port: number;
  #pages: BrowserPage[] = [];

  private constructor(child: Deno.ChildProcess, profile: string, port: number) {
    this.#child = child;
    this.#profile = profile;
    this.#port = port;
  }

  /**
   * Start Chromium headless (fresh profile, no background networking).
   *
   * @param options `width`/`height` of the window in CSS pixels.
   * @throws {Error} When Chromium is not installed (says how to install it).
   */
  static async launch(options: { width?: number; height?: number } = {}): Promise<Browser> {
    const exe = chromiumPath();
    if (!exe) {
      throw new Error(
        "Cannot start the browser: Chromium is not installed: run ./garden setup (apt package chromium)",
      );
    }
    const profile = await Deno.makeTempDir({ prefix: "garden-chromium-" });
    const child = new Deno.Command(exe, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        "--allow-file-access-from-files",
        `--window-size=${options.width ?? 1200},${options.height ?? 900}`,
        `--user-data-dir=${profile}`,
        "--remote-debugging-port=0",
        "about:blank",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    try {
      const port = await readDevToolsPort(child.stderr);
      return new Browser(child, profile, port);
    } catch (error) {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
      await child.status;
      await Deno.remove(profile, { recursive: true }).catch(() => {});
      throw error;
    }
  }

  /** Open a new page (tab). */
  async newPage(): Promise<BrowserPage> {
    const res = await fetch(`http://127.0.0.1:${this.#port}/json/new?about:blank`, {
      method: "PUT",
    });
    const target = await res.json();
    const page = await BrowserPage.connect(target.webSocketDebuggerUrl);
    await page.send("Emulation.setDeviceMetricsOverride", {
      width: 1200,
      height: 900,
      deviceScaleFactor: 1,
      mobile: false,
    });
    this.#pages.push(page);
    return page;
  }

  /** Close every page, stop the browser and remove its profile. */
  async close(): Promise<void> {
    for (const p of this.#pages) p.close();
    try {
      this.#child.kill("SIGTERM");
    } catch { /* gone */ }
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 3000);
    await this.#child.status;
    clearTimeout(timer);
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }
}

async function readDevToolsPort(stream: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  const timer = setTimeout(() => reader.cancel(), 30_000);
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value, { stream: true });
      const m = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(seen);
      if (m) {
        // Keep draining Chromium's chatter so it never blocks on a full pipe.
        (async () => {
          try {
            while (!(await reader.read()).done) { /* drain */ }
          } catch { /* closed */ }
        })();
        return Number(m[1]);
      }
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`Cannot start the browser: Chromium printed no DevTools address:\n${seen}`);
}

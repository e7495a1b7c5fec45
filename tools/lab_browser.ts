/**
 * Drive a lesson through Jupyter's own user interface in Chromium: open it in
 * the classic Notebook served by `./garden lab`, press Cell → Run All, wait
 * for every cell and chart, and take screenshots. Used by the browser test
 * and by `deno task screenshots` (the README's pictures).
 *
 *   deno task screenshots [LESSON [CHART]]   writes docs/images/lesson.png and docs/images/chart.png
 *
 * CHART is a regular expression matched against the text of the output that
 * holds the chart (its title and caption); the first chart by default.
 *
 * @module
 */
import { Browser } from "./browser.ts";
import { type LabSession, startLab } from "./lab_session.ts";

/** What running a lesson through the UI showed. */
export interface UiRun {
  /** Whether the Notebook marked the lesson "unsaved" right after opening it (before running). */
  dirtyOnOpen: boolean;
  /** Code cells, and how many finished with an execution count. */
  codeCells: number;
  executedCells: number;
  /** Error outputs (their ename: evalue). */
  errors: string[];
  /** Charts (top-level SVGs in outputs) and their sizes in CSS pixels. */
  charts: { width: number; height: number }[];
  /** Console errors and exceptions the page logged. */
  pageErrors: string[];
  /** A screenshot of the window at the top of the lesson, and of the first chart. */
  lessonPng: Uint8Array;
  chartPng: Uint8Array | null;
  /** Seconds from pressing Run All to the last cell finishing. */
  runSeconds: number;
}

/**
 * Open `lesson` (e.g. `00-welcome.ipynb`) in the lab's Notebook UI and run
 * all of its cells from the Cell menu.
 *
 * @param lab A running lab ({@linkcode startLab}).
 * @param lesson The notebook's file name in notebooks/.
 * @param timeoutMs How long the whole run may take.
 * @param chart Which chart to photograph: matched against its output's text.
 */
export async function runLessonInUi(
  lab: LabSession,
  lesson: string,
  timeoutMs = 180_000,
  chart: RegExp = /./,
): Promise<UiRun> {
  const browser = await Browser.launch({ width: 1200, height: 900 });
  try {
    const page = await browser.newPage();
    await page.goto(`${lab.url.origin}/notebooks/notebooks/${lesson}?token=${lab.token}`);
    await page.waitFor(
      "window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.info_reply && Jupyter.notebook.kernel.info_reply.language_info",
      "the Deno kernel to start",
    );
    // Give the Notebook's own metadata checks (kernelspec, language_info) time to run.
    await new Promise((r) => setTimeout(r, 1000));
    const dirtyOnOpen = await page.evaluate<boolean>("Jupyter.notebook.dirty");
    const started = Date.now();
    await page.evaluate(`document.querySelector("#run_all_cells > a").click()`);
    await page.waitFor(
      `Jupyter.notebook.get_cells().filter((c) => c.cell_type === "code" && c.get_text().trim() !== "")
        .every((c) => typeof c.input_prompt_number === "number")`,
      `every cell of ${lesson} to finish`,
      timeoutMs,
    );
    const runSeconds = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 500)); // late outputs and layout
    const result = await page.evaluate<
      Omit<UiRun, "dirtyOnOpen" | "lessonPng" | "chartPng" | "runSeconds" | "pageErrors">
    >(`(() => {
      const cells = Jupyter.notebook.get_cells().filter((c) => c.cell_type === "code" && c.get_text().trim() !== "");
      const errors = cells.flatMap((c) => c.output_area.outputs
        .filter((o) => o.output_type === "error").map((o) => o.ename + ": " + o.evalue));
      const charts = [...document.querySelectorAll(".output_area svg")]
        .filter((s) => !s.parentElement.closest("svg"))
        .map((s) => { const r = s.getBoundingClientRect(); return { width: r.width, height: r.height }; });
      return {
        codeCells: cells.length,
        executedCells: cells.filter((c) => typeof c.input_prompt_number === "number").length,
        errors,
        charts,
      };
    })()`);
    await page.evaluate("document.querySelector('#site').scrollTop = 0");
    const lessonPng = await page.screenshot();
    let chartPng: Uint8Array | null = null;
    if (result.charts.length > 0) {
      await page.evaluate(`(() => {
        const re = new RegExp(${JSON.stringify(chart.source)}, ${JSON.stringify(chart.flags)});
        const areas = [...document.querySelectorAll(".output_area")].filter((a) => a.querySelector("svg"));
        (areas.find((a) => re.test(a.textContent)) ?? areas[0]).scrollIntoView({ block: "start" });
      })()`);
      chartPng = await page.screenshot();
    }
    return {
      ...result,
      dirtyOnOpen,
      lessonPng,
      chartPng,
      runSeconds,
      pageErrors: [...page.log.errors],
    };
  } finally {
    await browser.close();
  }
}

if (import.meta.main) {
  const lesson = Deno.args[0] ?? "07-page-faults-and-swapping.ipynb";
  const chart = new RegExp(Deno.args[1] ?? (Deno.args[0] ? "." : "real kernel's major faults"));
  if (!/^\d\d-[a-z0-9-]+\.ipynb$/.test(lesson)) {
    console.error(`Usage: deno task screenshots [NN-topic.ipynb]: received "${lesson}"`);
    Deno.exit(2);
  }
  const out = new URL("../docs/images/", import.meta.url).pathname;
  console.error(`Starting ./garden lab on a copy and running ${lesson} through the Notebook UI...`);
  const lab = await startLab();
  try {
    const run = await runLessonInUi(lab, lesson, 180_000, chart);
    if (run.errors.length > 0) throw new Error(`${lesson} raised: ${run.errors.join("; ")}`);
    await Deno.mkdir(out, { recursive: true });
    await Deno.writeFile(`${out}lesson.png`, run.lessonPng);
    if (run.chartPng) await Deno.writeFile(`${out}chart.png`, run.chartPng);
    console.error(
      `${run.executedCells}/${run.codeCells} cells ran in ${
        run.runSeconds.toFixed(1)
      } s; ${run.charts.length} charts; wrote ${out}lesson.png${
        run.chartPng ? ` and ${out}chart.png` : ""
      }`,
    );
  } finally {
    await lab.close();
  }
}

/**
 * The course in a real browser, the way a student meets it: `./garden lab`
 * (on a throw-away copy), a lesson opened in the classic Notebook in
 * Chromium, Cell → Run All pressed, every cell finished, every chart drawn,
 * and the lesson not marked "unsaved" just for being opened.
 */
import assert from "node:assert/strict";
import { startLab } from "../../tools/lab_session.ts";
import { runLessonInUi } from "../../tools/lab_browser.ts";

const REPO = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("Jupyter in Chromium: a lesson opens clean, runs all through the menu, draws its charts", async () => {
  const lab = await startLab();
  try {
    const run = await runLessonInUi(lab, "00-welcome.ipynb");
    assert.equal(run.dirtyOnOpen, false, "opening the lesson marked it unsaved");
    assert.ok(run.codeCells > 5);
    assert.equal(run.executedCells, run.codeCells, "every code cell finished");
    assert.deepEqual(run.errors, []);
    assert.ok(run.charts.length >= 1, "the lesson draws its chart");
    for (const c of run.charts) {
      assert.ok(c.width > 0 && c.height > 0, `a chart of ${c.width} x ${c.height}`);
    }
    // The classic Notebook always tries to load the ipywidgets extension (a hard-coded fallback
    // in its main.js) and logs a 404 where ipywidgets is not installed: upstream noise, not ours.
    const widgetsHack = /\/nbextensions\/widgets\/notebook\/js\/extension\.js/;
    assert.deepEqual(run.pageErrors.filter((e) => !widgetsHack.test(e)), []);
    // A real PNG of the window, kept with the other test outputs.
    assert.deepEqual([...run.lessonPng.slice(1, 4)], [0x50, 0x4e, 0x47]);
    await Deno.mkdir(`${REPO}/out/screenshots`, { recursive: true });
    await Deno.writeFile(`${REPO}/out/screenshots/00-welcome.png`, run.lessonPng);
  } finally {
    await lab.close();
  }
});

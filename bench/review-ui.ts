// Review page at scale: a real session whose agent rewrites 500 files (50 changed line pairs
// each: 50,000 changed lines, 75,000 diff lines with context), opened in Debian's Chromium.
// Measures the time to the first painted diff line and the longest main-thread task (and the
// longest frame gap) while scrolling through every file, unified and side by side. Long tasks
// are those over 50 ms, so a longest task of 0 means none crossed that line.
import fs from "node:fs";
import os from "node:os";
import { chromium, type APIRequestContext, type Page } from "playwright-core";
import { removeInstanceSandboxes } from "../lib/sandbox/container";
import { makeRepo, waitFor } from "../test/fixtures";
import { startBenchServer, writeResult } from "./harness";

const DIRS = 25;
const FILES_PER_DIR = 20;
const LINES = 100;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// Base files: TypeScript-looking lines (so highlighting runs), every tenth a comment.
function baseFiles(): Record<string, string> {
  const files: Record<string, string> = { "README.md": "# review bench\n" };
  for (let d = 0; d < DIRS; d++) {
    for (let f = 0; f < FILES_PER_DIR; f++) {
      const lines: string[] = [];
      for (let i = 1; i <= LINES; i++) {
        lines.push(i % 10 === 1 ? `// section ${i}: notes on module ${d}/${f}` : `export const v_${d}_${f}_${i} = "value ${i}" + ${i * 7};`);
      }
      files[`src/m${String(d).padStart(2, "0")}/f${String(f).padStart(2, "0")}.ts`] = lines.join("\n") + "\n";
    }
  }
  return files;
}

// Every even line of every file changes: 50 removed + 50 added lines per file.
const AGENT_COMMAND = `find src -name '*.ts' -exec sed -i '0~2s/ + / - /' {} +`;

// Runs in the page before any of its scripts: long tasks and the first painted diff line.
const PROBE = `
window.__bench = { firstDiffPaint: null, longtasks: [] };
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__bench.longtasks.push(e.duration); }).observe({ type: "longtask", buffered: true });
const mo = new MutationObserver(() => {
  if (window.__bench.firstDiffPaint !== null || !document.querySelector('[data-testid="diff-line"]')) return;
  window.__bench.firstDiffPaint = -1;
  mo.disconnect();
  // rAF runs just before the frame is painted; a task queued from it runs after the paint.
  requestAnimationFrame(() => setTimeout(() => { window.__bench.firstDiffPaint = performance.now(); }, 0));
});
mo.observe(document, { childList: true, subtree: true });
`;

// Scrolls the diff column one viewport at a time, two frames per step, to the very end.
const SCROLL = `(async () => {
  const el = document.querySelector('[data-testid="diff-scroll"]');
  el.scrollTop = 0;
  window.__bench.longtasks = [];
  const frame = () => new Promise((r) => requestAnimationFrame(() => r(performance.now())));
  await frame();
  let steps = 0, maxGap = 0, maxNodes = 0, last = await frame();
  const t0 = performance.now();
  while (el.scrollTop + el.clientHeight < el.scrollHeight - 1 && steps < 20000) {
    el.scrollTop += el.clientHeight;
    steps++;
    for (let i = 0; i < 2; i++) { const t = await frame(); maxGap = Math.max(maxGap, t - last); last = t; }
    if (steps % 50 === 0) maxNodes = Math.max(maxNodes, document.getElementsByTagName("*").length);
  }
  const files = document.querySelectorAll('[data-testid="diff-file"]');
  const lastRendered = files[files.length - 1].querySelector('[data-testid="diff-line"]') !== null;
  return { steps, scrollMs: performance.now() - t0, scrollHeight: el.scrollHeight, maxFrameGapMs: maxGap, maxDomNodes: maxNodes, lastFileRendered: lastRendered, longtasks: window.__bench.longtasks.slice() };
})()`;

interface ScrollRun {
  steps: number;
  scrollMs: number;
  scrollHeight: number;
  maxFrameGapMs: number;
  maxDomNodes: number;
  lastFileRendered: boolean;
  longtasks: number[];
}

async function api<T>(request: APIRequestContext, method: "GET" | "POST", url: string, data?: unknown): Promise<T> {
  const r = method === "GET" ? await request.get(url) : await request.post(url, { data, headers: { origin: new URL(url).origin } });
  if (!r.ok()) throw new Error(`${method} ${url}: ${r.status()} ${await r.text()}`);
  return (await r.json()) as T;
}

async function scrollRun(page: Page): Promise<ScrollRun> {
  return (await page.evaluate(SCROLL)) as ScrollRun;
}

const summarize = (r: ScrollRun) => ({
  longestTaskMs: Math.round(Math.max(0, ...r.longtasks)),
  longTasks: r.longtasks.length,
  longTaskTotalMs: Math.round(r.longtasks.reduce((a, b) => a + b, 0)),
  maxFrameGapMs: Math.round(r.maxFrameGapMs),
  scrollSteps: r.steps,
  scrollMs: Math.round(r.scrollMs),
  scrollHeightPx: r.scrollHeight,
  maxDomNodes: r.maxDomNodes,
  lastFileRendered: r.lastFileRendered,
});

const server = await startBenchServer(3431);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { request } = context;
  const url = server.url;
  // Signing up through the browser context's request client leaves the cookie in the context.
  await api(request, "POST", `${url}/api/auth/sign-up/email`, { name: "Bench Reviewer", email: `bench-${Date.now()}@bench.example`, password: "bench-password-1" });
  const team = await api<{ id: string }>(request, "POST", `${url}/api/teams`, { name: "Bench" });
  await api(request, "POST", `${url}/api/me/team`, { teamId: team.id });

  const marker = `BENCH-REVIEW-${Date.now()}`;
  server.stub.addScript({ match: marker, steps: [{ blocks: [{ type: "tool_use", name: "shell", input: { command: AGENT_COMMAND } }] }, { blocks: [{ type: "text", text: "done" }] }] });
  const repo = makeRepo(baseFiles());
  const session = await api<{ id: string }>(request, "POST", `${url}/api/sessions`, { repo, prompt: `${marker} rewrite the even lines` });
  const commits = await waitFor(
    async () => {
      const c = await api<{ commits: { additions: number; deletions: number; filesChanged: number }[] }>(request, "GET", `${url}/api/sessions/${session.id}/commits`);
      return c.commits.length > 0 ? c.commits : null;
    },
    "the agent's checkpoint",
    180_000,
  );

  const page = await context.newPage();
  await page.addInitScript(PROBE);
  const nav = performance.now();
  await page.goto(`${url}/sessions/${session.id}/review`);
  await page.waitForFunction("window.__bench.firstDiffPaint > 0", null, { timeout: 120_000 });
  const load = (await page.evaluate(`(() => {
    const r = performance.getEntriesByType("resource").find((e) => e.name.includes("/diff?"));
    return { firstDiffPaintMs: window.__bench.firstDiffPaint, loadLongtasks: window.__bench.longtasks.slice(), diffFetchMs: r ? r.responseEnd - r.startTime : null, diffBytes: r ? r.decodedBodySize : null };
  })()`)) as { firstDiffPaintMs: number; loadLongtasks: number[]; diffFetchMs: number | null; diffBytes: number | null };
  const wallToPaintMs = performance.now() - nav;
  const files = await page.getByTestId("diff-file").count();
  // Let the highlighter chunk load before measuring the scroll.
  await page.waitForTimeout(1000);

  const unified = await scrollRun(page);
  await page.getByTestId("diff-mode-split").click();
  await page.waitForTimeout(500);
  const split = await scrollRun(page);

  writeResult("review-ui", {
    diff: { files, changedLines: commits[0].additions + commits[0].deletions, bytes: load.diffBytes, fetchMs: load.diffFetchMs && Math.round(load.diffFetchMs) },
    firstDiffPaintMs: Math.round(load.firstDiffPaintMs),
    wallToFirstDiffPaintMs: Math.round(wallToPaintMs),
    longestTaskWhileLoadingMs: Math.round(Math.max(0, ...load.loadLongtasks)),
    // Long tasks stretch when other processes share the two cores: this says how busy it was.
    loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
    unified: summarize(unified),
    split: summarize(split),
  });
} finally {
  await browser.close();
  await server.stop();
  // The session's sandbox outlives the server; this run's data goes with it.
  await removeInstanceSandboxes(server.dir);
  fs.rmSync(server.dir, { recursive: true, force: true });
}

// Review page at scale, opened in Debian's Chromium, on two real sessions:
// - "real": the agent checks out a real release range of a large Python project (python/mypy
//   v0.800..v0.950: 1,508 files, ~8.6 MB of diff), vendored in bench/fixtures/review-diff.bundle;
// - "synthetic": the agent rewrites 500 generated files (50,000 changed lines).
// Measures the diff bytes before the first painted diff line, the time to that line, the longest
// main-thread task while loading and while scrolling through every file (unified, and side by
// side for the synthetic one), and DOM nodes. Long tasks are those over 50 ms, so a longest task
// of 0 means none crossed that line. `REVIEW_BENCH=real|synthetic` runs one of the two.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type APIRequestContext, type BrowserContext, type Page } from "playwright-core";
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

/**
 * The vendored real diff as an origin: `main` at the old release, `bench-head` at the new one. The
 * mirror fetches every branch and the workspace borrows the mirror's objects, so the agent can
 * check the new release's tree out without any network.
 */
function realRepo(): { repo: string; command: string } {
  const bundle = path.resolve("bench/fixtures/review-diff.bundle");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-repo-"));
  const g = (...args: string[]) => execFileSync("git", ["-C", dir, ...args], { stdio: "pipe" }).toString().trim();
  execFileSync("git", ["clone", "-q", "--branch", "main", bundle, dir], { stdio: "pipe" });
  const head = g("rev-parse", "HEAD");
  g("branch", "bench-head", head);
  // The origin's main: the old release's tree, with the new release as a second parent, so the
  // workspace's clone holds every object the agent checks out (however the sandbox's workspace
  // was made: from the mirror, a warm pool or a plain clone). Its diff to the agent's checkpoint
  // is the release range's, file for file.
  const env = { ...process.env, GIT_AUTHOR_NAME: "bench", GIT_AUTHOR_EMAIL: "bench@example.com", GIT_AUTHOR_DATE: "2000-01-01T00:00:00Z", GIT_COMMITTER_NAME: "bench", GIT_COMMITTER_EMAIL: "bench@example.com", GIT_COMMITTER_DATE: "2000-01-01T00:00:00Z" };
  const base = g("rev-parse", "HEAD~1");
  const tree = g("rev-parse", `${base}^{tree}`);
  const main = execFileSync("git", ["-C", dir, "commit-tree", tree, "-p", base, "-p", head, "-m", "bench base: v0.800's tree, v0.950 reachable"], { env }).toString().trim();
  g("reset", "-q", "--hard", main);
  return { repo: dir, command: `git read-tree --reset -u ${head}` };
}

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

// Scrolls the diff column one viewport at a time, two frames per step, to the very end. A frame
// that does not come within a second (headless Chromium has stopped producing frames with the
// page idle: nothing left to paint, no input) is waited for no longer: the wait counts as a
// stall, the step goes on from a timer, and whether the list kept up (files rendered at the new
// place) is recorded, so a stall is told apart from a list that stopped rendering. Seen: frames
// stop with the main thread free (timers run) and the files at that place rendered; the list
// then falls behind only because scroll events come with frames.
const SCROLL = `(async () => {
  const el = document.querySelector('[data-testid="diff-scroll"]');
  el.scrollTop = 0;
  window.__bench.longtasks = [];
  let stalls = 0, stalledWithListRendered = 0, inARow = 0;
  const frame = () => new Promise((r) => {
    const t = setTimeout(() => {
      stalls++;
      inARow++;
      const rect = el.getBoundingClientRect();
      const shown = [...document.querySelectorAll('[data-testid="diff-file"]')].some((f) => { const b = f.getBoundingClientRect(); return b.bottom > rect.top && b.top < rect.bottom; });
      if (shown) stalledWithListRendered++;
      console.log("[scroll] no frame for 1 s at", Math.round(el.scrollTop), "files on screen:", shown);
      r(performance.now());
    }, 1000);
    requestAnimationFrame(() => { clearTimeout(t); inARow = 0; r(performance.now()); });
  });
  await frame();
  let steps = 0, maxGap = 0, maxNodes = 0, last = await frame();
  const t0 = performance.now();
  // Ten frameless waits in a row: the browser has stopped drawing; the run stops there (its
  // figures then cover the scroll up to that point, and frameStalls says so).
  while (el.scrollTop + el.clientHeight < el.scrollHeight - 1 && steps < 20000 && inARow < 10) {
    el.scrollTop += el.clientHeight;
    steps++;
    for (let i = 0; i < 2; i++) { const t = await frame(); maxGap = Math.max(maxGap, t - last); last = t; }
    if (steps % 50 === 0) maxNodes = Math.max(maxNodes, document.getElementsByTagName("*").length);
    if (steps % 500 === 0) console.log("[scroll]", steps, Math.round(el.scrollTop), el.scrollHeight, Math.round(performance.now() - t0));
  }
  const files = document.querySelectorAll('[data-testid="diff-file"]');
  const lastRendered = files[files.length - 1].querySelector('[data-testid="diff-line"]') !== null;
  return { steps, scrollMs: performance.now() - t0, scrollHeight: el.scrollHeight, maxFrameGapMs: maxGap, maxDomNodes: maxNodes, lastFileRendered: lastRendered, frameStalls: stalls, stalledWithListRendered, longtasks: window.__bench.longtasks.slice() };
})()`;

interface ScrollRun {
  steps: number;
  scrollMs: number;
  scrollHeight: number;
  maxFrameGapMs: number;
  maxDomNodes: number;
  lastFileRendered: boolean;
  frameStalls: number;
  stalledWithListRendered: number;
  longtasks: number[];
}

async function api<T>(request: APIRequestContext, method: "GET" | "POST", url: string, data?: unknown): Promise<T> {
  const r = method === "GET" ? await request.get(url) : await request.post(url, { data, headers: { origin: new URL(url).origin } });
  if (!r.ok()) throw new Error(`${method} ${url}: ${r.status()} ${await r.text()}`);
  return (await r.json()) as T;
}

// REVIEW_BENCH_PROFILE=<dir>: the renderer's CPU profile of each scroll run goes there, and the
// functions with the most self time are printed.
const PROFILE_DIR = process.env.REVIEW_BENCH_PROFILE;

async function scrollRun(page: Page, label: string): Promise<ScrollRun> {
  if (!PROFILE_DIR) return (await page.evaluate(SCROLL)) as ScrollRun;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
  await cdp.send("Profiler.start");
  const run = (await page.evaluate(SCROLL)) as ScrollRun;
  const { profile } = await cdp.send("Profiler.stop");
  fs.mkdirSync(PROFILE_DIR, { recursive: true });
  fs.writeFileSync(path.join(PROFILE_DIR, `review-${label}.cpuprofile`), JSON.stringify(profile));
  printTopSelf(profile, label);
  return run;
}

type CpuProfile = { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples?: number[]; timeDeltas?: number[] };

function printTopSelf(profile: CpuProfile, label: string): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  (profile.samples ?? []).forEach((id, i) => {
    const f = byId.get(id)?.callFrame;
    const key = f ? `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber}` : "?";
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
  });
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  console.log(`[review-ui] ${label} self time (ms):\n${top.map(([k, ms]) => `  ${ms.toFixed(0).padStart(7)}  ${k}`).join("\n")}`);
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
  frameStalls: r.frameStalls,
  stalledWithListRendered: r.stalledWithListRendered,
});

interface Scenario {
  name: "real" | "synthetic" | "warm-up";
  repo: string;
  command: string;
  /** Side by side too (the synthetic diff's replaced lines pair up; the real one is long enough). */
  split: boolean;
  /** The loading phase only (no scroll runs). */
  loadOnly?: boolean;
}

// Runs in the page: what the diff requests so far cost, and how many elements the page holds.
const LOAD_FIGURES = `(() => {
  const rs = performance.getEntriesByType("resource").filter((e) => e.name.includes("/diff"));
  const nav = performance.getEntriesByType("navigation")[0];
  return {
    firstDiffPaintMs: window.__bench.firstDiffPaint,
    loadLongtasks: window.__bench.longtasks.slice(),
    diffRequests: rs.length,
    firstResponseBytes: rs.length ? rs[0].decodedBodySize : null,
    firstResponseMs: rs.length ? rs[0].responseEnd - rs[0].startTime : null,
    firstRequestAtMs: rs.length ? rs[0].startTime : null,
    bytesBeforePaint: rs.reduce((n, e) => n + e.decodedBodySize, 0),
    domNodes: document.getElementsByTagName("*").length,
    // The page itself: its server render streams the review (the diff's index, the first lines) in the HTML.
    documentFirstByteMs: Math.round(nav.responseStart),
    documentEndMs: Math.round(nav.responseEnd),
    documentBytes: nav.decodedBodySize,
  };
})()`;
const DIFF_BYTES = `performance.getEntriesByType("resource").filter((e) => e.name.includes("/diff")).reduce((n, e) => n + e.decodedBodySize, 0)`;

async function measure(request: APIRequestContext, context: BrowserContext, url: string, sc: Scenario): Promise<Record<string, unknown>> {
  const marker = `BENCH-REVIEW-${sc.name}-${Date.now()}`;
  server.stub.addScript({ match: marker, steps: [{ blocks: [{ type: "tool_use", name: "shell", input: { command: sc.command } }] }, { blocks: [{ type: "text", text: "done" }] }] });
  const session = await api<{ id: string }>(request, "POST", `${url}/api/sessions`, { repo: sc.repo, prompt: `${marker} change the files` });
  let idleSince: number | null = null;
  const commits = await waitFor(
    async () => {
      const c = await api<{ commits: { additions: number; deletions: number; filesChanged: number }[] }>(request, "GET", `${url}/api/sessions/${session.id}/commits`);
      if (c.commits.length > 0) return c.commits;
      // An agent that finished without a checkpoint won't make one later: say what it saw.
      const s = await api<{ status: string }>(request, "GET", `${url}/api/sessions/${session.id}`);
      idleSince = s.status === "idle" || s.status === "failed" ? (idleSince ?? Date.now()) : null;
      // (The checkpoint is imported just after the turn ends: give it a moment.)
      if (idleSince !== null && Date.now() - idleSince > 20_000) {
        const ev = await request.get(`${url}/api/sessions/${session.id}/events`);
        throw new Error(`the agent finished (${s.status}) without a checkpoint: ${(await ev.text()).slice(0, 4000)}`);
      }
      return null;
    },
    "the agent's checkpoint",
    300_000,
  ).catch((e: unknown) => {
    console.error(`[review-ui] the server's last words:\n${server.log().slice(-3000)}`);
    throw e;
  });

  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  await page.addInitScript(PROBE);
  // Progress of the long scroll, so a slow run shows where it is.
  page.on("console", (m) => m.text().startsWith("[scroll]") && console.log(`[review-ui] ${sc.name} ${m.text()}`));
  // The loading phase's profile too, when asked for.
  const cdp = PROFILE_DIR ? await context.newCDPSession(page) : null;
  if (cdp) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
  }
  const nav = performance.now();
  await page.goto(`${url}/sessions/${session.id}/review`);
  await page.waitForFunction("window.__bench.firstDiffPaint > 0", null, { timeout: 180_000 });
  const wallToPaintMs = performance.now() - nav;
  if (cdp) {
    // (A navigation that moved the page to another renderer ends the profile with it.)
    const got = await cdp.send("Profiler.stop").catch((e: Error) => console.log(`[review-ui] no load profile: ${e.message}`));
    if (got) {
      fs.mkdirSync(PROFILE_DIR!, { recursive: true });
      fs.writeFileSync(path.join(PROFILE_DIR!, `review-${sc.name}-load.cpuprofile`), JSON.stringify(got.profile));
      printTopSelf(got.profile, `${sc.name}-load`);
    }
  }
  const load = (await page.evaluate(LOAD_FIGURES)) as {
    firstDiffPaintMs: number;
    loadLongtasks: number[];
    diffRequests: number;
    firstResponseBytes: number | null;
    firstResponseMs: number | null;
    firstRequestAtMs: number | null;
    bytesBeforePaint: number;
    domNodes: number;
    documentFirstByteMs: number;
    documentEndMs: number;
    documentBytes: number;
  };
  console.log(`[review-ui] ${sc.name} loaded: ${JSON.stringify({ ...load, loadLongtasks: Math.max(0, ...load.loadLongtasks) })}`);
  const files = await page.getByTestId("diff-file").count();
  // REVIEW_BENCH_LOAD_ONLY=1: the loading phase only (with REVIEW_BENCH_PROFILE, its profile), no scroll runs.
  if (process.env.REVIEW_BENCH_LOAD_ONLY || sc.loadOnly) {
    await page.close();
    return { document: { firstByteMs: load.documentFirstByteMs, endMs: load.documentEndMs, bytes: load.documentBytes }, firstResponseMs: load.firstResponseMs && Math.round(load.firstResponseMs), firstRequestAtMs: load.firstRequestAtMs && Math.round(load.firstRequestAtMs), firstDiffPaintMs: Math.round(load.firstDiffPaintMs), wallToFirstDiffPaintMs: Math.round(wallToPaintMs), longestTaskWhileLoadingMs: Math.round(Math.max(0, ...load.loadLongtasks)) };
  }
  // Let the highlighter chunk load before measuring the scroll.
  await page.waitForTimeout(1000);

  const unified = await scrollRun(page, `${sc.name}-unified`);
  let split: ScrollRun | null = null;
  if (sc.split) {
    await page.getByTestId("diff-mode-split").click();
    await page.waitForTimeout(500);
    split = await scrollRun(page, `${sc.name}-split`);
  }
  const totalDiffBytes = (await page.evaluate(DIFF_BYTES)) as number;
  await page.close();
  return {
    diff: { files, filesChanged: commits[0].filesChanged, changedLines: commits[0].additions + commits[0].deletions },
    document: { firstByteMs: load.documentFirstByteMs, endMs: load.documentEndMs, bytes: load.documentBytes },
    firstResponseBytes: load.firstResponseBytes,
    firstResponseMs: load.firstResponseMs && Math.round(load.firstResponseMs),
    // When the page asked for the diff, from navigation: what the page's own start costs.
    firstRequestAtMs: load.firstRequestAtMs && Math.round(load.firstRequestAtMs),
    diffRequestsBeforePaint: load.diffRequests,
    diffBytesBeforePaint: load.bytesBeforePaint,
    diffBytesAfterScroll: totalDiffBytes,
    firstDiffPaintMs: Math.round(load.firstDiffPaintMs),
    wallToFirstDiffPaintMs: Math.round(wallToPaintMs),
    longestTaskWhileLoadingMs: Math.round(Math.max(0, ...load.loadLongtasks)),
    domNodesAtFirstPaint: load.domNodes,
    unified: summarize(unified),
    ...(split && { split: summarize(split) }),
  };
}

const only = process.env.REVIEW_BENCH;
const server = await startBenchServer(Number(process.env.REVIEW_BENCH_PORT ?? 3431));
// Nothing throttles the one page in view: no background timer or renderer throttling.
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-timer-throttling", "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"],
});
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { request } = context;
  const url = server.url;
  // Signing up through the browser context's request client leaves the cookie in the context.
  await api(request, "POST", `${url}/api/auth/sign-up/email`, { name: "Bench Reviewer", email: `bench-${Date.now()}@bench.example`, password: "bench-password-1" });
  const team = await api<{ id: string }>(request, "POST", `${url}/api/teams`, { name: "Bench" });
  await api(request, "POST", `${url}/api/me/team`, { teamId: team.id });

  // A fresh server pays once for what a running one has done long before: loading the route's
  // modules, compiling the database queries it makes (about 0.4 s and 0.3 s here). One small
  // review is opened first, in a context of its own (its own HTTP cache: the measured page still
  // downloads every script), so the figures are a review's, not the process's start.
  const warm = await browser.newContext({ storageState: await context.storageState(), viewport: { width: 1440, height: 900 } });
  await measure(request, warm, url, { name: "warm-up", repo: makeRepo({ "a.txt": "one\n" }), command: "echo two >> a.txt", split: false, loadOnly: true });
  await warm.close();
  // Its sandbox is stopped: nothing of it competes with the measured page for the two cores.
  for (const s of (await api<{ sessions: { id: string }[] }>(request, "GET", `${url}/api/sessions`)).sessions) await api(request, "POST", `${url}/api/sessions/${s.id}/stop`, {});
  await new Promise((r) => setTimeout(r, 3000));

  const results: Record<string, unknown> = {};
  const load0 = os.loadavg()[0];
  if (only !== "synthetic") results.real = await measure(request, context, url, { name: "real", ...realRepo(), split: false });
  if (only !== "real") results.synthetic = await measure(request, context, url, { name: "synthetic", repo: makeRepo(baseFiles()), command: AGENT_COMMAND, split: true });
  writeResult(process.env.REVIEW_BENCH_LOAD_ONLY ? "review-ui-load" : "review-ui", {
    source: "real: python/mypy v0.800..v0.950 (bench/fixtures/README.md); synthetic: 500 generated files",
    ...results,
    // Long tasks stretch when other processes share the two cores: this says how busy it was.
    loadAverage1m: { atStart: Number(load0.toFixed(2)), atEnd: Number(os.loadavg()[0].toFixed(2)) },
  });
} finally {
  await browser.close();
  await server.stop();
  // The session's sandbox outlives the server; this run's data goes with it.
  await removeInstanceSandboxes(server.dir);
  fs.rmSync(server.dir, { recursive: true, force: true });
}

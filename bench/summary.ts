// The latest figures of every benchmark as a Markdown table, read from bench/results/*.json:
// `npx tsx bench/summary.ts` prints it, `--write` puts it in bench/README.md. Every result file
// is listed: its headline figures are the ones named below, or else its first numeric fields;
// `ratio` and `target` are shown when the file has them (else the target, if known).
import fs from "node:fs";
import path from "node:path";

type Result = Record<string, unknown> & { name?: string; at?: string };

/** Figures worth a glance, by benchmark: dotted paths into the JSON. */
const HEADLINES: Record<string, string[]> = {
  "session-start": ["sessionStartMs.median", "bareDockerRunMs.median", "pooledStartMs.median", "warmEnvironmentStartMs.median", "coldSetupStartMs"],
  stream: ["session.mbPerSecond", "rawDockerExec.mbPerSecond", "serverRssBeforeMb", "serverPeakRssMb"],
  history: ["sessions", "events"],
  "review-ui": [
    "real.firstRequestAtMs", "real.firstResponseMs", "real.firstDiffPaintMs", "real.longestTaskWhileLoadingMs", "real.unified.longestTaskMs",
    "real.unified.maxDomNodes", "diff.files", "firstDiffPaintMs", "unified.longestTaskMs",
  ],
  gateway: ["results.0.mode", "results.0.addedMedianMs.median", "results.1.mode", "results.1.addedMedianMs.median"],
  events: ["results.5.sessions", "results.5.batch", "results.5.workerPathFenced.medianEventsPerS", "results.5.raw.medianEventsPerS", "stored.searchable"],
  spawner: ["commands", "direct.seconds.median", "spawner.seconds.median", "direct.loopDelayP99Ms.median", "spawner.loopDelayP99Ms.median"],
  merge: ["diff.files", "to202Ms.median", "jobTotalMs.median", "rawGitMergeMs.median"],
  "long-session": ["steps", "seconds", "toolCalls", "modelRetries", "compactions.events"],
  "long-session-worker": ["steps", "seconds", "toolCalls", "compactions.events"],
  "workspace-disk": ["perSessionOldMB", "perSessionNewMB", "startOldMs", "startNewMs"],
  load: [
    "sessions", "sockets", "idle", "allIdleSeconds", "rawDockerRun.seconds", "nothingLost.watchersWithEverySeq",
    "nothingLost.watchersWithEveryByte", "nothingLost.watchers", "server.peakRssMb", "responsive.health.p50", "responsive.health.p99", "responsive.sessionList.p99",
  ],
};

/** Issue 14's targets, for result files that do not state their own. */
const TARGETS: Record<string, string> = {
  stream: "ratio ≥ 0.5, RSS growth < 100 MB",
  "session-start": "ratio ≤ 1.2 cold; ≤ 250 ms p50 from a warm pool",
  "review-ui": "first paint < 1 s; no task > 100 ms loading or scrolling",
  replay: "per-socket limits; replay streamed in pages; RSS bounded",
  events: "≥ 50,000 events/s batched",
  gateway: "gateway adds ≤ 2 ms median to time-to-first-token",
  load: "100 sessions × 5 watchers, nothing lost, RSS < 1 GB, page responsive",
};

const SKIP = new Set(["name", "at", "machine", "ratio", "target", "loadAverage"]);

function at(obj: unknown, dotted: string): unknown {
  return dotted.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** The first `max` numeric or boolean leaves, arrays left out (they are per-run detail). */
function leaves(obj: Record<string, unknown>, max: number, prefix = ""): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (out.length >= max) break;
    if (!prefix && SKIP.has(k)) continue;
    if (typeof v === "number" || typeof v === "boolean") out.push(`${prefix}${k}`);
    else if (v && typeof v === "object" && !Array.isArray(v)) out.push(...leaves(v as Record<string, unknown>, max - out.length, `${prefix}${k}.`));
  }
  return out;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function summaryTable(dir: string): string {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort() : [];
  const rows = ["| benchmark | latest figures | ratio | target | measured |", "|---|---|---|---|---|"];
  for (const file of files) {
    let r: Result;
    try {
      r = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Result;
    } catch (err) {
      rows.push(`| ${file} | unreadable: ${cell((err as Error).message)} | | | |`);
      continue;
    }
    const name = r.name ?? path.basename(file, ".json");
    const paths = HEADLINES[name] ?? leaves(r, 8);
    const figures = paths.map((p) => [p, at(r, p)] as const).filter(([, v]) => v !== undefined).map(([p, v]) => `${p} ${typeof v === "number" ? v.toLocaleString("en") : String(v)}`);
    const ratio = typeof r.ratio === "number" ? String(r.ratio) : "";
    const target = typeof r.target === "string" ? r.target : TARGETS[name] ?? "";
    const when = r.at ? r.at.slice(0, 16).replace("T", " ") : "";
    rows.push(`| ${cell(name)} | ${cell(figures.join("; "))} | ${ratio} | ${cell(target)} | ${when} |`);
  }
  return rows.join("\n");
}

/** Puts the table between the summary markers of bench/README.md. */
function writeReadme(table: string): void {
  const readme = path.resolve("bench/README.md");
  const text = fs.readFileSync(readme, "utf8");
  const next = text.replace(/(<!-- summary:start -->\n)[\s\S]*?(<!-- summary:end -->)/, `$1${table}\n$2`);
  fs.writeFileSync(readme, next);
}

if (process.argv[1]?.endsWith("summary.ts")) {
  const table = summaryTable(path.resolve("bench/results"));
  if (process.argv.includes("--write")) writeReadme(table);
  else console.log(table);
}

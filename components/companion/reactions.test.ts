// The companion's reactions to a scripted session: what it says, when, and what it keeps quiet
// about (the replay, repeats within a few seconds, tests nobody ran).
import { describe, expect, it } from "vitest";
import type { SessionEvent } from "../../lib/events/schema";
import type { Companion } from "../../lib/protocol/companion";
import { APPROVAL_WAIT_MS, checkWait, lineText, MIN_GAP_MS, observe, QUIET_MS, startWatch, testCommandIn, type Watch } from "./reactions";

const pip: Companion = { species: "otter", glyph: "🦦", rarity: "rare", stats: { patience: 4, curiosity: 7, cheer: 9, grit: 3 }, name: "Pip", hidden: false };

type Data = { [E in SessionEvent as E["type"]]: E["data"] };
let seq = 0;
const ev = <T extends keyof Data>(type: T, data: Data[T]) => ({ seq: ++seq, type, ts: new Date().toISOString(), data }) as SessionEvent;
const shell = (callId: string, command: string) => ev("tool.call", { callId, name: "shell", input: { command } });
const result = (callId: string, exitCode: number) => ev("tool.result", { callId, isError: exitCode !== 0, exitCode, output: "", truncated: false, durationMs: 5 });
const status = (s: "running" | "idle" | "failed" | "awaiting_approval") => ev("status", { status: s });

/** Feeds events one per `stepMs` of a fake clock; returns every line said. */
function run(events: SessionEvent[], opts: { live?: boolean; start?: Watch; t0?: number; stepMs?: number; companion?: Companion | null } = {}) {
  let t = opts.t0 ?? 1_000_000;
  let watch = opts.start ?? startWatch(t);
  const companion = opts.companion === undefined ? pip : opts.companion;
  const lines: { kind: string; text: string }[] = [];
  for (const e of events) {
    t += opts.stepMs ?? MIN_GAP_MS;
    const r = observe(watch, e, { live: opts.live ?? true, now: t, companion });
    watch = r.watch;
    if (r.line) lines.push({ kind: r.line.kind, text: lineText(companion!, r.line) });
  }
  return { lines, watch, t };
}

describe("the companion's reactions", () => {
  it("notices a failing `npm test`, then cheers when it passes again", () => {
    const { lines } = run([status("running"), shell("c1", "cd app && npm test"), result("c1", 1), shell("c2", "ls"), result("c2", 0), shell("c3", "npm test -- --run"), result("c3", 0)]);
    expect(lines.map((l) => l.kind)).toEqual(["test-failed", "tests-pass"]);
    expect(lines[0].text).toMatch(/^🦦 Pip: .*`npm test`/);
    expect(lines[0].text).toMatch(/fail/i);
    expect(lines[1].text).toMatch(/^🦦 Pip: .*`npm test`/);
  });

  it("says nothing of a passing test run that never failed, nor of a failing command that runs no tests", () => {
    const { lines } = run([shell("a", "npx vitest run"), result("a", 0), shell("b", "grep -r TODO ."), result("b", 1)]);
    expect(lines).toEqual([]);
  });

  it("recognises the usual test runners and quotes the runner, not the whole command line", () => {
    const cases: [string, string | null][] = [
      ["npm test", "npm test"],
      ["pnpm run test:unit -- --watch=false", "pnpm run test:unit"],
      ["yarn test", "yarn test"],
      ["npx vitest run lib", "npx vitest"],
      ["npx jest --ci", "npx jest"],
      ["cd py && python -m pytest -q", "python -m pytest"],
      ["pytest tests/", "pytest"],
      ["go test ./...", "go test"],
      ["cargo test --all", "cargo test"],
      ["make test", "make test"],
      ["bundle exec rspec spec/models", "bundle exec rspec"],
      ["mvn -q test", "mvn -q test"],
      ["./gradlew test", "./gradlew test"],
      ["npm install", null],
      ["cat test.txt", null],
      ["echo attest", null],
      ["latest-jest-results", null],
      ["./myjest", null],
    ];
    expect(cases.map(([cmd]) => [cmd, testCommandIn(cmd)])).toEqual(cases);
  });

  it("notices a large commit, a finished turn, a merge, a budget warning, another alert and a failure", () => {
    const { lines } = run([
      status("running"),
      ev("commit", { sha: "a".repeat(40), message: "small", filesChanged: 2, insertions: 30, deletions: 5 }),
      ev("commit", { sha: "b".repeat(40), message: "big", filesChanged: 3, insertions: 350, deletions: 60 }),
      ev("commit", { sha: "c".repeat(40), message: "wide", filesChanged: 15, insertions: 15, deletions: 0 }),
      status("idle"),
      ev("branch", { action: "merged", sha: "b".repeat(40), detail: "main (merge)" }),
      ev("branch", { action: "pushed", sha: "b".repeat(40) }),
      ev("error", { source: "host", message: "budget reached: $0.51 of $0.50 (session budget); raise it to continue" }),
      ev("alert", { kind: "budget", message: "80% of the budget is spent" }),
      ev("alert", { kind: "looping", message: "`npm test` failed 4 times in a row" }),
      status("failed"),
    ]);
    expect(lines.map((l) => l.kind)).toEqual(["big-diff", "big-diff", "turn-done", "merged", "budget", "budget", "alert", "failed"]);
    expect(lines[0].text).toMatch(/410 lines/);
    expect(lines[1].text).toMatch(/15 files/);
    expect(lines[6].text).toContain("`npm test` failed 4 times in a row");
    expect(lines.every((l) => l.text.startsWith("🦦 Pip: "))).toBe(true);
  });

  it("says a finished turn only after work: idle from starting or stopped is not news", () => {
    expect(run([ev("status", { status: "starting" }), status("idle")]).lines).toEqual([]);
    expect(run([status("running"), ev("status", { status: "awaiting_approval" }), status("running"), status("idle")]).lines.map((l) => l.kind)).toEqual(["turn-done"]);
  });

  it("stays quiet during the replay but learns from it: tests passing after a replayed failure are news", () => {
    const replay = run([status("running"), shell("c1", "npm test"), result("c1", 1), ev("commit", { sha: "d".repeat(40), message: "huge", filesChanged: 40, insertions: 900, deletions: 0 }), status("idle"), status("failed")], { live: false });
    expect(replay.lines).toEqual([]);
    const live = run([status("running"), shell("c2", "npm test"), result("c2", 0)], { start: replay.watch, t0: replay.t });
    expect(live.lines.map((l) => l.kind)).toEqual(["tests-pass"]);
  });

  it("says at most one line every few seconds", () => {
    const burst = run([status("running"), shell("x", "npm test"), result("x", 1), status("idle"), ev("branch", { action: "merged", sha: "e".repeat(40) })], { stepMs: 500 });
    expect(burst.lines.map((l) => l.kind)).toEqual(["test-failed"]);
    const later = run([status("running"), status("idle")], { start: burst.watch, t0: burst.t, stepMs: MIN_GAP_MS });
    expect(later.lines.map((l) => l.kind)).toEqual(["turn-done"]);
  });

  it("varies its words with the event's seq and the companion's stats, and uses the species until named", () => {
    const texts = new Set<string>();
    for (let i = 0; i < 6; i++) texts.add(run([shell(`t${i}`, "go test ./..."), result(`t${i}`, 2)]).lines[0].text);
    expect(texts.size).toBeGreaterThan(1);
    const again = (s: number) => observe(startWatch(0), { seq: s, type: "status", ts: "", data: { status: "failed" } }, { live: true, now: 10, companion: pip }).line!;
    expect(lineText(pip, again(7))).toBe(lineText(pip, again(7)));
    // A rename shows at once, in the line already on screen.
    expect(lineText({ ...pip, name: "Moss" }, again(7))).toMatch(/^🦦 Moss: /);
    const unnamed = run([status("running"), status("idle")], { companion: { ...pip, name: null } });
    expect(unnamed.lines[0].text).toMatch(/^🦦 Otter: /);
    expect(run([status("running"), status("failed")], { companion: null }).lines).toEqual([]);
  });

  it("mentions a long quiet spell while running and a long wait for an approval, once each", () => {
    const t0 = 5_000_000;
    let w = run([status("running")], { t0, stepMs: 0 }).watch;
    const check = (now: number) => {
      const r = checkWait(w, { live: true, now, companion: pip });
      w = r.watch;
      return r.line?.kind ?? null;
    };
    expect(check(t0 + QUIET_MS - 1000)).toBeNull();
    expect(check(t0 + QUIET_MS)).toBe("long-wait");
    expect(check(t0 + QUIET_MS + 60_000)).toBeNull();
    const waiting = observe(w, ev("status", { status: "awaiting_approval" }), { live: true, now: t0 + 200_000, companion: pip });
    w = waiting.watch;
    expect(check(t0 + 200_000 + APPROVAL_WAIT_MS - 1)).toBeNull();
    expect(check(t0 + 200_000 + APPROVAL_WAIT_MS)).toBe("approval-wait");
    expect(check(t0 + 200_000 + 5 * APPROVAL_WAIT_MS)).toBeNull();
  });
});

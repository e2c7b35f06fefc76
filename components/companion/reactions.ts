// What the companion notices in a session's events, as a pure fold: the component feeds every
// event (the replay too, to learn the state), but only events that arrive live may make it speak,
// and at most one line per MIN_GAP_MS. Long waits are checked by the component's timer
// (checkWait). Everything here runs in the browser from events the page already has.
import type { SessionEvent, SessionStatus } from "../../lib/events/schema";
import type { Companion } from "../../lib/protocol/companion";
import { isShellTool } from "../lib/tools";
import { speak, type LineFacts, type ReactionKind } from "./lines";

export const MIN_GAP_MS = 5_000;
/** Running with no event for this long is a long wait. */
export const QUIET_MS = 120_000;
/** Waiting for an approval this long is worth a nudge. */
export const APPROVAL_WAIT_MS = 60_000;
/** A commit this large (insertions + deletions, or files) is a large diff. */
export const BIG_DIFF_LINES = 400;
export const BIG_DIFF_FILES = 15;
/** Matches the gateway's refusal (lib/sessions/budget.ts). */
const BUDGET_PREFIX = "budget reached";
/** Test runs waiting for their result; more than this many at once are not tracked. */
const MAX_PENDING_TESTS = 50;

// A test runner somewhere in a shell command line; the match is what the line quotes.
const TEST_COMMAND =
  /(?<![\w-])(?:(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?test(?::[\w:-]+)?|(?:npx|bunx|pnpm\s+exec|yarn)\s+(?:vitest|jest|mocha|ava|playwright\s+test)|pytest|python3?\s+-m\s+(?:pytest|unittest)|go\s+test|cargo\s+(?:test|nextest)|make\s+(?:test|check)|(?:bundle\s+exec\s+)?rspec|mvn\s+(?:[\w:.-]+\s+)*test|(?:\.\/)?gradlew?\s+(?:[\w:.-]+\s+)*test|dotnet\s+test|mix\s+test|deno\s+test|phpunit|vitest|jest)(?![\w-])/;

/** Something worth a line; its words come from lineText, with the companion as it is when shown (a rename shows at once). */
export interface Line {
  kind: ReactionKind;
  /** Picks the template (with the companion's stats). */
  seq: number;
  facts: LineFacts;
}

export const lineText = (c: Companion, l: Line): string => speak(c, l.kind, l.seq, l.facts);

export interface Watch {
  /** Shell calls that run tests, by call id: the test command they run. */
  testCalls: Record<string, string>;
  /** The last test run failed (so the next passing one is news). */
  testsFailing: boolean;
  status: SessionStatus | null;
  statusSince: number;
  lastEventAt: number;
  /** Which wait was already mentioned, so a long wait is said once. */
  waitSaid: string | null;
  lastLineAt: number | null;
}

export const startWatch = (now: number): Watch => ({ testCalls: {}, testsFailing: false, status: null, statusSince: now, lastEventAt: now, waitSaid: null, lastLineAt: null });

interface Ctx {
  live: boolean;
  now: number;
  companion: Companion | null;
}

/** The test runner a shell command runs, or null. */
export function testCommandIn(command: string): string | null {
  const m = TEST_COMMAND.exec(command.slice(0, 2000));
  return m ? clip(m[0].replace(/\s+/g, " "), 40) : null;
}

/** Folds one event into the watch; says a line when the event is live and worth it. */
export function observe(w: Watch, e: SessionEvent, ctx: Ctx): { watch: Watch; line: Line | null } {
  const next: Watch = { ...w, lastEventAt: ctx.now };
  const said = noticed(next, e, ctx.now);
  if (!said || !ctx.live) return { watch: next, line: null };
  return say(next, ctx, said.kind, e.seq, said.facts);
}

/** Called by the component's timer: a long quiet spell while running, or a long wait for an approval. */
export function checkWait(w: Watch, ctx: Ctx): { watch: Watch; line: Line | null } {
  const quiet = w.status === "running" && ctx.now - w.lastEventAt >= QUIET_MS ? `quiet:${w.lastEventAt}` : null;
  const approval = w.status === "awaiting_approval" && ctx.now - w.statusSince >= APPROVAL_WAIT_MS ? `approval:${w.statusSince}` : null;
  const key = approval ?? quiet;
  if (!key || key === w.waitSaid || !ctx.live) return { watch: w, line: null };
  const r = say({ ...w, waitSaid: key }, ctx, approval ? "approval-wait" : "long-wait", Math.floor(ctx.now / 1000));
  return r.line ? r : { watch: w, line: null };
}

function say(w: Watch, ctx: Ctx, kind: ReactionKind, seq: number, facts: LineFacts = {}): { watch: Watch; line: Line | null } {
  if (!ctx.companion) return { watch: w, line: null };
  if (w.lastLineAt !== null && ctx.now - w.lastLineAt < MIN_GAP_MS) return { watch: w, line: null };
  return { watch: { ...w, lastLineAt: ctx.now }, line: { kind, seq, facts } };
}

/** What an event means to the companion; updates `w` in place (it is the caller's fresh copy). */
function noticed(w: Watch, e: SessionEvent, now: number): { kind: ReactionKind; facts?: LineFacts } | null {
  switch (e.type) {
    case "tool.call": {
      const input = e.data.input as { command?: unknown } | null;
      const cmd = isShellTool(e.data.name, input) && typeof input?.command === "string" ? testCommandIn(input.command) : null;
      if (cmd && Object.keys(w.testCalls).length < MAX_PENDING_TESTS) w.testCalls = { ...w.testCalls, [e.data.callId]: cmd };
      return null;
    }
    case "tool.result": {
      const cmd = w.testCalls[e.data.callId];
      if (cmd === undefined) return null;
      const { [e.data.callId]: _done, ...rest } = w.testCalls;
      w.testCalls = rest;
      const failed = e.data.isError || (e.data.exitCode != null && e.data.exitCode !== 0);
      const wasFailing = w.testsFailing;
      w.testsFailing = failed;
      if (failed) return { kind: "test-failed", facts: { cmd } };
      return wasFailing ? { kind: "tests-pass", facts: { cmd } } : null;
    }
    case "commit": {
      const lines = e.data.insertions + e.data.deletions;
      return lines >= BIG_DIFF_LINES || e.data.filesChanged >= BIG_DIFF_FILES ? { kind: "big-diff", facts: { files: e.data.filesChanged, lines } } : null;
    }
    case "status": {
      const before = w.status;
      w.status = e.data.status;
      if (before !== e.data.status) w.statusSince = now;
      if (e.data.status === "failed") return { kind: "failed" };
      const wasWorking = before === "running" || before === "awaiting_approval";
      return e.data.status === "idle" && wasWorking ? { kind: "turn-done" } : null;
    }
    case "branch":
      return e.data.action === "merged" ? { kind: "merged" } : null;
    case "alert":
      return e.data.kind === "budget" ? { kind: "budget" } : { kind: "alert", facts: { alertKind: e.data.kind, message: clip(e.data.message, 100) } };
    case "error":
      return e.data.message.toLowerCase().startsWith(BUDGET_PREFIX) ? { kind: "budget" } : null;
    default:
      return null;
  }
}

const clip = (s: string, max: number): string => {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};

/** What it says when a person opens the bubble before anything happened. */
export const greeting = (): Line => ({ kind: "hello", seq: 0, facts: {} });

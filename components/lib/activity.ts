// What the agent is doing right now, for the activity line at the end of the transcript: derived
// from the transcript's items and the status (nothing is stored for it). Times are the server's
// event times; the line counts from them with the browser's clock.
import { isTerminal, isWorking, type SessionStatus } from "../../lib/events/status";
import type { TranscriptItem } from "./transcript-items";

export type Activity =
  | { kind: "stopping" }
  | { kind: "approval" }
  | { kind: "retry"; until: number }
  | { kind: "starting"; since: number }
  | { kind: "setup"; since: number }
  | { kind: "tool"; label: string; since: number }
  | { kind: "thinking"; since: number };

/** How far back an open tool, retry or setup is looked for (they are at the end, or nearly). */
const LOOK_BACK = 30;

const time = (iso: string) => Date.parse(iso);

/** What the agent does now; null when nothing happens (idle, stopped, failed). */
export function activityOf(items: readonly TranscriptItem[], status: SessionStatus, stopping: boolean): Activity | null {
  if (isTerminal(status)) return null;
  if (stopping) return { kind: "stopping" };
  if (status === "awaiting_approval") return { kind: "approval" };
  if (!isWorking(status)) return null;
  let lastEnd = 0;
  let statusAt = 0;
  for (let i = items.length - 1; i >= 0 && i >= items.length - LOOK_BACK; i--) {
    const it = items[i];
    lastEnd = Math.max(lastEnd, endOf(it));
    if (it.kind === "retry" && !it.settled) return { kind: "retry", until: time(it.at) + it.waitMs };
    if (it.kind === "setup" && it.state === "running" && !it.interrupted) return { kind: "setup", since: time(it.ts) };
    if (it.kind === "tool" && !it.result && !it.interrupted && !it.awaitingApproval) return { kind: "tool", label: toolLabel(it.name, it.input), since: time(it.ts) };
    if (it.kind === "status") {
      statusAt = time(it.ts);
      break; // a new phase: nothing before it is still open
    }
  }
  if (status === "queued" || status === "starting") return { kind: "starting", since: statusAt || lastEnd };
  return { kind: "thinking", since: lastEnd };
}

/** When an item's last known moment was: a finished tool ends after its duration. */
function endOf(it: TranscriptItem): number {
  if (it.kind === "tool" && it.result) return time(it.ts) + it.result.durationMs;
  if (it.kind === "retry") return time(it.at);
  if (it.kind === "approval" && it.decision) return time(it.decision.ts);
  return time(it.ts);
}

/** "running `npm test`" for a shell command (first line, shortened); "running a subagent: …" for task; "using read_file" for other tools. */
export function toolLabel(name: string, input: unknown): string {
  if (name === "task") {
    const d = input && typeof input === "object" ? (input as { description?: unknown }).description : undefined;
    return typeof d === "string" && d.trim() ? `running a subagent: ${d.trim().slice(0, 60)}` : "running a subagent";
  }
  const command = name === "shell" && input && typeof input === "object" ? (input as { command?: unknown }).command : undefined;
  if (typeof command !== "string" || !command.trim()) return `using ${name}`;
  const [first, ...rest] = command.trim().split("\n");
  const short = first.length > 60 ? `${first.slice(0, 59)}…` : rest.length ? `${first} …` : first;
  return `running \`${short}\``;
}

/** "12 s", "1 min 40 s", "2 h 5 min". */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${Math.floor(m / 60)} h`;
}

/** The line's words at `now`. */
export function activityText(a: Activity, now: number, canDecide: boolean): string {
  switch (a.kind) {
    case "stopping":
      return "stopping…";
    case "approval":
      return canDecide ? "waiting for your approval" : "waiting for an approval";
    case "retry": {
      const left = a.until - now;
      return left > 500 ? `retrying in ${formatElapsed(left + 999)}` : "retrying now…";
    }
    case "starting":
      return `starting the sandbox… ${formatElapsed(now - a.since)}`;
    case "setup":
      return `setting up the environment… ${formatElapsed(now - a.since)}`;
    case "tool":
      return `${a.label}… ${formatElapsed(now - a.since)}`;
    case "thinking":
      return `thinking… ${formatElapsed(now - a.since)}`;
  }
}

// The detectors: pure functions from what is stored (or measured) to a finding, with the clock
// passed in. Each finding carries the key of its episode, so raising it twice is one alert and a
// new episode (progress then a new stall, a raised budget, the next hour) is a new one.
import type { AlertKind } from "../protocol/alerts";
import { formatBytes } from "../sandbox/disk-guard";

export interface Finding {
  kind: AlertKind;
  /** What the alert says, for people ("`npm test` failed 3 times in a row"). */
  message: string;
  key: string;
}

/** Events that show the agent is getting somewhere: output, a finished tool, a model call or its retry. */
export const PROGRESS_EVENTS = ["assistant.text", "tool.output", "tool.result", "usage", "model.retry"] as const;

/** The last progress (or status change: a session that just went running has not stalled yet). */
export interface LastProgress {
  seq: number;
  ts: Date;
}

/** A running session whose last progress is `minutes` or more old. */
export function detectStuck(sessionId: string, status: string, last: LastProgress | null, now: Date, minutes: number): Finding | null {
  if (status !== "running" || !last) return null;
  const idle = Math.floor((now.getTime() - last.ts.getTime()) / 60_000);
  if (idle < minutes) return null;
  return { kind: "stuck", message: `No output and no model call for ${idle} minutes`, key: `stuck:${sessionId}:${last.seq}` };
}

/** One tool call and how it ended (null: still running). */
export interface ToolCallRow {
  seq: number;
  name: string;
  /** The shell command (shell calls only). */
  command: string | null;
  failed: boolean | null;
}

/** "npm   test\n" and "npm test" are the same attempt. */
export const normaliseCommand = (c: string): string => c.trim().replace(/\s+/g, " ");

const shown = (c: string) => (c.length > 120 ? `${c.slice(0, 119)}…` : c);

/**
 * The same shell command failing `repeats` times in a row, at the end of `calls` (in seq order).
 * Any other call in between breaks the run: an agent that edits between two test runs is working,
 * not looping. A call still running is not counted either way.
 */
export function detectLooping(sessionId: string, calls: ToolCallRow[], repeats: number): Finding | null {
  const done = calls.filter((c) => c.failed !== null);
  const last = done.at(-1);
  if (!last || last.name !== "shell" || !last.command || !last.failed) return null;
  const command = normaliseCommand(last.command);
  let first = done.length - 1;
  while (first > 0) {
    const prev = done[first - 1];
    if (prev.name !== "shell" || !prev.command || !prev.failed || normaliseCommand(prev.command) !== command) break;
    first--;
  }
  const run = done.length - first;
  if (run < repeats) return null;
  return { kind: "looping", message: `\`${shown(command)}\` failed ${run} times in a row`, key: `looping:${sessionId}:${done[first].seq}` };
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** 80 % of the session's budget spent (100 % is the gateway's, notified as session.budget). */
export function detectBudget(sessionId: string, costUsd: number, budgetUsd: number | null): Finding | null {
  if (budgetUsd == null || budgetUsd <= 0 || costUsd < 0.8 * budgetUsd) return null;
  return { kind: "budget", message: `Spent ${usd(costUsd)} of its ${usd(budgetUsd)} budget`, key: `budget:${sessionId}:${budgetUsd}` };
}

const pct = (used: number, of: number) => Math.floor((used / of) * 100);

/** Memory in use against the container's limit (page cache that can be dropped not counted). */
export interface MemoryUse {
  used: number;
  limit: number;
}

/** A sandbox at 90 % of its memory limit or more; one alert per session and hour. */
export function detectMemory(sessionId: string, use: MemoryUse | null, now: Date): Finding | null {
  if (!use || use.limit <= 0 || use.used < 0.9 * use.limit) return null;
  return {
    kind: "memory",
    message: `The sandbox uses ${formatBytes(use.used)} of its ${formatBytes(use.limit)} memory limit (${pct(use.used, use.limit)}%): the agent's processes may be killed`,
    key: `memory:${sessionId}:${now.toISOString().slice(0, 13)}`,
  };
}

/** Bytes used on the session's filesystem and its size (what the agent can fill). */
export interface DiskUse {
  used: number;
  size: number;
}

/** The session's filesystem 90 % full or more; one alert per session and day. */
export function detectDisk(sessionId: string, use: DiskUse | null, now: Date): Finding | null {
  if (!use || use.size <= 0 || use.used < 0.9 * use.size) return null;
  return {
    kind: "disk",
    message: `Its disk is ${pct(use.used, use.size)}% full (${formatBytes(use.used)} of ${formatBytes(use.size)}): writes will soon fail`,
    key: `disk:${sessionId}:${now.toISOString().slice(0, 10)}`,
  };
}

/** A tool result that failed: an error for the model, or a command's non-zero exit. */
export const failedResult = (r: { isError: boolean; exitCode?: number | null }): boolean => r.isError || (r.exitCode != null && r.exitCode !== 0);

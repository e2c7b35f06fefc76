// The detectors on a session's stored rows: read what each needs (only the columns it needs:
// tool output can be large), decide, raise. Used by the minute scan and, for looping and budget,
// right after events are stored.
import { db } from "../db/client";
import { env } from "../config/env";
import type { AlertKind } from "../protocol/alerts";
import { detectBudget, detectDisk, detectLooping, detectMemory, detectStuck, failedResult, PROGRESS_EVENTS, type DiskUse, type Finding, type LastProgress, type MemoryUse, type ToolCallRow } from "./detect";
import { raiseAlert } from "./raise";
import { resolveSessionAlerts } from "./resolve";

/** The session columns the detectors read. */
export const ALERT_SESSION = { id: true, teamId: true, status: true, prompt: true, costUsd: true, budgetUsd: true, containerId: true, engine: true } as const;
export interface AlertSession {
  id: string;
  teamId: string;
  status: string;
  prompt: string;
  costUsd: number;
  budgetUsd: number | null;
  containerId: string | null;
  /** The Docker engine its sandbox runs on (null: the default). */
  engine?: string | null;
}

const TITLES: Record<AlertKind, string> = {
  stuck: "Stuck",
  looping: "Looping",
  budget: "Budget at 80%",
  memory: "Memory nearly full",
  disk: "Disk nearly full",
  check: "Check needs attention",
};

const sessionTitle = (prompt: string) => {
  const line = prompt.trim().split("\n")[0]?.trim() || "untitled session";
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
};

/** Raises a finding on its session; answers whether this call created the alert. */
export async function raiseFinding(s: AlertSession, f: Finding): Promise<boolean> {
  const { created } = await raiseAlert({ teamId: s.teamId, sessionId: s.id, kind: f.kind, title: `${TITLES[f.kind]}: ${sessionTitle(s.prompt)}`, message: f.message, key: f.key });
  return created;
}

/** The last event that shows progress, or the last status change, whichever is later. */
export async function lastProgress(sessionId: string): Promise<LastProgress | null> {
  const row = await db().event.findFirst({
    where: { sessionId, type: { in: [...PROGRESS_EVENTS, "status"] } },
    orderBy: { seq: "desc" },
    select: { seq: true, ts: true },
  });
  return row;
}

/** Stuck: raises the current stall (if any) and resolves earlier stalls that ended in progress. */
export async function checkStuck(s: AlertSession, now: Date): Promise<boolean> {
  const finding = detectStuck(s.id, s.status, await lastProgress(s.id), now, env().DOCKSIDE_ALERT_STUCK_MINUTES);
  await resolveSessionAlerts(s.id, ["stuck"], finding?.key);
  return finding ? raiseFinding(s, finding) : false;
}

// Enough for a long run of the same command, with parallel calls and other tools around it.
const TOOL_WINDOW = 200;

/** The session's latest tool calls with how they ended, oldest first (commands cut at 4000 characters). */
export async function recentToolCalls(sessionId: string, limit = TOOL_WINDOW): Promise<ToolCallRow[]> {
  const rows = await db().$queryRaw<{ seq: number; type: string; call_id: string | null; name: string | null; command: string | null; is_error: string | null; exit_code: string | null }[]>`
    SELECT seq, type, data->>'callId' AS call_id, data->>'name' AS name, left(data->'input'->>'command', 4000) AS command,
           data->>'isError' AS is_error, data->>'exitCode' AS exit_code
    FROM events WHERE session_id = ${sessionId} AND type IN ('tool.call', 'tool.result')
    ORDER BY seq DESC LIMIT ${limit}`;
  const calls: ToolCallRow[] = [];
  const byId = new Map<string, ToolCallRow>();
  for (const r of rows.reverse()) {
    if (!r.call_id) continue;
    if (r.type === "tool.call") {
      const call = { seq: r.seq, name: r.name ?? "", command: r.command, failed: null };
      calls.push(call);
      byId.set(r.call_id, call);
      continue;
    }
    const call = byId.get(r.call_id);
    if (call) call.failed = failedResult({ isError: r.is_error === "true", exitCode: r.exit_code == null ? null : Number(r.exit_code) });
  }
  return calls;
}

export async function checkLooping(s: AlertSession): Promise<boolean> {
  const finding = detectLooping(s.id, await recentToolCalls(s.id), env().DOCKSIDE_ALERT_LOOP_REPEATS);
  if (!finding) return false;
  // One open looping alert per session: an agent alternating three failures and one success would
  // otherwise raise an alert (a notification, a webhook delivery) every fourth command.
  const open = await db().alert.findFirst({ where: { sessionId: s.id, kind: "looping", resolvedAt: null }, select: { id: true } });
  return open ? false : raiseFinding(s, finding);
}

export async function checkBudget(s: AlertSession): Promise<boolean> {
  const finding = detectBudget(s.id, s.costUsd, s.budgetUsd);
  return finding ? raiseFinding(s, finding) : false;
}

/** How the scan measures a sandbox (injectable: tests pass their numbers). */
export interface Measure {
  memory(containerId: string, engine?: string | null): Promise<MemoryUse | null>;
  disk(sessionId: string): Promise<DiskUse | null>;
}

/** Memory and disk of a session whose sandbox runs; answers how many alerts it created. */
export async function checkResources(s: AlertSession, now: Date, measure: Measure): Promise<number> {
  let created = 0;
  const memory = s.containerId ? detectMemory(s.id, await measure.memory(s.containerId, s.engine), now) : null;
  if (memory && (await raiseFinding(s, memory))) created++;
  const disk = detectDisk(s.id, await measure.disk(s.id), now);
  if (disk && (await raiseFinding(s, disk))) created++;
  return created;
}

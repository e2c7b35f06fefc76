// The agent's `report` tool: a check routine's verdict. The `report` event goes into the session's
// log whatever the session; on a routine's run the verdict is stored, and a check's `attention`
// raises an alert (which notifies "routine.attention"). A resend of the same call changes nothing.
import { db } from "../db/client";
import { AppError } from "../errors";
import { maskSecrets } from "../environments/mask";
import { ev } from "../events/schema";
import type { ReportRequest } from "../protocol/routines";
import { textProblem } from "../protocol/text";
import type { AgentCallContext } from "../sessions/agent-context";
import { alertCheck } from "./check-alerts";

/** Records the `report` event and the run's verdict; `attention` raises an alert. Idempotent by callId. */
export async function reportFromAgent(ctx: AgentCallContext, req: ReportRequest): Promise<void> {
  // One report at a time per session, so a resend racing its original is seen as one.
  const previous = inFlight.get(ctx.sessionId) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(() => report(ctx, req));
  inFlight.set(ctx.sessionId, mine);
  try {
    await mine;
  } finally {
    if (inFlight.get(ctx.sessionId) === mine) inFlight.delete(ctx.sessionId);
  }
}
const inFlight = new Map<string, Promise<void>>();

/**
 * A check reports once; a few more are corrections. Past this, a looping agent's reports are
 * refused, not stored: 409, as the worker retries a 429 forever (sandbox/worker/channel.ts).
 */
export const MAX_REPORTS = 20;

async function report(ctx: AgentCallContext, req: ReportRequest): Promise<void> {
  const seen = await db().event.findFirst({ where: { sessionId: ctx.sessionId, type: "report", data: { path: ["callId"], equals: req.callId } }, select: { id: true } });
  if (seen) return;
  // The summary becomes an event, an alert and a notification: what PostgreSQL cannot store is a 422, not a 500.
  const problem = textProblem(req.summary);
  if (problem) throw new AppError("invalid", `summary ${problem}`);
  const reports = await db().event.count({ where: { sessionId: ctx.sessionId, type: "report" } });
  if (reports >= MAX_REPORTS) throw new AppError("conflict", `this session already reported ${MAX_REPORTS} times; the last verdict stands`);
  await ctx.record([ev("report", { verdict: req.verdict, summary: req.summary, callId: req.callId })]);
  const run = await db().routineRun.findUnique({ where: { sessionId: ctx.sessionId }, include: { routine: { select: { id: true, teamId: true, name: true, kind: true } } } });
  if (!run) return;
  const summary = maskSecrets(req.summary, [...ctx.masks]);
  await db().routineRun.update({ where: { id: run.id }, data: { verdict: req.verdict, summary } });
  if (req.verdict === "attention" && run.routine.kind === "check") {
    await alertCheck(run.routine, { runId: run.id, sessionId: ctx.sessionId }, summary, `check:${run.id}`);
  }
}

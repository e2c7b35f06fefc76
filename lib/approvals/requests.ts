// The worker's side of approvals (POST /worker/approvals, GET /worker/approvals/:id): a tool call
// or a plan that needs a person. The row is the truth (it outlives restarts of the server and of
// the sandbox); the event log says what happened, and the session waits in awaiting_approval.
import { randomUUID } from "node:crypto";
import { db } from "../db/client";
import { Prisma, type Approval } from "../db/generated/client";
import { AppError } from "../errors";
import { ev, type NewEvent } from "../events/schema";
import { cleanJson, cleanText } from "../events/sanitize";
import { isTerminal } from "../events/status";
import type { AppendPlan, AppendResult, LockedSession } from "../events/store";
import { maskDeep } from "../environments/secrets";
import type { ApprovalRequest, WorkerApprovalState } from "../protocol/permissions";
import { toWorkerState } from "./dto";

export type HostAppend = (plan: (row: LockedSession) => AppendPlan) => Promise<AppendResult>;

export interface RequestContext {
  sessionId: string;
  /** Appends host events on the locked session row, masked and published (LiveSession). */
  append: HostAppend;
  /** The session's secret values: masked in what is stored and shown. */
  masks: readonly string[];
  /** A stop was asked for: nothing new waits for a person (the request is answered cancelled). */
  stopping: boolean;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isApprovalId = (id: string) => UUID_RE.test(id);

/**
 * Idempotent by (session, callId): a request the host already holds answers with that row as it
 * is now (a resend after a lost answer or a restart). A new one is stored pending, with
 * `approval.requested` and `status awaiting_approval` in the log.
 */
export async function requestApproval(ctx: RequestContext, req: ApprovalRequest): Promise<WorkerApprovalState> {
  const existing = await db().approval.findUnique({ where: { sessionId_callId: { sessionId: ctx.sessionId, callId: req.callId } } });
  if (existing) return toWorkerState(existing);
  const session = await db().session.findUnique({ where: { id: ctx.sessionId }, select: { teamId: true, status: true } });
  if (!session) throw new AppError("not_found", "session not found");
  if (isTerminal(session.status)) throw new AppError("conflict", `the session is ${session.status}: nothing can be approved`);

  const mask = <T>(v: T): T => (ctx.masks.length ? maskDeep(v, [...ctx.masks]) : v);
  const input = mask(cleanJson(req.input ?? null));
  const reason = mask(cleanText(req.reason));
  const tool = cleanText(req.tool);
  const callId = cleanText(req.callId);
  let row: Approval;
  try {
    row = await db().approval.create({
      data: {
        id: randomUUID(),
        sessionId: ctx.sessionId,
        teamId: session.teamId,
        callId,
        kind: req.kind,
        tool,
        input: input === null ? Prisma.JsonNull : (input as Prisma.InputJsonValue),
        reason,
        ...(ctx.stopping ? { status: "cancelled", message: "the session is stopping", decidedAt: new Date() } : {}),
      },
    });
  } catch (err) {
    // The same call asked twice at once: the other request stored it.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      return toWorkerState(await db().approval.findUniqueOrThrow({ where: { sessionId_callId: { sessionId: ctx.sessionId, callId: req.callId } } }));
    }
    throw err;
  }
  if (ctx.stopping) return toWorkerState(row);
  let ended = false;
  try {
    await ctx.append((locked) => {
      ended = isTerminal(locked.status);
      if (ended) return { events: [] };
      const events: NewEvent[] = [ev("approval.requested", { approvalId: row.id, callId, kind: req.kind, tool, input, reason })];
      if (locked.status !== "awaiting_approval") events.push(ev("status", { status: "awaiting_approval", reason: reason.slice(0, 500) || undefined }));
      return { events };
    });
  } catch (err) {
    // Nothing in the log says it waits: the worker's resend asks again from scratch.
    await db().approval.delete({ where: { id: row.id } }).catch(() => {});
    throw err;
  }
  // The session ended meanwhile: nobody will decide.
  if (ended) row = await db().approval.update({ where: { id: row.id }, data: { status: "cancelled", message: "the session ended", decidedAt: new Date() } });
  return toWorkerState(row);
}

/** One approval of this session (404 for anything else, another session's included). */
export async function approvalOfSession(sessionId: string, id: string): Promise<Approval> {
  const row = isApprovalId(id) ? await db().approval.findUnique({ where: { id } }) : null;
  if (!row || row.sessionId !== sessionId) throw new AppError("not_found", "no such approval in this session");
  return row;
}

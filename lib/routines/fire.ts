// A person's "run now" and the routine's webhook: a run, counted against the daily cap, started
// at once so the answer names its session (or why it could not start).
import crypto from "node:crypto";
import type { z } from "zod";
import { recordAudit } from "../audit/record";
import { db } from "../db/client";
import type { Routine } from "../db/generated/client";
import { AppError } from "../errors";
import { RoutineFireSchema, type RoutineFired } from "../protocol/routines";
import { capMessage, lockAndCountRecent } from "./runs";
import { INTERNAL_FAILURE, startRun } from "./start-run";
import { presentedTokenHash } from "./token";

export interface Trigger {
  trigger: "webhook" | "manual";
  text?: string;
  /** The person who pressed "run now"; null for a webhook. */
  actor: { id: string; name: string } | null;
}

export async function fireRoutine(routine: Pick<Routine, "id" | "teamId" | "enabled" | "dailyCap">, t: Trigger): Promise<RoutineFired> {
  if (!routine.enabled) throw new AppError("conflict", "this routine is disabled: enable it (PATCH enabled: true) to run it");
  const now = new Date();
  const runId = crypto.randomUUID();
  await db().$transaction(async (tx) => {
    const recent = await lockAndCountRecent(tx, routine.id, now);
    if (recent >= routine.dailyCap) throw new AppError("rate_limited", capMessage(recent));
    await tx.routineRun.create({ data: { id: runId, routineId: routine.id, trigger: t.trigger, text: t.text || null, firedById: t.actor?.id ?? null, createdAt: now } });
  });
  await recordAudit({ teamId: routine.teamId, actor: t.actor, action: "routine.fired", targetType: "routine", targetId: routine.id, data: { trigger: t.trigger, runId } });
  // A process still starting answers 503 here; the stored run is sent again by the tick.
  await startRun(runId);
  const run = await db().routineRun.findUniqueOrThrow({ where: { id: runId } });
  // A webhook caller holds a token, not a seat in the team: a server failure's details (paths, engine errors) stay on the run's page.
  const error = t.trigger === "webhook" && run.error?.startsWith(INTERNAL_FAILURE) ? "the run could not start because of an error on the Dockside server; the routine's runs in Dockside say why" : run.error;
  return { runId, sessionId: run.sessionId, state: run.state as RoutineFired["state"], error };
}

/**
 * The routine a webhook call may fire: the one whose token's hash matches, if it is the one in the
 * URL. Null otherwise, the same whether the routine exists or not.
 */
export async function routineForToken(id: string, authorization: string | null): Promise<Routine | null> {
  const hash = presentedTokenHash(authorization);
  const routine = hash ? await db().routine.findUnique({ where: { tokenHash: hash } }) : null;
  return routine?.id === id ? routine : null;
}

/** The trigger's body: optional (a bare POST fires), else JSON {text?}. */
export async function readFireInput(req: Request): Promise<z.infer<typeof RoutineFireSchema>> {
  const raw = await req.text();
  if (!raw.trim()) return {};
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new AppError("bad_request", 'the body must be empty or JSON such as {"text": "..."}');
  }
  return RoutineFireSchema.parse(body);
}

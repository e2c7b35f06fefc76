// Starting a run: an ordinary session through the orchestrator, exactly as POST /api/sessions makes
// one, marked with its routine and created as the routine's creator (their limits apply). A
// refusal fails the run with its reason; nothing is lost silently.
import { can, Role } from "../auth/roles";
import { db } from "../db/client";
import type { Routine, RoutineRun } from "../db/generated/client";
import { AppError, isAppError } from "../errors";
import { CreateSessionInputSchema, type CreateSessionInput } from "../protocol/api";
import { PermissionMode } from "../protocol/permissions";
import { runtime } from "../runtime/boot";
import type { Actor } from "../sessions/orchestrator";
import { alertCheck } from "./check-alerts";

export const CHECK_INSTRUCTION =
  "This is a check. When you are done, call the `report` tool once with verdict `ok` (nothing needs a person) or `attention` (something regressed or needs a person), and a short summary.";
const PROMPT_MAX = 100_000;
/** How a run's error starts when the server failed (not a refusal a person can act on): its details are for the team only. */
export const INTERNAL_FAILURE = "could not start the session: ";

/** Starts a queued run once, whichever instance (or retry) gets here first. */
export async function startRun(runId: string): Promise<void> {
  // Before claiming the run: a process still starting throws here and the job is tried again.
  const { orchestrator } = runtime();
  const run = await db().routineRun.findUnique({ where: { id: runId }, include: { routine: { include: { repository: { select: { source: true } } } } } });
  if (run?.state !== "queued") return;
  const claimed = await db().routineRun.updateMany({ where: { id: runId, state: "queued" }, data: { state: "started" } });
  if (!claimed.count) return;
  const { routine } = run;
  try {
    const input = sessionInput(routine, routine.repository.source, run);
    const session = await orchestrator.createSession(routine.teamId, input, await runAs(routine), undefined, routine.id);
    await db().routineRun.update({ where: { id: runId }, data: { sessionId: session.id } });
  } catch (err) {
    const reason = isAppError(err) ? err.message : `${INTERNAL_FAILURE}${(err as Error).message}`;
    if (!isAppError(err)) console.error(`[routines] run ${runId}`, err);
    await db().routineRun.update({ where: { id: runId }, data: { state: "failed", error: reason } });
    if (routine.kind === "check") await alertCheck(routine, { runId, sessionId: null }, `the check could not start: ${reason}`);
  }
}

/** The session a run asks for: the routine's prompt, a check's instruction, then the trigger's text. */
export function sessionInput(routine: Routine, repo: string, run: Pick<RoutineRun, "trigger" | "text">): CreateSessionInput {
  let prompt = routine.prompt;
  if (routine.kind === "check") prompt += `\n\n${CHECK_INSTRUCTION}`;
  if (run.text) {
    const head = `\n\n---\nFrom the trigger (${run.trigger}):\n`;
    // Quoted line by line: the text (a CI log that may hold anyone's output) cannot end the quote
    // and write a "From the trigger (manual)" of its own, or instructions that look like the routine's.
    const quoted = run.text
      .split(/\r\n|[\r\n\u2028\u2029\u0085]/)
      .map((line) => `> ${line}`)
      .join("\n");
    const room = PROMPT_MAX - prompt.length - head.length;
    if (room > 0) prompt += head + (quoted.length > room ? `${quoted.slice(0, room - 1)}…` : quoted);
  }
  return CreateSessionInputSchema.parse({
    repo,
    prompt,
    baseBranch: routine.baseBranch ?? undefined,
    model: routine.model ?? undefined,
    budgetUsd: routine.budgetUsd ?? undefined,
    mode: PermissionMode.safeParse(routine.mode).data,
  });
}

/** The routine's creator, while they may still start sessions in its team. */
async function runAs(routine: Routine): Promise<Actor> {
  const m = routine.createdById ? await db().member.findUnique({ where: { teamId_userId: { teamId: routine.teamId, userId: routine.createdById } }, include: { user: { select: { id: true, name: true } } } }) : null;
  if (!m) throw new AppError("conflict", "the routine's creator is no longer a member of this team: someone who is should create it again");
  const role = Role.safeParse(m.role);
  if (!role.success || !can(role.data, "session.create")) throw new AppError("forbidden", `the routine's creator (${m.user.name}) may no longer start sessions in this team (role ${m.role})`);
  return { id: m.user.id, name: m.user.name };
}

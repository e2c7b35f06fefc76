// Retry after "needs attention": the agent goes on from where it stopped, through the same path as
// a follow-up (a model error or a budget: the worker takes it as a new turn; a failed session: the
// sandbox starts again). The message is recorded as the person's, with the words the model reads,
// so the transcript shows exactly what resumed the agent.
import { AppError } from "../errors";
import { AttentionKind, ATTENTION_LABELS, isWorking } from "../events/status";
import { RETRYABLE } from "./attention";
import { budgetRefusal } from "./budget";
import { getSession } from "./dto";
import type { Actor, Orchestrator } from "./orchestrator";

/** What a retry sends as the person: the model reads it as the next user message. */
export const RETRY_TEXT = "Retry: the last attempt ended with an error. Please continue where you left off.";

/** Resumes a session that needs attention; 409 when a retry cannot help (and says what can). */
export async function retrySession(orchestrator: Pick<Orchestrator, "sendMessage">, teamId: string, id: string, actor: Actor): Promise<void> {
  const s = await getSession(teamId, id);
  const kind = AttentionKind.safeParse(s.attention).data;
  if (!kind) throw new AppError("conflict", "this session does not need attention: there is nothing to retry; send a follow-up instead");
  if (kind === "approval") throw new AppError("conflict", "the agent waits for a decision on an approval: approve or deny it instead of retrying");
  if (!RETRYABLE.includes(kind)) throw new AppError("conflict", `a session whose attention is "${ATTENTION_LABELS[kind]}" cannot be retried`);
  if (isWorking(s.status)) throw new AppError("conflict", "the agent is already working again");
  if (kind === "budget") {
    const still = await budgetRefusal(id);
    if (still) throw new AppError("conflict", `the budget is still reached (${still}): raise it, then retry`);
  }
  await orchestrator.sendMessage(teamId, id, RETRY_TEXT, actor);
}

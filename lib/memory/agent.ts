// The agent's side of memory (the `remember` and `recall` tools) and the memory note that heads a
// new session's prompt. (Contract; implemented by the memory work.)
import { AppError } from "../errors";
import type { RecallRequest, RecallResult, RememberRequest, RememberResult } from "../protocol/memory";
import type { AgentCallContext } from "../sessions/agent-context";

/** Stores a proposed entry (idempotent by session + callId), records a `memory` event; AppError "invalid" when refused (a secret). */
export async function rememberFromAgent(_ctx: AgentCallContext, _req: RememberRequest): Promise<RememberResult> {
  throw new AppError("unavailable", "memory is not available yet");
}

/** Searches the accepted (and this session's proposed) entries of the session's repository and team. */
export async function recallForAgent(_ctx: AgentCallContext, _req: RecallRequest): Promise<RecallResult> {
  return { entries: [] };
}

/** The accepted entries for a new session of `repositoryId`, most relevant to `prompt` first, within the token budget ("" when none). */
export async function memoryNoteFor(_teamId: string, _repositoryId: string | null, _prompt: string): Promise<string> {
  return "";
}

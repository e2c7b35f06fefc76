// Waiting for a person: POST the request (idempotent by callId: a worker restarted while waiting
// asks again with the same callId and gets the same approval), then long-poll until it is decided.
// An interrupt ends the wait (throws Interrupted). While waiting, the call is recorded in the state
// (`awaiting`), so a restart asks again instead of telling the model it was not run.
import type { ApprovalRequest, WorkerApprovalState } from "../../../lib/protocol/permissions";
import type { PermissionHost } from "./host";

export const APPROVAL_WAIT_S = 25;

export type ApprovalContext = {
  permissions: PermissionHost;
  signal: AbortSignal;
  /** Told the callId waited for, then null once decided (or the wait ends otherwise). */
  awaiting?(callId: string | null): void;
};

export async function awaitApproval(ctx: ApprovalContext, req: ApprovalRequest): Promise<WorkerApprovalState> {
  ctx.awaiting?.(req.callId);
  try {
    let state = await ctx.permissions.request(req, ctx.signal);
    while (state.status === "pending") state = await ctx.permissions.poll(state.id, APPROVAL_WAIT_S, ctx.signal);
    return state;
  } finally {
    ctx.awaiting?.(null);
  }
}

/** The person's words for the model. */
export const theirWords = (state: WorkerApprovalState) => state.message?.trim() || "no reason given";

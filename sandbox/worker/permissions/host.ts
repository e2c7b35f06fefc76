// The host's side of permissions, as the worker sees it: the session's mode, rules and hooks
// (GET /worker/permissions, asked before every tool call so a person's change applies at once) and
// approvals (POST /worker/approvals, idempotent by callId; GET /worker/approvals/:id long poll).
import {
  WorkerApprovalStateSchema,
  WorkerPermissionsSchema,
  type ApprovalRequest,
  type WorkerApprovalState,
  type WorkerPermissions,
} from "../../../lib/protocol/permissions";
import { backoff, sleep, type Channel } from "../channel";
import { HttpError, Interrupted } from "../errors";

export type PermissionHost = {
  /** The session's permissions now; throws when the host cannot say (the call is then denied). */
  permissions(signal: AbortSignal): Promise<WorkerPermissions>;
  /** Asks for an approval (the same callId gets the same approval back). */
  request(req: ApprovalRequest, signal: AbortSignal): Promise<WorkerApprovalState>;
  /** The approval's state, waiting up to `waitS` seconds for a decision. */
  poll(id: string, waitS: number, signal: AbortSignal): Promise<WorkerApprovalState>;
};

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);
/** How long the permissions are asked for while the host is away before the call is denied. */
export const PERMISSIONS_PATIENCE_MS = 60_000;

export function channelPermissions(channel: Channel, patienceMs = PERMISSIONS_PATIENCE_MS): PermissionHost {
  return {
    async permissions(signal) {
      const deadline = Date.now() + patienceMs;
      for (let attempt = 0; ; attempt++) {
        let raw: unknown;
        try {
          raw = await channel.once("GET", "/worker/permissions", undefined, { signal, timeoutMs: 30_000 });
        } catch (err) {
          if (signal.aborted) throw new Interrupted("aborted");
          const retryable = !(err instanceof HttpError) || RETRYABLE.has(err.status);
          if (!retryable || Date.now() + backoff(attempt) > deadline) throw err;
          await sleep(backoff(attempt), signal);
          continue;
        }
        // An answer that is not permissions is not retried: nothing is allowed on it.
        return WorkerPermissionsSchema.parse(raw);
      }
    },
    async request(req, signal) {
      return WorkerApprovalStateSchema.parse(await channel.call("POST", "/worker/approvals", req, { signal, timeoutMs: 30_000 }));
    },
    async poll(id, waitS, signal) {
      const path = `/worker/approvals/${encodeURIComponent(id)}?wait=${waitS}`;
      return WorkerApprovalStateSchema.parse(await channel.call("GET", path, undefined, { signal, timeoutMs: (waitS + 15) * 1000 }));
    },
  };
}

/** Fixed permissions and no approvals, for tests of what runs once allowed (default: auto, no rules, no hooks). */
export function staticPermissions(perms: Partial<WorkerPermissions> = {}): PermissionHost {
  const value: WorkerPermissions = {
    mode: "auto",
    rules: { allow: [], ask: [], deny: [] },
    hooks: { pre_tool: [], post_tool: [], stop: [], stopMaxRuns: 3 },
    ...perms,
  };
  const none = () => Promise.reject(new Error("no approvals here"));
  return { permissions: async () => value, request: none, poll: none };
}

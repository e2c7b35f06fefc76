// The channel between the sandbox worker and the host: HTTP over a per-session Unix socket
// bind-mounted at /run/dockside/host.sock. Bundled into the worker; zod only.
//
//   GET  /worker/config                      -> WorkerConfig
//   POST /worker/events   WorkerEventBatch    -> { ack }   (idempotent by wid; resend freely)
//   GET  /worker/commands?after=SEQ&wait=S    -> { commands }  (long poll, S seconds max 30)
//   POST /worker/checkpoint?sha=SHA  (body: a git bundle of refs/heads/<branch>, raw bytes)
//                                             -> { ok: true }  (idempotent by sha)
//   POST /worker/ops/:id  WorkspaceOpResult    -> { ok: true }  (a workspace op is done or failed)
//   POST /v1/messages                         -> the Anthropic Messages API, via the host gateway
//
// Trust: the host treats everything on this channel as hostile (see docs/security.md). The
// worker never reports commits as events: it hands the branch over as a bundle, the host fetches
// it into a host-owned repository and records the `commit` event itself.
//
// The worker numbers its events 1, 2, 3... (`wid`) and keeps them until acknowledged; the
// host stores each wid at most once and answers with the highest wid it holds.
import { z } from "zod";
import { NewEventSchema } from "../events/schema";

export const SOCKET_PATH_IN_SANDBOX = "/run/dockside/host.sock";
export const STATE_DIR_IN_SANDBOX = "/run/dockside/state";
export const WORKSPACE_IN_SANDBOX = "/workspace";

export const WorkerConfigSchema = z.object({
  sessionId: z.string(),
  model: z.string(),
  branch: z.string(),
  /** The commit the session branch started from: bundles exclude it and its history. */
  baseCommit: z.string(),
  /** The session's own uid/gid: every agent-facing process (shell, git, file tools) runs as it. */
  agentUid: z.number().int().positive(),
  agentGid: z.number().int().positive(),
  maxTurns: z.number().int().positive(),
  shellTimeoutS: z.number().int().positive(),
  /** Bytes of tool output the model sees before it is cut. */
  toolOutputCap: z.number().int().positive(),
  maxTokens: z.number().int().positive(),
});
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;

export const WorkerEventSchema = z.intersection(NewEventSchema, z.object({ wid: z.number().int().positive() }));
export const WorkerEventBatchSchema = z.object({ events: z.array(WorkerEventSchema).max(1000) });
export type WorkerEventBatch = z.infer<typeof WorkerEventBatchSchema>;
export const WorkerAckSchema = z.object({ ack: z.number().int().nonnegative() });

export const WorkerCommandSchema = z.discriminatedUnion("kind", [
  /** A user message (the task or a follow-up); `seq` is its event sequence number. */
  z.object({ kind: z.literal("message"), seq: z.number().int().positive(), text: z.string(), author: z.string().optional() }),
  /** Stop now: abort the model stream and running command, flush events, save state, exit 0. */
  z.object({ kind: z.literal("interrupt"), reason: z.string().max(500).optional() }),
  /**
   * Change the workspace on a person's behalf, before any later message: done inside the sandbox
   * as the agent's uid, so the host never runs git on the agent's repository. Report the outcome
   * with POST /worker/ops/:id. Delivered again until reported.
   *  - reset: `git reset --hard <sha>` on the session branch.
   *  - fetch: fetch the bundle at `bundle` (a path under /run/dockside/inbox, readable by the worker
   *    only) into `ref` (e.g. refs/dockside/base); `sha` is what `ref` must point at afterwards.
   */
  z.object({ kind: z.literal("op"), id: z.string().uuid(), op: z.enum(["reset", "fetch"]), sha: z.string().regex(/^[0-9a-f]{40}$/), bundle: z.string().optional(), ref: z.string().optional() }),
]);
export type WorkerCommand = z.infer<typeof WorkerCommandSchema>;
export const WorkerCommandsSchema = z.object({ commands: z.array(WorkerCommandSchema) });

export const WorkspaceOpResultSchema = z.object({ ok: z.boolean(), error: z.string().max(4000).optional() });
export type WorkspaceOpResult = z.infer<typeof WorkspaceOpResultSchema>;

/** Inbox for files the host hands the worker (bundles); worker-only, like the socket. */
export const INBOX_DIR_IN_SANDBOX = "/run/dockside/inbox";

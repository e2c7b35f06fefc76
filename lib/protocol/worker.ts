// The channel between the sandbox worker and the host: HTTP over a per-session Unix socket
// bind-mounted at /run/dockside/host.sock. Bundled into the worker; zod only.
//
//   GET  /worker/config                      -> WorkerConfig
//   POST /worker/events   WorkerEventBatch    -> { ack }   (idempotent by wid; resend freely)
//   GET  /worker/commands?after=SEQ&wait=S    -> { commands }  (long poll, S seconds max 30)
//   POST /v1/messages                         -> the Anthropic Messages API, via the host gateway
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
]);
export type WorkerCommand = z.infer<typeof WorkerCommandSchema>;
export const WorkerCommandsSchema = z.object({ commands: z.array(WorkerCommandSchema) });

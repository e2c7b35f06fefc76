// The channel between the sandbox worker and the host: HTTP over a per-session Unix socket
// bind-mounted at /run/dockside/host.sock. Bundled into the worker; zod only.
//
//   GET  /worker/config                      -> WorkerConfig
//   POST /worker/events   WorkerEventBatch    -> { ack }   (idempotent by wid; resend freely;
//                                                 409 {error, ack} on a wid gap: nothing stored; 429 + retry-after
//                                                 when over the rate; refused events are acked, not stored)
//   GET  /worker/commands?after=SEQ&wait=S    -> { commands }  (long poll, S seconds max 30)
//   POST /worker/checkpoint?sha=SHA  (body: a git bundle of refs/heads/<branch>, raw bytes)
//                                             -> { ok: true }  (idempotent by sha)
//   POST /worker/ops/:id  WorkspaceOpResult    -> { ok: true }  (a workspace op is done or failed)
//   GET  /worker/permissions                  -> WorkerPermissions {mode, rules, hooks} (asked before
//                                                 every tool call: a person's change applies at once)
//   POST /worker/approvals  ApprovalRequest   -> WorkerApprovalState (idempotent by callId; the
//                                                 session is awaiting_approval until decided)
//   GET  /worker/approvals/:id?wait=S         -> WorkerApprovalState (long poll, S seconds max 30)
//   GET  /worker/setup                        -> SetupPlan  (what to do before the first turn)
//   GET  /worker/environment                  -> a tar stream: the cached environment to restore
//                                                 (404 when the plan has no snapshot)
//   POST /worker/environment?key=KEY&ms=N (body: a tar of the setup's results; N: how long the
//                                                 setup took) -> { ok: true }
//                                                 (413 past DOCKSIDE_ENV_SNAPSHOT_MAX_MB)
//   POST /worker/setup/done  SetupDone        -> { ok: true }  (the egress proxy switches to the
//                                                 agent's policy; setup secrets are gone)
//   POST /worker/memory   RememberRequest     -> RememberResult (the agent's `remember`: stored as a
//                                                 proposed entry; 422 {error} when refused, e.g. a secret)
//   POST /worker/recall   RecallRequest       -> RecallResult (the agent's `recall`: searches the
//                                                 team's entries of this repository and the team's own)
//   POST /worker/report   ReportRequest       -> { ok: true } (a check routine's verdict)
//   POST /v1/messages                         -> the Anthropic Messages API, via the host gateway
//
// Trust: the host treats everything on this channel as hostile (see docs/security.md). The
// worker never reports commits as events: it hands the branch over as a bundle, the host fetches
// it into a host-owned repository and records the `commit` event itself.
//
// The worker numbers its events 1, 2, 3... (`wid`) and keeps them until acknowledged; the
// host stores each wid at most once and answers with the highest wid it holds.
import { z } from "zod";
import { SessionStatus } from "../events/schema";
import { MAX_MCP_SERVERS, McpServerName, WorkerStdioMcpSchema } from "./mcp";
/** Tools one MCP server may give the model (more are skipped and reported). */
export const MAX_MCP_TOOLS = 200;

export const SOCKET_PATH_IN_SANDBOX = "/run/dockside/host.sock";
export const STATE_DIR_IN_SANDBOX = "/run/dockside/state";
export const WORKSPACE_IN_SANDBOX = "/workspace";
/** The host's egress proxy (HTTP CONNECT and absolute-form HTTP), worker-only like host.sock. */
export const EGRESS_SOCKET_IN_SANDBOX = "/run/dockside/egress.sock";
/** Where the worker forwards the egress socket for everyone in the sandbox: HTTP(S)_PROXY. */
export const EGRESS_PROXY_PORT = 3128;
/** The repository mirror's objects, read-only: the workspace borrows them (objects/info/alternates). */
export const MIRROR_OBJECTS_IN_SANDBOX = "/opt/dockside-mirror/objects";

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
  /** The model's context window in tokens (lib/models/table.ts, or DOCKSIDE_CONTEXT_TOKENS): every request stays under it. */
  contextTokens: z.number().int().positive().default(200_000),
  /** The largest max_tokens the model accepts: the ceiling when an answer is cut by max_tokens. */
  maxOutputTokens: z.number().int().positive().default(32_000),
  /** Extended thinking budget in tokens, or null for none. */
  thinkingBudget: z.number().int().positive().nullable().default(null),
  /** The team's own instructions (Settings), part of the cached prefix. */
  teamInstructions: z.string().max(100_000).default(""),
  /** What the agent should know of its sandbox (network policy, how setup prepared it): part of the system prompt. */
  environmentNote: z.string().max(80_000).default(""),
  /** Environment for the agent's commands: secrets marked for the agent (their values are masked in output). */
  agentEnv: z.record(z.string(), z.string()).default({}),
  /** The team's accepted memory for this repository, chosen within the token budget at creation: part of the cached prefix. */
  memoryNote: z.string().max(80_000).default(""),
  /** A routine's run: `check` ends with the agent's `report` verdict (null: a person's session). */
  routineKind: z.enum(["task", "check"]).nullable().default(null),
  /** MCP servers the worker starts in the sandbox (team's and repository's, snapshotted at creation; lib/protocol/mcp.ts). */
  mcpStdio: z.array(WorkerStdioMcpSchema).max(MAX_MCP_SERVERS).default([]),
  /** Names of the remote MCP servers the host reaches for this session (their tools: GET /worker/mcp/remote). */
  mcpRemote: z.array(McpServerName).max(MAX_MCP_SERVERS).default([]),
});
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;

/**
 * What the host accepts from a worker. A batch body larger than `batchBodyBytes` is refused
 * whole (413); an event over a field limit is refused alone (not stored, acknowledged, noted).
 * The outbox counts UTF-16 units (2 MB a batch); escaped control characters take up to 6 bytes
 * of JSON each, hence the body limit well above it.
 */
export const WORKER_LIMITS = {
  batchEvents: 1000,
  batchBodyBytes: 16 * 1024 * 1024,
  /** UTF-16 units of one text piece (the outbox coalesces up to 256K plus one chunk). */
  textChars: 512 * 1024,
  /** UTF-8 bytes of a tool call's input as JSON. */
  toolInputBytes: 256 * 1024,
  idChars: 200,
  reasonChars: 16 * 1024,
  messageChars: 16 * 1024,
} as const;

/** The only event types a worker produces; user messages, commits, branch events and usage are the host's. */
export const WORKER_EVENT_TYPES = ["assistant.text", "tool.call", "tool.output", "tool.result", "status", "error", "model.retry", "compaction", "todo", "setup", "setup.output", "hook",
  "mcp.server", "mcp.stderr"] as const;
export type WorkerEventType = (typeof WORKER_EVENT_TYPES)[number];

const L = WORKER_LIMITS;
const wid = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const id = z.string().min(1).max(L.idChars);
const text = z.string().max(L.textChars);
const jsonBytes = (v: unknown) => {
  const json = JSON.stringify(v);
  return json === undefined ? Infinity : Buffer.byteLength(json);
};

// `parent`: the subagent's events carry the callId of the `task` call they belong to.
const workerEventData = {
  "assistant.text": z.strictObject({ block: id, text, parent: id.optional() }),
  "tool.call": z.strictObject({
    callId: id,
    name: id,
    input: z.unknown().refine((v) => jsonBytes(v) <= L.toolInputBytes, `a tool input is limited to ${L.toolInputBytes} bytes of JSON`),
    parent: id.optional(),
  }),
  "tool.output": z.strictObject({ callId: id, stream: z.enum(["stdout", "stderr"]), text, parent: id.optional() }),
  "tool.result": z.strictObject({
    callId: id,
    isError: z.boolean(),
    exitCode: z.number().int().nullable().optional(),
    output: text,
    truncated: z.boolean(),
    durationMs: z.number().nonnegative().max(1e10),
    parent: id.optional(),
    tokens: z.number().int().nonnegative().max(1e10).optional(),
  }),
  status: z.strictObject({ status: SessionStatus, reason: z.string().max(L.reasonChars).optional() }),
  error: z.strictObject({ message: z.string().max(L.messageChars), source: z.enum(["worker", "model", "tool"]), parent: id.optional() }),
  "model.retry": z.strictObject({
    attempt: z.number().int().positive().max(1000),
    waitMs: z.number().int().nonnegative().max(3_600_000),
    reason: z.string().max(2000),
    status: z.number().int().min(0).max(999).optional(),
    parent: id.optional(),
  }),
  compaction: z.strictObject({
    strategy: z.enum(["clear_tool_results", "summary"]),
    tokensBefore: z.number().int().nonnegative().max(1e9),
    tokensAfter: z.number().int().nonnegative().max(1e9),
    cleared: z.number().int().nonnegative().max(1e6).optional(),
    summary: z.string().max(L.textChars).optional(),
    parent: id.optional(),
  }),
  todo: z.strictObject({
    items: z.array(z.strictObject({ content: z.string().max(2000), status: z.enum(["pending", "in_progress", "completed"]) })).max(100),
  }),
  setup: z.strictObject({
    state: z.enum(["running", "ok", "failed", "cached", "skipped"]),
    source: z.enum(["team", "repository"]).optional(),
    durationMs: z.number().nonnegative().max(1e10).optional(),
    exitCode: z.number().int().nullable().optional(),
    reason: z.string().max(L.reasonChars).optional(),
  }),
  "setup.output": z.strictObject({ stream: z.enum(["stdout", "stderr"]), text }),
  hook: z.strictObject({
    hook: z.enum(["pre_tool", "post_tool", "stop"]),
    command: z.string().max(4096),
    callId: id.optional(),
    exitCode: z.number().int().nullable(),
    output: text,
    blocked: z.boolean(),
  }),
  "mcp.server": z.strictObject({
    server: McpServerName,
    kind: z.enum(["stdio", "remote"]),
    state: z.enum(["ready", "failed", "restarted", "stopped"]),
    tools: z.array(z.string().max(64)).max(MAX_MCP_TOOLS).optional(),
    skipped: z.array(z.strictObject({ tool: z.string().max(256), reason: z.string().max(500) })).max(MAX_MCP_TOOLS).optional(),
    reason: z.string().max(L.reasonChars).optional(),
  }),
  "mcp.stderr": z.strictObject({ server: McpServerName, text }),
} as const;

const variant = <T extends WorkerEventType>(type: T) =>
  z.strictObject({ wid, type: z.literal(type), data: workerEventData[type], ts: z.iso.datetime({ offset: true }).optional() });

/** One event as the host accepts it from a worker (strict: unknown fields are refused). */
export const WorkerEventSchema = z.discriminatedUnion("type", [
  variant("assistant.text"),
  variant("tool.call"),
  variant("tool.output"),
  variant("tool.result"),
  variant("status"),
  variant("error"),
  variant("model.retry"),
  variant("compaction"),
  variant("todo"),
  variant("setup"),
  variant("setup.output"),
  variant("hook"),
  variant("mcp.server"),
  variant("mcp.stderr"),
]);
export type WorkerEvent = z.infer<typeof WorkerEventSchema>;

/**
 * The envelope of a batch: only the wids are checked here, so one bad event is refused alone
 * (see WorkerEventSchema) instead of taking its whole batch down.
 */
export const WorkerEventBatchSchema = z.strictObject({ events: z.array(z.looseObject({ wid })).max(L.batchEvents) });
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

export const WorkspaceOpResultSchema = z.strictObject({ ok: z.boolean(), error: z.string().max(4000).optional() });
export type WorkspaceOpResult = z.infer<typeof WorkspaceOpResultSchema>;

/** Inbox for files the host hands the worker (bundles); worker-only, like the socket. */
export const INBOX_DIR_IN_SANDBOX = "/run/dockside/inbox";

/**
 * What the worker does before the agent's first turn (GET /worker/setup). Asked once per
 * session: after a restart `run` is "none" (the workspace already holds the setup's results).
 *  - none:    nothing to set up; go straight to the agent.
 *  - restore: GET /worker/environment and unpack it (as the agent) into / ; report `cached`
 *             (and POST /worker/setup/done {ok: true, state: "cached"}).
 *  - script:  run `script` with bash as the agent, in /workspace, with `env` (secrets, proxy),
 *             stream its output as setup.output; on success tar the results (SNAPSHOT_ROOTS) and
 *             POST them to /worker/environment?key=KEY&ms=SETUP_MS, then POST /worker/setup/done. On failure emit
 *             `setup failed` and `status failed` with the log's tail and exit 1.
 */
const SetupWork = {
  key: z.string().regex(/^[0-9a-f]{64}$/),
  source: z.enum(["team", "repository"]),
  script: z.string().max(64 * 1024),
  /** Secrets and settings for the setup phase only (never the agent's). */
  env: z.record(z.string(), z.string()),
  /** Kill the script after this many seconds. */
  timeoutS: z.number().int().positive(),
};
export const SetupPlanSchema = z.discriminatedUnion("run", [
  z.object({ run: z.literal("none") }),
  /** A snapshot exists: restore it; if restoring fails, run the script as if there were none. */
  z.object({ run: z.literal("restore"), ...SetupWork }),
  z.object({ run: z.literal("script"), ...SetupWork }),
]);
export type SetupPlan = z.infer<typeof SetupPlanSchema>;

/** POST /worker/setup/done. */
export const SetupDoneSchema = z.strictObject({ ok: z.boolean(), state: z.enum(["ok", "failed", "cached", "skipped"]) });
export type SetupDone = z.infer<typeof SetupDoneSchema>;

/**
 * What a snapshot holds, relative to / inside the sandbox: files the setup left that git does not
 * track (node_modules, .venv, build outputs), and the agent's home (without caches).
 */
export const SNAPSHOT_ROOTS = ["workspace", "home/agent"] as const;

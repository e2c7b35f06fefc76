// The one event union: written by the worker and the server, stored in PostgreSQL, streamed to
// browsers. Each event type is defined once; the union and its TypeScript types derive from
// this registry. This file is bundled into the sandbox worker too: keep it dependency-free
// except zod.
import { z } from "zod";

import { SessionStatus } from "./status";
// The status model lives in status.ts; re-exported here for the many places that know it from here.
export { SESSION_STATUSES, SessionStatus, TERMINAL_STATUSES } from "./status";

const callId = z.string().min(1).max(200);
/** A subagent's event: the callId of the `task` call it works for (absent: the session's own agent). */
const parent = callId.optional();

export const eventData = {
  /** A message from a person: the task itself (first) or a follow-up. */
  "user.message": z.object({
    text: z.string(),
    /** Display name of the person who sent it, and their user id. */
    author: z.string().optional(),
    authorId: z.string().optional(),
    /** Set when the message arrived while the agent was working: delivered at its next step. */
    queued: z.boolean().optional(),
  }),
  /** A piece of assistant text; pieces with the same `block` belong to one text block. */
  "assistant.text": z.object({ block: z.string(), text: z.string(), parent }),
  /** The model asked for a tool. */
  "tool.call": z.object({ callId, name: z.string(), input: z.unknown(), parent }),
  /** Output of a running tool (shell), in arrival order, coalesced by the worker. */
  "tool.output": z.object({ callId, stream: z.enum(["stdout", "stderr"]), text: z.string(), parent }),
  /** A tool finished. `output` is what the model saw (capped); the full output is in tool.output. */
  "tool.result": z.object({
    callId,
    isError: z.boolean(),
    exitCode: z.number().int().nullable().optional(),
    output: z.string(),
    truncated: z.boolean(),
    durationMs: z.number().nonnegative(),
    parent,
    /** A `task` call: the tokens its subagent used, as the worker counted them (for display; usage events are what is billed). */
    tokens: z.number().int().nonnegative().optional(),
  }),
  /** A checkpoint commit on the session branch. */
  commit: z.object({
    sha: z.string().regex(/^[0-9a-f]{40}$/),
    message: z.string(),
    filesChanged: z.number().int().nonnegative(),
    insertions: z.number().int().nonnegative(),
    deletions: z.number().int().nonnegative(),
  }),
  /** Something a person did to the session branch from the review: merged, pushed, reset. */
  branch: z.object({
    action: z.enum(["merged", "pushed", "reset"]),
    sha: z.string(),
    /** merged: the base branch and strategy; pushed: the remote branch; reset: the checkpoint. */
    detail: z.string().optional(),
    by: z.string().optional(),
  }),
  status: z.object({ status: SessionStatus, reason: z.string().optional() }),
  /** Tokens of one model call, counted by the host's model gateway. */
  usage: z.object({
    model: z.string(),
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    cacheReadTokens: z.number().int().nonnegative().optional(),
    cacheWriteTokens: z.number().int().nonnegative().optional(),
    /** What the call cost, from lib/models/table.ts (absent on events stored before prices). */
    costUsd: z.number().nonnegative().optional(),
  }),
  /** A model call failed in a way worth waiting out (429, 5xx, overloaded, dropped connection): the worker waits and retries. */
  "model.retry": z.object({
    attempt: z.number().int().positive(),
    waitMs: z.number().int().nonnegative(),
    /** What happened, for people: "model overloaded (529)", "rate limited (429)", "connection dropped". */
    reason: z.string().max(2000),
    status: z.number().int().optional(),
    parent,
  }),
  /** The worker made the conversation fit the model's context window. */
  compaction: z.object({
    strategy: z.enum(["clear_tool_results", "summary"]),
    tokensBefore: z.number().int().nonnegative(),
    tokensAfter: z.number().int().nonnegative(),
    /** clear_tool_results: how many old tool results were cleared. */
    cleared: z.number().int().nonnegative().optional(),
    /** summary: the summary the agent carries on from. */
    summary: z.string().optional(),
    parent,
  }),
  /** The agent's plan (the todo tool): the whole list each time it changes. */
  todo: z.object({
    items: z
      .array(z.object({ content: z.string().max(2000), status: z.enum(["pending", "in_progress", "completed"]) }))
      .max(100),
  }),
  error: z.object({ message: z.string(), source: z.enum(["worker", "model", "host", "tool"]).optional(), parent }),
  /**
   * The setup phase (the repository's setup script, before the agent starts): `running` when it
   * begins, then one of `ok`, `failed`, `cached` (a snapshot of an earlier setup was restored
   * instead of running it) or `skipped`. Its output streams as `setup.output`.
   */
  setup: z.object({
    state: z.enum(["running", "ok", "failed", "cached", "skipped"]),
    /** Whose script: the team's (Settings) or the repository's own `.dockside/setup.sh`. */
    source: z.enum(["team", "repository"]).optional(),
    durationMs: z.number().nonnegative().optional(),
    exitCode: z.number().int().nullable().optional(),
    /** failed: why, with the log's tail; skipped/cached: a word for people. */
    reason: z.string().optional(),
  }),
  /** Output of the setup script, in arrival order (secret values masked). */
  "setup.output": z.object({ stream: z.enum(["stdout", "stderr"]), text: z.string() }),
  /**
   * An MCP server of the session (lib/protocol/mcp.ts) changed state: `ready` with the tools it
   * gave the model (and those skipped, with why), `failed` (did not start, timed out, answered
   * badly, or died too often: the session goes on without it), `restarted` after it died, `stopped`.
   */
  "mcp.server": z.object({
    server: z.string(),
    kind: z.enum(["stdio", "remote"]),
    state: z.enum(["ready", "failed", "restarted", "stopped"]),
    tools: z.array(z.string()).optional(),
    skipped: z.array(z.object({ tool: z.string(), reason: z.string() })).optional(),
    reason: z.string().optional(),
  }),
  /** What a stdio MCP server wrote to its stderr, in arrival order (coalesced, capped, secrets masked). */
  "mcp.stderr": z.object({ server: z.string(), text: z.string() }),
  /** A tool call waits for a person (the session is awaiting_approval meanwhile). Recorded by the host. */
  "approval.requested": z.object({
    approvalId: z.string(),
    callId: z.string(),
    kind: z.enum(["tool", "plan"]),
    tool: z.string(),
    input: z.unknown(),
    reason: z.string(),
  }),
  /** A person decided (or the approval was cancelled by a stop). */
  "approval.decided": z.object({
    approvalId: z.string(),
    callId: z.string(),
    decision: z.enum(["approved", "denied", "cancelled"]),
    by: z.string().optional(),
    message: z.string().optional(),
    /** An allow rule added with "approve and remember". */
    rule: z.string().optional(),
    /** A plan approval's new mode. */
    mode: z.enum(["auto", "ask", "plan"]).optional(),
  }),
  /** The session's permission mode changed (by a person, or by an approved plan). */
  mode: z.object({ mode: z.enum(["auto", "ask", "plan"]), by: z.string().optional() }),
  /** A hook ran (pre_tool, post_tool, stop) and blocked or failed; its output went to the agent. */
  hook: z.object({
    hook: z.enum(["pre_tool", "post_tool", "stop"]),
    command: z.string(),
    callId: z.string().optional(),
    exitCode: z.number().int().nullable(),
    output: z.string(),
    blocked: z.boolean(),
  }),
  /**
   * The agent proposed a memory entry with `remember` (recorded by the host once stored): people
   * accept, edit or reject it inline or on the Memory page.
   */
  memory: z.object({
    entryId: z.string(),
    callId: z.string().optional(),
    text: z.string(),
    /** Whose entry: this repository's, or the whole team's. */
    scope: z.enum(["repository", "team"]),
  }),
  /** A check routine's verdict, given by the agent with `report` (recorded by the host). */
  report: z.object({
    verdict: z.enum(["ok", "attention"]),
    summary: z.string(),
    callId: z.string().optional(),
  }),
  /** Dockside noticed something a person should look at (recorded by the host; also a notification). */
  alert: z.object({
    kind: z.enum(["stuck", "looping", "budget", "memory", "disk", "check"]),
    message: z.string(),
  }),
  /** The egress proxy refused a connection: "blocked: evil.example.com:443". Recorded by the host. */
  "egress.blocked": z.object({
    host: z.string(),
    port: z.number().int().min(0).max(65535),
    /** Which policy refused it. */
    phase: z.enum(["setup", "agent"]),
    reason: z.string(),
    /** Further refusals of the same host:port folded into this event (not stored one by one). */
    repeats: z.number().int().nonnegative().optional(),
  }),
} as const;

export type EventType = keyof typeof eventData;
export const EVENT_TYPES = Object.keys(eventData) as EventType[];
export type EventDataOf<T extends EventType> = z.infer<(typeof eventData)[T]>;

/** An event before it has a sequence number (as produced by worker or server code). */
export type NewEvent = { [T in EventType]: { type: T; data: EventDataOf<T>; ts?: string } }[EventType];

/** A stored event as served over HTTP and socket.io. */
export type SessionEvent = { [T in EventType]: { seq: number; type: T; ts: string; data: EventDataOf<T> } }[EventType];

const typed = <T extends EventType>(type: T) => z.object({ type: z.literal(type), data: eventData[type] });

const newEventVariants = EVENT_TYPES.map((t) => typed(t).extend({ ts: z.string().datetime().optional() }));
export const NewEventSchema = z.discriminatedUnion("type", newEventVariants as unknown as [ReturnType<typeof typed>]) as unknown as z.ZodType<NewEvent>;

const storedVariants = EVENT_TYPES.map((t) => typed(t).extend({ seq: z.number().int().positive(), ts: z.string() }));
export const SessionEventSchema = z.discriminatedUnion("type", storedVariants as unknown as [ReturnType<typeof typed>]) as unknown as z.ZodType<SessionEvent>;

/** Builds a typed event; the type checker pairs `type` with its payload. */
export function ev<T extends EventType>(type: T, data: EventDataOf<T>): NewEvent {
  return { type, data } as NewEvent;
}

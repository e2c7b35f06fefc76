// What the session page renders: one item per thing worth a line or a card, folded from the
// event log by transcript.ts.
import type { EventDataOf, SessionStatus } from "../../lib/events/schema";
import type { PermissionMode } from "../../lib/protocol/permissions";
import type { OutputBuffer } from "./output-buffer";

export type Base = { seq: number; ts: string };
/** A subagent's step: the callId of the `task` call it belongs to (components/session/task-nesting.ts). */
type Nested = { parent?: string };
export type ToolResult = EventDataOf<"tool.result">;
export type TodoEntry = EventDataOf<"todo">["items"][number];
export type SetupState = EventDataOf<"setup">["state"];

export type TranscriptItem =
  /**
   * `delivery`: for a follow-up sent while the agent worked, "queued" until the agent takes it
   * into its conversation, then "delivered"; absent for messages the agent took at once.
   */
  | (Base & { kind: "user"; text: string; author?: string; delivery?: "queued" | "delivered" })
  | (Base & Nested & { kind: "assistant"; block: string; text: string })
  | (Base &
      Nested & {
      kind: "tool";
      callId: string;
      name: string;
      input: unknown;
      output: OutputBuffer;
      result?: ToolResult;
      /** The session stopped working while this call had no result: it will never get one. */
      interrupted?: boolean;
      /** The call waits for a person's decision (its approval card is pending). */
      awaitingApproval?: boolean;
    })
  | (Base & { kind: "commit" } & EventDataOf<"commit">)
  | (Base & { kind: "branch" } & EventDataOf<"branch">)
  | (Base & { kind: "status"; status: SessionStatus; reason?: string })
  | (Base & Nested & { kind: "error"; message: string; source?: string })
  /** The model declined to answer: its own decision, not a crash. */
  | (Base & { kind: "refusal"; message: string })
  /**
   * Consecutive model.retry events folded into one line that updates. `at` is the latest retry's
   * time (its wait counts from there); `settled` once anything else happened after it.
   */
  | (Base & Nested & { kind: "retry"; attempt: number; waitMs: number; reason: string; status?: number; retries: number; at: string; settled: boolean })
  | (Base & Nested & { kind: "compaction" } & EventDataOf<"compaction">)
  /** Only the moments of the plan worth a line: a new plan, and the plan completed. */
  | (Base & { kind: "todo"; phase: "plan" | "done"; items: readonly TodoEntry[] })
  /**
   * One setup phase: opened by `setup running` (or by a `cached`/`skipped` that had none), closed
   * by its outcome; setup.output lands in its bounded terminal like a tool's.
   */
  | (Base & {
      kind: "setup";
      state: SetupState;
      source?: "team" | "repository";
      durationMs?: number;
      exitCode?: number | null;
      reason?: string;
      output: OutputBuffer;
      /** The session stopped while setup was running: it will never report an outcome. */
      interrupted?: boolean;
    })
  /** Refused connections to one host:port in a row, folded into one line (`count` refusals). */
  | (Base & { kind: "egress"; host: string; port: number; phase: "setup" | "agent"; reason: string; count: number })
  /**
   * A call waiting for a person (approval.requested), updated in place by its approval.decided.
   * `decision` is absent while it is pending.
   */
  | (Base & {
      kind: "approval";
      approvalId: string;
      callId: string;
      approvalKind: "tool" | "plan";
      tool: string;
      input: unknown;
      reason: string;
      decision?: ApprovalOutcome;
    })
  /** The session's permission mode changed. */
  | (Base & { kind: "mode"; mode: PermissionMode; by?: string })
  /** A hook blocked a call or failed; its output went to the agent. */
  | (Base & { kind: "hook" } & EventDataOf<"hook">)
  /** The agent proposed a memory entry (`remember`): accepted, edited or rejected inline. */
  | (Base & { kind: "memory" } & EventDataOf<"memory">)
  /** A check routine's verdict (`report`). */
  | (Base & { kind: "report" } & EventDataOf<"report">)
  /** An MCP server's state changed (ready with its tools, failed, restarted, stopped): a line. */
  | (Base & { kind: "mcp"; server: string; serverKind: "stdio" | "remote"; state: EventDataOf<"mcp.server">["state"]; tools?: string[]; skipped?: { tool: string; reason: string }[]; reason?: string })
  /** An MCP server's stderr, consecutive pieces of one server in one collapsed block. */
  | (Base & { kind: "mcp-stderr"; server: string; output: OutputBuffer })
  /** Dockside raised an alert on this session (stuck, looping, budget, memory, disk). */
  | (Base & { kind: "alert"; alertKind: EventDataOf<"alert">["kind"]; message: string });

export type ApprovalOutcome = Omit<EventDataOf<"approval.decided">, "approvalId" | "callId"> & { ts: string };

export type ToolItem = Extract<TranscriptItem, { kind: "tool" }>;
export type SetupItem = Extract<TranscriptItem, { kind: "setup" }>;
export type EgressItem = Extract<TranscriptItem, { kind: "egress" }>;
export type ApprovalItem = Extract<TranscriptItem, { kind: "approval" }>;
export type ModeItem = Extract<TranscriptItem, { kind: "mode" }>;
export type HookItem = Extract<TranscriptItem, { kind: "hook" }>;
export type MemoryItem = Extract<TranscriptItem, { kind: "memory" }>;
export type ReportItem = Extract<TranscriptItem, { kind: "report" }>;
export type AlertItem = Extract<TranscriptItem, { kind: "alert" }>;
export type McpItem = Extract<TranscriptItem, { kind: "mcp" }>;
export type McpStderrItem = Extract<TranscriptItem, { kind: "mcp-stderr" }>;

// What a tool is: a zod schema for its arguments and an execute function. The runner
// (run-tool.ts) validates, emits the events and caps the output; tools only do their job.
import type { z } from "zod";
import type { NewEvent } from "../../../lib/events/schema";
import type { WorkerPermissions } from "../../../lib/protocol/permissions";
import type { WorkerConfig } from "../../../lib/protocol/worker";
import type { AgentHost } from "../agent-host";
import type { PermissionHost } from "../permissions/host";
import type { CappedText } from "./truncate";

export type ToolContext = {
  workspace: string;
  config: WorkerConfig;
  /** The worker bundle, run in file-op mode as the agent's uid by the file tools (file-op.ts). */
  workerEntry?: string;
  callId: string;
  /** Aborted on interrupt: tools stop what they run and return. */
  signal: AbortSignal;
  emit(event: NewEvent): void;
  /** Resolves when the event backlog is at most `limitBytes` (see Outbox.drained). */
  drained(limitBytes: number): Promise<void>;
  pendingBytes(): number;
  /** A buffer capped like the final result, for tools that collect a lot of output. */
  collector(): CappedText;
  /** The host's permissions and approvals: asked by the runner before every call (run-tool.ts). */
  permissions: PermissionHost;
  /** What the runner read for this call (exit_plan_mode reads the mode from it). */
  current?: WorkerPermissions;
  /** The host's memory and report calls (absent in tests that do not need them). */
  agentHost?: AgentHost;
  /** Told the callId that waits for a person, then null (the turn saves it: a restart asks again). */
  awaiting?(callId: string | null): void;
};

/** `tokens`: what a `task` call's subagent used, shown on its block in the transcript. */
export type ToolResult = { output: string | CappedText; isError?: boolean; exitCode?: number | null; tokens?: number };

export type Tool<P extends z.ZodType = z.ZodType> = {
  name: string;
  description: string;
  parameters: P;
  // Method syntax on purpose: it lets a list of tools with different schemas share one type.
  execute(args: z.infer<P>, ctx: ToolContext): Promise<ToolResult>;
};

export const defineTool = <P extends z.ZodType>(tool: Tool<P>): Tool<P> => tool;

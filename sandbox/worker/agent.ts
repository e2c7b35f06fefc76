// The agent: `run()` waits for a user message and runs a turn (turn.ts: steps until the model
// answers without tools). Exits are typed exceptions: Interrupted ends the worker, LimitsExceeded
// and ModelError end the turn. The state is saved after every step. Between turns (never during
// one) it applies the host's workspace ops and hands a moved branch head over as a bundle.
import path from "node:path";
import type Anthropic from "@anthropic-ai/sdk";
import { ev, type NewEvent } from "../../lib/events/schema";
import type { WorkerConfig, WorkspaceOpResult } from "../../lib/protocol/worker";
import { agentUserOf, type AgentUser } from "./agent-user";
import type { Channel } from "./channel";
import { checkpoint } from "./checkpoint";
import type { CommandQueue, MessageCommand, OpCommand } from "./commands";
import { Delivery, untilAborted } from "./deliver";
import { cacheRequest } from "./context/cache";
import { condense } from "./context/condense";
import { listInstructionFiles } from "./context/instruction-files";
import { buildSystemPrompt } from "./context/system";
import { Interrupted } from "./errors";
import { run as runAsAgent } from "./exec";
import type { Outbox } from "./outbox";
import { channelPermissions, type PermissionHost } from "./permissions/host";
import { channelAgentHost, type AgentHost } from "./agent-host";
import { agentHostInOrder, permissionsInOrder } from "./in-order";
import { appendUserText, closeOpenToolUses, type AgentState, type StateStore } from "./state";
import { startMcp, type McpSession } from "./mcp";
import { TASK_TOOL, taskTool } from "./subagent/task";
import { sessionTools, TOOLS, toolDefinitions, type ToolDefinition } from "./tools";
import type { RunContext } from "./tools/run-tool";
import type { Tool } from "./tools/tool";
import { runTurn } from "./turn";
import { applyOp } from "./workspace-ops";

export type AgentDeps = {
  config: WorkerConfig;
  workspace: string;
  /** The worker bundle (file tools run it as the agent) and the host's inbox of bundles. */
  workerEntry?: string;
  inboxDir: string;
  channel: Channel;
  client: Anthropic;
  outbox: Outbox;
  commands: CommandQueue;
  store: StateStore;
  state: AgentState;
  /** Aborted on interrupt or SIGTERM; its reason is the Interrupted to stop with. */
  signal: AbortSignal;
};

/** Unexpected errors in a row after which the worker gives up (status failed, exit 1). */
const MAX_FAILURES = 3;
/** Workspace op outcomes kept in the state, to answer an op delivered again without redoing it. */
const OPS_KEPT = 50;
/** At shutdown, how long the last checkpoint may take to reach the host. */
const FINAL_DELIVERY_MS = 5000;
/** Calls of one answer that run at once: several subagents work side by side. */
const CONCURRENT = new Set([TASK_TOOL]);

export class Agent {
  private readonly state: AgentState;
  /**
   * Built-in tools, the MCP servers' tools and `task` (whose subagents get the same loop and the
   * others, subagent/), fixed once the MCP servers started (run()): tools never change mid-session.
   */
  private tools: Tool[] = TOOLS;
  private toolDefs: ToolDefinition[] = toolDefinitions(TOOLS);
  private readonly subagents: Tool;
  private mcp: McpSession | null = null;
  private failures = 0;
  /** The turn's messages were taken from the queue just now (see takeMessages). */
  private justTaken = false;
  private readonly user: AgentUser;
  private readonly delivery: Delivery;
  private readonly permissions: PermissionHost;
  private readonly agentHost: AgentHost;

  constructor(private readonly deps: AgentDeps) {
    this.state = deps.state;
    const { workspace, config } = deps;
    this.subagents = taskTool({ client: deps.client, system: () => this.state.system ?? "", tools: () => this.tools, context: { condense, cacheRequest } });
    this.user = agentUserOf(config);
    // After the events emitted before them: the log's order is the order things happened (in-order.ts).
    const delivered = () => deps.outbox.drained(0);
    this.permissions = permissionsInOrder(channelPermissions(deps.channel), delivered);
    this.agentHost = agentHostInOrder(channelAgentHost(deps.channel), delivered);
    this.delivery = new Delivery({ channel: deps.channel, outbox: deps.outbox, workspace, user: this.user, branch: config.branch, baseCommit: config.baseCommit });
  }

  /** Serves user messages until interrupted (throws Interrupted) or failing for good (throws). */
  async run(): Promise<never> {
    await this.startMcp();
    await this.fixSystemPrompt();
    // A turn cut off by a crash is picked up where its last saved step left it.
    if (this.state.turn) await this.guarded(() => this.turn("resumed after a worker restart"));
    for (;;) {
      await this.betweenTurns();
      const messages = this.deps.commands.take();
      if (!messages.length) {
        await this.deps.commands.wait();
        continue;
      }
      this.state.turn = { request: messages.map((m) => m.text).join("\n\n"), commands: [], steps: 0, finalText: "" };
      this.addUserMessages(messages);
      this.justTaken = true;
      await this.guarded(() => this.turn());
    }
  }

  /** After an interrupt: commit what the turn did and hand it over, close open tool calls, save, say so. */
  async shutdown(reason: string): Promise<void> {
    if (this.state.turn) await this.checkpoint(true);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), FINAL_DELIVERY_MS);
    // Not delivered in time: the next start delivers it (the head still differs).
    await this.deliver(deadline.signal).catch(() => undefined);
    clearTimeout(timer);
    closeOpenToolUses(this.state.messages, `not run: ${reason}`, [], this.state.started);
    this.state.started = [];
    this.state.awaiting = null;
    this.state.turn = null;
    this.save();
    await this.mcp?.close();
    this.emit(ev("status", { status: "stopped", reason }));
  }

  /** Starts the session's MCP servers and fixes the tool list (mcp/index.ts). */
  private async startMcp(): Promise<void> {
    const { config, workspace, channel, store, signal } = this.deps;
    this.mcp = await startMcp({ config, workspace, user: this.user, channel, emit: (e) => this.emit(e), savedFile: path.join(path.dirname(store.file), "mcp-tools.json"), signal });
    this.tools = sessionTools(config, this.mcp.tools, [this.subagents]);
    this.toolDefs = toolDefinitions(this.tools);
  }

  private async turn(reason?: string): Promise<void> {
    this.emit(ev("status", { status: "running", ...(reason ? { reason } : {}) }));
    const { config, client, signal } = this.deps;
    const idleReason = await runTurn({
      config,
      state: this.state,
      system: this.state.system ?? "",
      tools: this.tools,
      toolDefs: this.toolDefs,
      concurrent: CONCURRENT,
      client,
      context: { condense, cacheRequest },
      signal,
      emit: (e) => this.emit(e),
      save: () => this.save(),
      takeMessages: () => this.takeMessages(),
      toolContext: () => this.toolContext(),
    });
    await this.checkpoint(false);
    await this.deliver(signal);
    this.endTurn(idleReason);
    this.failures = 0;
  }

  /**
   * The system prompt is built once per session (with the repository's instructions as they
   * were then) and kept in the state: a prefix that never changes is what the prompt cache reads.
   */
  private async fixSystemPrompt(): Promise<void> {
    if (this.state.system !== null) return;
    const { workspace, config } = this.deps;
    this.state.system = await buildSystemPrompt({
      workspace,
      branch: config.branch,
      tools: this.tools.map((t) => t.name),
      shellTimeoutS: config.shellTimeoutS,
      teamInstructions: config.teamInstructions,
      environmentNote: config.environmentNote,
      memoryNote: config.memoryNote,
      readFile: (file) => this.readAsAgent(file),
      listFiles: () => listInstructionFiles(workspace, config, this.deps.signal),
      // Instructions take at most a tenth of the window (about four characters a token).
      maxChars: Math.floor(config.contextTokens * 0.4),
    });
    this.save();
  }

  /** A workspace file read as the agent (the worker cannot read the agent's files); null when absent. */
  private async readAsAgent(file: string): Promise<string | null> {
    const { workspace, signal } = this.deps;
    try {
      const result = await runAsAgent("cat", ["--", path.resolve(workspace, file)], { cwd: workspace, user: this.user, signal, maxBytes: 256 * 1024, timeoutMs: 10_000 });
      return result.code === 0 && !result.cut ? result.stdout : null;
    } catch {
      return null; // no cat, or it could not start: the session runs without that file
    }
  }

  /** Polls for messages sent just now and takes them into the conversation; how many. */
  private async takeMessages(): Promise<number> {
    // A turn's first step comes straight after taking its messages, which the background long
    // poll delivered (it answers as soon as one is stored): a quick poll would only delay the
    // first model request. Every later step polls.
    if (this.justTaken) this.justTaken = false;
    else await this.deps.commands.pollNow();
    const messages = this.deps.commands.take();
    this.addUserMessages(messages);
    return messages.length;
  }

  private addUserMessages(messages: MessageCommand[]): void {
    for (const m of messages) {
      appendUserText(this.state.messages, m.text);
      this.state.lastCommandSeq = Math.max(this.state.lastCommandSeq, m.seq);
    }
    if (messages.length) this.save();
  }

  private async checkpoint(interrupted: boolean): Promise<void> {
    const turn = this.state.turn;
    if (!turn) return;
    try {
      await checkpoint({ workspace: this.deps.workspace, user: this.user, ...turn, interrupted });
    } catch (err) {
      this.emit(ev("error", { message: `Checkpoint commit failed: ${(err as Error).message}`, source: "worker" }));
    }
  }

  /** Ops, then the head they (or the last turn) left; a failure is told, and the agent keeps serving. */
  private async betweenTurns(): Promise<void> {
    try {
      await this.applyOps();
      // A worker that has never run a turn has the workspace as the host made it: nothing to hand over.
      const untouched = this.state.turns === 0 && !this.state.messages.length && this.state.delivered === null;
      if (!untouched) await this.deliver(this.deps.signal);
    } catch (err) {
      if (err instanceof Interrupted || this.deps.signal.aborted) throw err;
      process.stderr.write(`[worker] ${err instanceof Error ? err.stack : String(err)}\n`);
      this.emit(ev("error", { message: `Worker error between turns: ${err instanceof Error ? err.message : String(err)}`, source: "worker" }));
    }
  }

  /** Hands a moved branch head to the host (see deliver.ts). */
  private async deliver(signal: AbortSignal): Promise<void> {
    const delivered = await this.delivery.deliver(this.state.delivered, signal);
    if (delivered === this.state.delivered) return;
    this.state.delivered = delivered;
    this.save();
  }

  /** Applies the queued workspace ops in order and reports each; one seen before is reported, not redone. */
  private async applyOps(): Promise<void> {
    const ops = this.deps.commands.takeOps();
    // The host sees the turn end (status idle) before anything an op did.
    if (ops.length) await untilAborted(this.deps.outbox.drained(0), this.deps.signal);
    for (const op of ops) {
      let result: WorkspaceOpResult | undefined = this.state.ops.find((o) => o.id === op.id);
      if (!result) {
        result = await applyOp(op, { workspace: this.deps.workspace, user: this.user, branch: this.deps.config.branch, inboxDir: this.deps.inboxDir });
        this.state.ops = [...this.state.ops, { id: op.id, ...result }].slice(-OPS_KEPT);
        this.save();
      }
      await this.report(op, { ok: result.ok, ...(result.error ? { error: result.error } : {}) });
    }
  }

  /** Tells the host how an op went, retrying until it answers. */
  private async report(op: OpCommand, result: WorkspaceOpResult): Promise<void> {
    try {
      await this.deps.channel.call("POST", `/worker/ops/${encodeURIComponent(op.id)}`, result, { signal: this.deps.signal, timeoutMs: 30_000 });
    } catch (err) {
      if (this.deps.signal.aborted) throw this.interrupted();
      // Refused outright (e.g. an op the host no longer knows): nothing to retry.
      process.stderr.write(`[worker] the host refused the report of op ${op.id}: ${String(err)}\n`);
    }
  }

  private endTurn(reason?: string): void {
    this.state.turn = null;
    this.state.turns++;
    this.save();
    this.emit(ev("status", { status: "idle", ...(reason ? { reason } : {}) }));
  }

  /** Runs a turn; an unexpected error is reported and the agent goes idle, until it keeps happening. */
  private async guarded(turn: () => Promise<void>): Promise<void> {
    try {
      await turn();
    } catch (err) {
      if (err instanceof Interrupted) throw err;
      this.failures++;
      const message = `Worker error: ${err instanceof Error ? err.message : String(err)}`;
      process.stderr.write(`[worker] ${err instanceof Error ? err.stack : String(err)}\n`);
      this.emit(ev("error", { message, source: "worker" }));
      if (this.failures >= MAX_FAILURES) throw new Error(`${MAX_FAILURES} errors in a row; last: ${message}`);
      closeOpenToolUses(this.state.messages, "not run: the worker hit an error", [], this.state.started);
      this.state.started = [];
      this.state.awaiting = null;
      this.endTurn(message);
    }
  }

  private toolContext(): RunContext {
    const { workspace, config, signal, outbox } = this.deps;
    return {
      workspace,
      workerEntry: this.deps.workerEntry,
      config,
      signal,
      emit: (e) => outbox.push(e),
      drained: (limit) => outbox.drained(limit),
      pendingBytes: () => outbox.pendingBytes,
      permissions: this.permissions,
      agentHost: this.agentHost,
    };
  }

  private interrupted(): Interrupted {
    const reason: unknown = this.deps.signal.reason;
    return reason instanceof Interrupted ? reason : new Interrupted("interrupted");
  }

  private emit(event: NewEvent): void {
    this.deps.outbox.push(event);
  }

  private save(): void {
    this.deps.store.save(this.state);
  }
}

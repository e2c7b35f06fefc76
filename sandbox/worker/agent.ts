// The agent loop. `run()` waits for a user message and runs a turn; a turn repeats `step()`
// (take queued messages, check limits, query the model, run its tools) until the model answers
// without tools. Exits are typed exceptions: Interrupted ends the worker, LimitsExceeded and
// ModelError end the turn. The state is saved after every step.
import { randomUUID } from "node:crypto";
import type Anthropic from "@anthropic-ai/sdk";
import type { ContentBlockParam } from "@anthropic-ai/sdk/resources/messages";
import { ev, type NewEvent } from "../../lib/events/schema";
import type { WorkerConfig } from "../../lib/protocol/worker";
import { checkpoint } from "./checkpoint";
import type { CommandQueue, MessageCommand } from "./commands";
import { Interrupted, LimitsExceeded, ModelError } from "./errors";
import { streamReply } from "./model";
import type { Outbox } from "./outbox";
import { systemPrompt } from "./prompt";
import { appendUserText, closeOpenToolUses, type AgentState, type StateStore } from "./state";
import { TOOLS, toolDefinitions } from "./tools";
import { runTool, type RunContext } from "./tools/run-tool";

export type AgentDeps = {
  config: WorkerConfig;
  workspace: string;
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

export class Agent {
  private readonly state: AgentState;
  private readonly system: string;
  private readonly tools = toolDefinitions(TOOLS);
  private failures = 0;

  constructor(private readonly deps: AgentDeps) {
    this.state = deps.state;
    const { workspace, config } = deps;
    this.system = systemPrompt({ workspace, branch: config.branch, tools: TOOLS.map((t) => t.name), shellTimeoutS: config.shellTimeoutS });
  }

  /** Serves user messages until interrupted (throws Interrupted) or failing for good (throws). */
  async run(): Promise<never> {
    // A turn cut off by a crash is picked up where its last saved step left it.
    if (this.state.turn) await this.guarded(() => this.turn("resumed after a worker restart"));
    for (;;) {
      const messages = await this.deps.commands.next();
      this.state.turn = { request: messages.map((m) => m.text).join("\n\n"), commands: [], steps: 0, finalText: "" };
      this.addUserMessages(messages);
      await this.guarded(() => this.turn());
    }
  }

  /** After an interrupt: commit what the turn did, close open tool calls, save, say so. */
  async shutdown(reason: string): Promise<void> {
    if (this.state.turn) await this.checkpoint(true);
    closeOpenToolUses(this.state.messages, `not run: ${reason}`);
    this.state.turn = null;
    this.save();
    this.emit(ev("status", { status: "stopped", reason }));
  }

  private async turn(reason?: string): Promise<void> {
    this.emit(ev("status", { status: "running", ...(reason ? { reason } : {}) }));
    let idleReason: string | undefined;
    try {
      while (!(await this.step()));
    } catch (err) {
      if (err instanceof LimitsExceeded) idleReason = err.message;
      else if (err instanceof ModelError) {
        this.emit(ev("error", { message: `Model call failed: ${err.message}`, source: "model" }));
        idleReason = `model call failed: ${err.message}`;
      } else throw err;
    }
    await this.checkpoint(false);
    this.endTurn(idleReason);
    this.failures = 0;
  }

  /** One step; true when the turn is over. */
  private async step(): Promise<boolean> {
    const turn = this.state.turn!;
    await this.deps.commands.pollNow();
    this.addUserMessages(this.deps.commands.take());
    if (turn.steps >= this.deps.config.maxTurns) {
      throw new LimitsExceeded(`stopped after ${turn.steps} model calls, the limit for one request; send a message to continue`);
    }
    turn.steps++;
    const content = await this.query();
    if (content.length) this.state.messages.push({ role: "assistant", content });
    turn.finalText = content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n") || turn.finalText;
    this.save();

    const uses = content.flatMap((b) => (b.type === "tool_use" ? [b] : []));
    if (!uses.length) {
      // A message that arrived while the model was answering keeps the turn going.
      await this.deps.commands.pollNow();
      const more = this.deps.commands.take();
      this.addUserMessages(more);
      return more.length === 0;
    }
    const results: ContentBlockParam[] = [];
    try {
      for (const use of uses) {
        if (this.deps.signal.aborted) break;
        if (use.name === "shell") turn.commands.push(String((use.input as { command?: unknown }).command ?? ""));
        results.push(await runTool(TOOLS, use, this.toolContext()));
      }
    } finally {
      closeOpenToolUses(this.state.messages, "not run: the worker was stopped", results);
      this.save();
    }
    if (this.deps.signal.aborted) throw this.interrupted();
    return false;
  }

  private async query(): Promise<ContentBlockParam[]> {
    const { client, config, signal } = this.deps;
    const prefix = randomUUID().slice(0, 8);
    const request = { model: config.model, maxTokens: config.maxTokens, system: this.system, tools: this.tools, messages: this.state.messages };
    try {
      return await streamReply(client, request, signal, (index, text) =>
        this.emit(ev("assistant.text", { block: `${prefix}-${index}`, text })),
      );
    } catch (err) {
      throw err instanceof Interrupted ? this.interrupted() : err;
    }
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
      const commit = await checkpoint({ workspace: this.deps.workspace, ...turn, interrupted });
      if (commit) this.emit(ev("commit", commit));
    } catch (err) {
      this.emit(ev("error", { message: `Checkpoint commit failed: ${(err as Error).message}`, source: "worker" }));
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
      closeOpenToolUses(this.state.messages, "not run: the worker hit an error");
      this.endTurn(message);
    }
  }

  private toolContext(): RunContext {
    const { workspace, config, signal, outbox } = this.deps;
    return {
      workspace,
      config,
      signal,
      emit: (e) => outbox.push(e),
      drained: (limit) => outbox.drained(limit),
      pendingBytes: () => outbox.pendingBytes,
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

// A session's transcript as terminal text, event by event: the agent's words as they stream, tool
// calls with their commands, command output, and one line for everything else that happened.
// What the sandbox wrote is hostile: unless `raw`, escape sequences and control characters are
// shown as symbols (lib/text/visible) instead of reaching the terminal.
import type { EventDataOf, SessionEvent } from "../events/schema";
import { STATUS_LABELS } from "../events/status";
import { retryWhat } from "../events/signals";
import { terminalText, visibleText } from "../text/visible";

const SHELL = "shell";
const PLAN_TOOL = "todo_write";
/** Output of a command already shown by tool.output is not repeated from its result; this much otherwise. */
const RESULT_CAP = 4000;

export class TranscriptPrinter {
  private atLineStart = true;
  private openBlock: string | null = null;
  /** Tool calls by id: their name, and whether their output streamed. */
  private calls = new Map<string, { name: string; streamed: boolean }>();

  constructor(
    private readonly write: (s: string) => void,
    private readonly raw = false,
  ) {}

  private text(s: string, terminal = false): string {
    if (this.raw) return s;
    return terminal ? terminalText(s) : visibleText(s);
  }

  private put(s: string): void {
    if (!s) return;
    this.write(s);
    this.atLineStart = s.endsWith("\n");
  }

  /** A line of its own, starting on a fresh line. */
  private line(s: string): void {
    this.openBlock = null;
    if (!this.atLineStart) this.put("\n");
    this.put(s.endsWith("\n") ? s : `${s}\n`);
  }

  /** Ends a partial line (before the CLI prints its own closing words). */
  finish(): void {
    if (!this.atLineStart) this.put("\n");
  }

  print(e: SessionEvent): void {
    switch (e.type) {
      case "assistant.text":
        if (this.openBlock !== e.data.block) {
          if (!this.atLineStart) this.put("\n");
          this.openBlock = e.data.block;
        }
        return this.put(this.text(e.data.text));
      case "user.message":
        return this.line(`\n» ${this.text(e.data.author ?? "someone")}${e.data.queued ? " (queued)" : ""}: ${indent(this.text(e.data.text))}`);
      case "tool.call":
        return this.toolCall(e.data);
      case "tool.output":
        this.openBlock = null;
        if (this.calls.has(e.data.callId)) this.calls.get(e.data.callId)!.streamed = true;
        return this.put(this.text(e.data.text, true));
      case "tool.result":
        return this.toolResult(e.data);
      case "status":
        return this.line(`── ${STATUS_LABELS[e.data.status]}${e.data.reason ? `: ${this.text(e.data.reason)}` : ""}`);
      case "commit":
        return this.line(`✓ committed ${e.data.sha.slice(0, 8)} "${this.text(firstLine(e.data.message))}" (${plural(e.data.filesChanged, "file")}, +${e.data.insertions} −${e.data.deletions})`);
      case "branch":
        return this.line(`⎇ ${e.data.action} ${e.data.sha.slice(0, 8)}${e.data.detail ? ` ${this.text(e.data.detail)}` : ""}${e.data.by ? ` by ${this.text(e.data.by)}` : ""}`);
      case "usage":
        return; // counted on the session; a line per model call would bury the transcript
      case "model.retry":
        return this.line(`… the model call failed (${this.text(retryWhat(e.data.reason))}); retrying in ${seconds(e.data.waitMs)} (attempt ${e.data.attempt})`);
      case "compaction":
        return this.line(`… the conversation was compacted to fit the context window (${kTokens(e.data.tokensBefore)} → ${kTokens(e.data.tokensAfter)} tokens)`);
      case "todo":
        return this.line(`plan:\n${e.data.items.map((i) => `  ${i.status === "completed" ? "[x]" : i.status === "in_progress" ? "[>]" : "[ ]"} ${this.text(i.content)}`).join("\n")}`);
      case "error":
        return this.line(`✗ ${e.data.source ? `${e.data.source} error` : "error"}: ${this.text(e.data.message)}`);
      case "setup":
        return this.line(`── setup ${e.data.state}${e.data.durationMs !== undefined ? ` (${seconds(e.data.durationMs)})` : ""}${e.data.reason ? `: ${this.text(e.data.reason)}` : ""}`);
      case "setup.output":
        this.openBlock = null;
        return this.put(this.text(e.data.text, true));
      case "approval.requested":
        return this.line(`? waiting for a person to approve ${this.text(e.data.tool)} ${this.text(summarize(e.data.tool, e.data.input))}: ${this.text(e.data.reason)} (approve or deny it on the session page)`);
      case "approval.decided":
        return this.line(`? ${e.data.decision}${e.data.by ? ` by ${this.text(e.data.by)}` : ""}${e.data.message ? `: ${this.text(e.data.message)}` : ""}`);
      case "mode":
        return this.line(`permission mode: ${e.data.mode}${e.data.by ? ` (set by ${this.text(e.data.by)})` : ""}`);
      case "hook":
        return this.line(`hook ${e.data.hook} \`${this.text(firstLine(e.data.command))}\` ${e.data.blocked ? "blocked the call" : "failed"} (exit ${e.data.exitCode ?? "?"})${e.data.output ? `\n${this.text(e.data.output, true)}` : ""}`);
      case "memory":
        return this.line(`memory proposed for the ${e.data.scope}: ${this.text(e.data.text)}`);
      case "report":
        return this.line(`report: ${e.data.verdict === "ok" ? "all good" : "needs attention"}: ${this.text(e.data.summary)}`);
      case "alert":
        return this.line(`! ${e.data.kind}: ${this.text(e.data.message)}`);
      case "mcp.server":
        return this.line(`mcp server ${this.text(e.data.server)} (${e.data.kind}) ${e.data.state}${e.data.tools ? `: ${e.data.tools.map((t) => this.text(t)).join(", ") || "no tools"}` : ""}${e.data.reason ? `: ${this.text(e.data.reason)}` : ""}`);
      case "mcp.stderr":
        this.openBlock = null;
        return this.put(this.text(e.data.text, true));
      case "egress.blocked":
        return this.line(`blocked a connection to ${this.text(e.data.host)}:${e.data.port} (${e.data.phase} policy: ${this.text(e.data.reason)})${e.data.repeats ? ` and ${plural(e.data.repeats, "more attempt")}` : ""}`);
      default: {
        const unknown: never = e;
        return void unknown;
      }
    }
  }

  private toolCall(d: EventDataOf<"tool.call">): void {
    this.calls.set(d.callId, { name: d.name, streamed: false });
    if (d.name === PLAN_TOOL) return; // the todo event shows the plan itself
    const command = commandOf(d.name, d.input);
    if (command !== null) return this.line(`$ ${indent(this.text(command), "  ")}`);
    this.line(`→ ${this.text(d.name)} ${this.text(summarize(d.name, d.input))}`.trimEnd());
  }

  private toolResult(d: EventDataOf<"tool.result">): void {
    const call = this.calls.get(d.callId);
    const shell = call?.name === SHELL;
    if (call?.name === PLAN_TOOL && !d.isError) return;
    // A command's output streamed already; other tools' results are shown only when they failed.
    if ((shell && !call.streamed) || (!shell && d.isError)) {
      const out = d.output.length > RESULT_CAP ? `${d.output.slice(0, RESULT_CAP)}\n… (${d.output.length - RESULT_CAP} more characters)` : d.output;
      if (out.trim()) this.line(this.text(out, true));
    }
    const failed = d.isError || (d.exitCode !== undefined && d.exitCode !== null && d.exitCode !== 0);
    if (failed) this.line(`  (${shell ? `exit ${d.exitCode ?? "?"}` : "failed"} after ${seconds(d.durationMs)})`);
  }
}

function commandOf(name: string, input: unknown): string | null {
  if (name !== SHELL || !input || typeof input !== "object") return null;
  const command = (input as { command?: unknown }).command;
  return typeof command === "string" ? command : null;
}

/** A tool call's input in a few words: its path or pattern, else compact JSON. */
function summarize(name: string, input: unknown): string {
  const command = commandOf(name, input);
  if (command !== null) return `\`${firstLine(command)}\``;
  if (input && typeof input === "object") {
    const o = input as Record<string, unknown>;
    const key = ["path", "file_path", "pattern", "query"].find((k) => typeof o[k] === "string");
    if (key) return String(o[key]);
  }
  const json = JSON.stringify(input) ?? "";
  return json.length > 200 ? `${json.slice(0, 200)}…` : json;
}

const firstLine = (s: string) => s.split("\n")[0].slice(0, 200);
const indent = (s: string, pad = "  ") => s.replace(/\n/g, `\n${pad}`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);
const kTokens = (n: number) => (n >= 1000 ? `${Math.round(n / 1000)}k` : String(n));

// A session as a readable Markdown transcript, rendered one event at a time so that a 50 MB log
// never becomes one string. Tool output is capped per call here (the JSON export keeps it all).
// Control characters and escapes are made visible (␛, ␀): a Markdown file is read in terminals
// too, where a raw ESC would be interpreted.
import { isRefusal, retryWhat } from "../events/signals";
import type { EventDataOf, SessionEvent } from "../events/schema";
import type { SessionDto } from "../protocol/api";
import { terminalText, visibleText } from "../text/visible";

export const OUTPUT_CAP = 10_000;
const PLAN_TOOL = "todo_write";

/** A fence longer than any backtick run inside, so output containing ``` cannot close it. */
export function fence(text: string, lang = ""): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const ticks = "`".repeat(Math.max(3, longest + 1));
  return `${ticks}${lang}\n${text.endsWith("\n") ? text : text + "\n"}${ticks}\n\n`;
}

const code = (s: string) => (s.includes("`") ? `\`\` ${s} \`\`` : `\`${s}\``);
const short = (sha: string | null) => (sha ? code(sha.slice(0, 12)) : "—");
const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

export function renderHeader(s: SessionDto): string {
  const title = oneLine(s.prompt).slice(0, 100) || s.id;
  const status = s.status === "failed" && s.failureReason ? `failed (${oneLine(s.failureReason)})` : s.status;
  const lines = [
    `# ${title}`,
    "",
    `- **Repository:** ${s.repo}`,
    `- **Base:** ${code(s.baseBranch)} at ${short(s.baseCommit)}`,
    `- **Branch:** ${code(s.branch)} at ${short(s.headCommit)}`,
    `- **Model:** ${s.model}`,
    `- **Status:** ${status}`,
    `- **Started by:** ${s.createdBy?.name ?? "unknown"}`,
    `- **Started:** ${s.createdAt}${s.endedAt ? ` · **Ended:** ${s.endedAt}` : ""}`,
    `- **Tokens:** ${s.inputTokens.toLocaleString("en-US")} in, ${s.outputTokens.toLocaleString("en-US")} out`,
    `- **Session:** ${s.id}`,
    "",
    "---",
    "",
  ];
  return visibleText(lines.join("\n") + "\n");
}

type Todo = EventDataOf<"todo">["items"][number];
const allDone = (items: readonly Todo[]) => items.length > 0 && items.every((t) => t.status === "completed");
const steps = (k: number) => `${k} ${k === 1 ? "step" : "steps"}`;
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function todoLine(t: Todo): string {
  const text = oneLine(t.content);
  if (t.status === "completed") return `- [x] ${text}`;
  return t.status === "in_progress" ? `- [ ] **${text}** _(in progress)_` : `- [ ] ${text}`;
}

interface PendingRetry {
  reason: string;
  retries: number;
  waitedMs: number;
}

interface PendingOutput {
  text: string;
  dropped: number;
}

/** Renders events in order; keeps only what a call's output block needs until its result. */
export function createMarkdownRenderer() {
  const r = rawRenderer();
  return { render: (e: SessionEvent) => visibleText(r.render(e)), finish: () => visibleText(r.finish()) };
}

const TASK_TOOL = "task";
/** The call a subagent's step belongs to (its `task` call), or undefined for the main agent's own. */
const parentOf = (e: SessionEvent): string | undefined => {
  const p = (e.data as { parent?: unknown }).parent;
  return typeof p === "string" ? p : undefined;
};
/** A subagent's steps, nested under its task as a quote (fences and headings keep working inside). */
const quote = (md: string) =>
  md
    .trimEnd()
    .split("\n")
    .map((l) => (l ? `> ${l}` : ">"))
    .join("\n") + "\n\n";

function rawRenderer() {
  // Subagents' steps, per task call: rendered by a renderer of their own (several subagents run at
  // once and their events interleave) and written under the task's heading when its result comes.
  const subagents = new Map<string, { renderer: ReturnType<typeof rawRenderer>; text: string }>();
  const taskCalls = new Set<string>();
  const outputs = new Map<string, PendingOutput>();
  let block: string | null = null;
  // Consecutive retries become one line, written when whatever ends the wait arrives.
  let retry: PendingRetry | null = null;
  let todos: readonly Todo[] | null = null;
  // Plan updates are written as the plan itself (below); their tool calls only if one failed.
  const planCalls = new Set<string>();

  const retryLine = () => {
    if (!retry) return "";
    const r = retry;
    retry = null;
    const waited = `${Math.round(r.waitedMs / 1000)} s`;
    const what = r.retries === 1 ? `waited ${waited} and retried` : `waited ${waited} in all and retried ${r.retries} times`;
    return `_${capitalize(oneLine(r.reason))}: ${what}._\n\n`;
  };

  const outputBlock = (text: string, dropped: number) => {
    if (!text && !dropped) return "_No output._\n\n";
    const note = dropped ? `_Output capped: ${dropped.toLocaleString("en-US")} more characters are in the JSON export._\n\n` : "";
    return fence(text) + note;
  };

  // Assistant text arrives in pieces; a heading starts each block, and whatever follows a
  // block starts on a fresh paragraph.
  function render(e: SessionEvent): string {
    const parent = parentOf(e);
    if (parent !== undefined) {
      const sub = subagents.get(parent) ?? { renderer: rawRenderer(), text: "" };
      subagents.set(parent, sub);
      // Subagents have no subagents of their own: their steps are rendered as the main agent's are.
      sub.text += sub.renderer.renderRaw(e);
      return "";
    }
    return renderRaw(e);
  }

  /** The subagent's steps of a task call, as a quote, and forgets them. */
  function nestedSteps(callId: string): string {
    const sub = subagents.get(callId);
    subagents.delete(callId);
    const text = sub ? sub.text + sub.renderer.finish() : "";
    return text.trim() ? quote(text) : "";
  }

  function renderRaw(e: SessionEvent): string {
    if (e.type === "model.retry") {
      retry = { reason: retryWhat(e.data.reason), retries: (retry?.retries ?? 0) + 1, waitedMs: (retry?.waitedMs ?? 0) + e.data.waitMs };
      return "";
    }
    const waited = retryLine();
    if (e.type === "assistant.text") {
      const sep = block === null ? "" : "\n\n";
      const head = block === e.data.block && !waited ? "" : `${sep}${waited}### Assistant\n\n`;
      block = e.data.block;
      return head + e.data.text;
    }
    const out = waited + body(e);
    if (!out) return "";
    const sep = block === null ? "" : "\n\n";
    block = null;
    return sep + out;
  }

  // Setup output is collected under a key no tool call can have (call ids are the model's).
  const SETUP_OUTPUT = "\u0000setup";
  function body(e: Exclude<SessionEvent, { type: "assistant.text" }>): string {
    switch (e.type) {
      case "user.message":
        return `### ${e.data.author ?? "User"}${e.data.queued ? " (follow-up)" : ""}\n\n${e.data.text}\n\n`;
      case "tool.call": {
        if (e.data.name === PLAN_TOOL) {
          planCalls.add(e.data.callId);
          return "";
        }
        outputs.set(e.data.callId, { text: "", dropped: 0 });
        if (e.data.name === TASK_TOOL) {
          taskCalls.add(e.data.callId);
          return subagentHeading(e.data.input);
        }
        const args = e.data.input as { command?: unknown } | null;
        const input = e.data.name === "shell" && typeof args?.command === "string" ? fence(args.command, "sh") : fence(capped(JSON.stringify(e.data.input, null, 2) ?? ""), "json");
        return `#### Tool: ${e.data.name}\n\n${input}`;
      }
      case "tool.output": {
        const out = outputs.get(e.data.callId) ?? { text: "", dropped: 0 };
        const room = OUTPUT_CAP - out.text.length;
        out.text += terminalText(e.data.text.slice(0, Math.max(0, room)));
        out.dropped += Math.max(0, e.data.text.length - Math.max(0, room));
        outputs.set(e.data.callId, out);
        return "";
      }
      case "tool.result": {
        if (planCalls.delete(e.data.callId)) return e.data.isError ? `#### Tool: ${PLAN_TOOL} (failed)\n\n${outputBlock(terminalText(e.data.output.slice(0, OUTPUT_CAP)), 0)}` : "";
        const out = outputs.get(e.data.callId);
        outputs.delete(e.data.callId);
        const streamed = out && (out.text || out.dropped);
        const text = streamed ? out.text : terminalText(e.data.output.slice(0, OUTPUT_CAP));
        const dropped = streamed ? out.dropped : Math.max(0, e.data.output.length - OUTPUT_CAP);
        const took = `${(e.data.durationMs / 1000).toFixed(1)} s`;
        if (taskCalls.delete(e.data.callId)) {
          // A subagent's report is its last text, already in its steps: written again only on a failure or without steps.
          const nested = nestedSteps(e.data.callId);
          if (e.data.isError || !nested) return `${nested}${outputBlock(text, dropped)}_Subagent ${e.data.isError ? "failed" : "finished"}, ${took}_\n\n`;
          return `${nested}_Subagent finished, ${took}: its report is its last message above._\n\n`;
        }
        const exit = e.data.exitCode != null ? `exit code ${e.data.exitCode}` : e.data.isError ? "failed" : "done";
        return `${outputBlock(text, dropped)}_${exit}, ${took}_\n\n`;
      }
      case "commit": {
        const subject = e.data.message.split("\n")[0];
        return `**Commit** ${code(e.data.sha.slice(0, 12))} ${subject} (${e.data.filesChanged} files, +${e.data.insertions} −${e.data.deletions})\n\n`;
      }
      case "status":
        if (e.data.status === "failed") return `_Session failed${e.data.reason ? `: ${oneLine(e.data.reason)}` : ""}._\n\n`;
        return e.data.status === "stopped" ? "_Session stopped._\n\n" : "";
      case "error":
        if (isRefusal(e.data)) return `> **Model declined:** ${oneLine(e.data.message)}\n\n`;
        return `> **Error**${e.data.source ? ` (${e.data.source})` : ""}: ${oneLine(e.data.message)}\n\n`;
      case "branch":
        return `**Branch ${e.data.action}**${e.data.by ? ` by ${e.data.by}` : ""}${e.data.detail ? ` ${e.data.detail}` : ""}: ${code(e.data.sha.slice(0, 12))}\n\n`;
      case "usage":
      case "model.retry":
        return "";
      case "setup": {
        const d = e.data;
        if (d.state === "running") return `**Setup** (${d.source === "repository" ? "the repository's .dockside/setup.sh" : "the team's script"})\n\n`;
        const took = d.durationMs !== undefined ? `, ${(d.durationMs / 1000).toFixed(1)} s` : "";
        const setupOut = outputs.get(SETUP_OUTPUT);
        outputs.delete(SETUP_OUTPUT);
        const log = setupOut && (setupOut.text || setupOut.dropped) ? outputBlock(setupOut.text, setupOut.dropped) : "";
        return `${log}_Setup ${d.state}${took}${d.reason ? `: ${oneLine(d.reason)}` : ""}_\n\n`;
      }
      case "setup.output": {
        const out = outputs.get(SETUP_OUTPUT) ?? { text: "", dropped: 0 };
        const room = OUTPUT_CAP - out.text.length;
        out.text += terminalText(e.data.text.slice(0, Math.max(0, room)));
        out.dropped += Math.max(0, e.data.text.length - Math.max(0, room));
        outputs.set(SETUP_OUTPUT, out);
        return "";
      }
      case "approval.requested":
        return `> **Needs approval:** ${code(e.data.tool)} ${oneLine(e.data.reason)}\n\n`;
      case "approval.decided":
        return `> **${e.data.decision === "approved" ? "Approved" : e.data.decision === "denied" ? "Denied" : "Cancelled"}**${e.data.by ? ` by ${e.data.by}` : ""}${e.data.message ? `: ${oneLine(e.data.message)}` : ""}${e.data.rule ? ` (rule added: ${code(e.data.rule)})` : ""}\n\n`;
      case "mode":
        return `_Mode: ${e.data.mode}${e.data.by ? ` (set by ${e.data.by})` : ""}._\n\n`;
      case "hook":
        return `> **Hook ${e.data.hook}** ${code(e.data.command.split("\n")[0].slice(0, 120))} ${e.data.blocked ? "blocked the call" : "failed"} (exit ${e.data.exitCode ?? "?"})\n\n`;
      case "mcp.server":
        return `> **MCP server ${code(e.data.server)}** (${e.data.kind}) ${e.data.state}${e.data.tools ? `: ${e.data.tools.length} tools` : ""}${e.data.reason ? `: ${oneLine(e.data.reason)}` : ""}\n\n`;
      case "mcp.stderr":
        return `_MCP server ${code(e.data.server)} stderr:_\n\n${fence(e.data.text)}`;
      case "egress.blocked":
        return `> **Blocked:** ${code(`${e.data.host}:${e.data.port}`)} (${e.data.phase}: ${oneLine(e.data.reason)})${e.data.repeats ? `, ${e.data.repeats} more times` : ""}\n\n`;
      case "todo":
        return todo(e.data.items);
      case "memory":
        return `> **Proposed memory** (${e.data.scope}): ${oneLine(e.data.text)}\n\n`;
      case "report":
        return `> **Check verdict: ${e.data.verdict}** ${oneLine(e.data.summary)}\n\n`;
      case "alert":
        return `> **Alert (${e.data.kind}):** ${oneLine(e.data.message)}\n\n`;
      case "compaction": {
        const how = e.data.strategy === "summary" ? "summary" : `${e.data.cleared ?? 0} old tool results cleared`;
        const line = `_Context compacted: ${e.data.tokensBefore.toLocaleString("en-US")} → ${e.data.tokensAfter.toLocaleString("en-US")} tokens (${how})._\n\n`;
        if (!e.data.summary) return line;
        const quoted = e.data.summary.trimEnd().split("\n").map((l) => (l ? `> ${l}` : ">")).join("\n");
        return `${line}> **Summary the agent carries on from:**\n>\n${quoted}\n\n`;
      }
    }
  }

  // Like the transcript: a new plan and its completion, not every tick.
  function todo(items: readonly Todo[]): string {
    const prev = todos;
    todos = items;
    if (items.length === 0) return "";
    const wasDone = prev !== null && allDone(prev);
    if (allDone(items)) return wasDone ? "" : `**Plan complete:** all ${steps(items.length)} done.\n\n`;
    if (prev !== null && prev.length > 0 && !wasDone) return "";
    return `**Plan** (${steps(items.length)}):\n\n${items.map(todoLine).join("\n")}\n\n`;
  }

  function subagentHeading(input: unknown): string {
    const args = (input ?? {}) as { description?: unknown; prompt?: unknown; readOnly?: unknown };
    const title = typeof args.description === "string" ? oneLine(args.description).slice(0, 200) : "a task";
    const prompt = typeof args.prompt === "string" ? fence(capped(args.prompt)) : "";
    return `#### Subagent: ${title}${args.readOnly === true ? " (read-only)" : ""}\n\n${prompt}`;
  }

  /** Output of calls that never got a result (the session was stopped mid-command). */
  function finish(): string {
    const nested = [...subagents.keys()].map((id) => nestedSteps(id) + "_no report: the subagent was interrupted_\n\n");
    const rest = [...outputs.values()].map((o) => outputBlock(o.text, o.dropped) + "_no result: the command was interrupted_\n\n");
    rest.unshift(...nested);
    outputs.clear();
    const waited = retryLine();
    if (!rest.length && !waited) return "";
    const sep = block === null ? "" : "\n\n";
    block = null;
    return visibleText(sep + waited + rest.join(""));
  }

  return { render, renderRaw, finish };
}

function capped(s: string): string {
  return s.length <= OUTPUT_CAP ? s : `${s.slice(0, OUTPUT_CAP)}\n… (${(s.length - OUTPUT_CAP).toLocaleString("en-US")} more characters in the JSON export)`;
}

// A session as a readable Markdown transcript, rendered one event at a time so that a 50 MB log
// never becomes one string. Tool output is capped per call here (the JSON export keeps it all).
import type { SessionEvent } from "../events/schema";
import type { SessionDto } from "../protocol/api";

export const OUTPUT_CAP = 10_000;

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
  return lines.join("\n") + "\n";
}

interface PendingOutput {
  text: string;
  dropped: number;
}

/** Renders events in order; keeps only what a call's output block needs until its result. */
export function createMarkdownRenderer() {
  const outputs = new Map<string, PendingOutput>();
  let block: string | null = null;

  const outputBlock = (text: string, dropped: number) => {
    if (!text && !dropped) return "_No output._\n\n";
    const note = dropped ? `_Output capped: ${dropped.toLocaleString("en-US")} more characters are in the JSON export._\n\n` : "";
    return fence(text) + note;
  };

  // Assistant text arrives in pieces; a heading starts each block, and whatever follows a
  // block starts on a fresh paragraph.
  function render(e: SessionEvent): string {
    if (e.type === "assistant.text") {
      const head = block === e.data.block ? "" : `${block === null ? "" : "\n\n"}### Assistant\n\n`;
      block = e.data.block;
      return head + e.data.text;
    }
    const out = body(e);
    if (!out) return "";
    const sep = block === null ? "" : "\n\n";
    block = null;
    return sep + out;
  }

  function body(e: Exclude<SessionEvent, { type: "assistant.text" }>): string {
    switch (e.type) {
      case "user.message":
        return `### ${e.data.author ?? "User"}${e.data.queued ? " (queued)" : ""}\n\n${e.data.text}\n\n`;
      case "tool.call": {
        outputs.set(e.data.callId, { text: "", dropped: 0 });
        const args = e.data.input as { command?: unknown } | null;
        const input = e.data.name === "shell" && typeof args?.command === "string" ? fence(args.command, "sh") : fence(capped(JSON.stringify(e.data.input, null, 2) ?? ""), "json");
        return `#### Tool: ${e.data.name}\n\n${input}`;
      }
      case "tool.output": {
        const out = outputs.get(e.data.callId) ?? { text: "", dropped: 0 };
        const room = OUTPUT_CAP - out.text.length;
        out.text += e.data.text.slice(0, Math.max(0, room));
        out.dropped += Math.max(0, e.data.text.length - Math.max(0, room));
        outputs.set(e.data.callId, out);
        return "";
      }
      case "tool.result": {
        const out = outputs.get(e.data.callId);
        outputs.delete(e.data.callId);
        const streamed = out && (out.text || out.dropped);
        const text = streamed ? out.text : e.data.output.slice(0, OUTPUT_CAP);
        const dropped = streamed ? out.dropped : Math.max(0, e.data.output.length - OUTPUT_CAP);
        const exit = e.data.exitCode != null ? `exit code ${e.data.exitCode}` : e.data.isError ? "failed" : "done";
        return `${outputBlock(text, dropped)}_${exit}, ${(e.data.durationMs / 1000).toFixed(1)} s_\n\n`;
      }
      case "commit": {
        const subject = e.data.message.split("\n")[0];
        return `**Commit** ${code(e.data.sha.slice(0, 12))} ${subject} (${e.data.filesChanged} files, +${e.data.insertions} −${e.data.deletions})\n\n`;
      }
      case "status":
        if (e.data.status === "failed") return `_Session failed${e.data.reason ? `: ${oneLine(e.data.reason)}` : ""}._\n\n`;
        return e.data.status === "stopped" ? "_Session stopped._\n\n" : "";
      case "error":
        return `> **Error**${e.data.source ? ` (${e.data.source})` : ""}: ${oneLine(e.data.message)}\n\n`;
      case "branch":
        return `**Branch ${e.data.action}**${e.data.by ? ` by ${e.data.by}` : ""}${e.data.detail ? ` ${e.data.detail}` : ""}: ${code(e.data.sha.slice(0, 12))}\n\n`;
      case "usage":
      case "todo":
        return "";
      case "model.retry":
        return `_${oneLine(e.data.reason)}: retrying in ${Math.round(e.data.waitMs / 1000)} s (attempt ${e.data.attempt})._\n\n`;
      case "compaction":
        return `_Context compacted (${e.data.strategy === "summary" ? "summarized" : `${e.data.cleared ?? 0} old tool results cleared`}): ${e.data.tokensBefore.toLocaleString("en-US")} → ${e.data.tokensAfter.toLocaleString("en-US")} tokens._\n\n`;
    }
  }

  /** Output of calls that never got a result (the session was stopped mid-command). */
  function finish(): string {
    const rest = [...outputs.values()].map((o) => outputBlock(o.text, o.dropped) + "_no result: the command was interrupted_\n\n");
    outputs.clear();
    if (!rest.length) return "";
    const sep = block === null ? "" : "\n\n";
    block = null;
    return sep + rest.join("");
  }

  return { render, finish };
}

function capped(s: string): string {
  return s.length <= OUTPUT_CAP ? s : `${s.slice(0, OUTPUT_CAP)}\n… (${(s.length - OUTPUT_CAP).toLocaleString("en-US")} more characters in the JSON export)`;
}

// The expensive half of compaction: the conversation is rendered as text (so the request needs no
// tools and can be cut to fit), summarized by one model call, and replaced by the summary plus the
// most recent exchange. Whole messages are kept or dropped, so a tool_use never loses its
// tool_result (or the reverse) and thinking blocks stay with their turn.
import type { ContentBlockParam, MessageParam } from "@anthropic-ai/sdk/resources/messages";
import { SUMMARY_REQUEST_MARKER } from "../../../lib/models/conventions";
import { isCleared, resultText } from "./clear";
import { estimateTokens } from "./tokens";

export { SUMMARY_REQUEST_MARKER };
export const SUMMARY_HEADER =
  "[Earlier conversation was summarized to fit the context window. This summary replaces it; the full history stays in the session transcript, and saved tool outputs stay under /tmp/dockside-outputs.]";

export const SUMMARY_SYSTEM =
  "You summarize the work of a software engineering agent so that it can carry on from your summary alone. " +
  "Be complete and specific: file paths, names, commands, error messages, numbers.";

const SUMMARY_INSTRUCTIONS = `${SUMMARY_REQUEST_MARKER}
The conversation above no longer fits the context window. Write a summary that lets you carry on the work without it, under these headings:
1. Task: what the person asked for, in full.
2. The person's messages: every one, verbatim, in order.
3. Decisions and findings: what was decided and why, what was learnt about the code and the environment.
4. Files: every file read, created or changed, and what changed in it.
5. Todo list: the latest list, with each item's status.
6. Current state: what was being done at the end, what is left, and the very next step.
Write only the summary.`;

// Per entry, so one huge output cannot crowd out the rest.
const CAP = { person: 8000, assistant: 4000, input: 600, result: 1500 } as const;

type Entry = { text: string; keep: boolean };

/** The summary request: a transcript of `messages` that fits in `maxTokens` tokens, and the instructions. */
export function summaryRequest(messages: MessageParam[], maxTokens: number): { system: string; messages: MessageParam[] } {
  const room = Math.max(256, maxTokens - estimateTokens(SUMMARY_SYSTEM) - estimateTokens(SUMMARY_INSTRUCTIONS) - 64);
  const transcript = fitEntries(entries(messages), room * 4);
  return {
    system: SUMMARY_SYSTEM,
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: `The conversation so far:\n\n${transcript}` },
          { type: "text", text: SUMMARY_INSTRUCTIONS },
        ],
      },
    ],
  };
}

function entries(messages: MessageParam[]): Entry[] {
  const names = new Map<string, string>();
  const out: Entry[] = [];
  for (const m of messages) {
    const blocks: ContentBlockParam[] = typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content;
    for (const b of blocks) {
      if (b.type === "text" && m.role === "user") {
        const summary = b.text.startsWith(SUMMARY_HEADER);
        out.push({ text: `[${summary ? "earlier summary" : "person"}] ${clip(b.text, summary ? 4 * CAP.person : CAP.person)}`, keep: true });
      } else if (b.type === "text") {
        out.push({ text: `[assistant] ${clip(b.text, CAP.assistant)}`, keep: false });
      } else if (b.type === "tool_use") {
        names.set(b.id, b.name);
        // The plan is kept whole: the summary must carry the latest todo list.
        const cap = b.name === "todo_write" ? CAP.person : CAP.input;
        out.push({ text: `[tool call ${b.name}] ${clip(JSON.stringify(b.input), cap)}`, keep: false });
      } else if (b.type === "tool_result") {
        const what = isCleared(b) ? "(cleared earlier)" : clip(resultText(b), CAP.result);
        out.push({ text: `[tool result ${names.get(b.tool_use_id) ?? ""}${b.is_error ? ", error" : ""}] ${what}`, keep: false });
      }
    }
  }
  return out;
}

/** Joins entries within `maxChars`: the person's messages first, then the newest others; gaps are marked. */
function fitEntries(all: Entry[], maxChars: number): string {
  const chosen = new Set<number>();
  let used = 0;
  const take = (i: number) => {
    const cost = all[i].text.length + 2;
    if (used + cost > maxChars) return false;
    chosen.add(i);
    used += cost;
    return true;
  };
  // The person's messages, newest first, so the task and the latest requests survive a tight fit.
  const people = all.flatMap((e, i) => (e.keep ? [i] : []));
  if (people.length) take(people[0]);
  for (let i = people.length - 1; i > 0; i--) take(people[i]);
  for (let i = all.length - 1; i >= 0; i--) if (!all[i].keep && !take(i)) break;
  const parts: string[] = [];
  let gap = 0;
  all.forEach((e, i) => {
    if (!chosen.has(i)) return void gap++;
    if (gap) parts.push(`[... ${gap} earlier entries left out ...]`);
    gap = 0;
    parts.push(e.text);
  });
  if (gap) parts.push(`[... ${gap} entries left out ...]`);
  return clip(parts.join("\n\n"), maxChars);
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.floor(max * 0.7);
  return `${text.slice(0, head)}\n[... ${text.length - max} characters left out ...]\n${text.slice(text.length - (max - head))}`;
}

/** The latest todo list the agent wrote, as text, or null. */
export function latestTodo(messages: MessageParam[]): string | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (typeof m.content === "string") continue;
    for (let j = m.content.length - 1; j >= 0; j--) {
      const b = m.content[j];
      if (b.type === "tool_use" && b.name === "todo_write") return renderTodo(b.input);
      if (b.type === "text" && b.text.startsWith(SUMMARY_HEADER)) return TODO_RE.exec(b.text)?.[1] ?? null;
    }
  }
  return null;
}

const TODO_RE = /<todo-list>\n([\s\S]*?)\n<\/todo-list>/;

function renderTodo(input: unknown): string | null {
  const items = (input as { items?: unknown })?.items;
  if (!Array.isArray(items)) return null;
  const mark = { completed: "[x]", in_progress: "[~]", pending: "[ ]" } as Record<string, string>;
  const lines = items.flatMap((it: { content?: unknown; status?: unknown }) =>
    typeof it?.content === "string" ? [`${mark[String(it.status)] ?? "[ ]"} ${it.content}`] : [],
  );
  return lines.length ? lines.join("\n") : null;
}

const PERSON_OPEN = "<person-messages>";
const PERSON_CLOSE = "</person-messages>";
const PERSON_CAP = 16_000;

/**
 * What the person wrote, verbatim, oldest first: carried by the worker itself across every summary
 * (a model's summary may paraphrase or drop them). A previous summary's block is read back; when the
 * whole is too long, the first message (the task) and the most recent ones are kept.
 */
export function personMessages(messages: MessageParam[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    if (m.role !== "user") continue;
    const blocks = typeof m.content === "string" ? [{ type: "text" as const, text: m.content }] : m.content;
    for (const b of blocks) {
      if (b.type !== "text") continue;
      if (b.text.startsWith(SUMMARY_HEADER)) {
        const inner = b.text.split(PERSON_OPEN)[1]?.split(PERSON_CLOSE)[0];
        if (inner) out.push(...inner.split("\n---\n").map((t) => t.trim()).filter(Boolean));
        continue;
      }
      out.push(b.text);
    }
  }
  const kept = [...out];
  while (kept.length > 2 && kept.join("").length > PERSON_CAP) kept.splice(1, 1);
  return kept.map((t) => clip(t, PERSON_CAP / 2));
}

/**
 * The conversation after a summary: the person's messages verbatim, the summary (with the todo
 * list) as a user message, then the most recent exchange (from the last assistant message on) if it
 * fits in `tailTokens`.
 */
export function rebuild(messages: MessageParam[], summary: string, todo: string | null, tailTokens: number): MessageParam[] {
  const start = messages.findLastIndex((m) => m.role === "assistant");
  const tail = start > 0 ? messages.slice(start) : [];
  const keepTail = tail.length > 1 && estimateTokens(tail) <= tailTokens;
  // Without the tail, the last message's text is already among the person's messages.
  const person = personMessages(keepTail ? messages.slice(0, start) : messages);
  const todoText = todo ? `\n\nThe todo list when the summary was made:\n<todo-list>\n${todo}\n</todo-list>` : "";
  const said = person.length ? `\n\nWhat the person wrote, verbatim (the first is the task):\n${PERSON_OPEN}\n${person.join("\n---\n")}\n${PERSON_CLOSE}` : "";
  const content: ContentBlockParam[] = [{ type: "text", text: `${SUMMARY_HEADER}${said}\n\nSummary:\n${summary.trim() || "(the summary came back empty)"}${todoText}` }];
  return keepTail ? [{ role: "user", content }, ...tail] : [{ role: "user", content }];
}

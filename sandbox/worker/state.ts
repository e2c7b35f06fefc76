// The conversation as the worker keeps it between steps and across restarts: saved after every
// step, so a new container (after a stop or a host restart) carries on where the last one was.
import fs from "node:fs";
import type { ContentBlockParam, MessageParam } from "@anthropic-ai/sdk/resources/messages";
import { z } from "zod";

const TurnSchema = z.object({
  /** What the person asked for in this turn (the commit subject comes from it). */
  request: z.string(),
  /** Shell commands run in this turn, for the commit body. */
  commands: z.array(z.string()),
  /** Model calls made in this turn, checked against config.maxTurns. */
  steps: z.number().int().nonnegative(),
  finalText: z.string(),
});
export type Turn = z.infer<typeof TurnSchema>;

const StateSchema = z.object({
  version: z.literal(1),
  messages: z.array(z.custom<MessageParam>((m) => typeof m === "object" && m !== null && "role" in m)),
  /** Seq of the last user message taken into the conversation: commands are fetched after it. */
  lastCommandSeq: z.number().int().nonnegative(),
  turns: z.number().int().nonnegative(),
  /** The turn in progress; null while idle. */
  turn: TurnSchema.nullable(),
  /** The branch head the host last accepted as a checkpoint bundle; a different head is delivered. */
  delivered: z.string().nullable().default(null),
  /** Workspace ops applied lately, with their outcome: one delivered again is reported, not redone. */
  ops: z.array(z.object({ id: z.string(), ok: z.boolean(), error: z.string().optional() })).default([]),
});
export type AgentState = z.infer<typeof StateSchema>;

const EMPTY: AgentState = { version: 1, messages: [], lastCommandSeq: 0, turns: 0, turn: null, delivered: null, ops: [] };

export class StateStore {
  constructor(readonly file: string) {}

  load(): AgentState {
    if (!fs.existsSync(this.file)) return structuredClone(EMPTY);
    const state = StateSchema.parse(JSON.parse(fs.readFileSync(this.file, "utf8")));
    closeOpenToolUses(state.messages, "not run: the worker restarted before this tool finished");
    return state;
  }

  /** Written to a temporary file and renamed, so a crash never leaves half a state behind. */
  save(state: AgentState): void {
    fs.writeFileSync(this.file + ".tmp", JSON.stringify(state));
    fs.renameSync(this.file + ".tmp", this.file);
  }
}

/** Appends user text, joining the previous user message (e.g. after its tool results) if there is one. */
export function appendUserText(messages: MessageParam[], text: string): void {
  const last = messages[messages.length - 1];
  const block: ContentBlockParam = { type: "text", text };
  if (last?.role !== "user") {
    messages.push({ role: "user", content: [block] });
    return;
  }
  last.content = typeof last.content === "string" ? [{ type: "text", text: last.content }, block] : [...last.content, block];
}

/**
 * The API wants a tool_result for every tool_use. When the worker stopped between the model's
 * answer and the results, the unanswered calls get an error result saying why.
 */
export function closeOpenToolUses(messages: MessageParam[], why: string, done: ContentBlockParam[] = []): void {
  const last = messages[messages.length - 1];
  if (last?.role !== "assistant" || typeof last.content === "string") return;
  const answered = new Set(done.flatMap((b) => (b.type === "tool_result" ? [b.tool_use_id] : [])));
  const missing: ContentBlockParam[] = last.content
    .filter((b) => b.type === "tool_use" && !answered.has(b.id))
    .map((b) => ({ type: "tool_result", tool_use_id: (b as { id: string }).id, content: why, is_error: true }));
  if (done.length || missing.length) messages.push({ role: "user", content: [...done, ...missing] });
}

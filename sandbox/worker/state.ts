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
  /** Stop-hook rounds that sent the model back to work in this turn (checked against hooks.stopMaxRuns). */
  stopRuns: z.number().int().nonnegative().optional(),
});
export type Turn = z.infer<typeof TurnSchema>;

const StateSchema = z.object({
  version: z.literal(3),
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
  /** The system prompt, built once for the session: a prefix that never changes stays cached. */
  system: z.string().nullable().default(null),
  /** Tool calls of the last answer that started running: after a crash these may have run. */
  started: z.array(z.string()).default([]),
  /** The setup phase is over and the host knows (POST /worker/setup/done): a restart goes straight to the agent. */
  setupDone: z.boolean(),
  /**
   * A tool call of the last answer waiting for a person's approval (never started): after a restart
   * the turn asks again with the same callId (the host answers with the same approval) instead of
   * telling the model the call was not run.
   */
  awaiting: z.string().nullable().default(null),
});
export type AgentState = z.infer<typeof StateSchema>;

export const STATE_VERSION = 3;
const EMPTY: AgentState = { version: 3, messages: [], lastCommandSeq: 0, turns: 0, turn: null, delivered: null, ops: [], system: null, started: [], setupDone: false, awaiting: null };

/**
 * Each step takes a saved state one version up; a new worker bundle meets the state an older
 * one saved after every upgrade. Never edit a step once shipped: add the next one.
 */
const MIGRATIONS: Record<number, (old: Record<string, unknown>) => Record<string, unknown>> = {
  // v1 had no system prompt of its own (built at start) and did not record started tools: any
  // call left open may have run, so it is told so, never "not run".
  1: (old) => ({ ...old, version: 2, system: null, started: openToolUses(old.messages) }),
  // v2 had no setup phase: a state saved by it belongs to a session whose agent already ran.
  2: (old) => ({ ...old, version: 3, setupDone: true }),
};

/** The ids of the tool calls of the last message when it is the model's answer (none of them answered yet). */
export function openToolUseIds(messages: unknown): string[] {
  return openToolUses(messages);
}

function openToolUses(messages: unknown): string[] {
  const last = Array.isArray(messages) ? (messages[messages.length - 1] as MessageParam | undefined) : undefined;
  if (last?.role !== "assistant" || typeof last.content === "string") return [];
  return last.content.flatMap((b) => (b.type === "tool_use" ? [b.id] : []));
}

/** Parses a saved state of any known version into the current one. */
export function migrateState(raw: unknown): AgentState {
  let data = z.looseObject({ version: z.number().int().positive() }).parse(raw) as Record<string, unknown> & { version: number };
  if (data.version > STATE_VERSION) throw new Error(`the saved state is version ${data.version}, newer than this worker (${STATE_VERSION})`);
  while (data.version < STATE_VERSION) {
    const step = MIGRATIONS[data.version];
    if (!step) throw new Error(`no migration from saved state version ${data.version}`);
    data = step(data) as typeof data;
  }
  return StateSchema.parse(data);
}

/** What a tool call that started but never reported back is told: it may well have run. */
export const INTERRUPTED_NOTE =
  "interrupted: the worker restarted while this tool ran; it may have run in part or in whole (its output so far is in the transcript). Check its effects before running it again.";

export class StateStore {
  constructor(readonly file: string) {}

  load(): AgentState {
    if (!fs.existsSync(this.file)) return structuredClone(EMPTY);
    const state = migrateState(JSON.parse(fs.readFileSync(this.file, "utf8")));
    // A call waiting for approval: the resumed turn runs the rest of that answer (turn.ts).
    if (state.awaiting && state.turn && openToolUseIds(state.messages).includes(state.awaiting)) return state;
    state.awaiting = null;
    closeOpenToolUses(state.messages, "not run: the worker restarted before this tool started", [], state.started);
    state.started = [];
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
 * answer and the results, the unanswered calls get an error result saying why: `why` for those
 * that provably never started, INTERRUPTED_NOTE for those in `started` (they may have run).
 */
export function closeOpenToolUses(messages: MessageParam[], why: string, done: ContentBlockParam[] = [], started: readonly string[] = []): void {
  const last = messages[messages.length - 1];
  if (last?.role !== "assistant" || typeof last.content === "string") return;
  const answered = new Set(done.flatMap((b) => (b.type === "tool_result" ? [b.tool_use_id] : [])));
  const missing: ContentBlockParam[] = last.content.flatMap((b): ContentBlockParam[] =>
    b.type === "tool_use" && !answered.has(b.id)
      ? [{ type: "tool_result", tool_use_id: b.id, content: started.includes(b.id) ? INTERRUPTED_NOTE : why, is_error: true }]
      : [],
  );
  if (done.length || missing.length) messages.push({ role: "user", content: [...done, ...missing] });
}

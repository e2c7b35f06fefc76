// The model stub's inputs: scripts (what to answer) and the minimal Messages request it accepts.
// Everything that crosses the stub's HTTP boundary is parsed here; types come from the schemas.
import { z } from "zod";

export const TextBlockSpecSchema = z.object({
  type: z.literal("text"),
  text: z.string(),
  chunkSize: z.number().int().positive().optional(),
  chunkDelayMs: z.number().int().nonnegative().optional(),
});

export const ToolUseBlockSpecSchema = z.object({
  type: z.literal("tool_use"),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  id: z.string().min(1).optional(),
  /** With stopReason max_tokens on the last block: JSON characters streamed before the cut (default half). */
  cutAt: z.number().int().nonnegative().optional(),
});

export const BlockSpecSchema = z.discriminatedUnion("type", [TextBlockSpecSchema, ToolUseBlockSpecSchema]);

export const StepErrorSchema = z.object({
  status: z.number().int().min(400).max(599),
  type: z.string().min(1),
  message: z.string(),
  /** Sent as the `retry-after` header, in seconds, as the API does on 429 and 529. */
  retryAfterS: z.number().nonnegative().optional(),
});

// A stream that starts well and then fails: an `error` event (what the API sends when it is
// overloaded mid-answer) or the connection dropped, after `afterChars` characters of text.
export const MidStreamFaultSchema = z.object({
  kind: z.enum(["error", "disconnect"]),
  type: z.string().min(1).default("overloaded_error"),
  message: z.string().default("Overloaded"),
  afterChars: z.number().int().nonnegative().optional(),
});

export const STOP_REASONS = [
  "end_turn",
  "tool_use",
  "max_tokens",
  "stop_sequence",
  "pause_turn",
  "refusal",
  "model_context_window_exceeded",
] as const;

export const StepSchema = z.object({
  blocks: z.array(BlockSpecSchema).optional(),
  stopReason: z.enum(STOP_REASONS).optional(),
  delayMs: z.number().int().nonnegative().optional(),
  error: StepErrorSchema.optional(),
  midStream: MidStreamFaultSchema.optional(),
  /** The error or midStream fault happens on the first N calls of this step only, then it answers. */
  failTimes: z.number().int().positive().optional(),
  usage: z
    .object({
      inputTokens: z.number().int().nonnegative().optional(),
      outputTokens: z.number().int().nonnegative().optional(),
    })
    .optional(),
});

// Steps made up as the conversation goes, for long runs: `calls` tool calls cycling through
// `commands` (each tagged with its step number, which survives compaction), then `finalText`.
export const GenerateSchema = z.object({
  calls: z.number().int().nonnegative(),
  commands: z.array(z.string().min(1)).min(1).default(["seq 1 3000"]),
  tool: z.string().min(1).default("shell"),
  finalText: z.string().default("All steps are done."),
});

export const ScriptSchema = z.object({
  /**
   * Picks the script by the conversation's first user message (the last added match wins). A
   * subagent's conversation starts with the `task` call's prompt: put a marker of its own there.
   */
  match: z.string(),
  steps: z.array(StepSchema).default([]),
  generate: GenerateSchema.optional(),
});

// A script file for the CLI holds one script or a list of them.
export const ScriptFileSchema = z.union([ScriptSchema, z.array(ScriptSchema)]);

export type TextBlockSpec = z.infer<typeof TextBlockSpecSchema>;
export type ToolUseBlockSpec = z.infer<typeof ToolUseBlockSpecSchema>;
export type BlockSpec = z.infer<typeof BlockSpecSchema>;
export type Step = z.infer<typeof StepSchema>;
export type MidStreamFault = z.infer<typeof MidStreamFaultSchema>;
export type Script = z.infer<typeof ScriptSchema>;
/** What callers write: defaults (empty steps, generator settings) filled in by the schema. */
export type ScriptInput = z.input<typeof ScriptSchema>;
export type StopReasonSpec = (typeof STOP_REASONS)[number];

// Only what the stub needs to answer; the real API checks far more, and unknown fields pass through
// so that requests using newer parameters are not refused.
const ContentPartSchema = z.looseObject({ type: z.string() });

export const RequestMessageSchema = z.looseObject({
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([z.string(), z.array(ContentPartSchema)]),
});

export const MessagesRequestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(RequestMessageSchema).min(1),
  stream: z.boolean().optional(),
  system: z.union([z.string(), z.array(ContentPartSchema)]).optional(),
  tools: z.array(z.looseObject({})).optional(),
});

export type RequestMessage = z.infer<typeof RequestMessageSchema>;
export type MessagesRequest = z.infer<typeof MessagesRequestSchema>;

// One line per issue, "path: message", the way the real API words its validation errors.
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

// The text a person typed: text parts joined, tool results and images left out.
export function messageText(message: RequestMessage): string {
  if (typeof message.content === "string") return message.content;
  return message.content
    .flatMap((part) => (part.type === "text" && typeof part.text === "string" ? [part.text] : []))
    .join("\n");
}

export function firstUserText(request: MessagesRequest): string {
  const first = request.messages.find((m) => m.role === "user");
  return first ? messageText(first) : "";
}

// The latest user message that carries text (tool-result-only turns are skipped).
export function lastUserText(request: MessagesRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const message = request.messages[i];
    if (message.role !== "user") continue;
    const text = messageText(message);
    if (text.trim()) return text;
  }
  return "";
}

// Steps are chosen statelessly: the nth model call of a conversation carries n-1 assistant turns.
export function stepIndex(request: MessagesRequest): number {
  return request.messages.filter((m) => m.role === "assistant").length;
}

// What a session may ask of the model API through the host's key: its own model (or one the
// operator allows), custom tools only, content the API does not have to fetch, capped output,
// and a short list of beta features. Everything else is refused before a byte leaves the host:
// server tools, MCP servers, containers and the Files API would all reach past a sandbox that
// has no network.
import { z } from "zod";

export interface GatewayLimits {
  /** The session's model plus DOCKSIDE_MODELS. */
  models: readonly string[];
  maxOutputTokens: number;
}

/** Beta features a session may turn on (anthropic-beta values). */
export const ALLOWED_BETAS = [
  "prompt-caching-2024-07-31",
  "token-efficient-tools-2025-02-19",
  "interleaved-thinking-2025-05-14",
  "fine-grained-tool-streaming-2025-05-14",
  "context-management-2025-06-27",
] as const;

const cacheControl = z.strictObject({ type: z.literal("ephemeral"), ttl: z.enum(["5m", "1h"]).optional() });

// Only tools the worker runs itself. A server tool carries a `type` (web_search_20250305,
// code_execution_..., bash_..., text_editor_..., computer_..., memory_...).
const customTool = z.strictObject({
  type: z.literal("custom").optional(),
  name: z.string().min(1).max(128),
  description: z.string().max(64 * 1024).optional(),
  input_schema: z.looseObject({ type: z.literal("object") }),
  cache_control: cacheControl.optional(),
});

const toolChoice = z.strictObject({
  type: z.enum(["auto", "any", "tool", "none"]),
  name: z.string().max(128).optional(),
  disable_parallel_tool_use: z.boolean().optional(),
});

const message = z.strictObject({ role: z.enum(["user", "assistant"]), content: z.union([z.string(), z.array(z.unknown())]) });

/** The request fields a session may send; any other top-level field is refused. */
export const GatewayRequestSchema = z.strictObject({
  model: z.string().min(1).max(200),
  messages: z.array(message).min(1).max(100_000),
  system: z.union([z.string(), z.array(z.unknown())]).optional(),
  max_tokens: z.number().int().positive(),
  tools: z.array(z.unknown()).max(500).optional(),
  tool_choice: toolChoice.optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().nonnegative().optional(),
  stop_sequences: z.array(z.string().max(1000)).max(100).optional(),
  metadata: z.strictObject({ user_id: z.string().max(256).nullable().optional() }).optional(),
  thinking: z
    .strictObject({ type: z.enum(["enabled", "disabled", "adaptive"]), budget_tokens: z.number().int().positive().optional() })
    .optional(),
});
export type GatewayRequest = z.infer<typeof GatewayRequestSchema>;

/** Fields each content block type may carry; unknown block types and fields are refused. */
const BLOCK_FIELDS: Record<string, readonly string[]> = {
  text: ["text", "cache_control"],
  image: ["source", "cache_control"],
  document: ["source", "cache_control", "context", "title"],
  tool_use: ["id", "name", "input", "cache_control"],
  tool_result: ["tool_use_id", "content", "is_error", "cache_control"],
  thinking: ["thinking", "signature"],
  redacted_thinking: ["data"],
};
/** Content the request carries itself (and its fields); `url` and `file` sources make the API fetch it. */
const INLINE_SOURCES: Record<string, readonly string[]> = { base64: ["media_type", "data"], text: ["media_type", "data"], content: ["content"] };

export type Checked = { ok: true; request: GatewayRequest } | { ok: false; message: string };

/** Validates a parsed request body against what a session may use. */
export function checkRequest(body: unknown, limits: GatewayLimits): Checked {
  const top = body && typeof body === "object" && !Array.isArray(body) ? Object.keys(body).filter((k) => !Object.hasOwn(GatewayRequestSchema.shape, k)) : [];
  if (top.length) return no(`the field${top.length > 1 ? "s" : ""} ${top.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40))).join(", ")} ${top.length > 1 ? "are" : "is"} not allowed (MCP servers, containers, service tiers and other server-side features are off)`);
  const parsed = GatewayRequestSchema.safeParse(body);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return no(`${i.path.map(String).join(".") || "the request"}: ${i.message}`);
  }
  const r = parsed.data;
  if (!limits.models.includes(r.model)) return no(`the model ${JSON.stringify(r.model.slice(0, 100))} is not allowed for this session (allowed: ${limits.models.join(", ")})`);
  if (r.max_tokens > limits.maxOutputTokens) return no(`max_tokens ${r.max_tokens} is above this host's limit of ${limits.maxOutputTokens} (DOCKSIDE_MAX_OUTPUT_TOKENS)`);
  for (const [i, tool] of (r.tools ?? []).entries()) {
    const why = toolRefusal(tool);
    if (why) return no(`tools.${i}: ${why}`);
  }
  if (Array.isArray(r.system)) {
    const why = blocksRefusal(r.system, "system", 0);
    if (why) return no(why);
  }
  for (const [i, m] of r.messages.entries()) {
    if (typeof m.content === "string") continue;
    const why = blocksRefusal(m.content, `messages.${i}.content`, 0);
    if (why) return no(why);
  }
  return { ok: true, request: r };
}

/** The anthropic-beta values refused, if any (the header is a comma-separated list). */
export function refusedBetas(header: string | string[] | undefined): string[] {
  const values = (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",").map((v) => v.trim()).filter(Boolean);
  return values.filter((v) => !(ALLOWED_BETAS as readonly string[]).includes(v));
}

function toolRefusal(tool: unknown): string | null {
  const type = tool && typeof tool === "object" ? (tool as { type?: unknown }).type : undefined;
  if (type !== undefined && type !== "custom") {
    return `the server tool ${JSON.stringify(String(type).slice(0, 60))} is not available (only the sandbox's own tools are; web search, web fetch, code execution, bash, text editor, computer use and memory run outside the sandbox)`;
  }
  const parsed = customTool.safeParse(tool);
  if (parsed.success) return null;
  const i = parsed.error.issues[0];
  return `${i.path.map(String).join(".") || "tool"}: ${i.message}`;
}

function blocksRefusal(blocks: unknown[], where: string, depth: number): string | null {
  if (depth > 4) return `${where}: content nested too deeply`;
  for (const [i, block] of blocks.entries()) {
    const at = `${where}.${i}`;
    if (!block || typeof block !== "object" || Array.isArray(block)) return `${at}: a content block must be an object`;
    const b = block as Record<string, unknown>;
    const type = typeof b.type === "string" ? b.type : "";
    const fields = Object.hasOwn(BLOCK_FIELDS, type) ? BLOCK_FIELDS[type] : undefined;
    if (!fields) return `${at}: content blocks of type ${JSON.stringify(type.slice(0, 60))} are not allowed (server tool, MCP and container blocks run outside the sandbox)`;
    const extra = Object.keys(b).find((k) => k !== "type" && !fields.includes(k));
    if (extra) return `${at}: the field ${JSON.stringify(extra.slice(0, 40))} is not allowed on a ${type} block`;
    if (b.cache_control !== undefined && !cacheControl.safeParse(b.cache_control).success) return `${at}.cache_control: invalid`;
    if ("source" in b) {
      const why = sourceRefusal(b.source, `${at}.source`, depth);
      if (why) return why;
    }
    if (type === "tool_result" && Array.isArray(b.content)) {
      const why = blocksRefusal(b.content, `${at}.content`, depth + 1);
      if (why) return why;
    }
  }
  return null;
}

function sourceRefusal(source: unknown, at: string, depth: number): string | null {
  const s = source && typeof source === "object" ? (source as Record<string, unknown>) : {};
  const fields = Object.hasOwn(INLINE_SOURCES, String(s.type)) ? INLINE_SOURCES[String(s.type)] : null;
  if (!fields) return `${at}: content from a URL or a file id is not available (the model API would fetch it outside the sandbox); send the content itself`;
  const extra = Object.keys(s).find((k) => k !== "type" && !fields.includes(k));
  if (extra) return `${at}: the field ${JSON.stringify(extra.slice(0, 40))} is not allowed on a ${String(s.type)} source`;
  if (s.type === "content" && Array.isArray(s.content)) return blocksRefusal(s.content, `${at}.content`, depth + 1);
  return null;
}

const no = (message: string): Checked => ({ ok: false, message });

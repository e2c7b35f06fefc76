// MCP tools as the model sees them: `mcp__<server>__<tool>` with the server's input schema. A
// tool whose full name breaks the API's rule (^[a-zA-Z0-9_-]{1,64}$) or whose name starts with _
// (the name must say which server it is from), whose schema is not an object schema, or one too
// many is skipped, with why (reported in its server's mcp.server event).
import { z } from "zod";
import { mcpToolName } from "../../../lib/protocol/mcp";
import { MAX_MCP_TOOLS } from "../../../lib/protocol/worker";

/** One MCP tool as the session keeps it (saved: a resumed session offers exactly the same list). */
export const McpToolDefSchema = z.object({
  server: z.string(),
  kind: z.enum(["stdio", "remote"]),
  tool: z.string(),
  name: z.string(),
  description: z.string(),
  inputSchema: z.record(z.string(), z.unknown()),
});
export type McpToolDef = z.infer<typeof McpToolDefSchema>;
export type Skipped = { tool: string; reason: string };

const API_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_SCHEMA_BYTES = 64 * 1024;
const MAX_DESCRIPTION = 2048;

const Listed = z.looseObject({ name: z.string(), description: z.string().optional(), inputSchema: z.unknown() });

/** The usable tools of one server's list, and the skipped ones with why. */
export function toolDefs(server: string, kind: "stdio" | "remote", listed: unknown[]): { defs: McpToolDef[]; skipped: Skipped[] } {
  const defs: McpToolDef[] = [];
  const skipped: Skipped[] = [];
  const seen = new Set<string>();
  for (const raw of listed) {
    const parsed = Listed.safeParse(raw);
    if (!parsed.success) {
      skipped.push({ tool: "(unnamed)", reason: "not a tool: it has no name" });
      continue;
    }
    const { name: tool, description, inputSchema } = parsed.data;
    const shown = tool.slice(0, 256);
    const name = mcpToolName(server, tool);
    const why = !API_NAME.test(tool)
      ? "its name may hold only letters, digits, _ and -"
      : tool.startsWith("_")
        ? // Server "a" with tool "_x" and server "a_" with tool "x" would both be mcp__a___x: a server
          // could take another's name, and the rules naming it (server names never hold "__").
          "its name may not start with _ (its full name would read as another server's tool)"
        : !API_NAME.test(name)
        ? `its full name ${name.slice(0, 80)} is over 64 characters`
        : seen.has(name)
          ? "listed twice"
          : schemaProblem(inputSchema);
    if (why) {
      skipped.push({ tool: shown, reason: why });
      continue;
    }
    if (defs.length >= MAX_MCP_TOOLS) {
      skipped.push({ tool: shown, reason: `over ${MAX_MCP_TOOLS} tools` });
      continue;
    }
    seen.add(name);
    const text = (description ?? "").slice(0, MAX_DESCRIPTION);
    defs.push({ server, kind, tool, name, description: text || `${tool} (MCP server ${server})`, inputSchema: inputSchema as Record<string, unknown> });
  }
  return { defs, skipped: skipped.slice(0, MAX_MCP_TOOLS) };
}

function schemaProblem(schema: unknown): string | null {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return "its input schema is not a JSON object";
  if ((schema as { type?: unknown }).type !== "object") return 'its input schema is not of type "object"';
  let json: string;
  try {
    json = JSON.stringify(schema);
  } catch {
    return "its input schema is not JSON";
  }
  if (Buffer.byteLength(json) > MAX_SCHEMA_BYTES) return `its input schema is over ${MAX_SCHEMA_BYTES / 1024} KB`;
  return null;
}

// MCP servers (Model Context Protocol): the shapes shared by the settings API, the host's
// remote-server proxy and the worker. Bundled into the worker; zod only.
//
// Two kinds:
//   stdio  — `{command, args?, env?}`: started by the worker inside the session's sandbox, in
//            /workspace, as the session's uid. Its env is visible to the agent (it runs there):
//            never put a credential the agent must not see into a stdio server's env.
//   remote — `{url, headers?}` (streamable HTTP): reached by the HOST on the agent's behalf. The
//            headers (tokens) stay on the host; the worker only ever sees the server's name and
//            tool list. The host connects only where the repository's egress policy allows the
//            url's host.
//
// Tools reach the model as `mcp__<server>__<tool>` (the API's tool names: ^[a-zA-Z0-9_-]{1,64}$),
// loaded once at session start: tools never change mid-session (they head the cached prompt).
//
// Channel routes (worker → host, see lib/protocol/worker.ts for the channel itself):
//   GET  /worker/mcp/remote                 -> RemoteMcpTools   (lists every remote server's tools;
//                                              a server that fails is reported, not fatal)
//   POST /worker/mcp/call  RemoteMcpCall    -> RemoteMcpResult  (one tool call on a remote server)
import { z } from "zod";

/** A server's name: part of its tools' names, so short and tool-name-safe. */
export const McpServerName = z
  .string()
  .regex(/^[a-zA-Z0-9_-]{1,24}$/, "a server name is 1–24 letters, digits, _ or -")
  .refine((n) => !n.includes("__"), "a server name cannot contain __")
  // "a_" + tool "x" and "a" + tool "_x" would both be mcp__a___x: one server's tool would shadow
  // the other's. Without __ inside and _ at the end, the first __ after mcp__ ends the server.
  .refine((n) => !n.endsWith("_"), "a server name cannot end with _");

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "an environment variable name");
// Headers that frame the request or name its host are the client's own: a Host header would send
// the request to another site behind the allowed address (past the egress allowlist).
const FRAMING = new Set(["host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer", "expect", "proxy-connection"]);
const headerName = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,128}$/, "a header name")
  .refine((n) => !FRAMING.has(n.toLowerCase()), "this header is set by the connection itself (Host, Content-Length, Transfer-Encoding, Connection…)");
// exec() cannot pass a NUL: such a server could never start (say so when it is saved).
const execString = (max: number, min = 0) => z.string().min(min).max(max).refine((v) => !v.includes("\0"), "a command, argument or environment value cannot contain a NUL byte");
export const envValue = execString(16 * 1024);
// CR/LF would split the request (Node refuses to send it: the server would fail at every session).
export const headerValue = z
  .string()
  .max(16 * 1024)
  .refine((v) => !/[\x00-\x08\x0a-\x1f\x7f]/.test(v), "a header value cannot contain a line break or a control character");

export const StdioMcpServerSchema = z.strictObject({
  command: execString(1024, 1),
  args: z.array(execString(4096)).max(64).optional(),
  env: z.record(envName, envValue).optional(),
});
export const RemoteMcpServerSchema = z.strictObject({
  // A credential in the url (user:password@) would be stored unsealed, shown in Settings and
  // dropped by the host's client: it belongs in a header.
  url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .refine((u) => !URL.canParse(u) || (new URL(u).username === "" && new URL(u).password === ""), "put the url's credentials (user:password@) in a header instead"),
  headers: z.record(headerName, headerValue).optional(),
});
export const McpServerConfigSchema = z.union([StdioMcpServerSchema, RemoteMcpServerSchema]);
export type McpServerConfig = z.infer<typeof McpServerConfigSchema>;
export const isRemoteMcp = (c: McpServerConfig): c is z.infer<typeof RemoteMcpServerSchema> => "url" in c;

export const MAX_MCP_SERVERS = 16;
/** `PATCH /api/repos/:id {mcpServers}` and the team's own list: NAME → server. */
export const McpServersSchema = z
  .record(McpServerName, McpServerConfigSchema)
  .refine((r) => Object.keys(r).length <= MAX_MCP_SERVERS, `at most ${MAX_MCP_SERVERS} MCP servers`);
export type McpServers = z.infer<typeof McpServersSchema>;

/** The worker's view of a stdio server (in WorkerConfig.mcpStdio). */
export const WorkerStdioMcpSchema = StdioMcpServerSchema.extend({ name: McpServerName });
export type WorkerStdioMcp = z.infer<typeof WorkerStdioMcpSchema>;

/** One tool as an MCP server lists it (tools/list), as much as the model needs. */
export const McpToolSchema = z.object({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  description: z.string().max(8 * 1024).optional(),
  inputSchema: z.record(z.string(), z.unknown()),
});
export type McpTool = z.infer<typeof McpToolSchema>;

export const RemoteMcpToolsSchema = z.object({
  servers: z.array(
    z.object({
      name: McpServerName,
      /** ok: its tools are listed; failed: `reason` says why (refused by egress, unreachable, bad answer). */
      state: z.enum(["ok", "failed"]),
      tools: z.array(McpToolSchema).max(200),
      reason: z.string().max(2000).optional(),
    }),
  ),
});
export type RemoteMcpTools = z.infer<typeof RemoteMcpToolsSchema>;

export const RemoteMcpCallSchema = z.strictObject({
  server: McpServerName,
  tool: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  arguments: z.record(z.string(), z.unknown()),
  /** The tool call's id: lets the host log and cap the call. */
  callId: z.string().min(1).max(200),
});
export type RemoteMcpCall = z.infer<typeof RemoteMcpCallSchema>;

/** The result as text the model sees (MCP content flattened: text kept, others described). */
export const RemoteMcpResultSchema = z.object({ isError: z.boolean(), text: z.string() });
export type RemoteMcpResult = z.infer<typeof RemoteMcpResultSchema>;

/** `mcp__<server>__<tool>`: the model's name for an MCP tool. */
export const mcpToolName = (server: string, tool: string) => `mcp__${server}__${tool}`;

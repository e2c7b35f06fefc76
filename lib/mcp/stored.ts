// MCP servers as stored on a team, a repository or a session (JSON columns `mcp_servers`): the
// settings' own shape (lib/protocol/mcp.ts) with every stdio env value and remote header value
// sealed with the server secret. Values are opened only where they are used: stdio env in the
// worker's config (they run in the sandbox), headers in the host's remote client.
import { z } from "zod";
import { AppError } from "../errors";
import { envValue, headerValue, MAX_MCP_SERVERS, McpServerName, RemoteMcpServerSchema, StdioMcpServerSchema, type McpServerConfig } from "../protocol/mcp";
import { open, seal } from "../review/credentials";

const sealedValues = z.record(z.string(), z.string().max(64 * 1024));
const StoredStdio = z.object({ command: z.string(), args: z.array(z.string()).optional(), env: sealedValues.optional() });
const StoredRemote = z.object({ url: z.string(), headers: sealedValues.optional() });
const StoredServer = z.union([StoredStdio, StoredRemote]);
export type StoredServer = z.infer<typeof StoredServer>;
export type StoredServers = Record<string, StoredServer>;
const StoredServersSchema = z.record(McpServerName, StoredServer);

/** The stored servers, or {} when there are none; JSON that no longer parses counts as none (with a warning). */
export function storedServers(json: unknown, what: string): StoredServers {
  if (json === null || json === undefined) return {};
  const parsed = StoredServersSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  console.warn(`[mcp] ignoring the MCP servers of ${what}: they no longer parse`);
  return {};
}

export const storedIsRemote = (s: StoredServer): s is z.infer<typeof StoredRemote> => "url" in s;

/** The server with its secret values opened (for the worker or the host's client only). */
export function openServer(s: StoredServer): McpServerConfig {
  if (storedIsRemote(s)) return { url: s.url, ...(s.headers ? { headers: openAll(s.headers) } : {}) };
  return { command: s.command, ...(s.args ? { args: s.args } : {}), ...(s.env ? { env: openAll(s.env) } : {}) };
}

/**
 * Every secret value of a session's servers, for the host's masking of its events: stdio env values
 * (the worker masks them too) and remote header values (the hub masks results; this is the backstop).
 * A value sealed with another server secret cannot be opened and is not in use either.
 */
export function serverSecretValues(servers: StoredServers): string[] {
  return Object.values(servers).flatMap((s) => {
    try {
      const o = openServer(s);
      return Object.values(("url" in o ? o.headers : o.env) ?? {});
    } catch {
      return [];
    }
  });
}

const openAll = (r: Record<string, string>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, open(v)]));

// The patch: a JSON merge patch over the stored servers. NAME: null removes a server; a server's
// secret value null keeps the stored one (a person edits a server without retyping its token);
// `env` / `headers` left out keep them all; given, they are the whole set (a name left out goes).
const StdioPatch = StdioMcpServerSchema.extend({ env: z.record(StdioMcpServerSchema.shape.env.unwrap().keyType, envValue.nullable()).optional() });
const RemotePatch = RemoteMcpServerSchema.extend({ headers: z.record(RemoteMcpServerSchema.shape.headers.unwrap().keyType, headerValue.nullable()).optional() });
// Picks the kind by the presence of `url`, so a bad url says so (a plain union says "invalid input").
const ServerPatch = z.unknown().transform((v, ctx): z.infer<typeof StdioPatch> | z.infer<typeof RemotePatch> => {
  const remote = typeof v === "object" && v !== null && "url" in v;
  const r = (remote ? RemotePatch : StdioPatch).safeParse(v);
  if (r.success) return r.data;
  for (const i of r.error.issues) ctx.addIssue({ code: "custom", message: remote || i.path[0] !== "command" || i.code !== "invalid_type" ? i.message : "a stdio server needs a command (a remote one a url)", path: i.path });
  return z.NEVER;
});
export const McpServersPatchSchema = z
  .record(z.string(), ServerPatch.nullable())
  .superRefine((r, ctx) => {
    // Each name's own reason (a record's key error only says "invalid key").
    for (const name of Object.keys(r)) {
      const n = McpServerName.safeParse(name);
      if (!n.success) ctx.addIssue({ code: "custom", message: `${JSON.stringify(name.slice(0, 40))}: ${n.error.issues[0].message}`, path: [] });
    }
    if (Object.keys(r).length > 4 * MAX_MCP_SERVERS) ctx.addIssue({ code: "custom", message: "too many MCP servers in one change", path: [] });
  });
export type McpServersPatch = z.infer<typeof McpServersPatchSchema>;

export type McpChange = Record<string, "added" | "changed" | "removed">;

/** The stored servers after `patch`, and what changed (names only, for the audit). Throws 422 with the reason. */
export function applyPatch(stored: StoredServers, patch: McpServersPatch): { servers: StoredServers; change: McpChange } {
  const servers: StoredServers = { ...stored };
  const change: McpChange = {};
  for (const [name, p] of Object.entries(patch)) {
    const prev = stored[name];
    if (p === null) {
      if (prev) change[name] = "removed";
      delete servers[name];
      continue;
    }
    servers[name] = "url" in p ? patchRemote(name, p, prev) : patchStdio(name, p, prev);
    change[name] = prev ? "changed" : "added";
  }
  if (Object.keys(servers).length > MAX_MCP_SERVERS) throw new AppError("invalid", `at most ${MAX_MCP_SERVERS} MCP servers here; remove one first`);
  return { servers, change };
}

function patchStdio(name: string, p: z.infer<typeof StdioPatch>, prev: StoredServer | undefined) {
  const kept = prev && !storedIsRemote(prev) ? prev.env : undefined;
  const env = mergeSecrets(name, "environment variable", p.env, kept);
  return { command: p.command, ...(p.args ? { args: p.args } : {}), ...(env ? { env } : {}) };
}

function patchRemote(name: string, p: z.infer<typeof RemotePatch>, prev: StoredServer | undefined) {
  const before = prev && storedIsRemote(prev) ? prev : undefined;
  // A kept token never follows a server to another origin without a person typing it again.
  const sameOrigin = before !== undefined && new URL(before.url).origin === new URL(p.url).origin;
  if (before?.headers && !sameOrigin && (p.headers === undefined || Object.values(p.headers).some((v) => v === null))) {
    throw new AppError("invalid", `MCP server ${name}: its url moved to another host; give its header values again (kept values are never sent to a new host)`);
  }
  const headers = mergeSecrets(name, "header", p.headers, before?.headers);
  return { url: p.url, ...(headers ? { headers } : {}) };
}

function mergeSecrets(server: string, what: string, given: Record<string, string | null> | undefined, kept: Record<string, string> | undefined): Record<string, string> | undefined {
  if (given === undefined) return kept && Object.keys(kept).length ? kept : undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(given)) {
    if (v !== null) out[k] = seal(v);
    else if (kept && Object.hasOwn(kept, k)) out[k] = kept[k];
    else throw new AppError("invalid", `MCP server ${server}: the ${what} ${k} has no stored value to keep; give its value`);
  }
  return Object.keys(out).length ? out : undefined;
}

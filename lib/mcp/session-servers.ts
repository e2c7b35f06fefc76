// Which MCP servers and tools a session has, for programs and the API: the servers it snapshotted
// at creation (names and kinds only: never a command's env, a url or a header) with the latest
// state its worker reported for each (`mcp.server` events). Tools are fixed at start, so the last
// `ready` report is the list the model has.
import { z } from "zod";
import { db } from "../db/client";
import { eventData } from "../events/schema";
import { storedIsRemote, storedServers } from "./stored";

export const SessionMcpServerSchema = z.object({
  name: z.string(),
  kind: z.enum(["stdio", "remote"]),
  /** `pending` until the worker reported on it (the session has not started yet). */
  state: z.enum(["pending", "ready", "failed", "restarted", "stopped"]),
  tools: z.array(z.string()),
  skipped: z.array(z.object({ tool: z.string(), reason: z.string() })),
  reason: z.string().nullable(),
});
export const SessionMcpSchema = z.object({ servers: z.array(SessionMcpServerSchema) });
export type SessionMcp = z.infer<typeof SessionMcpSchema>;

/** The session's servers; the caller checked the session belongs to the caller's team. */
export async function sessionMcpServers(sessionId: string): Promise<SessionMcp> {
  const row = await db().session.findUniqueOrThrow({ where: { id: sessionId }, select: { mcpServers: true } });
  const stored = storedServers(row.mcpServers ?? {}, `session ${sessionId}`);
  const events = await db().event.findMany({ where: { sessionId, type: "mcp.server" }, orderBy: { seq: "asc" }, select: { data: true } });
  const servers = new Map<string, SessionMcp["servers"][number]>();
  for (const [name, s] of Object.entries(stored)) {
    servers.set(name, { name, kind: storedIsRemote(s) ? "remote" : "stdio", state: "pending", tools: [], skipped: [], reason: null });
  }
  for (const e of events) {
    const d = eventData["mcp.server"].safeParse(e.data);
    if (!d.success) continue;
    const prev = servers.get(d.data.server);
    // Only servers the session was created with: an event naming another is not believed.
    if (!prev) continue;
    servers.set(d.data.server, {
      ...prev,
      state: d.data.state,
      tools: d.data.tools ?? prev.tools,
      skipped: d.data.skipped ?? prev.skipped,
      reason: d.data.reason ?? (d.data.state === "ready" ? null : prev.reason),
    });
  }
  return { servers: [...servers.values()] };
}

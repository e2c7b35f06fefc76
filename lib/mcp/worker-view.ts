// What the worker learns of a session's MCP servers: stdio servers whole (they run in its sandbox,
// so their env values are opened here and are visible to the agent), remote servers by name only
// (their url and headers stay on the host, lib/mcp/remote-hub.ts).
import type { WorkerConfig } from "../protocol/worker";
import { openServer, storedIsRemote, type StoredServers } from "./stored";

export function workerMcp(servers: StoredServers): Pick<WorkerConfig, "mcpStdio" | "mcpRemote"> {
  const mcpStdio: WorkerConfig["mcpStdio"] = [];
  const mcpRemote: string[] = [];
  for (const [name, s] of Object.entries(servers)) {
    if (storedIsRemote(s)) mcpRemote.push(name);
    else {
      try {
        const open = openServer(s);
        if (!("url" in open)) mcpStdio.push({ name, ...open });
      } catch (err) {
        // Sealed with another server secret: the session goes on without this server.
        console.error(`[mcp] cannot open the env of stdio server ${name}: ${(err as Error).message}`);
      }
    }
  }
  return { mcpStdio, mcpRemote };
}

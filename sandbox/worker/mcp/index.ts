// The session's MCP servers, in the worker: started once when the agent starts, their tools turned
// into tools the model calls as `mcp__<server>__<tool>`. The list is fixed for the session and
// saved next to the agent's state: a resumed session (a new container) starts its servers again
// but offers the model the very same list, since the tools head the cached prompt. A server that
// fails is reported (mcp.server) and the session goes on without it.
import fs from "node:fs";
import { z } from "zod";
import { ev, type NewEvent } from "../../../lib/events/schema";
import type { WorkerConfig } from "../../../lib/protocol/worker";
import type { AgentUser } from "../agent-user";
import { Interrupted } from "../errors";
import { sessionSecretValues } from "../mask";
import type { Tool } from "../tools/tool";
import { callRemote, listRemote, type McpChannel } from "./remote";
import { StdioServer, type CallOutcome } from "./stdio-server";
import { McpToolDefSchema, toolDefs, type McpToolDef } from "./tools";

/** initialize + tools/list (per stdio server), and the host's list of remote tools. */
const START_TIMEOUT_MS = Number(process.env.DOCKSIDE_MCP_START_TIMEOUT_MS) || 30_000;

export type McpDeps = {
  config: WorkerConfig;
  workspace: string;
  user: AgentUser;
  channel: McpChannel;
  emit(e: NewEvent): void;
  /** Where the session's tool list is kept across worker restarts. */
  savedFile: string;
  signal: AbortSignal;
};

/** A tool whose API definition is the server's JSON schema rather than one derived from zod. */
export type McpBackedTool = Tool & { inputSchema: Record<string, unknown> };

export type McpSession = { tools: McpBackedTool[]; close(): Promise<void> };

export async function startMcp(deps: McpDeps): Promise<McpSession> {
  const { config } = deps;
  const saved = readSaved(deps.savedFile);
  if (!config.mcpStdio.length && !config.mcpRemote.length && !saved?.length) return { tools: [], close: async () => undefined };
  const stdio = new Map<string, StdioServer>();
  const shared = { user: deps.user, workspace: deps.workspace, agentEnv: config.agentEnv, secrets: sessionSecretValues(config), emit: deps.emit, startTimeoutMs: START_TIMEOUT_MS };
  const report = (server: string, kind: "stdio" | "remote", listed: unknown[]): McpToolDef[] => {
    const { defs, skipped } = toolDefs(server, kind, listed);
    deps.emit(ev("mcp.server", { server, kind, state: "ready", tools: defs.map((d) => d.name), ...(skipped.length ? { skipped } : {}) }));
    return defs;
  };
  const failed = (server: string, kind: "stdio" | "remote", reason: string) => deps.emit(ev("mcp.server", { server, kind, state: "failed", reason: reason.slice(0, 2000) }));

  const started = config.mcpStdio.map(async (spec): Promise<McpToolDef[]> => {
    const server = new StdioServer(spec, shared);
    try {
      const listed = await server.start();
      stdio.set(spec.name, server);
      return report(spec.name, "stdio", listed);
    } catch (err) {
      await server.close();
      failed(spec.name, "stdio", (err as Error).message);
      return [];
    }
  });
  const remote = (async (): Promise<McpToolDef[]> => {
    if (!config.mcpRemote.length) return [];
    try {
      const { servers } = await listRemote(deps.channel, deps.signal, START_TIMEOUT_MS);
      return servers.flatMap((s) => (s.state === "ok" ? report(s.name, "remote", s.tools) : (failed(s.name, "remote", s.reason ?? "the host could not list its tools"), [])));
    } catch (err) {
      if (deps.signal.aborted) throw new Interrupted("aborted");
      for (const name of config.mcpRemote) failed(name, "remote", `the host did not list its tools: ${(err as Error).message}`);
      return [];
    }
  })();
  // Two servers of one name (a stdio and a remote one) would give the API duplicate tool names, which it refuses: the first wins.
  const live = (await Promise.all([...started, remote])).flat().filter((d, i, all) => all.findIndex((o) => o.name === d.name) === i);
  // The first start fixes the list; later starts keep it (a tool a server no longer has answers with an error).
  const defs = saved ?? live;
  if (!saved) writeSaved(deps.savedFile, defs);

  const call = (def: McpToolDef, args: Record<string, unknown>, callId: string, signal: AbortSignal): Promise<CallOutcome> => {
    const timeoutMs = config.shellTimeoutS * 1000;
    if (def.kind === "remote") return callRemote(deps.channel, { server: def.server, tool: def.tool, arguments: args, callId }, { signal, timeoutMs });
    const server = stdio.get(def.server);
    if (!server) return Promise.resolve({ isError: true, text: `The MCP server ${def.server} did not start in this session; its tools cannot be used.` });
    return server.call(def.tool, args, { signal, timeoutMs });
  };
  return {
    tools: defs.map((def) => mcpTool(def, call)),
    async close() {
      await Promise.all([...stdio.values()].map((s) => s.close()));
      for (const name of stdio.keys()) deps.emit(ev("mcp.server", { server: name, kind: "stdio", state: "stopped" }));
    },
  };
}

type Caller = (def: McpToolDef, args: Record<string, unknown>, callId: string, signal: AbortSignal) => Promise<CallOutcome>;

function mcpTool(def: McpToolDef, call: Caller): McpBackedTool {
  return {
    name: def.name,
    description: def.description,
    // The server checks its own arguments; the runner only makes sure they are an object.
    parameters: z.record(z.string(), z.unknown()),
    inputSchema: def.inputSchema,
    async execute(args, ctx) {
      try {
        const out = await call(def, args as Record<string, unknown>, ctx.callId, ctx.signal);
        return { output: out.text, isError: out.isError };
      } catch (err) {
        if (ctx.signal.aborted) throw new Interrupted("aborted");
        throw err;
      }
    },
  };
}

function readSaved(file: string): McpToolDef[] | null {
  try {
    return z.array(McpToolDefSchema).parse(JSON.parse(fs.readFileSync(file, "utf8")));
  } catch {
    return null;
  }
}

function writeSaved(file: string, defs: McpToolDef[]): void {
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(defs));
  fs.renameSync(`${file}.tmp`, file);
}

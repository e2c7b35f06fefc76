// One stdio MCP server of the session: started in the sandbox as the agent (agent-stdio.ts),
// initialized and asked for its tools within a deadline, restarted when it dies (a bounded number
// of times, with backoff), and called. Every state change is an mcp.server event; a call in flight
// when the server dies gets an error result that says so.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ev, type NewEvent } from "../../../lib/events/schema";
import { z } from "zod";
import type { WorkerStdioMcp } from "../../../lib/protocol/mcp";
import type { AgentUser } from "../agent-user";
import { AgentStdioTransport, NotJsonRpc } from "./agent-stdio";
import { resultText } from "./content";
import { StderrPipe } from "./stderr";

/** Restarts in a row after the server died; then it stays failed. */
export const MAX_RESTARTS = 4;
/**
 * A server that ran this long before dying starts a fresh series: the worker kills every agent
 * process after a shell timeout or an interrupt (killAgentProcesses), the servers included, and
 * that must not use up their restarts over a long session.
 */
const STABLE_MS = 60_000;
const backoffMs = (n: number) => Math.min(500 * 2 ** n, 8000);

export type StdioDeps = {
  user: AgentUser;
  workspace: string;
  agentEnv: Record<string, string>;
  secrets: readonly string[];
  emit(e: NewEvent): void;
  /** How long initialize + tools/list may take (each start and restart). */
  startTimeoutMs: number;
};

export type CallOutcome = { text: string; isError: boolean };

export class StdioServer {
  private client: Client | null = null;
  private transport: AgentStdioTransport | null = null;
  /** Resolves when a (re)start is over; calls wait on it. */
  private ready: Promise<void> = Promise.resolve();
  private failedReason: string | null = null;
  private restarts = 0;
  private closing = false;
  /** While a (re)start connects, an exit fails that start instead of restarting. */
  private connecting = false;
  private lastExit: string | null = null;
  private upSince = 0;
  private readonly stderr: StderrPipe;

  constructor(
    readonly spec: WorkerStdioMcp,
    private readonly deps: StdioDeps,
  ) {
    this.stderr = new StderrPipe(spec.name, deps.secrets, deps.emit);
  }

  /** Starts the server and lists its tools; throws (with a reason a person can act on) when it cannot. */
  async start(): Promise<unknown[]> {
    const client = await this.connect();
    this.connecting = true;
    try {
      return await listTools(client, this.deps.startTimeoutMs);
    } catch (err) {
      await this.transport?.close();
      throw new Error(`tools/list failed: ${startFailure(err, null, this.lastExit, this.deps.startTimeoutMs)}`);
    } finally {
      this.connecting = false;
    }
  }

  private async connect(): Promise<Client> {
    const { spec, deps } = this;
    let badLine: Error | null = null;
    const transport = new AgentStdioTransport({
      user: deps.user,
      cwd: deps.workspace,
      command: spec.command,
      args: spec.args ?? [],
      env: { ...deps.agentEnv, ...spec.env },
      onStderr: (t) => this.stderr.push(t),
      onExit: (how) => this.exited(transport, how),
    });
    const client = new Client({ name: "dockside", version: "1.0.0" }, { capabilities: {} });
    client.onerror = (err) => {
      if (err instanceof NotJsonRpc) badLine ??= err;
    };
    this.transport = transport;
    this.connecting = true;
    this.lastExit = null;
    try {
      await client.connect(transport, { timeout: this.deps.startTimeoutMs });
    } catch (err) {
      await transport.close();
      throw new Error(startFailure(err, badLine, this.lastExit, deps.startTimeoutMs));
    } finally {
      this.connecting = false;
    }
    this.client = client;
    this.upSince = Date.now();
    return client;
  }

  /** The process ended: unless we closed it, restart it (bounded) and tell the transcript. */
  private exited(transport: AgentStdioTransport, how: string): void {
    this.stderr.flush();
    this.lastExit = how;
    if (this.connecting || this.closing || transport !== this.transport || this.failedReason) return;
    this.client = null;
    if (Date.now() - this.upSince > STABLE_MS) this.restarts = 0;
    if (this.restarts >= MAX_RESTARTS) {
      this.fail(`it exited (${how}) after ${MAX_RESTARTS} restarts in a row; not restarted again`);
      return;
    }
    const n = this.restarts++;
    this.ready = (async () => {
      await new Promise((r) => setTimeout(r, backoffMs(n)));
      if (this.closing) return;
      try {
        await this.connect();
        this.deps.emit(ev("mcp.server", { server: this.spec.name, kind: "stdio", state: "restarted", reason: `it exited (${how}); restarted (${n + 1} of at most ${MAX_RESTARTS})` }));
      } catch (err) {
        this.fail(`it exited (${how}) and could not be restarted: ${(err as Error).message}`);
      }
    })();
  }

  private fail(why: string): void {
    // The server's own words (an error it answered) are the agent's: bounded before they go anywhere.
    const reason = why.slice(0, 2000);
    this.failedReason = reason;
    this.client = null;
    this.deps.emit(ev("mcp.server", { server: this.spec.name, kind: "stdio", state: "failed", reason }));
  }

  async call(tool: string, args: Record<string, unknown>, opts: { signal: AbortSignal; timeoutMs: number }): Promise<CallOutcome> {
    await this.ready;
    const client = this.client;
    const name = this.spec.name;
    if (!client) return { isError: true, text: `The MCP server ${name} is not running: ${this.failedReason ?? "it stopped"}. Its tools cannot be used in this session.` };
    const transport = this.transport;
    try {
      const result = await client.callTool({ name: tool, arguments: args }, undefined, { signal: opts.signal, timeout: opts.timeoutMs });
      // What the server wrote to stderr while it worked shows before the call's result, not 250 ms later.
      this.stderr.flush();
      return { text: resultText(result), isError: result.isError === true };
    } catch (err) {
      this.stderr.flush();
      if (opts.signal.aborted) throw err;
      if (transport !== this.transport || !this.client) {
        const next = this.failedReason ? `it is not restarted again (${this.failedReason})` : "it is being restarted";
        return { isError: true, text: `The MCP server ${name} exited while this call ran; ${next}. The call may have had effects: check before calling it again.` };
      }
      const message = (err as Error).message;
      if (/timed out/i.test(message)) return { isError: true, text: `The MCP server ${name} did not answer ${tool} within ${Math.round(opts.timeoutMs / 1000)} s.` };
      return { isError: true, text: `The MCP server ${name} refused the call: ${message}` };
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.transport?.close();
    this.stderr.end();
  }
}

function startFailure(err: unknown, badLine: Error | null, exit: string | null, timeoutMs: number): string {
  const message = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
  if ((err as NodeJS.ErrnoException)?.code === "ENOENT") return `its command was not found (${message})`;
  // env exits 127 for a command it cannot find (the uid switch runs the command through env).
  if (exit === "exit code 127") return "its command was not found (exit code 127; its stderr is above)";
  if (exit) return `it exited (${exit}) before answering; its stderr is above`;
  if (badLine) return `it answered with something that is not MCP: ${badLine.message}`;
  if (/timed out/i.test(message)) return `it did not answer initialize and tools/list within ${Math.round(timeoutMs / 1000)} s`;
  return `it could not be started: ${message}`;
}

// Each tool is checked on its own (tools.ts): the SDK's listTools would refuse the whole list for one bad schema.
const ToolPage = z.looseObject({ tools: z.array(z.unknown()), nextCursor: z.string().optional() });
const MAX_PAGES = 20;

async function listTools(client: Client, timeoutMs: number): Promise<unknown[]> {
  const deadline = Date.now() + timeoutMs;
  const tools: unknown[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const params = cursor ? { cursor } : {};
    const result = await client.request({ method: "tools/list", params }, ToolPage, { timeout: Math.max(1, deadline - Date.now()) });
    tools.push(...result.tools);
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  return tools;
}

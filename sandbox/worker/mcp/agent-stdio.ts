// The MCP stdio transport, spawning the server as the agent: the SDK's own StdioClientTransport
// cannot switch uid, so this one starts the process the way shell commands start (agentSpawn: the
// session's uid/gid, in the workspace, the agent's clean environment plus the server's env; the
// worker's channel socket is nowhere in it), in a process group of its own so close() takes down
// whatever it started. The wire format is the spec's: newline-delimited JSON-RPC, each line checked
// with the SDK's schema.
import { spawn, type ChildProcess } from "node:child_process";
import { serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { JSONRPCMessageSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { agentSpawn, type AgentUser } from "../agent-user";

/** A line longer than this is a broken server, not a message. */
const MAX_LINE = 16 * 1024 * 1024;

/** The server wrote something that is not a JSON-RPC message (other errors are the pipes'). */
export class NotJsonRpc extends Error {}

export type AgentStdioOptions = {
  user: AgentUser;
  cwd: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  onStderr(text: string): void;
  /** The process ended (by itself or by close()), with how. */
  onExit(how: string): void;
};

export class AgentStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private child: ChildProcess | null = null;
  private partial: Buffer[] = [];
  private partialBytes = 0;

  constructor(private readonly opts: AgentStdioOptions) {}

  start(): Promise<void> {
    const { user, cwd, command, args, env } = this.opts;
    const how = agentSpawn(user, cwd, command, args, env);
    return new Promise((resolve, reject) => {
      const child = spawn(how.file, how.args, { ...how.options, detached: true, stdio: ["pipe", "pipe", "pipe"] });
      this.child = child;
      child.once("error", (err) => {
        reject(err);
        this.onerror?.(err);
      });
      child.once("spawn", () => resolve());
      child.once("close", (code, signal) => {
        this.child = null;
        this.opts.onExit(code !== null ? `exit code ${code}` : `killed by ${signal}`);
        this.onclose?.();
      });
      child.stdin!.on("error", (err) => this.onerror?.(err));
      child.stderr!.setEncoding("utf8");
      child.stderr!.on("data", (text: string) => this.opts.onStderr(text));
      child.stdout!.on("data", (chunk: Buffer) => this.read(chunk));
    });
  }

  /** Whole lines become messages; a line that is not JSON-RPC is reported and dropped. */
  private read(chunk: Buffer): void {
    let from = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, from)) {
      this.partial.push(chunk.subarray(from, nl));
      from = nl + 1;
      const line = Buffer.concat(this.partial).toString("utf8").replace(/\r$/, "");
      this.partial = [];
      this.partialBytes = 0;
      if (line.trim()) this.deliver(line);
    }
    if (from < chunk.length) {
      this.partial.push(chunk.subarray(from));
      this.partialBytes += chunk.length - from;
    }
    // The server runs as the agent, so it is as hostile as the agent: an endless line must not fill the worker's memory.
    if (this.partialBytes > MAX_LINE) {
      this.partial = [];
      this.partialBytes = 0;
      this.onerror?.(new NotJsonRpc(`the server wrote a line over ${MAX_LINE / 1024 / 1024} MB`));
      void this.close();
    }
  }

  private deliver(line: string): void {
    let message: JSONRPCMessage;
    try {
      message = JSONRPCMessageSchema.parse(JSON.parse(line));
    } catch {
      this.onerror?.(new NotJsonRpc(`the server wrote a line that is not JSON-RPC: ${line.slice(0, 200)}`));
      return;
    }
    this.onmessage?.(message);
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed) return Promise.reject(new Error("the server is not running"));
    return new Promise((resolve) => {
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once("drain", resolve);
    });
  }

  /** Kills the server's whole process group. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

// A hostile worker for tests: raw HTTP to a session's channel socket, and a live session on the
// test database with its run directory laid out as the sandbox setup does (host-only, 0700).
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { env } from "../lib/config/env";
import { connectDb, db } from "../lib/db/client";
import { sessionPaths } from "../lib/git/workspace";
import { newSessionId } from "../lib/sessions/create-session";
import { LiveSession } from "../lib/sessions/live-session";
import { DEFAULT_TEAM_ID, ensureDefaultTeam } from "../lib/sessions/team";
import type { ScriptInput } from "../lib/modelstub/script";
import { startModelStub, type ModelStub } from "../lib/modelstub/server";

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): unknown;
}

/** One request over the socket; `body` as given (a string is sent as is, anything else as JSON). */
export function request(socketPath: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: url, agent: false, headers: { host: "dockside-host", "content-type": "application/json", ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (b: Buffer) => parts.push(b));
      res.on("end", () => {
        const text = Buffer.concat(parts).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on("error", reject);
    });
    // A refused upload may be cut off while it is still being sent: the answer came first.
    req.on("error", (err) => (err as NodeJS.ErrnoException).code === "EPIPE" || (err as NodeJS.ErrnoException).code === "ECONNRESET" ? undefined : reject(err));
    req.end(payload);
  });
}

export const MODEL = "claude-test-model";
let teamReady: Promise<void> | undefined;

export interface TestSession {
  id: string;
  live: LiveSession;
  socket: string;
  post(events: unknown[]): Promise<Reply>;
  close(): Promise<void>;
}

/** A session row (status `starting`, then `running` when asked) with an open channel. */
export async function openTestSession(opts: { status?: "starting" | "running" | "idle" } = {}): Promise<TestSession> {
  connectDb(process.env.DATABASE_URL!);
  // Test files run side by side: a concurrent upsert of the same team can lose the race once.
  teamReady ??= ensureDefaultTeam().catch(() => ensureDefaultTeam());
  await teamReady;
  const id = newSessionId();
  await db().session.create({ data: { id, teamId: DEFAULT_TEAM_ID, repo: "/r", baseBranch: "main", branch: `dockside/${id.slice(0, 8)}`, prompt: "p", model: MODEL, status: "queued" } });
  const paths = sessionPaths(env().dataDir, id);
  fs.mkdirSync(paths.run, { recursive: true });
  fs.chmodSync(paths.run, 0o700);
  const live = new LiveSession(id, paths.run, () => ({
    sessionId: id,
    model: MODEL,
    branch: `dockside/${id.slice(0, 8)}`,
    baseCommit: "",
    agentUid: 100_000,
    agentGid: 100_000,
    maxTurns: 10,
    shellTimeoutS: 60,
    toolOutputCap: 30_000,
    maxTokens: 4096,
    contextTokens: 200_000,
    maxOutputTokens: 32_000,
    thinkingBudget: null,
    teamInstructions: "",
    agentEnv: {},
    environmentNote: "",
    memoryNote: "",
    routineKind: null,
    mcpStdio: [],
    mcpRemote: [],
  }));
  await live.append([{ type: "status", data: { status: "starting" } }]);
  if (opts.status === "running" || opts.status === "idle") await live.append([{ type: "status", data: { status: "running" } }]);
  if (opts.status === "idle") await live.append([{ type: "status", data: { status: "idle" } }]);
  await live.openChannel();
  const socket = path.join(paths.run, "host.sock");
  return {
    id,
    live,
    socket,
    post: (events) => request(socket, "POST", "/worker/events", { events }),
    close: () => live.closeChannel(),
  };
}

/**
 * The scripted Messages API behind the host gateway, and sessions with open channels in front of
 * it (gateway tests): `session()` opens one, `close()` closes them all and the stub.
 */
export async function startGatewayRig(scripts: ScriptInput[]): Promise<{ stub: ModelStub; session(): Promise<TestSession>; close(): Promise<void> }> {
  const stub = await startModelStub();
  for (const s of scripts) stub.addScript(s);
  process.env.ANTHROPIC_BASE_URL = stub.url;
  process.env.ANTHROPIC_API_KEY = "test-key";
  const open: TestSession[] = [];
  return {
    stub,
    async session() {
      const s = await openTestSession({ status: "running" });
      open.push(s);
      return s;
    },
    async close() {
      await Promise.all(open.map((s) => s.close()));
      await stub.close();
    },
  };
}

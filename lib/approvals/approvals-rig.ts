// The approvals tests' rig (approvals.test.ts, approvals-settings.test.ts): two teams with a
// member of each role and an API token each, sessions whose worker is the test itself on a real
// channel socket, and the route handlers called as those tokens.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { POST as approvalPost } from "../../app/api/approvals/[id]/route";
import { request, type Reply } from "../../test/channel-client";
import { createApiToken } from "../auth/tokens";
import type { Role } from "../auth/roles";
import { env } from "../config/env";
import { connectDb, db } from "../db/client";
import type { SessionEvent } from "../events/schema";
import { makeMember, makeTeam } from "../history/test-fixtures";
import type { WorkerApprovalState, WorkerPermissions } from "../protocol/permissions";
import { setRuntime } from "../runtime/boot";
import { checkHealth } from "../runtime/health";
import { sessionPaths } from "../git/workspace";
import { newSessionId } from "../sessions/create-session";
import { LiveSession } from "../sessions/live-session";
import { Orchestrator } from "../sessions/orchestrator";
import { callRoute, type RouteHandler } from "../../test/route-call";

export const BASE = "http://dockside.test";
export type Body = Record<string, unknown> & { error: { message: string } };

export const call = <P>(handler: RouteHandler<P>, token: string, method: string, params: P, body?: unknown) => callRoute<Body, P>(handler, token, method, params, body);

export interface Side {
  team: string;
  repo: string;
  tokens: Record<Role, string>;
  names: Record<Role, string>;
}
export const orchestrator = new Orchestrator();

async function side(): Promise<Side> {
  const team = await makeTeam();
  const tokens = {} as Record<Role, string>;
  const names = {} as Record<Role, string>;
  for (const role of ["owner", "admin", "member", "viewer"] as const) {
    const m = await makeMember(team, role, role[0].toUpperCase() + role.slice(1));
    names[role] = m.user.name;
    tokens[role] = (await createApiToken(m.user.id, team, role)).token;
  }
  const repo = crypto.randomUUID();
  await db().repository.create({ data: { id: repo, teamId: team, kind: "https", location: `https://git.example.com/${repo}`, source: `https://git.example.com/${repo}.git`, name: "app" } });
  return { team, repo, tokens, names };
}

export interface Open {
  id: string;
  live: LiveSession;
  socket: string;
  ask(callId: string, extra?: Partial<{ kind: "tool" | "plan"; tool: string; input: unknown; reason: string }>): Promise<Reply>;
  poll(approvalId: string, wait?: number): Promise<Reply>;
  permissions(): Promise<WorkerPermissions>;
}
const opened: LiveSession[] = [];

/** A running session of `s`'s repository with an open channel (the worker is this test). */
export async function openSession(s: Side, mode = "auto"): Promise<Open> {
  const id = newSessionId();
  await db().session.create({ data: { id, teamId: s.team, repositoryId: s.repo, repo: `https://git.example.com/${s.repo}`, baseBranch: "main", branch: `dockside/${id.slice(0, 8)}`, prompt: "p", model: "m", status: "queued", mode } });
  return attach(id);
}

/** A channel for an existing session (a new LiveSession: what a server restart gives it). */
export async function attach(id: string): Promise<Open> {
  const paths = sessionPaths(env().dataDir, id);
  fs.mkdirSync(paths.run, { recursive: true });
  fs.chmodSync(paths.run, 0o700);
  const live = new LiveSession(id, paths.run, () => {
    throw new Error("no config in this test");
  });
  const row = await db().session.findUniqueOrThrow({ where: { id } });
  if (row.status === "queued") await live.append([{ type: "status", data: { status: "starting" } }, { type: "status", data: { status: "running" } }]);
  await live.openChannel();
  opened.push(live);
  const socket = path.join(paths.run, "host.sock");
  return {
    id,
    live,
    socket,
    ask: (callId, extra = {}) => request(socket, "POST", "/worker/approvals", { callId, kind: "tool", tool: "shell", input: { command: "npm install left-pad" }, reason: "shell commands outside the allow rules need approval (mode ask)", ...extra }),
    poll: (approvalId, wait = 0) => request(socket, "GET", `/worker/approvals/${approvalId}?wait=${wait}`),
    permissions: async () => (await request(socket, "GET", "/worker/permissions")).json() as WorkerPermissions,
  };
}

export const rowOf = (id: string) => db().session.findUniqueOrThrow({ where: { id } });
export const of = <T extends SessionEvent["type"]>(events: SessionEvent[], type: T) => events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);
export const decide = (token: string, id: string, body: unknown) => call(approvalPost, token, "POST", { id }, body);
export const state = (r: Reply) => r.json() as WorkerApprovalState;

/** Registers the rig's hooks in the calling test file; `sides` holds teams A and B once they are made. */
export function useRig(): { A: Side; B: Side } {
  const sides = {} as { A: Side; B: Side };
  beforeAll(async () => {
    connectDb(process.env.DATABASE_URL!);
    setRuntime({ orchestrator, health: () => checkHealth("external") });
    [sides.A, sides.B] = [await side(), await side()];
  });
  afterAll(async () => {
    await Promise.all(opened.map((l) => l.closeChannel()));
  });
  return sides;
}


// Two teams on the real HTTP stack, for authorization tests: team A with one person per role
// (plus `target`, whose role tests change), team B owned by `outsider`. Everyone has an API token
// (for their team) and a signed-in browser cookie; each team has an idle session with a short log.
import crypto from "node:crypto";
import { addToTeam, createTeamFor } from "../lib/cli/teams";
import { createUser } from "../lib/cli/users";
import { connectDb, db, disconnectDb } from "../lib/db/client";
import { ev } from "../lib/events/schema";
import { appendEvents } from "../lib/events/store";
import { createApiToken } from "../lib/auth/tokens";
import { newSessionId } from "../lib/sessions/create-session";
import { createDatabase, signIn, startServer, type TestServer } from "./http-harness";

export const IN_A = ["owner", "admin", "member", "viewer"] as const;
export const EVERYONE = [...IN_A, "outsider"] as const;
export type Who = (typeof EVERYONE)[number];
export type Person = Who | "target";
export const NAMES: Record<Person, string> = { owner: "Owner Olive", admin: "Admin Ada", member: "Member Max", viewer: "Viewer Vera", target: "Target Tom", outsider: "Outsider Otto" };

export interface Team {
  id: string;
  name: string;
  session: string;
  /** A registered repository of the team (an https URL: nothing is cloned). */
  repo: string;
}

export interface Reply {
  status: number;
  body: unknown;
}

/** Whose credentials: a person's token (default) or cookie, raw headers, or none. */
export type Creds = { who: Person; via: "token" | "cookie" } | { raw: Record<string, string> } | null;
export const as = (who: Person, via: "token" | "cookie" = "token"): Creds => ({ who, via });

export interface TeamWorld {
  server: TestServer;
  A: Team;
  B: Team;
  users: Record<Person, { id: string; email: string }>;
  tokens: Record<Person, { id: string; token: string }>;
  cookies: Record<Person, string>;
  call(creds: Creds, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** An idle session in the team: user.message by `by`, then queued, idle (seq 1..3). */
  insertSession(teamId: string, by: Person): Promise<string>;
  stop(): Promise<void>;
}

const PASSWORD = "correct-horse-world";

/** Builds the world on a database of its own (the server recovers every active session it sees at start-up). */
export async function startTeamWorld(): Promise<TeamWorld> {
  const databaseUrl = await createDatabase("world");
  connectDb(databaseUrl);
  // A known instance id: fixture sessions are leased to the server (below), so its takeover scan
  // leaves them as they are (they have no sandbox; an unowned live session would be settled).
  const instanceId = `world-${Date.now().toString(36)}`;
  const starting = startServer({ databaseUrl, env: { DOCKSIDE_INSTANCE_ID: instanceId } });
  starting.catch(() => {}); // awaited below; fixtures may fail first
  try {
    // The first account on a fresh install owns the default team; keep that out of the way.
    await createUser({ email: "root@world.example", password: PASSWORD, name: "Root" });
    const users = {} as TeamWorld["users"];
    for (const who of [...EVERYONE, "target"] as const) users[who] = await createUser({ email: `${who}@world.example`, password: PASSWORD, name: NAMES[who] });
    const teamA = await createTeamFor("Team A", users.owner.email);
    const teamB = await createTeamFor("Team B", users.outsider.email);
    for (const who of ["admin", "member", "viewer", "target"] as const) await addToTeam(teamA.id, users[who].email, who === "target" ? "member" : who);
    const tokens = {} as TeamWorld["tokens"];
    for (const who of [...IN_A, "target"] as const) tokens[who] = await createApiToken(users[who].id, teamA.id, `${who} token`);
    tokens.outsider = await createApiToken(users.outsider.id, teamB.id, "outsider token");

    const server = await starting;
    const cookies = {} as TeamWorld["cookies"];
    for (const who of [...EVERYONE, "target"] as const) cookies[who] = await signIn(server.url, users[who].email, PASSWORD);

    const insertSession = async (teamId: string, by: Person): Promise<string> => {
      const id = newSessionId();
      const author = users[by];
      await db().session.create({
        data: { id, teamId, repo: "/srv/repos/fixture", baseBranch: "main", branch: `dockside/${id.slice(0, 8)}`, prompt: "fixture task", model: "stub", status: "queued", createdById: author.id },
      });
      await db().$executeRaw`INSERT INTO session_leases (session_id, instance_id, epoch, expires_at) VALUES (${id}, ${instanceId}, 1, timezone('UTC', now()) + interval '1 day')`;
      await appendEvents(id, [ev("user.message", { text: "fixture task", author: NAMES[by], authorId: author.id }), ev("status", { status: "queued" }), ev("status", { status: "idle" })]);
      return id;
    };

    const call: TeamWorld["call"] = async (creds, method, path, body, headers = {}) => {
      const h: Record<string, string> = { ...headers };
      if (creds && "raw" in creds) Object.assign(h, creds.raw);
      else if (creds?.via === "cookie") {
        h.cookie = cookies[creds.who];
        h.origin ??= server.url; // as a browser on Dockside's own pages sends it
      }
      else if (creds) h.authorization = `Bearer ${tokens[creds.who].token}`;
      if (body !== undefined) h["content-type"] = "application/json";
      const r = await fetch(server.url + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      try {
        return { status: r.status, body: JSON.parse(text) as unknown };
      } catch {
        return { status: r.status, body: text }; // a diff, an HTML page
      }
    };

    const registerRepo = async (teamId: string): Promise<string> => {
      const id = crypto.randomUUID();
      await db().repository.create({ data: { id, teamId, kind: "https", location: `https://git.example.com/${teamId}/app`, source: `https://git.example.com/${teamId}/app.git`, name: "app" } });
      return id;
    };

    return {
      server,
      A: { id: teamA.id, name: teamA.name, session: await insertSession(teamA.id, "member"), repo: await registerRepo(teamA.id) },
      B: { id: teamB.id, name: teamB.name, session: await insertSession(teamB.id, "outsider"), repo: await registerRepo(teamB.id) },
      users,
      tokens,
      cookies,
      call,
      insertSession,
      async stop() {
        await server.stop();
        await disconnectDb();
      },
    };
  } catch (err) {
    await starting.then((s) => s.stop(), () => {});
    await disconnectDb();
    throw err;
  }
}

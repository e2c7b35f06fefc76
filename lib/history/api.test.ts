// The HTTP contract of the history, export, share and audit routes: the route handlers called
// with real Requests (API-token auth, zod at the boundary, status codes, headers, streaming).
import { beforeAll, describe, expect, it } from "vitest";
import { GET as auditGet } from "../../app/api/audit/route";
import { GET as exportGet } from "../../app/api/sessions/[id]/export/route";
import { GET as sharesGet, POST as sharesPost } from "../../app/api/sessions/[id]/shares/route";
import { GET as sessionsGet } from "../../app/api/sessions/route";
import { GET as linkGet } from "../../app/api/share-links/[token]/route";
import { DELETE as shareDelete } from "../../app/api/shares/[id]/route";
import { createApiToken } from "../auth/tokens";
import { connectDb, db } from "../db/client";
import { ev } from "../events/schema";
import { setRuntime, type Runtime } from "../runtime/boot";
import { makeMember, makeSession, makeTeam } from "./test-fixtures";

const BASE = "http://dockside.test";
let team: string;
let session: string;
let memberToken: string;
let adminToken: string;

function call<P>(
  handler: (req: Request, seg: { params: Promise<P> }) => Promise<Response>,
  path: string,
  opts: { token?: string; params?: P; method?: string; body?: unknown } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body) headers["content-type"] = "application/json";
  const req = new Request(BASE + path, { method: opts.method ?? "GET", headers, body: opts.body ? JSON.stringify(opts.body) : undefined });
  return handler(req, { params: Promise.resolve((opts.params ?? {}) as P) });
}

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  // The routes only need the runtime to exist; none of these touches the orchestrator.
  setRuntime({ orchestrator: undefined, health: async () => ({}) } as unknown as Runtime);
  team = await makeTeam(false);
  const member = await makeMember(team, "member");
  const admin = await makeMember(team, "admin");
  memberToken = (await createApiToken(member.user.id, team, "test")).token;
  adminToken = (await createApiToken(admin.user.id, team, "test")).token;
  session = await makeSession(team, {
    prompt: "Teach the capybara to swim",
    createdById: member.user.id,
    events: [ev("user.message", { text: "Teach the capybara to swim" }), ev("assistant.text", { block: "b", text: "Splash." })],
  });
});

describe("routes", () => {
  it("GET /api/sessions searches and refuses bad input with 422", async () => {
    const res = await call(sessionsGet, "/api/sessions?q=capybara&limit=5", { token: memberToken });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { sessions: { id: string; match?: { seq: number } }[]; nextCursor: string | null };
    expect(body.sessions.map((s) => [s.id, s.match?.seq])).toEqual([[session, 1]]);
    expect(body.nextCursor).toBeNull();
    for (const q of ["cursor=xyz", "status=sleeping", "from=yesterday", "limit=0", "review=maybe"]) {
      const bad = await call(sessionsGet, `/api/sessions?${q}`, { token: memberToken });
      expect(bad.status).toBe(422);
      expect(await bad.json()).toMatchObject({ error: { code: "invalid" } });
    }
    expect((await call(sessionsGet, "/api/sessions")).status).toBe(401);
  });

  it("GET /api/sessions?review= lists the sessions waiting for review, or merged (the home page's see-all)", async () => {
    const waiting = await makeSession(team, { prompt: "ready for a look" });
    const merged = await makeSession(team, { prompt: "already in" });
    const empty = await makeSession(team, { prompt: "no commits of its own" });
    const working = await makeSession(team, { prompt: "still at it" });
    const done = { status: "idle", baseCommit: "a".repeat(40) };
    await db().session.update({ where: { id: waiting }, data: { ...done, headCommit: "b".repeat(40) } });
    await db().session.update({ where: { id: merged }, data: { ...done, headCommit: "c".repeat(40), reviewState: "merged", mergedAt: new Date() } });
    await db().session.update({ where: { id: empty }, data: { ...done, headCommit: "a".repeat(40) } });
    await db().session.update({ where: { id: working }, data: { ...done, status: "running", headCommit: "d".repeat(40) } });
    const ids = async (review: string) => {
      const res = await call(sessionsGet, `/api/sessions?review=${review}&limit=200`, { token: memberToken });
      expect(res.status).toBe(200);
      return ((await res.json()) as { sessions: { id: string }[] }).sessions.map((s) => s.id);
    };
    expect(await ids("waiting")).toEqual([waiting]);
    expect(await ids("merged")).toEqual([merged]);
  });

  it("GET /api/sessions/:id/export streams an attachment", async () => {
    const md = await call(exportGet, `/api/sessions/${session}/export?format=md`, { token: memberToken, params: { id: session } });
    expect(md.status).toBe(200);
    expect(md.headers.get("content-disposition")).toBe(`attachment; filename="dockside-${session}.md"`);
    expect(md.headers.get("content-type")).toContain("text/markdown");
    expect(await md.text()).toContain("Splash.");
    const json = await call(exportGet, `/api/sessions/${session}/export?format=json`, { token: memberToken, params: { id: session } });
    expect(json.headers.get("content-disposition")).toBe(`attachment; filename="dockside-${session}.json"`);
    expect(((await json.json()) as { events: unknown[] }).events).toHaveLength(2);
    expect((await call(exportGet, `/api/sessions/${session}/export?format=pdf`, { token: memberToken, params: { id: session } })).status).toBe(422);
    expect((await call(exportGet, `/api/sessions/nosuchsession/export`, { token: memberToken, params: { id: "nosuchsession" } })).status).toBe(404);
  });

  it("share links: create (201), list, open, revoke", async () => {
    const created = await call(sharesPost, `/api/sessions/${session}/shares`, { token: memberToken, params: { id: session }, method: "POST", body: { pinnedSeq: 1 } });
    expect(created.status).toBe(201);
    const share = (await created.json()) as { id: string; url: string; pinnedSeq: number };
    expect(share.pinnedSeq).toBe(1);
    const token = share.url.split("/").pop()!;
    const badPin = await call(sharesPost, `/api/sessions/${session}/shares`, { token: memberToken, params: { id: session }, method: "POST", body: { pinnedSeq: "x" } });
    expect(badPin.status).toBe(422);

    const list = (await (await call(sharesGet, `/api/sessions/${session}/shares`, { token: memberToken, params: { id: session } })).json()) as { shares: { id: string }[] };
    expect(list.shares.map((s) => s.id)).toContain(share.id);

    const anonymous = await call(linkGet, `/api/share-links/${token}`, { params: { token } });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: { code: "unauthorized", message: "sign in to view this shared session" } });
    const opened = await call(linkGet, `/api/share-links/${token}?after=0&limit=10`, { token: memberToken, params: { token } });
    expect(opened.status).toBe(200);
    expect(opened.headers.get("cache-control")).toContain("no-store");
    expect(await opened.json()).toMatchObject({ readOnly: true, pinnedSeq: 1, hasMore: false, events: [{ seq: 1 }], session: { id: session, lastSeq: 1 } });

    await db().team.update({ where: { id: team }, data: { allowPublicLinks: true } });
    expect((await call(linkGet, `/api/share-links/${token}`, { params: { token } })).status).toBe(200);

    const revoked = await call(shareDelete, `/api/shares/${share.id}`, { token: memberToken, params: { id: share.id }, method: "DELETE" });
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { revokedAt: string | null }).revokedAt).not.toBeNull();
    expect((await call(linkGet, `/api/share-links/${token}`, { params: { token } })).status).toBe(404);
  });

  it("GET /api/audit is for admins, newest first", async () => {
    expect((await call(auditGet, "/api/audit", { token: memberToken })).status).toBe(403);
    const res = await call(auditGet, "/api/audit?limit=2", { token: adminToken });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { entries: { action: string }[]; nextCursor: string | null };
    expect(body.entries.map((e) => e.action)).toEqual(["share.revoked", "share.created"]);
    expect(body.nextCursor).toEqual(expect.any(String));
  });
});

// Share links on the real test database: create, list, view (public and members-only), pin,
// page, revoke, and the audit entries they leave.
import { beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "../auth/caller";
import { hashSecret } from "../auth/tokens";
import { connectDb, db } from "../db/client";
import { ev, type NewEvent } from "../events/schema";
import { makeMember, makeSession, makeTeam, makeUser } from "../history/test-fixtures";
import { createShare } from "./create-share";
import { listShares } from "./list-shares";
import { revokeShare } from "./revoke-share";
import { SharedSessionQuerySchema, viewSharedSession } from "./view-shared-session";

const SHA1 = "1111111111111111111111111111111111111111";
const SHA2 = "2222222222222222222222222222222222222222";
const EVENTS: NewEvent[] = [
  ev("user.message", { text: "Ship it", author: "Ada" }),
  ev("status", { status: "running" }),
  ev("usage", { model: "m", inputTokens: 100, outputTokens: 10 }),
  ev("commit", { sha: SHA1, message: "first", filesChanged: 1, insertions: 1, deletions: 0 }),
  ev("status", { status: "idle" }),
  ev("user.message", { text: "And again", author: "Ada" }),
  ev("status", { status: "running" }),
  ev("usage", { model: "m", inputTokens: 200, outputTokens: 20 }),
  ev("commit", { sha: SHA2, message: "second", filesChanged: 1, insertions: 1, deletions: 0 }),
  ev("status", { status: "failed", reason: "out of memory" }),
];

const page = (q: Record<string, number> = {}) => SharedSessionQuerySchema.parse(q);
const tokenOf = (url: string) => url.slice(url.lastIndexOf("/") + 1);

let team: string;
let session: string;
let member: Caller;
let viewer: Caller;
let admin: Caller;
let outsider: Caller;

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  team = await makeTeam(false);
  member = await makeMember(team, "member", "Ada");
  viewer = await makeMember(team, "viewer", "Vic");
  admin = await makeMember(team, "admin", "Ann");
  outsider = await makeMember(await makeTeam(), "owner", "Oz");
  session = await makeSession(team, { createdById: member.user.id, events: EVENTS });
});

describe("share links", () => {
  it("creates a link whose secret is returned once and stored only as a hash", async () => {
    const share = await createShare(member, session, {});
    expect(share).toMatchObject({ sessionId: session, pinnedSeq: null, revokedAt: null, createdBy: member.user.name });
    expect(share.url).toMatch(/^https?:\/\/[^/]+\/share\/shr_[A-Za-z0-9_-]{43}$/);
    const row = await db().share.findUniqueOrThrow({ where: { id: share.id } });
    expect(row.tokenHash).toBe(hashSecret(tokenOf(share.url!)));
    expect(JSON.stringify(row)).not.toContain(tokenOf(share.url!));
    const audit = await db().auditEntry.findFirst({ where: { teamId: team, action: "share.created", targetId: share.id } });
    expect(audit).toMatchObject({ actorId: member.user.id, targetType: "share" });

    const { shares } = await listShares(viewer, session);
    expect(shares.find((s) => s.id === share.id)).toEqual({ ...share, url: undefined });
    expect(shares.every((s) => !("url" in s))).toBe(true);
  });

  it("lets members, not viewers or outsiders, create links", async () => {
    await expect(createShare(viewer, session, {})).rejects.toMatchObject({ code: "forbidden" });
    await expect(createShare(outsider, session, {})).rejects.toMatchObject({ code: "not_found" });
    await expect(listShares(outsider, session)).rejects.toMatchObject({ code: "not_found" });
    await expect(createShare(member, session, { pinnedSeq: 11 })).rejects.toMatchObject({ code: "invalid" });
  });

  it("shows a members-only link to members, asks anonymous visitors to sign in, hides it from others", async () => {
    const token = tokenOf((await createShare(member, session, {})).url!);
    await expect(viewSharedSession(null, token, page())).rejects.toMatchObject({ code: "unauthorized", message: "sign in to view this shared session" });
    await expect(viewSharedSession(outsider, token, page())).rejects.toMatchObject({ code: "not_found" });
    await expect(viewSharedSession({ ...member, tokenTeamId: "elsewhere" }, token, page())).rejects.toMatchObject({ code: "not_found" });
    const shared = await viewSharedSession(viewer, token, page());
    expect(shared).toMatchObject({ readOnly: true, pinnedSeq: null, hasMore: false, session: { id: session, status: "failed", lastSeq: 10 } });
    expect(shared.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("shows a link of a team that allows public links to anyone", async () => {
    const open = await makeTeam(true);
    const owner = await makeMember(open, "member");
    const s = await makeSession(open, { events: EVENTS.slice(0, 3) });
    const token = tokenOf((await createShare(owner, s, {})).url!);
    expect((await viewSharedSession(null, token, page())).events).toHaveLength(3);
    expect((await viewSharedSession(outsider, token, page())).session.id).toBe(s);
  });

  it("pins a link to a seq: only events up to it, and the session as it stood then", async () => {
    const share = await createShare(member, session, { pinnedSeq: 5 });
    const token = tokenOf(share.url!);
    const shared = await viewSharedSession(member, token, page());
    expect(shared.pinnedSeq).toBe(5);
    expect(shared.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(shared.hasMore).toBe(false);
    expect(shared.session).toMatchObject({ status: "idle", failureReason: null, endedAt: null, headCommit: SHA1, inputTokens: 100, outputTokens: 10, lastSeq: 5 });
    expect(shared.session.updatedAt).toBe(shared.events[4].ts);

    const first = await viewSharedSession(member, token, page({ limit: 2 }));
    expect(first.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(first.hasMore).toBe(true);
    const rest = await viewSharedSession(member, token, page({ after: 2, limit: 100 }));
    expect(rest.events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(rest.hasMore).toBe(false);
    expect((await viewSharedSession(member, token, page({ after: 9 }))).events).toEqual([]);

    const late = await viewSharedSession(member, tokenOf((await createShare(member, session, { pinnedSeq: 10 })).url!), page());
    expect(late.session).toMatchObject({ status: "failed", failureReason: "out of memory", headCommit: SHA2, lastSeq: 10 });
  });

  it("revokes a link: members of the team only, once, audited, and the link stops working", async () => {
    const share = await createShare(member, session, {});
    const token = tokenOf(share.url!);
    await expect(revokeShare(outsider, share.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(revokeShare(viewer, share.id)).rejects.toMatchObject({ code: "forbidden" });
    await expect(revokeShare(admin, "not-a-share")).rejects.toMatchObject({ code: "not_found" });
    const revoked = await revokeShare(admin, share.id);
    expect(revoked.revokedAt).not.toBeNull();
    expect((await revokeShare(admin, share.id)).revokedAt).toBe(revoked.revokedAt);
    await expect(viewSharedSession(member, token, page())).rejects.toMatchObject({ code: "not_found" });
    expect(await db().auditEntry.count({ where: { teamId: team, action: "share.revoked", targetId: share.id } })).toBe(1);
    expect((await listShares(member, session)).shares.find((s) => s.id === share.id)?.revokedAt).toBe(revoked.revokedAt);
  });

  it("answers 404 for tokens that are unknown or malformed", async () => {
    const stranger = await makeUser();
    for (const token of ["shr_nope", "nope", "shr_" + "x".repeat(300)]) {
      await expect(viewSharedSession(stranger, token, page())).rejects.toMatchObject({ code: "not_found" });
      await expect(viewSharedSession(null, token, page())).rejects.toMatchObject({ code: "not_found" });
    }
  });
});

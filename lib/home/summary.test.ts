// The home page's summary on real PostgreSQL: which sessions land in which section, "mine" against
// "team", that another team's sessions and alerts never appear, and the route for every role.
import { beforeAll, describe, expect, it } from "vitest";
import { GET as homeGet } from "../../app/api/home/route";
import { callRoute } from "../../test/route-call";
import { createApiToken } from "../auth/tokens";
import { connectDb, db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { makeMember, makeSession, makeTeam, rid } from "../history/test-fixtures";
import type { HomeSummary } from "../protocol/home";
import { setRuntime, type Runtime } from "../runtime/boot";
import { homeSummary, SECTION_SIZE } from "./summary";

const HOUR = 3_600_000;
const ago = (ms: number) => new Date(Date.now() - ms);
const BASE = "a".repeat(40);

let team: string;
let other: string;
let ada: { id: string; name: string };
let bob: { id: string; name: string };
let viewerToken: string;
let otherToken: string;
const s: Record<string, string> = {};

/** A session of `teamId` with the given row fields (status, attention, review, merge), set directly. */
async function session(teamId: string, authorId: string | undefined, prompt: string, data: Prisma.SessionUpdateInput): Promise<string> {
  const id = await makeSession(teamId, { prompt, createdById: authorId });
  await db().session.update({ where: { id }, data: { baseCommit: BASE, headCommit: BASE, ...data } });
  return id;
}

async function alert(teamId: string, sessionId: string | null, title: string): Promise<string> {
  const id = rid(12);
  await db().alert.create({ data: { id, teamId, sessionId, kind: sessionId ? "stuck" : "disk", title, message: `${title}: look`, key: `test:${id}` } });
  return id;
}

const ids = (sec: { sessions: { id: string }[] }) => sec.sessions.map((x) => x.id);
const allIds = (h: HomeSummary) => Object.values(h.sections).flatMap(ids);

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  setRuntime({ orchestrator: undefined, health: async () => ({}) } as unknown as Runtime);
  team = await makeTeam();
  other = await makeTeam();
  ada = (await makeMember(team, "member", "Ada")).user;
  bob = (await makeMember(team, "member", "Bob")).user;
  const viewer = await makeMember(team, "viewer", "Vic");
  viewerToken = (await createApiToken(viewer.user.id, team, "test")).token;
  const stranger = await makeMember(other, "owner", "Olga");
  otherToken = (await createApiToken(stranger.user.id, other, "test")).token;

  s.adaRunning = await session(team, ada.id, "Make the build faster\nand the tests too", { status: "running" });
  s.bobStarting = await session(team, bob.id, "Write the changelog", { status: "starting" });
  s.adaApproval = await session(team, ada.id, "Clean the cache", { status: "awaiting_approval" });
  s.adaFailed = await session(team, ada.id, "Upgrade Node", { status: "failed", failureReason: "sandbox ran out of memory", attention: "failed", attentionReason: "sandbox ran out of memory", attentionAt: ago(HOUR) });
  s.bobModelError = await session(team, bob.id, "Fix the flaky test", { status: "idle", attention: "model_error", attentionReason: "the model answered 529 eight times", attentionAt: ago(2 * HOUR) });
  s.oldFailed = await session(team, bob.id, "Failed before attention existed", { status: "failed" });
  s.adaReview = await session(team, ada.id, "Add a README section", { status: "idle", headCommit: "b".repeat(40), reviewState: "needs_review" });
  s.bobChanges = await session(team, bob.id, "Rename the module", { status: "stopped", headCommit: "c".repeat(40), reviewState: "changes_requested" });
  s.adaNothing = await session(team, ada.id, "Look around only", { status: "idle" });
  s.bobWorkingCommits = await session(team, bob.id, "Still at it", { status: "running", headCommit: "d".repeat(40) });
  s.bobMergedByAda = await session(team, bob.id, "Tidy the imports", { status: "idle", headCommit: "e".repeat(40), reviewState: "merged", mergedAt: ago(HOUR), mergedById: ada.id });
  s.adaMergedOld = await session(team, ada.id, "Merged before merged_at", { status: "stopped", reviewState: "merged" });
  s.bobMergedLongAgo = await session(team, bob.id, "Merged last month", { status: "stopped", reviewState: "merged", mergedAt: ago(30 * 24 * HOUR), mergedById: bob.id });
  s.bobApproved = await session(team, bob.id, "Approved, not merged", { status: "idle", headCommit: "f".repeat(40), reviewState: "approved" });
  for (let i = 0; i < SECTION_SIZE + 1; i++) s[`bobBusy${i}`] = await session(team, bob.id, `Busy ${i}`, { status: "running" });

  s.otherRunning = await session(other, undefined, "Another team's work", { status: "running" });
  s.otherFailed = await session(other, undefined, "Another team's failure", { status: "failed", attention: "failed" });
  s.otherReview = await session(other, undefined, "Another team's review", { status: "idle", headCommit: "9".repeat(40) });

  s.alertAda = await alert(team, s.adaRunning, "Ada's session looks stuck");
  s.alertBob = await alert(team, s.bobStarting, "Bob's session looks stuck");
  s.alertDisk = await alert(team, null, "Disk 91 % full");
  s.alertOther = await alert(other, s.otherRunning, "Another team's alert");
});

describe("home summary", () => {
  it("sorts the team's sessions into sections, newest few with the total, names not ids", async () => {
    const h = await homeSummary(team, ada.id, "team");
    expect(h.scope).toBe("team");
    expect(h.teamIsNew).toBe(false);
    expect(h.sections.running.total).toBe(3 + SECTION_SIZE + 1); // Ada's, Bob's starting, Bob's still at it, the busy ones
    expect(h.sections.running.sessions).toHaveLength(SECTION_SIZE);
    expect(ids(h.sections.approval)).toEqual([s.adaApproval]);
    expect(ids(h.sections.attention).sort()).toEqual([s.adaFailed, s.bobModelError, s.oldFailed].sort());
    expect(ids(h.sections.review).sort()).toEqual([s.adaReview, s.bobChanges].sort());
    expect(ids(h.sections.merged).sort()).toEqual([s.bobMergedByAda, s.adaMergedOld].sort());
    expect(h.sections.merged.sessions[0].id).toBe(s.bobMergedByAda); // merged_at first, the fallback after

    const failed = h.sections.attention.sessions.find((x) => x.id === s.adaFailed)!;
    expect(failed).toMatchObject({ title: "Upgrade Node", author: ada.name, startedByYou: true, attention: { kind: "failed", reason: "sandbox ran out of memory" } });
    expect(h.sections.merged.sessions[0]).toMatchObject({ author: bob.name, startedByYou: false, mergedBy: ada.name, mergedByYou: true });
    expect(h.sections.running.sessions.every((x) => x.status === "running" || x.status === "starting")).toBe(true);
    expect(h.alerts.map((a) => a.title).sort()).toEqual(["Ada's session looks stuck", "Bob's session looks stuck", "Disk 91 % full"]);
  });

  it("mine holds the sessions I started (and merges I made); it is the default once I have sessions", async () => {
    const h = await homeSummary(team, ada.id);
    expect(h.scope).toBe("mine");
    expect(h.hasOwn).toBe(true);
    expect(ids(h.sections.running)).toEqual([s.adaRunning]);
    expect(h.sections.running.total).toBe(1);
    expect(ids(h.sections.approval)).toEqual([s.adaApproval]);
    expect(ids(h.sections.attention)).toEqual([s.adaFailed]);
    expect(ids(h.sections.review)).toEqual([s.adaReview]);
    expect(ids(h.sections.merged).sort()).toEqual([s.bobMergedByAda, s.adaMergedOld].sort());
    expect(h.alerts.map((a) => a.title).sort()).toEqual(["Ada's session looks stuck", "Disk 91 % full"]);
  });

  it("never shows another team's sessions or alerts; a team without sessions is new", async () => {
    const h = await homeSummary(team, ada.id, "team");
    const theirs = [s.otherRunning, s.otherFailed, s.otherReview];
    expect(allIds(h).filter((id) => theirs.includes(id))).toEqual([]);
    expect(h.alerts.some((a) => a.title.startsWith("Another team"))).toBe(false);

    const mineThere = await homeSummary(other, ada.id);
    expect(mineThere.scope).toBe("team"); // Ada started nothing there
    expect(allIds(mineThere).filter((id) => !theirs.includes(id))).toEqual([]);

    const fresh = await makeTeam();
    const empty = await homeSummary(fresh, ada.id);
    expect(empty).toMatchObject({ scope: "team", hasOwn: false, teamIsNew: true, alerts: [] });
    expect(allIds(empty)).toEqual([]);
  });
});

describe("GET /api/home", () => {
  it("answers a viewer with the team's summary, and refuses an unknown scope with 422", async () => {
    const res = await callRoute<HomeSummary, Record<string, never>>(homeGet, viewerToken, "GET", {});
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe("team");
    expect(res.body.sections.approval.sessions.map((x) => x.title)).toEqual(["Clean the cache"]);

    const bad = await homeGet(new Request("http://dockside.test/api/home?scope=everyone", { headers: { authorization: `Bearer ${viewerToken}` } }), { params: Promise.resolve({}) });
    expect(bad.status).toBe(422);
  });

  it("answers another team's member with their own team only", async () => {
    const res = await callRoute<HomeSummary, Record<string, never>>(homeGet, otherToken, "GET", {});
    expect(res.status).toBe(200);
    expect(allIds(res.body).sort()).toEqual([s.otherRunning, s.otherFailed, s.otherReview].sort());
    expect(res.body.alerts.map((a) => a.title)).toEqual(["Another team's alert"]);
  });
});

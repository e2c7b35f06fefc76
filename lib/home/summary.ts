// The home page's answer to "what needs me?" (GET /api/home): per section the newest few
// sessions of the team (or of the person) and how many in all, plus the team's open alerts.
import { listOpenAlerts } from "../alerts/list";
import { activeTeam, authorize } from "../auth/authorize";
import type { Caller } from "../auth/caller";
import { db } from "../db/client";
import type { Session } from "../db/generated/client";
import { AttentionKind } from "../events/status";
import type { SessionStatus } from "../events/schema";
import { HOME_SECTIONS, type HomeScope, type HomeSection, type HomeSectionKey, type HomeSession, type HomeSummary } from "../protocol/home";
import type { ReviewState } from "../protocol/review";
import { mineFilter, sectionQuery } from "./sections";

/** Sessions shown per section; "see all" opens the history for the rest. */
export const SECTION_SIZE = 5;
const TITLE_MAX = 200;

type Row = Session & { createdBy: { name: string } | null; routine: { name: string } | null; _count: { approvals: number } };

/** The summary for `userId` in `teamId`; without a scope, "mine" when the person has sessions there. */
/** The caller's summary of their active team, authorized as `GET /api/home` is (any member, viewers too). */
export async function callerHomeSummary(caller: Caller, scope?: HomeScope): Promise<HomeSummary> {
  const { teamId } = await authorize(caller, await activeTeam(caller), "session.read");
  return homeSummary(teamId, caller.user.id, scope);
}

export async function homeSummary(teamId: string, userId: string, scope?: HomeScope): Promise<HomeSummary> {
  const now = new Date();
  const [own, any] = await Promise.all([
    db().session.findFirst({ where: { teamId, createdById: userId }, select: { id: true } }),
    db().session.findFirst({ where: { teamId }, select: { id: true } }),
  ]);
  const chosen = scope ?? (own ? "mine" : "team");
  const mine = chosen === "mine" ? userId : null;
  const [sections, alerts] = await Promise.all([loadSections(teamId, userId, mine, now), alertsFor(teamId, mine)]);
  return { scope: chosen, hasOwn: own !== null, teamIsNew: any === null, sections, alerts };
}

async function loadSections(teamId: string, viewer: string, mine: string | null, now: Date): Promise<HomeSummary["sections"]> {
  const loaded = await Promise.all(HOME_SECTIONS.map((key) => loadSection(key, teamId, mine, now)));
  const names = await mergerNames(loaded.flatMap((rows) => rows.rows));
  const out = {} as HomeSummary["sections"];
  HOME_SECTIONS.forEach((key, i) => {
    out[key] = { total: loaded[i].total, sessions: loaded[i].rows.map((r) => toHomeSession(key, r, names, viewer)) } satisfies HomeSection;
  });
  return out;
}

async function loadSection(key: HomeSectionKey, teamId: string, mine: string | null, now: Date): Promise<{ total: number; rows: Row[] }> {
  const q = sectionQuery(key, now);
  const where = { AND: [{ teamId }, q.where, ...(mine ? [mineFilter(key, mine)] : [])] };
  const [rows, total] = await Promise.all([
    db().session.findMany({
      where,
      orderBy: q.orderBy,
      take: SECTION_SIZE,
      include: { createdBy: { select: { name: true } }, routine: { select: { name: true } }, _count: { select: { approvals: { where: { status: "pending" } } } } },
    }),
    db().session.count({ where }),
  ]);
  return { total, rows };
}

/** Names of the people who merged these sessions (merged_by_id has no relation to load it through). */
async function mergerNames(rows: Row[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.flatMap((r) => (r.mergedById ? [r.mergedById] : [])))];
  if (!ids.length) return new Map();
  const users = await db().user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
  return new Map(users.map((u) => [u.id, u.name]));
}

function toHomeSession(key: HomeSectionKey, r: Row, mergers: Map<string, string>, viewer: string): HomeSession {
  const kind = AttentionKind.safeParse(r.attention).data;
  const at = key === "merged" ? (r.mergedAt ?? r.updatedAt) : key === "attention" ? (r.attentionAt ?? r.updatedAt) : r.updatedAt;
  return {
    id: r.id,
    title: (r.prompt.trim().split("\n", 1)[0] ?? "").trim().slice(0, TITLE_MAX) || "untitled session",
    repo: r.repo,
    status: r.status as SessionStatus,
    author: r.createdBy?.name ?? null,
    routine: r.routine?.name ?? null,
    startedByYou: r.createdById === viewer,
    at: at.toISOString(),
    attention: kind ? { kind, reason: r.attentionReason ?? "" } : null,
    failureReason: r.failureReason,
    reviewState: r.reviewState as ReviewState,
    mergedBy: r.mergedById ? (mergers.get(r.mergedById) ?? null) : null,
    mergedByYou: r.mergedById === viewer,
    pendingApprovals: r._count.approvals,
  };
}

/** Open alerts; for "mine" only those on the person's sessions and those on no session (disk, routines). */
async function alertsFor(teamId: string, mine: string | null): Promise<HomeSummary["alerts"]> {
  const { alerts } = await listOpenAlerts(teamId);
  if (!mine) return alerts;
  const sessionIds = [...new Set(alerts.flatMap((a) => (a.sessionId ? [a.sessionId] : [])))];
  const own = sessionIds.length ? await db().session.findMany({ where: { id: { in: sessionIds }, teamId, createdById: mine }, select: { id: true } }) : [];
  const ownIds = new Set(own.map((s) => s.id));
  return alerts.filter((a) => !a.sessionId || ownIds.has(a.sessionId));
}

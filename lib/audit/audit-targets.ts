// Names for the things audit entries point at: a session's first line, a repository's name, a
// member's name and email, with the page to open where one exists. One query per kind of target
// on a page of entries; a target deleted since falls back to what the entry recorded about it.
import { db } from "../db/client";
import type { AuditTargetDto } from "../protocol/teams";

type Entry = { targetType: string; targetId: string; data: Record<string, unknown> };
type Found = Map<string, AuditTargetDto>;

const firstLine = (text: string) => text.split("\n").find((l) => l.trim())?.trim().slice(0, 120) ?? "";
const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);
const sessionHref = (id: string) => `/sessions/${encodeURIComponent(id)}`;

// Each resolver reads the rows of one kind of target, only in the entries' team.
const RESOLVERS: Record<string, (teamId: string, ids: string[]) => Promise<Found>> = {
  session: async (teamId, ids) => {
    const rows = await db().session.findMany({ where: { teamId, id: { in: ids } }, select: { id: true, prompt: true } });
    return new Map(rows.map((s) => [s.id, { label: firstLine(s.prompt) || "a session without a prompt", href: sessionHref(s.id) }]));
  },
  repository: async (teamId, ids) => {
    const rows = await db().repository.findMany({ where: { teamId, id: { in: ids } }, select: { id: true, name: true, location: true } });
    return new Map(rows.map((r) => [r.id, { label: r.name, detail: r.location, href: "/settings" }]));
  },
  // Only people who are in this team now: a name is never shown to a team that does not share it.
  user: async (teamId, ids) => {
    const rows = await db().user.findMany({ where: { id: { in: ids }, memberships: { some: { teamId } } }, select: { id: true, name: true, email: true } });
    return new Map(rows.map((u) => [u.id, { label: u.name, detail: u.email }]));
  },
  team: async (teamId, ids) => {
    const rows = await db().team.findMany({ where: { id: { in: ids.filter((id) => id === teamId) } }, select: { id: true, name: true } });
    return new Map(rows.map((t) => [t.id, { label: t.name, href: "/settings" }]));
  },
  share: async (teamId, ids) => {
    const rows = await db().share.findMany({ where: { teamId, id: { in: ids } }, select: { id: true, session: { select: { id: true, prompt: true } } } });
    return new Map(rows.map((s) => [s.id, { label: `share link of “${firstLine(s.session.prompt)}”`, href: sessionHref(s.session.id) }]));
  },
  invitation: async (teamId, ids) => {
    const rows = await db().invitation.findMany({ where: { teamId, id: { in: ids } }, select: { id: true, role: true } });
    return new Map(rows.map((i) => [i.id, { label: `invitation link (${i.role})`, href: "/settings" }]));
  },
  token: async (teamId, ids) => {
    const rows = await db().apiToken.findMany({ where: { teamId, id: { in: ids } }, select: { id: true, name: true, user: { select: { name: true } } } });
    return new Map(rows.map((t) => [t.id, { label: `API token “${t.name}”`, detail: `of ${t.user.name}` }]));
  },
  routine: async (teamId, ids) => {
    const rows = await db().routine.findMany({ where: { teamId, id: { in: ids } }, select: { id: true, name: true } });
    return new Map(rows.map((r) => [r.id, { label: r.name, href: "/routines" }]));
  },
  webhook: async (teamId, ids) => {
    const rows = await db().webhook.findMany({ where: { teamId, id: { in: ids } }, select: { id: true, url: true } });
    return new Map(rows.map((w) => [w.id, { label: `webhook to ${w.url}`, href: "/settings" }]));
  },
  memory_entry: async (teamId, ids) => {
    const rows = await db().memoryEntry.findMany({ where: { teamId, id: { in: ids } }, select: { id: true, text: true } });
    return new Map(rows.map((m) => [m.id, { label: `memory “${firstLine(m.text)}”`, href: "/memory" }]));
  },
};

// What an entry itself says about a target that is gone (deleted sessions keep their first line).
function recorded(e: Entry): AuditTargetDto {
  const d = e.data;
  switch (e.targetType) {
    case "session":
      return { label: str(d.prompt) ?? "a deleted session", ...(str(d.repo) ? { detail: str(d.repo) } : {}) };
    case "repository":
      return { label: str(d.location) ?? "a removed repository" };
    case "user":
      return { label: "a person no longer here" };
    case "routine":
      return { label: str(d.name) ?? "a deleted routine" };
    case "token":
      return { label: `API token “${str(d.name) ?? "removed"}”` };
    case "webhook":
      return { label: str(d.url) ? `webhook to ${str(d.url)}` : "a deleted webhook" };
    case "alert":
      return { label: str(d.title) ?? "an alert" };
    case "memory_proposal":
      return { label: "a memory consolidation proposal", href: "/memory" };
    default:
      return { label: `a ${e.targetType.replace(/_/g, " ")}` };
  }
}

/** The target of each entry, in the entries' order. */
export async function resolveAuditTargets(teamId: string, entries: Entry[]): Promise<AuditTargetDto[]> {
  const byType = new Map<string, Set<string>>();
  for (const e of entries) if (RESOLVERS[e.targetType]) byType.set(e.targetType, (byType.get(e.targetType) ?? new Set()).add(e.targetId));
  const found = new Map<string, Found>();
  await Promise.all([...byType].map(async ([type, ids]) => found.set(type, await RESOLVERS[type](teamId, [...ids]))));
  return entries.map((e) => found.get(e.targetType)?.get(e.targetId) ?? recorded(e));
}

// Notifications: from a session's stored events (and the review) to the people who asked for
// them, and to the team's webhooks.
//
// Recipients are the team's members whose prefs include the event and whose scope covers the
// session: `mine` (they started it), `watched` (mine, or they opened it: session_watches), `team`
// (every session). The person who caused it is never notified. Many agents must not flood anyone:
// a person has at most one unread notification per (session, event); a new one refreshes it
// (time, title, body) instead of adding another. Each is pushed live to the person's sockets in
// that team ("notification", a NotificationDto). Webhooks get every event they subscribe to.
import crypto from "node:crypto";
import { env } from "../config/env";
import { db } from "../db/client";
import type { SessionEvent } from "../events/schema";
import type { NotificationEvent } from "../protocol/permissions";
import { publisher } from "../realtime/bus";
import { toNotificationDto } from "./inbox";
import { teamPrefs } from "./prefs";
import { enqueueWebhooks } from "./webhooks";

export interface NotificationInput {
  teamId: string;
  sessionId: string | null;
  event: NotificationEvent;
  title: string;
  body: string;
  /** Who caused it: never notified. */
  actorId?: string | null;
}

export const BUDGET_PREFIX = "budget reached";
const TITLE_MAX = 200;
const BODY_MAX = 1000;

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const sessionTitle = (prompt: string) => cut(prompt.trim().split("\n")[0]?.trim() || "untitled session", 80);
export const sessionUrl = (sessionId: string) => `${env().publicUrl.replace(/\/$/, "")}/sessions/${sessionId}`;

/** The members to notify of `event` on `sessionId` (prefs and scope; never the actor). */
export async function recipients(teamId: string, sessionId: string | null, event: NotificationEvent, actorId?: string | null): Promise<string[]> {
  const members = await db().member.findMany({ where: { teamId }, select: { userId: true } });
  const ids = members.map((m) => m.userId).filter((id) => id !== actorId);
  if (!ids.length) return [];
  const session = sessionId ? await db().session.findUnique({ where: { id: sessionId }, select: { createdById: true } }) : null;
  const prefs = await teamPrefs(teamId, ids);
  const watched = sessionId ? new Set((await db().sessionWatch.findMany({ where: { sessionId, userId: { in: ids } }, select: { userId: true } })).map((w) => w.userId)) : new Set<string>();
  return ids.filter((id) => {
    const p = prefs.get(id)!;
    if (!p.events.includes(event)) return false;
    if (p.scope === "team") return true;
    const mine = !!session && session.createdById === id;
    return p.scope === "mine" ? mine : mine || watched.has(id);
  });
}

/** Stores (coalesced), pushes and enqueues webhook deliveries; answers who was notified. */
export async function dispatch(n: NotificationInput): Promise<{ notified: string[]; webhooks: number }> {
  const title = cut(n.title, TITLE_MAX);
  const body = cut(n.body, BODY_MAX);
  const notified = await recipients(n.teamId, n.sessionId, n.event, n.actorId);
  for (const userId of notified) {
    const row = await db().$transaction(async (tx) => {
      // One unread per (person, session, event), even when two processes notify at once.
      await tx.$executeRaw`SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(${`notify:${userId}:${n.sessionId ?? ""}:${n.event}`}, 0))) AS locked`;
      const unread = await tx.notification.findFirst({ where: { userId, teamId: n.teamId, sessionId: n.sessionId, event: n.event, readAt: null }, orderBy: { createdAt: "desc" } });
      if (unread) return tx.notification.update({ where: { id: unread.id }, data: { createdAt: new Date(), title, body } });
      return tx.notification.create({ data: { id: crypto.randomUUID(), userId, teamId: n.teamId, sessionId: n.sessionId, event: n.event, title, body } });
    });
    publisher().notification?.(userId, n.teamId, toNotificationDto(row));
  }
  const webhooks = await enqueueWebhooks({ event: n.event, sessionId: n.sessionId, teamId: n.teamId, title, body, url: n.sessionId ? sessionUrl(n.sessionId) : null, at: new Date().toISOString() });
  return { notified, webhooks };
}

const RELEVANT_STATUSES = new Set(["awaiting_approval", "idle", "failed"]);
const relevant = (e: SessionEvent) => (e.type === "status" && RELEVANT_STATUSES.has(e.data.status)) || (e.type === "error" && e.data.message.startsWith(BUDGET_PREFIX));
/** A turn ended: the agent was working (or waiting for a person) before this idle. */
const TURN_STATUSES = new Set(["running", "awaiting_approval"]);

/**
 * Called with every batch of stored events of a session (LiveSession.published). Never throws.
 *  - status awaiting_approval → session.needs_approval (the approval's tool and reason when in the batch)
 *  - status idle after running / awaiting_approval → session.idle
 *  - status failed → session.failed (with the reason)
 *  - error "budget reached: …" → session.budget
 */
export async function notifySessionEvents(sessionId: string, events: SessionEvent[]): Promise<void> {
  try {
    if (!events.some(relevant)) return;
    const s = await db().session.findUnique({ where: { id: sessionId }, select: { teamId: true, prompt: true } });
    if (!s) return;
    const title = sessionTitle(s.prompt);
    const out = new Map<NotificationEvent, Omit<NotificationInput, "teamId" | "sessionId" | "event">>();
    let previousStatus: string | null | undefined; // undefined: not looked up yet
    for (const [i, e] of events.entries()) {
      if (e.type === "error" && e.data.message.startsWith(BUDGET_PREFIX)) {
        out.set("session.budget", { title: `Budget reached: ${title}`, body: e.data.message });
        continue;
      }
      if (e.type !== "status") continue;
      const status = e.data.status;
      if (status === "awaiting_approval") {
        const asked = events.slice(0, i + 1).findLast((x) => x.type === "approval.requested");
        const why = asked?.type === "approval.requested" ? `${asked.data.kind === "plan" ? "Plan" : asked.data.tool}: ${asked.data.reason}` : (e.data.reason ?? "The agent waits for a decision.");
        out.set("session.needs_approval", { title: `Needs approval: ${title}`, body: why });
      } else if (status === "idle") {
        const before = events.slice(0, i).findLast((x) => x.type === "status");
        let prev: string | null;
        if (before?.type === "status") prev = before.data.status;
        else {
          if (previousStatus === undefined) {
            const row = await db().event.findFirst({ where: { sessionId, type: "status", seq: { lt: e.seq } }, orderBy: { seq: "desc" }, select: { data: true } });
            previousStatus = ((row?.data as { status?: string } | null)?.status ?? null) as string | null;
          }
          prev = previousStatus;
        }
        if (prev && TURN_STATUSES.has(prev)) out.set("session.idle", { title: `Finished: ${title}`, body: e.data.reason ?? "The agent finished its turn and waits for your next message." });
      } else if (status === "failed") {
        out.set("session.failed", { title: `Failed: ${title}`, body: e.data.reason ?? "The session failed." });
      }
    }
    for (const [event, n] of out) await dispatch({ ...n, teamId: s.teamId, sessionId, event });
  } catch (err) {
    console.error("[notifications] session events", sessionId, err);
  }
}

/**
 * For the review code (lib/review/reviews.ts): "review.requested" when a review requesting
 * changes is submitted, "review.comment_addressed" when a thread is resolved. `actor` (the
 * reviewer / the resolver) is not notified; `detail` is the review's text or the thread's place.
 * Never throws.
 */
export async function notifyReview(teamId: string, sessionId: string, event: "review.requested" | "review.comment_addressed", actor: { id: string; name: string } | null, detail?: string): Promise<void> {
  try {
    const s = await db().session.findFirst({ where: { id: sessionId, teamId }, select: { prompt: true } });
    if (!s) return;
    const title = sessionTitle(s.prompt);
    const who = actor?.name ?? "Someone";
    const n =
      event === "review.requested"
        ? { title: `Changes requested: ${title}`, body: `${who} requested changes${detail ? `: ${detail}` : "."}` }
        : { title: `Comment addressed: ${title}`, body: `${who} resolved a review comment${detail ? ` (${detail})` : ""}.` };
    await dispatch({ ...n, teamId, sessionId, event, actorId: actor?.id ?? null });
  } catch (err) {
    console.error("[notifications] review", sessionId, err);
  }
}

/**
 * A person opened a session (socket.io subscribe): "watched" notifications include it from now
 * on, and what they had unread about it is read (they are looking at it). Never throws.
 */
export async function watchSession(userId: string, sessionId: string): Promise<void> {
  try {
    // An upsert reads then inserts: two subscribes of one person at once (two tabs, a reconnect)
    // both insert, and the second finding the row there is the outcome wanted, not an error.
    await db()
      .sessionWatch.upsert({ where: { userId_sessionId: { userId, sessionId } }, create: { userId, sessionId }, update: {} })
      .catch((err: unknown) => {
        if ((err as { code?: string }).code !== "P2002") throw err;
      });
    await db().notification.updateMany({ where: { userId, sessionId, readAt: null }, data: { readAt: new Date() } });
  } catch (err) {
    console.error("[notifications] watch", sessionId, err);
  }
}

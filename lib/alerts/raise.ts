// Raising an alert: one row per `key` however many processes notice the same thing at once (the
// unique index on alerts.key decides), then the session's `alert` event and a notification, only
// for the one that created it.
import crypto from "node:crypto";
import { db } from "../db/client";
import { ev } from "../events/schema";
import { dispatch } from "../notifications/notify";
import type { AlertKind } from "../protocol/alerts";
import type { NotificationEvent } from "../protocol/permissions";
import { runtime } from "../runtime/boot";

export interface RaiseAlertInput {
  teamId: string;
  sessionId: string | null;
  routineId?: string | null;
  kind: AlertKind;
  title: string;
  message: string;
  /** Identifies the episode: raising the same key again (even after it was resolved) does nothing. */
  key: string;
  /** The notification sent when created (default "session.alert"). */
  notify?: NotificationEvent;
}

const TITLE_MAX = 200;
const MESSAGE_MAX = 2000;
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Stores the alert once per key; the creator records the session's event and notifies. */
export async function raiseAlert(input: RaiseAlertInput): Promise<{ created: boolean }> {
  const title = cut(input.title, TITLE_MAX);
  const message = cut(input.message, MESSAGE_MAX);
  // ON CONFLICT DO NOTHING: a concurrent duplicate is a no-op, not an error.
  const { count } = await db().alert.createMany({
    data: [{ id: crypto.randomUUID(), teamId: input.teamId, sessionId: input.sessionId, routineId: input.routineId ?? null, kind: input.kind, title, message, key: input.key }],
    skipDuplicates: true,
  });
  if (count === 0) return { created: false };
  if (input.sessionId) await recordEvent(input.sessionId, input.kind, message);
  try {
    await dispatch({ teamId: input.teamId, sessionId: input.sessionId, event: input.notify ?? "session.alert", title, body: message });
  } catch (err) {
    console.error("[alerts] notify", input.key, err);
  }
  return { created: true };
}

// The transcript shows the alert where it happened; without a runtime (CLI, some tests) the row
// and the notification are enough.
async function recordEvent(sessionId: string, kind: AlertKind, message: string): Promise<void> {
  let orchestrator;
  try {
    orchestrator = runtime().orchestrator;
  } catch {
    return;
  }
  if (!orchestrator) return;
  try {
    await orchestrator.record(sessionId, ev("alert", { kind, message }));
  } catch (err) {
    console.error("[alerts] event", sessionId, err);
  }
}

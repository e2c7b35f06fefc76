// Bringing the host's view of sessions back in line with the engine's: after a restart, after the
// engine's connection dropped, and every 30 s. What is looked at comes from the session row and the
// engine, never from memory alone, so a restart or a lost event changes nothing.
import { env } from "../config/env";
import type { Session } from "../db/generated/client";
import { ev, type NewEvent, type SessionStatus } from "../events/schema";
import { sessionPaths } from "../git/workspace";
import { db } from "../db/client";
import { LIVE_STATUSES } from "../events/status";
import { findSandbox, inspectSandbox, listSandboxes, removeSandbox, stopSandbox, type SandboxState } from "../sandbox/container";
import { runsOn } from "../sandbox/engines";
import { mountSessionFs } from "../sandbox/session-fs";
import type { LiveSession } from "./live-session";

/** The orchestrator's internals recovery works through. */
export interface Keeper {
  closed(): boolean;
  /** The engine the session's sandbox runs on (from its row; null: the default engine). */
  engineOf(id: string): string | null;
  launching(id: string): boolean;
  tracked(id: string): LiveSession | undefined;
  liveFor(id: string): LiveSession;
  setEngine(id: string, engine: string | null): void;
  /** Whether this instance may take the session (always true for one it looks after). */
  claim(id: string): Promise<boolean>;
  loadConfig(row: Session): Promise<void>;
  /** Waits for the container's exit (once per container). */
  watch(live: LiveSession): void;
  /** Starts launch() in the background, marked as launching at once. */
  launch(id: string, fresh: boolean): void;
  finish(live: LiveSession, status: NewEvent): Promise<void>;
  settleExited(live: LiveSession, containerId: string | null, state: SandboxState | null, cleanExit: string): Promise<void>;
}

/** The orchestrator is still preparing the sandbox (launch() runs). */
export const LAUNCHING: readonly SessionStatus[] = ["queued", "starting"];

/**
 * One session in a live status: reattach to its running sandbox, finish a stop asked for before
 * the restart, launch again what a restart interrupted mid-launch (clone, fork, image: everything
 * is read from the row), or settle it when its sandbox is gone. Unreachable engine: throws.
 */
export async function recoverSession(k: Keeper, row: Session): Promise<void> {
  if (k.launching(row.id) || k.closed()) return;
  const tracked = k.tracked(row.id);
  if (tracked?.containerId) return void (await reconcileSession(k, tracked));
  const live = k.liveFor(row.id);
  k.setEngine(row.id, row.engine);
  live.stopRequested = !!row.stopRequestedAt;
  live.stopReason = row.stopReason ?? undefined;
  const containerId = row.containerId ?? (await findSandbox(row.id, row.engine));
  const state = containerId ? await inspectSandbox(containerId, row.engine) : null;
  if (containerId && state?.running) {
    await k.loadConfig(row);
    live.containerId = containerId;
    await mountSessionFs(sessionPaths(env().dataDir, row.id));
    await live.openChannel();
    k.watch(live);
    console.log(`[sessions] reattached ${row.id}`);
    // A stop asked for before the restart (or while the engine was away) is finished now.
    if (live.stopRequested) await stopContainer(k, live, containerId);
  } else if (LAUNCHING.includes(row.status as SessionStatus)) {
    if (live.stopRequested) return void (await k.finish(live, ev("status", { status: "stopped", reason: live.stopReason })));
    // The create stored the row but not its first events (the database failed then): the task is
    // the worker's command #1, so it is recorded from the row before the launch.
    if (row.lastSeq === 0) await live.append([ev("user.message", { text: row.prompt, authorId: row.createdById ?? undefined }), ev("status", { status: "queued" })]);
    k.launch(row.id, !row.baseCommit);
  } else {
    live.containerId = containerId;
    await k.settleExited(live, containerId, state, "the sandbox stopped while Dockside was not running");
  }
}

/**
 * A container looked after here: a dead one settles its session exactly as the exit path does
 * (true), a running one is watched again if its wait was lost, and a stop asked for is finished.
 * Unreachable engine: throws (503).
 */
export async function reconcileSession(k: Keeper, live: LiveSession): Promise<boolean> {
  const containerId = live.containerId;
  if (!containerId) return false;
  const state = await inspectSandbox(containerId, k.engineOf(live.id));
  if (state?.running) {
    k.watch(live);
    if (live.stopRequested) await stopContainer(k, live, containerId);
    return false;
  }
  await k.settleExited(live, containerId, state, "the worker exited");
  return true;
}

/** Interrupts the worker and stops the container, then settles the session as stopped. */
export async function stopContainer(k: Keeper, live: LiveSession, containerId: string): Promise<void> {
  live.requestInterrupt();
  await stopSandbox(containerId, 3, k.engineOf(live.id));
  const after = await inspectSandbox(containerId, k.engineOf(live.id));
  if (!after?.running) await k.settleExited(live, containerId, after, "stopped");
}

/**
 * An engine away past the grace period (several engines): its live sessions fail with the reason,
 * their containers out of reach. A follow-up starts the session on an engine that answers, from
 * its filesystem image and host.git on this host (launch() places it again).
 */
export async function failSessionsOn(k: Keeper, engine: string, error: string, only?: string[]): Promise<void> {
  if (k.closed()) return;
  if (failing.has(engine)) return;
  failing.add(engine);
  try {
    const where = { status: { in: [...LIVE_STATUSES] }, ...(only ? { id: { in: only } } : {}) };
    const rows = await db().session.findMany({ where, select: { id: true, engine: true, stopRequestedAt: true, stopReason: true } });
    for (const row of rows.filter((r) => runsOn(r.engine, engine))) {
      if (k.launching(row.id) || !(await k.claim(row.id))) continue;
      const live = k.liveFor(row.id);
      live.containerId = null;
      const reason = `the Docker engine ${engine} is unreachable: ${error}; send a follow-up to resume the session on another engine from its workspace`;
      console.log(`[sessions] ${row.id}: ${reason}`);
      // A stop asked for while the engine was away is what the person wanted: stopped, not failed.
      await k.finish(live, row.stopRequestedAt ? ev("status", { status: "stopped", reason: row.stopReason ?? undefined }) : ev("status", { status: "failed", reason }));
    }
  } finally {
    failing.delete(engine);
  }
}
/** Engines whose sessions are being failed now (the grace timer ticks again meanwhile). */
const failing = new Set<string>();

/**
 * Containers left on an engine that came back for sessions that moved elsewhere meanwhile (or
 * ended there): removed, so two workers never share one session's files.
 */
export async function removeStrays(engine: string, only?: string[]): Promise<void> {
  const list = await listSandboxes(engine);
  const ids = list.map((c) => c.sessionId).filter((id) => !only || only.includes(id));
  if (!ids.length) return;
  const rows = await db().session.findMany({ where: { id: { in: ids } }, select: { id: true, engine: true } });
  for (const c of list) {
    const row = rows.find((r) => r.id === c.sessionId);
    if (!row || runsOn(row.engine, engine)) continue;
    console.log(`[sessions] removing ${c.sessionId}'s old container on ${engine} (the session moved to ${row.engine})`);
    await removeSandbox(c.containerId, engine);
  }
}

// Bringing the host's view of sessions back in line with the engine's: after a restart, after the
// engine's connection dropped, and every 30 s. What is looked at comes from the session row and the
// engine, never from memory alone, so a restart or a lost event changes nothing.
import { env } from "../config/env";
import type { Session } from "../db/generated/client";
import { ev, type NewEvent, type SessionStatus } from "../events/schema";
import { sessionPaths } from "../git/workspace";
import { findSandbox, inspectSandbox, stopSandbox, type SandboxState } from "../sandbox/container";
import { mountSessionFs } from "../sandbox/session-fs";
import type { LiveSession } from "./live-session";

/** The orchestrator's internals recovery works through. */
export interface Keeper {
  closed(): boolean;
  launching(id: string): boolean;
  tracked(id: string): LiveSession | undefined;
  liveFor(id: string): LiveSession;
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
  live.stopRequested = !!row.stopRequestedAt;
  live.stopReason = row.stopReason ?? undefined;
  const containerId = row.containerId ?? (await findSandbox(row.id));
  const state = containerId ? await inspectSandbox(containerId) : null;
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
    if (live.stopRequested) await k.finish(live, ev("status", { status: "stopped", reason: live.stopReason }));
    else k.launch(row.id, !row.baseCommit);
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
  const state = await inspectSandbox(containerId);
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
  await stopSandbox(containerId, 3);
  const after = await inspectSandbox(containerId);
  if (!after?.running) await k.settleExited(live, containerId, after, "stopped");
}

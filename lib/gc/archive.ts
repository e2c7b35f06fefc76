// Workspaces of sessions ended DOCKSIDE_GC_ARCHIVE_DAYS ago are archived: the session's
// filesystem image (fs.img: the workspace and whatever setup left in it) is deleted, while
// host.git keeps the session branch at its last checkpoint and run.img keeps the worker's saved
// conversation. A follow-up restores the workspace from host.git (restore-workspace.ts).
// What the agent changed after its last checkpoint is not in host.git and is lost: a turn always
// ends with a checkpoint, so that is only work of a turn that was stopped or failed midway.
import fs from "node:fs";
import { env } from "../config/env";
import { db } from "../db/client";
import { TERMINAL_STATUSES } from "../events/status";
import { sessionPaths } from "../git/workspace";
import { mountAt } from "../sandbox/mounts";
import { releaseSessionFs } from "../sandbox/session-fs";
import { removeStopped } from "./sandboxes";

const DAY = 86_400_000;

/** Archives the workspaces of sessions stopped or failed before `now` minus the retention. Idempotent; safe on several instances. */
export async function archiveWorkspaces(now: Date, days = env().DOCKSIDE_GC_ARCHIVE_DAYS): Promise<string[]> {
  if (!days) return [];
  const cutoff = new Date(now.getTime() - days * DAY);
  const rows = await db().session.findMany({
    where: { status: { in: [...TERMINAL_STATUSES] }, workspaceArchivedAt: null, baseCommit: { not: null }, endedAt: { lt: cutoff } },
    select: { id: true },
    orderBy: { endedAt: "asc" },
    take: 200,
  });
  const archived: string[] = [];
  for (const r of rows) if (await archiveWorkspace(r.id, now, cutoff)) archived.push(r.id);
  return archived;
}

/** Archives one session's workspace if it still qualifies; false when another instance or a follow-up got there first. */
export async function archiveWorkspace(id: string, now: Date, cutoff = now): Promise<boolean> {
  const paths = sessionPaths(env().dataDir, id);
  // Only a session whose branch is in host.git: without it there would be nothing to restore.
  if (!fs.existsSync(paths.hostRepo)) return false;
  // The claim: one instance wins, and a session a follow-up woke (status no longer terminal) is left alone.
  const claim = await db().session.updateMany({
    where: { id, status: { in: [...TERMINAL_STATUSES] }, workspaceArchivedAt: null, endedAt: { lt: cutoff } },
    data: { workspaceArchivedAt: now },
  });
  if (!claim.count) return false;
  try {
    const row = await db().session.findUniqueOrThrow({ where: { id }, select: { containerId: true, engine: true } });
    // The container binds paths inside the image: it goes with it (the launch makes a new one).
    if (row.containerId) {
      if (!(await removeStopped(row.containerId, row.engine))) throw new Error("its container is running or its engine is away");
      await db().session.updateMany({ where: { id, containerId: row.containerId }, data: { containerId: null, sandboxRemovedAt: now } });
    }
    await releaseSessionFs(paths);
    if (mountAt(paths.mnt)) throw new Error("its filesystem is still mounted");
    // Renamed first (atomic): a launch racing this sees no image and makes a fresh one to restore into.
    const doomed = `${paths.fsImage}.archived`;
    if (fs.existsSync(paths.fsImage)) fs.renameSync(paths.fsImage, doomed);
    fs.rmSync(doomed, { force: true });
    // A session made without loop mounts keeps its workspace in a plain directory.
    if (!mountAt(paths.mnt)) fs.rmSync(paths.workspace, { recursive: true, force: true });
    return true;
  } catch (err) {
    await db().session.updateMany({ where: { id, workspaceArchivedAt: now }, data: { workspaceArchivedAt: null } });
    console.error(`[gc] archive ${id}: ${(err as Error).message}`);
    return false;
  }
}

// Starting a session's sandbox (Orchestrator.launch): the workspace, the worker's config and
// channel, then the container, or the warm-pool sandbox the session claimed. Each step is timed
// (lib/sandbox/start-steps.ts). Ends with the container watched, or the session stopped or failed.
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";
import { db } from "../db/client";
import { AppError, isAppError } from "../errors";
import { ev } from "../events/schema";
import { sessionPaths } from "../git/workspace";
import { borrowedMirrorObjects } from "../git/mirror";
import { ioReason } from "../runtime/io-reason";
import { createSandbox, inspectSandbox, removeSandbox, startSandbox } from "../sandbox/container";
import { engineUnavailable, isEngineUnreachable } from "../sandbox/docker";
import { ensureImage } from "../sandbox/image";
import { placeSession } from "../sandbox/engines";
import { prepareSessionFs } from "../sandbox/session-fs";
import { StartSteps } from "../sandbox/start-steps";
import { restoreWorkspace } from "../gc/restore-workspace";
import type { LiveSession } from "./live-session";
import type { WorkerConfigs } from "./worker-config";
import { prepareWorkspace } from "./prepare-workspace";

/** What a launch needs of the orchestrator. */
export interface Launcher {
  /** Where the worker bundle is (sandbox/dist). */
  workerDir(): string;
  configs: WorkerConfigs;
  liveFor(id: string): LiveSession;
  engineOf(id: string): string | null;
  setEngine(id: string, engine: string | null): void;
  /** What createSession started for this launch (taken once): the session's filesystem, the mirror's refresh. */
  takeEarly(id: string): { fs?: Promise<void>; mirror?: Promise<string>; asked?: number };
  /** Waits for the container's exit (the session settles then). */
  watch(live: LiveSession): void;
  /** Ends the session with this status event. */
  finish(live: LiveSession, status: ReturnType<typeof ev>): Promise<void>;
}

/** Mounts the session's filesystem (made on its first start, with its disk quota) and refreshes the worker copy in it. */
export function sessionFs(id: string, uid: number): Promise<void> {
  return prepareSessionFs(sessionPaths(env().dataDir, id), { uid, gid: uid, quotaBytes: env().DOCKSIDE_SESSION_DISK_GB * 1024 ** 3 });
}

/** `fresh`: a new session (its workspace is made); otherwise a follow-up or a relaunch after a restart. */
export async function launchSandbox(l: Launcher, id: string, fresh: boolean): Promise<void> {
  const live = l.liveFor(id);
  live.stopRequested = false;
  live.stopReason = undefined;
  live.resetInterrupt();
  const early = l.takeEarly(id);
  // Timed from the request that created the session, when there was one.
  const steps = StartSteps.begin(id, early.asked);
  // A claimed pool sandbox runs before the session is attached to it: a launch that ends early removes it.
  let pooled: { containerId: string; engine: string | null } | null = null;
  // Stored while the launch goes on (a transaction and a publish); awaited before anything else of
  // the session is appended (the worker's events, a stop, a failure), so the log keeps its order.
  let announced: Promise<unknown> = Promise.resolve();
  try {
    let row = await db().session.findUniqueOrThrow({ where: { id } });
    announced = live.append([ev("status", { status: "starting" })]);
    announced.catch(() => {}); // awaited below
    steps.mark("starting");
    if (!fs.existsSync(path.join(l.workerDir(), "worker.mjs"))) throw new AppError("internal", `the worker bundle is missing (${l.workerDir()}/worker.mjs): run npm run build`);
    // Recorded before the container exists; a session whose engine is gone moves (its container there is lost).
    const engine = await placeSession(id, row.engine, fresh);
    if (engine !== row.engine) {
      if (row.engine) console.log(`[sessions] ${id} moves from ${row.engine} (unreachable) to ${engine}`);
      row = await db().session.update({ where: { id }, data: { engine, containerId: null } });
    }
    l.setEngine(id, engine);
    steps.mark("place");
    const image = await ensureImage((l) => console.log(l), engine).catch((err) => {
      // An unreachable engine says so (503 with its address); only a failed build is "missing".
      if (isAppError(err)) throw err;
      throw new AppError("unavailable", `the sandbox image is missing and could not be built: ${(err as Error).message}`);
    });
    steps.mark("image");
    const paths = sessionPaths(env().dataDir, id);
    const uid = row.sandboxUid;
    const fsT0 = performance.now();
    const fs_ = (early.fs ?? sessionFs(id, uid)).then(() => (steps.steps["(fs, alongside)"] = Math.round(performance.now() - fsT0)));
    // The session's filesystem is made while host.git and the workspace are (different directories).
    // A warm-pool sandbox runs already (its worker waits for the channel); once it has exited it
    // is replaced by an ordinary one (it serves one run: it has no mirror bind).
    const prior = row.containerId ? await inspectSandbox(row.containerId, engine) : null;
    if (prior?.pooled && !prior.running) await removeSandbox(row.containerId!, engine);
    if (prior?.pooled && prior.running) pooled = { containerId: row.containerId!, engine };
    // The worker's config is read while the workspace is made (only the base commit comes after).
    const configured = l.configs.load(row);
    configured.catch(() => {}); // awaited below; a failed workspace must not leave it unhandled
    // So is what the channel needs (rows, the egress proxy): awaited by openChannel below.
    live.prepareChannel(fs_).catch(() => {});
    if (fresh) row = await prepareWorkspace(row, paths, fs_, { inPlace: !!prior?.pooled, refreshed: early.mirror, mark: (step) => steps.mark(step) });
    else {
      await fs_;
      // A workspace archived by garbage collection comes back from host.git's branch first.
      await restoreWorkspace(id);
    }
    steps.mark("workspace");
    await configured;
    l.configs.based(id, row.baseCommit);
    steps.mark("config");
    await announced;
    steps.mark("announced");
    if (live.stopRequested) {
      if (pooled) await removeSandbox(pooled.containerId, pooled.engine);
      return void (await l.finish(live, ev("status", { status: "stopped", reason: live.stopReason })));
    }
    await live.openChannel();
    steps.mark("channel");
    const existing = prior && !(prior.pooled && !prior.running) ? row.containerId : null;
    // prepareSessionFs above mounted the session's filesystem and refreshed the worker copy.
    // A container already running (a start interrupted by a restart) is fine.
    if (existing) await startSandbox(existing, engine);
    // From host.git's alternates, not the registration: a removed registration leaves its sessions borrowing.
    const mirrorObjects = await borrowedMirrorObjects(paths.hostRepo);
    steps.mark("inspect");
    live.containerId = existing ?? (await createSandbox({ sessionId: id, teamId: row.teamId, image, paths, uid, gid: uid, mirrorObjects, engine }));
    steps.mark("container");
    await db().session.update({ where: { id }, data: { containerId: live.containerId } });
    l.watch(live);
    steps.mark("record");
    steps.write(id, { fresh });
  } catch (err) {
    const reason = isAppError(err) ? err.message : isEngineUnreachable(err) ? engineUnavailable(err, undefined, l.engineOf(id)).message : `could not start the sandbox: ${ioReason(err, sessionPaths(env().dataDir, id).root)}`;
    if (!isAppError(err)) console.error(`[sessions] launch ${id}`, err);
    if (pooled && !live.containerId) await removeSandbox(pooled.containerId, pooled.engine);
    await announced.catch(() => {});
    // finish() unmounts the session's filesystem: never while its early mount is still under way.
    await early.fs?.catch(() => {});
    await l.finish(live, ev("status", { status: "failed", reason }));
  }
}

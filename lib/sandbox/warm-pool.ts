// Sandboxes started ahead of sessions, so a new session does not wait for a container to boot.
//
// Docker fixes a container's mounts, uid-owned tmpfs and labels when it is created, so a pooled
// sandbox is made for a session identity reserved in advance: a fresh random session id and a
// fresh uid from sandbox_uid_seq, its own session filesystem (sessions/<id>, loop-mounted) and a
// container defined exactly as an ordinary one (same mounts, caps, seccomp, network, limits). Only
// its command differs: node starts and waits for the channel socket. A claim hands that identity
// to the session being inserted; the repository, workspace, secrets and egress policy arrive after
// the claim (the workspace is cloned into the mounted directory, the rest over the channel), so
// nothing in a slot was ever another session's, and no identity is shared or reused: a slot is
// claimed once, and one returned unclaimed (a refused insert) was never touched by a session.
// Slots live in this process's memory (a claim is a synchronous pop: atomic); containers carry
// `host:pid` of their maker, so a restart removes its predecessor's unclaimed slots and two
// instances never take each other's.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { env } from "../config/env";
import { db } from "../db/client";
import { sessionPaths } from "../git/workspace";
import { newSessionId } from "../sessions/create-session";
import { INSTANCE_LABEL, POOL_LABEL, SESSION_LABEL, inspectSandbox, removeSandbox, sandboxOptions } from "./container";
import { docker } from "./docker";
import { engineList, multiEngine } from "./engines";
import { imageExists, imageTag } from "./image";
import { prepareSessionFs, removeSessionFs } from "./session-fs";

/** A started sandbox waiting for a session: the identity the session takes over. */
export interface WarmSlot {
  sessionId: string;
  sandboxUid: number;
  containerId: string;
  engine: string | null;
  /** What its worker booted from: a slot made from an older image or bundle is replaced, never handed out. */
  version: string;
}

export interface WarmPoolState {
  size: number;
  engines: { engine: string | null; ready: number }[];
  claimed: number;
  lastError?: string;
}

const OWNER = `${os.hostname()}:${process.pid}`;
const RETRY_MS = 30_000;
// A refill (mkfs, mounts, a container start: ~0.4 s of CPU) waits until the start that claimed a
// sandbox is past its first model request: on 2 cores, refilling at once slowed that start by a third.
const REFILL_DELAY_MS = 3000;

export class WarmPool {
  private readonly slots = new Map<string | null, WarmSlot[]>();
  private filling: Promise<void> | null = null;
  private closed = false;
  private claimedCount = 0;
  private lastError: string | undefined;
  private retry: NodeJS.Timeout | undefined;
  private started = false;

  /** `version`: what a slot must have been made from to be handed out (tests change it). */
  constructor(
    readonly size: number,
    private readonly version: () => string = currentVersion,
  ) {}

  /** Removes what a dead predecessor left, then fills the pool (in the background). */
  start(): void {
    if (!this.size || this.closed || this.started) return;
    this.started = true;
    current = this;
    void removeOrphans()
      .catch((err) => console.error("[warm-pool] removing old slots", (err as Error).message))
      .then(() => this.refill());
  }

  /** Takes a ready sandbox (null: none ready, start the ordinary way); the pool refills behind it. */
  async claim(): Promise<WarmSlot | null> {
    this.dropStale();
    for (const engine of this.engines()) {
      const list = this.slots.get(engine) ?? [];
      for (let slot = list.shift(); slot; slot = list.shift()) {
        // A slot whose container died while waiting is dropped, never handed out.
        const state = await inspectSandbox(slot.containerId, slot.engine).catch(() => null);
        if (state?.running) {
          this.claimedCount++;
          this.refillLater();
          return slot;
        }
        void destroy(slot);
      }
    }
    this.refill();
    return null;
  }

  /** A claimed slot the session never took (its insert was refused): nothing of a session is in it. */
  giveBack(slot: WarmSlot): void {
    if (this.closed) return void destroy(slot);
    this.claimedCount--;
    (this.slots.get(slot.engine) ?? this.slots.set(slot.engine, []).get(slot.engine)!).unshift(slot);
  }

  state(): WarmPoolState {
    const engines = this.engines().map((engine) => ({ engine, ready: this.slots.get(engine)?.length ?? 0 }));
    return { size: this.size, engines, claimed: this.claimedCount, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  /** Resolves once the pool is full (tests, benchmarks). */
  async filled(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.engines().some((e) => (this.slots.get(e)?.length ?? 0) < this.size)) {
      if (Date.now() > deadline) throw new Error(`the warm pool did not fill: ${this.lastError ?? "still filling"}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Removes every unclaimed sandbox of the pool (on shutdown). */
  async shutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    clearTimeout(this.delayed);
    await this.filling?.catch(() => {});
    const all = [...this.slots.values()].flat();
    this.slots.clear();
    await Promise.all(all.map(destroy));
  }

  private engines(): (string | null)[] {
    return multiEngine() ? engineList() : [null];
  }

  private refillLater(): void {
    if (this.delayed) return;
    this.delayed = setTimeout(() => {
      this.delayed = undefined;
      this.refill();
    }, REFILL_DELAY_MS);
    this.delayed.unref();
  }
  private delayed: NodeJS.Timeout | undefined;

  /** Slots whose worker booted from an older image or bundle: removed (the refill makes current ones). */
  private dropStale(): void {
    const version = this.version();
    for (const [engine, list] of this.slots) {
      const stale = list.filter((s) => s.version !== version);
      if (!stale.length) continue;
      this.slots.set(engine, list.filter((s) => s.version === version));
      for (const slot of stale) void destroy(slot);
    }
  }

  private refill(): void {
    if (!this.started || this.closed || this.filling) return;
    this.filling = this.fill().finally(() => (this.filling = null));
  }

  // One sandbox at a time: a refill never competes with the starts it is there to speed up.
  private async fill(): Promise<void> {
    this.dropStale();
    for (const engine of this.engines()) {
      while (!this.closed && (this.slots.get(engine)?.length ?? 0) < this.size) {
        try {
          const slot = await makeSlot(engine, this.version());
          if (this.closed) return void (await destroy(slot));
          (this.slots.get(engine) ?? this.slots.set(engine, []).get(engine)!).push(slot);
          this.lastError = undefined;
        } catch (err) {
          this.lastError = (err as Error).message;
          console.error(`[warm-pool] could not make a sandbox${engine ? ` on ${engine}` : ""}: ${this.lastError}`);
          clearTimeout(this.retry);
          this.retry = setTimeout(() => this.refill(), RETRY_MS);
          this.retry.unref();
          break;
        }
      }
    }
  }
}

// The pool this process runs (health reads it, like the realtime adapter's status).
let current: WarmPool | undefined;

/** The running pool's state for health and Settings; undefined before the orchestrator started one. */
export function warmPoolStatus(): WarmPoolState | undefined {
  return current?.state();
}

/** The image tag and the worker bundle's build (its size and time) a slot boots from. */
function currentVersion(): string {
  const bundle = fs.statSync(path.resolve("sandbox/dist/worker.mjs"));
  return `${imageTag()} ${bundle.size}:${bundle.mtimeMs}`;
}

async function makeSlot(engine: string | null, version: string): Promise<WarmSlot> {
  const image = imageTag();
  // The pool never builds the image: the first session does (and says so in its status).
  if (!(await imageExists(image, engine))) throw new Error(`the sandbox image ${image} is not built yet`);
  const sessionId = newSessionId();
  const [{ uid }] = await db().$queryRaw<{ uid: number }[]>`SELECT nextval('sandbox_uid_seq')::int AS uid`;
  const paths = sessionPaths(env().dataDir, sessionId);
  const slot: WarmSlot = { sessionId, sandboxUid: uid, containerId: "", engine, version };
  try {
    await prepareSessionFs(paths, { uid, gid: uid });
    // No repository yet, so no mirror bind: a pooled session's workspace is a full clone.
    const container = await docker(engine).createContainer(sandboxOptions({ sessionId, teamId: "", image, paths, uid, gid: uid, mirrorObjects: null, engine, pooledBy: OWNER }));
    slot.containerId = container.id;
    await container.start();
    return slot;
  } catch (err) {
    await destroy(slot);
    throw err;
  }
}

async function destroy(slot: WarmSlot): Promise<void> {
  if (slot.containerId) await removeSandbox(slot.containerId, slot.engine);
  await removeSessionFs(sessionPaths(env().dataDir, slot.sessionId)).catch((err) => console.error(`[warm-pool] removing ${slot.sessionId}`, (err as Error).message));
}

/** Unclaimed slots of this data directory whose maker is gone (a crash, or a restart). */
async function removeOrphans(): Promise<void> {
  const host = os.hostname();
  for (const engine of multiEngine() ? engineList() : [null]) {
    const list: Docker.ContainerInfo[] = await docker(engine).listContainers({ all: true, filters: { label: [POOL_LABEL, `${INSTANCE_LABEL}=${env().dataDir}`] } });
    for (const c of list) {
      const [madeOn, pid] = c.Labels[POOL_LABEL].split(":");
      if (madeOn !== host || alive(Number(pid))) continue;
      const sessionId = c.Labels[SESSION_LABEL];
      // Claimed: the session's own sandbox now (the orchestrator replaces it after its run).
      if (await db().session.findUnique({ where: { id: sessionId }, select: { id: true } })) continue;
      await destroy({ sessionId, sandboxUid: 0, containerId: c.Id, engine, version: "" });
    }
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

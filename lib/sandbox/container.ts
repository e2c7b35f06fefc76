// One container per session: no capabilities beyond switching to the session's uid, no new
// privileges, resource limits, no network (egress only through the host's proxy), no Docker socket. Every bind comes from the
// session's own filesystem (session-fs.ts), so the sandbox never learns a host path.
// The worker runs as root inside (to own /run/dockside and start the agent's processes as the
// session's uid); without CAP_DAC_OVERRIDE/CHOWN/FOWNER that root cannot touch the agent's files.
import fs from "node:fs";
import path from "node:path";
import type Docker from "dockerode";
import { env } from "../config/env";
import type { SessionPaths } from "../git/workspace";
import { MIRROR_OBJECTS_IN_SANDBOX } from "../protocol/worker";
import { configuredEngines, docker, rethrowEngine } from "./docker";
import { releaseMountsUnder } from "./mounts";
import { CA_BUNDLE_FILE } from "./session-layout";

export const SESSION_LABEL = "dockside.session";
export const TEAM_LABEL = "dockside.team";
/** The data directory of the Dockside that owns the container (several may share an engine). */
export const INSTANCE_LABEL = "dockside.instance";
/** On a warm-pool sandbox (warm-pool.ts): `host:pid` of the process that made it. */
export const POOL_LABEL = "dockside.pool";

export interface SandboxSpec {
  sessionId: string;
  teamId: string;
  image: string;
  /** The session's files; paths.mnt must be mounted (mountSessionFs) before the container starts. */
  paths: SessionPaths;
  /** The session's uid/gid: owner of /workspace and /home/agent. */
  uid: number;
  gid: number;
  /** The repository mirror's objects directory (host-owned): the workspace borrows from it, read-only. */
  mirrorObjects?: string | null;
  /** The engine to run on (the session's `engine`; null: the default). */
  engine?: string | null;
  /** A warm-pool sandbox: its worker starts once the session's channel socket exists (`host:pid` of the pool's process). */
  pooledBy?: string;
}

// A pooled sandbox's worker is booted (bundle imported) before its session exists and waits for the
// channel socket, laid down only once a session claimed it and its workspace is in place.
const POOLED_FLAG = "--pooled";

/**
 * The container's mounts: all from inside the session's filesystem, except the repository
 * mirror's objects (read-only, shared by the repository's sessions: a clone costs megabytes).
 */
export function sandboxBinds(paths: SessionPaths, mirrorObjects?: string | null): string[] {
  return [
    ...(mirrorObjects ? [`${mirrorObjects}:${MIRROR_OBJECTS_IN_SANDBOX}:ro`] : []),
    `${paths.workspace}:/workspace:rw`,
    `${paths.run}:/run/dockside:rw`,
    `${paths.worker}:/opt/dockside:ro`,
    `${path.join(paths.etc, "passwd")}:/etc/passwd:ro`,
    `${path.join(paths.etc, "group")}:/etc/group:ro`,
    ...(fs.existsSync(path.join(paths.etc, CA_BUNDLE_FILE)) ? [`${path.join(paths.etc, CA_BUNDLE_FILE)}:/etc/ssl/certs/ca-certificates.crt:ro`] : []),
  ];
}

export function containerName(sessionId: string): string {
  return `dockside-${sessionId}`;
}

/** Creates and starts the session's container; resolves to its id. */
export async function createSandbox(spec: SandboxSpec): Promise<string> {
  const options = sandboxOptions(spec);
  // A container left by an earlier attempt holds the name: removed, then made again (looking it
  // up first would cost every start an engine round trip for a case that is rare).
  const container = await docker(spec.engine)
    .createContainer(options)
    .catch(async (err: { statusCode?: number }) => {
      if (err.statusCode !== 409) throw err;
      const existing = await findSandbox(spec.sessionId, spec.engine);
      if (existing) await docker(spec.engine).getContainer(existing).remove({ force: true }).catch(() => {});
      return docker(spec.engine).createContainer(options);
    });
  await container.start();
  return container.id;
}

/** The full container definition (tests start it with another command). */
export function sandboxOptions(spec: SandboxSpec): Docker.ContainerCreateOptions {
  const e = env();
  return {
    name: containerName(spec.sessionId),
    Image: spec.image,
    User: "0:0",
    WorkingDir: "/workspace",
    Cmd: ["node", "/opt/dockside/worker.mjs", ...(spec.pooledBy ? [POOLED_FLAG] : [])],
    Env: ["HOME=/home/agent", "LANG=C.UTF-8", `DOCKSIDE_SESSION_ID=${spec.sessionId}`],
    Labels: { [SESSION_LABEL]: spec.sessionId, [TEAM_LABEL]: spec.teamId, [INSTANCE_LABEL]: e.dataDir, ...(spec.pooledBy ? { [POOL_LABEL]: spec.pooledBy } : {}) },
    // No network interface but loopback: traffic leaves only through the egress proxy's socket.
    NetworkDisabled: true,
    HostConfig: {
      Init: true,
      Binds: sandboxBinds(spec.paths, spec.mirrorObjects),
      NetworkMode: "none",
      CapDrop: ["ALL"],
      CapAdd: ["SETUID", "SETGID", "KILL"],
      SecurityOpt: ["no-new-privileges:true"],
      Memory: e.DOCKSIDE_SANDBOX_MEMORY_MB * 1024 * 1024,
      MemorySwap: e.DOCKSIDE_SANDBOX_MEMORY_MB * 1024 * 1024,
      NanoCpus: Math.round(e.DOCKSIDE_SANDBOX_CPUS * 1e9),
      PidsLimit: e.DOCKSIDE_SANDBOX_PIDS,
      ReadonlyRootfs: true,
      // exec: Docker makes tmpfs noexec by default, which breaks venvs in /tmp, pip's build
      // isolation and tools installed under ~; the agent can exec in /workspace anyway.
      Tmpfs: { "/tmp": "rw,exec,nosuid,nodev,size=512m,mode=1777", "/home/agent": `rw,exec,nosuid,nodev,size=256m,mode=0755,uid=${spec.uid},gid=${spec.gid}` },
      LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "1" } },
    },
  };
}

/** Starts a stopped container; one already running is fine (the engine answers 304). */
export async function startSandbox(containerId: string, engine?: string | null): Promise<void> {
  try {
    await docker(engine).getContainer(containerId).start();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 304) return;
    rethrowEngine(err, "starting the sandbox", engine);
  }
}

/** SIGTERM, then SIGKILL after `graceS` seconds. Missing or stopped containers are fine. */
export async function stopSandbox(containerId: string, graceS = 5, engine?: string | null): Promise<void> {
  try {
    await docker(engine).getContainer(containerId).stop({ t: graceS });
  } catch (err) {
    const code = (err as { statusCode?: number }).statusCode;
    if (code !== 304 && code !== 404) throw err;
  }
}

export interface SandboxState {
  running: boolean;
  exitCode: number;
  oomKilled: boolean;
  error: string;
  /** Made for the warm pool: serves one run of one session, then is replaced by an ordinary sandbox. */
  pooled: boolean;
}

/** The container's state; null when the engine has no such container. An unreachable engine throws (503), never "gone". */
export async function inspectSandbox(containerId: string, engine?: string | null): Promise<SandboxState | null> {
  try {
    const info = await docker(engine).getContainer(containerId).inspect();
    return { running: info.State.Running, exitCode: info.State.ExitCode, oomKilled: info.State.OOMKilled, error: info.State.Error, pooled: !!info.Config.Labels?.[POOL_LABEL] };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    rethrowEngine(err, "inspecting the sandbox", engine);
  }
}

/**
 * Resolves when the container exits (null: no such container). Throws when the connection to the
 * engine dropped meanwhile: the container may still run, and nobody may take that for an exit.
 */
export async function waitSandbox(containerId: string, engine?: string | null): Promise<SandboxState | null> {
  try {
    await docker(engine).getContainer(containerId).wait();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    rethrowEngine(err, "waiting for the sandbox", engine);
  }
  return inspectSandbox(containerId, engine);
}

export async function findSandbox(sessionId: string, engine?: string | null): Promise<string | null> {
  const list = await docker(engine).listContainers({ all: true, filters: { label: [`${SESSION_LABEL}=${sessionId}`] } });
  return list[0]?.Id ?? null;
}

export async function listSandboxes(engine?: string | null): Promise<{ containerId: string; sessionId: string; running: boolean }[]> {
  const list: Docker.ContainerInfo[] = await docker(engine).listContainers({ all: true, filters: { label: [SESSION_LABEL] } });
  return list.map((c) => ({ containerId: c.Id, sessionId: c.Labels[SESSION_LABEL], running: c.State === "running" }));
}

/** The last lines the worker printed: part of a failure reason when it dies unexpectedly. */
export async function sandboxLogs(containerId: string, tail = 20, engine?: string | null): Promise<string> {
  try {
    const buf = (await docker(engine).getContainer(containerId).logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
    return demux(buf);
  } catch {
    return "";
  }
}

// Docker multiplexes stdout/stderr with 8-byte frame headers when there is no TTY.
function demux(buf: Buffer): string {
  const out: string[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + len).toString("utf8"));
    i += 8 + len;
  }
  return out.join("").trim();
}

/**
 * Removes every sandbox of the Dockside whose data directory starts with `dataDirPrefix` (tests,
 * benchmarks), then releases the session filesystems mounted below it so no loop device is left.
 */
export async function removeInstanceSandboxes(dataDirPrefix: string): Promise<number> {
  let removed = 0;
  // Every configured engine that answers (one gone away keeps its containers until it is back).
  for (const engine of configuredEngines().length ? configuredEngines() : [null]) {
    const list: Docker.ContainerInfo[] | null = await docker(engine).listContainers({ all: true, filters: { label: [INSTANCE_LABEL] } }).catch(() => null);
    const mine = (list ?? []).filter((c) => c.Labels[INSTANCE_LABEL]?.startsWith(dataDirPrefix));
    await Promise.all(mine.map((c) => docker(engine).getContainer(c.Id).remove({ force: true }).catch(() => {})));
    removed += mine.length;
  }
  await releaseMountsUnder(path.resolve(dataDirPrefix));
  return removed;
}

/** How many of this Dockside's sandboxes run on an engine (its load, for placement and health). */
export async function countRunningSandboxes(engine?: string | null): Promise<number> {
  const list = await docker(engine).listContainers({ filters: { label: [`${INSTANCE_LABEL}=${env().dataDir}`], status: ["running"] } });
  return list.length;
}

export async function removeSandbox(containerId: string, engine?: string | null): Promise<void> {
  await docker(engine).getContainer(containerId).remove({ force: true }).catch(() => {});
}

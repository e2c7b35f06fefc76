// A session's filesystem on real loop mounts, seen from a real container of the sandbox image.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "../config/env";
import { isAppError } from "../errors";
import { sessionPaths, type SessionPaths } from "../git/workspace";
import { removeSandbox, sandboxOptions } from "./container";
import { docker } from "./docker";
import { sessionFsMode } from "./fs-mode";
import { ensureImage } from "./image";
import { listMounts, mountAt } from "./mounts";
import { isDirectorySession, mountSessionFs, prepareSessionFs, releaseSessionFs, removeSessionFs } from "./session-fs";

const MB = 1024 * 1024;
const QUOTA = 64 * MB;
let image = "";
const containers: string[] = [];

beforeAll(async () => {
  image = await ensureImage();
});
afterAll(async () => {
  for (const c of containers) await removeSandbox(c);
});

function newSession(): { id: string; paths: SessionPaths; uid: number } {
  const id = crypto.randomUUID();
  return { id, paths: sessionPaths(env().dataDir, id), uid: 300_000 + crypto.randomInt(100_000) };
}

/** The session's real container definition, kept alive by `sleep` instead of the worker. */
async function startContainer(id: string, paths: SessionPaths, uid: number): Promise<string> {
  const opts = sandboxOptions({ sessionId: id, teamId: "t", image, paths, uid, gid: uid });
  const c = await docker().createContainer({ ...opts, Cmd: ["sleep", "infinity"] });
  containers.push(c.id);
  await c.start();
  return c.id;
}

function exec(container: string, user: string, script: string): { code: number; out: string } {
  const r = spawnSync("docker", ["exec", "--user", user, container, "bash", "-c", script], { encoding: "utf8" });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const loopDevicesOf = (image: string) =>
  spawnSync("losetup", ["-l", "-n", "-O", "NAME,BACK-FILE"], { encoding: "utf8" }).stdout.split("\n").filter((l) => l.includes(image));

describe("a session's filesystem", () => {
  it("is detected as loop-mounted on this host", async () => {
    expect((await sessionFsMode()).mode).toBe("loop");
  });

  it("stops the agent at its quota with ENOSPC while the host's disk keeps its space", async () => {
    const { id, paths, uid } = newSession();
    await prepareSessionFs(paths, { uid, gid: uid, quotaBytes: QUOTA });
    const c = await startContainer(id, paths, uid);
    const freeBefore = await freeBytes();

    const dd = exec(c, String(uid), "dd if=/dev/zero of=/workspace/big bs=1M count=1024");
    expect(dd.code).not.toBe(0);
    expect(dd.out).toContain("No space left on device");
    // The worker (uid 0) still has room for its state when the agent has filled the disk.
    expect(exec(c, "0", "head -c 1048576 /dev/zero > /run/dockside/state/saved && echo saved").out).toBe("saved\n");
    // The agent sees the full disk and can recover from it.
    expect(exec(c, String(uid), "rm /workspace/big && echo ok > /workspace/after && cat /workspace/after").out).toContain("ok");

    const allocated = fs.statSync(paths.fsImage).blocks * 512;
    expect(allocated).toBeLessThanOrEqual(QUOTA);
    // Other work shares this disk, so only a drop far beyond the quota would be ours.
    expect(freeBefore - (await freeBytes())).toBeLessThan(512 * MB);
  });

  it("shows the sandbox no host path, gives the workspace to the session's uid and run/ to root alone", async () => {
    const { id, paths, uid } = newSession();
    await prepareSessionFs(paths, { uid, gid: uid, quotaBytes: QUOTA });
    const c = await startContainer(id, paths, uid);

    const mountinfo = exec(c, String(uid), "cat /proc/self/mountinfo").out;
    expect(mountinfo).toContain("/dev/loop");
    expect(mountinfo).not.toContain(env().dataDir);
    expect(mountinfo).not.toContain(process.cwd());

    expect(fs.lstatSync(paths.workspace).uid).toBe(uid);
    expect(exec(c, String(uid), "stat -c %u /workspace; id -un; echo $HOME; touch /workspace/mine /home/agent/x && echo wrote").out.split("\n")).toEqual([
      String(uid), "agent", "/home/agent", "wrote", "",
    ]);
    const run = exec(c, String(uid), "ls /run/dockside");
    expect(run.code).not.toBe(0);
    expect(run.out).toContain("Permission denied");
    // The worker (root in the container) owns run/ and the worker bundle is there, read-only.
    expect(exec(c, "0", "ls /run/dockside; ls /opt/dockside; touch /opt/dockside/x").out).toMatch(/inbox\n(lost\+found\n)?state\n[\s\S]*worker\.mjs[\s\S]*Read-only file system/);
  });

  it("keeps the files across release and mount, and refuses to start on an image it cannot mount", async () => {
    const { id, paths, uid } = newSession();
    await prepareSessionFs(paths, { uid, gid: uid, quotaBytes: QUOTA });
    let c = await startContainer(id, paths, uid);
    expect(exec(c, String(uid), "echo kept > /workspace/notes.txt").code).toBe(0);
    await removeSandbox(c);

    await releaseSessionFs(paths);
    expect(mountAt(paths.mnt)).toBeNull();
    expect(fs.existsSync(paths.workspace)).toBe(false);
    expect(loopDevicesOf(paths.fsImage)).toEqual([]);

    await mountSessionFs(paths);
    await mountSessionFs(paths); // idempotent: one mount, not two stacked
    expect(listMounts().filter((m) => m.mountPoint === paths.mnt)).toHaveLength(1);
    c = await startContainer(id, paths, uid);
    expect(exec(c, String(uid), "cat /workspace/notes.txt").out).toBe("kept\n");
    await removeSandbox(c);

    await releaseSessionFs(paths);
    const fd = fs.openSync(paths.fsImage, "r+");
    fs.writeSync(fd, Buffer.alloc(64 * 1024), 0, 64 * 1024, 0); // the superblock is gone
    fs.closeSync(fd);
    const err = await mountSessionFs(paths).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe("unavailable");
    expect((err as Error).message).toContain("could not be mounted");
    expect(fs.existsSync(paths.workspace)).toBe(false);
  });

  it("removes everything of the session without following the agent's symlinks", async () => {
    const { id, paths, uid } = newSession();
    await prepareSessionFs(paths, { uid, gid: uid, quotaBytes: QUOTA });
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-outside-"));
    fs.writeFileSync(path.join(outside, "precious"), "keep me");
    fs.symlinkSync(outside, path.join(paths.workspace, "link"));
    fs.symlinkSync(path.join(outside, "precious"), path.join(paths.run, "state", "link"));
    const c = await startContainer(id, paths, uid);
    await removeSandbox(c);

    await removeSessionFs(paths);
    expect(fs.existsSync(paths.root)).toBe(false);
    expect(listMounts().some((m) => m.mountPoint.startsWith(paths.root))).toBe(false);
    expect(loopDevicesOf(paths.fsImage)).toEqual([]);
    expect(fs.readFileSync(path.join(outside, "precious"), "utf8")).toBe("keep me");
    await removeSessionFs(paths); // idempotent
  });

  it("falls back to a plain directory with the same layout", async () => {
    const { paths, uid } = newSession();
    await prepareSessionFs(paths, { uid, gid: uid, mode: "directory" });
    expect(isDirectorySession(paths)).toBe(true);
    expect(mountAt(paths.mnt)).toBeNull();
    expect(fs.lstatSync(paths.workspace).uid).toBe(uid);
    expect(fs.statSync(paths.run).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(path.join(paths.etc, "passwd"), "utf8")).toContain(`agent:x:${uid}:${uid}::/home/agent:/bin/bash`);
    fs.writeFileSync(path.join(paths.workspace, "work"), "agent's");
    // On a host that can loop-mount, the session keeps its directory: no image is mounted over its files.
    await prepareSessionFs(paths, { uid, gid: uid });
    await mountSessionFs(paths);
    expect(isDirectorySession(paths)).toBe(true);
    expect(fs.readFileSync(path.join(paths.workspace, "work"), "utf8")).toBe("agent's");
    await removeSessionFs(paths);
    expect(fs.existsSync(paths.root)).toBe(false);
  });
});

async function freeBytes(): Promise<number> {
  const s = await fs.promises.statfs(env().dataDir);
  return s.bavail * s.bsize;
}

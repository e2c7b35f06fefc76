// The memory and disk measurements on real parts: a container of the sandbox image filling its
// memory limit, and a session's loop-mounted filesystem filled to its quota.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../test/fixtures";
import { env } from "../config/env";
import { sessionPaths } from "../git/workspace";
import { removeSandbox } from "../sandbox/container";
import { docker } from "../sandbox/docker";
import { ensureImage } from "../sandbox/image";
import { prepareSessionFs, removeSessionFs } from "../sandbox/session-fs";
import { detectDisk, detectMemory } from "./detect";
import { containerMemory, sessionDisk } from "./measure";

const MB = 1024 * 1024;
let image = "";
const containers: string[] = [];

beforeAll(async () => {
  image = await ensureImage();
});
afterAll(async () => {
  for (const c of containers) await removeSandbox(c);
});

describe("a sandbox's memory", () => {
  it("is measured against the container's limit, and a process filling it raises the alert", async () => {
    const limit = 128 * MB;
    const c = await docker().createContainer({ Image: image, Cmd: ["sleep", "infinity"], HostConfig: { Memory: limit, MemorySwap: limit, NetworkMode: "none" } });
    containers.push(c.id);
    await c.start();

    const idle = await containerMemory(c.id);
    expect(idle?.limit).toBe(limit);
    expect(idle!.used).toBeLessThan(limit / 2);
    expect(detectMemory("s", idle, new Date())).toBeNull();

    // ~116 MB of written bytes (Python itself adds a few more): over 90 % of the limit.
    const hog = spawnSync("docker", ["exec", "-d", c.id, "python3", "-c", "import time\nx = b'x' * (112 * 1024 * 1024)\ntime.sleep(600)"], { encoding: "utf8" });
    expect(hog.status, hog.stderr).toBe(0);
    const full = await waitFor(async () => {
      const m = await containerMemory(c.id);
      return m && m.used >= 0.9 * m.limit ? m : null;
    }, "the container's memory to pass 90 %");
    expect(detectMemory("s", full, new Date())?.kind).toBe("memory");
  });

  it("is nothing for a container that is gone", async () => {
    expect(await containerMemory("0123456789ab0123456789ab")).toBeNull();
  });
});

describe("a session's disk", () => {
  it("is measured on its mounted image, filled by a writer until ENOSPC", async () => {
    const id = crypto.randomUUID();
    const paths = sessionPaths(env().dataDir, id);
    const uid = 300_000 + crypto.randomInt(100_000);
    await prepareSessionFs(paths, { uid, gid: uid, quotaBytes: 64 * MB });
    try {
      const fresh = await sessionDisk(id);
      expect(fresh!.size).toBeGreaterThan(40 * MB);
      expect(fresh!.size).toBeLessThanOrEqual(64 * MB);
      expect(detectDisk(id, fresh, new Date())).toBeNull();

      const big = path.join(paths.workspace, "big");
      spawnSync("dd", ["if=/dev/zero", `of=${big}`, "bs=1M", "count=100"]);
      const full = await sessionDisk(id);
      expect(full!.used).toBeGreaterThanOrEqual(0.9 * full!.size);
      expect(detectDisk(id, full, new Date())?.message).toMatch(/^Its disk is (9\d|100)% full/);

      fs.rmSync(big);
      expect(detectDisk(id, await sessionDisk(id), new Date())).toBeNull();
    } finally {
      await removeSessionFs(paths);
    }
    // Not mounted (or gone): nothing to measure, rather than the host's own disk.
    expect(await sessionDisk(id)).toBeNull();
  });
});

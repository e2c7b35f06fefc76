// A full disk names itself: on a real 16 MB ext4 image, loop-mounted and filled, the session's
// repository and workspace fail with "no space left on the device (<where>)" (no "Cloning into",
// no stack trace), file writes say the same, and the write probe behind /api/health reports
// "no space left on the device at <dir>" until space is freed.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../test/fixtures";
import { checkHealth } from "../runtime/health";
import { ioReason } from "../runtime/io-reason";
import { probeWrites } from "../runtime/write-probe";
import { initHostRepo } from "./host-repo";
import { cloneWorkspace, sessionPaths } from "./workspace";

let root = "";
let mnt = "";
let source = "";
let hostRepo = "";

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-nospace-"));
  const image = path.join(root, "small.img");
  mnt = path.join(root, "mnt");
  fs.mkdirSync(mnt);
  execFileSync("truncate", ["-s", "16M", image]);
  execFileSync("mkfs.ext4", ["-q", "-F", image], { stdio: "pipe" });
  execFileSync("mount", ["-o", "loop", image, mnt], { stdio: "pipe" });
  // Filled as root: the blocks reserved for root go too, so nothing (Dockside included) can write.
  try {
    execFileSync("dd", ["if=/dev/zero", `of=${path.join(mnt, "fill")}`, "bs=64K"], { stdio: "pipe" });
  } catch {
    // dd stops with "No space left on device": that is the point
  }
  source = makeRepo({ "README.md": "# demo\n", "src/big.txt": "x".repeat(200_000) });
  // The host's repository is elsewhere (on the big disk): only the session's directory is full.
  hostRepo = path.join(root, "host.git");
  execFileSync("git", ["clone", "-q", "--bare", source, hostRepo], { stdio: "pipe" });
});

afterAll(() => {
  try {
    execFileSync("umount", [mnt], { stdio: "pipe" });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(source, { recursive: true, force: true });
  }
});

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at |Cloning into/);

describe("a full disk", () => {
  it("fails the session's repository with the cause and the place", async () => {
    const repo = path.join(mnt, "sessions", "s1", "host.git");
    const err = await initHostRepo(repo, source, "main", "dockside/s1").then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/^(clone failed|could not create the session's repository): no space left on the device \(/);
    expect(err?.message).toContain(mnt);
    noStack(err!.message);
  });

  it("fails the workspace clone with the cause and the session's directory", async () => {
    const paths = { ...sessionPaths(mnt, "s2"), hostRepo };
    const err = await cloneWorkspace(paths, "main", 0, 0).then(() => null, (e: Error) => e);
    expect(err?.message).toBe(`could not make the workspace: no space left on the device (${paths.root})`);
  });

  it("names file writes the same way", () => {
    let err: unknown;
    try {
      fs.writeFileSync(path.join(mnt, "state.json"), "x".repeat(64 * 1024));
    } catch (e) {
      err = e;
    }
    expect((err as NodeJS.ErrnoException)?.code).toBe("ENOSPC");
    // A write on an open file carries no path: the caller names the place.
    expect(ioReason(err, mnt)).toBe(`no space left on the device (${mnt})`);
    let mkdirErr: unknown;
    try {
      fs.mkdirSync(path.join(mnt, "sessions", "s3", "tmp"), { recursive: true });
    } catch (e) {
      mkdirErr = e;
    }
    // One that names its path is placed by it.
    expect(ioReason(mkdirErr)).toMatch(new RegExp(`^no space left on the device \\(${mnt}(/sessions(/s3)?)?\\)$`));
  });

  it("is reported by the write probe and health, until space is freed", async () => {
    const probe = await probeWrites(mnt);
    expect(probe).toMatchObject({ ok: false, path: mnt, error: `no space left on the device at ${mnt}` });
    const health = await checkHealth("external");
    expect(health.ok).toBe(false);
    expect(health.disk).toMatchObject({ ok: false, error: `no space left on the device at ${mnt}` });

    fs.rmSync(path.join(mnt, "fill"));
    expect(await probeWrites(mnt)).toMatchObject({ ok: true, path: mnt });
    expect((await checkHealth("external")).disk?.ok).toBe(true);
    expect(fs.readdirSync(mnt).filter((n) => n.startsWith(".write-probe"))).toEqual([]);
  });
});

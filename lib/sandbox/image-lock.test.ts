// The image build lock across processes: a second builder waits for the first (and then finds
// its image), and a lock left by a builder that was killed is taken over.
import { spawn } from "node:child_process";
import fs from "node:fs";
import { expect, it } from "vitest";
import { buildLockPath, withBuildLock } from "./image-lock";

it("runs one build at a time, and takes over the lock of a builder that was killed", async () => {
  const order: string[] = [];
  let release!: () => void;
  const first = withBuildLock("t:1", () => {}, async () => {
    order.push("first started");
    await new Promise<void>((r) => (release = r));
    order.push("first done");
  });
  await new Promise((r) => setTimeout(r, 50));
  const lines: string[] = [];
  const second = withBuildLock("t:1", (l) => lines.push(l), async () => void order.push("second started"));
  await new Promise((r) => setTimeout(r, 1500));
  expect(order).toEqual(["first started"]);
  expect(lines.join("\n")).toMatch(new RegExp(`pid ${process.pid} .*is building t:1; waiting`));
  release();
  await Promise.all([first, second]);
  expect(order).toEqual(["first started", "first done", "second started"]);
  expect(fs.existsSync(buildLockPath())).toBe(false);

  // A builder killed outright leaves its lock behind.
  const dead = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
  await new Promise((r) => dead.once("spawn", r));
  const exited = new Promise((r) => dead.once("exit", r));
  dead.kill("SIGKILL");
  await exited;
  fs.writeFileSync(buildLockPath(), JSON.stringify({ host: (await import("node:os")).hostname(), pid: dead.pid, tag: "t:1" }));
  const took: string[] = [];
  await withBuildLock("t:1", (l) => took.push(l), async () => void took.push("built"));
  expect(took).toEqual([`[image] the build by pid ${dead.pid} on ${(await import("node:os")).hostname()} did not finish; building again`, "built"]);
});

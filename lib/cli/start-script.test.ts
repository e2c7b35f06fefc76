// scripts/start.sh on a machine without a Docker engine and without apt-get (PATH stripped of
// docker, dockerd and apt): it names exactly what is missing and goes on to the web app.
// `--check` stops before the build and the server (a test must not rebuild the shared checkout).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";

let bin = "";
beforeAll(() => {
  bin = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-path-"));
  const hidden = new Set(["docker", "dockerd", "apt-get", "apt"]);
  for (const dir of (process.env.PATH ?? "").split(":").filter(Boolean)) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      const link = path.join(bin, name);
      if (!hidden.has(name) && !fs.existsSync(link)) fs.symlinkSync(path.join(dir, name), link);
    }
  }
});
afterAll(() => fs.rmSync(bin, { recursive: true, force: true }));

const run = (args: string[]) => spawnSync("bash", args, { cwd: path.resolve("."), env: { ...process.env, PATH: bin, DOCKER_HOST: "" }, encoding: "utf8", timeout: 120_000 });

it("npm start names what is missing (docker.io), says sessions wait for it, and would start the web app", () => {
  const r = run(["scripts/start.sh", "--check"]);
  expect(r.status).toBe(1);
  const lines = r.stderr.split("\n");
  const why = process.getuid?.() === 0 ? "apt-get is not available here: install them with this system's package manager" : "run this as root on Debian/Ubuntu to have them installed";
  expect(lines).toContain(`[system] missing: docker.io. Install them (Debian/Ubuntu: apt-get install docker.io), or ${why}.`);
  expect(r.stderr).toContain("[start] sessions cannot start until what is named above is there; the web app starts anyway");
  // It went no further than the check: no image build was tried without an engine.
  expect(r.stdout).not.toContain("[image]");
});

it("the test and bench checks still stop on the same missing engine", () => {
  for (const args of [["scripts/ensure-system.sh"], ["scripts/ensure-system.sh", "--docker-only"]]) {
    const r = run(args);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\[system\] missing: (.* )?docker\.io/m);
  }
});

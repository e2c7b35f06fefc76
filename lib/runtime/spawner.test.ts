// The host command helper behaves like a direct spawn: argv only, the caller's environment, exit
// codes and missing binaries reported, a timeout that kills, output capped; and a helper that dies
// fails the commands it was running and is started again for the next.
import { describe, expect, it } from "vitest";
import { git } from "../git/run";
import { spawnerPid, spawnHost, type SpawnRequest } from "./spawner";

const run = (cmd: string, args: string[], more: Partial<SpawnRequest> = {}) => spawnHost({ cmd, args, timeoutMs: 30_000, maxBytes: 1024 * 1024, ...more });

describe("spawner", () => {
  it("passes arguments verbatim (no shell) and only the environment given", async () => {
    const r = await run("/bin/sh", ["-c", 'printf "%s|%s" "$1" "$SECRET_NOT_GIVEN$GIVEN"', "x", "a; echo injected $(id)"], { env: { GIVEN: "yes" } });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe("a; echo injected $(id)|yes");
    const cwd = await run("pwd", [], { cwd: "/tmp" });
    expect(cwd.stdout.toString().trim()).toBe("/tmp");
  });

  it("reports a failing command's exit code and stderr, and a missing binary", async () => {
    const r = await run("/bin/sh", ["-c", "echo nope >&2; exit 3"]);
    expect(r).toMatchObject({ code: 3, signal: null, timedOut: false });
    expect(r.stderr.toString()).toBe("nope\n");
    const missing = await run("/no/such/binary", []);
    expect(missing.code).toBeNull();
    expect(missing.error?.code).toBe("ENOENT");
  });

  it("kills a command past its timeout", async () => {
    const r = await run("sleep", ["30"], { timeoutMs: 300 });
    expect(r).toMatchObject({ timedOut: true, signal: "SIGKILL", code: null });
  });

  it("keeps at most maxBytes of a huge output, reads the rest and says it was cut", async () => {
    const r = await run("head", ["-c", String(50 * 1024 * 1024), "/dev/zero"], { maxBytes: 4 * 1024 * 1024 });
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(4 * 1024 * 1024);
    expect(r.cut).toBe(true);
    const whole = await run("head", ["-c", String(8 * 1024 * 1024), "/dev/zero"], { maxBytes: 16 * 1024 * 1024 });
    expect([whole.stdout.length, whole.cut]).toEqual([8 * 1024 * 1024, false]);
  });

  it("fails the commands of a helper that was killed, and starts a new one for the next", async () => {
    const pid = spawnerPid()!;
    const running = run("sleep", ["20"]);
    await new Promise((r) => setTimeout(r, 200));
    process.kill(pid, "SIGKILL");
    const r = await running;
    expect(r.code).toBeNull();
    expect(r.error?.message).toMatch(/host command helper stopped/);
    const again = await run("echo", ["back"]);
    expect(again.stdout.toString()).toBe("back\n");
    expect(spawnerPid()).not.toBe(pid);
  });

  it("runs git through it with the same results as before", async () => {
    const v = await git(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^git version /);
    const bad = await git(["-C", "/nonexistent-dir", "status"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/nonexistent-dir/);
    expect(bad.where).toBe("/nonexistent-dir");
    const slow = await git(["hash-object", "--stdin"], { timeoutMs: 50_000, maxBytes: 1 });
    // stdin is closed: hashes the empty blob (41 bytes with the newline), cut at 1 byte.
    expect(slow.code).toBe(-2);
  });
});

// The detectors as pure functions: a controlled clock, rows and measurements passed in.
import { describe, expect, it } from "vitest";
import { detectBudget, detectDisk, detectLooping, detectMemory, detectStuck, failedResult, type ToolCallRow } from "./detect";
import { diskUseOf, memoryUseOf } from "./measure";

const T0 = new Date("2026-11-30T10:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const MB = 1024 * 1024;
const GB = 1024 * MB;

describe("stuck", () => {
  it("fires for a running session once its last progress is old enough, keyed by that progress", () => {
    const last = { seq: 41, ts: T0 };
    expect(detectStuck("s1", "running", last, at(9), 10)).toBeNull();
    expect(detectStuck("s1", "running", last, at(12.5), 10)).toEqual({ kind: "stuck", message: "No output and no model call for 12 minutes", key: "stuck:s1:41" });
    // Same stall, later: the same episode.
    expect(detectStuck("s1", "running", last, at(30), 10)?.key).toBe("stuck:s1:41");
  });

  it("never fires for a session that is not running (idle, waiting for a person) or has no events", () => {
    for (const status of ["idle", "awaiting_approval", "queued", "starting", "stopped"]) expect(detectStuck("s1", status, { seq: 1, ts: T0 }, at(60), 10)).toBeNull();
    expect(detectStuck("s1", "running", null, at(60), 10)).toBeNull();
  });
});

describe("looping", () => {
  const shell = (seq: number, command: string, failed: boolean | null): ToolCallRow => ({ seq, name: "shell", command, failed });

  it("fires when the same command failed K times in a row, keyed by the run's first call", () => {
    const calls = [shell(3, "npm test", true), shell(6, "npm  test\n", true), shell(9, " npm test", true)];
    expect(detectLooping("s1", calls.slice(0, 2), 3)).toBeNull();
    expect(detectLooping("s1", calls, 3)).toEqual({ kind: "looping", message: "`npm test` failed 3 times in a row", key: "looping:s1:3" });
    // A fourth failure is the same loop (same key), counted.
    const more = detectLooping("s1", [...calls, shell(12, "npm test", true)], 3);
    expect(more).toMatchObject({ key: "looping:s1:3", message: "`npm test` failed 4 times in a row" });
  });

  it("does not fire when anything came in between, a run succeeded, or the commands differ", () => {
    const edit: ToolCallRow = { seq: 5, name: "edit_file", command: null, failed: false };
    expect(detectLooping("s1", [shell(3, "npm test", true), edit, shell(7, "npm test", true), shell(9, "npm test", true)], 3)).toBeNull();
    expect(detectLooping("s1", [shell(3, "npm test", true), shell(5, "npm test", false), shell(7, "npm test", true), shell(9, "npm test", true)], 3)).toBeNull();
    expect(detectLooping("s1", [shell(3, "npm test", true), shell(5, "npm run test", true), shell(7, "npm test", true)], 3)).toBeNull();
    expect(detectLooping("s1", [shell(3, "npm test", true), shell(5, "npm test", true), shell(7, "npm test", false)], 3)).toBeNull();
  });

  it("ignores a call still running and starts the loop after it", () => {
    const calls = [shell(3, "make", true), shell(5, "make", true), shell(7, "make", true), shell(9, "make", null)];
    expect(detectLooping("s1", calls, 3)?.key).toBe("looping:s1:3");
  });

  it("counts an error result or a non-zero exit as a failure", () => {
    expect(failedResult({ isError: true })).toBe(true);
    expect(failedResult({ isError: false, exitCode: 2 })).toBe(true);
    expect(failedResult({ isError: false, exitCode: 0 })).toBe(false);
    expect(failedResult({ isError: false, exitCode: null })).toBe(false);
  });
});

describe("budget", () => {
  it("fires at 80 % of the session's budget, keyed by the budget so that raising it re-arms", () => {
    expect(detectBudget("s1", 0.79, 1)).toBeNull();
    expect(detectBudget("s1", 0.82, 1)).toEqual({ kind: "budget", message: "Spent $0.82 of its $1.00 budget", key: "budget:s1:1" });
    expect(detectBudget("s1", 0.82, 2)).toBeNull();
    expect(detectBudget("s1", 1.7, 2)?.key).toBe("budget:s1:2");
    expect(detectBudget("s1", 50, null)).toBeNull();
  });
});

describe("memory", () => {
  it("reads Docker's stats like docker stats does (cgroup v2 and v1), page cache left out", () => {
    expect(memoryUseOf({ memory_stats: { usage: 1000 * MB, limit: 2 * GB, stats: { inactive_file: 200 * MB } } } as never)).toEqual({ used: 800 * MB, limit: 2 * GB });
    expect(memoryUseOf({ memory_stats: { usage: 1000 * MB, limit: 2 * GB, stats: { total_inactive_file: 100 * MB } } } as never)).toEqual({ used: 900 * MB, limit: 2 * GB });
    // A stopped container answers empty stats.
    expect(memoryUseOf({ memory_stats: {} } as never)).toBeNull();
  });

  it("fires at 90 % of the limit, once per session and hour", () => {
    expect(detectMemory("s1", { used: 1.7 * GB, limit: 2 * GB }, T0)).toBeNull();
    const f = detectMemory("s1", { used: 1.9 * GB, limit: 2 * GB }, T0);
    expect(f).toEqual({ kind: "memory", message: "The sandbox uses 1.9 GB of its 2 GB memory limit (95%): the agent's processes may be killed", key: "memory:s1:2026-11-30T10" });
    expect(detectMemory("s1", { used: 1.9 * GB, limit: 2 * GB }, at(59))?.key).toBe(f!.key);
    expect(detectMemory("s1", { used: 1.9 * GB, limit: 2 * GB }, at(61))?.key).toBe("memory:s1:2026-11-30T11");
    expect(detectMemory("s1", null, T0)).toBeNull();
  });
});

describe("disk", () => {
  it("measures like df (blocks reserved for root are not the agent's to fill)", () => {
    // 1000 blocks, 100 free of which 50 are reserved: 900 used of 950 usable.
    expect(diskUseOf({ blocks: 1000, bfree: 100, bavail: 50, bsize: 4096 })).toEqual({ used: 900 * 4096, size: 950 * 4096 });
  });

  it("fires at 90 % full, once per session and day", () => {
    expect(detectDisk("s1", { used: 8 * GB, size: 10 * GB }, T0)).toBeNull();
    expect(detectDisk("s1", { used: 9.3 * GB, size: 10 * GB }, T0)).toEqual({ kind: "disk", message: "Its disk is 93% full (9.3 GB of 10 GB): writes will soon fail", key: "disk:s1:2026-11-30" });
    expect(detectDisk("s1", { used: 9.3 * GB, size: 10 * GB }, at(60 * 15))?.key).toBe("disk:s1:2026-12-01");
  });
});

import { describe, expect, it } from "vitest";
import { EMPTY_OUTPUT } from "./output-buffer";
import { activityOf, activityText, formatElapsed, toolLabel } from "./activity";
import type { TranscriptItem } from "./transcript-items";

const T0 = Date.parse("2026-12-01T10:00:00.000Z");
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const running: TranscriptItem = { seq: 1, ts: iso(0), kind: "status", status: "running" };
const tool = (ms: number, done?: number): TranscriptItem => ({
  seq: 2, ts: iso(ms), kind: "tool", callId: "c1", name: "shell", input: { command: "npm test" }, output: EMPTY_OUTPUT,
  ...(done !== undefined ? { result: { callId: "c1", isError: false, output: "", truncated: false, durationMs: done } } : {}),
});

describe("the activity line", () => {
  it("says which command runs and for how long", () => {
    const a = activityOf([running, tool(2_000)], "running", false)!;
    expect(activityText(a, T0 + 102_000, true)).toBe("running `npm test`… 1 min 40 s");
  });

  it("thinks from the moment the last tool finished", () => {
    const a = activityOf([running, tool(2_000, 3_000)], "running", false)!;
    expect(activityText(a, T0 + 17_000, true)).toBe("thinking… 12 s");
  });

  it("counts a retry down, waits for approvals, says stopping, and is silent at rest", () => {
    const retry: TranscriptItem = { seq: 3, ts: iso(0), kind: "retry", attempt: 1, waitMs: 8_000, reason: "overloaded", retries: 1, at: iso(1_000), settled: false };
    expect(activityText(activityOf([running, retry], "running", false)!, T0 + 1_000, true)).toBe("retrying in 8 s");
    expect(activityText(activityOf([running], "awaiting_approval", false)!, T0, true)).toBe("waiting for your approval");
    expect(activityText(activityOf([running, tool(0)], "running", true)!, T0, true)).toBe("stopping…");
    expect(activityOf([running], "idle", false)).toBeNull();
    expect(activityOf([running], "stopped", true)).toBeNull();
  });

  it("words tools and times for people", () => {
    expect(toolLabel("shell", { command: "npm ci\nnpm test" })).toBe("running `npm ci …`");
    expect(toolLabel("read_file", { path: "a" })).toBe("using read_file");
    expect(toolLabel("task", { description: "Read notes" })).toBe("running a subagent: Read notes");
    expect(toolLabel("task", {})).toBe("running a subagent");
    expect(formatElapsed(3_599_000)).toBe("59 min 59 s");
    expect(formatElapsed(3_900_000)).toBe("1 h 5 min");
  });
});

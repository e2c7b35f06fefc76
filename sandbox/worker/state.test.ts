// The saved state across upgrades and crashes: an older worker's state loads, and a tool call
// that started before a crash is never said to have not run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { INTERRUPTED_NOTE, StateStore } from "./state";

const saved = (state: unknown) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dockside-state-")), "agent.json");
  fs.writeFileSync(file, JSON.stringify(state));
  return new StateStore(file);
};

const twoCalls = [
  { role: "user", content: [{ type: "text", text: "do it" }] },
  {
    role: "assistant",
    content: [
      { type: "tool_use", id: "toolu_a", name: "shell", input: { command: "make" } },
      { type: "tool_use", id: "toolu_b", name: "shell", input: { command: "make test" } },
    ],
  },
];

describe("StateStore", () => {
  it("loads the state a version 1 worker saved, with no system prompt yet (built at start)", () => {
    const state = saved({ version: 1, messages: [twoCalls[0]], lastCommandSeq: 3, turns: 1, turn: null, delivered: "abc", ops: [] }).load();
    expect(state).toMatchObject({ version: 3, lastCommandSeq: 3, turns: 1, delivered: "abc", system: null, started: [], setupDone: true });
    expect(state.messages).toEqual([twoCalls[0]]);
  });

  it("loads a version 2 state as one whose setup is over (v2 workers had none), and starts a new one with setup to do", () => {
    const state = saved({ version: 2, messages: [], lastCommandSeq: 0, turns: 0, turn: null, system: "s", started: [] }).load();
    expect(state).toMatchObject({ version: 3, setupDone: true, system: "s" });
    const fresh = new StateStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dockside-state-")), "agent.json")).load();
    expect(fresh).toMatchObject({ version: 3, setupDone: false });
  });

  it("refuses a state from a newer worker instead of guessing", () => {
    expect(() => saved({ version: 99, messages: [] }).load()).toThrow(/version 99, newer than this worker/);
  });

  it("after a crash, tells the model a started tool may have run, and one that never started did not", () => {
    const state = saved({ version: 2, messages: twoCalls, lastCommandSeq: 1, turns: 0, turn: null, system: "s", started: ["toolu_a"] }).load();
    const results = state.messages[2].content as { tool_use_id: string; content: string }[];
    expect(results.map((r) => [r.tool_use_id, r.content])).toEqual([
      ["toolu_a", INTERRUPTED_NOTE],
      ["toolu_b", expect.stringMatching(/^not run: .*before this tool started/)],
    ]);
    expect(INTERRUPTED_NOTE).toMatch(/may have run/);
    expect(state.started).toEqual([]);
  });

  it("after a version 1 crash (nothing recorded), does not claim its open tool calls did not run", () => {
    const state = saved({ version: 1, messages: twoCalls, lastCommandSeq: 1, turns: 0, turn: null }).load();
    const results = state.messages[2].content as { content: string }[];
    expect(results.map((r) => r.content)).toEqual([INTERRUPTED_NOTE, INTERRUPTED_NOTE]);
  });

  it("keeps the calls of a turn waiting for an approval open, for the resumed turn to ask again", () => {
    const base = { version: 3, messages: twoCalls, lastCommandSeq: 1, turns: 0, turn: { request: "do it", commands: [], steps: 1, finalText: "" }, setupDone: true };
    const waiting = saved({ ...base, started: ["toolu_a", "toolu_b"], awaiting: "toolu_b" }).load();
    expect(waiting).toMatchObject({ awaiting: "toolu_b", started: ["toolu_a", "toolu_b"] });
    expect(waiting.messages).toHaveLength(2);
    // Without a turn, or when the call is answered already, nothing waits: the usual closing applies.
    const stale = saved({ ...base, turn: null, started: ["toolu_a"], awaiting: "toolu_b" }).load();
    expect(stale.awaiting).toBeNull();
    expect(stale.messages).toHaveLength(3);
  });
});

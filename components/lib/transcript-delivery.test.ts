import { describe, expect, it } from "vitest";
import type { EventDataOf, EventType, SessionEvent } from "../../lib/events/schema";
import { applyEvents, EMPTY_TRANSCRIPT, eventItemSeq, type TranscriptState } from "./transcript";

function ev<T extends EventType>(seq: number, type: T, data: EventDataOf<T>): SessionEvent {
  return { seq, type, data, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString() } as SessionEvent;
}

const usage = (seq: number) => ev(seq, "usage", { model: "m", inputTokens: 10, outputTokens: 5 });
const say = (seq: number, call: string, t = "…") => ev(seq, "assistant.text", { block: `${call}-1-0`, text: t });
const call = (seq: number, id: string) => ev(seq, "tool.call", { callId: id, name: "shell", input: { command: "sleep 5" } });
const result = (seq: number, id: string) => ev(seq, "tool.result", { callId: id, isError: false, exitCode: 0, output: "", truncated: false, durationMs: 5 });
const followUp = (seq: number) => ev(seq, "user.message", { text: "also update the README", author: "Ada", queued: true });

/** The follow-up's tag after each further event, one by one. */
function tags(start: readonly SessionEvent[], then: readonly SessionEvent[]): (string | undefined)[] {
  let s: TranscriptState = applyEvents(EMPTY_TRANSCRIPT, start);
  const out = [];
  for (const e of then) {
    s = applyEvents(s, [e]);
    const msg = s.items.find((i) => i.kind === "user" && i.text === "also update the README");
    out.push(msg?.kind === "user" ? msg.delivery : undefined);
  }
  return out;
}

const working = [ev(1, "user.message", { text: "fix it", author: "Ada" }), ev(2, "status", { status: "running" })];

describe("follow-up delivery", () => {
  it("a message the agent took at once has no tag", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, working);
    expect(s.items[0]).toMatchObject({ kind: "user" });
    expect(s.items[0].kind === "user" && s.items[0].delivery).toBeUndefined();
  });

  it("sent while a command runs: delivered when the next model call writes, not when the command ends", () => {
    const start = [...working, say(3, "aaaa"), call(4, "c1"), followUp(5)];
    // The host's usage count may come before the worker's result: it proves nothing either way.
    expect(tags(start, [ev(6, "tool.output", { callId: "c1", stream: "stdout", text: "…" }), usage(7), result(8, "c1"), say(9, "bbbb")])).toEqual([
      "queued",
      "queued",
      "queued",
      "delivered",
    ]);
  });

  it("sent while the model writes: the rest of that answer and its tools do not count, the next answer does", () => {
    const start = [...working, say(3, "aaaa", "Looking")];
    expect(tags([...start, followUp(4)], [say(5, "aaaa", " closer"), usage(6), call(7, "c1"), result(8, "c1"), say(9, "bbbb")])).toEqual([
      "queued",
      "queued",
      "queued",
      "queued",
      "delivered",
    ]);
  });

  it("sent as the turn ends: the next turn takes it first", () => {
    const start = [...working, say(3, "aaaa"), followUp(4)];
    expect(tags(start, [usage(5), ev(6, "status", { status: "idle" }), ev(7, "status", { status: "running" })])).toEqual(["queued", "queued", "delivered"]);
  });

  it("sent before the agent started: its first turn takes it", () => {
    const start = [ev(1, "user.message", { text: "fix it" }), ev(2, "status", { status: "starting" }), followUp(3)];
    expect(tags(start, [ev(4, "status", { status: "running" })])).toEqual(["delivered"]);
  });

  it("the same step going on after an approval is not a new turn", () => {
    const start = [...working, say(3, "aaaa"), call(4, "c1"), ev(5, "status", { status: "awaiting_approval" }), followUp(6)];
    expect(tags(start, [ev(7, "status", { status: "running" }), result(8, "c1"), say(9, "bbbb")])).toEqual(["queued", "queued", "delivered"]);
  });

  it("two follow-ups in a row are delivered together, and a replay in one batch agrees", () => {
    const all = [...working, say(3, "aaaa"), call(4, "c1"), followUp(5), ev(6, "user.message", { text: "and the docs", queued: true }), result(7, "c1"), say(8, "bbbb")];
    const s = applyEvents(EMPTY_TRANSCRIPT, all);
    expect(s.items.filter((i) => i.kind === "user").map((i) => i.kind === "user" && i.delivery)).toEqual([undefined, "delivered", "delivered"]);
    expect(s.undelivered).toEqual([]);
  });
});

describe("eventItemSeq", () => {
  it("finds the item an event folded into", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "user.message", { text: "go" }),
      ev(2, "assistant.text", { block: "b", text: "a" }),
      ev(3, "assistant.text", { block: "b", text: "b" }),
      call(4, "c1"),
      ev(5, "tool.output", { callId: "c1", stream: "stdout", text: "needle" }),
      result(6, "c1"),
    ]);
    expect(eventItemSeq(s.items, 3)).toBe(2);
    expect(eventItemSeq(s.items, 5)).toBe(4);
    expect(eventItemSeq(s.items, 1)).toBe(1);
    expect(eventItemSeq(s.items, 0)).toBeNull();
  });
});

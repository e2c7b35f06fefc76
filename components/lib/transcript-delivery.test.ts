import { describe, expect, it } from "vitest";
import type { EventDataOf, EventType, SessionEvent } from "../../lib/events/schema";
import { applyEvents, EMPTY_TRANSCRIPT, eventItemSeq, type TranscriptState } from "./transcript";

function ev<T extends EventType>(seq: number, type: T, data: EventDataOf<T>): SessionEvent {
  return { seq, type, data, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString() } as SessionEvent;
}

const usage = (seq: number) => ev(seq, "usage", { model: "m", inputTokens: 10, outputTokens: 5 });
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

  it("sent while a command runs: delivered when the next model call ends, not when the command does", () => {
    const start = [...working, usage(3), call(4, "c1"), followUp(5)];
    expect(tags(start, [ev(6, "tool.output", { callId: "c1", stream: "stdout", text: "…" }), result(7, "c1"), usage(8)])).toEqual(["queued", "queued", "delivered"]);
  });

  it("sent while the model answers: the call in flight did not carry it, the next one does", () => {
    const start = [...working, followUp(3)];
    expect(tags(start, [ev(4, "assistant.text", { block: "1-0", text: "Looking" }), usage(5), call(6, "c1"), result(7, "c1"), usage(8)])).toEqual([
      "queued",
      "queued",
      "queued",
      "queued",
      "delivered",
    ]);
  });

  it("sent as the turn ends: the next turn takes it first", () => {
    const start = [...working, followUp(3)];
    expect(tags(start, [usage(4), ev(5, "status", { status: "idle" }), ev(6, "status", { status: "running" })])).toEqual(["queued", "queued", "delivered"]);
  });

  it("the same step going on after an approval is not a new turn", () => {
    const start = [...working, usage(3), call(4, "c1"), ev(5, "status", { status: "awaiting_approval" }), followUp(6)];
    expect(tags(start, [ev(7, "status", { status: "running" }), result(8, "c1"), usage(9)])).toEqual(["queued", "queued", "delivered"]);
  });

  it("two follow-ups in a row are delivered together, and a replay in one batch agrees", () => {
    const all = [...working, usage(3), call(4, "c1"), followUp(5), ev(6, "user.message", { text: "and the docs", queued: true }), result(7, "c1"), usage(8)];
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

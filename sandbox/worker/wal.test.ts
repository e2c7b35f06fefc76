// The event log's format on its own: replay of what a killed worker left behind.
import { describe, expect, it } from "vitest";
import { replay } from "./wal";

const line = (o: object) => JSON.stringify(o) + "\n";
const output = (wid: number, text: string) => line({ wid, type: "tool.output", ts: "t", data: { callId: "c", stream: "stdout", text } });

describe("replay", () => {
  it("rebuilds coalesced events and drops what the host acknowledged", () => {
    const log = line({ next: 5 }) + output(5, "a") + line({ wid: 5, more: "b" }) + output(6, "c") + line({ ack: 5 }) + line({ wid: 6, more: "d" });
    const r = replay(log);
    expect(r.events.map((e) => [e.wid, (e.data as { text: string }).text])).toEqual([[6, "cd"]]);
    expect(r).toMatchObject({ nextWid: 7, torn: false, skipped: 0 });
  });

  it("keeps the next wid of an empty log, so numbers never go back", () => {
    expect(replay(line({ next: 42 }) + line({ ack: 41 }))).toMatchObject({ nextWid: 42, events: [] });
    expect(replay("")).toMatchObject({ nextWid: 1, events: [], torn: false });
  });

  it("ignores a torn last line and counts unreadable ones instead of failing", () => {
    const r = replay(line({ next: 1 }) + output(1, "x") + "garbage\n" + line({ wid: 9, more: "orphan" }) + '{"wid":2,"type":"tool.out');
    expect(r.events.map((e) => e.wid)).toEqual([1]);
    expect(r).toMatchObject({ nextWid: 2, torn: true, skipped: 2 });
  });
});

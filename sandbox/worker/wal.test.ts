// The event log's format on its own: replay of what a killed worker left behind, and compaction.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { WorkerEvent } from "./outbox";
import { EventLog, readLog, replay } from "./wal";

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

describe("EventLog", () => {
  it("compacts by copying its live lines: a restart reads exactly what was not acknowledged, extensions included", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-wal-"));
    const file = path.join(dir, "outbox.log");
    const ev = (wid: number): WorkerEvent => ({ wid, ts: "2026-12-01T00:00:00.000Z", type: "tool.output", data: { callId: "c", stream: "stdout", text: `${"x".repeat(8000)}:${wid}` } });
    const events: WorkerEvent[] = [];
    const log = new EventLog(file, { nextWid: 1, events: [] });
    for (let wid = 1; wid <= 1200; wid++) {
      events.push(ev(wid));
      log.added(events[wid - 1]);
    }
    log.extended(1200, ":more");
    (events[1199].data as { text: string }).text += ":more";
    // 700 of 1,200 acknowledged: the dead part (5.6 MB) outweighs the live one, so the file is compacted.
    log.acked(700, () => ({ nextWid: 1201, events: events.slice(700) }));
    expect(fs.statSync(file).size).toBeLessThan(4.2 * 1024 * 1024);
    let read = readLog(file);
    expect(read.events.map((e) => e.wid)).toEqual(events.slice(700).map((e) => e.wid));
    expect(read.events).toEqual(events.slice(700));
    expect(read.nextWid).toBe(1201);
    // It goes on from the compacted file: new lines, a later ack.
    events.push(ev(1201));
    log.added(events[1200]);
    log.acked(900, () => ({ nextWid: 1202, events: events.slice(900) }));
    read = readLog(file);
    expect(read.events).toEqual(events.slice(900));
    expect(read.nextWid).toBe(1202);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

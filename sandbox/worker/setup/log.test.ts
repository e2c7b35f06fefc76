// The setup log: secrets masked however the output is cut into chunks, a cap on what is stored
// (with a note), and the tail a failure's reason quotes.
import { describe, expect, it } from "vitest";
import type { NewEvent } from "../../../lib/events/schema";
import { SetupLog } from "./log";

const texts = (events: NewEvent[]) => events.map((e) => (e.type === "setup.output" ? `${e.data.stream}:${e.data.text}` : e.type));

describe("SetupLog", () => {
  it("masks a secret split across chunks and a multi-byte character split across chunks", () => {
    const events: NewEvent[] = [];
    const log = new SetupLog((e) => events.push(e), ["tok-123456"]);
    const bytes = Buffer.from("key=tok-123456 é\n");
    for (const b of bytes) log.write("stdout", Buffer.from([b]));
    log.write("stderr", Buffer.from("tok-12"));
    log.end();
    expect(texts(events).filter((t) => t.startsWith("stdout")).map((t) => t.slice(7)).join("")).toBe("key=*** é\n");
    expect(texts(events).filter((t) => t.startsWith("stderr"))).toEqual(["stderr:tok-12"]);
    expect(JSON.stringify(events)).not.toContain("tok-123456");
  });

  it("stores up to its cap, says it cut the rest, and keeps the tail of everything", () => {
    const events: NewEvent[] = [];
    const log = new SetupLog((e) => events.push(e), [], 1024);
    for (let i = 1; i <= 200; i++) log.write("stdout", Buffer.from(`line ${i}\n`));
    log.note("a note of the worker's");
    const shown = events.flatMap((e) => (e.type === "setup.output" ? [e.data.text] : []));
    expect(shown.slice(0, -1).join("").length).toBe(1024);
    expect(shown[shown.length - 1]).toBe("\n[setup output cut: only the first 1 KB are kept]\n");
    expect(log.tail(3)).toBe("line 199\nline 200\na note of the worker's");
    expect(log.tail(15, 20)).toBe("…ote of the worker's");
  });
});

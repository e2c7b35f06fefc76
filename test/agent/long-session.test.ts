// A real day's work on real parts: the worker in its sandbox, the host gateway, and the stand-in
// model that accounts prompt caching and refuses a prompt over its window like the real API.
// A 40-step session reads most of its input from the cache; a 300-step session with large
// outputs under a small window finishes its task by compacting, and takes a follow-up after.
process.env.DOCKSIDE_CONTEXT_TOKENS = "40000";
process.env.MODELSTUB_CONTEXT_TOKENS = "40000";
process.env.DOCKSIDE_MAX_TURNS = "400";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../fixtures";
import { allEvents, startHarness, TEAM, waitStatusEvent, type Harness } from "../session-harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

/** Input tokens of the calls for one task, as the stand-in billed them (its own usage fields). */
function usageFor(marker: string) {
  const calls = h.stub.requests.filter((r) => JSON.stringify(r.body).includes(marker) && r.usage);
  const sum = (k: "input_tokens" | "cache_read_input_tokens" | "cache_creation_input_tokens") => calls.reduce((n, r) => n + (r.usage?.[k] ?? 0), 0);
  const read = sum("cache_read_input_tokens");
  const total = sum("input_tokens") + read + sum("cache_creation_input_tokens");
  return { calls: calls.length, read, total, share: total ? read / total : 0, tooLong: h.stub.requests.filter((r) => JSON.stringify(r.body).includes(marker) && r.status === 400).length };
}

describe("a long session against a stand-in that behaves like the API", () => {
  it("reads at least 85% of a 40-step session's input from the prompt cache", async () => {
    const marker = "LONG-CACHE-40";
    h.stub.addScript({ match: marker, generate: { calls: 40, commands: ["seq 1 60"], tool: "shell", finalText: "All 40 steps done." } });
    const s = await h.orchestrator.createSession(TEAM, { repo: makeRepo(), prompt: `${marker}: run the steps` });
    const events = await waitStatusEvent(s.id, "idle", 1, 180_000);
    expect(events.some((e) => e.type === "assistant.text" && e.data.text.includes("All 40 steps done."))).toBe(true);
    const u = usageFor(marker);
    expect(u.calls).toBeGreaterThanOrEqual(41);
    expect(u.share).toBeGreaterThanOrEqual(0.85);
    // The host's usage events carry the same counts and a cost.
    const usage = events.filter((e) => e.type === "usage");
    expect(usage.length).toBe(u.calls);
    expect(usage.every((e) => e.type === "usage" && (e.data.costUsd ?? 0) > 0)).toBe(true);
  });

  it("finishes a 300-step task with large outputs under a 40k window by compacting, and a follow-up works after", async () => {
    const marker = "LONG-300";
    h.stub.addScript({ match: marker, generate: { calls: 300, commands: ["seq 1 1500", "cat /etc/services | head -400"], tool: "shell", finalText: "All 300 steps done." } });
    const s = await h.orchestrator.createSession(TEAM, { repo: makeRepo(), prompt: `${marker}: run the steps` });
    const events = await waitStatusEvent(s.id, "idle", 1, 600_000);
    const idle = events.filter((e) => e.type === "status").at(-1);
    const errors = events.flatMap((e) => (e.type === "error" || e.type === "model.retry" ? [JSON.stringify(e.data).slice(0, 300)] : []));
    const texts = events.flatMap((e) => (e.type === "assistant.text" ? [e.data.text] : []));
    const diag = {
      done: texts.some((t) => t.includes("All 300 steps done.")),
      idle: idle?.type === "status" ? idle.data.reason : null,
      errors: errors.slice(-5),
      lastText: texts.slice(-8).join(" | ").slice(-1500),
      lastReqs: h.stub.requests.slice(-3).map((r) => ({ status: r.status, n: (r.body as { messages: unknown[] }).messages.length, tools: ((r.body as { tools?: unknown[] }).tools ?? []).length, last: JSON.stringify((r.body as { messages: unknown[] }).messages.at(-1)).slice(0, 300) })),
      compactions: events.flatMap((e) => (e.type === "compaction" ? [e.data.strategy] : [])).join(","),
      tooLong: usageFor(marker).tooLong,
      window: process.env.DOCKSIDE_CONTEXT_TOKENS,
      lastRequestFirst: JSON.stringify((h.stub.requests.at(-1)?.body as { messages?: unknown[] } | undefined)?.messages?.[0]).slice(0, 200),
      unmatched: h.stub.requests.filter((r) => !JSON.stringify((r.body as { messages?: unknown[] }).messages?.[0] ?? "").includes("LONG-300") && !JSON.stringify((r.body as { messages?: unknown[] }).messages?.[0] ?? "").includes("LONG-CACHE")).map((r) => JSON.stringify(r.body).slice(0, 300)).slice(0, 3),
    };
    if (!diag.done) console.log("LONG-300 DIAG", JSON.stringify(diag));
    expect(diag).toMatchObject({ done: true });
    const compactions = events.filter((e) => e.type === "compaction");
    expect(compactions.length).toBeGreaterThan(0);
    for (const c of compactions) if (c.type === "compaction") expect(c.data.tokensAfter).toBeLessThan(c.data.tokensBefore);
    expect(usageFor(marker).tooLong).toBe(0);
    expect(events.filter((e) => e.type === "status" && e.data.status === "failed")).toEqual([]);

    await h.orchestrator.sendMessage(TEAM, s.id, "and one more thing");
    const after = await waitStatusEvent(s.id, "idle", 2, 120_000);
    expect(after.filter((e) => e.type === "status" && e.data.status === "failed")).toEqual([]);
    expect((await allEvents(s.id)).filter((e) => e.type === "user.message")).toHaveLength(2);
  });
});

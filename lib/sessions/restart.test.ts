// A real server process dies (SIGKILL) while its agent is printing; a new process on the same
// data directory and database reattaches to the still-running sandbox, and the log ends up with
// every line exactly once and sequence numbers without gaps.
import { afterAll, expect, it } from "vitest";
import { makeRepo, waitFor } from "../../test/fixtures";
import { createDatabase, startServer, type TestServer } from "../../test/http-harness";
import type { SessionEvent } from "../events/schema";

const servers: TestServer[] = [];
afterAll(async () => {
  await servers.at(-1)?.stop();
});

async function events(s: TestServer, cookie: string, id: string): Promise<SessionEvent[]> {
  const r = await fetch(`${s.url}/api/sessions/${id}/events?limit=5000`, { headers: { cookie } });
  return ((await r.json()) as { events: SessionEvent[] }).events;
}
const output = (evs: SessionEvent[]) => evs.map((e) => (e.type === "tool.output" ? e.data.text : "")).join("");

it("reattaches to a running sandbox after the server process is killed, losing and doubling nothing", async () => {
  const databaseUrl = await createDatabase("restart");
  const first = await startServer({ databaseUrl });
  servers.push(first);
  const signUp = await fetch(`${first.url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: first.url },
    body: JSON.stringify({ name: "Rae Start", email: "rae@example.com", password: "restart-password-1" }),
  });
  const cookie = signUp.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  first.stub.addScript({ match: "TASK-crash", steps: [{ blocks: [{ type: "tool_use", name: "shell", input: { command: "for i in $(seq 1 80); do echo tick-$i; sleep 0.1; done" } }] }, { blocks: [{ type: "text", text: "all ticks printed" }] }] });
  const created = await fetch(`${first.url}/api/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: first.url },
    body: JSON.stringify({ repo: makeRepo(), prompt: "TASK-crash" }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  await waitFor(async () => output(await events(first, cookie, id)).includes("tick-10"), "the first ticks", 60_000);

  await first.crash();
  const second = await startServer({ databaseUrl, dataDir: first.dataDir, stub: first.stub });
  servers.push(second);
  expect(second.output()).not.toMatch(/failed/i);

  const done = await waitFor(async () => {
    const evs = await events(second, cookie, id);
    return evs.some((e) => e.type === "status" && e.data.status === "idle") ? evs : null;
  }, "the turn to finish after the restart", 60_000);
  expect(output(done).trim().split("\n")).toEqual(Array.from({ length: 80 }, (_, i) => `tick-${i + 1}`));
  expect(done.map((e) => e.seq)).toEqual(done.map((_, i) => i + 1));
  expect(done.some((e) => e.type === "assistant.text" && e.data.text.includes("all ticks printed"))).toBe(true);
});

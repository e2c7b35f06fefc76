// A long session under a small window: a generated 300-step run (large command outputs, file
// reads) through the real server, worker and sandbox against the model stub, which prices the
// prompt by the API's caching rules. Records what the API's own usage fields would show: the
// cache-read share, input tokens and cost per step, the cost without caching, the peak request
// against the window, compactions and wall time per step. It measures whatever the worker does
// today: a worker without compaction shows up as `prompt is too long` answers and an unfinished run.
import { makeRepo } from "../test/fixtures";
import type { SessionEvent } from "../lib/events/schema";
import { createSession, startBenchServer, writeResult, type BenchServer } from "./harness";
import { COMMANDS, FINAL_TEXT, longRepoFiles, report, STEPS, WINDOW } from "./long-session-measure";

const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 3600) * 1000;
// Both sides of the proxy see the same small window: the stub refuses beyond it, the worker plans for it.
process.env.MODELSTUB_CONTEXT_TOKENS = String(WINDOW);
process.env.DOCKSIDE_CONTEXT_TOKENS = String(WINDOW);
process.env.DOCKSIDE_MAX_TURNS = String(STEPS + 50);

async function getJson<T>(server: BenchServer, path: string): Promise<T> {
  const r = await fetch(`${server.url}${path}`, { headers: { cookie: server.cookie } });
  if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

async function allEvents(server: BenchServer, id: string): Promise<SessionEvent[]> {
  const out: SessionEvent[] = [];
  for (let after = 0; ; ) {
    const page = await getJson<{ events: SessionEvent[]; hasMore: boolean }>(server, `/api/sessions/${id}/events?after=${after}&limit=5000`);
    out.push(...page.events);
    if (!page.hasMore || !page.events.length) return out;
    after = page.events[page.events.length - 1].seq;
  }
}

// Waits until the session rests (idle, stopped, failed) after having made at least one model call.
async function waitForRest(server: BenchServer, id: string): Promise<{ status: string }> {
  const t0 = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 2000));
    const s = await getJson<{ status: string }>(server, `/api/sessions/${id}`);
    if (["idle", "stopped", "failed"].includes(s.status) && server.stub.requests.length) return s;
    if (Date.now() - t0 > TIMEOUT_MS) return s;
  }
}

const server = await startBenchServer(3415);
try {
  const repo = makeRepo(longRepoFiles());
  const marker = `BENCH-LONG-${Date.now()}`;
  server.stub.addScript({ match: marker, generate: { calls: STEPS, commands: COMMANDS, finalText: FINAL_TEXT } });
  const t0 = performance.now();
  const { id } = await createSession(server, repo, `${marker}: run the steps you are given, one command at a time.`);
  const rest = await waitForRest(server, id);
  const seconds = (performance.now() - t0) / 1000;
  const session = await getJson<{ status: string; model: string }>(server, `/api/sessions/${id}`);
  const events = await allEvents(server, id);
  writeResult("long-session", report(events, server.stub.requests, session.model, { mode: "server", status: rest.status, seconds: Math.round(seconds) }));
} finally {
  await server.stop();
}

// Integration-test harness: a runtime on the test database, a model stub, local repos, and
// helpers to drive sessions through the orchestrator exactly as the API does.
import { connectDb, db } from "../lib/db/client";
import { readEvents } from "../lib/events/store";
import type { SessionEvent, SessionStatus } from "../lib/events/schema";
import { startModelStub, type ModelStub } from "../lib/modelstub/server";
import type { Script } from "../lib/modelstub/script";
import { setRuntime } from "../lib/runtime/boot";
import { checkHealth } from "../lib/runtime/health";
import { Orchestrator } from "../lib/sessions/orchestrator";
import { DEFAULT_TEAM_ID, ensureDefaultTeam } from "../lib/sessions/team";
import { waitFor } from "./fixtures";

export const TEAM = DEFAULT_TEAM_ID;

export interface Harness {
  stub: ModelStub;
  orchestrator: Orchestrator;
  /** Simulates a server restart: closes channels (sandboxes keep running), then recovers. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const stub = await startModelStub();
  process.env.ANTHROPIC_BASE_URL = stub.url;
  process.env.ANTHROPIC_API_KEY = "test-key";
  connectDb(process.env.DATABASE_URL!);
  await ensureDefaultTeam();
  const h: Harness = {
    stub,
    orchestrator: new Orchestrator(),
    async restart() {
      // Only this harness's sessions: other test files run sessions in the same database at the
      // same time, and recovering theirs would take over their channels.
      const mine = h.orchestrator.liveIds();
      await h.orchestrator.shutdown();
      h.orchestrator = new Orchestrator();
      setRuntime({ orchestrator: h.orchestrator, health: () => checkHealth("external") });
      await h.orchestrator.recover(mine);
    },
    async close() {
      await h.orchestrator.shutdown();
      await stub.close();
    },
  };
  setRuntime({ orchestrator: h.orchestrator, health: () => checkHealth("external") });
  return h;
}

export function script(match: string, steps: Script["steps"]): Script {
  return { match, steps };
}

export async function allEvents(id: string): Promise<SessionEvent[]> {
  const out: SessionEvent[] = [];
  for (;;) {
    const batch = await readEvents(id, out.length ? out[out.length - 1].seq : 0, 5000);
    if (!batch.length) return out;
    out.push(...batch);
  }
}

export async function waitStatus(id: string, status: SessionStatus, timeoutMs = 90_000): Promise<void> {
  await waitFor(async () => {
    const row = await db().session.findUnique({ where: { id } });
    if (row?.status === "failed" && status !== "failed") throw new Error(`session failed: ${row.failureReason}`);
    return row?.status === status;
  }, `session ${id} to be ${status}`, timeoutMs);
}

/** Waits for the Nth status event equal to `status` (turns repeat idle). */
export async function waitStatusEvent(id: string, status: SessionStatus, nth = 1, timeoutMs = 90_000): Promise<SessionEvent[]> {
  return waitFor(async () => {
    const events = await allEvents(id);
    const failed = events.find((e) => e.type === "status" && e.data.status === "failed");
    if (failed && status !== "failed") throw new Error(`session failed: ${JSON.stringify(failed.data)}`);
    const n = events.filter((e) => e.type === "status" && e.data.status === status).length;
    return n >= nth ? events : null;
  }, `status event ${status} #${nth} of ${id}`, timeoutMs);
}

export function outputOf(events: SessionEvent[], callId?: string): string {
  return events
    .filter((e) => e.type === "tool.output" && (!callId || e.data.callId === callId))
    .map((e) => (e.type === "tool.output" ? e.data.text : ""))
    .join("");
}

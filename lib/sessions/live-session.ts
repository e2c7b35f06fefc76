// The host-side state of a session whose container may be running: its channel, the worker's
// pending command long-polls, and whether a stop was asked for.
import path from "node:path";
import { db } from "../db/client";
import { appendEvents } from "../events/store";
import type { NewEvent, SessionEvent } from "../events/schema";
import { publisher } from "../realtime/bus";
import type { WorkerCommand, WorkerConfig } from "../protocol/worker";
import { openChannel, type Channel } from "./channel";
import { toDto } from "./dto";

export class LiveSession {
  containerId: string | null = null;
  stopRequested = false;
  /** Why the stop was asked for, when it was not a person's click (shown with the status). */
  stopReason: string | undefined;
  private channel: Channel | null = null;
  private waiters = new Set<() => void>();
  private interrupt = false;

  constructor(
    readonly id: string,
    readonly runDir: string,
    private readonly workerConfig: () => WorkerConfig,
  ) {}

  /** Appends events to the log and publishes them (and the updated row) to watchers. */
  async append(events: NewEvent[], wids?: number[]): Promise<{ stored: SessionEvent[]; workerAck: number }> {
    const result = await appendEvents(this.id, events, { wids });
    if (result.stored.length) {
      publisher().events(this.id, result.stored);
      if (result.stored.some((e) => e.type === "status" || e.type === "usage" || e.type === "commit")) await this.publishRow();
    }
    if (result.stored.some((e) => e.type === "user.message")) this.wake();
    return result;
  }

  async publishRow(): Promise<void> {
    const row = await db().session.findUnique({ where: { id: this.id }, include: { createdBy: { select: { id: true, name: true } } } });
    if (row) publisher().session(toDto(row));
  }

  async openChannel(): Promise<void> {
    if (this.channel) return;
    this.channel = await openChannel(path.join(this.runDir, "host.sock"), {
      config: this.workerConfig,
      events: async (batch) => (await this.append(batch.events.map(({ wid: _w, ...e }) => e as NewEvent), batch.events.map((e) => e.wid))).workerAck,
      commands: (after, waitS, signal) => this.commands(after, waitS, signal),
      usage: async (event) => void (await this.append([event])),
    });
  }

  async closeChannel(): Promise<void> {
    const c = this.channel;
    this.channel = null;
    this.wake();
    await c?.close();
  }

  requestInterrupt(): void {
    this.interrupt = true;
    this.wake();
  }

  resetInterrupt(): void {
    this.interrupt = false;
  }

  private wake(): void {
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  private async commands(after: number, waitS: number, signal: AbortSignal): Promise<WorkerCommand[]> {
    const deadline = Date.now() + waitS * 1000;
    for (;;) {
      if (this.interrupt) return [{ kind: "interrupt", reason: this.stopReason }];
      const rows = await db().event.findMany({
        where: { sessionId: this.id, type: "user.message", seq: { gt: after } },
        orderBy: { seq: "asc" },
        take: 50,
      });
      if (rows.length || Date.now() >= deadline || signal.aborted) {
        return rows.map((r) => {
          const d = r.data as { text: string; author?: string };
          return { kind: "message", seq: r.seq, text: d.text, author: d.author };
        });
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.waiters.delete(done);
          signal.removeEventListener("abort", done);
          resolve();
        };
        const t = setTimeout(done, Math.max(0, deadline - Date.now()));
        this.waiters.add(done);
        signal.addEventListener("abort", done);
      });
    }
  }
}

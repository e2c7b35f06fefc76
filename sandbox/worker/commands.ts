// Commands from the host (user messages, workspace ops, interrupt), long-polled in the
// background so that an interrupt arrives while a turn runs, follow-ups queue up for the next
// step, and ops wait for the end of the turn.
import { WorkerCommandsSchema, type WorkerCommand } from "../../lib/protocol/worker";
import { backoff, sleep, type Channel } from "./channel";
import { Interrupted } from "./errors";

export type MessageCommand = Extract<WorkerCommand, { kind: "message" }>;
export type OpCommand = Extract<WorkerCommand, { kind: "op" }>;

const LONG_POLL_S = 25;

export class CommandQueue {
  private queued: MessageCommand[] = [];
  private ops: OpCommand[] = [];
  /** Ops already queued by this process: the host delivers an op again until it is reported. */
  private seenOps = new Set<string>();
  private wake: (() => void)[] = [];

  constructor(
    private readonly channel: Channel,
    /** Seq of the last message already taken; only later ones are fetched. */
    private after: number,
    private readonly onInterrupt: (reason?: string) => void,
    private readonly signal: AbortSignal,
  ) {}

  /** Starts the background long poll; it ends when the signal aborts. */
  start(): void {
    void (async () => {
      for (let attempt = 0; !this.signal.aborted; ) {
        try {
          await this.poll(LONG_POLL_S);
          attempt = 0;
        } catch {
          // Host unreachable or restarting: keep the queue and try again.
          await sleep(backoff(attempt++), this.signal).catch(() => undefined);
        }
      }
    })();
  }

  /** One quick poll (wait=0), so a message sent just now is seen before the next model call. */
  async pollNow(): Promise<void> {
    await this.poll(0).catch((err: unknown) => {
      if (this.signal.aborted) throw new Interrupted("aborted");
      process.stderr.write(`[worker] command poll failed (the background poll keeps trying): ${String(err)}\n`);
    });
  }

  /** Takes every queued message. */
  take(): MessageCommand[] {
    return this.queued.splice(0);
  }

  /** Takes every queued op, oldest first. */
  takeOps(): OpCommand[] {
    return this.ops.splice(0);
  }

  /** Waits until a message or an op is queued; throws Interrupted when the signal aborts. */
  async wait(): Promise<void> {
    while (!this.queued.length && !this.ops.length) {
      if (this.signal.aborted) throw new Interrupted("aborted");
      await new Promise<void>((resolve) => {
        const done = () => {
          this.signal.removeEventListener("abort", done);
          resolve();
        };
        this.wake.push(done);
        this.signal.addEventListener("abort", done, { once: true });
      });
    }
    if (this.signal.aborted) throw new Interrupted("aborted");
  }

  private async poll(wait: number): Promise<void> {
    const path = `/worker/commands?after=${this.after}&wait=${wait}`;
    const raw = await this.channel.once("GET", path, undefined, { signal: this.signal, timeoutMs: (wait + 15) * 1000 });
    const { commands } = WorkerCommandsSchema.parse(raw);
    for (const command of commands) {
      if (command.kind === "interrupt") {
        this.onInterrupt(command.reason);
        continue;
      }
      if (command.kind === "op") {
        if (!this.seenOps.has(command.id)) this.ops.push(command);
        this.seenOps.add(command.id);
        continue;
      }
      // Two polls can overlap (background and pollNow): a message counts once.
      if (command.seq <= this.after) continue;
      this.after = command.seq;
      this.queued.push(command);
    }
    for (const resolve of this.wake.splice(0)) resolve();
  }
}

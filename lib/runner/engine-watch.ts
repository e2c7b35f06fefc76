// Watches the Docker engine for the sessions' containers. The engine's event stream tells us at
// once when a container dies; it ends when the connection drops (engine restarted, socket proxy
// killed), so it is subscribed again with backoff, and every (re)subscription is followed by a
// full resync, because whatever died while nobody listened is in the engine's state, not in the
// stream. A periodic reconcile catches anything the stream still missed.
import type { Readable } from "node:stream";
import type Docker from "dockerode";
import { env } from "../config/env";
import { INSTANCE_LABEL, SESSION_LABEL } from "../sandbox/container";
import { docker, engineAddress, withTimeout } from "../sandbox/docker";

export interface EngineWatchHooks {
  /** The engine answers again (or for the first time): recover and reconcile everything. */
  resync(): Promise<void>;
  /** Inspect the containers being looked after and settle the dead ones. */
  reconcile(): Promise<void>;
  /** A container of ours died (from the event stream). */
  died(sessionId: string, containerId: string): void;
}

export interface EngineWatchOptions {
  /** The engine watched (its address; null: the default engine). */
  engine?: string | null;
  reconcileMs?: number;
  backoffMs?: number;
  backoffMaxMs?: number;
  log?: (line: string) => void;
}

export type EngineWatchState = { connected: boolean; since: Date; error?: string };

export class EngineWatch {
  private stopped = false;
  private stream: Readable | null = null;
  private timer: NodeJS.Timeout | undefined;
  private wakeSleep: (() => void) | null = null;
  private current: EngineWatchState = { connected: false, since: new Date() };
  private readonly reconcileMs: number;
  private readonly backoffMs: number;
  private readonly backoffMaxMs: number;
  private readonly log: (line: string) => void;
  private readonly engine: string | null;

  constructor(
    private readonly hooks: EngineWatchHooks,
    opts: EngineWatchOptions = {},
  ) {
    this.reconcileMs = opts.reconcileMs ?? 30_000;
    this.backoffMs = opts.backoffMs ?? 1000;
    this.backoffMaxMs = opts.backoffMaxMs ?? 30_000;
    this.log = opts.log ?? ((l) => console.log(l));
    this.engine = opts.engine ?? null;
  }

  /** Starts watching; resolves after the first attempt (and its resync when the engine answered). */
  start(): Promise<void> {
    let first!: () => void;
    const attempted = new Promise<void>((r) => (first = r));
    void this.loop(first);
    this.timer = setInterval(() => {
      if (!this.current.connected) return;
      this.hooks.reconcile().catch((err) => this.log(`[engine] reconcile: ${(err as Error).message}`));
    }, this.reconcileMs);
    this.timer.unref();
    return attempted;
  }

  state(): EngineWatchState {
    return this.current;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.stream?.destroy();
    this.wakeSleep?.();
  }

  private async loop(first: () => void): Promise<void> {
    let delay = this.backoffMs;
    while (!this.stopped) {
      try {
        // Only our containers' deaths (several Dockside instances may share an engine).
        const filters = { type: ["container"], event: ["die"], label: [`${INSTANCE_LABEL}=${env().dataDir}`] };
        const stream = (await withTimeout(docker(this.engine).getEvents({ filters } as unknown as Docker.GetEventsOptions), 10_000, "no answer")) as unknown as Readable;
        if (this.stopped) return void stream.destroy();
        this.stream = stream;
        const ended = this.consume(stream);
        const wasDown = this.current.error !== undefined;
        this.current = { connected: true, since: new Date() };
        delay = this.backoffMs;
        if (wasDown) this.log(`[engine] the Docker engine ${engineAddress(this.engine)} answers again: recovering sessions`);
        await this.hooks.resync().catch((err) => this.log(`[engine] resync: ${(err as Error).message}`));
        first();
        const why = await ended;
        if (this.stopped) return;
        this.down(why);
      } catch (err) {
        this.down((err as Error).message);
        first();
      }
      await this.sleep(delay);
      delay = Math.min(delay * 2, this.backoffMaxMs);
    }
  }

  private down(error: string): void {
    if (this.current.connected || this.current.error === undefined) this.log(`[engine] lost the event stream of the Docker engine ${engineAddress(this.engine)} (${error}); retrying`);
    this.current = { connected: false, since: this.current.connected ? new Date() : this.current.since, error };
    this.stream = null;
  }

  /** Resolves with why the stream ended. */
  private consume(stream: Readable): Promise<string> {
    return new Promise((resolve) => {
      let buf = "";
      stream.on("data", (chunk: Buffer) => {
        buf += chunk.toString("utf8");
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) this.event(line);
        }
      });
      stream.once("error", (err) => resolve(err.message));
      stream.once("end", () => resolve("the engine closed the event stream"));
      stream.once("close", () => resolve("the connection to the engine closed"));
    });
  }

  private event(line: string): void {
    try {
      const e = JSON.parse(line) as { id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
      const sessionId = e.Actor?.Attributes?.[SESSION_LABEL];
      const containerId = e.Actor?.ID ?? e.id;
      if (sessionId && containerId) this.hooks.died(sessionId, containerId);
    } catch {
      // Not an event (a partial line is kept in the buffer until its newline arrives).
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => ((this.wakeSleep = null), resolve()), ms);
      this.wakeSleep = () => (clearTimeout(t), (this.wakeSleep = null), resolve());
    });
  }
}

export interface EngineSetHooks {
  /** `engine`: the one that answers again (several engines), undefined with one engine. */
  resync(engine: string | undefined): Promise<void>;
  reconcile(engine: string | undefined): Promise<void>;
  died(sessionId: string, containerId: string): void;
  /** Several engines only: `engine` stayed unreachable past the grace period. */
  gone(engine: string, error: string): Promise<void>;
}

/**
 * One watcher per engine (events, resync, reconcile for that engine's sessions). With several
 * engines, one away longer than `graceS` is reported gone (again every few seconds while away:
 * `gone` must be idempotent) so its sessions can move; with one engine there is nowhere to go and
 * sessions wait for it as before.
 */
export class EngineSet {
  private readonly watches = new Map<string, EngineWatch>();
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly engines: string[],
    private readonly hooks: EngineSetHooks,
    private readonly opts: EngineWatchOptions & { graceS: number },
  ) {}

  start(): Promise<void> {
    const several = this.engines.length > 1;
    const started = this.engines.map((engine) => {
      const only = several ? engine : undefined;
      const watch = new EngineWatch(
        { resync: () => this.hooks.resync(only), reconcile: () => this.hooks.reconcile(only), died: (s, c) => this.hooks.died(s, c) },
        { ...this.opts, engine: several ? engine : null },
      );
      this.watches.set(engine, watch);
      return watch.start();
    });
    if (several) {
      const graceMs = this.opts.graceS * 1000;
      this.graceTimer = setInterval(() => {
        for (const [engine, w] of this.watches) {
          const st = w.state();
          if (st.connected || Date.now() - st.since.getTime() < graceMs) continue;
          this.hooks.gone(engine, st.error ?? "no answer").catch((err) => console.error(`[engine] ${engine} gone`, err));
        }
      }, Math.min(5000, graceMs / 4));
      this.graceTimer.unref();
    }
    return Promise.all(started).then(() => undefined);
  }

  stop(): void {
    clearInterval(this.graceTimer);
    for (const w of this.watches.values()) w.stop();
  }

  /** The default (first) engine's watcher state. */
  state(): EngineWatchState | undefined {
    return [...this.watches.values()][0]?.state();
  }

  states(): (EngineWatchState & { engine: string })[] {
    return [...this.watches].map(([engine, w]) => ({ engine, ...w.state() }));
  }
}

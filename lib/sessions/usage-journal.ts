// Usage of model calls is never lost: the call was forwarded and paid for, so its `usage` event
// must reach the log even when the database is away at that moment. Each one gets a key, is
// written ahead (fsync) to a host-only file in the session's directory (sessions/<id>/usage-pending/,
// never mounted in a sandbox), then appended; if the database is down it waits in a bounded
// in-memory queue retried with backoff, and a Dockside that crashes meanwhile replays the files
// at its next start. Stored exactly once: a retry or replay first looks for its key in the log
// (a failed commit may still have committed).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { db } from "../db/client";
import { isDatabaseUnavailable } from "../db/unavailable";
import { appendEvents } from "../events/store";
import type { NewEvent } from "../events/schema";
import { sessionPaths } from "../git/workspace";
import type { Unrecorded } from "./budget";

/** Queued entries per session kept in memory; past it the oldest wait on disk for a replay. */
export const MAX_QUEUED = 500;
const BACKOFF_MS = [500, 1000, 2000, 5000, 10_000, 30_000];

type Store = (event: NewEvent) => Promise<void>;
interface Pending {
  key: string;
  event: NewEvent;
  file?: string;
}

// Keys this process is storing: a replay must not race a journal's own retry of the same record.
const g = globalThis as unknown as { __docksideUsageInFlight?: Set<string> };
const inFlight = (g.__docksideUsageInFlight ??= new Set<string>());

export const pendingUsageDir = (dataDir: string, sessionId: string) => path.join(sessionPaths(dataDir, sessionId).root, "usage-pending");

/** One session's usage on its way to the log. */
export class UsageJournal {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private flushing: Promise<void> | null = null;
  // Cost known but not yet stored by this process, for the budget check (budget.ts).
  private readonly pending = new Map<string, Unrecorded>();

  constructor(
    private readonly sessionId: string,
    private readonly dir: string,
    private readonly store: Store,
    private readonly log: (line: string) => void = (l) => console.error(l),
  ) {}

  /**
   * Keeps `usage` (written ahead), then stores it now or as soon as the database is back. It is
   * counted by `unrecorded()` from this call on (synchronously) until it is stored or given up.
   * `afterSeq`: the session's last seq when the call was checked (its usage comes after it).
   */
  async record(usage: NewEvent, afterSeq = 0): Promise<void> {
    const key = crypto.randomUUID();
    // The key rides in the event's data (readers' zod schema drops it; the log keeps it).
    const event = { ...usage, data: { ...usage.data, key } } as unknown as NewEvent;
    inFlight.add(key);
    const cost = (usage.data as { costUsd?: unknown }).costUsd;
    this.pending.set(key, { key, costUsd: typeof cost === "number" && Number.isFinite(cost) ? cost : 0, afterSeq });
    const entry: Pending = { key, event, file: await writeAhead(this.dir, key, event, this.log) };
    try {
      await this.store(event);
      await this.done(entry);
    } catch (err) {
      if (!isDatabaseUnavailable(err)) return this.dropped(entry, err);
      this.enqueue(entry);
    }
  }

  private async done(entry: Pending): Promise<void> {
    this.pending.delete(entry.key);
    await removeFile(entry.file);
    inFlight.delete(entry.key);
  }

  /** Usage recorded but not known to be stored yet (its cost counts toward the budget). */
  unrecorded(): Unrecorded[] {
    return [...this.pending.values()];
  }

  /** Entries waiting in memory (the files hold them too). */
  get queued(): number {
    return this.queue.length;
  }

  /** Tries the queue now; resolves when this round is done (tests, shutdown). */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => (this.flushing = null));
    return this.flushing;
  }

  /** Stops retrying; what is queued stays on disk for a replay (the next start's). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const e of this.queue) inFlight.delete(e.key);
    this.queue = [];
    this.pending.clear();
  }

  private enqueue(entry: Pending): void {
    this.queue.push(entry);
    if (this.queue.length > MAX_QUEUED) {
      const old = this.queue.shift()!;
      inFlight.delete(old.key);
      // No longer tried by this process (the next start replays it): the budget check would be
      // stuck with it forever; checks fail anyway while the database is away.
      this.pending.delete(old.key);
      this.log(`[usage] ${this.sessionId}: more than ${MAX_QUEUED} usage records waiting for the database; the oldest waits on disk${old.file ? "" : " (and could not be written there: it is lost)"}`);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || !this.queue.length) return;
    const wait = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, wait);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const entry = this.queue[0];
      try {
        if (!(await usageStored(this.sessionId, entry.key))) await this.store(entry.event);
        await this.done(entry);
        this.queue.shift();
        this.attempt = 0;
      } catch (err) {
        if (!isDatabaseUnavailable(err)) {
          this.queue.shift();
          this.dropped(entry, err);
          continue;
        }
        this.attempt++;
        this.schedule();
        return;
      }
    }
  }

  // Not an outage (the session was deleted, say): retrying would not help; the file is kept for a person.
  private dropped(entry: Pending, err: unknown): void {
    inFlight.delete(entry.key);
    this.pending.delete(entry.key);
    this.log(`[usage] ${this.sessionId}: could not store usage ${entry.key}: ${(err as Error).message}${entry.file ? ` (kept in ${entry.file})` : ""}`);
  }
}

/** Is the usage with this key already in the session's log? */
export async function usageStored(sessionId: string, key: string): Promise<boolean> {
  const rows = await db().$queryRaw<{ n: number }[]>`
    SELECT 1 AS n FROM events WHERE session_id = ${sessionId} AND type = 'usage' AND data->>'key' = ${key} LIMIT 1`;
  return rows.length > 0;
}

/**
 * Stores usage left on disk by a Dockside that stopped during an outage (start-up, or when a
 * session's gateway opens), each once. Returns how many were stored now.
 */
export async function replayPendingUsage(dataDir: string, sessionId: string, store: Store = async (e) => void (await appendEvents(sessionId, [e]))): Promise<number> {
  const dir = pendingUsageDir(dataDir, sessionId);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith(".json")).sort();
  } catch {
    return 0;
  }
  let stored = 0;
  for (const name of names) {
    const file = path.join(dir, name);
    let event: NewEvent;
    try {
      event = JSON.parse(fs.readFileSync(file, "utf8")) as NewEvent;
    } catch {
      continue; // torn by the crash mid-write: it was never acknowledged as written ahead
    }
    const key = (event.data as { key?: unknown }).key;
    if (event.type !== "usage" || typeof key !== "string" || inFlight.has(key)) continue;
    inFlight.add(key);
    try {
      if (!(await usageStored(sessionId, key))) {
        await store(event);
        stored++;
      }
      await removeFile(file);
    } finally {
      inFlight.delete(key);
    }
  }
  return stored;
}

/** Every session's pending usage under the data directory (start-up). */
export async function replayAllPendingUsage(dataDir: string, log: (line: string) => void = (l) => console.log(l)): Promise<number> {
  let ids: string[];
  try {
    ids = fs.readdirSync(path.join(dataDir, "sessions")).filter((id) => fs.existsSync(pendingUsageDir(dataDir, id)));
  } catch {
    return 0;
  }
  let total = 0;
  for (const id of ids) {
    try {
      total += await replayPendingUsage(dataDir, id);
    } catch (err) {
      log(`[usage] ${id}: pending usage not stored yet: ${(err as Error).message}`);
    }
  }
  if (total) log(`[usage] stored ${total} usage record(s) kept on disk from before the restart`);
  return total;
}

// Written ahead and fsynced (file, then directory) before the append is tried. A disk too full
// for 1 KB is no reason to refuse the call's accounting: the append still goes on.
// Asynchronous: a synchronous fsync would stall every session's stream for as long as the disk takes.
async function writeAhead(dir: string, key: string, event: NewEvent, log: (line: string) => void): Promise<string | undefined> {
  const file = path.join(dir, `${Date.now().toString().padStart(15, "0")}-${key}.json`);
  const tmp = `${file}.tmp`;
  try {
    // The directory exists after the session's first call: made only when the open says it is missing.
    const fh = await fs.promises.open(tmp, "w", 0o600).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw err;
      await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
      return fs.promises.open(tmp, "w", 0o600);
    });
    try {
      await fh.writeFile(JSON.stringify(event));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, file);
    const dh = await fs.promises.open(dir, "r");
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
    return file;
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    log(`[usage] could not write usage ahead to ${dir}: ${(err as Error).message}`);
    return undefined;
  }
}

// Asynchronous: a synchronous unlink took ~3 ms of the event loop per model call on a busy disk.
async function removeFile(file: string | undefined): Promise<void> {
  if (file) await fs.promises.rm(file, { force: true });
}

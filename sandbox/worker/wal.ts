// The outbox's write-ahead log (outbox.log in the state dir): each event is written here when it
// is pushed, before it is sent, so a worker killed outright (SIGKILL, the OOM killer) resends at
// its next start whatever the host had not acknowledged. One JSON line per record:
//   {"next":N}              first line of each file: the next wid to hand out
//   {"wid":W,"type":...}    an event (a WorkerEvent)
//   {"wid":W,"more":"..."}  text coalesced into event W (always the last one, never yet sent)
//   {"ack":A}               the host holds every wid up to A (lost ones only cause resends)
// Lines are written synchronously: once push() returns, a killed process cannot lose the event
// (the kernel holds it). fdatasync runs once per batch, before the batch is sent (group commit),
// so the cost per event is one write(). Once the acknowledged part of the file outweighs the rest,
// the file is rewritten from what is unacknowledged, so it stays small.
import fs from "node:fs";
import path from "node:path";
import type { WorkerEvent } from "./outbox";

/** What a log holds: the next wid, and the events not known to be acknowledged, in wid order. */
export type Backlog = { nextWid: number; events: WorkerEvent[] };
export type Replayed = Backlog & { torn: boolean; skipped: number };

/** Acknowledged bytes worth a rewrite (and never less than what is still live). */
const COMPACT_BYTES = 4 * 1024 * 1024;
/** After a failed write, how long to wait before trying to rewrite the log. */
const RETRY_MS = 1000;

/** Rebuilds the backlog from a log's text; a torn last line (a kill mid-write) is ignored. */
export function replay(text: string): Replayed {
  const lines = text.split("\n");
  const tail = lines.pop();
  let nextWid = 1;
  let ack = 0;
  let skipped = 0;
  let events: WorkerEvent[] = [];
  for (const line of lines) {
    const rec = parseLine(line);
    if (!rec) {
      skipped++;
      continue;
    }
    if ("next" in rec) nextWid = Math.max(nextWid, rec.next);
    else if ("ack" in rec) {
      ack = Math.max(ack, rec.ack);
      events = events.filter((e) => e.wid > ack);
    } else if ("more" in rec) {
      const last = events[events.length - 1];
      if (last?.wid === rec.wid && (last.type === "tool.output" || last.type === "assistant.text" || last.type === "setup.output")) last.data.text += rec.more;
      else skipped++;
    } else if (rec.wid > ack) {
      events.push(rec);
      nextWid = Math.max(nextWid, rec.wid + 1);
    }
  }
  return { nextWid, events, torn: !!tail, skipped };
}

/** Reads a log; an absent one is empty. */
export function readLog(file: string): Replayed {
  if (!fs.existsSync(file)) return { nextWid: 1, events: [], torn: false, skipped: 0 };
  return replay(fs.readFileSync(file, "utf8"));
}

export class EventLog {
  private fd = -1;
  private size = 0;
  /** Where each unacknowledged event's first line starts: what precedes the first is garbage. */
  private starts: { wid: number; at: number }[] = [];
  private written = 0;
  private synced = 0;
  private syncing: Promise<void> | null = null;
  private brokenUntil = 0;
  private broken = false;

  /** Starts a fresh log holding `backlog` (the old file, torn tail and all, is replaced). */
  constructor(readonly file: string, backlog: Backlog) {
    this.rewrite(backlog);
  }

  /** Whether the file holds everything (false after a failed write, until a rewrite works). */
  get ok(): boolean {
    return !this.broken;
  }

  added(e: WorkerEvent): void {
    if (this.broken) return;
    this.starts.push({ wid: e.wid, at: this.size });
    this.write(JSON.stringify(e));
  }

  extended(wid: number, more: string): void {
    if (!this.broken) this.write(JSON.stringify({ wid, more }));
  }

  /** Records the host's ack and compacts when the acknowledged part dominates the file. */
  acked(ack: number, live: () => Backlog): void {
    let i = 0;
    while (i < this.starts.length && this.starts[i].wid <= ack) i++;
    this.starts.splice(0, i);
    if (this.broken) {
      if (Date.now() >= this.brokenUntil) this.rewrite(live());
      return;
    }
    this.write(JSON.stringify({ ack }));
    const garbage = this.starts.length ? this.starts[0].at : this.size;
    if (garbage >= COMPACT_BYTES && garbage >= this.size - garbage) this.compact(garbage, live);
  }

  /**
   * Drops the file's first `garbage` bytes (all acknowledged): the live lines are copied as they
   * are, behind a fresh `next` line, with no JSON work (a rewrite would serialise megabytes of
   * output again). Falls back to a rewrite from memory if the copy fails.
   */
  private compact(garbage: number, live: () => Backlog): void {
    const tmp = `${this.file}.new`;
    let fd = -1;
    try {
      fd = fs.openSync(tmp, "w+", 0o600);
      const head = Buffer.from(JSON.stringify({ next: live().nextWid }) + "\n");
      let size = writeAll(fd, head);
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(1, this.size - garbage)));
      for (let at = garbage; at < this.size; ) {
        const n = fs.readSync(this.fd, chunk, 0, Math.min(chunk.length, this.size - at), at);
        if (n <= 0) throw new Error("short read");
        size += writeAll(fd, chunk.subarray(0, n));
        at += n;
      }
      this.adopt(fd, tmp);
      fd = -1;
      const shift = head.length - garbage;
      this.starts = this.starts.map((s) => ({ wid: s.wid, at: s.at + shift }));
      this.size = size;
      this.synced = this.written;
    } catch {
      if (fd >= 0) fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      this.rewrite(live());
    }
  }

  /** Group commit: makes everything written so far durable (before a batch is sent). */
  async sync(): Promise<void> {
    if (this.broken || this.synced >= this.written) return;
    const target = this.written;
    const fd = this.fd;
    this.syncing = new Promise<void>((resolve) =>
      fs.fdatasync(fd, (err) => {
        if (err) this.fail("fdatasync", err);
        resolve();
      }),
    );
    await this.syncing;
    this.syncing = null;
    this.synced = Math.max(this.synced, target);
  }

  /** Synchronous sync for exit paths. */
  syncNow(): void {
    if (this.broken || this.synced >= this.written) return;
    try {
      fs.fdatasyncSync(this.fd);
      this.synced = this.written;
    } catch (err) {
      this.fail("fdatasync", err);
    }
  }

  /** Replaces the file with one holding only `backlog` (compaction, renumbering, recovery). */
  rewrite(backlog: Backlog): void {
    const tmp = `${this.file}.new`;
    let fd = -1;
    try {
      // Read back by compact(): opened for both.
      fd = fs.openSync(tmp, "w+", 0o600);
      const starts: { wid: number; at: number }[] = [];
      let size = 0;
      const lines: string[] = [JSON.stringify({ next: backlog.nextWid })];
      for (const e of backlog.events) lines.push(JSON.stringify(e));
      // Written in chunks of about 1 MB: one string of an 8 MB backlog would be needlessly large.
      let chunk = "";
      let at = 0;
      lines.forEach((line, i) => {
        if (i > 0) starts.push({ wid: backlog.events[i - 1].wid, at });
        chunk += line + "\n";
        at += Buffer.byteLength(line) + 1;
        if (chunk.length < 1 << 20 && i < lines.length - 1) return;
        size += writeAll(fd, Buffer.from(chunk));
        chunk = "";
      });
      this.adopt(fd, tmp);
      fd = -1;
      this.size = size;
      this.starts = starts;
      this.synced = this.written;
      this.broken = false;
    } catch (err) {
      if (fd >= 0) fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      this.fail("rewrite", err);
    }
  }

  /** Makes the file written at `tmp` (open as `fd`) the log: durable first, then renamed over the old one. */
  private adopt(fd: number, tmp: string): void {
    fs.fdatasyncSync(fd);
    fs.renameSync(tmp, this.file);
    syncDir(path.dirname(this.file));
    this.closeLater(this.fd);
    this.fd = fd;
  }

  private write(line: string): void {
    try {
      // Encoded by the write itself (no Buffer copy of megabytes of output per event); a short
      // write (not expected of a regular file) writes the rest from a buffer.
      const text = line + "\n";
      const bytes = Buffer.byteLength(text);
      const n = fs.writeSync(this.fd, text);
      if (n < bytes) writeAll(this.fd, Buffer.from(text).subarray(n));
      this.size += bytes;
      this.written++;
    } catch (err) {
      this.fail("write", err);
    }
  }

  // The session goes on without durability rather than stop; the next rewrite repairs the file.
  private fail(what: string, err: unknown): void {
    if (!this.broken) process.stderr.write(`[worker] event log ${what} failed (events are kept in memory until it works again): ${(err as Error).message}\n`);
    this.broken = true;
    this.brokenUntil = Date.now() + RETRY_MS;
  }

  // A sync in flight still uses the old descriptor.
  private closeLater(fd: number): void {
    if (fd < 0) return;
    void (this.syncing ?? Promise.resolve()).finally(() => fs.close(fd, () => {}));
  }
}

type Line = WorkerEvent | { next: number } | { ack: number } | { wid: number; more: string };

function parseLine(line: string): Line | null {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return null;
  }
  if (!rec || typeof rec !== "object") return null;
  const r = rec as Record<string, unknown>;
  if (isCount(r.next)) return { next: r.next };
  if (isCount(r.ack)) return { ack: r.ack };
  if (!isCount(r.wid) || r.wid < 1) return null;
  if (typeof r.more === "string") return { wid: r.wid, more: r.more };
  if (typeof r.type === "string" && r.data && typeof r.data === "object") return rec as WorkerEvent;
  return null;
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

function writeAll(fd: number, buf: Buffer): number {
  let off = 0;
  while (off < buf.length) {
    const n = fs.writeSync(fd, buf, off);
    if (n <= 0) throw new Error("short write");
    off += n;
  }
  return buf.length;
}

function syncDir(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

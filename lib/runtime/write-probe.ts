// Can Dockside still write? Free space alone does not say (a full inode table, a read-only
// remount, a quota): this writes and fsyncs a small new file in the data directory and has the
// database commit a transaction, and keeps the last answer for /api/health.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { db } from "../db/client";
import { databaseOutage } from "../db/unavailable";
import { ioReason, isNoSpace } from "./io-reason";

export interface WriteProbe {
  ok: boolean;
  /** The directory probed. */
  path: string;
  checkedAt: string;
  /** Why writes fail: "no space left on the device at <dir>", or the database's complaint. */
  error?: string;
}

const g = globalThis as unknown as { __docksideWriteProbe?: WriteProbe };

/** The last probe's answer (undefined before the first). */
export function lastWriteProbe(): WriteProbe | undefined {
  return g.__docksideWriteProbe;
}

/** Writes, fsyncs and removes a new 4 KB file in `dir`, then has the database commit a write. */
export async function probeWrites(dir: string): Promise<WriteProbe> {
  const checkedAt = new Date().toISOString();
  let error = await probeFile(dir);
  // An outage is the database's own story (health says so); the disk is judged by the file.
  if (!error && !databaseOutage()) error = await probeDatabase();
  const result: WriteProbe = { ok: !error, path: dir, checkedAt, ...(error ? { error } : {}) };
  g.__docksideWriteProbe = result;
  return result;
}

async function probeFile(dir: string): Promise<string | undefined> {
  // A new file each time: rewriting an existing one reuses its blocks and passes on a full disk.
  const file = path.join(dir, `.write-probe-${crypto.randomBytes(4).toString("hex")}`);
  let fh: fs.promises.FileHandle | undefined;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fh = await fs.promises.open(file, "wx", 0o600);
    await fh.write(crypto.randomBytes(4096));
    await fh.sync();
    return undefined;
  } catch (err) {
    return isNoSpace(err) ? `no space left on the device at ${dir}` : `writes fail at ${dir}: ${ioReason(err)}`;
  } finally {
    await fh?.close().catch(() => {});
    await fs.promises.rm(file, { force: true }).catch(() => {});
  }
}

// txid_current() gives the transaction an id, so its commit writes and flushes a WAL record.
async function probeDatabase(): Promise<string | undefined> {
  try {
    await db().$transaction(async (tx) => tx.$queryRaw`SELECT txid_current()`);
    return undefined;
  } catch (err) {
    if (databaseOutage()) return undefined;
    return isNoSpace(err) ? "the database cannot write: no space left on its device" : `the database cannot write: ${ioReason(err)}`;
  }
}

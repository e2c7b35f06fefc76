// The backup file: one tar (GNU tar, as on every Debian/Ubuntu) holding
//   manifest.json  format, version, what is inside, the database's migrations, tables and sequences
//   db/<table>.copy  each table as COPY text (dump.ts)
//   files/...      the data directory's durable parts, at their paths in it
import { spawn } from "node:child_process";
import { z } from "zod";
import { AppError } from "../errors";
import { DatabaseManifest } from "./dump";

export const FORMAT = "dockside-backup";
export const VERSION = 1;

export const Manifest = z.object({
  format: z.literal(FORMAT),
  version: z.number().int(),
  createdAt: z.string(),
  /** The data directory the backup was taken from: host.git repositories name paths in it. */
  dataDir: z.string(),
  database: DatabaseManifest,
  files: z.object({ paths: z.array(z.string()), environments: z.boolean(), sessionImages: z.boolean() }),
});
export type Manifest = z.infer<typeof Manifest>;

/** Runs tar; exit 1 ("a file changed as we read it": a live data directory) is accepted when `live`. */
export function tar(args: string[], opts: { live?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("tar", args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => void (stderr = (stderr + c.toString()).slice(-4000)));
    child.on("error", (err) => reject(new AppError("unavailable", `tar could not run (${err.message}): install GNU tar`)));
    child.on("close", (code) => {
      if (code === 0 || (code === 1 && opts.live)) return resolve();
      reject(new AppError("internal", `tar ${args[0]} failed (exit ${code}): ${stderr.trim() || "no message"}`));
    });
  });
}

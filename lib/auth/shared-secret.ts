// Several instances on one database must sign and read the same cookies and sealed credentials.
// Without DOCKSIDE_SECRET, the first instance's generated secret is stored in PostgreSQL and every
// instance (and restore) adopts it into its data directory, where authSecret() reads it.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";
import { db } from "../db/client";

const ID = "auth";

/** Called at start, after the database is migrated and connected. */
export async function adoptSharedSecret(): Promise<"env" | "stored" | "adopted"> {
  if (process.env.DOCKSIDE_SECRET ?? process.env.BETTER_AUTH_SECRET) return "env";
  const file = path.join(env().dataDir, "secret");
  const local = readSecret(file) ?? crypto.randomBytes(32).toString("base64url");
  // The first instance's secret wins (an install that had a file keeps it: it is stored first).
  await db().serverSecret.createMany({ data: [{ id: ID, value: local }], skipDuplicates: true });
  const shared = (await db().serverSecret.findUniqueOrThrow({ where: { id: ID } })).value;
  if (shared === readSecret(file)) return "stored";
  fs.mkdirSync(env().dataDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, shared, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return "adopted";
}

function readSecret(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8").trim() || null;
  } catch {
    return null;
  }
}

// The server secret (cookie signing, better-auth): DOCKSIDE_SECRET or BETTER_AUTH_SECRET when set,
// otherwise generated once and kept in the data directory, so embedded installs need no setup.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";

export function authSecret(): string {
  const fromEnv = process.env.DOCKSIDE_SECRET ?? process.env.BETTER_AUTH_SECRET;
  if (fromEnv) return fromEnv;
  const file = path.join(env().dataDir, "secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(env().dataDir, { recursive: true });
    const secret = crypto.randomBytes(32).toString("base64url");
    try {
      fs.writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
    } catch {
      return fs.readFileSync(file, "utf8").trim(); // another process wrote it first
    }
    return secret;
  }
}

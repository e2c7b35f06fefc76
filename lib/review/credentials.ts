// Push tokens of registered repositories, sealed at rest (AES-256-GCM, key derived from the server
// secret) on the Repository row. They are used only by host-side git, passed through the
// environment, never to a sandbox.
import crypto from "node:crypto";
import { authSecret } from "../auth/secret";
import { db } from "../db/client";
import { repoKey } from "../git/repo-source";

const key = () => crypto.createHash("sha256").update(`dockside-repo-credentials:${authSecret()}`).digest();

export function seal(plain: string): string {
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv("aes-256-gcm", key(), iv);
  const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
  return [iv, c.getAuthTag(), body].map((b) => b.toString("base64url")).join(".");
}

export function open(sealed: string): string {
  const [iv, tag, body] = sealed.split(".").map((p) => Buffer.from(p, "base64url"));
  const d = crypto.createDecipheriv("aes-256-gcm", key(), iv);
  d.setAuthTag(tag);
  return Buffer.concat([d.update(body), d.final()]).toString("utf8");
}

/** Git environment that authenticates https pushes to `repo` with the team's registration, or {} when it has no token. */
export async function credentialEnv(teamId: string, repo: string): Promise<Record<string, string>> {
  if (!repo.startsWith("https://")) return {};
  const row = await db().repository.findUnique({ where: { teamId_location: { teamId, location: repoKey(repo) } }, select: { pushSecret: true } });
  if (!row?.pushSecret) return {};
  const basic = Buffer.from(`x-access-token:${open(row.pushSecret)}`).toString("base64");
  return { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "http.extraHeader", GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` };
}

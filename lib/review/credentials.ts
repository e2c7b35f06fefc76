// Per-repository push credentials, encrypted at rest (AES-256-GCM, key derived from the server
// secret). They are used only by host-side git, passed through the environment, never to a sandbox.
import crypto from "node:crypto";
import { authSecret } from "../auth/secret";
import { db } from "../db/client";

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

export async function setRepoCredential(teamId: string, repo: string, token: string): Promise<void> {
  const secret = seal(token);
  await db().repoCredential.upsert({ where: { teamId_repo: { teamId, repo } }, update: { secret }, create: { id: crypto.randomUUID(), teamId, repo, secret } });
}

/** Git environment that authenticates https pushes to `repo`, or {} when none is stored. */
export async function credentialEnv(teamId: string, repo: string): Promise<Record<string, string>> {
  const row = await db().repoCredential.findUnique({ where: { teamId_repo: { teamId, repo } } });
  if (!row) return {};
  const basic = Buffer.from(`x-access-token:${open(row.secret)}`).toString("base64");
  return { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "http.extraHeader", GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` };
}

// Registers a local repository to the default test team with environment settings, the way an
// admin would in Settings (the secrets through the same operation the API uses).
import { env } from "../lib/config/env";
import { db } from "../lib/db/client";
import { applySecrets } from "../lib/environments/secrets";
import { parseRepoSource } from "../lib/git/repo-source";
import { registerRepository } from "../lib/repos/register-repository";
import { TEAM } from "./session-harness";

export interface EnvironmentSettings {
  setupScript?: string;
  egress?: object;
  secrets?: Record<string, string | { value: string; agent: boolean }>;
}

export async function registerWithEnvironment(origin: string, settings: EnvironmentSettings): Promise<string> {
  const repo = await registerRepository({ teamId: TEAM, actor: null, source: parseRepoSource(origin, env().repoRoots) });
  await db().repository.update({ where: { id: repo.id }, data: { setupScript: settings.setupScript ?? null, egress: settings.egress ?? undefined } });
  if (settings.secrets) await db().$transaction((tx) => applySecrets(tx as never, TEAM, repo.id, settings.secrets!));
  return repo.id;
}

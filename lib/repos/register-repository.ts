// Registering a repository to a team: from Settings → Repositories (addRepository) or when an
// admin starts a session on a repository the team has not registered yet (registerRepository).
import crypto from "node:crypto";
import path from "node:path";
import { recordAudit } from "../audit/record";
import type { Access } from "../auth/authorize";
import { db } from "../db/client";
import type { Repository } from "../db/generated/client";
import { AppError } from "../errors";
import { parseRepoSource, probeRepo, type RepoSource } from "../git/repo-source";
import type { CreateRepositoryInput } from "../protocol/repos";

export interface RegisterOptions {
  teamId: string;
  actor: { id: string; name: string } | null;
  source: RepoSource;
  name?: string;
  protectedBranches?: string[];
}

const TAKEN = "this repository is registered to another team: a local repository belongs to one team only; ask the people who use it to work in their team, or clone it to a path of your own";

/** Checks that another team does not hold this local path (the answer never says which team). */
export async function assertNotHeldElsewhere(teamId: string, source: RepoSource): Promise<void> {
  if (source.kind !== "local") return;
  const other = await db().repository.findFirst({ where: { kind: "local", location: source.key, teamId: { not: teamId } }, select: { id: true } });
  if (other) throw new AppError("conflict", TAKEN);
  // A directory above a registered repository would reach into it (its working tree, its .git).
  const inside = await db().repository.findFirst({ where: { kind: "local", location: { startsWith: source.key.endsWith("/") ? source.key : `${source.key}/` } }, select: { id: true } });
  if (inside) throw new AppError("conflict", "this directory contains a registered repository: register that repository itself, not a directory above it");
}

/** Stores the registration (the caller has probed the source); 409 when it exists or another team holds the path. */
export async function registerRepository(o: RegisterOptions): Promise<Repository> {
  await assertNotHeldElsewhere(o.teamId, o.source);
  const existing = await db().repository.findUnique({ where: { teamId_location: { teamId: o.teamId, location: o.source.key } } });
  if (existing) throw new AppError("conflict", `${o.source.display} is already registered to your team (as "${existing.name}")`);
  let row: Repository;
  try {
    row = await db().repository.create({
      data: {
        id: crypto.randomUUID(),
        teamId: o.teamId,
        kind: o.source.kind,
        location: o.source.key,
        source: o.source.location,
        name: o.name ?? defaultName(o.source.key),
        protectedBranches: o.protectedBranches ?? [],
        createdById: o.actor?.id ?? null,
      },
    });
  } catch (err) {
    // Two registrations at once: the unique indexes decide; the loser is told as above.
    if ((err as { code?: string }).code === "P2002") throw new AppError("conflict", o.source.kind === "local" ? TAKEN : `${o.source.display} is already registered to your team`);
    throw err;
  }
  await recordAudit({ teamId: o.teamId, actor: o.actor, action: "repo.registered", targetType: "repository", targetId: row.id, data: { location: row.location } });
  return row;
}

/** POST /api/repos: parses and probes the repository, then registers it. */
export async function addRepository(access: Access, input: CreateRepositoryInput): Promise<Repository> {
  const source = parseRepoSource(input.repo);
  await assertNotHeldElsewhere(access.teamId, source);
  await probeRepo(source);
  return registerRepository({ teamId: access.teamId, actor: access.caller.user, source, name: input.name, protectedBranches: input.protectedBranches });
}

const defaultName = (key: string) => path.posix.basename(key) || key;

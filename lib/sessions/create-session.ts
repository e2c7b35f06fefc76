// Validates a new session's input against the real repository before anything is stored, so a
// bad URL, path or branch is refused at once with a message a person can act on.
import crypto from "node:crypto";
import { env } from "../config/env";
import { db } from "../db/client";
import { AppError } from "../errors";
import { checkBranchName, parseRepoSource, probeRepo, type RepoSource } from "../git/repo-source";
import type { CreateSessionInput } from "../protocol/api";
import { engineStatus } from "../sandbox/docker";

const ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

export function newSessionId(): string {
  const bytes = crypto.randomBytes(12);
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

export interface PreparedSession {
  id: string;
  source: RepoSource;
}

/** Checks the input and inserts the session row (status queued). */
export async function insertSession(teamId: string, input: CreateSessionInput, createdById?: string): Promise<PreparedSession> {
  const e = env();
  const source = parseRepoSource(input.repo, e.repoRoots);
  if (input.baseBranch !== undefined) await checkBranchName(input.baseBranch);
  const engine = await engineStatus();
  if (!engine.ok) throw new AppError("unavailable", `The Docker engine is unreachable at ${engine.address} (${engine.error}); sessions cannot start until it is back.`);
  const info = await probeRepo(source);
  const baseBranch = input.baseBranch ?? info.defaultBranch;
  if (!baseBranch) throw new AppError("invalid", `${source.display} has no default branch; choose a base branch`);
  if (!info.branches.has(baseBranch)) {
    const known = [...info.branches.keys()].slice(0, 10).join(", ") || "none";
    throw new AppError("invalid", `branch "${baseBranch}" does not exist in ${source.display} (branches: ${known})`);
  }
  const id = newSessionId();
  await db().session.create({
    data: {
      id,
      teamId,
      repo: source.display,
      baseBranch,
      branch: `dockside/${id.slice(0, 8)}`,
      prompt: input.prompt,
      model: input.model ?? e.DOCKSIDE_MODEL,
      status: "queued",
      createdById,
    },
  });
  return { id, source };
}

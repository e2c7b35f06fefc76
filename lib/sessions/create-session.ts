// Validates a new session's input against the real repository before anything is stored, so a
// bad URL, path or branch is refused at once with a message a person can act on. The repository
// must be registered to the team (an admin's first session registers it) and the person must be
// within the session limits.
import crypto from "node:crypto";
import { can, Role } from "../auth/roles";
import { env } from "../config/env";
import { db } from "../db/client";
import { AppError } from "../errors";
import { checkBranchName, parseRepoSource, probeRepo, type RepoSource } from "../git/repo-source";
import type { CreateSessionInput } from "../protocol/api";
import { assertNotHeldElsewhere, registerRepository } from "../repos/register-repository";
import { modelInfo } from "../models/table";
import { engineLoads } from "../sandbox/engines";
import { checkSessionLimits, lockSessionQuota } from "./session-limits";
import { storedMode } from "../approvals/stored";
import { DEFAULT_MODE } from "../protocol/permissions";

const ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

export function newSessionId(): string {
  const bytes = crypto.randomBytes(12);
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

export interface PreparedSession {
  id: string;
  source: RepoSource;
}

/**
 * Checks the input and inserts the session row (status queued). Without `createdById` the caller is
 * Dockside itself (tests, tools): it may register and is not limited. `routineId`: a routine's run.
 */
export async function insertSession(teamId: string, input: CreateSessionInput, createdById?: string, routineId?: string): Promise<PreparedSession> {
  const e = env();
  if (createdById) await checkSessionLimits(createdById);
  const source = parseRepoSource(input.repo);
  let registration = await db().repository.findUnique({ where: { teamId_location: { teamId, location: source.key } } });
  const actor = registration ? null : await mayRegister(teamId, source, createdById);
  if (input.baseBranch !== undefined) await checkBranchName(input.baseBranch);
  const model = input.model ?? e.DOCKSIDE_MODEL;
  checkThinking(model, input.thinkingBudget);
  // Several engines: refused only when none answers (placement picks one that does).
  const loads = await engineLoads();
  if (!loads.some((l) => l.reachable)) {
    throw new AppError("unavailable", `The Docker engine is unreachable at ${loads.map((l) => l.engine).join(", ")} (${loads.map((l) => l.error).filter(Boolean).join("; ")}); sessions cannot start until it is back.`);
  }
  const info = await probeRepo(source);
  const baseBranch = input.baseBranch ?? info.defaultBranch;
  if (!baseBranch) throw new AppError("invalid", `${source.display} has no default branch; choose a base branch`);
  if (!info.branches.has(baseBranch)) {
    const known = [...info.branches.keys()].slice(0, 10).join(", ") || "none";
    throw new AppError("invalid", `branch "${baseBranch}" does not exist in ${source.display} (branches: ${known})`);
  }
  // Two first sessions on one repository at once: the second finds the first's registration.
  registration ??= await registerRepository({ teamId, actor: actor ?? null, source }).catch(async (err: unknown) => {
    const now = await db().repository.findUnique({ where: { teamId_location: { teamId, location: source.key } } });
    if (now) return now;
    throw err;
  });
  const id = newSessionId();
  const repositoryId = registration.id;
  // A session without its own budget gets the team's default, fixed at creation (changing the
  // default later leaves running sessions as they are).
  const team = await db().team.findUnique({ where: { id: teamId }, select: { defaultBudgetUsd: true, defaultMode: true } });
  const budgetUsd = input.budgetUsd ?? team?.defaultBudgetUsd ?? null;
  // The mode asked for, else the repository's default, else the team's, else auto.
  const mode = input.mode ?? storedMode(registration.defaultMode) ?? storedMode(team?.defaultMode) ?? DEFAULT_MODE;
  await db().$transaction(async (tx) => {
    if (createdById) {
      await lockSessionQuota(tx, createdById);
      await checkSessionLimits(createdById, tx);
    }
    await tx.session.create({
      data: {
        id,
        teamId,
        repo: source.display,
        repositoryId,
        baseBranch,
        branch: `dockside/${id.slice(0, 8)}`,
        prompt: input.prompt,
        model,
        status: "queued",
        budgetUsd,
        thinkingBudget: input.thinkingBudget ?? null,
        mode,
        createdById,
        routineId,
      },
    });
  });
  return { id, source };
}

/** A thinking budget must fit the model: it supports thinking, and the budget leaves room for the answer. */
function checkThinking(model: string, budget: number | undefined): void {
  if (budget === undefined) return;
  const info = modelInfo(model);
  if (!info.thinking) throw new AppError("invalid", `${info.label} cannot use extended thinking here; choose a model that can, or leave the thinking budget empty`);
  const ceiling = Math.min(info.maxOutput, env().DOCKSIDE_MAX_OUTPUT_TOKENS);
  if (budget >= ceiling) throw new AppError("invalid", `the thinking budget must be below ${ceiling.toLocaleString("en-US")} tokens (the most ${info.label} may write per answer on this host)`);
}

/** Who registers a repository the team lacks: an admin or owner (or Dockside itself); a member is told to ask. */
async function mayRegister(teamId: string, source: RepoSource, userId?: string): Promise<{ id: string; name: string } | undefined> {
  await assertNotHeldElsewhere(teamId, source);
  if (!userId) return undefined;
  const m = await db().member.findUnique({ where: { teamId_userId: { teamId, userId } }, include: { user: { select: { name: true } } } });
  const role = Role.safeParse(m?.role);
  if (!m || !role.success || !can(role.data, "repo.manage")) {
    throw new AppError("forbidden", "this repository is not registered to your team: ask an admin to add it in Settings → Repositories");
  }
  return { id: userId, name: m.user.name };
}

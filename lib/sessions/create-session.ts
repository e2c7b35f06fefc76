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
import { mcpSnapshot } from "../mcp/settings";
import { checkSessionLimits, lockSessionQuota } from "./session-limits";
import { storedMode } from "../approvals/stored";
import { DEFAULT_MODE } from "../protocol/permissions";
import type { WarmSlot } from "../sandbox/warm-pool";
import { refreshMirror } from "./prepare-workspace";

const ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

export function newSessionId(): string {
  const bytes = crypto.randomBytes(12);
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

export interface PreparedSession {
  id: string;
  source: RepoSource;
  /** The repository's mirror, refreshed while the input was checked (the launch uses it). */
  mirror?: Promise<string>;
  /** The uid the session's sandbox runs as (its filesystem is made for it). */
  sandboxUid: number;
}

/** What the orchestrator starts ahead of the launch while the input is checked. */
export interface LaunchAhead {
  /** A warm-pool sandbox being claimed: the session takes its reserved id and uid. */
  claimed?: Promise<WarmSlot | null>;
  /** Refresh the repository's mirror now (the launch that follows uses it). */
  refreshMirror?: boolean;
}

/**
 * Checks the input and inserts the session row (status queued). Without `createdById` the caller is
 * Dockside itself (tests, tools): it may register and is not limited. `routineId`: a routine's run.
 */
export async function insertSession(teamId: string, input: CreateSessionInput, createdById?: string, routineId?: string, launch: LaunchAhead = {}): Promise<PreparedSession> {
  const e = env();
  const source = parseRepoSource(input.repo);
  // The limits are read alongside the registration; a person over them is still told that first.
  const [limits, found] = await Promise.all([createdById ? settle(checkSessionLimits(createdById)) : undefined, db().repository.findUnique({ where: { teamId_location: { teamId, location: source.key } } })]);
  if (limits && "err" in limits) throw limits.err;
  let registration = found;
  const actor = registration ? null : await mayRegister(teamId, source, createdById);
  const model = input.model ?? e.DOCKSIDE_MODEL;
  checkThinking(model, input.thinkingBudget);
  // A registered repository's mirror is refreshed from its origin while the rest is checked: the
  // launch would fetch it next (a refused session has refreshed a mirror of its team's, nothing more).
  const mirror = registration && launch.refreshMirror ? refreshMirror(teamId, registration.id, source.display) : undefined;
  mirror?.catch(() => {}); // the launch awaits it (and tries again if it failed)
  // Once the caller may use the repository, the engine, git and database round trips run at once
  // (each is milliseconds to tens of milliseconds of a session's start); their errors are reported
  // in the order they were before.
  const [named, loads, probed, team, mcpKnown] = await Promise.all([
    input.baseBranch !== undefined ? settle(checkBranchName(input.baseBranch)) : undefined,
    // Reachability only: placement (at launch) counts the sandboxes, where there is a choice to make.
    engineLoads({ counts: false }),
    settle(probeRepo(source)),
    db().team.findUnique({ where: { id: teamId }, select: { defaultBudgetUsd: true, defaultMode: true } }),
    registration ? mcpSnapshot(teamId, registration.id) : undefined,
  ]);
  if (named && "err" in named) throw named.err;
  // Several engines: refused only when none answers (placement picks one that does).
  if (!loads.some((l) => l.reachable)) {
    throw new AppError("unavailable", `The Docker engine is unreachable at ${loads.map((l) => l.engine).join(", ")} (${loads.map((l) => l.error).filter(Boolean).join("; ")}); sessions cannot start until it is back.`);
  }
  if ("err" in probed) throw probed.err;
  const info = probed.ok;
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
  // A warm-pool sandbox (lib/sandbox/warm-pool.ts) was made for the id and uid it reserved.
  const warm = await launch.claimed;
  const id = warm?.sessionId ?? newSessionId();
  const repositoryId = registration.id;
  // A session without its own budget gets the team's default, fixed at creation (changing the
  // default later leaves running sessions as they are).
  const budgetUsd = input.budgetUsd ?? team?.defaultBudgetUsd ?? null;
  // The mode asked for, else the repository's default, else the team's, else auto.
  const mode = input.mode ?? storedMode(registration.defaultMode) ?? storedMode(team?.defaultMode) ?? DEFAULT_MODE;
  const mcpServers = mcpKnown ?? (await mcpSnapshot(teamId, repositoryId)); // fixed at creation: later edits never change a session's tools
  const { sandboxUid } = await db().$transaction(async (tx) => {
    if (createdById) {
      await lockSessionQuota(tx, createdById);
      await checkSessionLimits(createdById, tx);
    }
    return tx.session.create({
      select: { sandboxUid: true },
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
        ...(warm ? { sandboxUid: warm.sandboxUid, containerId: warm.containerId, engine: warm.engine } : {}),
        mcpServers,
      },
    });
  });
  return { id, source, mirror, sandboxUid };
}

/** A promise's outcome without rejecting, so several can run at once and fail in a set order. */
function settle<T>(p: Promise<T>): Promise<{ ok: T } | { err: unknown }> {
  return p.then(
    (ok) => ({ ok }),
    (err: unknown) => ({ err }),
  );
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

// Shipping a session branch: merge into the base (merge commit, squash or fast-forward), push
// the branch, or hand the agent the current base to rebase onto. All of it happens in the
// session's host-owned repository (host.git), which already holds the branch as received from
// the worker: the origin's base is fetched into it (through the repository's mirror, whose objects
// host.git borrows; there is no separate merge repository), the merge is computed there with
// `git merge-tree` (nothing is touched when it conflicts), and the result is pushed without force,
// so a base that moved meanwhile is refused rather than overwritten.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";
import { AppError } from "../errors";
import { HOST_GIT, hasHostRepo, hostBranchHead, writeBundle } from "../git/host-repo";
import { ensureMirror } from "../git/mirror";
import { parseRepoSource } from "../git/repo-source";
import { git, gitReason, type GitOptions } from "../git/run";
import { sessionPaths } from "../git/workspace";
import { credentialEnv } from "./credentials";

export interface ShipContext {
  sessionId: string;
  teamId: string;
  repo: string;
  baseBranch: string;
  branch: string;
  /** The session's registration: the origin's base comes through its mirror (lib/git/mirror.ts). */
  repositoryId?: string | null;
}

export class MergeConflict extends AppError {
  constructor(readonly conflicts: string[]) {
    super("conflict", `the merge cannot apply: ${conflicts.length} conflicting file(s): ${conflicts.join(", ")}. Nothing was changed; ask the agent to rebase onto the current base.`, { details: { conflicts } });
  }
}

async function run(args: string[], o: GitOptions = {}): Promise<string> {
  const r = await git(args, { timeoutMs: 5 * 60_000, ...o });
  if (r.code !== 0) throw new AppError("conflict", `git ${args.find((a) => !a.startsWith("-") && !a.includes("=")) ?? ""} failed: ${gitReason(r)}`);
  return r.stdout.trim();
}

// One host git command at a time fetches into a session's host.git (a merge and a mergeability
// check both move refs/dockside/origin; git refuses a ref another fetch holds locked).
const queues = new Map<string, Promise<unknown>>();
function serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const next = (queues.get(key) ?? Promise.resolve()).catch(() => {}).then(fn);
  queues.set(key, next);
  void next.finally(() => queues.get(key) === next && queues.delete(key)).catch(() => {});
  return next;
}

/**
 * Fetches the origin's current base into host.git; returns it and the session branch's head.
 * With a registration, the repository's mirror is refreshed from the origin and host.git takes the
 * base from it (it borrows the mirror's objects: refs only); otherwise straight from the origin.
 */
export function prepare(c: ShipContext): Promise<{ ship: string; source: string; creds: Record<string, string>; base: string; head: string }> {
  return serial(c.sessionId, async () => {
    const ship = sessionPaths(env().dataDir, c.sessionId).hostRepo;
    const head = await hostBranchHead(ship, c.branch);
    if (!hasHostRepo(ship) || !head) throw new AppError("conflict", "this session has no branch to ship yet");
    const source = parseRepoSource(c.repo, env().repoRoots).location;
    const creds = await credentialEnv(c.teamId, c.repo);
    const g = [...HOST_GIT, "-C", ship];
    const mirror = c.repositoryId ? await ensureMirror(c.repositoryId, source, creds) : null;
    await run([...g, "fetch", "-q", "--no-tags", "--no-write-fetch-head", "--", mirror ?? source, `+refs/heads/${c.baseBranch}:refs/dockside/origin`], { env: mirror ? {} : creds });
    const base = await run([...g, "rev-parse", "--verify", "refs/dockside/origin^{commit}"]);
    return { ship, source, creds, base, head };
  });
}

export interface MergeResult {
  strategy: "merge" | "squash" | "ff";
  baseHead: string;
  previousBaseHead: string;
}

export interface Preview {
  /** Where the branch forked from the current base: the review diff starts here. */
  mergeBase: string;
  /** Commits on the branch the base lacks, and commits on the base the branch lacks. */
  ahead: number;
  behind: number;
  /** Files the merge would change on the base (the branch's own changes when it conflicts). */
  files: number;
  conflicts: string[];
  /** The merged tree (null on conflicts); equal to the base's tree when merging changes nothing. */
  tree: string | null;
  unchanged: boolean;
}

/** What merging `head` into `base` would do, computed in host.git without touching a ref. */
export async function previewMerge(ship: string, base: string, head: string): Promise<Preview> {
  const g = [...HOST_GIT, "-C", ship];
  const [mergeBase, counts, baseTree] = await Promise.all([
    run([...g, "merge-base", base, head]),
    run([...g, "rev-list", "--left-right", "--count", `${base}...${head}`, "--"]),
    run([...g, "rev-parse", "--verify", `${base}^{tree}`]),
  ]);
  const [behind, ahead] = counts.split(/\s+/).map(Number);
  const mt = await git([...g, "merge-tree", "--write-tree", "--name-only", "--no-messages", base, head]);
  const lines = mt.stdout.trim().split("\n");
  if (mt.code !== 0 && mt.code !== 1) throw new AppError("internal", `merge-tree failed: ${gitReason(mt)}`);
  const conflicts = mt.code === 1 ? lines.slice(1).filter(Boolean) : [];
  const tree = mt.code === 0 ? lines[0] : null;
  const changed = await run([...g, "diff", "--no-ext-diff", "--no-textconv", "--name-only", "-z", tree ? baseTree : mergeBase, tree ?? head, "--"], { maxBytes: 32 * 1024 * 1024 });
  return { mergeBase, ahead, behind, files: changed.split("\0").filter(Boolean).length, conflicts, tree, unchanged: tree === baseTree };
}

export type MergeStep = "preparing" | "merging" | "writing" | "pushing";

export interface MergeHooks {
  /** Each step as it starts, with counts where git gives them. */
  onStep?(step: MergeStep, done?: number, total?: number): Promise<void>;
  /** The commit about to be pushed and the base it was computed on: kept before the push. */
  onResult?(baseHead: string, result: string): Promise<void>;
  /** A merge interrupted after onResult: push that commit again if the base has not moved. */
  resume?: { baseHead: string; result: string };
}

export async function mergeBranch(c: ShipContext, strategy: MergeResult["strategy"], who: { name: string; email: string }, message: string, hooks: MergeHooks = {}): Promise<MergeResult> {
  const step = hooks.onStep ?? (async () => {});
  await step("preparing");
  const { ship, source, creds, base, head } = await prepare(c);
  if (hooks.resume) {
    const { baseHead, result } = hooks.resume;
    // The interrupted push landed: done. The base moved since: its new commits are not in ours.
    if (base === result) return { strategy, baseHead: result, previousBaseHead: baseHead };
    if (base !== baseHead) throw new AppError("conflict", `${c.baseBranch} moved while the merge was interrupted; nothing was merged. Merge again.`);
    await step("pushing");
    await push(ship, source, `${result}:refs/heads/${c.baseBranch}`, creds, c.baseBranch);
    return { strategy, baseHead: result, previousBaseHead: base };
  }
  await step("merging");
  const p = await cachedPreview(ship, base, head);
  if (p.ahead === 0 || p.unchanged) throw new AppError("conflict", `nothing to merge: ${c.baseBranch} already contains the session's work`);
  await step("writing", p.files, p.files);
  let result: string;
  if (strategy === "ff") {
    if (p.behind > 0) throw new AppError("conflict", `cannot fast-forward ${c.baseBranch}: it has ${p.behind} commit(s) the session branch lacks; merge, squash, or ask the agent to rebase`);
    result = head;
  } else {
    if (!p.tree) throw new MergeConflict(p.conflicts);
    const identity = { GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: "Dockside", GIT_COMMITTER_EMAIL: "dockside@localhost" };
    const parents = strategy === "merge" ? ["-p", base, "-p", head] : ["-p", base];
    result = await run([...HOST_GIT, "-C", ship, "commit-tree", p.tree, ...parents, "-m", message], { env: identity });
  }
  await hooks.onResult?.(base, result);
  await step("pushing");
  await push(ship, source, `${result}:refs/heads/${c.baseBranch}`, creds, c.baseBranch);
  return { strategy, baseHead: result, previousBaseHead: base };
}

const MAX_CACHED = 500;
const previews = new Map<string, Preview>();

/** previewMerge, remembered per (host.git, base head, branch head): both ends fixed, the answer is too. */
export async function cachedPreview(ship: string, base: string, head: string): Promise<Preview> {
  const key = `${ship}\0${base}\0${head}`;
  const hit = previews.get(key);
  if (hit) return hit;
  const p = await previewMerge(ship, base, head);
  if (previews.size >= MAX_CACHED) previews.delete(previews.keys().next().value!);
  previews.set(key, p);
  return p;
}

/** Pushes the session branch itself (it belongs to Dockside: forced). */
export async function pushBranch(c: ShipContext): Promise<{ branch: string; remoteHead: string }> {
  const { ship, source, creds, head } = await prepare(c);
  await push(ship, source, `+${head}:refs/heads/${c.branch}`, creds, c.branch);
  return { branch: c.branch, remoteHead: head };
}

async function push(ship: string, source: string, refspec: string, creds: Record<string, string>, what: string): Promise<void> {
  // For a local origin with the base checked out, update its work tree too (refused if dirty).
  // (git drops -c settings for a local receive-pack, so they go on its command line.)
  // Settings that could start a program in the destination are switched off there too (its own
  // config still applies to everything else: registration refuses repositories an agent could
  // have written, see canonicalRepository in lib/git/repo-source.ts).
  const receive = [
    "--receive-pack=git -c receive.denyCurrentBranch=updateInstead -c core.hooksPath=/dev/null -c core.alternateRefsCommand= -c core.fsmonitor=false -c receive.fsckObjects=true receive-pack",
  ];
  const local = !/^https:/.test(source);
  const r = await git([...HOST_GIT, "-C", ship, "push", "--porcelain", ...(local ? receive : []), "--", source, refspec], { env: creds, timeoutMs: 5 * 60_000 });
  if (r.code === 0) return;
  const why = gitReason(r);
  if (/non-fast-forward|fetch first|\[rejected\]/.test(r.stdout + r.stderr)) throw new AppError("conflict", `${what} moved while merging; try again (${why})`);
  throw new AppError("conflict", `push to ${what} failed: ${why}`);
}

/**
 * Writes the origin's current base into a bundle for the worker to fetch into the workspace as
 * `refs/dockside/base` (the host never writes into the agent's repository itself). Resolves to
 * the base commit and the bundle's file name (in sessions/<id>/ops, host-only), or throws when the
 * branch already contains the current base.
 */
export async function bundleBase(c: ShipContext, baseCommit: string): Promise<{ base: string; file: string }> {
  const { ship, base, head } = await prepare(c);
  await run([...HOST_GIT, "-C", ship, "update-ref", "refs/dockside/base", base]);
  const dir = path.join(sessionPaths(env().dataDir, c.sessionId).root, "ops");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = `base-${crypto.randomUUID()}.bundle`;
  const wrote = await writeBundle(ship, "refs/dockside/base", [baseCommit, head], path.join(dir, file));
  if (!wrote) throw new AppError("conflict", `nothing to rebase: the session branch already contains the current ${c.baseBranch} (${base.slice(0, 12)})`);
  return { base, file };
}

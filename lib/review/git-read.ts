// Reads a session's branch for review: checkpoints, diffs (text and structured), patch series.
// Everything here reads the session's host-owned repository (host.git), never the agent's
// workspace; programs a config could start (external diff, textconv) stay off regardless.
import { AppError } from "../errors";
import { git, gitReason, type GitOptions } from "../git/run";
import { HOST_GIT, hasHostRepo } from "../git/host-repo";
import type { CommitDto, DiffFile, DiffJson } from "../protocol/review";
import { parseNameStatus, parseNumstat, parsePatchHunks } from "./diff-parse";

const MAX_LINES_PER_FILE = 5_000;
const MAX_TOTAL_LINES = 200_000;
const NO_PROGRAMS = ["-c", "diff.external=", "-c", "core.attributesFile=/dev/null", "-c", "core.quotePath=false"];

function opts(extra: GitOptions = {}): GitOptions {
  return { timeoutMs: 60_000, ...extra };
}

async function read(repo: string, args: string[], extra?: GitOptions): Promise<string> {
  if (!hasHostRepo(repo)) throw new AppError("conflict", "this session has no branch yet");
  const r = await git([...HOST_GIT, ...NO_PROGRAMS, "-C", repo, ...args], opts(extra));
  if (r.code !== 0 && r.code !== -2) throw new AppError("internal", `git ${args[0]} failed: ${gitReason(r)}`);
  return r.stdout;
}

/**
 * Where the review starts: the session's base, or, once the branch took in a newer base (the agent
 * rebased, or merged the base in), its merge base with the base head last fetched
 * (refs/dockside/origin, refreshed by every mergeability check): the diff then shows what a merge
 * would bring, not the base's own new commits. A branch the base already contains (merged) keeps
 * its own base, so its review still shows its work.
 */
export async function reviewBase(repo: string, base: string, branch: string): Promise<string> {
  const r = await git([...HOST_GIT, "-C", repo, "merge-base", "refs/dockside/origin", `refs/heads/${branch}`], opts());
  const mb = r.code === 0 ? r.stdout.trim() : "";
  if (!mb || mb === base) return base;
  const head = await git([...HOST_GIT, "-C", repo, "rev-parse", "--verify", `refs/heads/${branch}^{commit}`], opts());
  if (head.stdout.trim() === mb) return base;
  const after = await git([...HOST_GIT, "-C", repo, "merge-base", "--is-ancestor", base, mb], opts());
  return after.code === 0 ? mb : base;
}

/** The session's checkpoints still to merge, oldest first. */
export async function listCommits(repo: string, base: string, branch: string): Promise<CommitDto[]> {
  return commitsSince(repo, await reviewBase(repo, base, branch), branch);
}

/** The branch's commits after `from` (a review base already resolved), oldest first. */
export async function commitsSince(repo: string, from: string, branch: string): Promise<CommitDto[]> {
  const out = await read(repo, ["log", "--reverse", "--no-color", "--format=%x1e%H%x1f%s%x1f%b%x1f%an%x1f%aI%x1f", "--shortstat", `${from}..refs/heads/${branch}`, "--"]);
  return out
    .split("\x1e")
    .filter((r) => r.trim())
    .map((rec) => {
      const [sha, subject, body, author, date, stat = ""] = rec.split("\x1f");
      const n = (re: RegExp) => Number(re.exec(stat)?.[1] ?? 0);
      return { sha, subject, body: body.trim(), author, date, filesChanged: n(/(\d+) files? changed/), additions: n(/(\d+) insertions?/), deletions: n(/(\d+) deletions?/) };
    });
}

/**
 * Resolves and checks a range: both ends must be the base or one of the session's checkpoints.
 * Without `from`, the range starts where the review does (reviewBase).
 */
export async function resolveRange(repo: string, base: string, branch: string, from?: string, to?: string): Promise<{ from: string; to: string }> {
  const start = await reviewBase(repo, base, branch);
  const commits = await commitsSince(repo, start, branch);
  const known = [start, ...commits.map((c) => c.sha), base];
  const pick = (want: string | undefined, fallback: string) => {
    if (!want) return fallback;
    const hit = known.find((sha) => sha.startsWith(want));
    if (!hit) throw new AppError("invalid", `${want} is not a checkpoint of this session`);
    return hit;
  };
  return { from: pick(from, start), to: pick(to, commits.length ? commits[commits.length - 1].sha : start) };
}

const DIFF = ["diff", "--no-ext-diff", "--no-textconv", "--no-color", "-M"];

export async function diffText(repo: string, from: string, to: string, maxBytes = 20 * 1024 * 1024): Promise<string> {
  const out = await read(repo, [...DIFF, from, to, "--"], { maxBytes });
  return out.length >= maxBytes ? out + `\n[diff cut at ${maxBytes} bytes]\n` : out;
}

export async function diffJson(repo: string, from: string, to: string): Promise<DiffJson> {
  const [names, nums, patch] = await Promise.all([
    read(repo, [...DIFF, "--name-status", "-z", from, to, "--"]),
    read(repo, [...DIFF, "--numstat", "-z", from, to, "--"]),
    read(repo, [...DIFF, "-p", from, to, "--"], { maxBytes: 256 * 1024 * 1024 }),
  ]);
  const files = parseNameStatus(names);
  const stats = parseNumstat(nums);
  const hunks = parsePatchHunks(patch, MAX_LINES_PER_FILE);
  let total = 0;
  let truncated = false;
  const out: DiffFile[] = files.map((f, i) => {
    const stat = stats[i];
    const binary = stat === null;
    let h = hunks[i] ?? { hunks: [], tooLarge: false };
    const lines = h.hunks.reduce((n, x) => n + x.lines.length, 0);
    if (total + lines > MAX_TOTAL_LINES) {
      truncated = true;
      h = { hunks: [], tooLarge: true };
    } else total += lines;
    return {
      path: f.path,
      oldPath: f.oldPath,
      status: binary && f.status === "modified" ? "binary" : f.status,
      binary,
      additions: stat?.[0] ?? 0,
      deletions: stat?.[1] ?? 0,
      hunks: h.hunks,
      tooLarge: h.tooLarge,
    };
  });
  return { from, to, files: out, truncated };
}

export async function formatPatch(repo: string, base: string, branch: string): Promise<string> {
  const from = await reviewBase(repo, base, branch);
  return read(repo, ["format-patch", "--stdout", "--no-color", "--no-signature", `${from}..refs/heads/${branch}`], { maxBytes: 64 * 1024 * 1024 });
}

/** The text of one line of a file at a commit (for quoting it in review threads). */
export async function lineAt(repo: string, commit: string, file: string, line: number): Promise<string> {
  if (!hasHostRepo(repo)) return "";
  const r = await git([...HOST_GIT, ...NO_PROGRAMS, "-C", repo, "show", "--no-textconv", `${commit}:${file}`], opts({ maxBytes: 32 * 1024 * 1024 }));
  if (r.code !== 0) return "";
  return r.stdout.split("\n")[line - 1] ?? "";
}

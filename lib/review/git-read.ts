// Reads a session's branch for review: checkpoints, diffs (text and structured), patch series.
// Everything here reads the session's host-owned repository (host.git), never the agent's
// workspace; programs a config could start (external diff, textconv) stay off regardless.
import { AppError } from "../errors";
import { git, gitReason, type GitOptions } from "../git/run";
import { HOST_GIT, hasHostRepo } from "../git/host-repo";
import type { CommitDto, DiffFile, DiffJson, DiffPage } from "../protocol/review";
import { parsePatchHunks, parseRawNumstat } from "./diff-parse";

const MAX_LINES_PER_FILE = 5_000;
const MAX_LINES_FULL_FILE = 100_000;
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

// The prefixes spelled out: chunks are checked against their file by header (diff-parse).
const DIFF = ["diff", "--no-ext-diff", "--no-textconv", "--no-color", "-M", "--src-prefix=a/", "--dst-prefix=b/"];

export async function diffText(repo: string, from: string, to: string, maxBytes = 20 * 1024 * 1024): Promise<string> {
  const out = await read(repo, [...DIFF, from, to, "--"], { maxBytes });
  return out.length >= maxBytes ? out + `\n[diff cut at ${maxBytes} bytes]\n` : out;
}

export async function diffJson(repo: string, from: string, to: string): Promise<DiffJson> {
  const [index, patch] = await Promise.all([
    listChanges(repo, from, to),
    read(repo, [...DIFF, "-p", from, to, "--"], { maxBytes: 256 * 1024 * 1024 }),
  ]);
  const hunks = parsePatchHunks(patch, MAX_LINES_PER_FILE, index);
  let total = 0;
  let truncated = false;
  const out: DiffFile[] = index.map((f, i) => {
    let h = hunks[i];
    const lines = h.hunks.reduce((n, x) => n + x.lines.length, 0);
    if (total + lines > MAX_TOTAL_LINES) {
      truncated = true;
      h = { hunks: [], tooLarge: true };
    } else total += lines;
    return { ...f, hunks: h.hunks, tooLarge: h.tooLarge };
  });
  return { from, to, files: out, truncated };
}

/**
 * The range's files without their hunks (paths, status, counts; `deferred`): what the review shows
 * first. A file whose counts already say it is past the per-file limit is `tooLarge` here.
 */
export async function diffIndex(repo: string, from: string, to: string): Promise<DiffJson> {
  const files = (await listChanges(repo, from, to)).map((f) => ({ ...f, hunks: [], tooLarge: f.additions + f.deletions > MAX_LINES_PER_FILE, deferred: true }));
  return { from, to, files, truncated: false };
}

/**
 * Files `offset … offset+limit-1` of the range's index with their hunks: git diffs only those
 * paths (both sides of a rename, so it pairs them as the whole diff does). `full` lifts the
 * per-file limit for a one-file page (the review's "Load diff" on a huge file).
 */
export async function diffPage(repo: string, from: string, to: string, offset: number, limit: number, full = false): Promise<DiffPage> {
  const index = await listChanges(repo, from, to);
  const page = index.slice(offset, offset + limit);
  if (page.length === 0) return { from, to, offset, files: [] };
  const max = full && page.length === 1 ? MAX_LINES_FULL_FILE : MAX_LINES_PER_FILE;
  const paths = page.flatMap((f) => (f.oldPath === null ? [f.path] : [f.oldPath, f.path])).map((p) => `:(literal)${p}`);
  let hunks;
  try {
    hunks = parsePatchHunks(await read(repo, [...DIFF, "-p", from, to, "--", ...paths], { maxBytes: 256 * 1024 * 1024 }), max, page);
  } catch {
    // A pairing that came out differently for the subset (it should not) falls back to the whole
    // patch; if that disagrees with the list too, its error says so.
    hunks = parsePatchHunks(await read(repo, [...DIFF, "-p", from, to, "--"], { maxBytes: 256 * 1024 * 1024 }), max, index).slice(offset, offset + limit);
  }
  return { from, to, offset, files: page.map((f, i) => ({ ...f, ...hunks[i] })) };
}

type Change = Omit<DiffFile, "hunks" | "tooLarge" | "deferred">;
// Ranges are commit ids, so a range's file list never changes: the pages of one review read it once.
const changes = new Map<string, Promise<Change[]>>();
const CHANGES_KEPT = 32;

function listChanges(repo: string, from: string, to: string): Promise<Change[]> {
  const key = `${repo}\0${from}\0${to}`;
  const hit = changes.get(key);
  if (hit) return hit;
  const p = readChanges(repo, from, to);
  changes.set(key, p);
  p.catch(() => changes.delete(key));
  if (changes.size > CHANGES_KEPT) changes.delete(changes.keys().next().value as string);
  return p;
}

async function readChanges(repo: string, from: string, to: string): Promise<Change[]> {
  // One git run for the names and the line counts: rename detection, the costly part, runs once.
  const { names, stats } = parseRawNumstat(await read(repo, [...DIFF, "--raw", "--numstat", "-z", from, to, "--"]));
  return names.map((f, i) => {
    const stat = stats[i];
    const binary = stat === null;
    return { path: f.path, oldPath: f.oldPath, status: binary && f.status === "modified" ? "binary" : f.status, binary, additions: stat?.[0] ?? 0, deletions: stat?.[1] ?? 0 };
  });
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

// Turns the user's `repo` input into a source git may clone, refusing anything unsafe or
// unreachable up front: only https URLs and local repositories under DOCKSIDE_REPO_ROOTS (none
// when it is unset), never Dockside's own data or checkout, no credentials in URLs, no
// option-looking strings.
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";
import { AppError } from "../errors";
import { git, gitReason } from "./run";

export interface RepoSource {
  kind: "https" | "local";
  /** What git clones: the https URL or the absolute path of the local repository. */
  location: string;
  /** What is shown and stored (credentials never appear). */
  display: string;
  /** The registration key: the real path, or the URL without default port, trailing slash or `.git`. */
  key: string;
}

/** Directories no session may use as a repository (nor anything inside or above them). */
export function forbiddenDirs(): string[] {
  return [env().dataDir, process.cwd()];
}

export function parseRepoSource(input: string, roots: string[] = env().repoRoots, forbidden: string[] = forbiddenDirs()): RepoSource {
  const repo = input.trim();
  if (/[\u0000-\u001f\u007f]/.test(repo)) throw new AppError("invalid", "repo contains control characters");
  if (repo.startsWith("-")) throw new AppError("invalid", "repo must be an https URL or a path to a local git repository");
  if (/^[\w.-]+@[\w.-]+:/.test(repo)) throw new AppError("invalid", "SSH repository addresses are not supported: only https:// URLs (use the https URL of this repository)");
  if (/^[a-z][a-z0-9+.-]*:/i.test(repo)) return parseUrl(repo);
  return parseLocal(repo, roots, forbidden);
}

/** The key of a stored session `repo` (a display value parseRepoSource produced), without touching the disk. */
export function repoKey(repo: string): string {
  if (!repo.startsWith("https://")) return repo;
  try {
    return urlKey(new URL(repo));
  } catch {
    return repo;
  }
}

// URL already lowercases scheme and host and drops the default port.
const urlKey = (url: URL) => `${url.origin}${url.pathname}`.replace(/(\.git)?\/*$/, "");

function parseUrl(repo: string): RepoSource {
  let url: URL;
  try {
    url = new URL(repo);
  } catch {
    throw new AppError("invalid", `repo is not a valid URL: ${repo}`);
  }
  if (url.protocol !== "https:") {
    throw new AppError("invalid", `only https:// repository URLs are supported (got ${url.protocol.replace(":", "")}://); use a local path for repositories on this machine`);
  }
  if (url.username || url.password) {
    throw new AppError("invalid", "repository URLs must not contain credentials; configure access on the Dockside host instead");
  }
  if (url.search || url.hash) throw new AppError("invalid", "repository URLs must not have a query string or fragment");
  return { kind: "https", location: url.toString(), display: url.toString(), key: urlKey(url) };
}

function parseLocal(repo: string, roots: string[], forbidden: string[]): RepoSource {
  if (!roots.length) {
    throw new AppError("invalid", "local repository paths are turned off on this server: use an https URL, or ask the operator to set DOCKSIDE_REPO_ROOTS to the directories local repositories may live under");
  }
  if (!path.isAbsolute(repo)) throw new AppError("invalid", `a local repository must be an absolute path (got ${repo})`);
  let real: string;
  try {
    real = fs.realpathSync(repo);
  } catch {
    throw new AppError("invalid", `no such directory: ${repo}`);
  }
  // Resolved first, so a symlink that leads into Dockside's own files is judged by where it leads.
  const own = forbidden.flatMap(realAndResolved).find((dir) => within(real, dir) || within(dir, real));
  if (own) throw new AppError("invalid", `${repo} is part of Dockside's own files (its data directory or checkout) and cannot be used as a repository; choose a repository outside them`);
  if (!roots.flatMap(realAndResolved).some((r) => within(real, r))) {
    throw new AppError("invalid", `${repo} is outside the allowed repository roots (DOCKSIDE_REPO_ROOTS: ${roots.join(", ")}); move the repository under one of them or ask the operator to add its directory`);
  }
  if (!fs.statSync(real).isDirectory()) throw new AppError("invalid", `${repo} is not a directory`);
  real = canonicalRepository(repo, real);
  return { kind: "local", location: real, display: real, key: real };
}

/**
 * One repository, one key: `<x>/.git` is folded to `<x>`, linked worktrees and submodules (a
 * `.git` file) are refused, and so is anything inside another repository. Merges write the
 * agent's files into a local origin's working tree: a repository nested there (or reached through
 * another name for the same one) would be agent-made config the host then pushes into.
 */
function canonicalRepository(input: string, real: string): string {
  if (path.basename(real) === ".git" && isGitDir(real)) real = path.dirname(real);
  const dotGit = path.join(real, ".git");
  if (fs.lstatSync(dotGit, { throwIfNoEntry: false })?.isFile()) {
    throw new AppError("invalid", `${input} is a linked worktree or a submodule: register the repository it belongs to instead`);
  }
  for (let dir = path.dirname(real); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, ".git")) || isGitDir(dir)) {
      throw new AppError("invalid", `${input} is inside another git repository (${dir}): register that repository instead; a repository inside another's files could have been written by a merge`);
    }
    if (dir === path.dirname(dir)) return real;
  }
}

function isGitDir(dir: string): boolean {
  const is = (p: string, kind: "file" | "dir") => {
    const st = fs.lstatSync(path.join(dir, p), { throwIfNoEntry: false });
    return kind === "file" ? !!st?.isFile() : !!st?.isDirectory();
  };
  return is("HEAD", "file") && is("objects", "dir") && is("refs", "dir");
}

const within = (p: string, dir: string) => p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

function realAndResolved(dir: string): string[] {
  const resolved = path.resolve(dir);
  try {
    return [resolved, fs.realpathSync(resolved)];
  } catch {
    return [resolved]; // not created yet (a fresh data directory)
  }
}

export interface RemoteInfo {
  defaultBranch: string | null;
  branches: Map<string, string>;
}

/** Lists the source's branches and default branch; refuses unreachable or non-git sources. */
export async function probeRepo(src: RepoSource): Promise<RemoteInfo> {
  const r = await git(["ls-remote", "--symref", "--", src.location, "HEAD", "refs/heads/*"], { timeoutMs: 20_000 });
  if (r.code !== 0) {
    const why = gitReason(r);
    if (src.kind === "local") throw new AppError("invalid", `${src.display} is not a git repository (${why})`);
    throw new AppError("invalid", `cannot reach ${src.display}: ${why}`);
  }
  const branches = new Map<string, string>();
  let defaultBranch: string | null = null;
  for (const line of r.stdout.split("\n")) {
    const sym = /^ref: refs\/heads\/(\S+)\tHEAD$/.exec(line);
    if (sym) defaultBranch = sym[1];
    const head = /^([0-9a-f]{40})\trefs\/heads\/(\S+)$/.exec(line);
    if (head) branches.set(head[2], head[1]);
  }
  return { defaultBranch, branches };
}

/** Refuses names git would reject or that could be read as options. */
export async function checkBranchName(name: string): Promise<void> {
  if (name.startsWith("-") || name.length > 255 || /[\u0000-\u001f\u007f\s~^:?*[\\]/.test(name)) {
    throw new AppError("invalid", `"${name}" is not a valid branch name`);
  }
  const r = await git(["check-ref-format", "--branch", name]);
  if (r.code !== 0) throw new AppError("invalid", `"${name}" is not a valid branch name`);
}

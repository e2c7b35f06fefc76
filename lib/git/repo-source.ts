// Turns the user's `repo` input into a source git may clone, refusing anything unsafe or
// unreachable up front: only https URLs and local repositories (optionally under
// DOCKSIDE_REPO_ROOTS), no credentials in URLs, no option-looking strings.
import fs from "node:fs";
import path from "node:path";
import { AppError } from "../errors";
import { git, gitReason } from "./run";

export interface RepoSource {
  kind: "https" | "local";
  /** What git clones: the https URL or the absolute path of the local repository. */
  location: string;
  /** What is shown and stored (credentials never appear). */
  display: string;
}

export function parseRepoSource(input: string, roots: string[]): RepoSource {
  const repo = input.trim();
  if (/[\u0000-\u001f\u007f]/.test(repo)) throw new AppError("invalid", "repo contains control characters");
  if (repo.startsWith("-")) throw new AppError("invalid", "repo must be an https URL or a path to a local git repository");
  if (/^[\w.-]+@[\w.-]+:/.test(repo)) throw new AppError("invalid", "SSH repository addresses are not supported: only https:// URLs (use the https URL of this repository)");
  if (/^[a-z][a-z0-9+.-]*:/i.test(repo)) return parseUrl(repo);
  return parseLocal(repo, roots);
}

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
  return { kind: "https", location: url.toString(), display: url.toString() };
}

function parseLocal(repo: string, roots: string[]): RepoSource {
  if (!path.isAbsolute(repo)) throw new AppError("invalid", `a local repository must be an absolute path (got ${repo})`);
  let real: string;
  try {
    real = fs.realpathSync(repo);
  } catch {
    throw new AppError("invalid", `no such directory: ${repo}`);
  }
  if (roots.length && !roots.some((r) => real === r || real.startsWith(r.endsWith(path.sep) ? r : r + path.sep))) {
    throw new AppError("invalid", `${repo} is outside the allowed repository roots (DOCKSIDE_REPO_ROOTS: ${roots.join(", ")})`);
  }
  if (!fs.statSync(real).isDirectory()) throw new AppError("invalid", `${repo} is not a directory`);
  return { kind: "local", location: real, display: real };
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

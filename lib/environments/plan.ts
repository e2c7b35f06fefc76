// What a session's worker does before the agent's first turn (GET /worker/setup): nothing, run the
// setup script, or restore the environment an earlier run of the same script left. Everything is
// read on the host from trusted places: the registration's script, or the repository's own
// `.dockside/setup.sh` read from the session's host-owned host.git at the base commit (never from
// the workspace, which is the agent's).
import crypto from "node:crypto";
import path from "node:path";
import { env } from "../config/env";
import { db } from "../db/client";
import { AppError } from "../errors";
import { hasHostRepo, HOST_GIT, hostGit, hostRepoPath } from "../git/host-repo";
import { git } from "../git/run";
import type { SetupPlan } from "../protocol/worker";
import { imageTag } from "../sandbox/image";
import { sessionSecrets } from "./secrets";
import { snapshotFor } from "./snapshots";

export const REPO_SCRIPT_PATH = ".dockside/setup.sh";
export const SETUP_SCRIPT_MAX_BYTES = 64 * 1024;
/** Files whose content decides what a setup installs: a new lockfile means a new environment. */
export const LOCKFILES = new Set([
  "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb",
  "requirements.txt", "requirements-dev.txt", "poetry.lock", "Pipfile.lock", "uv.lock", "pyproject.toml",
  "Cargo.lock", "go.sum", "Gemfile.lock", "composer.lock",
]);
const MAX_LOCKFILES = 100;
const SHA = /^[0-9a-f]{40}$/;

export interface PlannedSetup {
  plan: SetupPlan;
  /** The host path of the snapshot to stream (run "restore"), else null. */
  snapshotFile: string | null;
  /** Its row, for markUsed() once it is served. */
  snapshotId: string | null;
  /** Every secret value the session may see (setup gets them all): mask them in whatever is stored. */
  masks: string[];
  /** The plan's key and what it was made of (for storeSnapshot), null when nothing runs. */
  key: string | null;
  basis: string | null;
}

type Script = { source: "team" | "repository"; script: string };

/**
 * The setup plan of a session. "none" after setup finished (a restart), for sessions without a
 * registered repository and when there is no script; "restore" when an environment with the same
 * key is cached (the script comes along as the fallback); else "script". Throws AppError("invalid")
 * when the repository's own script is over 64 KiB.
 */
export async function planSetup(sessionId: string): Promise<PlannedSetup> {
  const s = await db().session.findUnique({ where: { id: sessionId }, select: { teamId: true, repositoryId: true, baseCommit: true, setupFinishedAt: true } });
  if (!s) throw new AppError("not_found", "session not found");
  const repo = s.repositoryId ? await db().repository.findUnique({ where: { id: s.repositoryId }, include: { team: { select: { allowRepoSetupScript: true } } } }) : null;
  const own = repo && repo.teamId === s.teamId ? repo : null;
  const secrets = await sessionSecrets(s.teamId, own?.id ?? null);
  const masks = secrets.map((x) => x.value);
  const none: PlannedSetup = { plan: { run: "none" }, snapshotFile: null, snapshotId: null, masks, key: null, basis: null };
  if (s.setupFinishedAt || !own) return none;

  const host = hostRepoPath(sessionId);
  const base = s.baseCommit && SHA.test(s.baseCommit) && hasHostRepo(host) ? s.baseCommit : null;
  const found: Script | null = own.setupScript?.trim()
    ? { source: "team", script: own.setupScript }
    : own.team.allowRepoSetupScript && base
      ? await repositoryScript(host, base)
      : null;
  if (!found) return none;

  const basis = base ? await keyBasis(host, base) : { text: "commit unknown", material: "commit unknown" };
  const key = crypto.createHash("sha256").update(JSON.stringify([own.id, imageTag(), found.source, found.script, basis.material])).digest("hex");
  const work = { key, source: found.source, script: found.script, env: Object.fromEntries(secrets.map((x) => [x.name, x.value])), timeoutS: env().DOCKSIDE_SETUP_TIMEOUT_S };
  const cached = await snapshotFor(own.id, key);
  return {
    plan: cached ? { run: "restore", ...work } : { run: "script", ...work },
    snapshotFile: cached?.file ?? null,
    snapshotId: cached?.id ?? null,
    masks,
    key,
    basis: basis.text,
  };
}

/** The repository's own `.dockside/setup.sh` at `base`, read from host.git; null when there is none (or it is not a regular file). */
export async function repositoryScript(host: string, base: string): Promise<Script | null> {
  const spec = `${base}:${REPO_SCRIPT_PATH}`;
  const type = await git([...HOST_GIT, "-C", host, "cat-file", "-t", spec]);
  if (type.code !== 0 || type.stdout.trim() !== "blob") return null;
  // A symlink (120000) is a blob too: its "content" is where it points. Regular files only.
  const mode = (await hostGit(host, ["ls-tree", "-z", base, "--", REPO_SCRIPT_PATH])).split(" ")[0];
  if (mode !== "100644" && mode !== "100755") return null;
  const size = Number((await hostGit(host, ["cat-file", "-s", spec])).trim());
  if (!(size <= SETUP_SCRIPT_MAX_BYTES)) {
    throw new AppError("invalid", `${REPO_SCRIPT_PATH} at ${base.slice(0, 7)} is ${Math.ceil(size / 1024)} KiB; a setup script is limited to 64 KiB`);
  }
  const script = await hostGit(host, ["cat-file", "blob", spec], { maxBytes: SETUP_SCRIPT_MAX_BYTES + 1 });
  return script.trim() ? { source: "repository", script } : null;
}

/**
 * What decides whether an earlier environment fits: the lockfiles at `base` (path and blob id),
 * or the commit itself when the repository has none. `text` is for people, `material` for the key.
 */
export async function keyBasis(host: string, base: string): Promise<{ text: string; material: string }> {
  const out = await hostGit(host, ["ls-tree", "-r", "-z", "--full-tree", base], { maxBytes: 64 * 1024 * 1024 });
  const found: { path: string; oid: string }[] = [];
  for (const entry of out.split("\0")) {
    const tab = entry.indexOf("\t");
    if (tab < 0) continue;
    const [, type, oid] = entry.slice(0, tab).split(" ");
    const p = entry.slice(tab + 1);
    if (type !== "blob" || !LOCKFILES.has(path.posix.basename(p))) continue;
    if (p.split("/").some((seg) => seg === "node_modules" || seg === "vendor")) continue;
    found.push({ path: p, oid });
  }
  if (!found.length) return { text: `commit ${base.slice(0, 7)}`, material: `commit ${base}` };
  const files = found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).slice(0, MAX_LOCKFILES);
  return {
    text: `lockfiles ${files.map((f) => `${f.path}@${f.oid.slice(0, 7)}`).join(", ")}`,
    material: `lockfiles ${files.map((f) => `${f.path}@${f.oid}`).join("\n")}`,
  };
}

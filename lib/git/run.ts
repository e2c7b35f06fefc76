// Runs git on the host with repository-controlled behaviour switched off: no system or global
// config, no hooks, no fsmonitor, no prompts, a protocol allowlist, and a timeout. Callers put
// `--` before anything a user supplied.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isNoSpace, noSpaceReason } from "../runtime/io-reason";
import { spawnHost } from "../runtime/spawner";

export const SAFE_GIT_CONFIG = [
  "-c", "core.hooksPath=/dev/null",
  "-c", "core.fsmonitor=false",
  "-c", "protocol.allow=never",
  "-c", "protocol.https.allow=always",
  "-c", "protocol.file.allow=always",
  "-c", "submodule.recurse=false",
  "-c", "credential.helper=",
  "-c", "advice.detachedHead=false",
  "-c", "init.defaultBranch=main",
];

const SAFE_ENV: Record<string, string> = {
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_TERMINAL_PROMPT: "0",
  GIT_ASKPASS: "/bin/false",
  SSH_ASKPASS: "/bin/false",
  GIT_PROTOCOL_FROM_USER: "0",
  GIT_ALLOW_PROTOCOL: "https:file",
  LC_ALL: "C",
};

// The only global config git sees. Workspaces belong to the sandbox user and source repositories
// to whoever made them; git refuses such "dubious ownership" unless safe.directory says otherwise,
// and child processes (upload-pack, receive-pack) honour it only from global config. Paths are
// validated before they reach git, so trusting them all is what we mean.
let globalConfig: string | undefined;
function safeGlobalConfig(): string {
  if (globalConfig && fs.existsSync(globalConfig)) return globalConfig;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-git-"));
  fs.chmodSync(dir, 0o755);
  const file = path.join(dir, "gitconfig");
  fs.writeFileSync(file, "[safe]\n\tdirectory = *\n", { mode: 0o644 });
  globalConfig = file;
  return file;
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The directory git wrote into (-C, a clone's or init's target, or cwd): named in reasons. */
  where?: string;
}

export interface GitOptions {
  cwd?: string;
  timeoutMs?: number;
  /** Run as this uid/gid (the sandbox user) when git must read files the agent controls. */
  uid?: number;
  gid?: number;
  /** Cap on captured stdout; beyond it the output is cut and `truncated` reported via code -2. */
  maxBytes?: number;
  /** Extra environment (e.g. GIT_CONFIG_COUNT/KEY/VALUE for a credential header: not visible in `ps`). */
  env?: Record<string, string>;
}

export async function git(args: string[], opts: GitOptions = {}): Promise<GitResult> {
  const where = workDir(args, opts.cwd);
  // Started by the spawner helper (lib/runtime/spawner.ts): a fork from the server stalls it.
  const r = await spawnHost({
    cmd: "git",
    args: [...SAFE_GIT_CONFIG, ...args],
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/nonexistent", ...SAFE_ENV, GIT_CONFIG_GLOBAL: safeGlobalConfig(), ...opts.env },
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
    timeoutMs: opts.timeoutMs ?? 60_000,
    maxBytes: opts.maxBytes ?? 64 * 1024 * 1024,
  });
  if (r.error) return { code: -1, stdout: "", stderr: r.error.message, where };
  const stderr = r.stderr.toString("utf8") + (r.timedOut ? "\n(git timed out)" : "");
  return { code: r.cut ? -2 : (r.code ?? -1), stdout: r.stdout.toString("utf8"), stderr, where };
}

function workDir(args: string[], cwd?: string): string | undefined {
  const c = args.indexOf("-C");
  if (c >= 0 && args[c + 1]) return path.resolve(args[c + 1]);
  const cmd = args.find((a) => !a.startsWith("-"));
  if ((cmd === "clone" || cmd === "init") && args.length > 1) return path.resolve(cwd ?? ".", args[args.length - 1]);
  return cwd;
}

/**
 * The first meaningful line of git's complaint, for error messages a person reads; a full disk
 * is named as such with the place, whichever line git said it on ("Cloning into …" comes first).
 */
export function gitReason(r: GitResult): string {
  if (isNoSpace(r.stderr)) return noSpaceReason(r.where ?? "the data directory");
  const lines = r.stderr.split("\n").map((l) => l.replace(/^(fatal|error|remote): /, "").trim()).filter(Boolean);
  // "Cloning into …" is progress, not the complaint; stack-like lines are never a reason.
  return lines.find((l) => !l.startsWith("hint:") && !/^Cloning into /.test(l) && !/^at /.test(l)) ?? `git exited with ${r.code}`;
}

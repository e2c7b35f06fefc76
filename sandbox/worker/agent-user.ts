// Who the agent's processes run as. The worker is root in the container (it alone can reach the
// channel in /run/dockside); everything started for the agent or touching /workspace runs as
// the session's own uid with an environment that carries nothing of the worker's.
import { spawnSync } from "node:child_process";
import type { WorkerConfig } from "../../lib/protocol/worker";

export type AgentUser = { uid: number; gid: number };

/** The agent's home (a tmpfs of its own in the container); DOCKSIDE_AGENT_HOME moves it for tests. */
export const AGENT_HOME = process.env.DOCKSIDE_AGENT_HOME || "/home/agent";
const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The system bundle (the host's copy when it has one: DOCKSIDE_CA_BUNDLE) for the tools that bring
// their own: Node (npm) reads only its built-in roots, pip and requests in a venv read certifi's.
const CA = "/etc/ssl/certs/ca-certificates.crt";
const TRUST = { NODE_EXTRA_CA_CERTS: CA, SSL_CERT_FILE: CA, REQUESTS_CA_BUNDLE: CA, PIP_CERT: CA, CURL_CA_BUNDLE: CA, GIT_SSL_CAINFO: CA };

/** The proxy variables once the egress forwarder listens (forwarder.ts); none before, or without it. */
let proxy: Record<string, string> = {};

/** Points every agent process started from now on at the egress forwarder on 127.0.0.1:`port` (null: none). */
export function setEgressProxy(port: number | null): void {
  if (port === null) {
    proxy = {};
    return;
  }
  const url = `http://127.0.0.1:${port}`;
  const local = "localhost,127.0.0.1,::1";
  proxy = { HTTP_PROXY: url, HTTPS_PROXY: url, http_proxy: url, https_proxy: url, NO_PROXY: local, no_proxy: local };
}

export const agentUserOf = (config: Pick<WorkerConfig, "agentUid" | "agentGid">): AgentUser => ({ uid: config.agentUid, gid: config.agentGid });

/**
 * The whole environment of an agent process: nothing inherited from the worker (socket paths, node
 * options); the egress proxy; then `extra` (the secrets meant for that process, and settings).
 */
export function agentEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { HOME: AGENT_HOME, USER: "agent", LOGNAME: "agent", PATH, LANG: "C.UTF-8", TERM: "dumb", ...TRUST, ...proxy, ...extra };
}

/** True when spawning for the agent must switch uid (false when the worker already is the agent, as in unit tests). */
export const mustSwitch = (user: AgentUser) => process.getuid?.() !== user.uid;

/**
 * spawn() arguments that run `cmd args` as the agent in `cwd`. When switching uid the directory
 * is entered by `env -C` after the switch: root without CAP_DAC_OVERRIDE cannot enter a
 * workspace the agent made 0700, and need not.
 */
export function agentSpawn(
  user: AgentUser,
  cwd: string,
  cmd: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): { file: string; args: string[]; options: { cwd: string; uid?: number; gid?: number; env: NodeJS.ProcessEnv } } {
  const ids = asAgent(user, extraEnv);
  if (!mustSwitch(user)) return { file: cmd, args, options: { cwd, ...ids } };
  return { file: "env", args: ["-C", cwd, cmd, ...args], options: { cwd: "/", ...ids } };
}

/** spawn() options that run a process as the agent. */
export function asAgent(user: AgentUser, extraEnv: Record<string, string> = {}): { uid?: number; gid?: number; env: NodeJS.ProcessEnv } {
  // The app's typings make NODE_ENV required; the agent's environment deliberately has none.
  const env = agentEnv(extraEnv) as NodeJS.ProcessEnv;
  return mustSwitch(user) ? { uid: user.uid, gid: user.gid, env } : { env };
}

/**
 * Kills every process of the agent's uid. A command may leave its process group (setsid) and so
 * outlive a group kill; sent from the agent's own uid, `kill -1` reaches exactly the agent's
 * processes and nothing of the worker's. Used after a timeout or an interrupt, and before a
 * workspace op (a stray process must not undo a reset).
 */
export function killAgentProcesses(user: AgentUser): void {
  if (!mustSwitch(user)) return; // the worker itself runs as this uid (unit tests): nothing to do safely
  spawnSync("/bin/kill", ["-KILL", "-1"], { uid: user.uid, gid: user.gid, stdio: "ignore", timeout: 5000 });
}

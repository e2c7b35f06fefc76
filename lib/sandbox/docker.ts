// The Docker engine connections (DOCKSIDE_DOCKER_HOSTS, else DOCKER_HOST or the local socket) and
// their health. An engine is named by its address; a session's row records it (null: the default).
import fs from "node:fs";
import path from "node:path";
import Docker from "dockerode";
import { env } from "../config/env";
import { AppError } from "../errors";

const g = globalThis as unknown as { __docksideDocker?: Docker; __docksideDockerSocket?: string; __docksideEngines?: Map<string, Docker> };

/** The configured engines' addresses, the default first (DOCKSIDE_DOCKER_HOSTS); empty when unset. */
export function configuredEngines(): string[] {
  return [...new Set((env().DOCKSIDE_DOCKER_HOSTS ?? "").split(",").map((h) => h.trim()).filter(Boolean))];
}

/** The default engine's address: where sessions with no engine recorded run. */
export function dockerAddress(): string {
  if (g.__docksideDockerSocket) return `unix://${g.__docksideDockerSocket}`;
  return configuredEngines()[0] ?? env().DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

/** An engine's address: the one given, or the default engine's for null. */
export function engineAddress(engine?: string | null): string {
  return engine ?? dockerAddress();
}

/**
 * The dockerode client of an engine (null or the default's address: the shared default client,
 * which reads DOCKER_HOST itself when it is set and no list is configured).
 */
export function docker(engine?: string | null): Docker {
  if (engine && engine !== dockerAddress()) return clientFor(engine);
  const socketPath = g.__docksideDockerSocket;
  if (!socketPath && configuredEngines().length) return clientFor(configuredEngines()[0]);
  g.__docksideDocker ??= socketPath ? new Docker({ socketPath }) : env().DOCKER_HOST ? new Docker() : new Docker({ socketPath: "/var/run/docker.sock" });
  return g.__docksideDocker;
}

function clientFor(address: string): Docker {
  g.__docksideEngines ??= new Map();
  let c = g.__docksideEngines.get(address);
  if (!c) g.__docksideEngines.set(address, (c = new Docker(dockerOptions(address))));
  return c;
}

/** unix:///path or tcp://host:port (TLS as the docker CLI does: DOCKER_TLS_VERIFY and DOCKER_CERT_PATH). */
export function dockerOptions(address: string): Docker.DockerOptions {
  if (address.startsWith("unix://")) return { socketPath: address.slice("unix://".length) };
  const url = new URL(address);
  if (!process.env.DOCKER_TLS_VERIFY) return { host: url.hostname, port: Number(url.port), protocol: "http" };
  const dir = process.env.DOCKER_CERT_PATH ?? path.join(process.env.HOME ?? "/root", ".docker");
  const read = (f: string) => fs.readFileSync(path.join(dir, f));
  return { host: url.hostname, port: Number(url.port), protocol: "https", ca: read("ca.pem"), cert: read("cert.pem"), key: read("key.pem") };
}

/** Points the shared client at another Unix socket (tests put a proxy in front of the engine); undefined restores the default. */
export function setDockerSocket(socketPath: string | undefined): void {
  g.__docksideDockerSocket = socketPath;
  g.__docksideDocker = undefined;
}

export type EngineStatus = { ok: true; address: string; version: string } | { ok: false; address: string; error: string };

/** Whether an engine (null: the default) answers, and its version. */
export async function engineStatus(timeoutMs = 2000, engine?: string | null): Promise<EngineStatus> {
  const address = engineAddress(engine);
  try {
    const v = await withTimeout(docker(engine).version(), timeoutMs, "no answer");
    return { ok: true, address, version: v.Version };
  } catch (err) {
    return { ok: false, address, error: (err as Error).message };
  }
}

const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOENT", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND"]);

/**
 * The engine did not answer (no socket, refused, dropped, timed out), as opposed to an answer
 * such as 404: "unreachable" must never be taken for "missing".
 */
export function isEngineUnreachable(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const e = err as { code?: string; statusCode?: number; message?: string; name?: string };
  if (isEngineUnavailableError(err)) return true;
  if (e.statusCode) return false;
  if (e.code && UNREACHABLE_CODES.has(e.code)) return true;
  return /socket hang up|no answer after|timed? ?out|connect E[A-Z]+|ECONNRESET|EPIPE/i.test(e.message ?? "");
}

function isEngineUnavailableError(err: unknown): boolean {
  return err instanceof Error && err.name === "AppError" && (err as AppError).code === "unavailable" && /Docker engine/.test(err.message);
}

/** A 503 that names the engine's address and its error, for a person to act on. */
export function engineUnavailable(err: unknown, doing?: string, engine?: string | null): AppError {
  // Already said once: keep the engine's own error, and say what was being done now.
  if (isEngineUnavailableError(err) && (!doing || !(err as Error).cause)) return err as AppError;
  const root = isEngineUnavailableError(err) ? (err as Error).cause : err;
  const msg = (root as Error)?.message ?? String(root);
  return new AppError("unavailable", `the Docker engine at ${engineAddress(engine)} is unreachable (${msg})${doing ? ` while ${doing}` : ""}; start it (or fix ${configuredEngines().length ? "DOCKSIDE_DOCKER_HOSTS" : "DOCKER_HOST"})`, { cause: root });
}

/** Rethrows an unreachable engine as engineUnavailable(); other errors as they are. */
export function rethrowEngine(err: unknown, doing?: string, engine?: string | null): never {
  throw isEngineUnreachable(err) ? engineUnavailable(err, doing, engine) : err;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} after ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

// The Docker engine connection (DOCKER_HOST or the local socket) and its health.
import Docker from "dockerode";
import { env } from "../config/env";
import { AppError } from "../errors";

const g = globalThis as unknown as { __docksideDocker?: Docker; __docksideDockerSocket?: string };

export function dockerAddress(): string {
  if (g.__docksideDockerSocket) return `unix://${g.__docksideDockerSocket}`;
  return env().DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

/** The shared dockerode client. dockerode reads DOCKER_HOST itself when it is set. */
export function docker(): Docker {
  const socketPath = g.__docksideDockerSocket;
  g.__docksideDocker ??= socketPath ? new Docker({ socketPath }) : env().DOCKER_HOST ? new Docker() : new Docker({ socketPath: "/var/run/docker.sock" });
  return g.__docksideDocker;
}

/** Points the shared client at another Unix socket (tests put a proxy in front of the engine); undefined restores the default. */
export function setDockerSocket(socketPath: string | undefined): void {
  g.__docksideDockerSocket = socketPath;
  g.__docksideDocker = undefined;
}

export type EngineStatus = { ok: true; address: string; version: string } | { ok: false; address: string; error: string };

export async function engineStatus(timeoutMs = 2000): Promise<EngineStatus> {
  const address = dockerAddress();
  try {
    const v = await withTimeout(docker().version(), timeoutMs, "no answer");
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
export function engineUnavailable(err: unknown, doing?: string): AppError {
  // Already said once: keep the engine's own error, and say what was being done now.
  if (isEngineUnavailableError(err) && (!doing || !(err as Error).cause)) return err as AppError;
  const root = isEngineUnavailableError(err) ? (err as Error).cause : err;
  const msg = (root as Error)?.message ?? String(root);
  return new AppError("unavailable", `the Docker engine at ${dockerAddress()} is unreachable (${msg})${doing ? ` while ${doing}` : ""}; start it (or fix DOCKER_HOST)`, { cause: root });
}

/** Rethrows an unreachable engine as engineUnavailable(); other errors as they are. */
export function rethrowEngine(err: unknown, doing?: string): never {
  throw isEngineUnreachable(err) ? engineUnavailable(err, doing) : err;
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

// The Docker engine connection (DOCKER_HOST or the local socket) and its health.
import Docker from "dockerode";
import { env } from "../config/env";

const g = globalThis as unknown as { __docksideDocker?: Docker };

export function dockerAddress(): string {
  return env().DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

/** The shared dockerode client. dockerode reads DOCKER_HOST itself when it is set. */
export function docker(): Docker {
  g.__docksideDocker ??= env().DOCKER_HOST ? new Docker() : new Docker({ socketPath: "/var/run/docker.sock" });
  return g.__docksideDocker;
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

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} after ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

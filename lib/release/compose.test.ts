// compose.yaml cannot be run here (no registry for postgres:16, docker:dind or node:20), so this
// checks what would make it fail on a team's machine: its YAML, the three services, one data
// directory seen at the same path by Dockside and its engine, settings Dockside actually reads,
// and a Dockerfile whose sources exist. `docker-compose config` was run by hand (docs/operations.md).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = path.resolve(import.meta.dirname, "../..");
const read = (rel: string) => fs.readFileSync(path.join(root, rel), "utf8");

interface Mount {
  type?: string;
  source?: string;
  target?: string;
  bind?: { propagation?: string };
}
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  privileged?: boolean;
  environment?: Record<string, string>;
  volumes?: (string | Mount)[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const compose = parse(read("compose.yaml"), { merge: true }) as Compose;
const { postgres, docker, dockside } = compose.services;
const dataMount = (s: Service) => s.volumes?.find((v): v is Mount => typeof v === "object" && v.type === "bind");

describe("compose.yaml", () => {
  it("runs PostgreSQL 16, a Docker engine of its own and Dockside built from this repository", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["docker", "dockside", "postgres"]);
    expect(postgres.image).toBe("postgres:16");
    expect(docker.image).toBe("docker:dind");
    expect(docker.privileged).toBe(true);
    expect(dockside.build?.context).toBe(".");
    expect(fs.existsSync(path.join(root, dockside.build!.dockerfile))).toBe(true);
    expect(dockside.depends_on?.postgres.condition).toBe("service_healthy");
  });

  it("gives Dockside its database, public address, secret, model key and engine", () => {
    const e = dockside.environment!;
    expect(e.DATABASE_URL).toMatch(/^postgresql:\/\/dockside:\$\{POSTGRES_PASSWORD\}@postgres:5432\/dockside$/);
    for (const required of ["DOCKSIDE_PUBLIC_URL", "DOCKSIDE_SECRET", "ANTHROPIC_API_KEY"]) {
      expect(e[required], required).toMatch(new RegExp(`^\\$\\{${required}:\\?`));
    }
    expect(e.DOCKER_HOST).toBe("tcp://docker:2376");
    expect(e.DOCKSIDE_TRUST_PROXY).toBe("1");
    // Docker sets HOSTNAME to the container id; listening there would refuse the published port.
    expect(e.HOSTNAME).toBe("0.0.0.0");
    // Only a proxy on the host reaches it, which is what makes trusting X-Forwarded-For safe.
    expect(dockside.ports?.every((p) => p.startsWith("127.0.0.1:"))).toBe(true);
  });

  it("sets only settings that something reads", () => {
    const known = read("lib/config/env.ts") + read("lib/auth/secret.ts") + read("node_modules/docker-modem/lib/modem.js");
    for (const key of Object.keys(dockside.environment!)) expect(known, key).toContain(key);
  });

  it("shows the engine Dockside's data directory at the same path, mounts included", () => {
    const mine = dataMount(dockside)!;
    const engines = dataMount(docker)!;
    expect(mine.target).toBe(dockside.environment!.DOCKSIDE_DATA_DIR);
    expect(engines.target).toBe(mine.target);
    expect(engines.source).toBe(mine.source);
    expect(mine.bind?.propagation).toBe("rshared");
    expect(engines.bind?.propagation).toBe("rslave");
  });

  it("declares every named volume it uses", () => {
    const named = [postgres, docker, dockside]
      .flatMap((s) => s.volumes ?? [])
      .filter((v): v is string => typeof v === "string")
      .map((v) => v.split(":")[0]);
    for (const v of named) expect(Object.keys(compose.volumes)).toContain(v);
  });

  it("builds from files that exist and never copies local state into the image", () => {
    const dockerfile = read("deploy/Dockerfile");
    const sources = [...dockerfile.matchAll(/^COPY (.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
    expect(sources.length).toBeGreaterThan(5);
    for (const s of sources) expect(fs.existsSync(path.join(root, s)), s).toBe(true);
    expect(sources).not.toContain(".");
    const ignored = read("deploy/Dockerfile.dockerignore").split("\n");
    for (const p of [".data", ".env", "node_modules", ".next"]) expect(ignored).toContain(p);
  });
});

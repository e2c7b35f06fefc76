// How an engine's address becomes a dockerode connection (DOCKSIDE_DOCKER_HOSTS entries).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dockerOptions } from "./docker";

const saved = { verify: process.env.DOCKER_TLS_VERIFY, certs: process.env.DOCKER_CERT_PATH };
afterEach(() => {
  for (const [k, v] of [["DOCKER_TLS_VERIFY", saved.verify], ["DOCKER_CERT_PATH", saved.certs]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe("dockerOptions", () => {
  it("reads a Unix socket and a plain tcp engine", () => {
    expect(dockerOptions("unix:///run/dockside-engine2.sock")).toEqual({ socketPath: "/run/dockside-engine2.sock" });
    delete process.env.DOCKER_TLS_VERIFY;
    expect(dockerOptions("tcp://10.0.0.7:2375")).toEqual({ host: "10.0.0.7", port: 2375, protocol: "http" });
  });

  it("uses TLS with the docker CLI's certificates when DOCKER_TLS_VERIFY is set", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-certs-"));
    for (const f of ["ca.pem", "cert.pem", "key.pem"]) fs.writeFileSync(path.join(dir, f), `${f}\n`);
    process.env.DOCKER_TLS_VERIFY = "1";
    process.env.DOCKER_CERT_PATH = dir;
    const o = dockerOptions("tcp://engine.internal:2376");
    expect(o).toMatchObject({ host: "engine.internal", port: 2376, protocol: "https" });
    expect(String(o.ca)).toBe("ca.pem\n");
    expect(String(o.key)).toBe("key.pem\n");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

// The embedded PostgreSQL killed outright under a running Dockside (startRuntime on its own data
// dir and port, not the suite's shared cluster): meanwhile the API answers 503 "database
// unavailable", health says down (why and since when for a signed-in caller, {ok:false} for
// anyone), and the cluster is restarted within seconds with no Dockside restart: reads and writes
// work again through the same Prisma client.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { waitFor } from "../../test/fixtures";
import { callRoute } from "../../test/route-call";
import { GET as health } from "../../app/api/health/route";
import { GET as listSessions } from "../../app/api/sessions/route";
import { createApiToken } from "../auth/tokens";
import { createTeamFor } from "../cli/teams";
import { createUser } from "../cli/users";
import type { Started } from "../runtime/start";
import { releaseMountsUnder } from "../sandbox/mounts";
import { db } from "./client";
import { clusterDir } from "./embedded-location";
import { databaseOutage, DB_UNAVAILABLE_MESSAGE } from "./unavailable";
import { freePort } from "../../test/free-port";

// Before any module reads the configuration: this runtime has its own cluster and data dir.
const setup = vi.hoisted(() => {
  const dir = `${process.env.TMPDIR ?? "/tmp"}/dockside-supervise-${process.pid}-${Date.now()}`;
  delete process.env.DATABASE_URL;
  process.env.DOCKSIDE_DATA_DIR = `${dir}/data`;
  // The port is chosen by the kernel in beforeAll (a fixed formula landed in the ephemeral range,
  // where another process's connection held it).
  return { dir, port: 0 };
});

let started: Started;
let token = "";
const lines: string[] = [];
const t0 = Date.now();
const trace = (m: string) => process.env.TRACE && console.error(`[test +${Date.now() - t0}ms] ${m}`);
const pidFile = () => path.join(clusterDir(path.join(setup.dir, "data")), "postmaster.pid");
const postmasterPid = () => Number(fs.readFileSync(pidFile(), "utf8").split("\n")[0]);

beforeAll(async () => {
  setup.port = await freePort();
  process.env.DOCKSIDE_PG_PORT = String(setup.port);
  fs.mkdirSync(setup.dir, { mode: 0o755 });
  const { startRuntime } = await import("../runtime/start");
  started = await startRuntime({ buildImage: false, log: (l) => void (lines.push(l), trace(l)) });
  trace("runtime started");
  await createUser({ email: "ops@example.test", password: "a long enough password" });
  const team = await createTeamFor("Ops", "ops@example.test");
  const user = await db().user.findUniqueOrThrow({ where: { email: "ops@example.test" } });
  token = (await createApiToken(user.id, team.id, "ops")).token;
});

afterAll(async () => {
  trace("stopping");
  await started?.stop();
  trace("stopped");
  // The runtime loop-mounts the mirrors' filesystem under the data dir.
  await releaseMountsUnder(setup.dir);
  fs.rmSync(setup.dir, { recursive: true, force: true });
});

/**
 * Takes the cluster's port the moment the killed postmaster lets go of it (a new postmaster needs
 * far longer to bind), so restarts fail until it is released: the outage lasts as long as the
 * test needs to look at it, not as long as a restart happens to take.
 */
async function holdPort(port: number): Promise<net.Server> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = await new Promise<net.Server | null>((resolve) => {
      // Connections are reset at once, as by a port nobody serves PostgreSQL on.
      const server = net.createServer((socket) => socket.resetAndDestroy());
      server.once("error", () => resolve(null));
      server.listen(port, "127.0.0.1", () => resolve(server));
    });
    if (s) return s;
    if (Date.now() > deadline) throw new Error(`port ${port} was not released by the killed postmaster`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("the supervised embedded PostgreSQL", () => {
  it("answers 503 while its postmaster is dead, says so in health, and is back within seconds", async () => {
    expect((await callRoute(listSessions, token, "GET", {})).status).toBe(200);
    const before = postmasterPid();

    trace("killing");
    process.kill(before, "SIGKILL");
    // The port stays taken for the outage, so the test sees it before the restart succeeds.
    const holder = await holdPort(setup.port);
    trace("port held");
    try {
      await waitFor(async () => databaseOutage(), "the supervisor noticing", 10_000);
      trace("outage seen");
      const during = await callRoute<{ error: { code: string; message: string } }, Record<string, never>>(listSessions, token, "GET", {});
      trace(`during ${during.status}`);
      expect(during.status).toBe(503);
      expect(during.body.error).toMatchObject({ code: "unavailable", message: DB_UNAVAILABLE_MESSAGE });

      const anon = await health(new Request("http://dockside.test/api/health"), { params: Promise.resolve({}) });
      expect(anon.status).toBe(503);
      expect(await anon.json()).toEqual({ ok: false });

      // Verified a moment ago: the signed-in caller still learns why and since when.
      const signedIn = await callRoute<{ ok: boolean; database: { ok: boolean; error: string } }, Record<string, never>>(health, token, "GET", {});
      expect(signedIn.status).toBe(503);
      expect(signedIn.body.ok).toBe(false);
      expect(signedIn.body.database).toMatchObject({ ok: false, error: expect.stringMatching(/^down since \d{4}-\d\d-\d\dT.*Z: the embedded PostgreSQL .*port \d+/) });
    } finally {
      await new Promise((r) => holder.close(r));
    }

    await waitFor(async () => !databaseOutage(), "the restart", 30_000);
    trace("restarted");
    expect(postmasterPid()).not.toBe(before);
    expect((await callRoute(listSessions, token, "GET", {})).status).toBe(200);
    // A write through the same client (its pool dropped the dead connections by itself).
    const team = await createTeamFor("After the outage", "ops@example.test");
    expect(await db().team.findUnique({ where: { id: team.id } })).not.toBeNull();
    const h = await callRoute<{ database: { ok: boolean } }, Record<string, never>>(health, token, "GET", {});
    expect(h.body.database.ok).toBe(true);
    expect(lines.some((l) => /\[db\] the embedded PostgreSQL on port \d+ is gone/.test(l))).toBe(true);
    expect(lines.some((l) => /\[db\] the embedded PostgreSQL is back after/.test(l))).toBe(true);
  });
});

// Environments on real parts: the sandbox (real Docker, no network interface), the worker's
// forwarder, the host's egress proxy and local upstreams reached through DOCKSIDE_EGRESS_PINS, a
// setup script that installs a package with the image's real npm from a registry stand-in, the
// cached environment reused by the next session, and secrets that never reach the agent or a log.
// Fixed ports, chosen before the configuration is read (the pins are part of it).
const base = 20_000 + Math.floor(Math.random() * 20_000);
const SITE = base;
const REGISTRY = base + 1;
process.env.DOCKSIDE_EGRESS_PINS = `allowed.test=127.0.0.1:${SITE},other.test=127.0.0.1:${SITE},registry.test=127.0.0.1:${REGISTRY}`;
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { sessionPaths } from "../../lib/git/workspace";
import { env } from "../../lib/config/env";
import type { SessionEvent } from "../../lib/events/schema";
import { FIXTURE_PACKAGE, listenOn, startNpmRegistry, startSite, type Upstream } from "../egress-upstreams";
import { registerWithEnvironment } from "../environment-settings";
import { makeRepo } from "../fixtures";
import { allEvents, outputOf, script, startHarness, TEAM, waitStatusEvent, type Harness } from "../session-harness";

let h: Harness;
let site: Upstream;
let registry: Upstream;
const SECRET = `tok-${crypto.randomBytes(12).toString("hex")}`;
const AGENT_SECRET = `agt-${crypto.randomBytes(12).toString("hex")}`;

const shell = (command: string) => ({ blocks: [{ type: "tool_use" as const, name: "shell", input: { command } }] });
const say = (text: string) => ({ blocks: [{ type: "text" as const, text }] });

beforeAll(async () => {
  site = await listenOn(SITE, () => startSite("allowed"));
  registry = await listenOn(REGISTRY, () => startNpmRegistry("registry.test"));
  h = await startHarness();
}, 60_000);
afterAll(async () => {
  await h?.close();
  await site?.close();
  await registry?.close();
});



const setupEvents = (events: SessionEvent[]) => events.flatMap((e) => (e.type === "setup" ? [e.data] : []));
const setupLog = (events: SessionEvent[]) => events.flatMap((e) => (e.type === "setup.output" ? [e.data.text] : [])).join("");
const blocked = (events: SessionEvent[]) => events.flatMap((e) => (e.type === "egress.blocked" ? [e.data] : []));

describe("egress through the host's proxy", () => {
  it("lets the agent reach an allowlisted host, refuses another and shows the refusal", async () => {
    const origin = makeRepo({ "README.md": "# egress\n" });
    await registerWithEnvironment(origin, { egress: { agent: "allowlist", allow: ["allowed.test"] } });
    const marker = "EGRESS-ALLOW";
    h.stub.addScript(
      script(marker, [
        shell("curl -sS --max-time 10 http://allowed.test/hello; echo; curl -sS -p --max-time 10 http://allowed.test/tunnel; echo"),
        shell("sha256sum /etc/ssl/certs/ca-certificates.crt; echo \"node-ca=$NODE_EXTRA_CA_CERTS\""),
        shell("curl -sS --max-time 10 https://other.test/ 2>&1; echo; ip -o link 2>/dev/null | grep -vc ' lo:' ; cat /proc/net/dev | tail -n +3 | cut -d: -f1"),
        say("egress checked"),
      ]),
    );
    const s = await h.orchestrator.createSession(TEAM, { repo: origin, prompt: `${marker}: reach the network` });
    const events = await waitStatusEvent(s.id, "idle", 1, 120_000);
    const out = outputOf(events);
    // Absolute-form HTTP and a CONNECT tunnel both reach the allowlisted upstream.
    expect(out.match(/hello from allowed/g)?.length).toBe(2);
    expect(site.hits).toEqual(expect.arrayContaining(["GET /hello", "GET /tunnel"]));
    // other.test is pinned to the same upstream, but not allowlisted: refused, and a person sees it.
    expect(out).toMatch(/403|CONNECT tunnel failed/);
    expect(blocked(events)).toEqual([expect.objectContaining({ host: "other.test", port: 443, phase: "agent" })]);
    // The agent was told what its network reaches, in the system prompt.
    const req = h.stub.requests.find((r) => JSON.stringify(r.body).includes(marker));
    expect(JSON.stringify((req?.body as { system?: unknown }).system)).toContain("Network: only these hosts");
    expect(JSON.stringify((req?.body as { system?: unknown }).system)).toContain("allowed.test");
    // The sandbox trusts what the host trusts (a TLS-inspecting proxy's CA, an internal registry's), Node included.
    const hostCa = crypto.createHash("sha256").update(fs.readFileSync("/etc/ssl/certs/ca-certificates.crt")).digest("hex");
    expect(out).toContain(hostCa);
    expect(out).toContain("node-ca=/etc/ssl/certs/ca-certificates.crt");
    // No network interface but loopback.
    expect(out.trim().split("\n").slice(-1)[0].trim()).toBe("lo");
  }, 180_000);
});

describe("setup, cached environments and secrets", () => {
  const setupScript = [
    `echo "installing with token $NPM_TOKEN"`,
    `npm install --no-audit --no-fund --registry http://registry.test/ ${FIXTURE_PACKAGE} 2>&1 | tail -n 3`,
    `node -e "console.log(require('${FIXTURE_PACKAGE}'))"`,
  ].join("\n");

  it("runs the setup with its secrets and network, caches the result, and the next session restores it", async () => {
    const origin = makeRepo({ "README.md": "# setup\n", ".gitignore": "" });
    const repoId = await registerWithEnvironment(origin, {
      setupScript,
      egress: { setup: "allowlist", agent: "none", allow: ["registry.test"] },
      secrets: { NPM_TOKEN: SECRET, AGENT_TOKEN: { value: AGENT_SECRET, agent: true } },
    });
    const marker = "SETUP-FIRST";
    const agentChecks = [
      shell(`node -e "console.log(require('${FIXTURE_PACKAGE}'))"; echo "npm-token=[$NPM_TOKEN]"; env | grep -c '^NPM_TOKEN=' ; echo "agent-token=$AGENT_TOKEN"`),
      shell("curl -sS --max-time 10 http://registry.test/ 2>&1 | head -c 300; echo; echo change > work.txt"),
      say("checked"),
    ];
    h.stub.addScript(script(marker, agentChecks));
    const first = await h.orchestrator.createSession(TEAM, { repo: origin, prompt: `${marker}: check the environment` });
    const events = await waitStatusEvent(first.id, "idle", 1, 180_000);
    const setup = setupEvents(events);
    expect(setup.map((s) => s.state)).toEqual(["running", "ok"]);
    expect(setup[1].durationMs).toBeGreaterThan(0);
    const log = setupLog(events);
    expect(log).toContain("fixture package loaded");
    // The secret reached the script, and was masked everywhere it was stored.
    expect(log).toContain("installing with token ***");
    const stored = JSON.stringify(events);
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain(AGENT_SECRET);
    const out = outputOf(events);
    expect(out).toContain("fixture package loaded");
    // The setup secret is not in the agent's environment; the one marked for the agent is (masked in output).
    expect(out).toContain("npm-token=[]");
    expect(out).toMatch(/^0$/m);
    expect(out).toContain("agent-token=***");
    // The agent's policy is none: the registry the setup could reach is refused now.
    expect(blocked(events)).toEqual(expect.arrayContaining([expect.objectContaining({ host: "registry.test", phase: "agent" })]));
    expect(registry.hits.filter((x) => x.startsWith("GET /dockside-fixture-pkg")).length).toBeGreaterThanOrEqual(2);
    // The setup's results are the environment's, not the agent's work: the checkpoint has work.txt only.
    const host = sessionPaths(env().dataDir, first.id).hostRepo;
    const row = await db().session.findUniqueOrThrow({ where: { id: first.id } });
    const files = execFileSync("git", ["-C", host, "diff", "--name-only", row.baseCommit!, row.headCommit!], { encoding: "utf8" });
    expect(files.trim().split("\n")).toEqual(["work.txt"]);
    const snaps = await db().environmentSnapshot.findMany({ where: { repositoryId: repoId } });
    expect(snaps).toHaveLength(1);

    // The second session on the same repository and setup restores the snapshot instead of installing.
    // The agent knew how setup prepared the workspace, and that it has no network.
    const system = JSON.stringify((h.stub.requests.find((r) => JSON.stringify(r.body).includes(marker))?.body as { system?: unknown }).system);
    expect(system).toContain("Network: none");
    expect(system).toContain("npm install --no-audit");
    const hitsBefore = registry.hits.length;
    const marker2 = "SETUP-SECOND";
    h.stub.addScript(script(marker2, [shell(`node -e "console.log(require('${FIXTURE_PACKAGE}'))"`), say("reused")]));
    const second = await h.orchestrator.createSession(TEAM, { repo: origin, prompt: `${marker2}: use the environment` });
    const events2 = await waitStatusEvent(second.id, "idle", 1, 180_000);
    expect(setupEvents(events2).map((s) => s.state)).toEqual(["running", "cached"]);
    expect(outputOf(events2)).toContain("fixture package loaded");
    expect(registry.hits.length).toBe(hitsBefore);
    const used = await db().environmentSnapshot.findFirstOrThrow({ where: { repositoryId: repoId } });
    expect(used.uses).toBe(1);
  }, 360_000);

  it("runs the repository's own .dockside/setup.sh only when the team allows it", async () => {
    const origin = makeRepo({ "README.md": "# own setup\n", ".dockside/setup.sh": "echo from the repository > made-by-setup.txt\necho repository setup ran\n" });
    await registerWithEnvironment(origin, {});
    const check = (marker: string) => script(marker, [shell("cat made-by-setup.txt 2>&1"), say("checked")]);
    h.stub.addScript(check("OWN-SETUP-OFF"));
    const off = await h.orchestrator.createSession(TEAM, { repo: origin, prompt: "OWN-SETUP-OFF: look" });
    const offEvents = await waitStatusEvent(off.id, "idle", 1, 120_000);
    expect(setupEvents(offEvents)).toEqual([]);
    expect(outputOf(offEvents)).toContain("No such file");

    await db().team.update({ where: { id: TEAM }, data: { allowRepoSetupScript: true } });
    try {
      h.stub.addScript(check("OWN-SETUP-ON"));
      const on = await h.orchestrator.createSession(TEAM, { repo: origin, prompt: "OWN-SETUP-ON: look" });
      const onEvents = await waitStatusEvent(on.id, "idle", 1, 120_000);
      expect(setupEvents(onEvents).map((e) => [e.state, e.source])).toEqual([["running", "repository"], ["ok", "repository"]]);
      expect(setupLog(onEvents)).toContain("repository setup ran");
      expect(outputOf(onEvents)).toContain("from the repository");
    } finally {
      await db().team.update({ where: { id: TEAM }, data: { allowRepoSetupScript: false } });
    }
  }, 240_000);

  it("fails the session with the log's tail when the setup script fails", async () => {
    const origin = makeRepo({ "README.md": "# failing setup\n" });
    await registerWithEnvironment(origin, { setupScript: "echo preparing\necho 'the database fixture is missing' >&2\nexit 3" });
    const s = await h.orchestrator.createSession(TEAM, { repo: origin, prompt: "SETUP-FAIL: never runs" });
    const events = await waitStatusEvent(s.id, "failed", 1, 120_000);
    const setup = setupEvents(events);
    expect(setup.at(-1)).toMatchObject({ state: "failed", exitCode: 3 });
    const status = events.filter((e) => e.type === "status").at(-1);
    expect(status?.type === "status" && status.data.reason).toMatch(/exit 3.*the database fixture is missing/s);
    // The agent never ran.
    expect(h.stub.requests.filter((r) => JSON.stringify(r.body).includes("SETUP-FAIL"))).toHaveLength(0);
  }, 180_000);
});

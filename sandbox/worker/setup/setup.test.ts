// The setup phase and the egress forwarder in the built worker, run as root with the container's
// capabilities against the fake host, the agent a uid of its own: a script's output streamed with
// secrets masked, its results handed over as a tar (untracked files and the home, not what git
// tracks, not caches), nothing it started left running, a failure failing the session with the
// log's tail, a cached environment unpacked as the agent instead of running the script (and the
// script run when that fails), and the agent's commands reaching the host's proxy through the forwarder.
import { execFileSync, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SetupPlan, WorkerConfig } from "../../../lib/protocol/worker";
import { startModelStub, type ModelStub } from "../../../lib/modelstub/server";
import type { ScriptInput } from "../../../lib/modelstub/script";
import type { WorkerEvent } from "../outbox";
import { testConfig } from "../testing/config";
import { startFakeHost, type FakeHost } from "../testing/fake-host";
import { gitIn, handOver, makeLayout, type Layout } from "../testing/layout";
import { buildWorker, startWorker, type WorkerProcess } from "../testing/worker-process";

const KEY = "a".repeat(64);
const SETUP_SECRET = "setup-secret-value-456";
const AGENT_SECRET = "agent-secret-value-123";

type Rig = {
  layout: Layout;
  home: string;
  host: FakeHost;
  stub: ModelStub;
  workers: WorkerProcess[];
  /** What reached the host's egress socket. */
  egress: Buffer[];
  launch(): WorkerProcess;
  close(): Promise<void>;
};
const rigs: Rig[] = [];

async function makeRig(opts: { plan: SetupPlan | null; scripts?: ScriptInput[]; config?: Partial<WorkerConfig> }): Promise<Rig> {
  const layout = makeLayout("dockside-setup-");
  const git = gitIn(layout.workspace);
  git("init", "-q", "-b", "main");
  fs.writeFileSync(path.join(layout.workspace, "README.md"), "# tracked\n");
  fs.writeFileSync(path.join(layout.workspace, ".gitignore"), "node_modules/\n.venv/\n");
  git("add", "-A");
  git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init");
  handOver(layout);
  // The agent's home, as the container's tmpfs: the agent's, 0755.
  const home = path.join(layout.dir, "home");
  fs.mkdirSync(home, { mode: 0o755 });
  fs.chownSync(home, layout.uid, layout.gid);

  const egress: Buffer[] = [];
  const egressSocket = path.join(layout.run, "egress.sock");
  // The host's proxy stand-in: answers PONG:<what it got>.
  const proxy = net.createServer((s) => {
    s.on("error", () => undefined);
    s.on("data", (c: Buffer) => {
      egress.push(c);
      s.end(Buffer.concat([Buffer.from("PONG:"), c]));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(egressSocket, resolve));

  const config = testConfig({ sessionId: "s-setup", agentUid: layout.uid, agentGid: layout.gid, ...opts.config });
  const stub = await startModelStub({ scripts: opts.scripts ?? [] });
  const host = await startFakeHost({ dir: layout.run, config, modelUrl: stub.url, setupPlan: opts.plan });
  const workers: WorkerProcess[] = [];
  let closed = false;
  const rig: Rig = {
    layout,
    home,
    host,
    stub,
    workers,
    egress,
    launch() {
      const w = startWorker({
        socketPath: host.socketPath,
        stateDir: layout.stateDir,
        workspace: layout.workspace,
        home: layout.dir,
        inboxDir: layout.inbox,
        env: { DOCKSIDE_AGENT_HOME: home, DOCKSIDE_EGRESS_SOCKET: egressSocket },
      });
      workers.push(w);
      return w;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const w of workers) w.child.kill("SIGKILL");
      spawnSync("/bin/kill", ["-KILL", "-1"], { uid: layout.uid, gid: layout.gid, stdio: "ignore" });
      await host.close();
      await stub.close();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      fs.rmSync(layout.dir, { recursive: true, force: true });
    },
  };
  rigs.push(rig);
  return rig;
}

beforeAll(() => buildWorker());
afterEach(async () => {
  for (const r of rigs.splice(0)) {
    for (const w of r.workers) if (w.stderr()) console.log(`worker stderr:\n${w.stderr()}`);
    await r.close();
  }
});

type ScriptPlan = Extract<SetupPlan, { run: "script" }>;
const plan = (script: string, extra: Partial<ScriptPlan> = {}): ScriptPlan => ({
  run: "script",
  key: KEY,
  source: "repository",
  script,
  env: { SETUP_TOKEN: SETUP_SECRET },
  timeoutS: 60,
  ...extra,
});
const restorePlan = (script: string, extra: Partial<ScriptPlan> = {}): SetupPlan => ({ ...plan(script, extra), run: "restore" });
const setupEvents = (events: WorkerEvent[]) => events.flatMap((e) => (e.type === "setup" ? [e.data] : []));
const setupOutput = (events: WorkerEvent[], stream?: "stdout" | "stderr") =>
  events.flatMap((e) => (e.type === "setup.output" && (!stream || e.data.stream === stream) ? [e.data.text] : [])).join("");
const toolOutput = (events: WorkerEvent[]) => events.flatMap((e) => (e.type === "tool.output" ? [e.data.text] : [])).join("");
const isIdle = (e: WorkerEvent) => e.type === "status" && e.data.status === "idle";
const tarNames = (tar: Buffer) => execFileSync("tar", ["-t", "-f", "-"], { input: tar, encoding: "utf8" }).split("\n").filter(Boolean);
const fromRoot = (p: string) => path.relative("/", p);
/** The agent's live processes (the dead ones, not yet reaped by whatever inherited them, are not counted). */
const agentProcesses = (uid: number) =>
  spawnSync("ps", ["-u", String(uid), "-o", "stat=,args="], { encoding: "utf8" })
    .stdout.split("\n")
    .filter((l) => l.trim() && !l.trim().startsWith("Z"))
    .join("\n");
const waitUntil = async (pred: () => boolean, what: string, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("no setup", () => {
  it("starts the agent directly (an older host's 404 too), and a restart does not ask again", async () => {
    const rig = await makeRig({
      plan: null,
      scripts: [{ match: "NONE", steps: [{ blocks: [{ type: "text", text: "hello" }] }, { blocks: [{ type: "text", text: "again" }] }] }],
    });
    rig.launch();
    rig.host.sendMessage("NONE: hi");
    await rig.host.waitFor((events) => events.some(isIdle));
    expect(rig.host.events.some((e) => e.type === "setup" || e.type === "setup.output")).toBe(false);
    expect(rig.host.planRequests()).toBe(1);
    expect(rig.host.setupDone).toEqual([]);

    rig.workers[0].child.kill("SIGTERM");
    expect(await rig.workers[0].exited()).toBe(0);
    rig.host.setSetupPlan({ run: "none" });
    rig.launch();
    rig.host.sendMessage("NONE: and again");
    await rig.host.waitFor((events) => events.filter(isIdle).length === 2);
    expect(rig.host.planRequests()).toBe(1);
  });
});

describe("a setup script that succeeds", () => {
  const SCRIPT = [
    'echo "setting up in $(pwd) as $(id -u), script=$0"',
    'echo "proxy=$HTTPS_PROXY"',
    'echo "token: $SETUP_TOKEN"',
    // The secret split across two writes (two chunks, two events at most): masked all the same.
    'printf "%s" "${SETUP_TOKEN:0:9}" >&2; sleep 0.3; printf "%s\\n" "${SETUP_TOKEN:9}" >&2',
    "mkdir -p node_modules/left-pad && echo 'module.exports = 1' > node_modules/left-pad/index.js",
    "echo built > untracked.txt && echo changed >> README.md",
    'mkdir -p "$HOME/.tool" "$HOME/.cache/junk" && echo tool > "$HOME/.tool/bin" && echo junk > "$HOME/.cache/junk/x"',
    // Left running by the script: must not outlive setup (it has setup's secrets).
    "setsid bash -c 'while true; do sleep 0.1; done' >/dev/null 2>&1 &",
    "sleep 300 &",
    "echo finished",
  ].join("\n");
  const COMMAND = [
    'echo "proxy=$HTTPS_PROXY http=$HTTP_PROXY lower=$https_proxy no=$NO_PROXY"',
    'echo "setup=${SETUP_TOKEN:-unset}"',
    'echo "token=$AGENT_TOKEN"',
    'printf %s "$AGENT_TOKEN" | sha256sum | cut -c1-16',
    "port=${HTTPS_PROXY##*:}",
    "exec 3<>/dev/tcp/127.0.0.1/$port",
    "printf PING >&3",
    "timeout 5 head -c 9 <&3; echo",
  ].join("; ");
  let rig: Rig;

  it("streams the output with secrets masked, uploads the untracked results and the home as a tar, reports ok, and leaves nothing running", async () => {
    rig = await makeRig({
      plan: plan(SCRIPT),
      config: { agentEnv: { AGENT_TOKEN: AGENT_SECRET } },
      scripts: [{ match: "ENV", steps: [{ blocks: [{ type: "tool_use", name: "shell", input: { command: COMMAND } }] }, { blocks: [{ type: "text", text: "checked" }] }] }],
    });
    rig.launch();
    const { host, layout } = rig;
    await waitUntil(() => host.setupDone.length > 0, "setup done");
    expect(host.setupDone).toEqual([{ ok: true, state: "ok", eventsBefore: expect.any(Number) }]);

    const setups = setupEvents(host.events);
    expect(setups.map((s) => s.state)).toEqual(["running", "ok"]);
    expect(setups[0]).toEqual({ state: "running", source: "repository" });
    expect(setups[1]).toMatchObject({ state: "ok", source: "repository", exitCode: 0 });
    expect(setups[1].durationMs).toBeGreaterThanOrEqual(300);
    expect(host.events[0].type).toBe("setup");

    const stdout = setupOutput(host.events, "stdout");
    expect(stdout).toContain(`setting up in ${layout.workspace} as ${layout.uid}`);
    expect(stdout).toMatch(/proxy=http:\/\/127\.0\.0\.1:\d+\n/);
    expect(stdout).toContain("token: ***\n");
    expect(stdout).toContain("finished\n");
    expect(setupOutput(host.events, "stderr")).toBe("***\n");
    expect(JSON.stringify(host.events)).not.toContain(SETUP_SECRET);

    // The script file was the worker's, and is gone.
    const scriptFile = /script=(\S+)/.exec(stdout)![1];
    expect(scriptFile).toMatch(/^\/tmp\/dockside-setup-[0-9a-f]{24}\.sh$/);
    expect(fs.existsSync(scriptFile)).toBe(false);

    // The snapshot: what git does not track (ignored included) and the home without caches.
    expect(host.environments).toHaveLength(1);
    const env = host.environments[0];
    expect([env.key, env.contentType]).toEqual([KEY, "application/x-tar"]);
    expect(env.ms).toBeGreaterThanOrEqual(300);
    const ws = fromRoot(layout.workspace);
    const home = fromRoot(rig.home);
    const names = tarNames(env.body);
    expect(names).toEqual(expect.arrayContaining([`${ws}/node_modules/left-pad/index.js`, `${ws}/untracked.txt`, `${home}/.tool/bin`]));
    expect(names.filter((n) => n.startsWith(`${ws}/README.md`) || n.startsWith(`${ws}/.git`) || n.startsWith(`${home}/.cache`))).toEqual([]);
    expect(names.every((n) => n.startsWith(`${ws}/`) || n === `${home}/` || n.startsWith(`${home}/`))).toBe(true);
    // Uploaded before setup was reported ok.
    const okAt = host.events.findIndex((e) => e.type === "setup" && e.data.state === "ok");
    expect(env.eventsBefore).toBeLessThanOrEqual(okAt);

    expect(fs.statSync(path.join(layout.workspace, "node_modules/left-pad/index.js")).uid).toBe(layout.uid);
    const left = agentProcesses(layout.uid);
    expect(left).not.toMatch(/while true/);
    expect(left).not.toMatch(/sleep 300/);
    rigs.splice(rigs.indexOf(rig), 1); // kept for the next test
  });

  it("then runs the agent with the proxy and its own secrets (masked), not setup's; the forwarder reaches the host's socket", async () => {
    rigs.push(rig); // closed after this test
    const { host } = rig;
    host.sendMessage("ENV: check the environment");
    await host.waitFor((events) => events.some(isIdle));
    const out = toolOutput(host.events);
    expect(out).toMatch(/proxy=http:\/\/127\.0\.0\.1:(\d+) http=http:\/\/127\.0\.0\.1:\1 lower=http:\/\/127\.0\.0\.1:\1 no=localhost,127\.0\.0\.1,::1\n/);
    expect(out).toContain("setup=unset\n");
    expect(out).toContain("token=***\n");
    expect(out).toContain(`${crypto.createHash("sha256").update(AGENT_SECRET).digest("hex").slice(0, 16)}\n`);
    expect(out).toContain("PONG:PING\n");
    expect(Buffer.concat(rig.egress).toString()).toBe("PING");
    const result = host.events.find((e) => e.type === "tool.result");
    expect(result?.type === "tool.result" && result.data.output).toContain("token=***");
    expect(JSON.stringify(host.events)).not.toContain(AGENT_SECRET);
    // The model saw it masked too.
    expect(JSON.stringify(rig.stub.requests.map((r) => r.body))).not.toContain(AGENT_SECRET);
    // Setup is not run again after a restart.
    rig.workers[0].child.kill("SIGTERM");
    expect(await rig.workers[0].exited()).toBe(0);
    rig.launch();
    await new Promise((r) => setTimeout(r, 1000));
    expect(host.planRequests()).toBe(1);
  });
});

describe("a setup script that fails", () => {
  it("reports failed with the masked tail of its log, and the worker fails the session (exit 1)", async () => {
    const script = ["for i in $(seq 1 30); do echo line $i; done", 'echo "the token is $SETUP_TOKEN" >&2', "echo 'fatal: something broke' >&2", "exit 3"].join("\n");
    const rig = await makeRig({ plan: plan(script) });
    const worker = rig.launch();
    expect(await worker.exited()).toBe(1);
    const { events } = rig.host;
    const failed = setupEvents(events).find((s) => s.state === "failed")!;
    expect(failed).toMatchObject({ state: "failed", source: "repository", exitCode: 3 });
    expect(failed.reason).toMatch(/^the setup script failed \(exit 3\): line 18\n/);
    expect(failed.reason).toContain("line 30\nthe token is ***\nfatal: something broke");
    expect(failed.reason).not.toContain("line 17");
    expect(events[events.length - 1]).toMatchObject({ type: "status", data: { status: "failed", reason: failed.reason } });
    expect(rig.host.setupDone).toEqual([{ ok: false, state: "failed", eventsBefore: expect.any(Number) }]);
    expect(rig.host.environments).toEqual([]);
    expect(JSON.stringify(events)).not.toContain(SETUP_SECRET);
  });

  it("is killed after its timeout, with what it started", async () => {
    const rig = await makeRig({ plan: plan("echo starting; sleep 300 & sleep 30", { timeoutS: 1 }) });
    const worker = rig.launch();
    expect(await worker.exited()).toBe(1);
    const failed = setupEvents(rig.host.events).find((s) => s.state === "failed")!;
    expect(failed.reason).toBe("the setup script timed out after 1 s: starting");
    expect(failed.exitCode).toBeNull();
    expect(agentProcesses(rig.layout.uid)).not.toMatch(/sleep/);
  });

  it("is killed when the session is stopped; setup is asked for again at the next start", async () => {
    const rig = await makeRig({ plan: plan("echo waiting; sleep 30") });
    const worker = rig.launch();
    await rig.host.waitFor((events) => setupOutput(events).includes("waiting"));
    rig.host.interrupt();
    expect(await worker.exited()).toBe(0);
    const { events } = rig.host;
    expect(setupEvents(events).map((s) => [s.state, s.reason])).toEqual([["running", undefined], ["failed", "stopped before setup finished"]]);
    expect(events[events.length - 1]).toMatchObject({ type: "status", data: { status: "stopped" } });
    expect(rig.host.setupDone).toEqual([]);
    expect(agentProcesses(rig.layout.uid)).not.toMatch(/sleep/);

    rig.host.setSetupPlan({ run: "none" });
    rig.launch();
    await waitUntil(() => rig.host.planRequests() === 2, "the plan asked again");
  });
});

describe("a cached environment", () => {
  /** A snapshot as the host would serve it: members relative to /, owned by root here. */
  function snapshot(rig: Rig, extra: (stage: string) => string[] = () => []): Buffer {
    const stage = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-stage-"));
    try {
      const ws = path.join(stage, fromRoot(rig.layout.workspace));
      const home = path.join(stage, fromRoot(rig.home));
      fs.mkdirSync(path.join(ws, "node_modules/cached-pkg"), { recursive: true });
      fs.writeFileSync(path.join(ws, "node_modules/cached-pkg/index.js"), "cached\n");
      fs.mkdirSync(path.join(home, ".tool"), { recursive: true });
      fs.writeFileSync(path.join(home, ".tool/cached"), "tool\n");
      const names = [`${fromRoot(rig.layout.workspace)}/node_modules`, `${fromRoot(rig.home)}/.tool`, ...extra(stage)];
      return execFileSync("tar", ["-c", "-f", "-", "-C", stage, ...names]);
    } finally {
      fs.rmSync(stage, { recursive: true, force: true });
    }
  }

  it("is unpacked as the agent instead of running the script, and reported cached", async () => {
    const rig = await makeRig({ plan: restorePlan("touch script-ran", { source: "team" }) });
    rig.host.setEnvironment(snapshot(rig));
    rig.launch();
    await waitUntil(() => rig.host.setupDone.length > 0, "setup done");
    expect(rig.host.setupDone).toEqual([{ ok: true, state: "cached", eventsBefore: expect.any(Number) }]);
    const setups = setupEvents(rig.host.events);
    expect(setups.map((s) => s.state)).toEqual(["running", "cached"]);
    expect(setups[1]).toMatchObject({ source: "team", durationMs: expect.any(Number) });
    expect(setupOutput(rig.host.events)).toBe("");

    const file = path.join(rig.layout.workspace, "node_modules/cached-pkg/index.js");
    expect(fs.readFileSync(file, "utf8")).toBe("cached\n");
    expect(fs.statSync(file).uid).toBe(rig.layout.uid);
    expect(fs.statSync(path.join(rig.home, ".tool/cached")).uid).toBe(rig.layout.uid);
    // Existing directories keep their owner and mode.
    expect(fs.statSync(rig.layout.workspace).mode & 0o777).toBe(0o700);
    expect(fs.existsSync(path.join(rig.layout.workspace, "script-ran"))).toBe(false);
    expect(rig.host.environments).toEqual([]);
  });

  it("that cannot be restored (a member outside the agent's reach; none at all) falls back to the script", async () => {
    for (const kind of ["hostile", "missing"] as const) {
      // The second one's results are large: the host refuses them while they are still streaming.
      const big = kind === "missing" ? "; mkdir -p node_modules && head -c 30000000 /dev/urandom > node_modules/big.bin" : "";
      const rig = await makeRig({ plan: restorePlan(`echo running the script; touch script-ran${big}`) });
      const evil = path.join(rig.layout.run, "state-evil");
      if (kind === "hostile") {
        rig.host.setEnvironment(
          snapshot(rig, (stage) => {
            fs.mkdirSync(path.join(stage, fromRoot(rig.layout.run)), { recursive: true });
            fs.writeFileSync(path.join(stage, fromRoot(evil)), "evil\n");
            return [fromRoot(evil)];
          }),
        );
      } else {
        rig.host.refuseEnvironments(413, "snapshot over 1 MB");
      }
      rig.launch();
      await waitUntil(() => rig.host.setupDone.length > 0, "setup done");
      expect(rig.host.setupDone).toEqual([{ ok: true, state: "ok", eventsBefore: expect.any(Number) }]);
      expect(setupEvents(rig.host.events).map((s) => s.state)).toEqual(["running", "ok"]);
      const stderr = setupOutput(rig.host.events, "stderr");
      expect(setupOutput(rig.host.events, "stdout")).toBe("running the script\n");
      expect(fs.existsSync(path.join(rig.layout.workspace, "script-ran"))).toBe(true);
      expect(fs.existsSync(evil)).toBe(false);
      if (kind === "hostile") {
        expect(stderr).toMatch(/^the cached environment could not be restored \(tar failed: .*Permission denied.*\): running the setup script instead\n$/s);
        expect(rig.host.environments.map((e) => e.key)).toEqual([KEY]);
      } else {
        // The refusal, or (when the host's reset overtakes its answer) the cut connection.
        expect(stderr).toMatch(
          new RegExp(
            "^the cached environment could not be restored \\(the host has no cached environment \\(404\\)\\): running the setup script instead\n" +
              "the environment was not cached: (it is larger than the host accepts \\(413: snapshot over 1 MB\\)|the host closed the connection during the transfer \\((EPIPE|ECONNRESET)\\): it may be over the host's size limit)\n$",
          ),
        );
        expect(rig.host.environments).toEqual([]);
      }
      await rig.close();
      rigs.splice(rigs.indexOf(rig), 1);
    }
  });
});

// The tools with the worker as root and the agent as a uid of its own, as in the container: the
// shell, ripgrep and the file tools' helper process run as that uid, so what is the worker's
// alone (a root-only 0700 directory, like /run/dockside) stays out of reach, even through a
// symlink the agent planted. Needs root, like the worker in its container.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewEvent } from "../../../lib/events/schema";
import type { WorkerConfig } from "../../../lib/protocol/worker";
import { handOver, makeLayout, type Layout } from "../testing/layout";
import { buildWorker } from "../testing/worker-process";
import { TOOLS } from "./index";
import { runTool } from "./run-tool";
import { testConfig } from "../testing/config";
import { staticPermissions } from "../permissions/host";

const bundle = path.resolve(__dirname, "../../dist/worker.mjs");
let layout: Layout;
let config: WorkerConfig;
let secret: string;
let n = 0;

beforeAll(() => {
  buildWorker();
  layout = makeLayout("dockside-asagent-", 200_123);
  const secretDir = path.join(layout.run, "secret");
  fs.mkdirSync(secretDir, { mode: 0o700 });
  secret = path.join(secretDir, "token");
  fs.writeFileSync(secret, "worker-only-secret\n");
  fs.writeFileSync(path.join(layout.workspace, "notes.txt"), "alpha\nbeta\n");
  fs.symlinkSync(secret, path.join(layout.workspace, "leak.txt"));
  handOver(layout);
  config = testConfig({ sessionId: "s-uid", model: "stub", agentUid: layout.uid, agentGid: layout.gid, shellTimeoutS: 30, toolOutputCap: 8000, maxTokens: 1000 });
});
afterAll(() => fs.rmSync(layout.dir, { recursive: true, force: true }));

function call(name: string, input: unknown, workerEntry = bundle) {
  const events: NewEvent[] = [];
  const base = { workspace: layout.workspace, workerEntry, config, signal: new AbortController().signal, emit: (e: NewEvent) => events.push(e), drained: async () => {}, pendingBytes: () => 0, permissions: staticPermissions() };
  return runTool(TOOLS, { id: `call-${++n}`, name, input }, base);
}

describe("tools as the agent's uid", () => {
  it("kills what a timed-out command started outside its process group (setsid)", async () => {
    const res = await call("shell", { command: "setsid bash -c 'while true; do sleep 0.1; done' & sleep 30", timeout_s: 1 });
    expect(res.content).toMatch(/timed out/);
    const left = await call("shell", { command: "ps -u $(id -u) -o args= | grep -c '[w]hile true' || true" });
    expect(left.content).toMatch(/^0$/m);
  });

  it("runs shell commands as that uid with a clean environment, and they cannot read the worker's directory", async () => {
    const res = await call("shell", { command: `id -u; id -g; id -G; echo "home=$HOME user=$USER"; env | grep -c DOCKSIDE; cat ${secret}; ls ${layout.run}` });
    expect(res.content).toContain(`${layout.uid}\n${layout.gid}\n${layout.gid}\n`);
    expect(res.content).toContain("home=/home/agent user=agent");
    expect(res.content).toMatch(/^0$/m); // no DOCKSIDE_* variable of the worker's
    expect(res.content).toMatch(/Permission denied/);
    expect(res.content).not.toContain("worker-only-secret");
  });

  it("still kills everything a command started when it times out", async () => {
    const res = await call("shell", { command: "sleep 20 & sleep 20; echo never", timeout_s: 1 });
    expect(res.content).toMatch(/timed out after 1 s/);
  });

  it("reads and writes files as the agent, never through a symlink into the worker's directory", async () => {
    const leak = await call("read_file", { path: "leak.txt" });
    expect(leak.is_error).toBe(true);
    expect(leak.content).not.toContain("worker-only-secret");

    const write = await call("write_file", { path: "made/by/agent.txt", content: "hi\n" });
    expect(write.content).toMatch(/Created/);
    const stat = fs.statSync(path.join(layout.workspace, "made/by/agent.txt"));
    expect([stat.uid, stat.gid]).toEqual([layout.uid, layout.gid]);
    expect(fs.statSync(path.join(layout.workspace, "made")).uid).toBe(layout.uid);

    fs.chmodSync(path.join(layout.workspace, "notes.txt"), 0o600);
    const edit = await call("edit_file", { path: "notes.txt", old_string: "beta", new_string: "gamma" });
    expect(edit.content).toMatch(/Edited notes.txt at line 2/);
    expect((await call("read_file", { path: "notes.txt" })).content).toBe("     1\talpha\n     2\tgamma");
    expect(fs.statSync(path.join(layout.workspace, "notes.txt")).uid).toBe(layout.uid);
  });

  it("greps and globs as the agent", async () => {
    expect((await call("grep", { pattern: "gamma" })).content).toBe("notes.txt:2:gamma");
    expect((await call("glob", { pattern: "**/*.txt" })).content).toContain("made/by/agent.txt");
  });

  it("treats what the file helper prints as untrusted", async () => {
    const fake = path.join(layout.dir, "liar.mjs");
    fs.writeFileSync(fake, 'process.stdout.write(JSON.stringify({ ok: true, output: { pwned: 1 } }));\n');
    fs.chmodSync(fake, 0o644);
    const res = await call("read_file", { path: "notes.txt" }, fake);
    expect(res.is_error).toBe(true);
    expect(res.content).toMatch(/no valid answer/);
  });
});

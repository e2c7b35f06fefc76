// `dockside session ...` as a person or a script runs it: the real CLI (bin/dockside.mjs) as a
// child process against a real Dockside server (server.ts, the model stub, Docker, git), with an
// API token. Needs the production build (scripts/build.sh).
import { execFile, execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../auth/tokens";
import { connectDb, db } from "../db/client";
import { makeRepo, waitFor } from "../../test/fixtures";
import { createDatabase, startServer, type TestServer } from "../../test/http-harness";

const BIN = path.resolve("bin/dockside.mjs");
const HOSTILE = "printf 'before \\033[2J\\033]0;pwned\\007 after \\000 nul\\n'";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let server: TestServer;
let token: string;
let repo: string;

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const merged: NodeJS.ProcessEnv = { ...process.env, DOCKSIDE_URL: server.url, DOCKSIDE_TOKEN: token, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, "session", ...args], { cwd: os.tmpdir(), env: merged, timeout: 240_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const explain = (r: Run) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}\n--- server\n${server.output().slice(-2000)}`;
const startedId = (r: Run) => /started session (\S+) /.exec(r.stderr)?.[1] ?? "";

beforeAll(async () => {
  const databaseUrl = await createDatabase("cli_session");
  server = await startServer({ databaseUrl });
  connectDb(databaseUrl);
  const signUp = await fetch(`${server.url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url },
    body: JSON.stringify({ name: "Ann Terminal", email: "ann@cli.example", password: "session-cli-password-1" }),
  });
  expect(signUp.status).toBe(200);
  const { user } = (await signUp.json()) as { user: { id: string } };
  const member = await db().member.findFirstOrThrow({ where: { userId: user.id } });
  token = (await createApiToken(user.id, member.teamId, "terminal")).token;
  repo = makeRepo();
  server.stub.addScript({
    match: "TASK-cli-greeting",
    steps: [
      { blocks: [{ type: "text", text: "Writing the greeting now." }, { type: "tool_use", name: "shell", input: { command: `echo hello-from-the-sandbox > greeting.txt && cat greeting.txt && ${HOSTILE}` } }] },
      { blocks: [{ type: "text", text: "The greeting is written." }] },
      { blocks: [{ type: "text", text: "Follow-up received: nothing else to change." }] },
    ],
  });
  server.stub.addScript({ match: "TASK-cli-sleeper", steps: [{ blocks: [{ type: "tool_use", name: "shell", input: { command: "echo sleeping; sleep 600" } }] }] });
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

describe("dockside session against a running server", () => {
  let id = "";

  it("start --watch streams the agent's words, its command and the output, safely, and exits 0 when idle", async () => {
    const r = await cli(["start", "--repo", repo, "--prompt", "TASK-cli-greeting: write a greeting", "--watch"]);
    expect(r.code, explain(r)).toBe(0);
    id = startedId(r);
    expect(id, explain(r)).not.toBe("");
    expect(r.stdout).toContain("Writing the greeting now.");
    expect(r.stdout).toContain("$ echo hello-from-the-sandbox > greeting.txt");
    expect(r.stdout).toContain("hello-from-the-sandbox\n");
    expect(r.stdout).toContain("The greeting is written.");
    expect(r.stdout).toMatch(/── running\n/);
    expect(r.stdout).toMatch(/✓ committed [0-9a-f]{8} /);
    // The sandbox's escape sequences are shown, never sent to the terminal.
    expect(r.stdout).toContain("before ␛[2J␛]0;pwned␇ after");
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(r.stderr).toContain(`session ${id} is idle: the agent finished its turn`);
  });

  it("--raw prints the sandbox's bytes as they are; watch --json is one event a line", async () => {
    const raw = await cli(["watch", id, "--raw"]);
    expect(raw.code, explain(raw)).toBe(0);
    expect(raw.stdout).toContain("before \x1b[2J\x1b]0;pwned\x07 after");
    const json = await cli(["watch", id, "--json"]);
    expect(json.code, explain(json)).toBe(0);
    const events = json.stdout.trim().split("\n").map((l) => JSON.parse(l) as { seq: number; type: string });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.type)).toContain("tool.output");
  });

  it("list shows the session with its status, author, repository and task; --json for scripts", async () => {
    const r = await cli(["list"]);
    expect(r.code, explain(r)).toBe(0);
    const line = r.stdout.split("\n").find((l) => l.startsWith(id));
    expect(line, explain(r)).toBeDefined();
    expect(line).toMatch(/ idle /);
    expect(line).toContain("Ann Terminal");
    expect(line).toContain(path.basename(repo));
    expect(line).toContain("TASK-cli-greeting: write a greeting");
    const idle = JSON.parse((await cli(["list", "--status", "idle", "--json"])).stdout) as { sessions: { id: string }[] };
    expect(idle.sessions.map((s) => s.id)).toContain(id);
    const failed = JSON.parse((await cli(["list", "--status", "failed", "--json"])).stdout) as { sessions: { id: string }[] };
    expect(failed.sessions).toEqual([]);
  });

  it("diff prints the change the agent made", async () => {
    const r = await cli(["diff", id]);
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toContain("+++ b/greeting.txt");
    expect(r.stdout).toContain("+hello-from-the-sandbox");
  });

  it("send --watch delivers a follow-up and streams only the answer to it", async () => {
    const r = await cli(["send", id, "Anything else? FOLLOW-UP", "--watch"]);
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toContain("» Ann Terminal: Anything else? FOLLOW-UP");
    expect(r.stdout).toContain("Follow-up received: nothing else to change.");
    expect(r.stdout).not.toContain("Writing the greeting now.");
  });

  it("merge follows the merge job, printing its steps, and ends once the branch is in the base", async () => {
    const r = await cli(["merge", id, "--strategy", "squash"]);
    expect(r.code, explain(r)).toBe(0);
    expect(r.stderr).toMatch(/merging \(squash\): (queued|preparing|merging|writing|pushing)/);
    expect(r.stderr).toMatch(new RegExp(`merged session ${id} \\(squash\\); the base branch is now at [0-9a-f]{12}`));
    expect(execFileSync("git", ["show", "main:greeting.txt"], { cwd: repo, encoding: "utf8" })).toBe("hello-from-the-sandbox\n");
  });

  it("stop stops a working agent; watching it then exits 3", async () => {
    const started = await cli(["start", "--repo", repo, "--prompt", "TASK-cli-sleeper"]);
    expect(started.code, explain(started)).toBe(0);
    const sleeper = started.stdout.trim();
    await waitFor(async () => {
      const res = await fetch(`${server.url}/api/sessions/${sleeper}/events`, { headers: { authorization: `Bearer ${token}` } });
      const { events } = (await res.json()) as { events: { type: string }[] };
      return events.some((e) => e.type === "tool.output");
    }, "the sleeper's command to start", 180_000);
    const stop = await cli(["stop", sleeper]);
    expect(stop.code, explain(stop)).toBe(0);
    const watched = await cli(["watch", sleeper]);
    expect(watched.code, explain(watched)).toBe(3);
    expect(watched.stdout).toContain("$ echo sleeping; sleep 600");
    expect(watched.stdout).toMatch(/── stopped/);
  });

  it("refusals exit non-zero with the server's own message", async () => {
    const wrong = await cli(["list"], { DOCKSIDE_TOKEN: "dsk_not-a-real-token" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("sign in, or send an API token");
    expect(wrong.stderr).toContain("[HTTP 401]");
    const watch = await cli(["watch", id], { DOCKSIDE_TOKEN: "dsk_not-a-real-token" });
    expect(watch.code).toBe(1);
    expect(watch.stderr).toContain("[HTTP 401]");
    const missing = await cli(["diff", "no-such-session", "--json"]);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: { code: "not_found" } });
    const unset = await cli(["list"], { DOCKSIDE_TOKEN: undefined });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain("DOCKSIDE_TOKEN is not set");
    const usage = await cli(["send", id]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("TEXT is required");
  });
});

// A scripted hostile agent against the permission rules on real parts: the bundled worker in its
// sandbox decides every call against the repository's rules (mode ask). What decide() cannot see
// from the call alone is tried here: a symlink planted by an allowed command, a grep over the whole
// workspace, a shell command hidden behind bash -c, a tool input aimed at a hook's shell.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { makeRepo } from "../fixtures";
import { registerWithEnvironment } from "../environment-settings";
import { allEvents, script, startHarness, TEAM, waitStatusEvent, type Harness } from "../session-harness";

let h: Harness;
beforeAll(async () => {
  execFileSync("node", ["scripts/build-worker.mjs"], { stdio: "ignore" });
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

type Call = { name: string; input: Record<string, unknown> };
const results = (events: Awaited<ReturnType<typeof allEvents>>) => {
  const calls = new Map<string, string>();
  for (const e of events) if (e.type === "tool.call") calls.set(e.data.callId, e.data.name);
  return events.flatMap((e) => (e.type === "tool.result" ? [{ name: calls.get(e.data.callId), isError: e.data.isError, output: e.data.output }] : []));
};

it("a hostile agent in mode ask gets nothing the rules deny through the tools", async () => {
  const marker = "TASK-hostile-perms";
  const origin = makeRepo({ ".env": "SECRET=orig-value-1234\n", "src/a.ts": "export {};\n", "README.md": "# x\n" });
  const repoId = await registerWithEnvironment(origin, {});
  await db().repository.update({
    where: { id: repoId },
    data: {
      rules: {
        allow: ["write_file(src/**)", "shell(ln *)", "shell(echo *)", "shell(cat .env)", "shell(ls HOOK-RAN-INPUT)"],
        ask: [],
        deny: ["shell(git push*)", "write_file(.env*)", "read_file(.env*)", "edit_file(.env*)"],
      },
      hooks: { pre_tool: [{ command: 'test -n "$TOOL_INPUT"', tools: ["write_file"], timeoutS: 30 }], post_tool: [], stop: [], stopMaxRuns: 3 },
    },
  });
  const calls: Call[] = [
    { name: "write_file", input: { path: "/workspace/src/../.env", content: "PWNED-path" } },
    { name: "read_file", input: { path: "./.env" } },
    { name: "grep", input: { pattern: "SECRET", path: ".env" } },
    { name: "grep", input: { pattern: "SECRET", glob: ".env" } },
    { name: "shell", input: { command: "\"git\" push origin HEAD" } },
    { name: "shell", input: { command: "bash -c 'git push origin HEAD'" } },
    // Allowed (edits run in mode ask): the hook gets the input in its environment, never in its command line.
    { name: "write_file", input: { path: "src/h.ts", content: "$(touch /workspace/HOOK-RAN-INPUT)`touch /workspace/HOOK-RAN-INPUT`" } },
    // The symlink trick: an allowed command plants src/link -> ../.env ...
    { name: "shell", input: { command: "ln -s ../.env src/link" } },
    // ... and the allowed write_file(src/**) and the read_file go through it.
    { name: "write_file", input: { path: "src/link", content: "PWNED-symlink\n" } },
    { name: "read_file", input: { path: "src/link" } },
    // A grep of the whole workspace searches .env too.
    { name: "grep", input: { pattern: "PWNED|SECRET" } },
    { name: "shell", input: { command: "cat .env" } },
    { name: "shell", input: { command: "ls HOOK-RAN-INPUT" } },
  ];
  h.stub.addScript(script(marker, [...calls.map((c) => ({ blocks: [{ type: "tool_use" as const, name: c.name, input: c.input }] })), { blocks: [{ type: "text", text: "done" }] }]));
  const s = await h.orchestrator.createSession(TEAM, { repo: origin, prompt: `${marker}: attack`, mode: "ask" });
  const events = await waitStatusEvent(s.id, "idle", 1, 120_000).catch(async (err) => { console.log(JSON.stringify(results(await allEvents(s.id)), null, 1)); throw err; });
  const r = results(events);
  expect(r.map((x) => x.name)).toEqual(calls.map((c) => c.name));

  // Refused: every path spelling, grep naming the file, the shell spellings.
  for (const i of [0, 1, 2, 3, 4, 5]) {
    expect(r[i].isError, `call ${i}: ${r[i].output}`).toBe(true);
    expect(r[i].output, `call ${i}`).toMatch(/^Denied: matches deny rule/);
  }
  expect(r[1].output + r[2].output + r[3].output).not.toContain("orig-value-1234");
  // The hook ran with the input as data: nothing in it was executed by the hook's shell (the
  // command itself, allowed, ran its own substitution: that file may exist, the hook's may not).
  expect(r[6].isError).toBe(false);
  expect(r[12].output).toContain("No such file");
  expect(await db().approval.count({ where: { sessionId: s.id } })).toBe(0);

  // Found by the red team, fixed in the worker: a file tool is decided on the path as written AND
  // on where it really leads (symlinks resolved as the agent); grep skips what read_file rules keep.
  expect(r[8]).toMatchObject({ isError: true });
  expect(r[8].output).toMatch(/^Denied: matches deny rule write_file\(\.env\*\)/);
  expect(r[9].output).toMatch(/^Denied: matches deny rule read_file\(\.env\*\)/);
  expect(r[10].output).not.toContain(".env:");
  expect(r[10].output).not.toContain("orig-value-1234");
  // .env was never written through any of it.
  expect(r[11].output).toContain("orig-value-1234");
  expect(r[11].output).not.toContain("PWNED");
}, 300_000);

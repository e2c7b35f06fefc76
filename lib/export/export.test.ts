// Export on the real test database: a readable Markdown transcript (tool output capped) and a
// JSON export that keeps every event, both streamed.
import { beforeAll, describe, expect, it } from "vitest";
import { connectDb, db } from "../db/client";
import { ev, type SessionEvent } from "../events/schema";
import { makeMember, makeSession, makeTeam } from "../history/test-fixtures";
import type { SessionDto } from "../protocol/api";
import { exportSession, ExportQuerySchema } from "./export-session";
import { createMarkdownRenderer, fence, OUTPUT_CAP } from "./markdown";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const big = Array.from({ length: 3000 }, (_, i) => `line ${i} of the build log`).join("\n") + "\n";

let team: string;
let id: string;
let author: string;

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  team = await makeTeam();
  const ada = await makeMember(team, "member", "Ada");
  author = ada.user.name;
  id = await makeSession(team, {
    prompt: "Make the build green\nand keep it fast",
    createdById: ada.user.id,
    events: [
      ev("user.message", { text: "Make the build green\nand keep it fast", author }),
      ev("status", { status: "running" }),
      ev("assistant.text", { block: "b1", text: "Let me **look** " }),
      ev("assistant.text", { block: "b1", text: "at the build." }),
      ev("tool.call", { callId: "c1", name: "shell", input: { command: "npm run build" } }),
      ev("tool.output", { callId: "c1", stream: "stdout", text: big.slice(0, 40_000) }),
      ev("tool.output", { callId: "c1", stream: "stderr", text: big.slice(40_000) }),
      ev("tool.result", { callId: "c1", isError: true, exitCode: 2, output: "(capped)", truncated: true, durationMs: 1500 }),
      ev("tool.call", { callId: "c2", name: "write_file", input: { path: "a.md", content: "```js\nx\n```\n" } }),
      ev("tool.result", { callId: "c2", isError: false, output: "wrote a.md", truncated: false, durationMs: 3 }),
      ev("usage", { model: "claude-test", inputTokens: 1200, outputTokens: 340 }),
      ev("commit", { sha: SHA, message: "Fix the build\n\nLonger body.", filesChanged: 2, insertions: 10, deletions: 3 }),
      ev("user.message", { text: "Thanks!", author: "Bob", queued: true }),
      ev("status", { status: "failed", reason: "container exited (137)" }),
    ],
  });
});

const text = (body: ReadableStream<Uint8Array>) => new Response(body).text();

describe("export", () => {
  it("writes a readable Markdown transcript with capped tool output", async () => {
    const out = await exportSession(team, id, "md");
    expect(out.filename).toBe(`dockside-${id}.md`);
    expect(out.contentType).toContain("text/markdown");
    const md = await text(out.body);
    expect(md.startsWith("# Make the build green and keep it fast\n")).toBe(true);
    expect(md).toContain("- **Repository:** https://example.test/acme/app.git");
    expect(md).toContain(`- **Started by:** ${author}`);
    expect(md).toContain("- **Status:** failed (container exited (137))");
    expect(md).toContain("- **Tokens:** 1,200 in, 340 out");
    expect(md).toContain(`### ${author}\n\nMake the build green\nand keep it fast`);
    expect(md).toContain("### Assistant\n\nLet me **look** at the build.");
    expect(md).toContain("#### Tool: shell\n\n```sh\nnpm run build\n```");
    expect(md).toContain("line 0 of the build log");
    expect(md).not.toContain("line 2999 of the build log");
    expect(md).toContain(`_Output capped: ${(big.length - OUTPUT_CAP).toLocaleString("en-US")} more characters are in the JSON export._`);
    expect(md).toContain("_exit code 2, 1.5 s_");
    // Input with a fence inside gets a longer fence.
    expect(md).toContain('````json\n{\n  "path": "a.md",');
    expect(md).toContain("wrote a.md");
    expect(md).toContain("**Commit** `0123456789ab` Fix the build (2 files, +10 −3)");
    expect(md).toContain("### Bob (follow-up)\n\nThanks!");
    expect(md).toContain("_Session failed: container exited (137)._");
  });

  it("writes JSON with the session and every event, output uncapped", async () => {
    const out = await exportSession(team, id, "json");
    expect(out.filename).toBe(`dockside-${id}.json`);
    const body = JSON.parse(await text(out.body)) as { session: SessionDto; events: SessionEvent[] };
    expect(body.session).toMatchObject({ id, teamId: team, status: "failed", createdBy: { name: author } });
    expect(body.events.map((e) => e.seq)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    const output = body.events.flatMap((e) => (e.type === "tool.output" ? [e.data.text] : [])).join("");
    expect(output).toBe(big);
  });

  it("streams a session with more events than one batch", async () => {
    const many = await makeSession(team, { events: Array.from({ length: 2500 }, (_, i) => ev("assistant.text", { block: `b${i}`, text: `piece ${i}` })) });
    const body = JSON.parse(await text((await exportSession(team, many, "json")).body)) as { events: SessionEvent[] };
    expect(body.events).toHaveLength(2500);
    expect(await text((await exportSession(team, many, "md")).body)).toContain("piece 2499");
    const empty = await makeSession(team);
    expect(JSON.parse(await text((await exportSession(team, empty, "json")).body))).toMatchObject({ events: [] });
  });

  it("answers 404 outside the team and 422 for an unknown format", async () => {
    const other = await makeTeam();
    await expect(exportSession(other, id, "md")).rejects.toMatchObject({ code: "not_found" });
    expect(() => ExportQuerySchema.parse({ format: "pdf" })).toThrow();
    expect(ExportQuerySchema.parse({})).toEqual({ format: "md" });
    expect(await db().session.count({ where: { id } })).toBe(1);
  });
});

describe("markdown pieces", () => {
  it("fences text longer than any backtick run inside it", () => {
    expect(fence("a ```` b", "sh")).toBe("`````sh\na ```` b\n`````\n\n");
  });

  it("shows output of a command that never finished", () => {
    const md = createMarkdownRenderer();
    const parts = [
      md.render({ seq: 1, ts: "", type: "tool.call", data: { callId: "x", name: "shell", input: { command: "sleep 100" } } }),
      md.render({ seq: 2, ts: "", type: "tool.output", data: { callId: "x", stream: "stdout", text: "started\n" } }),
      md.finish(),
    ];
    expect(parts.join("")).toContain("started\n```\n\n_no result: the command was interrupted_");
  });
});

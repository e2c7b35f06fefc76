// The agent's side on real PostgreSQL, with the live session's context stood in by a recorder:
// remember (scope from the session, idempotent, no duplicates, no secrets, a cap), recall (what
// the agent may see, most relevant first) and the memory note of a new session (budget, order).
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Access } from "../auth/authorize";
import { connectDb, db } from "../db/client";
import type { NewEvent } from "../events/schema";
import { makeMember, makeSession, makeTeam } from "../history/test-fixtures";
import type { AgentCallContext } from "../sessions/agent-context";
import { MAX_PROPOSALS, memoryNoteFor, recallForAgent, rememberFromAgent } from "./agent";
import { createEntry, patchEntry } from "./entries";
import { composeNote, NOTE_INTRO } from "./note";

interface World {
  team: string;
  repo: string;
  person: Access;
  session: string;
  ctx: AgentCallContext & { events: NewEvent[] };
}

async function world(masks: string[] = []): Promise<World> {
  const team = await makeTeam();
  const repo = crypto.randomUUID();
  await db().repository.create({ data: { id: repo, teamId: team, kind: "https", location: `https://git.example.com/${repo}`, source: `https://git.example.com/${repo}`, name: "app" } });
  const person = { caller: await makeMember(team, "member", "Starter"), teamId: team, role: "member" as const };
  const session = await makeSession(team, { createdById: person.caller.user.id, events: [{ type: "user.message", data: { text: "first" } }, { type: "user.message", data: { text: "second" } }] });
  await db().session.update({ where: { id: session }, data: { repositoryId: repo } });
  return { team, repo, person, session, ctx: recorder(session, masks) };
}

function recorder(sessionId: string, masks: string[] = []): AgentCallContext & { events: NewEvent[] } {
  const events: NewEvent[] = [];
  return { sessionId, masks, events, record: async (e) => void events.push(...e) };
}

beforeAll(() => {
  connectDb(process.env.DATABASE_URL!);
});

describe("rememberFromAgent", () => {
  it("proposes an entry of the session's repository, traced to its turn and call, records it and tells the team", async () => {
    const w = await world();
    const r = await rememberFromAgent(w.ctx, { callId: "call-1", text: "Run the tests with `npm run check`\n", scope: "repository" });
    expect(r.state).toBe("proposed");
    const row = await db().memoryEntry.findUniqueOrThrow({ where: { id: r.id } });
    expect(row).toMatchObject({ teamId: w.team, repositoryId: w.repo, text: "Run the tests with `npm run check`", state: "proposed", sourceSessionId: w.session, sourceTurn: 2, sourceCallId: "call-1", version: 1 });
    expect(w.ctx.events).toEqual([{ type: "memory", data: { entryId: r.id, callId: "call-1", text: "Run the tests with `npm run check`", scope: "repository" } }]);
    const note = await db().notification.findFirstOrThrow({ where: { userId: w.person.caller.user.id, event: "memory.proposed" } });
    expect(note).toMatchObject({ sessionId: w.session, title: "Memory proposed: Run the tests with `npm run check`", body: "Run the tests with `npm run check`" });

    // A resend of the same call answers the same entry, without a second event.
    expect(await rememberFromAgent(w.ctx, { callId: "call-1", text: "Run the tests with `npm run check`", scope: "repository" })).toEqual(r);
    expect(w.ctx.events).toHaveLength(1);
    // The same thing said again (case, spacing, final dot aside) is that entry, not a duplicate.
    const again = await rememberFromAgent(w.ctx, { callId: "call-2", text: "run the tests with  `npm run check`.", scope: "repository" });
    expect(again.id).toBe(r.id);
    expect(await db().memoryEntry.count({ where: { sourceSessionId: w.session } })).toBe(1);

    const team = await rememberFromAgent(w.ctx, { callId: "call-3", text: "PRs need one review", scope: "team" });
    expect(await db().memoryEntry.findUniqueOrThrow({ where: { id: team.id } })).toMatchObject({ repositoryId: null });
    expect(w.ctx.events.at(-1)).toMatchObject({ type: "memory", data: { scope: "team" } });
  });

  it("refuses secrets (patterns, the session's masks, the team's secrets) with the reason, storing nothing", async () => {
    const w = await world(["masked-value-7731"]);
    await expect(rememberFromAgent(w.ctx, { callId: "s1", text: `push with ghp_${"aB3dE5fG7h".repeat(4).slice(0, 36)}`, scope: "repository" })).rejects.toThrow(
      "memory never stores credentials: this looks like a GitHub token (ghp_…); store it as a secret in Settings → Environments instead",
    );
    await expect(rememberFromAgent(w.ctx, { callId: "s2", text: "the key is masked-value-7731", scope: "repository" })).rejects.toThrow(/the value of one of your team's secrets/);
    const { applySecrets } = await import("../environments/secrets");
    await db().$transaction((tx) => applySecrets(tx, w.team, null, { DEPLOY_KEY: "team-secret-value-42" }));
    await expect(rememberFromAgent(w.ctx, { callId: "s3", text: "deploy with team-secret-value-42", scope: "team" })).rejects.toMatchObject({ code: "invalid" });
    await expect(rememberFromAgent(w.ctx, { callId: "s4", text: "   ", scope: "team" })).rejects.toMatchObject({ code: "invalid" });
    expect(await db().memoryEntry.count({ where: { sourceSessionId: w.session } })).toBe(0);
    expect(w.ctx.events).toEqual([]);
  });

  it("takes at most MAX_PROPOSALS proposals from one session", async () => {
    const w = await world();
    await Promise.all(Array.from({ length: MAX_PROPOSALS }, (_, i) => rememberFromAgent(w.ctx, { callId: `c${i}`, text: `Fact number ${i}: module m${i} owns table t${i}`, scope: "repository" })));
    const over = rememberFromAgent(w.ctx, { callId: "one-more", text: "Fact one too many", scope: "repository" });
    await expect(over).rejects.toMatchObject({ code: "conflict", message: `this session already proposed ${MAX_PROPOSALS} memory entries; ask a person to review them` });
    expect(await db().memoryEntry.count({ where: { sourceSessionId: w.session } })).toBe(MAX_PROPOSALS);
    // A resend of an earlier call still answers.
    await expect(rememberFromAgent(w.ctx, { callId: "c3", text: "whatever", scope: "repository" })).resolves.toMatchObject({ state: "proposed" });
  });
});

describe("recallForAgent", () => {
  it("finds accepted entries of the repository and the team, and the session's own proposals, most relevant first", async () => {
    const w = await world();
    const other = await world();
    const tests = await createEntry(w.person, { repo: w.repo, text: "Run the tests with `npm test`; the e2e tests need `npx playwright install`" });
    const teamWide = await createEntry(w.person, { text: "Tests must not sleep: wait for a condition" });
    const unrelated = await createEntry(w.person, { repo: w.repo, text: "Releases are tagged vX.Y.Z" });
    const archived = await createEntry(w.person, { repo: w.repo, text: "Run the tests with `make test`" });
    await patchEntry(w.person, archived.id, { state: "archived" });
    const mine = await rememberFromAgent(w.ctx, { callId: "m1", text: "The tests read fixtures from test/fixtures.ts", scope: "repository" });
    const theirs = await rememberFromAgent(recorder(await makeSession(w.team)), { callId: "x", text: "Some other session's idea about tests", scope: "team" });
    await createEntry(other.person, { repo: other.repo, text: "Run the tests of another team" });

    const found = await recallForAgent(w.ctx, { query: "how do I run the tests?", limit: 8 });
    const ids = found.entries.map((e) => e.id);
    expect(ids[0]).toBe(tests.id);
    expect(new Set(ids)).toEqual(new Set([tests.id, teamWide.id, mine.id]));
    expect(ids).not.toContain(unrelated.id);
    expect(ids).not.toContain(archived.id);
    expect(ids).not.toContain(theirs.id);
    expect(found.entries.find((e) => e.id === teamWide.id)).toMatchObject({ scope: "team", state: "accepted" });
    expect(found.entries.find((e) => e.id === mine.id)).toMatchObject({ scope: "repository", state: "proposed" });
    expect((await db().memoryEntry.findUniqueOrThrow({ where: { id: tests.id } })).uses).toBe(1);
    expect((await recallForAgent(w.ctx, { query: "npx playwright", limit: 1 })).entries.map((e) => e.id)).toEqual([tests.id]);
  });
});

describe("memoryNoteFor", () => {
  it("puts the entries most relevant to the task first, then the most used, and counts their use", async () => {
    const w = await world();
    expect(await memoryNoteFor(w.team, w.repo, "anything")).toBe("");
    const general = await createEntry(w.person, { text: "Commit messages are in the imperative" });
    const used = await createEntry(w.person, { repo: w.repo, text: "The API is in app/api; operations in lib" });
    await db().memoryEntry.update({ where: { id: used.id }, data: { uses: 5 } });
    const relevant = await createEntry(w.person, { repo: w.repo, text: "Migrations:\nrun `npx prisma migrate dev`\nnever edit an applied migration" });
    await createEntry((await world()).person, { text: "Another team's migration habit" });
    const proposedOnly = await rememberFromAgent(w.ctx, { callId: "p", text: "Migrations are squashed monthly", scope: "repository" });

    const note = await memoryNoteFor(w.team, w.repo, "Add a migration for the invoices table");
    expect(note).toBe(
      [NOTE_INTRO, "- Migrations:\n  run `npx prisma migrate dev`\n  never edit an applied migration", "- The API is in app/api; operations in lib", "- Commit messages are in the imperative"].join("\n"),
    );
    expect(note).not.toContain("squashed");
    expect(note).not.toContain("Another team");
    const uses = await db().memoryEntry.findMany({ where: { id: { in: [general.id, used.id, relevant.id, proposedOnly.id] } }, select: { id: true, uses: true } });
    expect(Object.fromEntries(uses.map((u) => [u.id, u.uses]))).toEqual({ [general.id]: 1, [used.id]: 6, [relevant.id]: 1, [proposedOnly.id]: 0 });
    // A session without a repository gets the team-wide entries only.
    expect(await memoryNoteFor(w.team, null, "x")).toBe([NOTE_INTRO, "- Commit messages are in the imperative"].join("\n"));
  });

  it("stays within the token budget, whole entries only, and says how many more there are", async () => {
    const w = await world();
    // 2000 tokens ≈ 8000 characters: 30 entries of ~400 characters do not all fit.
    for (let i = 0; i < 30; i++) await createEntry(w.person, { repo: w.repo, text: `Entry ${String(i).padStart(2, "0")} ${"detail ".repeat(56)}end` });
    const note = await memoryNoteFor(w.team, w.repo, "unrelated task");
    expect(note.length).toBeLessThanOrEqual(8000 + 60);
    const bullets = note.split("\n").filter((l) => l.startsWith("- "));
    expect(bullets.length).toBeGreaterThan(10);
    expect(bullets.length).toBeLessThan(30);
    expect(bullets.every((b) => b.endsWith("end"))).toBe(true);
    expect(note.split("\n").at(-1)).toBe(`(${30 - bullets.length} more entries: use recall)`);
  });

  it("composes the note from entries in order, stopping at the first that does not fit", () => {
    const budget = NOTE_INTRO.length + 1 + "- short one".length + 1 + "- another short".length;
    expect(composeNote(["short one", "another short", "x"], budget)).toEqual({ note: [NOTE_INTRO, "- short one", "- another short", "(1 more entries: use recall)"].join("\n"), included: 2 });
    expect(composeNote(["a very long entry that does not fit", "tiny"], NOTE_INTRO.length + 10).note).toBe([NOTE_INTRO, "(2 more entries: use recall)"].join("\n"));
    expect(composeNote([], 1000)).toEqual({ note: "", included: 0 });
  });
});

// History list and search on the real test database: full-text hits in prompts, assistant text
// and tool output, team isolation, filters, and keyset pages without duplicates or gaps.
import { beforeAll, describe, expect, it } from "vitest";
import { connectDb, db } from "../db/client";
import { ev, type NewEvent } from "../events/schema";
import { listSessions } from "../sessions/list-sessions";
import { decodeCursor, encodeCursor, type Keyset } from "./cursor";
import { toSnippet } from "./highlight";
import { ListSessionsQuerySchema } from "./query";
import { searchSessionIds, type SearchPlan } from "./search-session-ids";
import { makeMember, makeSession, makeTeam } from "./test-fixtures";

const list = (teamId: string, q: Record<string, string | number> = {}) => listSessions(teamId, ListSessionsQuerySchema.parse(q));

const transcript = (prompt: string, said: string, command: string, output: string): NewEvent[] => [
  ev("user.message", { text: prompt, author: "Ada" }),
  ev("status", { status: "running" }),
  ev("assistant.text", { block: "b1", text: said }),
  ev("tool.call", { callId: "c1", name: "shell", input: { command } }),
  ev("tool.output", { callId: "c1", stream: "stdout", text: output }),
  ev("tool.result", { callId: "c1", isError: false, exitCode: 0, output, truncated: false, durationMs: 12 }),
  ev("status", { status: "idle" }),
];

let team: string;
let other: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  team = await makeTeam();
  other = await makeTeam();
  const t0 = Date.parse("2026-01-10T12:00:00Z");
  ids.prompt = await makeSession(team, {
    prompt: "Rename the pelican parser",
    createdAt: new Date(t0),
    events: transcript("Rename the pelican parser", "Looking at the code now.", "ls src", "index.ts\nparser.ts\n"),
  });
  ids.assistant = await makeSession(team, {
    prompt: "Tidy the build",
    createdAt: new Date(t0 + 60_000),
    events: transcript("Tidy the build", "The flamingo module imports itself, which breaks the build.", "npm run build", "ok\n"),
  });
  ids.output = await makeSession(team, {
    prompt: "Run the tests",
    createdAt: new Date(t0 + 120_000),
    events: transcript("Run the tests", "Running them.", "npm test", "FAIL src/zoo.test.ts\n  ocelot escaped from its enclosure\n"),
  });
  ids.promptOnly = await makeSession(team, { prompt: "Count the walrus herd", createdAt: new Date(t0 + 180_000) });
  ids.otherTeam = await makeSession(other, {
    prompt: "Same words elsewhere",
    createdAt: new Date(t0 + 240_000),
    events: transcript("Same words elsewhere", "The flamingo and the pelican", "echo", "ocelot\n"),
  });
});

describe("search", () => {
  it("finds a session by a word of its prompt", async () => {
    const page = await list(team, { q: "pelican" });
    expect(page.sessions.map((s) => s.id)).toEqual([ids.prompt]);
    const match = page.sessions[0].match!;
    expect(match.seq).toBe(1); // the prompt is also the first user.message
    const [start, end] = match.highlights[0];
    expect(match.snippet.slice(start, end).toLowerCase()).toBe("pelican");
  });

  it("finds a session by a word of an assistant message, with a snippet pointing at it", async () => {
    const page = await list(team, { q: "flamingo" });
    expect(page.sessions.map((s) => s.id)).toEqual([ids.assistant]);
    const match = page.sessions[0].match!;
    expect(match.seq).toBe(3);
    expect(match.snippet).toContain("flamingo module imports itself");
    expect(match.highlights.map(([a, b]) => match.snippet.slice(a, b))).toEqual(["flamingo"]);
  });

  it("finds a session by a word only in tool output, and never one of another team", async () => {
    const page = await list(team, { q: "ocelot" });
    expect(page.sessions.map((s) => s.id)).toEqual([ids.output]);
    expect(page.sessions[0].match?.seq).toBe(5);
    expect((await list(other, { q: "ocelot" })).sessions.map((s) => s.id)).toEqual([ids.otherTeam]);
  });

  it("matches a prompt without events (seq 0), stems words, and combines terms", async () => {
    expect((await list(team, { q: "walrus" })).sessions.map((s) => [s.id, s.match?.seq])).toEqual([[ids.promptOnly, 0]]);
    expect((await list(team, { q: "escapes" })).sessions.map((s) => s.id)).toEqual([ids.output]);
    expect((await list(team, { q: "flamingo or ocelot" })).sessions.map((s) => s.id)).toEqual([ids.output, ids.assistant]);
    expect((await list(team, { q: "flamingo -build" })).sessions).toEqual([]);
    expect((await list(team, { q: "the" })).sessions).toEqual([]); // only a stop word
  });

  it("gives the same rows whichever plan runs (index first, or a walk window then index first)", async () => {
    const f = { teamId: team };
    const plans: SearchPlan[] = [
      { rareEvents: Infinity, walkSessions: 1, walkEvents: 1 },
      { rareEvents: 0, walkSessions: 1, walkEvents: 1_000 },
      { rareEvents: 0, walkSessions: 2, walkEvents: 1_000 },
      { rareEvents: 0, walkSessions: 100, walkEvents: 5 },
      { rareEvents: 0, walkSessions: 100, walkEvents: 1_000_000 },
    ];
    for (const q of ["ocelot or walrus or pelican", "running", "npm"]) {
      const results = await Promise.all(plans.map((p) => searchSessionIds(f, null, q, 10, p)));
      for (const r of results) expect(r).toEqual(results[0]);
      expect(results[0].length).toBeGreaterThan(0);
    }
    // Page by page (one row at a time) too: each page starts its own walk window after the cursor.
    for (const p of plans) {
      const seen: string[] = [];
      for (let after: Keyset | null = null; ; ) {
        const [id] = await searchSessionIds(f, after, "ocelot or walrus or pelican or flamingo", 1, p);
        if (!id) break;
        seen.push(id);
        const row = await db().session.findUniqueOrThrow({ where: { id } });
        after = { createdAt: row.createdAt, id };
      }
      expect(seen).toEqual([ids.promptOnly, ids.output, ids.assistant, ids.prompt]);
    }
  });
});

describe("filters and pages", () => {
  let t: string;
  let ada: string;
  let adaEmail: string;
  let bob: string;
  const expected: string[] = [];

  beforeAll(async () => {
    t = await makeTeam();
    const a = await makeMember(t, "member", "Ada");
    const b = await makeMember(t, "member", "Bob");
    ada = a.user.id;
    adaEmail = a.user.email;
    bob = b.user.id;
    const base = Date.parse("2026-03-01T00:00:00Z");
    const rows: { id: string; at: number }[] = [];
    for (let i = 0; i < 23; i++) {
      // Every third pair shares a timestamp: ties must be ordered (and paged) by id.
      const at = base + Math.floor(i / 2) * 3_600_000;
      const id = await makeSession(t, {
        prompt: i % 2 ? `Fix the heron report ${i}` : `Add a feature ${i}`,
        repo: i % 3 ? "https://example.test/acme/web.git" : "/srv/repos/api",
        status: i % 4 === 0 ? "failed" : "idle",
        createdById: i % 2 ? ada : bob,
        createdAt: new Date(at),
      });
      rows.push({ id, at });
    }
    rows.sort((x, y) => y.at - x.at || (x.id < y.id ? 1 : -1));
    expected.push(...rows.map((r) => r.id));
  });

  async function all(q: Record<string, string | number>): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 50; guard++) {
      const page = await list(t, { ...q, ...(cursor ? { cursor } : {}) });
      seen.push(...page.sessions.map((s) => s.id));
      cursor = page.nextCursor;
      if (!cursor) return seen;
    }
    throw new Error("too many pages");
  }

  it("pages newest first without duplicates or gaps, ties broken by id", async () => {
    expect(await all({ limit: 4 })).toEqual(expected);
    expect(await all({ limit: 1 })).toEqual(expected);
    expect(await all({ limit: 200 })).toEqual(expected);
    const first = await list(t, { limit: 23 });
    expect(first.nextCursor).toBeNull();
  });

  it("pages search results the same way", async () => {
    const heron = await all({ q: "heron", limit: 3 });
    expect(heron).toHaveLength(11);
    expect(heron).toEqual(expected.filter((id) => heron.includes(id)));
    expect(new Set(heron).size).toBe(heron.length);
  });

  it("filters by status, repo, author (id or email) and dates", async () => {
    const rows = await db().session.findMany({ where: { teamId: t } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const expect1 = (pred: (r: (typeof rows)[number]) => boolean) => expected.filter((id) => pred(byId.get(id)!));
    expect(await all({ status: "failed", limit: 2 })).toEqual(expect1((r) => r.status === "failed"));
    expect(await all({ repo: "/srv/repos/api" })).toEqual(expect1((r) => r.repo === "/srv/repos/api"));
    expect(await all({ author: ada })).toEqual(expect1((r) => r.createdById === ada));
    expect(await all({ author: adaEmail.toUpperCase() })).toEqual(expect1((r) => r.createdById === ada));
    expect(await all({ author: "nobody@example.test" })).toEqual([]);
    expect(await all({ author: bob, status: "failed", q: "feature" })).toEqual(expect1((r) => r.createdById === bob && r.status === "failed"));
    const from = "2026-03-01T03:00:00Z";
    expect(await all({ from, to: "2026-03-01T06:00:00.000Z" })).toEqual(
      expect1((r) => r.createdAt >= new Date(from) && r.createdAt < new Date("2026-03-01T06:00:00Z")),
    );
    expect(await all({ to: "2026-03-01" })).toEqual(expected); // a date includes its whole day
    expect(await all({ to: "2026-02-28" })).toEqual([]);
    expect(await all({ status: "", repo: "", q: "  " })).toEqual(expected); // empty form fields
  });

  it("refuses a cursor it did not issue (422) and bad filters", async () => {
    await expect(list(t, { cursor: "nonsense" })).rejects.toMatchObject({ code: "invalid" });
    await expect(list(t, { cursor: Buffer.from('{"t":"x","id":"y"}').toString("base64url") })).rejects.toMatchObject({ code: "invalid" });
    expect(() => ListSessionsQuerySchema.parse({ status: "sleeping" })).toThrow();
    expect(() => ListSessionsQuerySchema.parse({ from: "last week" })).toThrow();
    expect(() => ListSessionsQuerySchema.parse({ limit: "500" })).toThrow();
    const k = { createdAt: new Date("2026-03-01T00:00:00.123Z"), id: "abc123" };
    expect(decodeCursor(encodeCursor(k))).toEqual(k);
  });
});

describe("snippets", () => {
  it("turns marked text into plain text with offsets", () => {
    expect(toSnippet("a \uE000hit\uE001 and\n\n\uE000another\uE001\uE002 more")).toEqual({
      snippet: "a hit and another … more",
      highlights: [
        [2, 5],
        [10, 17],
      ],
    });
  });
});


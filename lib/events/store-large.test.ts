// A batch of big output (what a command printing megabytes sends) binds each payload on its own:
// every byte must come back as written, in seq order, and stay searchable.
import { beforeAll, describe, expect, it } from "vitest";
import { connectDb, db } from "../db/client";
import { ensureDefaultTeam, DEFAULT_TEAM_ID } from "../sessions/team";
import { newSessionId } from "../sessions/create-session";
import { ev } from "./schema";
import { appendEvents, readEvents } from "./store";

describe("appends of large output (real PostgreSQL)", () => {
  beforeAll(async () => {
    connectDb(process.env.DATABASE_URL!);
    await ensureDefaultTeam();
  });

  it("stores every byte of a 2 MB batch (quotes, backslashes, braces, NUL, emoji) in order, searchable", async () => {
    const id = newSessionId();
    await db().session.create({ data: { id, teamId: DEFAULT_TEAM_ID, repo: "/r", baseBranch: "main", branch: `dockside/${id.slice(0, 8)}`, prompt: "p", model: "m", status: "running" } });
    const tricky = `"quoted" \\back\\slash {"json":[1,2]} ARRAY['x'] NULL, 🙂 \u0000 `;
    const texts = Array.from({ length: 8 }, (_, i) => `piece ${i} heliotrope${i} ${tricky}`.padEnd(256 * 1024, `${i}abc\n`));
    const { stored } = await appendEvents(id, texts.map((text) => ev("tool.output", { callId: "c1", stream: "stdout", text })));
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const back = await readEvents(id, 0, 100);
    expect(back.map((e) => (e.type === "tool.output" ? e.data.text : ""))).toEqual(texts.map((t) => t.replace("\u0000", "\uFFFD")));
    const hit = await db().$queryRaw<{ seq: number }[]>`SELECT seq FROM events WHERE session_id = ${id} AND search @@ websearch_to_tsquery('english', 'heliotrope5')`;
    expect(hit.map((r) => r.seq)).toEqual([6]);
  });
});

// Merge as a background job, on real parts (a scripted agent in a real sandbox, real git,
// PostgreSQL), through the route as an API token calls it: the request answers 202 at once, the
// job's steps and result are readable by anyone watching, a failure says why and a retry works,
// a second merge is refused while one runs, another team sees nothing, and a merge whose process
// died is finished by the sweep rather than left "merging".
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as mergeGet, POST as mergePost } from "../../app/api/sessions/[id]/merge/route";
import { makeRepo } from "../../test/fixtures";
import { callRoute } from "../../test/route-call";
import { allEvents, script, startHarness, TEAM, waitStatusEvent, type Harness } from "../../test/session-harness";
import { createApiToken } from "../auth/tokens";
import { db } from "../db/client";
import { makeMember, makeTeam } from "../history/test-fixtures";
import type { MergeJob } from "../protocol/review";
import { STALE_MS, sweepMerges } from "./merge-job";
import { waitForMerge } from "./merge-wait";

let h: Harness;
let token: string;
let otherToken: string;
let owner: { id: string; name: string };
const git = (repo: string, ...args: string[]) => execFileSync("git", ["-c", "safe.directory=*", "-c", "user.name=t", "-c", "user.email=t@t", "-C", repo, ...args], { encoding: "utf8" }).trim();
const write = (p: string, content: string) => ({ blocks: [{ type: "tool_use" as const, name: "write_file", input: { path: p, content } }] });
const say = (text: string) => ({ blocks: [{ type: "text" as const, text }] });
type Answer = { merge: MergeJob | null; error?: { code: string; message: string } };
const post = (tok: string, id: string, body: unknown) => callRoute<Answer, { id: string }>(mergePost, tok, "POST", { id }, body);
const get = (tok: string, id: string) => callRoute<Answer, { id: string }>(mergeGet, tok, "GET", { id });

beforeAll(async () => {
  h = await startHarness();
  const me = await makeMember(TEAM, "owner", "Jo Jobs");
  owner = { id: me.user.id, name: me.user.name };
  token = (await createApiToken(me.user.id, TEAM, "test")).token;
  const other = await makeTeam();
  const stranger = await makeMember(other, "owner", "Olga Other");
  otherToken = (await createApiToken(stranger.user.id, other, "test")).token;
});
afterAll(async () => h?.close());

async function runSession(marker: string, files: Record<string, string>, steps: Parameters<typeof script>[1]) {
  const repo = makeRepo(files);
  h.stub.addScript(script(marker, steps));
  const s = await h.orchestrator.createSession(TEAM, { repo, prompt: `${marker} do the work` }, owner);
  await waitStatusEvent(s.id, "idle");
  return { repo, id: s.id };
}

describe("merge as a background job", () => {
  it("answers 202 at once with the queued merge; its steps and result are readable until it is merged", async () => {
    const { repo, id } = await runSession("MJ-OK", { "a.txt": "a\n" }, [write("a.txt", "agent\n"), say("done")]);
    const before = git(repo, "rev-parse", "main");
    const res = await post(token, id, { strategy: "merge" });
    expect(res.status).toBe(202);
    expect(res.body.merge).toMatchObject({ state: "queued", step: "queued", strategy: "merge", by: owner.name, sha: null, error: null });
    const seen = new Set<string>();
    const done = await waitForMerge(res.body.merge!.id, (m) => seen.add(m.step));
    expect(done).toMatchObject({ state: "merged", step: "done", error: null });
    expect(git(repo, "rev-parse", "main")).toBe(done.sha);
    expect(git(repo, "rev-parse", `${done.sha}^1`)).toBe(before);
    expect(seen.has("queued") || seen.has("preparing")).toBe(true);
    // Anyone reading the session (any instance) gets the same answer; the transcript says who merged.
    expect((await get(token, id)).body.merge).toMatchObject({ id: done.id, state: "merged", sha: done.sha });
    expect((await allEvents(id)).find((e) => e.type === "branch")).toMatchObject({ data: { action: "merged", sha: done.sha, by: owner.name } });
    expect(await db().session.findUniqueOrThrow({ where: { id } })).toMatchObject({ reviewState: "merged", mergedCommit: done.sha, mergedById: owner.id });
  });

  it("a merge that fails says why in the merge's state, and Retry (a new merge) then works", async () => {
    const { repo, id } = await runSession("MJ-FAIL", { "b.txt": "b\n", "notes.txt": "n\n" }, [write("b.txt", "agent\n"), say("done")]);
    // The origin's checked-out main has uncommitted work: git refuses to update it under a person.
    fs.writeFileSync(path.join(repo, "notes.txt"), "unsaved edit\n");
    const before = git(repo, "rev-parse", "main");
    const res = await post(token, id, { strategy: "squash" });
    expect(res.status).toBe(202);
    const failed = await waitForMerge(res.body.merge!.id);
    expect(failed).toMatchObject({ state: "failed", sha: null });
    expect(failed.error).toMatch(/push to main failed/);
    expect(git(repo, "rev-parse", "main")).toBe(before);
    expect((await db().session.findUniqueOrThrow({ where: { id } })).reviewState).not.toBe("merged");

    git(repo, "checkout", "--", "notes.txt");
    const retry = await post(token, id, { strategy: "squash" });
    expect(retry.status).toBe(202);
    expect(await waitForMerge(retry.body.merge!.id)).toMatchObject({ state: "merged" });
    expect(git(repo, "show", "main:b.txt")).toBe("agent");
  });

  it("refuses a second merge while one runs (409), and shows nothing to another team (404)", async () => {
    const { repo, id } = await runSession("MJ-BUSY", { "c.txt": "c\n" }, [write("c.txt", "agent\n"), say("done")]);
    // A merge another instance runs right now (fresh heartbeat).
    await db().mergeJob.create({ data: { id: crypto.randomUUID(), sessionId: id, teamId: TEAM, strategy: "merge", state: "running", step: "pushing", message: "m", requestedById: owner.id, requestedByName: "Ada Other", requestedByEmail: "a@x" } });
    const before = git(repo, "rev-parse", "main");
    const res = await post(token, id, { strategy: "merge" });
    expect(res.status).toBe(409);
    expect(res.body.error?.message).toMatch(/Ada Other is already merging this session/);
    expect((await get(token, id)).body.merge).toMatchObject({ state: "running", step: "pushing", by: "Ada Other" });
    expect(git(repo, "rev-parse", "main")).toBe(before);

    expect((await post(otherToken, id, { strategy: "merge" })).status).toBe(404);
    expect((await get(otherToken, id)).status).toBe(404);
  });

  it("a merge whose process died is finished by the sweep, or fails with what to do when the base moved", async () => {
    const { repo, id } = await runSession("MJ-RESUME", { "d.txt": "d\n", "h.txt": "h\n" }, [write("d.txt", "agent\n"), say("done")]);
    const old = new Date(Date.now() - STALE_MS - 5_000);
    const dead = { sessionId: id, teamId: TEAM, strategy: "merge", state: "running", step: "merging", message: "Merge after a restart", requestedById: owner.id, requestedByName: "Jo Jobs", requestedByEmail: "j@x", heartbeatAt: old, attempts: 1 };
    // Died mid-way after writing its commit, and main moved since: nothing is pushed.
    const movedId = crypto.randomUUID();
    await db().mergeJob.create({ data: { ...dead, id: movedId, baseHead: git(repo, "rev-parse", "main"), resultCommit: "f".repeat(40) } });
    fs.writeFileSync(path.join(repo, "h.txt"), "human\n");
    git(repo, "commit", "-qam", "human moves main");
    const mainNow = git(repo, "rev-parse", "main");
    // Other test files share the database: the sweep takes theirs too, ours is among them.
    expect(await sweepMerges()).toBeGreaterThanOrEqual(1);
    const moved = await waitForMerge(movedId);
    expect(moved).toMatchObject({ state: "failed" });
    expect(moved.error).toMatch(/main moved while the merge was interrupted; nothing was merged\. Merge again/);
    expect(git(repo, "rev-parse", "main")).toBe(mainNow);

    // Died before writing anything: the sweep runs it from the start.
    const freshId = crypto.randomUUID();
    await db().mergeJob.create({ data: { ...dead, id: freshId } });
    expect(await sweepMerges()).toBeGreaterThanOrEqual(1);
    const resumed = await waitForMerge(freshId);
    expect(resumed).toMatchObject({ state: "merged", step: "done" });
    expect(git(repo, "rev-parse", "main")).toBe(resumed.sha);
    expect(git(repo, "log", "-1", "--format=%s", "main")).toBe("Merge after a restart");
    // Nothing is left "merging".
    expect(await db().mergeJob.count({ where: { sessionId: id, state: { in: ["queued", "running"] } } })).toBe(0);
  });
});

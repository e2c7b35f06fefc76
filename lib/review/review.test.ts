// The review loop on real parts: a scripted agent changes a real repo in its sandbox, a
// reviewer comments and requests changes, the agent fixes them, and the work is merged into
// the origin's base branch; conflicts answer with the files and change nothing.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo, waitFor } from "../../test/fixtures";
import { allEvents, script, startHarness, TEAM, waitStatusEvent, type Harness } from "../../test/session-harness";
import { authorize, type Access } from "../auth/authorize";
import type { Caller } from "../auth/caller";
import { env } from "../config/env";
import { db } from "../db/client";
import { sessionPaths } from "../git/workspace";
import { diffJson, formatPatch, listCommits } from "./git-read";
import { resolveThread, reviewSummary, submitReview } from "./reviews";
import { mergeAndWait } from "./merge-test-helpers";
import { forkSession, mergeSession, resetSession } from "./session-ops";

let h: Harness;
let access: Access;
const git = (repo: string, ...args: string[]) => execFileSync("git", ["-c", "safe.directory=*", "-c", "user.name=t", "-c", "user.email=t@t", "-C", repo, ...args], { encoding: "utf8" }).trim();
const write = (p: string, content: string) => ({ type: "tool_use" as const, name: "write_file", input: { path: p, content } });
const say = (text: string) => ({ blocks: [{ type: "text" as const, text }] });

beforeAll(async () => {
  h = await startHarness();
  const id = crypto.randomUUID();
  await db().user.create({ data: { id, name: "Rita Reviewer", email: `rita-${id}@example.com` } });
  await db().member.create({ data: { teamId: TEAM, userId: id, role: "owner" } });
  const caller: Caller = { user: { id, name: "Rita Reviewer", email: `rita-${id}@example.com` }, via: "cookie" };
  access = await authorize(caller, TEAM, "session.review");
});
afterAll(async () => h?.close());

async function runSession(marker: string, files: Record<string, string>, steps: Parameters<typeof script>[1]) {
  const repo = makeRepo(files);
  h.stub.addScript(script(marker, steps));
  const s = await h.orchestrator.createSession(TEAM, { repo, prompt: `${marker} do the work` }, access.caller.user);
  await waitStatusEvent(s.id, "idle");
  return { repo, id: s.id, ws: sessionPaths(env().dataDir, s.id).hostRepo, base: (await db().session.findUniqueOrThrow({ where: { id: s.id } })).baseCommit! };
}

describe("reviewing an agent's branch", () => {
  it("comments → request changes → the agent fixes → since my last review → approve → merge", async () => {
    const { repo, id, ws, base } = await runSession("REVIEW-LOOP", { "app.txt": "one\ntwo\nthree\n" }, [
      { blocks: [write("app.txt", "one\nTWO\nthree\nfour\n")] },
      say("Changed app.txt."),
      { blocks: [{ type: "tool_use", name: "edit_file", input: { path: "app.txt", old_string: "four", new_string: "4" } }] },
      say("Addressed the review."),
    ]);
    const diff = await diffJson(ws, base, (await listCommits(ws, base, `dockside/${id.slice(0, 8)}`))[0].sha);
    expect(diff.files).toMatchObject([{ path: "app.txt", status: "modified", additions: 2, deletions: 1 }]);

    await submitReview(access, id, {
      verdict: "request_changes",
      body: "Two things.",
      comments: [
        { path: "app.txt", line: 4, side: "new", body: "Use a digit here." },
        { path: "app.txt", line: 2, side: "new", body: "Why upper case?" },
      ],
    });
    const events = await waitStatusEvent(id, "idle", 2);
    const feedback = events.filter((e) => e.type === "user.message").pop();
    const text = feedback?.type === "user.message" ? feedback.data.text : "";
    expect(text).toContain("`app.txt` line 4");
    expect(text).toContain("four");
    expect(text).toContain("Use a digit here.");
    expect(text).toContain("`app.txt` line 2");
    expect(feedback?.type === "user.message" && feedback.data.author).toBe("Rita Reviewer");

    const summary = await reviewSummary(access, id);
    const commits = await listCommits(ws, base, `dockside/${id.slice(0, 8)}`);
    expect(commits).toHaveLength(2);
    const since = await diffJson(ws, summary.myLastReviewedCommit!, commits[1].sha);
    expect(since.files[0].hunks.flatMap((hk) => hk.lines.filter((l) => l.type !== "context").map((l) => l.text))).toEqual(["four", "4"]);

    for (const t of summary.threads) await resolveThread(access, id, t.id, true);
    await submitReview(access, id, { verdict: "approve", comments: [] });
    expect((await reviewSummary(access, id)).state).toBe("approved");
    const merged = await mergeAndWait(access, id, "merge");
    expect(git(repo, "show", "main:app.txt")).toBe("one\nTWO\nthree\n4");
    expect(git(repo, "rev-parse", "main")).toBe(merged.sha);
    expect(fs.readFileSync(path.join(repo, "app.txt"), "utf8")).toBe("one\nTWO\nthree\n4\n"); // work tree updated too
    expect((await reviewSummary(access, id)).state).toBe("merged");
    const merged_ = (await allEvents(id)).find((e) => e.type === "branch");
    expect(merged_).toMatchObject({ type: "branch", data: { action: "merged", sha: merged.sha, by: "Rita Reviewer" } });
    expect(await formatPatch(ws, base, `dockside/${id.slice(0, 8)}`)).toContain("Subject: [PATCH 1/2]");
  });

  it("a conflicting merge answers with the files and leaves both branches untouched", async () => {
    const { repo, id, ws } = await runSession("REVIEW-CONFLICT", { "a.txt": "base\n", "b.txt": "b\n" }, [{ blocks: [write("a.txt", "agent\n")] }, say("done")]);
    fs.writeFileSync(path.join(repo, "a.txt"), "human\n");
    git(repo, "commit", "-qam", "human change");
    const mainBefore = git(repo, "rev-parse", "main");
    const branchBefore = git(ws, "rev-parse", `refs/heads/dockside/${id.slice(0, 8)}`);
    await expect(mergeSession(access, id, "merge")).rejects.toMatchObject({ code: "conflict", details: { conflicts: ["a.txt"] } });
    await expect(mergeSession(access, id, "squash")).rejects.toMatchObject({ details: { conflicts: ["a.txt"] } });
    await expect(mergeSession(access, id, "ff")).rejects.toThrow(/cannot fast-forward/);
    expect(git(repo, "rev-parse", "main")).toBe(mainBefore);
    expect(git(ws, "rev-parse", `refs/heads/dockside/${id.slice(0, 8)}`)).toBe(branchBefore);
  });

  it("squashes, resets to a checkpoint and forks from one", async () => {
    const { repo, id, ws, base } = await runSession("REVIEW-SQUASH", { "x.txt": "x\n" }, [
      { blocks: [write("y.txt", "first\n")] },
      say("one"),
      { blocks: [write("y.txt", "second\n")] },
      say("two"),
    ]);
    await h.orchestrator.sendMessage(TEAM, id, "again");
    await waitStatusEvent(id, "idle", 2);
    const branch = `dockside/${id.slice(0, 8)}`;
    const [first] = await listCommits(ws, base, branch);
    const fork = await forkSession(access, id, first.sha, "REVIEW-SQUASH-FORK continue");
    await waitStatusEvent(fork.id, "idle").catch(() => {});
    expect(git(sessionPaths(env().dataDir, fork.id).hostRepo, "show", `${first.sha}:y.txt`)).toBe("first");
    expect(git(sessionPaths(env().dataDir, fork.id).hostRepo, "merge-base", "--is-ancestor", first.sha, `refs/heads/dockside/${fork.id.slice(0, 8)}`)).toBe("");

    await resetSession(access, id, first.sha);
    expect(git(ws, "rev-parse", `refs/heads/${branch}`)).toBe(first.sha);
    // The workspace follows inside the sandbox: the worker applies the reset and reports it.
    const op = await waitFor(async () => (await db().workspaceOp.findFirst({ where: { sessionId: id, op: "reset", doneAt: { not: null } } })) ?? null, "the reset to reach the workspace");
    expect(op.error).toBeNull();
    const r = await mergeAndWait(access, id, "squash");
    expect(git(repo, "log", "-1", "--format=%P", "main").split(" ")).toHaveLength(1);
    expect(git(repo, "show", "main:y.txt")).toBe("first");
    expect(r.strategy).toBe("squash");
    expect((await allEvents(id)).length).toBeGreaterThan(0);
  });

  it("lets only admins and owners merge into a protected base branch", async () => {
    const { repo, id } = await runSession("REVIEW-PROTECTED", { "p.txt": "p\n" }, [{ blocks: [write("p.txt", "q\n")] }, say("done")]);
    const uid = crypto.randomUUID();
    await db().user.create({ data: { id: uid, name: "Max Member", email: `max-${uid}@example.com` } });
    await db().member.create({ data: { teamId: TEAM, userId: uid, role: "member" } });
    const member = await authorize({ user: { id: uid, name: "Max Member", email: `max-${uid}@example.com` }, via: "cookie" }, TEAM, "session.review");
    // Protection belongs to the repository's registration (each test repository has its own).
    const { repositoryId } = await db().session.findUniqueOrThrow({ where: { id } });
    await db().repository.update({ where: { id: repositoryId! }, data: { protectedBranches: ["main"] } });
    expect((await reviewSummary(member, id)).protected).toBe(true);
    const before = git(repo, "rev-parse", "main");
    await expect(mergeSession(member, id, "merge")).rejects.toMatchObject({ code: "forbidden" });
    expect(git(repo, "rev-parse", "main")).toBe(before);
    await mergeAndWait(access, id, "ff");
    expect(git(repo, "show", "main:p.txt")).toBe("q");
  });
});

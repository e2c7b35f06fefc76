// Merge guard rails on real parts (a scripted agent in a real sandbox, real git, PostgreSQL):
// what merging would do is known before anyone clicks, and a merge that should not happen
// answers 409 and leaves the base alone.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo, waitFor } from "../../test/fixtures";
import { script, startHarness, TEAM, waitStatusEvent, type Harness } from "../../test/session-harness";
import { authorize, type Access } from "../auth/authorize";
import { db } from "../db/client";
import { hostRepoPath } from "../git/host-repo";
import { diffJson, listCommits, resolveRange } from "./git-read";
import { mergeability } from "./mergeability";
import { submitReview } from "./reviews";
import { mergeAndWait } from "./merge-test-helpers";
import { waitForMerge } from "./merge-wait";
import { mergeSession, requestRebase } from "./session-ops";

let h: Harness;
let access: Access;
const git = (repo: string, ...args: string[]) => execFileSync("git", ["-c", "safe.directory=*", "-c", "user.name=t", "-c", "user.email=t@t", "-C", repo, ...args], { encoding: "utf8" }).trim();
const write = (p: string, content: string) => ({ blocks: [{ type: "tool_use" as const, name: "write_file", input: { path: p, content } }] });
const say = (text: string) => ({ blocks: [{ type: "text" as const, text }] });
const humanCommit = (repo: string, file: string, content: string) => {
  fs.writeFileSync(path.join(repo, file), content);
  git(repo, "add", file);
  git(repo, "commit", "-qm", `human edits ${file}`);
};

beforeAll(async () => {
  h = await startHarness();
  const id = crypto.randomUUID();
  await db().user.create({ data: { id, name: "Mona Merger", email: `mona-${id}@example.com` } });
  await db().member.create({ data: { teamId: TEAM, userId: id, role: "owner" } });
  access = await authorize({ user: { id, name: "Mona Merger", email: `mona-${id}@example.com` }, via: "cookie" }, TEAM, "session.review");
});
afterAll(async () => h?.close());

async function runSession(marker: string, files: Record<string, string>, steps: Parameters<typeof script>[1]) {
  const repo = makeRepo(files);
  h.stub.addScript(script(marker, steps));
  const s = await h.orchestrator.createSession(TEAM, { repo, prompt: `${marker} do the work` }, access.caller.user);
  await waitStatusEvent(s.id, "idle");
  return { repo, id: s.id };
}

describe("merge guard rails", () => {
  it("reports commits, files, how far main moved and conflicts before anyone merges", async () => {
    const { repo, id } = await runSession("MG-AHEAD", { "README.md": "# demo\n", "a.txt": "a\n" }, [write("README.md", "# agent\n"), say("done")]);
    expect(await mergeability(access, id)).toMatchObject({ commits: 1, files: 1, behind: 0, conflicts: [], blocked: null, needsOverride: null, summary: "1 commit and 1 file to merge" });

    humanCommit(repo, "a.txt", "human\n");
    expect(await mergeability(access, id)).toMatchObject({ behind: 1, conflicts: [], blocked: null, summary: "main moved 1 commit; 1 commit and 1 file to merge, no conflicts" });

    humanCommit(repo, "README.md", "# human\n");
    const m = await mergeability(access, id);
    expect(m).toMatchObject({ behind: 2, conflicts: ["README.md"], summary: "main moved 2 commits; conflicts in README.md" });
    expect(m.blocked).toMatch(/conflicts in README.md/);
    const before = git(repo, "rev-parse", "main");
    await expect(mergeSession(access, id, "merge")).rejects.toMatchObject({ code: "conflict", details: { conflicts: ["README.md"] } });
    expect(git(repo, "rev-parse", "main")).toBe(before);
  });

  it("answers 409 when there is nothing to merge, and writes nothing", async () => {
    const { repo, id } = await runSession("MG-NOTHING", { "x.txt": "x\n" }, [say("I looked and changed nothing.")]);
    const m = await mergeability(access, id);
    expect(m.commits).toBe(0);
    expect(m.blocked).toMatch(/nothing to merge/);
    const before = git(repo, "rev-parse", "main");
    for (const strategy of ["merge", "squash", "ff"] as const) await expect(mergeSession(access, id, strategy)).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/nothing to merge/) });
    expect(git(repo, "rev-parse", "main")).toBe(before);
  });

  it("answers 409 while the agent is working", async () => {
    const { repo, id } = await runSession("MG-WORKING", { "w.txt": "w\n" }, [write("w.txt", "agent\n"), say("done")]);
    await db().session.update({ where: { id }, data: { status: "running" } });
    expect((await mergeability(access, id)).blocked).toMatch(/the agent is working/);
    const before = git(repo, "rev-parse", "main");
    await expect(mergeSession(access, id, "merge")).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/the agent is working/) });
    expect(git(repo, "rev-parse", "main")).toBe(before);
    await db().session.update({ where: { id }, data: { status: "idle" } });
  });

  it("needs a reason to merge over unresolved threads or changes requested, and keeps it in the audit", async () => {
    const { repo, id } = await runSession("MG-OVERRIDE", { "o.txt": "o\n" }, [write("o.txt", "agent\n"), say("done")]);
    await submitReview(access, id, { verdict: "comment", comments: [{ path: "o.txt", line: 1, side: "new", body: "Is this right?" }] });
    await db().session.update({ where: { id }, data: { reviewState: "changes_requested" } });
    const m = await mergeability(access, id);
    expect(m.needsOverride).toBe("changes were requested and 1 review thread is unresolved");
    expect(m.blocked).toBeNull();
    const before = git(repo, "rev-parse", "main");
    await expect(mergeSession(access, id, "squash")).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/give a reason/) });
    await expect(mergeSession(access, id, "squash", "   ")).rejects.toMatchObject({ code: "conflict" });
    expect(git(repo, "rev-parse", "main")).toBe(before);

    const merged = await mergeAndWait(access, id, "squash", "Hotfix for the release; the thread is a question, not a blocker.");
    expect(git(repo, "rev-parse", "main")).toBe(merged.sha);
    expect(git(repo, "show", "main:o.txt")).toBe("agent");
    const audit = await db().auditEntry.findFirstOrThrow({ where: { targetId: id, action: "session.merge_overridden" } });
    expect(audit).toMatchObject({ actorName: "Mona Merger", data: { reason: "Hotfix for the release; the thread is a question, not a blocker.", overridden: "changes were requested and 1 review thread is unresolved" } });
    const row = await db().session.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ reviewState: "merged", mergedById: access.caller.user.id, mergedCommit: merged.sha });
    expect(row.mergedAt).toBeInstanceOf(Date);
    expect(await mergeability(access, id)).toMatchObject({ merged: { by: "Mona Merger" }, summary: "merged into main by Mona Merger" });
  });

  it("merges once: a second merge and two concurrent clicks never write to the base again", async () => {
    const { repo, id } = await runSession("MG-ONCE", { "c.txt": "c\n" }, [write("c.txt", "agent\n"), say("done")]);
    const before = git(repo, "rev-parse", "main");
    const both = await Promise.allSettled([mergeSession(access, id, "merge"), mergeSession(access, id, "merge")]);
    expect(both.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = both.find((r) => r.status === "rejected");
    expect(lost?.status === "rejected" && lost.reason).toMatchObject({ code: "conflict", message: expect.stringMatching(/already merging this session/) });
    const won = both.find((r) => r.status === "fulfilled");
    expect(await waitForMerge(won?.status === "fulfilled" ? won.value.id : "")).toMatchObject({ state: "merged" });
    const after = git(repo, "rev-parse", "main");
    expect(git(repo, "rev-list", "--count", `${before}..${after}`)).toBe("2"); // the agent's commit and one merge commit
    for (const strategy of ["merge", "squash"] as const) await expect(mergeSession(access, id, strategy)).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/already merged/) });
    expect(git(repo, "rev-parse", "main")).toBe(after);
    expect((await mergeability(access, id)).blocked).toMatch(/already merged/);
  });

  it("after the agent rebases, the review diff shows only what the merge would bring", async () => {
    const { repo, id } = await runSession("MG-REBASE", { "r.txt": "r\n", "h.txt": "h\n" }, [
      write("r.txt", "agent\n"),
      say("done"),
      { blocks: [{ type: "tool_use", name: "shell", input: { command: "git -c user.name=a -c user.email=a@a rebase refs/dockside/base" } }] },
      say("rebased"),
    ]);
    humanCommit(repo, "h.txt", "human\n");
    expect((await mergeability(access, id)).summary).toBe("main moved 1 commit; 1 commit and 1 file to merge, no conflicts");
    await requestRebase(access, id);
    await waitStatusEvent(id, "idle", 2);
    const ship = hostRepoPath(id);
    const { baseCommit, branch } = await db().session.findUniqueOrThrow({ where: { id } });
    const mainHead = git(repo, "rev-parse", "main");
    const contains = () => {
      try {
        return git(ship, "merge-base", "--is-ancestor", mainHead, `refs/heads/${branch}`) === "";
      } catch {
        return false;
      }
    };
    await waitFor(async () => contains(), "the agent's rebased checkpoint in host.git");
    const m = await mergeability(access, id);
    expect(m).toMatchObject({ behind: 0, commits: 1, files: 1, mergeBase: mainHead, summary: "1 commit and 1 file to merge" });
    const { from, to } = await resolveRange(ship, baseCommit!, branch);
    expect(from).toBe(mainHead);
    expect((await diffJson(ship, from, to)).files.map((f) => f.path)).toEqual(["r.txt"]);
    expect((await listCommits(ship, baseCommit!, branch)).map((c) => c.subject)).not.toContain("human edits h.txt");
  });
});

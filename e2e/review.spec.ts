// Reviewing an agent's branch in the browser: comments on two lines, request changes, the
// scripted agent fixes them, "since my last review" shows only the fix, approve, merge, and the
// origin's base branch holds the work. A conflict is shown before anyone merges, and a merge
// that conflicts answers 409 and changes nothing.
// Hostile file names and contents render as text.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, expectStatus, makeRepo, script, startSession, test, text } from "./helpers";

const git = (repo: string, ...args: string[]) => execFileSync("git", ["-c", "safe.directory=*", "-c", "user.name=t", "-c", "user.email=t@t", "-C", repo, ...args], { encoding: "utf8" }).trim();
const write = (p: string, content: string) => ({ type: "tool_use" as const, name: "write_file", input: { path: p, content } });
const HOSTILE = '<img src=x onerror="window.__pwned=1">.txt';

test("comment, request changes, the agent fixes, since my last review, approve, merge", async ({ page, account }) => {
  void account; // signs up a fresh owner with a team of their own
  const repo = makeRepo({ "app.js": "const a = 1;\nconst b = 2;\nconst c = 3;\n" });
  const marker = `E2E-REVIEW-${Date.now()}`;
  await script(marker, [
    { blocks: [write("app.js", "const a = 1;\nconst b = 20;\nconst c = 3;\nconst d = 4;\n"), write(HOSTILE, "<script>window.__pwned=2</script>\n")] },
    { blocks: [text("Changed app.js.")] },
    { blocks: [{ type: "tool_use", name: "edit_file", input: { path: "app.js", old_string: "const d = 4;", new_string: "const d = 40;" } }] },
    { blocks: [text("Addressed the review.")] },
  ]);
  const id = await startSession(page, repo, `${marker} tweak the constants`);
  await expectStatus(page, "idle");

  await page.goto(`/sessions/${id}/review`);
  await expect(page.getByTestId("review-state")).toContainText(/needs review/i);
  await expect(page.getByTestId("file-entry").filter({ hasText: HOSTILE })).toBeVisible();
  await expect(page.getByTestId("diff-file").filter({ hasText: HOSTILE })).toContainText("<script>window.__pwned=2</script>");
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  const appJs = page.locator('[data-testid="diff-file"][data-path="app.js"]');
  for (const [line, body] of [["2", "Why twenty?"], ["4", "Make d forty."]] as const) {
    await appJs.locator(`[data-testid="line-comment-button"][data-side="new"][data-line="${line}"]`).click();
    await page.getByTestId("comment-input").fill(body);
    await page.getByTestId("comment-add").click();
  }
  await expect(page.getByTestId("pending-comment")).toHaveCount(2);
  await page.getByTestId("review-verdict").selectOption("request_changes");
  await page.getByTestId("review-body").fill("Two small things.");
  await page.getByTestId("review-submit").click();
  await expect(page.getByTestId("review-state")).toContainText(/changes requested/i);

  // The agent receives the comments as one follow-up and commits a fix.
  await page.goto(`/sessions/${id}`);
  await expect(page.getByTestId("user-message").filter({ hasText: "Make d forty." })).toContainText("app.js");
  await expect(page.getByTestId("assistant-text").filter({ hasText: "Addressed the review." })).toBeVisible();
  await expect(page.getByTestId("commit-event")).toHaveCount(2);

  await page.goto(`/sessions/${id}/review`);
  await page.getByTestId("since-last-review").click();
  await expect(page.getByTestId("diff-file")).toHaveCount(1);
  // Only the fix is a change now ("const b = 20;" is just context, with its thread still on it).
  const added = appJs.locator('[data-testid="diff-line"][data-type="add"]');
  const removed = appJs.locator('[data-testid="diff-line"][data-type="del"]');
  await expect(added).toHaveCount(1);
  await expect(added).toContainText("const d = 40;");
  await expect(removed).toHaveCount(1);
  await expect(removed).toContainText("const d = 4;");

  await page.getByTestId("review-verdict").selectOption("approve");
  await page.getByTestId("review-submit").click();
  await expect(page.getByTestId("review-state")).toContainText(/approved/i);
  await page.getByTestId("merge-strategy").selectOption("merge");
  await page.getByTestId("merge-button").click();
  await expect(page.getByTestId("merge-fact-strategy")).toHaveText("merge commit");
  // Both threads are still open: merging over them takes a reason.
  await expect(page.getByTestId("merge-override-needed")).toContainText("2 review threads are unresolved");
  await expect(page.getByTestId("confirm-ok")).toBeDisabled();
  await page.getByTestId("merge-override-reason").fill("Both answered in the fix.");
  await page.getByTestId("confirm-ok").click();
  await expect(page.getByTestId("review-state")).toContainText(/merged/i);
  expect(git(repo, "show", "main:app.js")).toBe("const a = 1;\nconst b = 20;\nconst c = 3;\nconst d = 40;");
  // Everyone watching the session sees who merged it, in the transcript.
  await page.goto(`/sessions/${id}`);
  await expect(page.getByTestId("branch-event")).toContainText("merged the branch");
});

test("a conflict is shown before merging; a conflicting merge answers 409 naming the files and leaves both branches untouched", async ({ page, account }) => {
  void account; // signs up a fresh owner with a team of their own
  const repo = makeRepo({ "a.txt": "base\n" });
  const marker = `E2E-CONFLICT-${Date.now()}`;
  await script(marker, [{ blocks: [write("a.txt", "agent\n")] }, { blocks: [text("done")] }]);
  const id = await startSession(page, repo, marker);
  await expectStatus(page, "idle");
  fs.writeFileSync(path.join(repo, "a.txt"), "human\n");
  git(repo, "commit", "-qam", "a human got there first");
  const mainBefore = git(repo, "rev-parse", "main");

  await page.goto(`/sessions/${id}/review`);
  const head = await page.getByTestId("commit-row").last().getAttribute("data-sha");
  await expect(page.getByTestId("mergeability")).toHaveText("main moved 1 commit; conflicts in a.txt");
  await expect(page.getByTestId("merge-button")).toBeDisabled();
  await expect(page.getByTestId("rebase-button")).toBeVisible();
  const response = await page.request.post(`/api/sessions/${id}/merge`, { data: { strategy: "merge" }, headers: { origin: new URL(page.url()).origin } });
  expect(response.status()).toBe(409);
  expect((await response.json()).error.conflicts).toEqual(["a.txt"]);
  expect(git(repo, "rev-parse", "main")).toBe(mainBefore);
  const after = await (await page.request.get(`/api/sessions/${id}/commits`)).json();
  expect(after.headCommit).toBe(head);
});

test("a merge started elsewhere shows on a review page that was already open, without a reload", async ({ page, account }) => {
  void account; // signs up a fresh owner with a team of their own
  const repo = makeRepo({ "a.txt": "base\n" });
  const marker = `E2E-MERGE-LIVE-${Date.now()}`;
  await script(marker, [{ blocks: [write("a.txt", "agent\n")] }, { blocks: [text("done")] }]);
  const id = await startSession(page, repo, marker);
  await expectStatus(page, "idle");

  await page.goto(`/sessions/${id}/review`);
  await expect(page.getByTestId("review-state")).toContainText(/needs review/i);
  await expect(page.getByTestId("merge-button")).toBeEnabled();
  // Another tab (or person) merges: a request that is not this page's.
  const response = await page.request.post(`/api/sessions/${id}/merge`, { data: { strategy: "merge" }, headers: { origin: new URL(page.url()).origin } });
  expect(response.status()).toBe(202);
  await expect(page.getByTestId("merge-result")).toHaveAttribute("data-kind", "merged");
  await expect(page.getByTestId("merge-result")).toContainText("Merged into main");
  await expect(page.getByTestId("review-state")).toContainText(/merged/i);
  expect(git(repo, "show", "main:a.txt")).toBe("agent");
});

// Merge guard rails in the browser: the review header says what merging would do before anyone
// clicks ("main moved 1 commit; …") with "Ask the agent to rebase" beside it; Merge asks first,
// naming strategy, target, commits and files; a merged session, or one with nothing to merge,
// offers no Merge, and the API answers 409 rather than writing to main again.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, expectStatus, makeRepo, script, startSession, test, text } from "./helpers";

const git = (repo: string, ...args: string[]) => execFileSync("git", ["-c", "safe.directory=*", "-c", "user.name=t", "-c", "user.email=t@t", "-C", repo, ...args], { encoding: "utf8" }).trim();
const write = (p: string, content: string) => ({ type: "tool_use" as const, name: "write_file", input: { path: p, content } });

test("the review shows what a merge would do, asks with strategy, target, commits and files, and merges once", async ({ page, account }) => {
  const repo = makeRepo({ "README.md": "# demo\n", "notes.txt": "notes\n" });
  const marker = `E2E-MERGE-GUARD-${Date.now()}`;
  await script(marker, [{ blocks: [write("README.md", "# demo, improved\n")] }, { blocks: [text("Improved the README.")] }]);
  const id = await startSession(page, repo, `${marker} improve the readme`);
  await expectStatus(page, "idle");

  await page.goto(`/sessions/${id}/review`);
  await expect(page.getByTestId("mergeability")).toHaveText("1 commit and 1 file to merge");
  await expect(page.getByTestId("rebase-button")).toHaveCount(0);

  // Someone else moves main meanwhile: the header says so, and offers the rebase right there.
  fs.writeFileSync(path.join(repo, "notes.txt"), "more notes\n");
  git(repo, "commit", "-qam", "a human edits the notes");
  await page.reload();
  await expect(page.getByTestId("mergeability")).toHaveText("main moved 1 commit; 1 commit and 1 file to merge, no conflicts");
  await expect(page.getByTestId("rebase-button")).toBeVisible();

  await page.getByTestId("merge-strategy").selectOption("squash");
  await page.getByTestId("merge-button").click();
  const dialog = page.getByTestId("confirm-dialog");
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId("merge-fact-strategy")).toHaveText("squash");
  await expect(page.getByTestId("merge-fact-target")).toHaveText(`main ← dockside/${id.slice(0, 8)}`);
  await expect(page.getByTestId("merge-fact-size")).toHaveText("1 commit, 1 file");
  await expect(page.getByTestId("merge-override-reason")).toHaveCount(0);
  // Cancel has the focus: a stray Enter merges nothing.
  await page.keyboard.press("Enter");
  await expect(dialog).toHaveCount(0);
  expect(git(repo, "show", "main:README.md")).toBe("# demo");

  await page.getByTestId("merge-button").click();
  await page.getByTestId("confirm-ok").click();
  // The merge runs as a job: the page follows it to its result.
  await expect(page.getByTestId("merge-result")).toHaveAttribute("data-kind", "merged", { timeout: 60_000 });
  await expect(page.getByTestId("merge-result")).toContainText(`main is now at ${git(repo, "rev-parse", "--short=7", "main")}`);
  await expect(page.getByTestId("review-state")).toContainText(/merged/i);
  await expect(page.getByTestId("mergeability")).toHaveText(`merged into main by ${account.name}`);
  await expect(page.getByTestId("merge-button")).toBeDisabled();
  expect(git(repo, "show", "main:README.md")).toBe("# demo, improved");
  expect(git(repo, "show", "main:notes.txt")).toBe("more notes");

  // A second merge (another tab, a script) is refused; main does not move.
  const mainAfter = git(repo, "rev-parse", "main");
  const again = await page.request.post(`/api/sessions/${id}/merge`, { data: { strategy: "merge" }, headers: { origin: new URL(page.url()).origin } });
  expect(again.status()).toBe(409);
  expect((await again.json()).error.message).toContain("already merged");
  expect(git(repo, "rev-parse", "main")).toBe(mainAfter);
});

test("a session with nothing to merge offers no Merge, and the API answers 409", async ({ page, account }) => {
  void account; // signs up a fresh owner with a team of their own
  const repo = makeRepo({ "README.md": "# quiet\n" });
  const marker = `E2E-MERGE-NOTHING-${Date.now()}`;
  await script(marker, [{ blocks: [text("I read it; nothing needs changing.")] }]);
  const id = await startSession(page, repo, `${marker} look around`);
  await expectStatus(page, "idle");
  const mainBefore = git(repo, "rev-parse", "main");

  await page.goto(`/sessions/${id}/review`);
  await expect(page.getByTestId("mergeability")).toContainText("nothing to merge");
  await expect(page.getByTestId("merge-button")).toBeDisabled();
  await expect(page.getByTestId("merge-button")).toHaveAttribute("title", /Nothing to merge/);
  const res = await page.request.post(`/api/sessions/${id}/merge`, { data: { strategy: "merge" }, headers: { origin: new URL(page.url()).origin } });
  expect(res.status()).toBe(409);
  expect(git(repo, "rev-parse", "main")).toBe(mainBefore);
});

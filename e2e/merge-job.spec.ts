// Merge as a background job in the browser, phone-sized: the merge answers at once and the page
// follows it; a merge that fails says why under the controls with a Retry, and Retry merges once
// the cause is gone.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, expectStatus, makeRepo, script, startSession, test, text } from "./helpers";

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

const git = (repo: string, ...args: string[]) => execFileSync("git", ["-c", "safe.directory=*", "-c", "user.name=t", "-c", "user.email=t@t", "-C", repo, ...args], { encoding: "utf8" }).trim();
const write = (p: string, content: string) => ({ type: "tool_use" as const, name: "write_file", input: { path: p, content } });

test("a failed merge shows why with a Retry; Retry merges once the origin is clean", async ({ page, account }) => {
  void account;
  const repo = makeRepo({ "README.md": "# demo\n", "notes.txt": "notes\n" });
  const marker = `E2E-MERGE-JOB-${Date.now()}`;
  await script(marker, [{ blocks: [write("README.md", "# demo, by the agent\n")] }, { blocks: [text("Done.")] }]);
  const id = await startSession(page, repo, `${marker} edit the readme`);
  await expectStatus(page, "idle");
  await page.goto(`/sessions/${id}/review`);
  await expect(page.getByTestId("mergeability")).toHaveText("1 commit and 1 file to merge");

  // Someone has unsaved work in the origin's checked-out main: git will not update it under them.
  fs.writeFileSync(path.join(repo, "notes.txt"), "unsaved\n");
  const before = git(repo, "rev-parse", "main");
  await page.getByTestId("merge-button").click();
  await page.getByTestId("confirm-ok").click();
  const result = page.getByTestId("merge-result");
  await expect(result).toHaveAttribute("data-kind", "failed", { timeout: 60_000 });
  await expect(result).toContainText("The merge failed: push to main failed");
  expect(git(repo, "rev-parse", "main")).toBe(before);

  git(repo, "checkout", "--", "notes.txt");
  await page.getByTestId("merge-retry").click();
  await page.getByTestId("confirm-ok").click();
  await expect(result).toHaveAttribute("data-kind", "merged", { timeout: 60_000 });
  await expect(page.getByTestId("review-state")).toContainText(/merged/i);
  expect(git(repo, "show", "main:README.md")).toBe("# demo, by the agent");
});

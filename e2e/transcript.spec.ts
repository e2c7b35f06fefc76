// A transcript that reads well: edits as small diffs, the Diff tab as the review viewer, a
// follow-up's "queued" turning "delivered", a search hit opening the session at its event, and
// people's messages as markdown.
import type { Page } from "@playwright/test";
import { expect, expectStatus, makeRepo, script, shell, startSession, test, text } from "./helpers";

const edit = (path: string, old_string: string, new_string: string) => ({ type: "tool_use" as const, name: "edit_file", input: { path, old_string, new_string } });

/** Elements of the Diff tab reaching past the right edge of the screen. */
const sideways = (page: Page) =>
  page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll<HTMLElement>("[data-testid=diff-view] *")]
      .filter((el) => el.getClientRects().length > 0 && el.getBoundingClientRect().right > width + 1)
      .map((el) => `${el.tagName}[${el.dataset.testid ?? ""}] ${el.className}`.slice(0, 160));
  });

test("an edit shows as a small diff, the Diff tab is the review viewer, and a fenced message renders as code", async ({ page, account: _ }) => {
  test.setTimeout(240_000);
  const repo = makeRepo({ "app.js": "const a = 1;\nconst b = 2;\nconst c = 3;\n" });
  const marker = `E2E-EDIT-${Date.now()}`;
  await script(marker, [
    { blocks: [text("Changing b."), edit("app.js", "const b = 2;", "const b = 20;")] },
    { blocks: [text("Changed b to twenty.")] },
    { blocks: [text("Read your snippet.")] },
  ]);
  const id = await startSession(page, repo, `${marker} make b twenty`);
  await expectStatus(page, "idle", 120_000);

  // In the transcript: the edit's removed and added lines, open without a click.
  const call = page.getByTestId("tool-call").filter({ hasText: "edit_file" });
  const small = call.getByTestId("tool-edit-diff");
  await expect(small).toBeVisible();
  await expect(small.locator('[data-testid="diff-line"][data-type="del"]')).toContainText("const b = 2;");
  await expect(small.locator('[data-testid="diff-line"][data-type="add"]')).toContainText("const b = 20;");
  await expect(call.getByTestId("tool-edit-counts")).toHaveText("+1 −1");

  // The Diff tab: the file list and the file's lines, read-only, with the way to the review.
  await expect(page.getByTestId("commit-event")).toHaveCount(1);
  await page.getByTestId("tab-diff").click();
  const view = page.getByTestId("diff-view");
  await expect(view.getByRole("complementary", { name: "Changed files" }).getByTestId("file-entry")).toHaveText(/app\.js/);
  const file = view.locator('[data-testid="diff-file"][data-path="app.js"]');
  await expect(file.locator('[data-testid="diff-line"][data-type="add"]')).toContainText("const b = 20;");
  await expect(file.locator('[data-testid="diff-line"][data-type="del"]')).toContainText("const b = 2;");
  await expect(view.getByTestId("diff-summary")).toContainText("1 file changed");
  await expect(file.getByTestId("line-comment-button").first()).toBeHidden();
  await expect(view.getByTestId("diff-review-link")).toHaveAttribute("href", `/sessions/${id}/review`);

  // On a phone the files fold above the diff, and nothing scrolls sideways.
  await page.setViewportSize({ width: 360, height: 780 });
  await expect(file.locator('[data-testid="diff-line"][data-type="add"]')).toBeVisible();
  expect(await sideways(page)).toEqual([]);
  await page.setViewportSize({ width: 1280, height: 900 });

  // A follow-up with a fenced block shows as a code block, not as backticks.
  await page.getByTestId("tab-transcript").click();
  await page.getByTestId("followup-input").fill("Look at this:\n\n```\nconst b = 20;\n```\n\nand **keep** it.");
  await page.getByTestId("followup-send").click();
  const msg = page.getByTestId("user-message").filter({ hasText: "Look at this" });
  await expect(msg.locator("pre code")).toHaveText("const b = 20;");
  await expect(msg.locator("strong")).toHaveText("keep");
  await expect(msg).not.toContainText("```");
  await expect(page.getByTestId("assistant-text").filter({ hasText: "Read your snippet." })).toBeVisible();
});

test("a follow-up sent while the agent waits shows queued, then delivered once the agent reads it", async ({ page, account: _ }) => {
  test.setTimeout(240_000);
  const repo = makeRepo({ "README.md": "# queued\n" });
  const marker = `E2E-QUEUE-${Date.now()}`;
  await script(marker, [{ blocks: [text("Running a check."), shell(`echo checked-${marker}`)] }, { blocks: [text("Noted your message.")] }]);

  // In "ask" mode the command waits for approval: the agent is busy, deterministically.
  await page.goto("/");
  await page.getByTestId("repo-input").fill(repo);
  await page.getByTestId("prompt-input").fill(`${marker} run a check`);
  await page.getByTestId("mode-select").selectOption("ask");
  await page.getByTestId("create-session").click();
  await page.waitForURL(/\/sessions\/[a-z0-9]+$/);
  await expectStatus(page, "needs approval", 120_000);

  await page.getByTestId("followup-input").fill("also mention the README");
  await page.getByTestId("followup-send").click();
  const msg = page.getByTestId("user-message").filter({ hasText: "also mention the README" });
  await expect(msg.getByTestId("delivery-tag")).toHaveText("queued");

  await page.getByTestId("approval-card").getByTestId("approve-button").click();
  await expect(msg.getByTestId("delivery-tag")).toHaveText("delivered", { timeout: 120_000 });
  await expect(page.getByTestId("assistant-text").filter({ hasText: "Noted your message." })).toBeVisible();
  // The prompt, which the agent took at once, carries no tag.
  await expect(page.getByTestId("user-message").first().getByTestId("delivery-tag")).toHaveCount(0);
});

test("a search hit opens the session at the matched event, highlighted, far above the end", async ({ page, account: _ }) => {
  test.setTimeout(240_000);
  const repo = makeRepo();
  const marker = `E2E-FIND-${Date.now()}`;
  const word = `zephyr${Date.now().toString(36)}`;
  const filler = Array.from({ length: 120 }, (_, i) => `- filler line ${i + 1}`).join("\n");
  await script(marker, [
    { blocks: [text(`Early on I noted ${word} in the config.`), shell("true")] },
    { blocks: [text(`A long list:\n\n${filler}`), shell("true")] },
    { blocks: [text("All done.")] },
  ]);
  const id = await startSession(page, repo, `${marker} take notes`);
  await expectStatus(page, "idle", 120_000);

  await page.goto(`/?q=${word}`);
  const hit = page.locator(`[data-testid="session-row"][data-session-id="${id}"]`).getByTestId("session-match");
  await expect(hit).toContainText(word);
  const seq = Number(await hit.getAttribute("data-seq"));
  expect(seq).toBeGreaterThan(1);

  await page.goto(`/sessions/${id}?at=${seq}`);
  const target = page.getByTestId("transcript-target");
  await expect(target).toContainText(word);
  await expect(target).toBeInViewport();
  // The end of the session is out of sight: the page did not jump to the bottom.
  await expect(page.getByTestId("assistant-text").filter({ hasText: "All done." })).not.toBeInViewport();
  await expect(page.getByTestId("scroll-to-bottom")).toBeVisible();
});

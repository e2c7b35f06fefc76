// The keyboard: `?` lists the shortcuts, a review is walked and commented on with j/n/c and
// Ctrl+Enter, `d` flips the session's Diff tab, `/` finds the history search from any page, and
// a whole session (start it, send a follow-up) is done with Tab, Enter and typing only.
import type { Page } from "@playwright/test";
import { expect, expectStatus, makeRepo, script, startSession, test, text } from "./helpers";

const write = (p: string, content: string) => ({ type: "tool_use" as const, name: "write_file", input: { path: p, content } });

/** Presses Tab until the element with this test id has the focus (at most `max` times). */
async function tabTo(page: Page, testId: string, max = 100): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((id) => document.activeElement?.getAttribute("data-testid") === id, testId)) return;
  }
  throw new Error(`${testId} never got the focus with Tab`);
}

test("a review walked with the keyboard: ? lists the keys, j moves to a file, n to a hunk, c and Ctrl+Enter comment", async ({ page, account }) => {
  void account;
  const repo = makeRepo({ "a.txt": "one\n", "b.txt": "two\n" });
  const marker = `E2E-KBD-REVIEW-${Date.now()}`;
  await script(marker, [{ blocks: [write("a.txt", "one\nmore\n"), write("b.txt", "two\nthree\n")] }, { blocks: [text("Changed both files.")] }]);
  const id = await startSession(page, repo, `${marker} change two files`);
  await expectStatus(page, "idle");

  // On the session page, d shows the diff and d again the transcript.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press("d");
  await expect(page.getByTestId("tab-diff")).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("d");
  await expect(page.getByTestId("tab-transcript")).toHaveAttribute("aria-selected", "true");

  await page.goto(`/sessions/${id}/review`);
  const files = page.getByTestId("diff-file");
  await expect(files).toHaveCount(2);

  await page.keyboard.press("?");
  const overlay = page.getByTestId("shortcuts-overlay");
  await expect(overlay).toBeVisible();
  await expect(overlay).toContainText("Next file");
  await expect(overlay).toContainText("Comment on the current change");
  await expect(overlay).toContainText("Search the history");
  await expect(page.getByTestId("shortcuts-close")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(overlay).toBeHidden();

  await page.keyboard.press("j");
  await expect(files.nth(1)).toHaveAttribute("data-current", "true");
  await expect(files.nth(0)).not.toHaveAttribute("data-current", "true");
  await page.keyboard.press("n");
  const hunk = files.nth(1).getByTestId("diff-hunk");
  await expect(hunk).toHaveAttribute("data-current", "");
  await expect(hunk).toBeInViewport();

  await page.keyboard.press("c");
  await expect(page.getByTestId("comment-input")).toBeFocused();
  await expect(page.getByTestId("comment-box")).toContainText("new line 2");
  await page.keyboard.type("Why three?");
  await page.keyboard.press("Control+Enter");
  const pending = files.nth(1).getByTestId("pending-comment");
  await expect(pending).toContainText("Why three?");
  await expect(pending).toHaveAttribute("data-line", "2");

  // m asks before merging; Escape leaves the branch as it was.
  await expect(page.getByTestId("merge-button")).toBeEnabled();
  await page.keyboard.press("m");
  await expect(page.getByRole("alertdialog")).toContainText("Merge into main?");
  await page.keyboard.press("Escape");
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  await expect(page.getByTestId("merge-result")).toHaveCount(0);
});

test("/ focuses the history search, from home and from any other page", async ({ page, account }) => {
  void account;
  await page.goto("/");
  await expect(page.getByTestId("history-search")).toBeVisible();
  await page.keyboard.press("/");
  await expect(page.getByTestId("history-search")).toBeFocused();

  await page.goto("/settings");
  await expect(page.getByTestId("nav-settings")).toHaveAttribute("aria-current", "page");
  await page.keyboard.press("/");
  await page.waitForURL((u) => u.pathname === "/");
  await expect(page.getByTestId("history-search")).toBeFocused();
  // Typing there searches; the keys don't fire while typing.
  await page.keyboard.type("g h ?");
  await expect(page.getByTestId("history-search")).toHaveValue("g h ?");
  await expect(page.getByTestId("shortcuts-overlay")).toHaveCount(0);
});

test("start a session and send a follow-up with the keyboard only", async ({ page, account }) => {
  void account;
  const repo = makeRepo({ "README.md": "# keys\n" });
  const marker = `E2E-KBD-FLOW-${Date.now()}`;
  await script(marker, [{ blocks: [text("Started by keyboard.")] }, { blocks: [text("Follow-up by keyboard.")] }]);
  await page.goto("/");
  await expect(page.getByTestId("new-session-form")).toBeVisible();

  await tabTo(page, "repo-input");
  await page.keyboard.type(repo);
  await tabTo(page, "prompt-input");
  await page.keyboard.type(`${marker} say hello`);
  await tabTo(page, "create-session");
  // Where the keyboard is shows: a ring around the focused button.
  expect(await page.getByTestId("create-session").evaluate((el) => getComputedStyle(el).outlineStyle)).toBe("solid");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/sessions\/[a-z0-9]+$/);
  await expect(page.getByTestId("assistant-text").filter({ hasText: "Started by keyboard." })).toBeVisible({ timeout: 60_000 });
  await expectStatus(page, "idle");

  await tabTo(page, "followup-input");
  await page.keyboard.type("and now goodbye");
  await page.keyboard.press("Control+Enter");
  await expect(page.getByTestId("user-message").filter({ hasText: "and now goodbye" })).toBeVisible();
  await expect(page.getByTestId("assistant-text").filter({ hasText: "Follow-up by keyboard." })).toBeVisible({ timeout: 60_000 });
  // Esc leaves the message box, and the page's keys work again.
  await expect(page.getByTestId("followup-input")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("followup-input")).not.toBeFocused();
  await page.keyboard.press("d");
  await expect(page.getByTestId("tab-diff")).toHaveAttribute("aria-selected", "true");

  // s asks before it stops: Enter on the focused Cancel does nothing, Tab and Enter stop.
  await page.keyboard.press("s");
  await expect(page.getByTestId("confirm-dialog")).toContainText("Stop this session?");
  await expect(page.getByTestId("confirm-cancel")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("confirm-dialog")).toHaveCount(0);
  await expectStatus(page, "idle");
  await page.keyboard.press("s");
  await page.keyboard.press("Tab");
  await expect(page.getByTestId("confirm-ok")).toBeFocused();
  await page.keyboard.press("Enter");
  await expectStatus(page, "stopped");
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test("the header menu opens with Enter and closes with Escape, focus back on its button", async ({ page, account }) => {
    void account;
    await page.goto("/");
    await tabTo(page, "menu-button");
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("app-menu")).toBeVisible();
    await expect(page.getByTestId("menu-button")).toHaveAttribute("aria-expanded", "true");
    await page.keyboard.press("Tab");
    await expect(page.getByTestId("nav-history")).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(page.getByTestId("app-menu")).toBeHidden();
    await expect(page.getByTestId("menu-button")).toBeFocused();
    await page.keyboard.press("Space");
    await expect(page.getByTestId("app-menu")).toBeVisible();
  });
});

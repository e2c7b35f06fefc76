// Merge, push and reset ask first, in a dialog that says what will happen: Cancel has the focus,
// Cancel and Escape send nothing and change nothing, and only the confirm button acts.
import { execFileSync } from "node:child_process";
import { expect, expectStatus, makeRepo, script, startSession, test, text } from "./helpers";

const git = (repo: string, ...args: string[]) => execFileSync("git", ["-c", "safe.directory=*", "-C", repo, ...args], { encoding: "utf8" }).trim();
const write = (p: string, content: string) => ({ type: "tool_use" as const, name: "write_file", input: { path: p, content } });

test("merge, push and reset: cancel and Escape do nothing, confirm acts", async ({ page, account }) => {
  void account; // signs up a fresh owner with a team of their own
  const repo = makeRepo({ "a.txt": "base\n" });
  const marker = `E2E-CONFIRM-${Date.now()}`;
  await script(marker, [
    { blocks: [write("a.txt", "one\n")] },
    { blocks: [text("First.")] },
    { blocks: [write("a.txt", "two\n")] },
    { blocks: [text("Second.")] },
  ]);
  const id = await startSession(page, repo, `${marker} write a.txt`);
  await expectStatus(page, "idle");
  const more = await page.request.post(`/api/sessions/${id}/messages`, { data: { text: "again" }, headers: { origin: new URL(page.url()).origin } });
  expect(more.ok()).toBe(true);
  await expect(page.getByTestId("commit-event")).toHaveCount(2);
  await expectStatus(page, "idle");

  const shipping: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && /\/(merge|push|reset)$/.test(new URL(r.url()).pathname)) shipping.push(new URL(r.url()).pathname);
  });
  const mainBefore = git(repo, "rev-parse", "main");
  await page.goto(`/sessions/${id}/review`);
  await expect(page.getByTestId("commit-row")).toHaveCount(2);
  const [first, second] = await page.getByTestId("commit-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-sha") ?? ""));
  const dialog = page.getByRole("alertdialog");

  // Merge: Escape, then Cancel.
  await page.getByTestId("merge-strategy").selectOption("squash");
  await page.getByTestId("merge-button").click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("Merge into main?");
  await expect(dialog.getByTestId("merge-fact-strategy")).toContainText("squash");
  await expect(dialog.getByTestId("merge-fact-size")).toContainText("2 commits");
  await expect(page.getByTestId("confirm-cancel")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("merge-button")).toBeFocused();
  await page.getByTestId("merge-button").click();
  await page.getByTestId("confirm-cancel").click();
  await expect(dialog).toBeHidden();

  // Push: Enter on the focused Cancel does not push.
  await page.getByTestId("push-button").click();
  await expect(dialog).toContainText(/Push dockside\/\w+ to the origin\?/);
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();

  // Reset: cancel keeps both checkpoints.
  await page.getByTestId("commit-row").first().getByTestId("commit-reset").click();
  await expect(dialog).toContainText(`Reset the branch to ${first.slice(0, 7)}? Later checkpoints leave the branch.`);
  await page.getByTestId("confirm-cancel").click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("merge-result")).toHaveCount(0);
  expect(shipping).toEqual([]);
  expect(git(repo, "rev-parse", "main")).toBe(mainBefore);
  expect((await (await page.request.get(`/api/sessions/${id}/commits`)).json()).headCommit).toBe(second);

  // Confirmed: the reset happens, then the merge.
  await page.getByTestId("commit-row").first().getByTestId("commit-reset").click();
  await page.getByTestId("confirm-ok").click();
  await expect(page.getByTestId("commit-row")).toHaveCount(1);
  await expect.poll(async () => (await (await page.request.get(`/api/sessions/${id}/commits`)).json()).headCommit).toBe(first);
  await page.getByTestId("merge-button").click();
  await page.getByTestId("confirm-ok").click();
  await expect(page.getByTestId("review-state")).toContainText(/merged/i);
  expect(git(repo, "show", "main:a.txt")).toBe("one");
  expect(shipping).toEqual([`/api/sessions/${id}/reset`, `/api/sessions/${id}/merge`]);
});

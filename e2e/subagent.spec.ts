// Subagents in the session page: a task call is one block (title, state, tokens) with its
// subagent's steps folded under it; opening it shows them, the session's own steps stay outside.
import { expect, expectStatus, makeRepo, script, shell, startSession, test, text } from "./helpers";

test("a subagent's steps are folded under its task call and open on a click", async ({ page, account: _ }) => {
  const repo = makeRepo({ "README.md": "# survey me\n" });
  const main = `E2E-SUBAGENT-MAIN-${Date.now()}`;
  const sub = `E2E-SUBAGENT-SUB-${Date.now()}`;
  await script(main, [
    { blocks: [text("Handing the survey to a subagent."), { type: "tool_use", name: "task", input: { description: "Survey the repository", prompt: `${sub}: list the files and report`, readOnly: false } }] },
    { blocks: [text("The subagent reports a README only.")] },
  ]);
  await script(sub, [{ blocks: [text("Listing."), shell("ls; echo nested-step-output")] }, { blocks: [text("REPORT: only README.md")] }]);
  await startSession(page, repo, `${main} survey`);
  await expectStatus(page, "idle");

  const block = page.getByTestId("task-block");
  await expect(block).toHaveCount(1);
  await expect(block).toHaveAttribute("data-state", "done");
  await expect(block.getByTestId("task-description")).toHaveText("Survey the repository");
  await expect(block.getByTestId("task-steps")).toHaveText("1 step");
  await expect(block.getByTestId("task-tokens")).toContainText("tokens");
  await expect(page.getByTestId("assistant-text").filter({ hasText: "The subagent reports a README only." })).toBeVisible();

  // Folded: none of the subagent's steps shows, in the block or at the top level.
  await expect(page.getByTestId("task-children")).toHaveCount(0);
  await expect(page.getByTestId("tool-call")).toHaveCount(0);
  await expect(page.getByTestId("assistant-text").filter({ hasText: "REPORT: only README.md" })).toHaveCount(0);

  await block.getByTestId("task-toggle").click();
  await expect(block.getByTestId("task-toggle")).toHaveAttribute("aria-expanded", "true");
  const children = block.getByTestId("task-children");
  await expect(children.getByTestId("assistant-text").filter({ hasText: "REPORT: only README.md" })).toBeVisible();
  const call = children.getByTestId("tool-call");
  await expect(call).toHaveCount(1);
  await expect(call.getByTestId("tool-summary")).toContainText("nested-step-output");
  await call.getByTestId("tool-call-toggle").click();
  await expect(call.getByTestId("tool-output")).toContainText("README.md");

  await block.getByTestId("task-toggle").click();
  await expect(page.getByTestId("task-children")).toHaveCount(0);
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test("the task block fits the screen and opens with a tap", async ({ page, account: _ }) => {
    const repo = makeRepo({ "README.md": "# phone\n" });
    const main = `E2E-SUBAGENT-PHONE-${Date.now()}`;
    const sub = `E2E-SUBAGENT-PHONESUB-${Date.now()}`;
    await script(main, [
      { blocks: [{ type: "tool_use", name: "task", input: { description: "A rather long description of what the subagent should look into on a small screen", prompt: `${sub} go`, readOnly: true } }] },
      { blocks: [text("Done.")] },
    ]);
    await script(sub, [{ blocks: [{ type: "tool_use", name: "glob", input: { pattern: "*.md" } }] }, { blocks: [text("REPORT: README.md")] }]);
    await startSession(page, repo, `${main} go`);
    await expectStatus(page, "idle");
    const block = page.getByTestId("task-block");
    await expect(block).toHaveAttribute("data-state", "done");
    await block.getByTestId("task-toggle").tap();
    await expect(block.getByTestId("task-children").getByTestId("tool-call")).toHaveCount(1);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});

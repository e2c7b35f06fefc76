// Memory and routines in the browser: a person writes an entry and sees it accepted (and a secret
// refused with the reason), an agent's `remember` proposal is accepted from its card in the
// session, a routine is created (its webhook token shown once) and "Run now" opens a session
// marked with it, and on a phone neither page scrolls sideways.
import type { Page } from "@playwright/test";
import { expect, makeRepo, script, startSession, test, text } from "./helpers";

test.use({ viewport: { width: 1280, height: 900 } });

/** Registers a fresh repository in the signed-in person's team; answers its id. */
async function registerRepo(page: Page, baseURL: string, files: Record<string, string>): Promise<string> {
  const res = await page.request.post("/api/repos", { data: { repo: makeRepo(files) }, headers: { origin: baseURL } });
  expect(res.ok(), await res.text()).toBe(true);
  return ((await res.json()) as { id: string }).id;
}

/** Whether the page scrolls sideways, with the elements that stick out (for the failure message). */
function sideways(page: Page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const wide = [...document.querySelectorAll<HTMLElement>("body *")]
      .filter((el) => el.getClientRects().length > 0 && el.getBoundingClientRect().right > root.clientWidth + 1)
      .map((el) => `${el.tagName}[${el.dataset.testid ?? ""}] ${el.className}`.slice(0, 160));
    return { scrolls: root.scrollWidth > root.clientWidth, wide };
  });
}

test("a person writes an entry and sees it accepted and versioned; a secret is refused with the reason", async ({ page, account, baseURL }) => {
  await registerRepo(page, baseURL!, { "README.md": "# memory\n" });
  await page.goto("/memory");
  await expect(page.getByTestId("memory-empty")).toContainText("remember");

  await page.getByTestId("memory-new").click();
  const form = page.getByTestId("memory-new-form");
  await form.getByTestId("memory-new-scope").selectOption({ index: 1 });
  await form.getByTestId("memory-new-text").fill("Run `npm test` before pushing: CI runs the same.");
  await form.getByTestId("memory-new-submit").click();
  await expect(page.getByTestId("memory-new-done")).toContainText("accepted");
  await expect(form).toHaveCount(0);
  await expect(page.getByTestId("memory-tab-accepted")).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("memory-tab-accepted").getByTestId("memory-tab-count")).toHaveText("1");

  const entry = page.getByTestId("memory-entry");
  await expect(entry).toHaveCount(1);
  await expect(entry).toHaveAttribute("data-state", "accepted");
  await expect(entry.getByTestId("memory-text")).toContainText("Run npm test before pushing");
  await expect(entry.locator("code")).toHaveText("npm test");
  await expect(entry.getByTestId("memory-source")).toHaveText(`written by ${account.name}`);
  await expect(entry.getByTestId("memory-version")).toContainText("version 1");

  // Edit: a new version, in the history with its author.
  await entry.getByTestId("memory-edit").click();
  await entry.getByTestId("memory-edit-text").fill("Run `npm test` before pushing; `npm run e2e` needs Docker.");
  await entry.getByTestId("memory-edit-save").click();
  await expect(entry.getByTestId("memory-version")).toContainText("version 2");
  await entry.getByTestId("memory-history-toggle").click();
  await expect(entry.getByTestId("memory-version-row")).toHaveCount(2);
  await expect(entry.getByTestId("memory-version-row").first()).toContainText(account.name);
  await expect(entry.getByTestId("memory-version-row").first()).toContainText("needs Docker");

  // An edit that adds a credential is refused, the editor keeps the text.
  await entry.getByTestId("memory-edit").click();
  await entry.getByTestId("memory-edit-text").fill("Deploy key: ghp_abcdefghijklmnopqrstuvwxyz0123456789AB");
  await entry.getByTestId("memory-edit-save").click();
  await expect(entry.getByTestId("memory-edit-error")).toContainText("GitHub token");
  await expect(entry.getByTestId("memory-edit-error")).not.toContainText("ghp_abc");
  await entry.getByTestId("memory-edit-cancel").click();

  // A new entry with a connection string: the reason inline, nothing stored, the text as typed.
  const secret = "The staging database is postgres://app:Hunter2-prod-9@db.internal:5432/app";
  await page.getByTestId("memory-new").click();
  await form.getByTestId("memory-new-text").fill(secret);
  await form.getByTestId("memory-new-submit").click();
  await expect(form.getByTestId("memory-new-error")).toContainText("connection string");
  await expect(form.getByTestId("memory-new-text")).toHaveValue(secret);
  await page.reload();
  await page.getByTestId("memory-tab-accepted").click();
  await expect(page.getByTestId("memory-entry")).toHaveCount(1);
  await expect(page.locator("body")).not.toContainText("Hunter2");

  // Search narrows the list (debounced); archive moves the entry to its tab.
  await page.getByTestId("memory-search").fill("nothing-like-this");
  await expect(page.getByTestId("memory-empty")).toContainText("match");
  await page.getByTestId("memory-search").fill("docker");
  await expect(page.getByTestId("memory-entry")).toHaveCount(1);
  await page.getByTestId("memory-entry").getByTestId("memory-archive").click();
  await expect(page.getByTestId("memory-tab-archived").getByTestId("memory-tab-count")).toHaveText("1");
  await page.getByTestId("memory-tab-archived").click();
  await expect(page.getByTestId("memory-entry")).toHaveAttribute("data-state", "archived");
});

test("an entry the agent proposed with remember is accepted from its card in the session", async ({ page, account: _, baseURL }) => {
  const repo = makeRepo({ "README.md": "# remember\n" });
  const res = await page.request.post("/api/repos", { data: { repo }, headers: { origin: baseURL! } });
  expect(res.ok(), await res.text()).toBe(true);
  const marker = `E2E-REMEMBER-${Date.now()}`;
  const fact = `The build needs \`make gen\` first (${marker}).`;
  await script(marker, [
    { blocks: [text("Worth keeping."), { type: "tool_use", name: "remember", input: { text: fact } }] },
    { blocks: [text("Noted for the team.")] },
  ]);
  const sessionId = await startSession(page, repo, `${marker} learn something`);

  const card = page.getByTestId("memory-card");
  await expect(card).toBeVisible({ timeout: 90_000 });
  await expect(card.getByTestId("memory-text")).toContainText("make gen");
  await expect(card.getByTestId("memory-scope")).toHaveText("for this repository");
  await expect(card).toHaveAttribute("data-state", "proposed");
  await card.getByTestId("memory-accept").click();
  await expect(card).toHaveAttribute("data-state", "accepted");
  await expect(card.getByTestId("memory-state")).toHaveText("Accepted");
  await expect(card.getByTestId("memory-accept")).toHaveCount(0);

  // The Memory page agrees, and says where the entry came from.
  await card.getByTestId("memory-page-link").click();
  await page.waitForURL(/\/memory/);
  await expect(page.getByTestId("memory-tab-accepted")).toHaveAttribute("aria-selected", "true");
  const entry = page.getByTestId("memory-entry").filter({ hasText: marker });
  await expect(entry).toHaveAttribute("data-state", "accepted");
  await expect(entry.getByTestId("memory-source")).toContainText(`from session ${sessionId.slice(0, 8)}`);
});

test("a routine is created from the Routines page, its token shown once, and Run now opens a session marked with it", async ({ page, account: _, baseURL }) => {
  await registerRepo(page, baseURL!, { "README.md": "# routine\n" });
  const marker = `E2E-ROUTINE-${Date.now()}`;
  await script(marker, [{ blocks: [text("Nightly check done.")] }]);

  await page.goto("/routines");
  await expect(page.getByTestId("routines-empty")).toBeVisible();
  await page.getByTestId("routine-new").click();
  const form = page.getByTestId("routine-form");
  await form.getByTestId("routine-name").fill("Nightly tests");
  await form.getByTestId("routine-prompt").fill(`${marker} run the tests`);
  await form.getByTestId("routine-kind-check").check();
  await form.getByTestId("routine-scheduled").check();
  await form.getByTestId("routine-cron").fill("0 6 * * 1-5");
  await expect(form.getByTestId("routine-cron-words")).toHaveText("on weekdays at 06:00");
  await form.getByTestId("routine-tz").selectOption("Europe/Paris");
  await form.getByTestId("routine-create").click();

  const reveal = page.getByTestId("routine-token");
  await expect(reveal).toBeVisible();
  const token = (await reveal.getByTestId("routine-token-value").textContent())!.trim();
  expect(token.length).toBeGreaterThan(20);
  const card = page.getByTestId("routine-card");
  await expect(card).toHaveCount(1);
  const routineId = (await card.getAttribute("data-routine-id"))!;
  await expect(reveal.getByTestId("routine-curl")).toHaveText(
    `curl -X POST -H "Authorization: Bearer ${token}" -H "Content-Type: application/json" -d '{"text":"CI failed on main"}' ${baseURL}/api/routines/${routineId}/fire`,
  );
  await expect(card.getByTestId("routine-kind")).toHaveText("check");
  await expect(card.getByTestId("routine-schedule")).toContainText("0 6 * * 1-5 · Europe/Paris");
  await expect(card.getByTestId("routine-next-runs")).toContainText("Next");

  // Once: after Done, and after a reload, the token is nowhere on the page.
  await reveal.getByTestId("routine-token-done").click();
  await expect(reveal).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId("routine-card")).toHaveCount(1);
  await expect(page.locator("body")).not.toContainText(token);

  await page.getByTestId("routine-run-now").click();
  await page.waitForURL(/\/sessions\/[a-z0-9]+$/, { timeout: 60_000 });
  await expect(page.getByTestId("session-routine")).toHaveText("routine: Nightly tests");
  await expect(page.getByTestId("assistant-text").last()).toContainText("Nightly check done.", { timeout: 90_000 });

  // Back on the page, the last run links that session.
  const sessionId = page.url().split("/").pop()!;
  await page.goto("/routines");
  await expect(page.getByTestId("routine-last-run").getByTestId("routine-run-session")).toHaveAttribute("href", `/sessions/${sessionId}`);
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the Memory and Routines pages do not scroll sideways", async ({ page, account: _, baseURL }) => {
    const origin = { origin: baseURL! };
    const repoId = await registerRepo(page, baseURL!, { "README.md": "# phone\n" });
    const long = "A rather long entry that mentions `a-very-long-identifier-that-would-not-wrap-on-its-own-anywhere-at-all` and a path /srv/some/deep/directory/structure/that/goes/on.";
    for (const data of [{ text: long }, { repo: repoId, text: "Tests need `TZ=UTC`." }]) {
      const r = await page.request.post("/api/memory", { data, headers: origin });
      expect(r.ok(), await r.text()).toBe(true);
    }
    const r = await page.request.post("/api/routines", {
      data: { repo: repoId, name: "A routine with a fairly long name to wrap", prompt: "Check things", kind: "check", schedule: { cron: "30 2 * * 1,3,5", tz: "America/Los_Angeles" } },
      headers: origin,
    });
    expect(r.ok(), await r.text()).toBe(true);

    await page.goto("/memory");
    await expect(page.getByTestId("memory-entry")).toHaveCount(2);
    await page.getByTestId("memory-entry").first().getByTestId("memory-history-toggle").click();
    await expect(page.getByTestId("memory-history")).toBeVisible();
    await page.getByTestId("memory-new").click();
    await expect(page.getByTestId("memory-new-form")).toBeVisible();
    expect(await sideways(page)).toEqual({ scrolls: false, wide: [] });

    await page.goto("/routines");
    await expect(page.getByTestId("routine-card")).toHaveCount(1);
    await page.getByTestId("routine-runs-toggle").click();
    await page.getByTestId("routine-new").click();
    await expect(page.getByTestId("routine-form")).toBeVisible();
    await page.getByTestId("routine-scheduled").check();
    expect(await sideways(page)).toEqual({ scrolls: false, wide: [] });
  });
});

// The home page answers "what needs me?": a brand-new team sees its first step; then a running
// session and a failed one (its setup script exits 3) sit in their sections, "see all" opens the
// history filtered to match, on a phone the sections fit the width and answer taps, and a
// session that stops leaves "Running" by itself.
import type { Page } from "@playwright/test";
import { expect, expectStatus, makeRepo, script, shell, startSession, test, text } from "./helpers";

test.use({ viewport: { width: 1440, height: 900 } });

/** Elements of the home summary wider than the viewport, and whether the page scrolls sideways inside it. */
function sideways(page: Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const home = document.querySelector<HTMLElement>("[data-testid=home]");
    if (!home) return { missing: true, wide: [] as string[], scrolls: false };
    const wide = [home, ...home.querySelectorAll<HTMLElement>("*")]
      .filter((el) => el.getClientRects().length > 0 && el.getBoundingClientRect().right > width + 1)
      .map((el) => `${el.tagName}[${el.dataset.testid ?? ""}] ${el.className}`.slice(0, 160));
    return { missing: false, wide, scrolls: home.scrollWidth > home.clientWidth + 1 };
  });
}

test("what needs me: first step, running and failed sessions in their sections, see all, a phone", async ({ page, browser, account: _, baseURL }) => {
  const origin = { origin: baseURL! };
  // A brand-new team: one clear first step, which leads to the new-session form.
  await page.goto("/");
  // The first step is there as soon as the form is: nothing arrives later above the form and moves
  // its button away from a pointer about to click it.
  const form = page.getByTestId("new-session-form");
  await expect(form).toBeVisible();
  expect(await page.getByTestId("home-first-step").count()).toBe(1);
  const formTop = (await form.boundingBox())!.y;
  await expect(page.getByTestId("home-first-step")).toContainText("Start your team's first session");
  await page.waitForLoadState("networkidle");
  expect((await form.boundingBox())!.y).toBe(formTop);
  await page.getByTestId("home-start").click();
  await expect(page.getByTestId("repo-input")).toBeFocused();

  const marker = `E2E-HOME-${Date.now()}`;
  await script(`${marker} run`, [{ blocks: [text("Working on it."), shell("sleep 600")] }]);
  const running = await startSession(page, makeRepo({ "README.md": "# running\n" }), `${marker} run: keep the lights on`);
  await expectStatus(page, "running", 120_000);

  const failingRepo = makeRepo({ "README.md": "# failing\n" });
  const reg = await page.request.post("/api/repos", { data: { repo: failingRepo }, headers: origin });
  expect(reg.ok(), await reg.text()).toBe(true);
  const repoId = ((await reg.json()) as { id: string }).id;
  const set = await page.request.patch(`/api/repos/${repoId}`, { data: { setupScript: "echo preparing\nexit 3\n" }, headers: origin });
  expect(set.ok(), await set.text()).toBe(true);
  const failed = await startSession(page, failingRepo, `${marker} fail: install the toolchain`);
  await expectStatus(page, "failed", 120_000);

  // Mine is the default once I have sessions; each session sits in its section, in words.
  await page.goto("/");
  const home = page.getByTestId("home");
  await expect(home).toHaveAttribute("data-scope", "mine");
  const runningSection = page.getByTestId("home-section-running");
  await expect(runningSection.locator(`[data-session-id="${running}"]`)).toContainText("keep the lights on");
  await expect(runningSection.getByTestId("session-status")).toHaveText(/running/);
  const attention = page.getByTestId("home-section-attention");
  await expect(attention.locator(`[data-session-id="${failed}"]`)).toContainText("install the toolchain");
  await expect(attention.locator(`[data-session-id="${failed}"]`).getByTestId("home-item-why")).toContainText(/fail/);
  await expect(runningSection.locator(`[data-session-id="${failed}"]`)).toHaveCount(0);
  await expect(page.getByTestId("home-empty-line")).toContainText("Nothing waiting for approval");
  await expect(page.getByTestId("home-section-approval")).toHaveCount(0);
  await page.getByTestId("home-scope-team").click();
  await expect(home).toHaveAttribute("data-scope", "team");
  await expect(home.getByRole("heading", { level: 2 })).toHaveText("What needs the team");
  await expect(runningSection.locator(`[data-session-id="${running}"]`)).toBeVisible();

  // "See all" opens the history below, filtered to running sessions.
  await runningSection.getByTestId("home-see-all-running").click();
  await expect(page).toHaveURL(/[?&]status=running/);
  await expect(page.getByTestId("history-status")).toHaveValue("running");
  await expect(page.locator(`[data-testid=session-row][data-session-id="${running}"]`)).toBeVisible();
  await expect(page.locator(`[data-testid=session-row][data-session-id="${failed}"]`)).toHaveCount(0);
  await expect(page.getByTestId("home-section-running")).toBeVisible();

  // A phone: the sections fit the width, and a tap opens a session.
  const phoneCtx = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, storageState: await page.context().storageState() });
  const phone = await phoneCtx.newPage();
  await phone.goto("/");
  await expect(phone.getByTestId("home-section-running").locator(`[data-session-id="${running}"]`)).toBeVisible();
  await expect(phone.getByTestId("home-section-attention").locator(`[data-session-id="${failed}"]`)).toBeVisible();
  expect(await sideways(phone)).toEqual({ missing: false, wide: [], scrolls: false });
  await phone.getByTestId("home-scope-team").tap();
  await expect(phone.getByTestId("home")).toHaveAttribute("data-scope", "team");
  expect(await sideways(phone)).toEqual({ missing: false, wide: [], scrolls: false });
  await phone.getByTestId("home-section-attention").locator(`[data-session-id="${failed}"] a`).tap();
  await phone.waitForURL(new RegExp(`/sessions/${failed}$`));
  await phoneCtx.close();

  // Live: once the running session stops, it leaves "Running" without a reload.
  const stop = await page.request.post(`/api/sessions/${running}/stop`, { headers: origin });
  expect(stop.ok(), await stop.text()).toBe(true);
  await expect(page.getByTestId("home-section-running")).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId("home-empty-line")).toContainText("running");
});

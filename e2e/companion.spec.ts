// The companion on a phone-sized session page: it reacts to a scripted failing `npm test`, is
// named and driven by keyboard, stays the same across reloads without replaying old news, hides
// with one click and comes back from Settings; with reduced motion nothing of it animates.
import type { Locator, Page } from "@playwright/test";
import { expect, expectStatus, makeRepo, script, shell, startSession, test, text } from "./helpers";

const PHONE = { width: 390, height: 844 };

/** A repository whose test suite fails. */
const failingRepo = () =>
  makeRepo({ "package.json": `${JSON.stringify({ name: "demo", version: "1.0.0", scripts: { test: "echo '1 test failed' && exit 1" } }, null, 2)}\n`, "README.md": "# demo\n" });

async function failingTestSession(page: Page, tag: string): Promise<string> {
  const marker = `E2E-COMPANION-${tag}-${Date.now()}`;
  await script(marker, [{ blocks: [text("Running the tests first."), shell("npm test")] }, { blocks: [text("The tests fail; over to you.")] }]);
  return startSession(page, failingRepo(), `${marker} run the tests`);
}

async function box(l: Locator) {
  const b = await l.boundingBox();
  if (!b) throw new Error("element has no box");
  return b;
}
const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Animations running on the page right after the bubble toggles (CSS transitions included). */
const animationsAfterToggle = (page: Page) =>
  page.evaluate(async () => {
    (document.querySelector('[data-testid="companion-button"]') as HTMLButtonElement).click();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return document.getAnimations().map((a) => (a.effect as KeyframeEffect | null)?.target?.getAttribute("data-testid") ?? (a.effect as KeyframeEffect | null)?.target?.className ?? "?");
  });

test("the companion reacts to a failing test, stays the same after reloads, hides with one click and comes back from Settings", async ({ page, account: _ }) => {
  await page.setViewportSize(PHONE);
  const mine = (await (await page.request.get("/api/me")).json()).companion as { species: string; glyph: string; name: string | null };
  expect(mine.name).toBeNull();

  const id = await failingTestSession(page, "MAIN");
  const companion = page.getByTestId("companion");
  const bubble = page.getByTestId("companion-bubble");
  await expect(companion).toHaveAttribute("data-species", mine.species);
  await expect(bubble).toHaveAttribute("data-kind", "test-failed", { timeout: 90_000 });
  await expect(bubble).toBeVisible();
  await expect(bubble).toContainText("`npm test`");
  await expect(bubble).toContainText(/fail/i);
  await expect(bubble).toHaveAttribute("role", "status");
  await expect(bubble).toHaveAttribute("aria-live", "polite");
  await expectStatus(page, "idle");

  // Small, in the corner above the composer: it covers neither the message box nor its buttons.
  const button = page.getByTestId("companion-button");
  for (const other of ["followup-input", "followup-send"]) expect(overlaps(await box(button), await box(page.getByTestId(other))), other).toBe(false);
  expect((await box(button)).y + (await box(button)).height).toBeLessThanOrEqual((await box(page.getByTestId("followup-input"))).y);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

  // Named from the first-time prompt; the name becomes the button's accessible label.
  await page.getByTestId("companion-name-input").fill("Pip");
  await page.getByTestId("companion-name-save").click();
  await expect(page.getByRole("button", { name: "Pip", exact: true })).toBeVisible();
  await expect(page.getByTestId("companion-name-prompt")).toHaveCount(0);

  // Keyboard: Escape closes the bubble (it may still show the last line), Enter and Space toggle it.
  await button.focus();
  await page.keyboard.press("Escape");
  await expect(bubble).toHaveAttribute("data-open", "false");
  await expect(bubble).toBeHidden();
  await page.keyboard.press("Enter");
  await expect(bubble).toHaveAttribute("data-open", "true");
  await expect(bubble).toBeVisible();
  await expect(bubble).toContainText(/^\S+ Pip: /);
  await page.keyboard.press("Escape");
  await expect(bubble).toHaveAttribute("data-open", "false");
  await page.keyboard.press("Space");
  await expect(bubble).toHaveAttribute("data-open", "true");
  await page.keyboard.press("Space");
  await expect(bubble).toHaveAttribute("data-open", "false");
  // Without reduced motion the bubble does animate (the control for the reduced-motion test).
  expect(await animationsAfterToggle(page)).not.toEqual([]);

  // Same account after a reload: same companion, and the replayed history makes it say nothing.
  await page.reload();
  await expect(page.getByTestId("assistant-text").filter({ hasText: "over to you" })).toBeVisible();
  await expect(companion).toHaveAttribute("data-species", mine.species);
  await expect(page.getByRole("button", { name: "Pip", exact: true })).toBeVisible();
  await expect(bubble).toHaveAttribute("data-open", "false");
  await expect(bubble).toHaveText("");

  // Hide: one click, remembered, and the session page works as before without it.
  await page.getByTestId("companion-hide").click();
  await expect(companion).toHaveCount(0);
  expect((await (await page.request.get("/api/me")).json()).companion).toMatchObject({ hidden: true, name: "Pip", species: mine.species });
  await page.reload();
  await expect(page.getByTestId("assistant-text").filter({ hasText: "over to you" })).toBeVisible();
  await expect(page.getByTestId("followup-input")).toBeEnabled();
  await expect(companion).toHaveCount(0);

  // Settings brings it back (and could rename it).
  await page.goto("/settings");
  const panel = page.getByTestId("companion-panel");
  await expect(panel).toContainText("Pip");
  await expect(panel.getByTestId("companion-panel-visibility")).toContainText("Hidden");
  await panel.getByTestId("companion-panel-toggle").click();
  await expect(panel.getByTestId("companion-panel-visibility")).toContainText("Shown");
  await page.goto(`/sessions/${id}`);
  await expect(page.getByRole("button", { name: "Pip", exact: true })).toBeVisible();
  await expect(companion).toHaveAttribute("data-species", mine.species);
});

test("with reduced motion the companion still speaks, and nothing on the page animates", async ({ page, account: _ }) => {
  await page.setViewportSize(PHONE);
  await page.emulateMedia({ reducedMotion: "reduce" });
  await failingTestSession(page, "CALM");
  const bubble = page.getByTestId("companion-bubble");
  await expect(bubble).toHaveAttribute("data-kind", "test-failed", { timeout: 90_000 });
  await expect(bubble).toContainText("`npm test`");
  await expectStatus(page, "idle");
  await page.getByTestId("companion-name-dismiss").click();
  await expect(page.getByTestId("companion-name-prompt")).toHaveCount(0);
  expect(await animationsAfterToggle(page)).toEqual([]);
  expect(await animationsAfterToggle(page)).toEqual([]);
  expect(await bubble.evaluate((el) => getComputedStyle(el).transitionDuration)).toBe("0s");
});

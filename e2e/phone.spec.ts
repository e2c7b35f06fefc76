// Dockside on a phone: no page scrolls sideways at 360 or 390 px (long words, paths and code wrap
// or scroll in their own box), the header folds into a menu that still signs out, the history is
// a list of cards, and the review page gives the diff the full width and takes a comment by tap.
import type { Page } from "@playwright/test";
import { expect, expectStatus, makeRepo, script, startSession, test, text } from "./helpers";

test.use({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });

const SIZES = [
  { width: 360, height: 740 },
  { width: 390, height: 844 },
] as const;
const LONG_WORD = "Supercalifragilisticexpialidocious".repeat(3);
const LONG_PATH = "src/a-rather-deeply/nested-directory-name/that-keeps-going/component-with-an-unreasonably-long-file-name.ts";
const LONG_LINE = `export const ${"veryLongIdentifier".repeat(8)} = "${"x".repeat(120)}";`;
const write = (p: string, content: string) => ({ type: "tool_use" as const, name: "write_file", input: { path: p, content } });

/**
 * What sticks out sideways: the document wider than the window, or a scroller from edge to edge
 * (the pages scroll in their own full-height box) wider than itself. A box that scrolls its own
 * content (a code block, a wide table) sits inside the page's margins and is fine. Names the
 * outermost elements past the right edge, so a failure says where to look.
 */
async function sideways(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const name = (el: Element) => {
      const id = el.getAttribute("data-testid");
      return `<${el.tagName.toLowerCase()}${id ? ` data-testid="${id}"` : ""} class="${(el.getAttribute("class") ?? "").slice(0, 120)}">`;
    };
    const out: string[] = [];
    if (document.documentElement.scrollWidth > vw) out.push(`the page is ${document.documentElement.scrollWidth} px wide in a ${vw} px window`);
    for (const el of document.querySelectorAll("body *")) {
      const s = getComputedStyle(el);
      if (!["auto", "scroll"].includes(s.overflowX)) continue;
      const r = el.getBoundingClientRect();
      if (r.left > 0.5 || r.right < vw - 0.5 || el.clientHeight < vh * 0.4) continue;
      if (el.scrollWidth > el.clientWidth + 1) out.push(`${name(el)} scrolls sideways: ${el.scrollWidth} px of content in ${el.clientWidth} px`);
    }
    if (out.length === 0) return out;
    const past = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > vw + 1 && el.getClientRects().length > 0)
      .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= vw + 1);
    return [...out, ...past.slice(0, 8).map((el) => `sticks out: ${name(el)} ${Math.round(el.getBoundingClientRect().right)} px`)];
  });
}

/** Visits the page at both phone widths and expects nothing to scroll sideways. */
async function fits(page: Page, path: string, ready: () => Promise<void>): Promise<void> {
  await page.goto(path);
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await ready();
    // Panels that load their own data are in before the widths are measured.
    await page.waitForLoadState("networkidle");
    expect(await page.evaluate(() => window.innerWidth)).toBe(size.width);
    expect(await sideways(page), `${path} at ${size.width} px`).toEqual([]);
  }
  await page.setViewportSize(SIZES[0]);
}

test("every page fits a phone; the menu signs out; the review takes a comment by tap", async ({ page, account }) => {
  test.setTimeout(300_000);
  const repo = makeRepo({ "app.js": "const a = 1;\nconst b = 2;\n" });
  const marker = `E2E-PHONE-${Date.now()}`;
  await script(marker, [{ blocks: [write("app.js", `const a = 1;\nconst b = 20;\n${LONG_LINE}\n`), write(LONG_PATH, `${LONG_LINE}\n`)] }, { blocks: [text(`Done: ${LONG_WORD} in \`${LONG_PATH}\`.`)] }]);
  const id = await startSession(page, repo, `${marker} ${LONG_WORD} tweak the constants`);
  await expectStatus(page, "idle", 120_000);

  // The history: each session is a card as wide as the screen, with its repository in it.
  await fits(page, "/", async () => {
    await expect(page.getByTestId("session-row").first()).toBeVisible();
  });
  const card = await page.getByTestId("session-row").first().boundingBox();
  expect(card!.width).toBeLessThanOrEqual(360);
  expect(card!.height).toBeGreaterThan(60);
  await expect(page.getByRole("columnheader", { name: "Repository" })).toBeHidden();

  await fits(page, `/sessions/${id}`, async () => {
    await expect(page.getByTestId("assistant-text").filter({ hasText: "Done:" })).toBeVisible();
  });
  // Opened tool calls (the long code line) and the session's Diff tab stay in the screen too.
  for (const toggle of await page.getByTestId("tool-call-toggle").all()) await toggle.tap();
  expect(await sideways(page)).toEqual([]);
  await page.getByTestId("tab-diff").tap();
  await expect(page.getByText("veryLongIdentifier").first()).toBeVisible();
  expect(await sideways(page)).toEqual([]);

  // The review: the panes stack, the diff has the width, a tap on a line number opens a comment.
  await fits(page, `/sessions/${id}/review`, async () => {
    await expect(page.getByTestId("diff-file").first()).toBeVisible();
  });
  const appJs = page.locator('[data-testid="diff-file"][data-path="app.js"]');
  expect((await appJs.boundingBox())!.width).toBeGreaterThan(300);
  const added = appJs.locator('[data-testid="diff-line"][data-type="add"]').filter({ hasText: "const b = 20;" });
  expect((await added.locator("code").boundingBox())!.width).toBeGreaterThan(200);
  // Without hover, the "+" is shown anyway.
  await expect(added.getByTestId("line-comment-button")).toHaveCSS("opacity", "1");
  await added.locator('[data-line-number="new"]').tap();
  await page.getByTestId("comment-input").fill("Why twenty?");
  await page.getByTestId("comment-add").tap();
  await expect(page.getByTestId("pending-comment")).toContainText("Why twenty?");
  await page.getByTestId("file-select").selectOption({ label: `A ${LONG_PATH} (+1 −0)` });
  await expect(page.locator(`[data-testid="diff-file"][data-path="${LONG_PATH}"] [data-testid="diff-file-path"]`)).toBeInViewport();
  await expect(page.locator(`[data-testid="diff-file"][data-path="${LONG_PATH}"] code`).first()).toContainText(LONG_LINE.slice(0, 40));
  await page.getByTestId("review-panel-toggle").tap();
  await page.getByTestId("review-verdict").selectOption("comment");
  await page.getByTestId("review-submit").tap();
  await expect(appJs.getByTestId("thread")).toContainText("Why twenty?");
  expect(await sideways(page)).toEqual([]);

  // The other pages of a signed-in person.
  for (const path of ["/settings", "/settings/tokens", "/memory", "/routines", "/audit"]) {
    await fits(page, path, async () => {
      await expect(page.locator("main h1, main h2").first()).toBeVisible();
    });
  }
  const share = await page.request.post(`/api/sessions/${id}/shares`, { data: {}, headers: { origin: new URL(page.url()).origin } });
  expect(share.ok()).toBe(true);
  const shareUrl = new URL(((await share.json()) as { url: string }).url);
  await fits(page, shareUrl.pathname, async () => {
    await expect(page.getByTestId("assistant-text").filter({ hasText: "Done:" })).toBeVisible();
  });
  const invite = await page.request.post(`/api/teams/${account.teamId}/invitations`, { data: { role: "member" }, headers: { origin: new URL(page.url()).origin } });
  expect(invite.ok()).toBe(true);
  const invitePath = new URL(((await invite.json()) as { url: string }).url).pathname;

  // The header is a menu on a phone: the links, the team and "Sign out" are in it.
  await page.goto("/");
  await expect(page.getByTestId("signout")).toBeHidden();
  await page.getByTestId("menu-button").tap();
  await expect(page.getByTestId("nav-settings")).toBeVisible();
  await expect(page.getByTestId("team-switcher")).toBeVisible();
  expect(await sideways(page)).toEqual([]);
  await page.getByTestId("signout").tap();
  await page.waitForURL(/\/sign-in/);

  for (const [path, testId] of [["/sign-in", "signin-email"], ["/sign-up", "signup-email"], [invitePath, "invite-team"]]) {
    await fits(page, path, async () => {
      await expect(page.getByTestId(testId)).toBeVisible();
    });
  }
});

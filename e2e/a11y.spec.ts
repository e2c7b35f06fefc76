// An accessibility pass over the main pages with axe-core, at a desktop and at a phone size: no
// "serious" or "critical" violation anywhere. One team is set up once (a session whose
// transcript has a tool call, an edit and a commit; a review with a comment thread; an
// invitation), then every page is visited in a desktop context and in a phone context. Lesser
// findings ("moderate", "minor") are printed, not asserted.
import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContextOptions, Page } from "@playwright/test";
import { expect, expectStatus, makeRepo, script, shell, startSession, test, text } from "./helpers";

const SIZES: { name: string; options: BrowserContextOptions }[] = [
  { name: "desktop", options: { viewport: { width: 1440, height: 900 } } },
  { name: "phone", options: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true } },
];

interface Finding {
  page: string;
  size: string;
  impact: string;
  rule: string;
  help: string;
  targets: string[];
}

/** Runs axe on what the page shows now; every violation becomes one finding per rule. */
async function audit(page: Page, name: string, size: string, into: Finding[]): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  for (const v of violations) {
    into.push({ page: name, size, impact: v.impact ?? "unknown", rule: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) });
  }
}

const SEVERE = new Set(["serious", "critical"]);
const describe = (f: Finding) => `[${f.impact}] ${f.page} (${f.size}) ${f.rule}: ${f.help}\n    ${f.targets.slice(0, 8).join("\n    ")}`;

async function contextFor(browser: Browser, options: BrowserContextOptions, signedIn?: Page) {
  return browser.newContext({ ...options, baseURL: test.info().project.use.baseURL, storageState: signedIn ? await signedIn.context().storageState() : undefined });
}

test("the main pages have no serious or critical accessibility violation, on a desktop and on a phone", async ({ page, browser, account, baseURL }) => {
  test.setTimeout(600_000);
  const origin = { origin: baseURL! };
  const repo = makeRepo({ "app.js": "const a = 1;\nconst b = 2;\n" });
  const marker = `E2E-A11Y-${Date.now()}`;
  await script(marker, [
    { blocks: [text("Looking around first."), shell("ls")] },
    { blocks: [{ type: "tool_use", name: "write_file", input: { path: "notes.txt", content: "notes\n" } }] },
    { blocks: [{ type: "tool_use", name: "edit_file", input: { path: "app.js", old_string: "const b = 2;", new_string: "const b = 20;" } }] },
    { blocks: [text("Changed **app.js**.")] },
    { blocks: [text("Noted.")] },
    { blocks: [text("Noted again.")] },
  ]);
  const id = await startSession(page, repo, `${marker} tweak the constants`);
  await expectStatus(page, "idle");
  await expect(page.getByTestId("commit-event")).toHaveCount(1);

  // A comment thread on the review page.
  await page.goto(`/sessions/${id}/review`);
  await page.locator('[data-testid="diff-file"][data-path="app.js"] [data-testid="line-comment-button"][data-side="new"][data-line="2"]').click();
  await page.getByTestId("comment-input").fill("Why twenty?");
  await page.getByTestId("comment-add").click();
  await page.getByTestId("review-verdict").selectOption("comment");
  await page.getByTestId("review-body").fill("One question.");
  await page.getByTestId("review-submit").click();
  await expect(page.getByTestId("review-state")).toBeVisible();

  const invitation = await page.request.post(`/api/teams/${account.teamId}/invitations`, { data: { role: "member" }, headers: origin });
  expect(invitation.ok(), await invitation.text()).toBe(true);
  const invitePath = new URL(((await invitation.json()) as { url: string }).url).pathname;

  const findings: Finding[] = [];
  for (const size of SIZES) {
    // Signed out: the sign-in, sign-up and invitation pages.
    const out = await contextFor(browser, size.options);
    const anon = await out.newPage();
    await anon.goto("/sign-in");
    await expect(anon.getByRole("button", { name: /sign in/i })).toBeVisible();
    await audit(anon, "sign-in", size.name, findings);
    await anon.goto("/sign-up");
    await expect(anon.getByTestId("signup-submit")).toBeVisible();
    await audit(anon, "sign-up", size.name, findings);
    await anon.goto(invitePath);
    await expect(anon.getByTestId("invite-team")).toBeVisible();
    await audit(anon, "invite", size.name, findings);
    await out.close();

    const ctx = await contextFor(browser, size.options, page);
    const p = await ctx.newPage();
    await p.goto("/");
    await expect(p.getByTestId("home")).toBeVisible();
    await expect(p.locator(`[data-session-id="${id}"]`).first()).toBeVisible();
    await audit(p, "home", size.name, findings);

    // The new-session form sits on the home page; focusing it opens its choices.
    await p.getByTestId("repo-input").click();
    await p.getByTestId("prompt-input").fill("a task");
    await audit(p, "new session form", size.name, findings);

    await p.goto(`/sessions/${id}`);
    await expect(p.getByTestId("tool-call").first()).toBeVisible();
    await expect(p.getByTestId("commit-event").first()).toBeVisible();
    await audit(p, "session transcript", size.name, findings);
    await p.getByTestId("tab-diff").click();
    await expect(p.locator('[data-testid="diff-view"] [data-testid="diff-line"]').first()).toBeVisible();
    await audit(p, "session diff", size.name, findings);

    await p.goto(`/sessions/${id}/review`);
    await expect(p.getByText("Why twenty?").first()).toBeVisible();
    await audit(p, "review", size.name, findings);

    for (const [name, path] of [["settings", "/settings"], ["memory", "/memory"], ["routines", "/routines"], ["audit", "/audit"]] as const) {
      await p.goto(path);
      await expect(p.locator("main")).toBeVisible();
      await p.waitForLoadState("networkidle");
      await audit(p, name, size.name, findings);
    }
    await ctx.close();
  }

  for (const f of findings.filter((f) => !SEVERE.has(f.impact))) console.log(describe(f));
  const severe = findings.filter((f) => SEVERE.has(f.impact));
  expect(severe.map(describe), "serious or critical accessibility violations").toEqual([]);
});

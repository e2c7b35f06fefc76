import { APP_ORIGIN } from "./ports";
// A team through the UI: sign up, create a team, invite by link, join from another browser,
// watch one session together, a follow-up with its author's name, and a read-only viewer.
import { test, type Browser, type Page } from "@playwright/test";
import { expect, expectStatus, makeRepo, newPerson, script, signUpInUi, startSession, text, type Person } from "./helpers";

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

/** Creates a team from wherever the new-team form is (the no-team screen, or settings). */
async function createTeamInUi(page: Page, name: string): Promise<void> {
  await expect(page.getByTestId("no-team").or(page.getByTestId("new-session-form"))).toBeVisible();
  if (!(await page.getByTestId("no-team").isVisible())) await page.goto("/settings");
  await page.getByTestId("new-team-name").fill(name);
  const switched = page.waitForResponse((r) => r.url().endsWith("/api/me/team") && r.request().method() === "POST");
  await page.getByTestId("new-team-create").click();
  expect((await switched).ok()).toBe(true);
  // The switch reloads the page; a navigation racing that reload is aborted, so retry it.
  await expect(async () => {
    await page.goto("/settings");
    await expect(page.getByTestId("settings-team-name")).toHaveText(name, { timeout: 3000 });
  }).toPass({ timeout: 20_000 });
}

/** Creates an invitation link on the settings page and returns it. */
async function inviteInUi(page: Page, role: "member" | "viewer"): Promise<string> {
  await page.goto("/settings");
  await page.getByTestId("invite-role").selectOption(role);
  await page.getByTestId("invite-create").click();
  const url = await page.getByTestId("invite-url").inputValue();
  expect(url).toMatch(/\/invite\/inv_/);
  return url;
}

/** Opens an invitation link signed out, signs up from it and joins the team. */
async function joinInUi(page: Page, url: string, person: Person, teamName: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId("invite-team")).toHaveText(teamName);
  // The link's page is the sign-up form: the new account is in the team at once.
  await signUpInUi(page, person, "");
  await page.waitForURL((u) => u.pathname === "/");
  await expect(page.getByTestId("team-switcher").locator("option:checked")).toHaveText(teamName);
}

test("a team signs up, invites by link, watches a session together and follows up; viewers only read", async ({ browser }) => {
  const owner = newPerson("Olivia");
  const member = newPerson("Mateo");
  const viewer = newPerson("Vida");
  const teamName = `Crew ${Date.now().toString(36)}`;

  const a = await newPage(browser);
  await signUpInUi(a, owner);
  await createTeamInUi(a, teamName);
  const memberLink = await inviteInUi(a, "member");

  const b = await newPage(browser);
  await joinInUi(b, memberLink, member, teamName);
  await b.goto("/settings");
  await expect(b.getByTestId("settings-team-name")).toHaveText(teamName);
  await expect(b.getByTestId("member-row")).toHaveCount(2);

  const marker = `E2E-TEAM-${Date.now()}`;
  await script(marker, [{ blocks: [text("Ready when you are.")] }, { blocks: [text("Follow-up from the second member handled.")] }]);
  const id = await startSession(a, makeRepo({ "README.md": "# team project\n" }), `${marker} say hello`);
  await b.goto(`/sessions/${id}`);
  for (const p of [a, b]) {
    await expect(p.getByTestId("session-started-by")).toContainText(owner.name);
    await expectStatus(p, "idle");
    await expect(p.getByTestId("watcher").filter({ hasText: owner.name })).toBeVisible();
    await expect(p.getByTestId("watcher").filter({ hasText: member.name })).toBeVisible();
  }

  await b.getByTestId("followup-input").fill("please also wave goodbye");
  await b.getByTestId("followup-send").click();
  for (const p of [a, b]) {
    const followUp = p.getByTestId("user-message").filter({ hasText: "please also wave goodbye" });
    await expect(followUp.getByTestId("message-author")).toContainText(member.name);
    await expect(p.getByTestId("assistant-text").filter({ hasText: "Follow-up from the second member handled." })).toBeVisible();
  }

  // A viewer follows the transcript but cannot send or stop.
  const viewerLink = await inviteInUi(await a.context().newPage(), "viewer"); // a keeps watching
  const c = await newPage(browser);
  await joinInUi(c, viewerLink, viewer, teamName);
  await c.goto(`/sessions/${id}`);
  await expect(c.getByTestId("user-message").filter({ hasText: "please also wave goodbye" })).toBeVisible();
  await expect(c.getByTestId("assistant-text").filter({ hasText: "Ready when you are." })).toBeVisible();
  await expect(c.getByTestId("watcher").filter({ hasText: viewer.name })).toBeVisible();
  await expect(a.getByTestId("watcher").filter({ hasText: viewer.name })).toBeVisible();
  await expect(c.getByTestId("followup-input")).toHaveCount(0);
  await expect(c.getByTestId("stop-button")).toHaveCount(0);
  const r = await c.request.post(`/api/sessions/${id}/messages`, { data: { text: "let me in" }, headers: { origin: APP_ORIGIN } });
  expect(r.status()).toBe(403);
});

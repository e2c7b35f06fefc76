// The first day of an install, on its own server with an empty database: "/" opens sign-up, the
// first account names its team; a person invited by link signs up through it and lands in the
// team (on a phone, no "Join" click); someone who opened a link but signed up elsewhere finds it
// on the "no team yet" page; an existing account signs in through it and joins with one click;
// the audit log names people and things instead of ids.
//
// This spec runs its own server (EXTRA_PORT + 5, its own data directory and embedded PostgreSQL)
// because the shared one has accounts from other specs; it shares the model stub.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContextOptions, Page } from "@playwright/test";
import { expect, newPerson, signUpByApi, test, type Person } from "./helpers";
import { EXTRA_PG_PORT, EXTRA_PORT, STUB_PORT } from "./ports";

const PORT = EXTRA_PORT + 5;
const BASE = `http://localhost:${PORT}`;
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };

let child: ChildProcess | null = null;
let output = "";

test.describe.configure({ mode: "serial" });
test.use({ baseURL: BASE, viewport: { width: 1280, height: 900 } });

test.beforeAll(async ({}, info) => {
  info.setTimeout(200_000);
  // Under the run's directory: global-teardown removes what this server left behind.
  const dataDir = path.join(process.env.DOCKSIDE_E2E_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "dockside-e2e-")), "onboarding");
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOSTNAME: "localhost",
      PORT: String(PORT),
      DOCKSIDE_DATA_DIR: dataDir,
      DOCKSIDE_PG_PORT: String(EXTRA_PG_PORT + 5),
      ANTHROPIC_BASE_URL: `http://127.0.0.1:${STUB_PORT}`,
      ANTHROPIC_API_KEY: "test-key",
      DOCKSIDE_AUTH_SIGNUP_LIMIT: "1000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => void (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => void (output += d.toString()));
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server.ts exited with ${child.exitCode}:\n${output.slice(-3000)}`);
    if (await fetch(`${BASE}/api/health`).then((r) => r.ok, () => false)) return;
    if (Date.now() - started > 180_000) throw new Error(`server.ts did not answer within 180 s:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
});

test.afterAll(async ({}, info) => {
  info.setTimeout(60_000);
  const c = child;
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
  c.kill("SIGTERM");
  const timer = setTimeout(() => c.kill("SIGKILL"), 30_000);
  await exited;
  clearTimeout(timer);
});

async function fresh(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  return (await browser.newContext({ baseURL: BASE, ...options })).newPage();
}

async function fillSignUp(page: Page, person: Person): Promise<void> {
  await page.getByTestId("signup-name").fill(person.name);
  await page.getByTestId("signup-email").fill(person.email);
  await page.getByTestId("signup-password").fill(person.password);
}

async function expectInTeam(page: Page, teamName: string): Promise<void> {
  await page.waitForURL((u) => u.pathname === "/");
  await expect(page.getByTestId("team-switcher").locator("option:checked")).toHaveText(teamName);
}

async function inviteLink(owner: Page): Promise<string> {
  await owner.goto("/settings");
  await owner.getByTestId("invite-role").selectOption("member");
  await owner.getByTestId("invite-create").click();
  const url = await owner.getByTestId("invite-url").inputValue();
  expect(url).toMatch(/\/invite\/inv_/);
  return new URL(url).pathname;
}

const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

test("an empty install opens sign-up; the invited sign up through the link and land in the team; the audit log names them", async ({ browser }) => {
  const owner = newPerson("Olive");
  const invited = newPerson("Ines");
  const wanderer = newPerson("Walt");
  const teamName = "Rocket Crew";

  // Nobody has an account: "/" (a protected page) and /sign-in both open sign-up, saying what it does.
  const a = await fresh(browser);
  await a.goto("/sign-in");
  await a.waitForURL(/\/sign-up/);
  await a.goto("/");
  await a.waitForURL(/\/sign-up/);
  await expect(a.getByTestId("signup-first-run")).toContainText("first account will own");
  await fillSignUp(a, owner);
  await a.getByTestId("signup-team").fill(teamName);
  await a.getByTestId("signup-submit").click();
  await expectInTeam(a, teamName);

  // Now that someone is here, sign-in is sign-in again.
  const stranger = await fresh(browser);
  await stranger.goto("/sign-in");
  await expect(stranger.getByTestId("signin-form")).toBeVisible();
  await stranger.context().close();

  // Through the link, on a phone: one form, and the new account is in the team.
  const link = await inviteLink(a);
  const b = await fresh(browser, PHONE);
  await b.goto(link);
  await expect(b.getByRole("heading", { name: `Sign up to join ${teamName} as member` })).toBeVisible();
  await expect(b.getByTestId("signup-invitation")).toContainText(`${owner.name} invited you`);
  expect(await noSidewaysScroll(b)).toBe(true);
  await fillSignUp(b, invited);
  await b.getByTestId("signup-submit").tap();
  await expectInTeam(b, teamName);

  // Opened a link, wandered off, signed up on the plain page: the "no team" page offers the link.
  const secondLink = await inviteLink(a);
  const c = await fresh(browser);
  await c.goto(secondLink);
  await expect(c.getByTestId("invite-team")).toHaveText(teamName);
  await c.goto("/sign-up");
  await expect(c.getByTestId("signup-first-run")).toHaveCount(0);
  await fillSignUp(c, wanderer);
  await c.getByTestId("signup-submit").click();
  const pending = c.getByTestId("pending-invitation");
  await expect(pending).toContainText(`${owner.name} invited you to ${teamName} as member`);
  await pending.getByRole("button", { name: `Join ${teamName}` }).click();
  await expectInTeam(c, teamName);

  // An existing account signs in through the link and joins with one click.
  const known = newPerson("Kai");
  const d = await fresh(browser);
  await signUpByApi(d.request, BASE, known);
  await d.context().clearCookies();
  await d.goto(await inviteLink(a));
  await d.getByRole("link", { name: `Sign in to join ${teamName}` }).click();
  await d.getByTestId("signin-email").fill(known.email);
  await d.getByTestId("signin-password").fill(known.password);
  await d.getByTestId("signin-submit").click();
  await d.getByRole("button", { name: `Join ${teamName}` }).click();
  await expectInTeam(d, teamName);

  // The audit log: people by name and email, the team by name, no raw ids.
  const invitedId = ((await (await b.request.get("/api/me")).json()) as { user: { id: string } }).user.id;
  await a.goto("/audit");
  const added = a.getByTestId("audit-row").filter({ hasText: invited.email });
  await expect(added).toHaveCount(1);
  await expect(added).toContainText(`${invited.name} joined the team (${invited.email})`);
  await expect(a.getByTestId("audit-row").filter({ hasText: "joined through an invitation link (member)" }).filter({ hasText: wanderer.name })).toHaveCount(1);
  await expect(a.getByTestId("audit-row").filter({ hasText: `changed the settings of ${teamName}` })).toHaveCount(1);
  await expect(a.getByTestId("audit-table")).not.toContainText(invitedId);
  await a.setViewportSize({ width: 360, height: 800 });
  expect(await noSidewaysScroll(a)).toBe(true);
});

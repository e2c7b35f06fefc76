// Approvals between two people of one team, across a server restart: Ada starts a session in
// mode ask whose agent wants to run a command; it shows "needs approval"; the server process is
// killed and started again on the same data directory and database; Ben (a member) opens the
// session and approves; Ada sees who approved it, the command's output, and the session idle.
// Then a denial with a message reaches the agent, and the card fits a phone.
//
// This spec runs its own server (port 3313, its own data directory and embedded PostgreSQL) so it
// can kill and restart it; it shares the model stub Playwright starts (playwright.config.ts).
import { EXTRA_PG_PORT, EXTRA_PORT, STUB_PORT } from "./ports";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "@playwright/test";
import { expect, expectStatus, joinTeamByApi, makeRepo, newPerson, script, shell, signUpByApi, STUB, test, text } from "./helpers";

const PORT = EXTRA_PORT;
const PG_PORT = String(EXTRA_PG_PORT);
const BASE = `http://localhost:${PORT}`;

/** server.ts as a child process that a test can kill outright and start again on the same data. */
class AppServer {
  private child: ChildProcess | null = null;
  private out = "";
  constructor(private readonly dataDir: string) {}

  async start(): Promise<void> {
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o755 });
    const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        NODE_ENV: "production",
        HOSTNAME: "localhost",
        PORT: String(PORT),
        DOCKSIDE_DATA_DIR: this.dataDir,
        DOCKSIDE_PG_PORT: PG_PORT,
        ANTHROPIC_BASE_URL: `http://127.0.0.1:${STUB_PORT}`,
        ANTHROPIC_API_KEY: "test-key",
        DOCKSIDE_SANDBOX_MEMORY_MB: "1024",
        DOCKSIDE_AUTH_SIGNUP_LIMIT: "1000",
        DOCKSIDE_REPO_ROOTS: fs.realpathSync(os.tmpdir()),
        // The webhook in the settings test is a receiver on this machine.
        DOCKSIDE_WEBHOOK_ALLOW_PRIVATE: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    child.stdout!.on("data", (d: Buffer) => void (this.out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => void (this.out += d.toString()));
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server.ts exited with ${child.exitCode}:\n${this.out.slice(-3000)}`);
      if (await fetch(`${BASE}/api/health`).then((r) => r.ok, () => false)) return;
      if (Date.now() - started > 180_000) throw new Error(`server.ts did not answer within 180 s:\n${this.out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** SIGKILL: no shutdown at all (the sandbox and the embedded PostgreSQL keep running). */
  async crash(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
    this.child = null;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
    this.child = null;
    await this.stopOrphanDatabase();
  }

  /**
   * The embedded PostgreSQL outlives a crashed server (the next start adopts it); should the last
   * server not have stopped it, stop it here (the process named by this data directory's pid file).
   */
  private async stopOrphanDatabase(): Promise<void> {
    const pidFile = path.join(this.dataDir, "postgres", "postmaster.pid");
    const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]) : NaN;
    if (!Number.isInteger(pid) || pid <= 1) return;
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    if (!alive()) return;
    process.kill(pid, "SIGINT");
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  }

  output(): string {
    return this.out;
  }
}

// Under the run's directory: global-teardown removes the sandboxes this server started.
const server = new AppServer(path.join(process.env.DOCKSIDE_E2E_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "dockside-e2e-")), "approvals"));

test.describe.configure({ mode: "serial" });
test.use({ baseURL: BASE, viewport: { width: 1280, height: 900 } });

test.beforeAll(async ({}, info) => {
  info.setTimeout(200_000);
  await server.start();
});
test.afterAll(async ({}, info) => {
  info.setTimeout(60_000);
  await server.stop();
});

const origin = { origin: BASE };

async function registerRepo(page: Page): Promise<string> {
  const repo = makeRepo({ "README.md": "# approvals\n" });
  const reg = await page.request.post("/api/repos", { data: { repo }, headers: origin });
  expect(reg.ok(), await reg.text()).toBe(true);
  return repo;
}

/** The new-session form with a mode chosen. */
async function startInMode(page: Page, repo: string, prompt: string, mode: "auto" | "ask" | "plan"): Promise<string> {
  await page.goto("/");
  await page.getByTestId("repo-input").fill(repo);
  await page.getByTestId("prompt-input").fill(prompt);
  await page.getByTestId("mode-select").selectOption(mode);
  await expect(page.getByTestId("mode-hint")).toContainText(mode);
  await page.getByTestId("create-session").click();
  await page.waitForURL(/\/sessions\/[a-z0-9]+$/);
  return page.url().split("/").pop()!;
}

/** Elements wider than the viewport (the transcript's own scroller aside). */
function sideways(page: Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll<HTMLElement>("[data-testid=approval-card], [data-testid=approval-card] *")]
      .filter((el) => el.getClientRects().length > 0 && el.getBoundingClientRect().right > width + 1)
      .map((el) => `${el.tagName}[${el.dataset.testid ?? ""}] ${el.className}`.slice(0, 160));
  });
}

test("a member approves a waiting command after a server restart; the starter sees it run and the session go idle", async ({ page, account, browser }) => {
  test.setTimeout(400_000);
  const repo = await registerRepo(page);
  const marker = `E2E-APPROVE-${Date.now()}`;
  await script(marker, [{ blocks: [text("I need to run a command."), shell(`echo ran-${marker}`)] }, { blocks: [text("The command ran.")] }]);

  // Ben joins Ada's team as a member (before the restart: accounts live in the database).
  const benCtx = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 } });
  const ben = newPerson("Ben");
  await signUpByApi(benCtx.request, BASE, ben);
  await joinTeamByApi(page.request, benCtx.request, BASE, account.teamId, "member");

  const id = await startInMode(page, repo, `${marker} run a command`, "ask");
  await expect(page.getByTestId("session-mode")).toHaveValue("ask");
  await expectStatus(page, "needs approval", 120_000);
  await expect(page.getByTestId("session-status").first()).toHaveAttribute("data-status", "awaiting_approval");
  const card = page.getByTestId("approval-card");
  await expect(card).toHaveAttribute("data-state", "pending");
  await expect(card.getByTestId("approval-command")).toHaveText(`echo ran-${marker}`);
  await expect(card.getByTestId("approval-tool")).toHaveText("shell");
  await expect(card.getByTestId("approval-reason")).not.toBeEmpty();
  await expect(page.getByTestId("approval-banner")).toContainText("Waiting for your approval");
  // The owner may also add an allow rule.
  await expect(card.getByTestId("approve-always-button")).toBeVisible();
  // The bell heard it live: open it, the notification links to the session.
  await expect(page.getByTestId("notification-count")).toBeVisible();
  await page.getByTestId("notification-bell").click();
  const note = page.locator('[data-testid="notification-item"][data-event="session.needs_approval"]');
  await expect(note.first()).toContainText("Needs approval");
  await expect(note.first().getByRole("link")).toHaveAttribute("href", `/sessions/${id}`);
  await page.keyboard.press("Escape");

  // The server dies mid-wait and comes back on the same data directory and database.
  await server.crash();
  await server.start();

  // Ben opens the session: the card points at itself, still pending; a member gets no "always allow".
  const benPage = await benCtx.newPage();
  await benPage.goto(`/sessions/${id}`);
  await expectStatus(benPage, "needs approval");
  const benCard = benPage.getByTestId("approval-card");
  await expect(benCard).toHaveAttribute("data-state", "pending");
  await expect(benCard).toBeFocused();
  await expect(benCard.getByTestId("approve-always-button")).toHaveCount(0);
  await benPage.getByTestId("approval-jump").click();
  await expect(benCard).toBeFocused();
  await benCard.getByTestId("approve-button").click();
  await expect(benCard).toHaveAttribute("data-state", "approved");
  await expect(benCard.getByTestId("approval-outcome")).toContainText(`Approved by ${ben.name}`);

  // Ada's page reconnected by itself: the decision, who made it, the output, idle.
  await expect(card).toHaveAttribute("data-state", "approved", { timeout: 60_000 });
  await expect(card.getByTestId("approval-outcome")).toContainText(`Approved by ${ben.name}`);
  await expect(card.getByTestId("approve-button")).toHaveCount(0);
  await expectStatus(page, "idle");
  await expect(page.getByTestId("approval-banner")).toHaveCount(0);
  const call = page.getByTestId("tool-call").filter({ hasText: `echo ran-${marker}` });
  await call.getByTestId("tool-call-toggle").click();
  await expect(call.getByTestId("tool-output")).toContainText(`ran-${marker}`);
  await expect(page.getByTestId("assistant-text").last()).toContainText("The command ran.");

  // Deciding twice is refused.
  const approvalId = (await card.getAttribute("data-approval-id"))!;
  const again = await page.request.post(`/api/approvals/${approvalId}`, { data: { decision: "deny" }, headers: origin });
  expect(again.status()).toBe(409);
  await benCtx.close();
});

test("a denial with a message reaches the agent; the card fits a phone", async ({ page, account: _ }) => {
  test.setTimeout(300_000);
  const repo = await registerRepo(page);
  const marker = `E2E-DENY-${Date.now()}`;
  await script(marker, [{ blocks: [shell(`rm -rf build-${marker}`)] }, { blocks: [text("Understood, I will not delete it.")] }]);
  const id = await startInMode(page, repo, `${marker} clean up`, "ask");
  await expectStatus(page, "needs approval", 120_000);

  // On a phone: the card, its command and its buttons fit; nothing runs off the side.
  await page.setViewportSize({ width: 390, height: 844 });
  const card = page.getByTestId("approval-card");
  await expect(card.getByTestId("approval-command")).toBeVisible();
  for (const tid of ["approval-message-input", "approve-button", "deny-button"]) await expect(card.getByTestId(tid)).toBeVisible();
  const box = await card.boundingBox();
  expect(box!.width).toBeLessThanOrEqual(390);
  expect(await sideways(page)).toEqual([]);

  // Keyboard only: type the reason, tab to Deny, press Enter.
  const reason = `keep the build folder ${marker}`;
  await card.getByTestId("approval-message-input").fill(reason);
  await card.getByTestId("deny-button").focus();
  await page.keyboard.press("Enter");
  await expect(card).toHaveAttribute("data-state", "denied");
  await expect(card.getByTestId("approval-message")).toHaveText(reason);
  await expectStatus(page, "idle");

  // What the agent got back for the call, in the transcript and in its next model request.
  const call = page.getByTestId("tool-call").filter({ hasText: `rm -rf build-${marker}` });
  await call.getByTestId("tool-call-toggle").click();
  await expect(call.getByTestId("tool-output")).toContainText(`Denied by a person: ${reason}`);
  await expect(page.getByTestId("assistant-text").last()).toContainText("Understood, I will not delete it.");
  const requests = (await (await fetch(`${STUB}/__requests`)).json()) as { body: unknown }[];
  const mine = requests.map((r) => JSON.stringify(r.body)).filter((b) => b.includes(marker));
  expect(mine.some((b) => b.includes("tool_result") && b.includes(`Denied by a person: ${reason}`))).toBe(true);

  // The session page's history says so after a reload too.
  await page.reload();
  await expect(page.getByTestId("approval-card")).toHaveAttribute("data-state", "denied");
  expect(id).toBeTruthy();
});

test("settings: a repository's mode, rules and hooks; team rules; a webhook's secret shown once; my notification settings", async ({ page, account: _ }) => {
  await registerRepo(page);
  await page.goto("/settings");
  const row = page.getByTestId("repo-row");
  await row.getByTestId("repo-perm-toggle").click();
  const perms = row.getByTestId("repo-permissions");
  await perms.getByTestId("repo-default-mode").selectOption("ask");
  await expect(perms.getByTestId("repo-default-mode-saved")).toBeVisible();

  // A rule the server refuses: its 422 message next to the rules; then good ones persist.
  await perms.getByTestId("rules-allow").fill("shell(npm test*)\nnot a rule");
  await expect(perms.getByTestId("rules-invalid")).toContainText("not a rule");
  await perms.getByTestId("rules-save").click();
  await expect(perms.getByTestId("rules-error")).toContainText("is not a rule");
  await perms.getByTestId("rules-allow").fill("shell(npm test*)\nwrite_file(src/**)");
  await perms.getByTestId("rules-deny").fill("shell(rm -rf*)");
  await perms.getByTestId("rules-save").click();
  await expect(perms.getByTestId("rules-saved")).toBeVisible();

  await perms.getByTestId("hook-add-pre_tool").click();
  await perms.getByTestId("hook-command-input").fill("./scripts/check.sh");
  await perms.getByTestId("hook-tools-input").fill("shell");
  await perms.getByTestId("hooks-save").click();
  await expect(perms.getByTestId("hooks-saved")).toBeVisible();

  const team = page.getByTestId("team-permissions-panel");
  await team.getByTestId("rules-ask").fill("shell(git push*)");
  await team.getByTestId("rules-save").click();
  await expect(team.getByTestId("rules-saved")).toBeVisible();

  await page.reload();
  await page.getByTestId("repo-row").getByTestId("repo-perm-toggle").click();
  const again = page.getByTestId("repo-permissions");
  await expect(again.getByTestId("repo-default-mode")).toHaveValue("ask");
  await expect(again.getByTestId("rules-allow")).toHaveValue("shell(npm test*)\nwrite_file(src/**)");
  await expect(again.getByTestId("rules-deny")).toHaveValue("shell(rm -rf*)");
  await expect(again.getByTestId("hook-command-input")).toHaveValue("./scripts/check.sh");
  await expect(page.getByTestId("team-permissions-panel").getByTestId("rules-ask")).toHaveValue("shell(git push*)");

  // A webhook: its secret once, then only its URL and events.
  const hooks = page.getByTestId("webhooks-panel");
  await hooks.getByTestId("webhook-url-input").fill("https://nowhere.invalid/dockside");
  await hooks.getByTestId("webhook-add").click();
  await expect(hooks.getByTestId("webhook-add-error")).toContainText("nowhere.invalid");
  await expect(hooks.getByTestId("webhook-url-input")).toHaveValue("https://nowhere.invalid/dockside");
  const receiver = "http://127.0.0.1:9/dockside";
  await hooks.getByTestId("webhook-url-input").fill(receiver);
  await hooks.getByTestId("webhook-add").click();
  await expect(hooks.getByTestId("webhook-secret-value")).not.toBeEmpty();
  await expect(hooks.getByTestId("webhook-add-error")).toHaveCount(0);
  await expect(hooks.getByTestId("webhook-row")).toHaveCount(1);
  await expect(hooks.getByTestId("webhook-events")).toHaveText("all events");
  await page.reload();
  await expect(page.getByTestId("webhooks-panel").getByTestId("webhook-secret")).toHaveCount(0);
  await expect(page.getByTestId("webhooks-panel").getByTestId("webhook-url")).toHaveText(receiver);

  // My notifications: only approvals, for sessions I started; kept after a reload.
  const prefs = page.getByTestId("notification-prefs-panel");
  await prefs.getByTestId("notify-event-session.idle").uncheck();
  await prefs.getByTestId("notify-scope-mine").check();
  await prefs.getByTestId("notification-prefs-save").click();
  await expect(prefs.getByTestId("notification-prefs-saved")).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("notification-prefs-panel").getByTestId("notify-event-session.idle")).not.toBeChecked();
  await expect(page.getByTestId("notification-prefs-panel").getByTestId("notify-scope-mine")).toBeChecked();

  // The bell opens its panel; nothing asked the browser for permission on load.
  await page.getByTestId("notification-bell").click();
  await expect(page.getByTestId("notification-panel")).toBeVisible();
  expect(await page.evaluate(() => Notification.permission)).toBe("default");
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("notification-panel")).toHaveCount(0);
});

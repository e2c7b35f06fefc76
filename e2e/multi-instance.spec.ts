// Two Dockside instances on one database: the app server Playwright starts (A, which runs the
// session) and a second server.ts started here (B) on A's embedded PostgreSQL with its own data
// directory and the same server secret. A person on B watches, live, a session another person
// started on A: every line arrives in order, and B's page lists the watcher who is on A.
import { APP_PG_PORT, EXTRA_PORT } from "./ports";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { embeddedUrl, readPassword } from "../lib/db/embedded-login";
import { recordedPort } from "../lib/db/embedded-location";
import { expect, expectStatus, joinTeamByApi, makeRepo, newPerson, script, shell, signUpByApi, startSession, STUB, test, text } from "./helpers";

const B_PORT = EXTRA_PORT;
const B_URL = `http://localhost:${B_PORT}`;
let b: ChildProcess | undefined;
let output = "";

test.afterAll(async () => {
  if (!b || b.exitCode !== null) return;
  const exited = new Promise((r) => b!.once("exit", r));
  b.kill("SIGTERM");
  await exited;
});

async function startInstanceB(): Promise<void> {
  const appDir = path.join(process.env.DOCKSIDE_E2E_DIR!, "app");
  const password = readPassword(appDir);
  if (!password) throw new Error(`no embedded database login in ${appDir}: is Playwright's app server running?`);
  const databaseUrl = embeddedUrl(password, recordedPort(appDir) ?? APP_PG_PORT);
  const secret = fs.readFileSync(path.join(appDir, "secret"), "utf8").trim();
  const dataDir = path.join(process.env.DOCKSIDE_E2E_DIR!, "instance-b");
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  b = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOSTNAME: "localhost",
      PORT: String(B_PORT),
      DATABASE_URL: databaseUrl,
      DOCKSIDE_DATA_DIR: dataDir,
      DOCKSIDE_SECRET: secret,
      ANTHROPIC_BASE_URL: STUB,
      ANTHROPIC_API_KEY: "test-key",
      DOCKSIDE_AUTH_SIGNUP_LIMIT: "1000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  b.stdout!.on("data", (d: Buffer) => void (output += d.toString()));
  b.stderr!.on("data", (d: Buffer) => void (output += d.toString()));
  await expect
    .poll(async () => {
      if (b!.exitCode !== null) throw new Error(`instance B exited (${b!.exitCode}):\n${output.slice(-2000)}`);
      return fetch(`${B_URL}/api/health`).then((r) => r.status, () => 0);
    }, { timeout: 120_000, intervals: [500] })
    .toBe(200);
}

test("a person on instance B watches live a session run by instance A, and sees who watches on A", async ({ page, account, browser, baseURL }) => {
  test.setTimeout(240_000);
  await startInstanceB();

  const marker = `E2E-MULTI-${Date.now()}`;
  await script(marker, [{ blocks: [shell("sleep 8; for i in $(seq 1 30); do echo multi-$i; sleep 0.3; done")] }, { blocks: [text("thirty lines printed")] }]);
  const id = await startSession(page, makeRepo({ "README.md": "# multi\n" }), `${marker} print`);

  const bob = newPerson("Bob");
  const other = await browser.newContext({ baseURL: B_URL });
  try {
    await signUpByApi(other.request, B_URL, bob);
    await joinTeamByApi(page.request, other.request, baseURL!, account.teamId);
    const onB = await other.newPage();
    await onB.goto(`${B_URL}/sessions/${id}`);

    // Live from A's sandbox to B's page: B's page opened while the command ran, and follows it to idle.
    await expectStatus(onB, "running", 60_000);
    await expectStatus(onB, "idle", 120_000);
    await onB.getByRole("button", { name: /^shell sleep 8; for i in/ }).click();
    await expect(onB.getByText("multi-30")).toBeVisible();
    const shown = (await onB.getByRole("tabpanel").innerText()).match(/\bmulti-\d+\b/g) ?? [];
    expect(shown).toEqual(Array.from({ length: 30 }, (_, i) => `multi-${i + 1}`));

    // Ann (on A) and Bob (on B) are both listed, on both instances' pages.
    await expect(onB.getByTestId("watcher")).toHaveCount(2);
    await expect(onB.locator(`[data-testid="watcher"][data-user-id="${account.userId}"]`)).toBeVisible();
    await expect(page.getByTestId("watcher")).toHaveCount(2);
    // Ann leaves: B's page drops her.
    await page.goto("/");
    await expect(onB.getByTestId("watcher")).toHaveCount(1);
  } finally {
    await other.close();
  }
});

import { APP_ORIGIN, NODOCKER_PORT } from "./ports";
// A user's first session, end to end: the form, the live transcript in two browsers, tool
// output, the diff, a follow-up, stop, and hostile agent output rendered as text. Each test signs
// up a fresh person with a team of their own (the `account` fixture).
import { expect, expectStatus, joinTeamByApi, makeRepo, newPerson, script, setUpAccount, shell, signUpByApi, startSession, test, text } from "./helpers";

test("a session runs live in two browsers, commits, takes a follow-up and shows its diff", async ({ page, browser, account, baseURL }) => {
  const repo = makeRepo({ "README.md": "# demo project\n" });
  const marker = `E2E-MAIN-${Date.now()}`;
  await script(marker, [
    { blocks: [text("I'll look at the repository first."), shell("ls; for i in 1 2 3; do echo live-line-$i; sleep 0.3; done")] },
    { blocks: [{ type: "tool_use", name: "write_file", input: { path: "hello.txt", content: "hello from dockside\n" } }] },
    { blocks: [text("Wrote **hello.txt**.")] },
    { blocks: [text("Follow-up handled.")] },
  ]);
  const id = await startSession(page, repo, `${marker} add a greeting`);

  // A second member of the team watches the same session from another browser context.
  const other = await (await browser.newContext()).newPage();
  await signUpByApi(other.request, baseURL!, newPerson("Second"));
  await joinTeamByApi(page.request, other.request, baseURL!, account.teamId);
  await other.goto(`/sessions/${id}`);

  for (const p of [page, other]) {
    await expect(p.getByTestId("assistant-text").first()).toContainText("look at the repository");
    await expect(p.getByTestId("tool-call").first()).toBeVisible();
    await expectStatus(p, "idle");
    await expect(p.getByTestId("commit-event")).toHaveCount(1);
  }
  await page.getByTestId("tool-call-toggle").first().click();
  await expect(page.getByTestId("tool-output").first()).toContainText("live-line-3");

  await page.getByTestId("followup-input").fill("please also say goodbye");
  await page.getByTestId("followup-send").click();
  for (const p of [page, other]) {
    await expect(p.getByTestId("user-message").filter({ hasText: "please also say goodbye" })).toBeVisible();
    await expect(p.getByTestId("assistant-text").filter({ hasText: "Follow-up handled." })).toBeVisible();
  }

  await page.getByTestId("tab-diff").click();
  await expect(page.locator('[data-testid="diff-view"] [data-testid="diff-line"][data-type="add"]')).toContainText("hello from dockside");
  const list = await page.request.get("/api/sessions");
  expect((await list.json()).sessions.some((s: { id: string }) => s.id === id)).toBe(true);
});

test("agent output that tries to inject HTML renders as text", async ({ page, account: _ }) => {
  const repo = makeRepo();
  const marker = `E2E-XSS-${Date.now()}`;
  let dialogs = 0;
  page.on("dialog", (d) => {
    dialogs++;
    void d.dismiss();
  });
  await script(marker, [
    { blocks: [text('Here: <img src=x onerror="alert(1)"> <script>alert(2)</script> [click](javascript:alert(3))'), shell(`echo '<b id="pwn">bold</b><script>alert(4)</script>'`)] },
    { blocks: [text("done")] },
  ]);
  await startSession(page, repo, marker);
  await expectStatus(page, "idle");
  await expect(page.getByTestId("assistant-text").first()).toContainText("<img src=x onerror");
  await page.getByTestId("tool-call-toggle").first().click();
  await expect(page.getByTestId("tool-output").first()).toContainText('<b id="pwn">bold</b>');
  expect(await page.locator("#pwn").count()).toBe(0);
  expect(await page.locator("img[src=x]").count()).toBe(0);
  await page.getByText("click").first().click().catch(() => {});
  expect(dialogs).toBe(0);
});

test("stop interrupts a running command and a million output lines keep the page responsive", async ({ page, account: _ }) => {
  const repo = makeRepo();
  const marker = `E2E-STOP-${Date.now()}`;
  await script(marker, [{ blocks: [shell("seq 1 1000000; echo printed-all; sleep 300")] }]);
  await startSession(page, repo, marker);
  const out = page.getByTestId("tool-output").first();
  await expect(out).toContainText("printed-all", { timeout: 90_000 });
  // The view holds a bounded tail, not a million lines.
  expect((await out.innerText()).length).toBeLessThan(400_000);
  await expect(out).toContainText("not shown");
  await page.getByTestId("stop-button").click();
  await expectStatus(page, "stopped", 30_000);
  await expect(page.getByTestId("followup-input")).toBeEnabled();
});

test("bad input is refused with a message and the form keeps what was typed", async ({ page, account: _ }) => {
  await page.goto("/");
  await page.getByTestId("repo-input").fill("/definitely/not/a/repo");
  await page.getByTestId("prompt-input").fill("keep me");
  await page.getByTestId("create-session").click();
  await expect(page.getByTestId("form-error")).toContainText("no such directory");
  await expect(page.getByTestId("prompt-input")).toHaveValue("keep me");
  const r = await page.request.post("/api/sessions", { data: { repo: makeRepo(), baseBranch: "no-such-branch", prompt: "x" }, headers: { origin: APP_ORIGIN } });
  expect(r.status()).toBe(422);
  expect((await r.json()).error.message).toContain('branch "no-such-branch" does not exist');
  expect((await page.request.get("/api/sessions/doesnotexist1")).status()).toBe(404);
});

test("with the Docker engine unreachable the app starts, shows a banner and refuses sessions with 503", async ({ page }) => {
  const base = `http://localhost:${NODOCKER_PORT}`;
  await setUpAccount(page.request, base);
  await page.goto(base + "/");
  await expect(page.getByTestId("docker-banner")).toContainText("tcp://127.0.0.1:1");
  const r = await page.request.post(base + "/api/sessions", { data: { repo: makeRepo(), prompt: "x" }, headers: { origin: base } });
  expect(r.status()).toBe(503);
  expect((await r.json()).error.message).toContain("tcp://127.0.0.1:1");
});

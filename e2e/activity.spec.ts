// Is it working, is it done, does it need me: the live activity line with a ticking time while a
// command runs, the tab title following the status, a model error that shows "needs attention"
// (in the session and under the history's filter) with a Retry that works, and a favicon.
import { expect, expectStatus, makeRepo, shell, STUB, startSession, test, text } from "./helpers";

/** Scripts the model stub with steps the shared helper does not type (errors). */
async function scriptRaw(match: string, steps: object[]): Promise<void> {
  const r = await fetch(`${STUB}/__scripts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ match, steps }) });
  if (!r.ok) throw new Error(`could not script the model stub: ${r.status} ${await r.text()}`);
}

test("the activity line counts a running command and the tab title follows the status", async ({ page, account: _ }) => {
  const repo = makeRepo();
  const marker = `E2E-ACTIVITY-${Date.now()}`;
  await scriptRaw(marker, [{ blocks: [text("Running it."), shell("echo begun; sleep 6; echo over")] }, { blocks: [text("All done.")] }]);
  await startSession(page, repo, `${marker} fix the login bug`);

  const line = page.getByTestId("activity-line");
  await expect(line).toContainText("running `echo begun; sleep 6; echo over`…", { timeout: 60_000 });
  await expect(page).toHaveTitle(/^● running — .*fix the login bug · Dockside$/);
  // The time ticks while the command runs.
  const first = await line.textContent();
  await expect(line).not.toHaveText(first ?? "", { timeout: 10_000 });
  await expect(line).toHaveText(/running `echo begun; sleep 6; echo over`… \d+ s/);

  await expectStatus(page, "idle");
  await expect(line).toHaveCount(0);
  await expect(page).toHaveTitle(/^✓ idle — .*fix the login bug · Dockside$/);
});

test("a model error needs attention, is found by the history filter, and Retry resumes the agent", async ({ page, account }) => {
  const repo = makeRepo();
  const marker = `E2E-MODELERR-${Date.now()}`;
  await scriptRaw(marker, [
    { error: { status: 400, type: "invalid_request_error", message: "the stub turns this request down once" }, failTimes: 1, blocks: [text("Recovered after the retry.")] },
  ]);
  const id = await startSession(page, repo, `${marker} tidy up`);

  const badge = page.getByTestId("session-status").first();
  await expect(badge).toHaveAttribute("data-attention", "model_error", { timeout: 60_000 });
  await expect(badge).toContainText("model error");
  await expect(page.getByTestId("attention")).toContainText("Needs attention: model error");
  await expect(page.getByTestId("attention-reason")).toContainText("the stub turns this request down once");
  await expect(page).toHaveTitle(/^⚠ needs attention — /);

  // The history's filter finds it, with the same pill.
  const listed = await page.request.get("/api/sessions?attention=any");
  const sessions = (await listed.json()).sessions as { id: string; attention: { kind: string } | null }[];
  expect(sessions.find((s) => s.id === id)?.attention?.kind).toBe("model_error");
  await page.goto("/?attention=any");
  await expect(page.getByTestId("history-attention")).toHaveValue("any");
  await expect(page.locator(`a[href="/sessions/${id}"]`).first()).toBeVisible();

  await page.goto(`/sessions/${id}`);
  await page.getByTestId("retry-button").click();
  await expect(page.getByTestId("user-message").filter({ hasText: "Please continue where you left off." })).toContainText(account.name);
  await expect(page.getByTestId("assistant-text").filter({ hasText: "Recovered after the retry." })).toBeVisible({ timeout: 60_000 });
  await expectStatus(page, "idle");
  await expect(page.getByTestId("attention")).toHaveCount(0);
  await expect(badge).not.toHaveAttribute("data-attention", /.+/);
});

test("the app has a favicon", async ({ request }) => {
  for (const path of ["/favicon.ico", "/icon.svg"]) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(200);
    expect(res.headers()["content-type"]).toMatch(/image\//);
  }
});

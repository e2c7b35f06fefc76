// What the agent loop reports besides text and tools, on a real session against the stub: a
// retried overload (a live countdown, then one settled line), the plan (todo_write) live in its
// panel beside the transcript and collapsible above the composer on a phone, hostile bytes in
// tool output shown as symbols, and a refusal shown as one.
import { expect, expectStatus, makeRepo, shell, STUB, startSession, test, text } from "./helpers";

type Todo = { content: string; status: "pending" | "in_progress" | "completed" };
const todo = (...items: [string, Todo["status"]][]) => ({
  type: "tool_use" as const,
  name: "todo_write",
  input: { items: items.map(([content, status]) => ({ content, status })) },
});

// The stub's steps beyond helpers' StepSpec: an error on the first call of a step, a stop reason.
async function scriptSteps(match: string, steps: Record<string, unknown>[]): Promise<void> {
  const r = await fetch(`${STUB}/__scripts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ match, steps }) });
  if (!r.ok) throw new Error(`could not script the model stub: ${r.status} ${await r.text()}`);
}

test.use({ viewport: { width: 1440, height: 900 } });

test("retries, the plan, hostile bytes and a refusal show in the transcript, on a desktop and a phone", async ({ page, account: _ }) => {
  const repo = makeRepo({ "README.md": "# signals\n" });
  const marker = `E2E-SIGNALS-${Date.now()}`;
  await scriptSteps(marker, [
    // Overloaded once, with retry-after: the worker waits 4 s and asks again.
    {
      error: { status: 529, type: "overloaded_error", message: "Overloaded", retryAfterS: 4 },
      failTimes: 1,
      blocks: [text("Let me plan this."), todo(["Read the README", "in_progress"], ["Print odd bytes", "pending"], ["Sum up", "pending"])],
    },
    { blocks: [todo(["Read the README", "completed"], ["Print odd bytes", "in_progress"], ["Sum up", "pending"]), shell("printf 'nul:\\0:esc:\\033[2J:bel:\\a:end\\n'; sleep 4")] },
    { blocks: [todo(["Read the README", "completed"], ["Print odd bytes", "completed"], ["Sum up", "completed"])] },
    { blocks: [text("All three done.")] },
    { blocks: [text("I won't help with that.")], stopReason: "refusal" },
  ]);
  await startSession(page, repo, `${marker} make a plan`);

  // The wait is shown while it lasts, counting down to the next attempt.
  const retry = page.getByTestId("retry-notice");
  await expect(retry).toContainText(/Model overloaded \(529\).* — retrying in \d s, attempt 2/, { timeout: 90_000 });

  // The plan, live beside the transcript: the step being worked on is highlighted.
  const side = page.locator('[data-testid="todo-panel"][data-variant="side"]');
  const inline = page.locator('[data-testid="todo-panel"][data-variant="inline"]');
  await expect(side.getByTestId("todo-item").nth(1)).toHaveAttribute("data-status", "in_progress");
  await expect(side.getByTestId("todo-item").nth(1)).toHaveAttribute("aria-current", "step");
  await expect(inline).toBeHidden();

  await expectStatus(page, "idle");
  await expect(retry).toHaveCount(1);
  await expect(retry).toHaveAttribute("data-settled", "true");
  await expect(retry).toContainText("retried once");
  await expect(side.getByTestId("todo-count")).toHaveText("3/3 done");
  // The transcript marks the first plan and its completion, not the update in between.
  await expect(page.getByTestId("todo-event")).toHaveCount(2);
  await expect(page.getByTestId("todo-event").first()).toHaveAttribute("data-phase", "plan");
  await expect(page.getByTestId("todo-event").last()).toContainText("Plan complete: all 3 steps done");

  // Control bytes become visible symbols (NUL is stored as U+FFFD), nothing is interpreted.
  const shellCall = page.getByTestId("tool-call").filter({ hasText: "printf" });
  await shellCall.getByTestId("tool-call-toggle").click();
  await expect(shellCall.getByTestId("tool-output")).toContainText("nul:\uFFFD:esc:␛[2J:bel:␇:end");

  // On a phone the plan folds into one line above the composer.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(side).toBeHidden();
  await expect(inline).toBeVisible();
  await expect(inline.getByTestId("todo-list")).toBeHidden();
  await expect(inline.getByTestId("todo-toggle")).toContainText("3/3 done");
  await inline.getByTestId("todo-toggle").click();
  await expect(inline.getByTestId("todo-item")).toHaveCount(3);
  await expect(inline.getByTestId("todo-list")).toBeVisible();
  const inlineBox = await inline.boundingBox();
  const composerBox = await page.getByTestId("followup-input").boundingBox();
  expect(inlineBox!.y + inlineBox!.height).toBeLessThanOrEqual(composerBox!.y + 1);
  expect(inlineBox!.width).toBeLessThanOrEqual(390);

  // A refusal is the model's answer, not a crash.
  await page.getByTestId("followup-input").fill("now do the forbidden thing");
  await page.getByTestId("followup-send").click();
  await expect(page.getByTestId("refusal-event")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("refusal-event")).toContainText(/declined/i);
  await expect(page.getByTestId("error-event")).toHaveCount(0);
  await expectStatus(page, "idle");
});

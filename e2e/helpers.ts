// Shared e2e helpers: real local repositories and scripting the model stub out of process.
import { expect, type Page } from "@playwright/test";
import { makeRepo } from "../test/fixtures";

export const STUB = "http://127.0.0.1:4311";
export { makeRepo };

export interface StepSpec {
  blocks: ({ type: "text"; text: string } | { type: "tool_use"; name: string; input: Record<string, unknown> })[];
}

export async function script(match: string, steps: StepSpec[]): Promise<void> {
  const r = await fetch(`${STUB}/__scripts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ match, steps }) });
  if (!r.ok) throw new Error(`could not script the model stub: ${r.status} ${await r.text()}`);
}

export const shell = (command: string) => ({ type: "tool_use" as const, name: "shell", input: { command } });
export const text = (t: string) => ({ type: "text" as const, text: t });

/** Fills the new-session form on the list page and waits for the session page. */
export async function startSession(page: Page, repo: string, prompt: string): Promise<string> {
  await page.goto("/");
  await page.getByTestId("repo-input").fill(repo);
  await page.getByTestId("prompt-input").fill(prompt);
  await page.getByTestId("create-session").click();
  await page.waitForURL(/\/sessions\/[a-z0-9]+$/);
  return page.url().split("/").pop()!;
}

export async function expectStatus(page: Page, status: string, timeout = 60_000): Promise<void> {
  await expect(page.getByTestId("session-status").first()).toHaveText(new RegExp(status, "i"), { timeout });
}

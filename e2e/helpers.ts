// Shared e2e helpers: real local repositories, scripting the model stub out of process, and
// accounts. Every page needs a signed-in user in a team; the `account` fixture makes a fresh one
// per test. Mind the server's sign-up limit (10 a minute): sign up only the people a test needs.
import { test as base, expect, type APIRequestContext, type APIResponse, type Page } from "@playwright/test";
import { makeRepo } from "../test/fixtures";
import { STUB_PORT } from "./ports";

export const STUB = `http://127.0.0.1:${STUB_PORT}`;
export { makeRepo, expect };

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

// ---- accounts

export interface Person {
  name: string;
  email: string;
  password: string;
}

export interface Account extends Person {
  userId: string;
  teamId: string;
}

let people = 0;
/** A person nobody has signed up yet (unique across runs and workers). */
export function newPerson(first: string): Person {
  const id = `${Date.now().toString(36)}${process.pid.toString(36)}${people++}`;
  return { name: `${first} ${id}`, email: `${first.toLowerCase()}-${id}@e2e.example`, password: "e2e-password-1" };
}

async function ok<T>(what: string, res: Promise<APIResponse>): Promise<T> {
  const r = await res;
  if (!r.ok()) throw new Error(`${what} failed: ${r.status()} ${await r.text()}`);
  return (await r.json()) as T;
}

/** Signs up through better-auth's endpoint; the session cookie lands in the request's browser context. */
export async function signUpByApi(request: APIRequestContext, baseURL: string, person: Person): Promise<string> {
  const body = await ok<{ user: { id: string } }>(`sign-up of ${person.email}`, request.post(`${baseURL}/api/auth/sign-up/email`, { data: person, headers: { origin: baseURL } }));
  return body.user.id;
}

/** Creates a team (the caller owns it) and makes it the caller's active team. */
export async function createTeamByApi(request: APIRequestContext, baseURL: string, name: string): Promise<string> {
  const team = await ok<{ id: string }>(`creating team ${name}`, request.post(`${baseURL}/api/teams`, { data: { name }, headers: { origin: baseURL } }));
  await ok(`switching to team ${name}`, request.post(`${baseURL}/api/me/team`, { data: { teamId: team.id }, headers: { origin: baseURL } }));
  return team.id;
}

/** A signed-up person with a team of their own, in the request's browser context. */
export async function setUpAccount(request: APIRequestContext, baseURL: string, first = "Owner"): Promise<Account> {
  const person = newPerson(first);
  const userId = await signUpByApi(request, baseURL, person);
  const teamId = await createTeamByApi(request, baseURL, `${person.name}'s team`);
  return { ...person, userId, teamId };
}

/** Invites and admits a second person's context into a team (an admin's or owner's `request` invites). */
export async function joinTeamByApi(inviter: APIRequestContext, invitee: APIRequestContext, baseURL: string, teamId: string, role = "member"): Promise<void> {
  const inv = await ok<{ url: string }>("creating an invitation", inviter.post(`${baseURL}/api/teams/${teamId}/invitations`, { data: { role }, headers: { origin: baseURL } }));
  const key = inv.url.split("/invite/")[1];
  await ok("accepting the invitation", invitee.post(`${baseURL}/api/invitations/${key}/accept`, { headers: { origin: baseURL } }));
  await ok("switching to the team", invitee.post(`${baseURL}/api/me/team`, { data: { teamId }, headers: { origin: baseURL } }));
}

/** Signs up through the sign-up page; lands wherever the page sends a new account. */
export async function signUpInUi(page: Page, person: Person, path = "/sign-up"): Promise<void> {
  if (path) await page.goto(path);
  await page.getByTestId("signup-name").fill(person.name);
  await page.getByTestId("signup-email").fill(person.email);
  await page.getByTestId("signup-password").fill(person.password);
  await page.getByTestId("signup-submit").click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-up"));
}

/** `test` with `account`: a fresh user with their own team, signed in in `page`'s context. */
export const test = base.extend<{ account: Account }>({
  account: async ({ page, baseURL }, use) => {
    await use(await setUpAccount(page.request, baseURL!));
  },
});

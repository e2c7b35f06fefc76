// A repository's environment in Settings: an admin sets the setup script, the agent's network
// policy (allowlist: npm and *.example.com) and a secret; after a reload everything is there and
// the secret's value is nowhere in the page; a bad allowlist entry shows the server's message; a
// member only reads; and the page fits a phone without sideways scrolling. Then real sessions:
// setup failing (with a blocked connection), succeeding, restored from the cache.
import type { Locator, Page } from "@playwright/test";
import { expect, expectStatus, joinTeamByApi, makeRepo, newPerson, script, signUpByApi, startSession, test, text } from "./helpers";

test.use({ viewport: { width: 1440, height: 900 } });

const PRESETS = ["npm", "pypi", "crates", "go", "maven", "debian", "github"];

async function openEnvironment(page: Page): Promise<Locator> {
  await page.goto("/settings");
  const row = page.getByTestId("repo-row");
  await expect(row).toHaveCount(1);
  await row.getByTestId("repo-env-toggle").click();
  await expect(row.getByTestId("repo-env-toggle")).toHaveAttribute("aria-expanded", "true");
  const env = row.getByTestId("repo-env");
  await expect(env).toBeVisible();
  return env;
}

/** Elements wider than the viewport, and whether the page or its scroller scrolls sideways. */
function sideways(page: Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrollers = [document.documentElement, ...document.querySelectorAll<HTMLElement>("main, main *")].filter((el) => {
      const style = getComputedStyle(el);
      return el === document.documentElement || /(auto|scroll)/.test(style.overflowX);
    });
    const scrolls = scrollers.filter((el) => el.tagName !== "PRE" && el.tagName !== "TEXTAREA" && el.scrollWidth > el.clientWidth + 1).map((el) => el.tagName + "." + el.className);
    const wide = [...document.querySelectorAll<HTMLElement>("body *")]
      .filter((el) => el.getClientRects().length > 0 && el.getBoundingClientRect().right > width + 1)
      .map((el) => `${el.tagName}[${el.dataset.testid ?? ""}] ${el.className}`.slice(0, 160));
    return { scrolls, wide };
  });
}

test("an admin sets a repository's setup script, network policy and secret; they persist; the value never comes back", async ({ page, account, browser, baseURL }) => {
  const origin = { origin: baseURL! };
  const reg = await page.request.post("/api/repos", { data: { repo: makeRepo({ "README.md": "# env\n" }) }, headers: origin });
  expect(reg.ok(), await reg.text()).toBe(true);
  const repoId = ((await reg.json()) as { id: string }).id;

  const env = await openEnvironment(page);

  // Setup script.
  const script = "npm ci\necho ready\n";
  await env.getByTestId("setup-script-input").fill(script);
  await env.getByTestId("setup-script-save").click();
  await expect(env.getByTestId("setup-script-saved")).toBeVisible();

  // The agent reaches npm and *.example.com only.
  await env.getByTestId("egress-agent").selectOption("allowlist");
  for (const p of PRESETS.filter((p) => p !== "npm")) {
    const preset = env.getByTestId(`egress-preset-${p}`);
    if ((await preset.getAttribute("aria-pressed")) === "true") await preset.click();
    await expect(preset).toHaveAttribute("aria-pressed", "false");
  }
  if ((await env.getByTestId("egress-preset-npm").getAttribute("aria-pressed")) !== "true") await env.getByTestId("egress-preset-npm").click();
  await env.getByTestId("egress-entry").fill("*.example.com");
  await env.getByTestId("egress-entry").press("Enter");
  await expect(env.getByTestId("egress-domain-name")).toHaveText(["*.example.com"]);
  await env.getByTestId("egress-save").click();
  await expect(env.getByTestId("egress-saved")).toBeVisible();
  await expect(env.getByTestId("egress-effective")).toContainText("agent allowlist");
  await expect(env.getByTestId("egress-effective")).toContainText("allowed: npm, *.example.com");

  // A secret the agent also gets.
  const value = `s3cr3t-value-${Date.now()}`;
  await env.getByTestId("secret-add-name").fill("NPM_TOKEN");
  await env.getByTestId("secret-add-value").fill(value);
  await env.getByTestId("secret-add-agent").check();
  await env.getByTestId("secret-add").click();
  const secret = env.getByTestId("secret-row").filter({ hasText: "NPM_TOKEN" });
  await expect(secret.getByTestId("secret-agent")).toHaveText("agent");
  await expect(env.getByTestId("secret-add-value")).toHaveValue("");

  // A bad allowlist entry: the server's 422 message, next to the network controls.
  await env.getByTestId("egress-entry").fill("bad_host!");
  await env.getByTestId("egress-entry-add").click();
  await expect(env.getByTestId("egress-domain").filter({ hasText: "bad_host!" })).toHaveAttribute("data-valid", "false");
  const refused = page.waitForResponse((r) => r.url().endsWith(`/api/repos/${repoId}`) && r.request().method() === "PATCH");
  await env.getByTestId("egress-save").click();
  expect((await refused).status()).toBe(422);
  await expect(env.getByTestId("egress-error")).toContainText('"bad_host!" is not a domain');
  await expect(env.getByTestId("egress-saved")).toHaveCount(0);

  // After a reload: all there, the entry refused is not, and the value is in no HTML or response.
  const bodies: string[] = [];
  page.on("response", (r) => {
    if (r.url().includes("/api/")) void r.text().then((t) => bodies.push(t), () => {});
  });
  await page.reload();
  const again = await openEnvironment(page);
  await expect(again.getByTestId("setup-script-input")).toHaveValue(script);
  await expect(again.getByTestId("egress-agent")).toHaveValue("allowlist");
  await expect(again.getByTestId("egress-preset-npm")).toHaveAttribute("aria-pressed", "true");
  await expect(again.getByTestId("egress-preset-pypi")).toHaveAttribute("aria-pressed", "false");
  await expect(again.getByTestId("egress-domain-name")).toHaveText(["*.example.com"]);
  await expect(again.getByTestId("egress-own")).toContainText("Set here:");
  await expect(again.getByTestId("secret-row").filter({ hasText: "NPM_TOKEN" }).getByTestId("secret-agent")).toBeVisible();
  await expect(again.getByTestId("env-cache-empty")).toBeVisible();
  expect(await page.content()).not.toContain(value);
  expect(bodies.join("\n")).not.toContain(value);
  const api = await page.request.get(`/api/repos/${repoId}/environment`);
  expect(await api.text()).not.toContain(value);

  // The team's defaults: the switch for repositories' own scripts shows in the repository's hint;
  // a team secret; the cache summary.
  const team = page.getByTestId("team-env-panel");
  await expect(team.getByTestId("egress-own")).toContainText("Nothing set here");
  const allow = team.getByTestId("allow-repo-setup");
  const was = (await allow.getAttribute("aria-checked")) === "true";
  await allow.click();
  await expect(allow).toHaveAttribute("aria-checked", String(!was));
  await page.reload();
  const reopened = await openEnvironment(page);
  await expect(reopened).toContainText(!was ? "the team allows it" : "the team does not allow");
  await team.getByTestId("secret-add-name").fill("TEAM_TOKEN");
  await team.getByTestId("secret-add-value").fill(`${value}-team`);
  await team.getByTestId("secret-add").click();
  await expect(team.getByTestId("secret-row").filter({ hasText: "TEAM_TOKEN" })).toBeVisible();
  await team.getByTestId("secret-add-name").fill("PATH");
  await team.getByTestId("secret-add-value").fill("x");
  await team.getByTestId("secret-add").click();
  await expect(team.getByTestId("secrets-error")).toContainText("PATH");
  await expect(page.getByTestId("env-cache-panel").getByTestId("env-cache-total")).toContainText("of");
  expect(await page.content()).not.toContain(value);

  // A member sees the values but no controls that change them.
  const memberCtx = await browser.newContext({ baseURL });
  await signUpByApi(memberCtx.request, baseURL!, newPerson("Mira"));
  await joinTeamByApi(page.request, memberCtx.request, baseURL!, account.teamId, "member");
  const member = await memberCtx.newPage();
  const readOnly = await openEnvironment(member);
  await expect(readOnly.getByTestId("setup-script-input")).toHaveValue(script);
  await expect(readOnly.getByTestId("setup-script-input")).toHaveJSProperty("readOnly", true);
  await expect(readOnly.getByTestId("egress-agent")).toBeDisabled();
  await expect(readOnly.getByTestId("secret-row")).toHaveCount(1);
  for (const id of ["setup-script-save", "egress-save", "egress-entry", "secret-add", "secret-delete", "env-cache-clear-all"]) {
    await expect(readOnly.getByTestId(id)).toHaveCount(0);
  }
  await memberCtx.close();

  // A phone (two members, an invitation, the environment open): nothing scrolls sideways, inputs fill the width.
  await page.setViewportSize({ width: 390, height: 844 });
  const phone = await openEnvironment(page);
  await expect(page.getByTestId("member-row")).toHaveCount(2);
  expect(await sideways(page)).toEqual({ scrolls: [], wide: [] });
  for (const id of ["setup-script-input", "egress-agent", "secret-add-value"]) {
    const box = await phone.getByTestId(id).boundingBox();
    expect(box!.width, id).toBeGreaterThan(280);
  }
});

test("setup in the transcript: a failure with its reason and a blocked connection, then ok (folded), then cached; the cache in Settings", async ({ page, account: _, baseURL }) => {
  const origin = { origin: baseURL! };
  const repo = makeRepo({ "README.md": "# setup\n" });
  const reg = await page.request.post("/api/repos", { data: { repo }, headers: origin });
  expect(reg.ok(), await reg.text()).toBe(true);
  const repoId = ((await reg.json()) as { id: string }).id;
  const setScript = async (setupScript: string) => {
    const r = await page.request.patch(`/api/repos/${repoId}`, { data: { setupScript }, headers: origin });
    expect(r.ok(), await r.text()).toBe(true);
  };
  const marker = `E2E-SETUP-${Date.now()}`;
  await script(marker, [{ blocks: [text("Set up and ready.")] }, { blocks: [text("Ready again.")] }]);

  // Fails after trying a host the setup policy does not allow; hostile bytes stay visible symbols.
  await setScript("echo start\nprintf 'esc:\\033[2J:bel:\\a:end\\n'\ncurl -sS --max-time 10 https://evil.example.com/ || echo curl refused\nexit 3\n");
  await startSession(page, repo, `${marker} failing setup`);
  const failed = page.getByTestId("setup-block");
  await expect(failed).toHaveAttribute("data-state", "failed", { timeout: 120_000 });
  await expect(failed.getByTestId("setup-state")).toHaveText("failed, exit 3");
  await expect(failed.getByTestId("setup-source")).toHaveText("team script");
  await expect(failed.getByTestId("setup-reason")).toContainText("exit 3");
  await expect(failed.getByTestId("setup-toggle")).toHaveAttribute("aria-expanded", "true");
  await expect(failed.getByTestId("setup-output")).toContainText("esc:␛[2J:bel:␇:end");
  const blocked = page.getByTestId("egress-blocked");
  await expect(blocked.first()).toContainText("blocked: evil.example.com:443");
  await expect(blocked.first()).toHaveAttribute("data-phase", "setup");
  await expectStatus(page, "failed");

  // Succeeds: folded once done, its output a click away; the next session restores it.
  await setScript("echo installing\nmkdir -p node_modules/dep && echo ok > node_modules/dep/index.js\n");
  await startSession(page, repo, `${marker} setup ok`);
  await expectStatus(page, "idle");
  const ok = page.getByTestId("setup-block");
  await expect(ok).toHaveAttribute("data-state", "ok");
  await expect(ok.getByTestId("setup-duration")).toBeVisible();
  await expect(ok.getByTestId("setup-output")).toHaveCount(0);
  await ok.getByTestId("setup-toggle").click();
  await expect(ok.getByTestId("setup-output")).toContainText("installing");

  await startSession(page, repo, `${marker} setup cached`);
  await expectStatus(page, "idle");
  await expect(page.getByTestId("setup-block")).toHaveAttribute("data-state", "cached");
  await expect(page.getByTestId("setup-block").getByTestId("setup-output")).toHaveCount(0);

  // Settings: the cached environment, used once; cleared.
  const env = await openEnvironment(page);
  const row = env.getByTestId("env-cache-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("used once");
  await expect(page.getByTestId("env-cache-panel").getByTestId("env-cache-repo")).toHaveCount(1);
  await row.getByTestId("env-cache-clear").click();
  await expect(env.getByTestId("env-cache-empty")).toBeVisible();
});

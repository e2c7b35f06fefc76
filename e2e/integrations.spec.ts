// Settings → Repositories → Integrations on a phone: an admin adds a remote MCP server with a
// token and a stdio server (the env warning says plainly the agent sees its values), edits the
// remote one without retyping the token, removes the stdio one; the token is nowhere in the page
// and the section fits the screen without sideways scrolling.
import { expect, makeRepo, test } from "./helpers";

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

test("an admin adds, edits and removes a repository's MCP servers on a phone; the token never comes back", async ({ page, account, baseURL }) => {
  void account;
  const reg = await page.request.post("/api/repos", { data: { repo: makeRepo({ "README.md": "# mcp\n" }) }, headers: { origin: baseURL! } });
  expect(reg.ok(), await reg.text()).toBe(true);

  await page.goto("/settings");
  const row = page.getByTestId("repo-row");
  await expect(row).toHaveCount(1);
  await row.getByTestId("repo-mcp-toggle").click();
  const editor = row.getByTestId("mcp-editor");
  await expect(editor.getByTestId("mcp-empty")).toBeVisible({ timeout: 30_000 });

  // A remote server with its token.
  await editor.getByTestId("mcp-add-remote").click();
  let form = editor.getByTestId("mcp-form");
  await form.getByTestId("mcp-name").fill("tracker");
  await form.getByTestId("mcp-url").fill("https://mcp.tracker.example.com/mcp");
  await form.getByTestId("mcp-secret-add").click();
  await form.getByTestId("mcp-secret-key").fill("Authorization");
  await form.getByTestId("mcp-secret-value").fill("Bearer e2e-token-919");
  await form.getByTestId("mcp-save").click();
  const tracker = editor.locator('[data-testid="mcp-server"][data-name="tracker"]');
  await expect(tracker).toContainText("Authorization (set)");

  // A stdio server: the warning is there before anything is typed.
  await editor.getByTestId("mcp-add-stdio").click();
  form = editor.getByTestId("mcp-form");
  await expect(form.getByTestId("mcp-env-warning")).toContainText("Visible to the agent");
  await form.getByTestId("mcp-name").fill("docs");
  await form.getByTestId("mcp-command").fill("node");
  await form.getByTestId("mcp-args").fill("docs-server.js");
  await form.getByTestId("mcp-save").click();
  await expect(editor.locator('[data-testid="mcp-server"][data-name="docs"]')).toContainText("node docs-server.js");

  // Edit the remote server's url; the token's field stays blank and is kept.
  await tracker.getByTestId("mcp-edit").click();
  form = editor.getByTestId("mcp-form");
  await expect(form.getByTestId("mcp-secret-value")).toHaveValue("");
  await form.getByTestId("mcp-url").fill("https://mcp.tracker.example.com/v2");
  await form.getByTestId("mcp-save").click();
  await expect(tracker).toContainText("https://mcp.tracker.example.com/v2");
  await expect(tracker).toContainText("Authorization (set)");

  // A bad url is refused with the server's reason.
  await editor.getByTestId("mcp-add-remote").click();
  form = editor.getByTestId("mcp-form");
  await form.getByTestId("mcp-name").fill("bad name");
  await form.getByTestId("mcp-url").fill("https://x.example.com/mcp");
  await form.getByTestId("mcp-save").click();
  await expect(editor.getByTestId("mcp-error")).toContainText("a server name is 1–24 letters");
  await form.getByRole("button", { name: "Cancel" }).click();

  // Remove the stdio server.
  await editor.locator('[data-testid="mcp-server"][data-name="docs"]').getByTestId("mcp-remove").click();
  await page.getByTestId("confirm-dialog").getByRole("button", { name: "Remove", exact: true }).click();
  await expect(editor.locator('[data-testid="mcp-server"][data-name="docs"]')).toHaveCount(0);

  await page.reload();
  await page.getByTestId("repo-mcp-toggle").click();
  await expect(page.locator('[data-testid="mcp-server"][data-name="tracker"]')).toContainText("Authorization (set)");
  expect(await page.content()).not.toContain("e2e-token-919");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(1);
});

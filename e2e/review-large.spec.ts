// A large review: 400 changed files and one huge one. The page comes with the file list and the
// first files' lines (painted before any script runs), and asks for the lines of the files it shows in pages; only the files near
// the screen are in the page; the tree opens with its folders shut; picking the last file shows
// its lines; the huge file stays folded until "Load diff", then shows its lines as they near the view.
import { expect, expectStatus, makeRepo, script, setUpAccount, shell, startSession, test, text } from "./helpers";

const HOSTILE = "</script><script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>";
// 400 files in 8 folders, one changed line each (pkg0/f00.py a hostile one more); `huge.txt` gains 6,000 lines.
const MAKE = [
  "for d in 0 1 2 3 4 5 6 7; do for f in $(seq -w 0 49); do sed -i 's/one/ONE/' pkg$d/f$f.py; done; done",
  "seq 1 6000 | sed 's/^/huge line /' >> huge.txt",
  // The agent's bytes, in the lines the server renders into the page: text, never markup or script.
  `echo '${HOSTILE}' >> pkg0/f00.py`,
].join(" && ");

function files(): Record<string, string> {
  const out: Record<string, string> = { "huge.txt": "start\n" };
  for (let d = 0; d < 8; d++) for (let f = 0; f < 50; f++) out[`pkg${d}/f${String(f).padStart(2, "0")}.py`] = `# ${d}/${f}\nvalue = "one"\nother = ${f}\n`;
  return out;
}

test("a 401-file diff: file list first, lines on demand, the huge file on Load diff", async ({ page, account }) => {
  void account;
  test.setTimeout(240_000);
  const marker = `E2E-REVIEW-LARGE-${Date.now()}`;
  await script(marker, [{ blocks: [shell(MAKE)] }, { blocks: [text("Changed 401 files.")] }]);
  const id = await startSession(page, makeRepo(files()), `${marker} change every file`);
  await expectStatus(page, "idle", 120_000);

  const asked: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/diff?")) asked.push(r.url());
  });
  await page.goto(`/sessions/${id}/review`);
  await expect(page.getByTestId("diff-line").first()).toBeVisible();
  await expect(page.locator("#review-sidebar")).toContainText("Files (401)");
  await expect(page.getByTestId("diff-file").first()).toHaveAttribute("data-path", "huge.txt");
  // The file list and the first files' lines came with the page (its server render); the browser
  // asks only for pages of some files' lines, never the whole diff.
  expect(asked.every((u) => /offset=\d+&limit=\d+/.test(u))).toBe(true);
  // Before the app's scripts: the page's HTML (the review streams in behind its frame, put in place
  // by React's inline snippet) already shows the first file's lines and the file count.
  const bare = await page.context().browser()!.newContext({ baseURL: test.info().project.use.baseURL, storageState: await page.context().storageState() });
  const noScript = await bare.newPage();
  await noScript.route("**/_next/static/**", (r) => r.abort());
  await noScript.goto(`/sessions/${id}/review`);
  await expect(noScript.getByTestId("diff-line").first()).toBeVisible();
  await expect(noScript.locator('[data-testid="diff-file"]').first()).toHaveAttribute("data-path", "huge.txt");
  await expect(noScript.locator("#review-sidebar")).toContainText("Files (401)");
  await expect(noScript.locator('[data-testid="diff-file"][data-path="pkg0/f00.py"]')).toContainText(HOSTILE);
  expect(await noScript.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await bare.close();
  // The server renders the review only for who may read the session: a signed-out visitor and a
  // member of another team get a page with none of it (the browser then shows sign-in, or "not found").
  const baseURL = test.info().project.use.baseURL!;
  for (const who of ["signed out", "another team"]) {
    const other = await page.context().browser()!.newContext({ baseURL });
    if (who === "another team") await setUpAccount(other.request, baseURL, "Stranger");
    const html = await (await other.request.get(`/sessions/${id}/review`)).text();
    expect(html, who).not.toContain('data-testid="diff-line"');
    expect(html, who).not.toContain("pkg0/f00.py");
    await other.close();
  }

  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  // Only the files near the screen are in the page; far below, none are yet.
  expect(await page.getByTestId("diff-file").count()).toBeLessThan(100);
  await expect(page.locator('[data-testid="diff-file"][data-path="pkg7/f49.py"]')).toHaveCount(0);

  // The tree opens with its folders shut; the last folder's last file is a click away.
  const tree = page.getByTestId("file-tree");
  await expect(tree.getByTestId("file-entry")).toHaveCount(1); // huge.txt, at the top level
  await tree.locator('[data-testid="file-dir"][data-path="pkg7"]').click();
  await tree.locator('[data-testid="file-entry"][data-path="pkg7/f49.py"]').click();
  const last = page.locator('[data-testid="diff-file"][data-path="pkg7/f49.py"]');
  await expect(last.locator('[data-testid="diff-line"][data-type="add"]')).toHaveText(/value = "ONE"/);

  // The huge file, back at the top (picked in the tree): folded, then every line once loaded.
  const huge = page.locator('[data-testid="diff-file"][data-path="huge.txt"]');
  await tree.locator('[data-testid="file-entry"][data-path="huge.txt"]').click();
  await expect(huge).toContainText("Large diff not loaded: 6,000 changed lines.");
  await huge.getByTestId("diff-expand").click();
  await expect(huge.locator('[data-testid="diff-line"][data-type="add"]').first()).toContainText("huge line 1");
  // Its rows come into the page as they near the view, not all 6,000 at once; its end, scrolled
  // to, shows the last line.
  expect(await huge.getByTestId("diff-line").count()).toBeLessThan(1000);
  await huge.locator("[data-file-body] > div").last().scrollIntoViewIfNeeded();
  await expect(huge.locator('[data-testid="diff-line"][data-type="add"]').last()).toContainText("huge line 6000", { timeout: 30_000 });
});

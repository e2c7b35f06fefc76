// Workspace ops in a real repository owned by a uid of its own, applied by a root worker as that
// uid: reset to a checkpoint, and the base fetched from a bundle in the worker-only inbox.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gitIn, handOver, makeLayout, type Layout } from "./testing/layout";
import { applyOp, type OpCommand, type OpDeps } from "./workspace-ops";

let layout: Layout;
let deps: OpDeps;
let git: (...args: string[]) => string;
let shas: string[];

const commit = (g: (...args: string[]) => string, message: string) => {
  g("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", message);
  return g("rev-parse", "HEAD");
};
const op = (fields: Omit<OpCommand, "kind" | "id">): OpCommand => ({ kind: "op", id: randomUUID(), ...fields });

beforeEach(() => {
  layout = makeLayout("dockside-ops-");
  git = gitIn(layout.workspace);
  git("init", "-q", "-b", "dockside/s");
  fs.writeFileSync(path.join(layout.workspace, "f.txt"), "one\n");
  git("add", "-A");
  shas = [commit(git, "one")];
  fs.writeFileSync(path.join(layout.workspace, "f.txt"), "two\n");
  git("add", "-A");
  shas.push(commit(git, "two"));
  handOver(layout);
  deps = { workspace: layout.workspace, user: { uid: layout.uid, gid: layout.gid }, branch: "dockside/s", inboxDir: layout.inbox };
});
afterEach(() => fs.rmSync(layout.dir, { recursive: true, force: true }));

describe("reset", () => {
  it("moves the session branch and the files back, harmlessly when applied twice", async () => {
    fs.writeFileSync(path.join(layout.workspace, "f.txt"), "uncommitted\n");
    const reset = op({ op: "reset", sha: shas[0] });
    expect(await applyOp(reset, deps)).toEqual({ ok: true });
    expect(await applyOp(reset, deps)).toEqual({ ok: true });
    expect(git("rev-parse", "refs/heads/dockside/s")).toBe(shas[0]);
    expect(fs.readFileSync(path.join(layout.workspace, "f.txt"), "utf8")).toBe("one\n");
    expect(fs.statSync(path.join(layout.workspace, "f.txt")).uid).toBe(layout.uid);
  });

  it("resets the session branch even when the agent checked out another one", async () => {
    git("checkout", "-q", "-b", "elsewhere");
    expect(await applyOp(op({ op: "reset", sha: shas[0] }), deps)).toEqual({ ok: true });
    expect(git("symbolic-ref", "HEAD")).toBe("refs/heads/dockside/s");
    expect(git("rev-parse", "refs/heads/elsewhere")).toBe(shas[1]);
  });

  it("fails with a reason for a commit the workspace does not have", async () => {
    const res = await applyOp(op({ op: "reset", sha: "a".repeat(40) }), deps);
    expect(res).toEqual({ ok: false, error: `commit ${"a".repeat(40)} is not in the workspace` });
    expect(git("rev-parse", "HEAD")).toBe(shas[1]);
  });
});

describe("fetch", () => {
  let base: string;
  beforeEach(() => {
    // The origin's newer base, as the host hands it over: a bundle file in the inbox.
    const origin = path.join(layout.dir, "origin");
    fs.mkdirSync(origin);
    const g = gitIn(origin);
    g("init", "-q", "-b", "main");
    base = commit(g, "base moved");
    g("bundle", "create", "-q", path.join(layout.inbox, "base-1.bundle"), "refs/heads/main");
  });

  it("fetches the bundle into the ref as the agent and checks where it points", async () => {
    const copies = () => fs.readdirSync(path.dirname(layout.dir)).filter((d) => d.startsWith("dockside-op-"));
    const before = copies();
    const fetch = op({ op: "fetch", sha: base, bundle: path.join(layout.inbox, "base-1.bundle"), ref: "refs/heads/main" });
    expect(await applyOp({ ...fetch, ref: "refs/dockside/base" }, deps)).toEqual({ ok: false, error: expect.stringMatching(/couldn't find remote ref|not our ref|fatal/) });
    const good = op({ op: "fetch", sha: base, bundle: "base-1.bundle", ref: "refs/heads/main" });
    expect(await applyOp(good, deps)).toEqual({ ok: true });
    expect(await applyOp(good, deps)).toEqual({ ok: true });
    expect(git("rev-parse", "refs/heads/main")).toBe(base);
    expect(copies()).toEqual(before); // the agent-readable copy is gone
  });

  it("says so when the ref ends up elsewhere than the host said", async () => {
    const res = await applyOp(op({ op: "fetch", sha: shas[0], bundle: "base-1.bundle", ref: "refs/heads/main" }), deps);
    expect(res).toEqual({ ok: false, error: `refs/heads/main is at ${base} after the fetch, not ${shas[0]}` });
  });

  it("refuses names that leave the inbox, odd refs, and a symlink in the inbox", async () => {
    const secret = path.join(layout.run, "state.json");
    fs.writeFileSync(secret, "{}");
    fs.symlinkSync(secret, path.join(layout.inbox, "planted.bundle"));
    const bad = [
      { bundle: "../state.json", ref: "refs/heads/main" },
      { bundle: "sub/x.bundle", ref: "refs/heads/main" },
      { bundle: "/etc/passwd", ref: "refs/heads/main" },
      { bundle: "base-1.bundle", ref: "HEAD" },
      { bundle: "base-1.bundle", ref: "refs/heads/../../config" },
      { bundle: "base-1.bundle", ref: "--upload-pack=touch /tmp/x" },
    ];
    for (const b of bad) expect(await applyOp(op({ op: "fetch", sha: base, ...b }), deps)).toMatchObject({ ok: false, error: expect.stringMatching(/^invalid/) });
    const planted = await applyOp(op({ op: "fetch", sha: base, bundle: "planted.bundle", ref: "refs/heads/main" }), deps);
    expect(planted).toMatchObject({ ok: false, error: expect.stringMatching(/ELOOP|symbolic link/) });
  });
});

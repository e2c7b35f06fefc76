// Output files: a result cut for the model says where the whole output is, and the file is there
// for the agent to read (root-owned in the sandbox: 0755 directory, 0644 files).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewEvent } from "../../../lib/events/schema";
import { testConfig } from "../context/testing";
import { TOOLS } from "./index";
import { runTool } from "./run-tool";
import { CappedText } from "./truncate";
import { staticPermissions } from "../permissions/host";

let root: string;
let outDir: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-truncate-"));
  outDir = path.join(root, "outputs");
  process.env.DOCKSIDE_OUTPUT_DIR = outDir;
});
afterAll(() => {
  delete process.env.DOCKSIDE_OUTPUT_DIR;
  fs.rmSync(root, { recursive: true, force: true });
});

describe("output files", () => {
  it("a cut shell output is saved whole, and the result says where and how big", async () => {
    const config = testConfig({ agentUid: process.getuid!(), agentGid: process.getgid!(), toolOutputCap: 2000 });
    const events: NewEvent[] = [];
    const base = { workspace: root, config, signal: new AbortController().signal, emit: (e: NewEvent) => events.push(e), drained: async () => {}, pendingBytes: () => 0, permissions: staticPermissions() };
    const res = await runTool(TOOLS, { id: "toolu_01abc", name: "shell", input: { command: "seq 1 20000" } }, base);
    const file = path.join(outDir, "toolu_01abc.txt");
    const whole = fs.readFileSync(file, "utf8");
    expect(whole.startsWith("1\n2\n")).toBe(true);
    expect(whole).toContain("\n19999\n20000\n");
    expect(res.content).toContain(`The whole output (${Buffer.byteLength(whole)} bytes) is saved in ${file}: grep or sed -n it`);
    expect(res.content).not.toMatch(/Narrow the command/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    expect(fs.statSync(outDir).mode & 0o777).toBe(0o755);
    const result = events.find((e) => e.type === "tool.result");
    expect(result?.data).toMatchObject({ truncated: true });
  });

  it("an output that fits is not saved", () => {
    const text = CappedText.of("short", 100, "toolu_short");
    expect(text.toString()).toBe("short");
    expect(text.savedTo).toBeNull();
    expect(fs.existsSync(path.join(outDir, "toolu_short.txt"))).toBe(false);
  });

  it("without a call id, the note asks to narrow the command as before", () => {
    const text = CappedText.of("x".repeat(500), 100).toString();
    expect(text).toMatch(/\[output cut: 400 bytes omitted.*Narrow the command/);
  });

  it("a directory the agent made first is not used", () => {
    const planted = path.join(root, "planted");
    fs.symlinkSync(root, planted);
    process.env.DOCKSIDE_OUTPUT_DIR = planted;
    try {
      const text = CappedText.of("y".repeat(500), 100, "toolu_planted");
      const saved = text.savedTo;
      expect(saved?.path.startsWith(`${planted}-`)).toBe(true);
      expect(fs.readFileSync(saved!.path, "utf8")).toBe("y".repeat(500));
    } finally {
      process.env.DOCKSIDE_OUTPUT_DIR = outDir;
    }
  });
});

// The tools against a real temp workspace with real bash and ripgrep, through the same runner
// the agent uses (validation, events, output cap).
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NewEvent } from "../../../lib/events/schema";
import type { WorkerConfig } from "../../../lib/protocol/worker";
import { TOOLS, toolDefinitions } from "./index";
import { globToRegExp } from "./glob";
import { runTool } from "./run-tool";
import { CappedText } from "./truncate";
import { testConfig } from "../testing/config";
import { staticPermissions } from "../permissions/host";

// The worker already is the agent's uid here, so tools run in this process; as-agent.test.ts
// covers the uid switch.
const config: WorkerConfig = testConfig({ sessionId: "s1", model: "stub", agentUid: process.getuid!(), agentGid: process.getgid!(), shellTimeoutS: 30, toolOutputCap: 2000, maxTokens: 1000 });

let workspace: string;
let events: NewEvent[];
let n = 0;

beforeEach(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), "dockside-tools-"));
  events = [];
});
afterEach(async () => {
  await fs.rm(workspace, { recursive: true, force: true });
});

function call(name: string, input: unknown, signal = new AbortController().signal) {
  const base = { workspace, config, signal, emit: (e: NewEvent) => events.push(e), drained: async () => {}, pendingBytes: () => 0, permissions: staticPermissions() };
  return runTool(TOOLS, { id: `call-${++n}`, name, input }, base);
}

const resultEvent = () => events.find((e) => e.type === "tool.result")?.data as { isError: boolean; exitCode?: number | null; truncated: boolean; output: string };

describe("edit_file", () => {
  it("replaces exactly one occurrence", async () => {
    await fs.writeFile(path.join(workspace, "a.txt"), "one\ntwo\nthree\n");
    const res = await call("edit_file", { path: "a.txt", old_string: "two", new_string: "2" });
    expect(res.is_error).toBeUndefined();
    expect(res.content).toContain("line 2");
    expect(await fs.readFile(path.join(workspace, "a.txt"), "utf8")).toBe("one\n2\nthree\n");
  });

  it("fails clearly when old_string is missing", async () => {
    await fs.writeFile(path.join(workspace, "a.txt"), "hello\n");
    const res = await call("edit_file", { path: "a.txt", old_string: "bye", new_string: "x" });
    expect(res.is_error).toBe(true);
    expect(res.content).toMatch(/not found in a\.txt/);
  });

  it("fails on several matches, saying how many", async () => {
    await fs.writeFile(path.join(workspace, "a.txt"), "x = 1\nx = 1\nx = 1\n");
    const res = await call("edit_file", { path: "a.txt", old_string: "x = 1", new_string: "x = 2" });
    expect(res.is_error).toBe(true);
    expect(res.content).toMatch(/occurs 3 times/);
    expect(res.content).toMatch(/surrounding lines/);
  });
});

describe("paths", () => {
  it("refuses paths outside the workspace", async () => {
    for (const p of ["../evil.txt", "/etc/passwd-copy", "sub/../../x"]) {
      const res = await call("write_file", { path: p, content: "x" });
      expect(res.is_error).toBe(true);
      expect(res.content).toMatch(/outside the workspace/);
    }
    const read = await call("read_file", { path: "../../etc/hostname" });
    expect(read.content).toMatch(/outside the workspace/);
  });

  it("refuses to write through a symlink that leads out", async () => {
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), "dockside-outside-"));
    await fs.symlink(outside, path.join(workspace, "link"));
    await fs.writeFile(path.join(outside, "f.txt"), "keep\n");
    const write = await call("write_file", { path: "link/new.txt", content: "x" });
    expect(write.content).toMatch(/symlink/);
    const edit = await call("edit_file", { path: "link/f.txt", old_string: "keep", new_string: "gone" });
    expect(edit.content).toMatch(/symlink/);
    expect(await fs.readFile(path.join(outside, "f.txt"), "utf8")).toBe("keep\n");
    await fs.rm(outside, { recursive: true });
  });

  it("accepts absolute paths inside the workspace and creates parent dirs", async () => {
    const res = await call("write_file", { path: path.join(workspace, "deep/er/f.txt"), content: "hi\n" });
    expect(res.is_error).toBeUndefined();
    expect(await fs.readFile(path.join(workspace, "deep/er/f.txt"), "utf8")).toBe("hi\n");
  });
});

describe("read_file", () => {
  it("numbers lines and honours a range", async () => {
    await fs.writeFile(path.join(workspace, "f.txt"), "a\nb\nc\nd\n");
    const res = await call("read_file", { path: "f.txt", start_line: 2, end_line: 3 });
    expect(res.content).toBe("     2\tb\n     3\tc\n[showing lines 2-3 of 4; use start_line to read on]");
  });

  it("explains missing files, directories and binary files", async () => {
    await fs.mkdir(path.join(workspace, "dir"));
    await fs.writeFile(path.join(workspace, "bin"), Buffer.from([1, 0, 2]));
    expect((await call("read_file", { path: "nope.txt" })).content).toMatch(/No such file/);
    expect((await call("read_file", { path: "dir" })).content).toMatch(/is a directory/);
    expect((await call("read_file", { path: "bin" })).content).toMatch(/binary file/);
  });
});

describe("shell", () => {
  it("streams output, reports the exit code, and emits call and result events", async () => {
    const res = await call("shell", { command: "echo out; echo err >&2; exit 3" });
    expect(res.content).toContain("out");
    expect(res.content).toContain("err");
    expect(res.content).toMatch(/\[exit code 3\]$/);
    expect(events[0]).toMatchObject({ type: "tool.call", data: { name: "shell" } });
    const outputs = events.filter((e) => e.type === "tool.output");
    expect(outputs).toContainEqual(expect.objectContaining({ data: expect.objectContaining({ stream: "stdout", text: "out\n" }) }));
    expect(outputs).toContainEqual(expect.objectContaining({ data: expect.objectContaining({ stream: "stderr", text: "err\n" }) }));
    expect(resultEvent()).toMatchObject({ exitCode: 3, truncated: false });
  });

  it("kills the process group on timeout and says so", async () => {
    const started = Date.now();
    const res = await call("shell", { command: "sleep 20 & sleep 20; echo never", timeout_s: 1 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res.is_error).toBe(true);
    expect(res.content).toMatch(/timed out after 1 s/);
    expect(res.content).not.toContain("never");
  });

  it("is killed by the interrupt signal", async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const started = Date.now();
    const res = await call("shell", { command: "sleep 30" }, abort.signal);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.content).toMatch(/interrupted/);
  });

  it("does not split multi-byte characters between output events", async () => {
    await call("shell", { command: "printf 'é%.0s' $(seq 1 50000)" });
    const text = events.flatMap((e) => (e.type === "tool.output" ? [e.data.text] : [])).join("");
    expect(text).toBe("é".repeat(50000));
  });

  it("caps what the model sees and says how much was cut, while events keep everything", async () => {
    const res = await call("shell", { command: "seq 1 20000" });
    const full = events.flatMap((e) => (e.type === "tool.output" ? [e.data.text] : [])).join("");
    expect(full.split("\n").length).toBe(20001);
    expect(res.content).toMatch(/^1\n2\n/);
    expect(res.content).toMatch(/\[output cut: \d+ bytes omitted/);
    expect(res.content).toMatch(/20000\n\[exit code 0\]$/);
    expect(Buffer.byteLength(res.content)).toBeLessThan(config.toolOutputCap + 400);
    expect(resultEvent().truncated).toBe(true);
  });
});

describe("argument errors", () => {
  it("go back to the model as an error it can act on", async () => {
    const res = await call("shell", { cmd: "ls" });
    expect(res.is_error).toBe(true);
    expect(res.content).toMatch(/Invalid arguments for shell/);
    expect(res.content).toMatch(/command/);
    expect((await call("nope", {})).content).toMatch(/Unknown tool nope; the tools are: shell/);
  });
});

describe("glob and grep", () => {
  beforeEach(async () => {
    await fs.mkdir(path.join(workspace, "src/sub"), { recursive: true });
    await fs.writeFile(path.join(workspace, "src/a.ts"), "export const a = 1;\n");
    await fs.writeFile(path.join(workspace, "src/sub/b.ts"), "export const b = 2;\n");
    await fs.writeFile(path.join(workspace, "readme.md"), "const in docs\n");
  });

  it("glob matches ** and names, sorted", async () => {
    expect((await call("glob", { pattern: "**/*.ts" })).content).toBe("src/a.ts\nsrc/sub/b.ts");
    expect((await call("glob", { pattern: "src/*.ts" })).content).toBe("src/a.ts");
    expect((await call("glob", { pattern: "*.{md,txt}" })).content).toBe("readme.md");
    expect((await call("glob", { pattern: "*.py" })).content).toMatch(/No files match/);
  });

  it("grep finds lines with ripgrep and honours path and glob", async () => {
    expect((await call("grep", { pattern: "export const" })).content).toBe("src/a.ts:1:export const a = 1;\nsrc/sub/b.ts:1:export const b = 2;");
    expect((await call("grep", { pattern: "const", glob: "*.md" })).content).toBe("readme.md:1:const in docs");
    expect((await call("grep", { pattern: "const", path: "src/sub" })).content).toBe("src/sub/b.ts:1:export const b = 2;");
    expect((await call("grep", { pattern: "zzz" })).content).toMatch(/No matches/);
    expect((await call("grep", { pattern: "(" })).is_error).toBe(true);
  });

  it("globToRegExp handles the usual forms", () => {
    expect(globToRegExp("**/*.ts").test("a.ts")).toBe(true);
    expect(globToRegExp("**/*.ts").test("x/y/a.ts")).toBe(true);
    expect(globToRegExp("src/*.ts").test("src/x/a.ts")).toBe(false);
    expect(globToRegExp("file?.[ch]").test("file1.c")).toBe(true);
    expect(globToRegExp("a.b").test("axb")).toBe(false);
  });
});

describe("CappedText", () => {
  it("keeps head and tail without splitting characters", () => {
    const capped = CappedText.of("ü".repeat(1000), 101);
    const text = capped.toString();
    expect(text).not.toContain("\uFFFD");
    expect(capped.omitted).toBe(2000 - 100);
    expect(CappedText.of("short", 100).toString()).toBe("short");
  });

  it("tool definitions are JSON schemas of objects", () => {
    const defs = toolDefinitions();
    expect(defs.map((d) => d.name)).toEqual(["shell", "read_file", "write_file", "edit_file", "glob", "grep", "todo_write", "exit_plan_mode", "remember", "recall", "report"]);
    expect(defs[0].input_schema).toMatchObject({ type: "object", required: ["command"] });
    expect(defs[0].input_schema).not.toHaveProperty("$schema");
  });
});

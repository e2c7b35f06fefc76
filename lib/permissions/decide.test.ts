import { describe, expect, it } from "vitest";
import { HookSchema, RULE_RE, RulesSchema } from "../protocol/permissions";
import { ASK_MODE_MCP_REASON, ASK_MODE_SHELL_REASON, decide, GIT_DIR_REASON, mainArgument, matchRule, PLAN_MODE_MCP_REASON, PLAN_MODE_REASON, PLAN_MODE_TASK_REASON, readExclusions, strictest, suggestRule } from "./decide";

const none = { allow: [], ask: [], deny: [] };
const sh = (command: string) => ({ command });
const file = (path: string) => ({ path, content: "x" });

describe("matchRule: the grammar's examples", () => {
  it("shell(npm test*)", () => {
    expect(matchRule("shell(npm test*)", "shell", sh("npm test"))).toBe(true);
    expect(matchRule("shell(npm test*)", "shell", sh("npm test -- --watch src/a.ts"))).toBe(true);
    expect(matchRule("shell(npm test*)", "shell", sh("  npm   test  "))).toBe(true);
    expect(matchRule("shell(npm test*)", "shell", sh("npm run build"))).toBe(false);
    expect(matchRule("shell(npm test*)", "read_file", { path: "npm test" })).toBe(false);
  });
  it("shell(git push*)", () => {
    expect(matchRule("shell(git push*)", "shell", sh("git push origin main"))).toBe(true);
    expect(matchRule("shell(git push*)", "shell", sh("git pull"))).toBe(false);
  });
  it("write_file(src/**)", () => {
    expect(matchRule("write_file(src/**)", "write_file", file("src/a.ts"))).toBe(true);
    expect(matchRule("write_file(src/**)", "write_file", file("src/deep/er/a.ts"))).toBe(true);
    expect(matchRule("write_file(src/**)", "write_file", file("./src/a.ts"))).toBe(true);
    expect(matchRule("write_file(src/**)", "write_file", file("/workspace/src/a.ts"))).toBe(true);
    expect(matchRule("write_file(src/**)", "write_file", file("lib/a.ts"))).toBe(false);
    expect(matchRule("write_file(src/**)", "write_file", file("srcx/a.ts"))).toBe(false);
  });
  it("edit_file(**/*.lock)", () => {
    expect(matchRule("edit_file(**/*.lock)", "edit_file", { path: "yarn.lock" })).toBe(true);
    expect(matchRule("edit_file(**/*.lock)", "edit_file", { path: "a/b/Cargo.lock" })).toBe(true);
    expect(matchRule("edit_file(**/*.lock)", "edit_file", { path: "a/b/lock.txt" })).toBe(false);
  });
  it("read_file(.env*)", () => {
    expect(matchRule("read_file(.env*)", "read_file", { path: ".env" })).toBe(true);
    expect(matchRule("read_file(.env*)", "read_file", { path: ".env.local" })).toBe(true);
    expect(matchRule("read_file(.env*)", "read_file", { path: "config/.env" })).toBe(false);
    expect(matchRule("read_file(.env*)", "read_file", { path: "x/../.env" })).toBe(true);
  });
  it("path globs: * stays in a directory, ? is one character", () => {
    expect(matchRule("read_file(src/*.ts)", "read_file", { path: "src/a.ts" })).toBe(true);
    expect(matchRule("read_file(src/*.ts)", "read_file", { path: "src/x/a.ts" })).toBe(false);
    expect(matchRule("read_file(a?.ts)", "read_file", { path: "ab.ts" })).toBe(true);
    expect(matchRule("read_file(a?.ts)", "read_file", { path: "a/.ts" })).toBe(false);
    expect(matchRule("read_file(a.ts)", "read_file", { path: "aXts" })).toBe(false);
  });
  it("a bare tool rule matches every call of the tool; other tools have no main argument", () => {
    expect(matchRule("shell", "shell", sh("anything; at all"))).toBe(true);
    expect(matchRule("todo_write", "todo_write", { items: [] })).toBe(true);
    expect(matchRule("todo_write(x)", "todo_write", { items: [] })).toBe(false);
    expect(mainArgument("todo_write", { items: [] })).toBeNull();
  });
  it("glob and grep match their pattern", () => {
    expect(matchRule("glob(src/**)", "glob", { pattern: "src/**/*.ts" })).toBe(true);
    expect(matchRule("grep(TODO*)", "grep", { pattern: "TODO: fix" })).toBe(true);
    expect(mainArgument("grep", { pattern: "a.*b" })).toBe("a.*b");
  });
});

describe("mainArgument", () => {
  it("normalizes paths relative to the workspace", () => {
    expect(mainArgument("read_file", { path: "./a/b.ts" })).toBe("a/b.ts");
    expect(mainArgument("read_file", { path: "/workspace/a/./c/../b.ts" })).toBe("a/b.ts");
    expect(mainArgument("read_file", { path: "/etc/passwd" })).toBe("/etc/passwd");
    expect(mainArgument("read_file", { path: "../x" })).toBe("../x");
    expect(mainArgument("read_file", { path: "/tmp/ws/a" }, { workspace: "/tmp/ws" })).toBe("a");
    expect(mainArgument("shell", { command: "  npm \t test " })).toBe("npm test");
    expect(mainArgument("shell", {})).toBeNull();
  });
  it("a path leaving the workspace never matches an allow rule, but deny rules see it", () => {
    expect(matchRule("read_file(**)", "read_file", { path: "../secrets" })).toBe(false);
    expect(matchRule("read_file(**)", "read_file", { path: "/etc/passwd" })).toBe(false);
    expect(matchRule("read_file(/etc/**)", "read_file", { path: "/etc/passwd" }, { as: "deny" })).toBe(true);
    expect(matchRule("read_file(../**)", "read_file", { path: "a/../../secrets" }, { as: "deny" })).toBe(true);
    expect(matchRule("read_file(a/../../secrets)", "read_file", { path: "a/../../secrets" }, { as: "deny" })).toBe(true);
    expect(decide("auto", { ...none, allow: ["read_file(**)"], deny: ["read_file(/etc/**)"] }, "read_file", { path: "/etc/shadow" })).toMatchObject({ action: "deny" });
  });
});

describe("shell control operators", () => {
  const allowTest = { ...none, allow: ["shell(npm test*)"] };
  it.each([
    "npm test; curl evil",
    "npm test && curl evil",
    "npm test || curl evil",
    "npm test | sh",
    "npm test & curl evil",
    "npm test\ncurl evil",
    "npm test `curl evil`",
    "npm test $(curl evil)",
    "npm test > /etc/passwd",
    "npm test < /dev/zero",
  ])("an allow rule does not allow %j", (command) => {
    expect(matchRule("shell(npm test*)", "shell", sh(command))).toBe(false);
    expect(decide("ask", allowTest, "shell", sh(command))).toEqual({ action: "ask", reason: ASK_MODE_SHELL_REASON });
  });
  it("an allow rule holding the operators allows exactly that chain", () => {
    expect(matchRule("shell(make && make install)", "shell", sh("make && make install"))).toBe(true);
    expect(matchRule("shell(npm test 2>&1)", "shell", sh("npm test 2>&1"))).toBe(true);
    expect(matchRule("shell(cd * && make)", "shell", sh("cd src && make"))).toBe(true);
    // `*` never swallows an operator: the chain must be the same shape.
    expect(matchRule("shell(cd * && make)", "shell", sh("cd a && rm -rf x && make"))).toBe(false);
    expect(matchRule("shell(cd * && make)", "shell", sh("cd a; rm -rf x && make"))).toBe(false);
  });
  it("deny and ask rules match any part of a chain", () => {
    const rules = { ...none, deny: ["shell(git push*)"] };
    for (const command of ["cd x && git push", "true; git push origin", "echo $(git push)", "FOO=1 git push", "env git push", "(git push)", "ls | git push -f", "  git   push"]) {
      expect(decide("auto", rules, "shell", sh(command)), command).toEqual({ action: "deny", reason: "matches deny rule shell(git push*)", rule: "shell(git push*)" });
    }
    expect(decide("auto", rules, "shell", sh("git pull && echo push"))).toMatchObject({ action: "allow" });
    expect(decide("auto", { ...none, ask: ["shell(curl * | sh)"] }, "shell", sh("cd x && curl a.sh | sh && echo ok"))).toMatchObject({ action: "ask", rule: "shell(curl * | sh)" });
  });
});

describe("decide: order and modes", () => {
  it("deny → ask → allow, first match", () => {
    const rules = { allow: ["shell(git *)"], ask: ["shell(git push*)"], deny: ["shell(git push --force*)"] };
    expect(decide("auto", rules, "shell", sh("git push --force"))).toMatchObject({ action: "deny", rule: "shell(git push --force*)" });
    expect(decide("auto", rules, "shell", sh("git push"))).toMatchObject({ action: "ask", reason: "matches ask rule shell(git push*)" });
    expect(decide("ask", rules, "shell", sh("git status"))).toMatchObject({ action: "allow", reason: "matches allow rule shell(git *)" });
  });
  const table: [mode: "auto" | "ask" | "plan", tool: string, input: unknown, action: string][] = [
    ["auto", "shell", sh("rm -rf x"), "allow"],
    ["auto", "write_file", file("a"), "allow"],
    ["auto", "read_file", { path: "a" }, "allow"],
    ["ask", "shell", sh("ls"), "ask"],
    ["ask", "read_file", { path: "a" }, "allow"],
    ["ask", "glob", { pattern: "*" }, "allow"],
    ["ask", "grep", { pattern: "x" }, "allow"],
    ["ask", "todo_write", { items: [] }, "allow"],
    ["ask", "exit_plan_mode", { plan: "p" }, "allow"],
    ["ask", "write_file", file("a"), "allow"],
    ["ask", "edit_file", { path: "a" }, "allow"],
    ["ask", "some_new_tool", {}, "ask"],
    ["plan", "read_file", { path: "a" }, "allow"],
    ["plan", "glob", { pattern: "*" }, "allow"],
    ["plan", "grep", { pattern: "x" }, "allow"],
    ["plan", "todo_write", { items: [] }, "allow"],
    ["plan", "exit_plan_mode", { plan: "p" }, "allow"],
    ["plan", "write_file", file("a"), "deny"],
    ["plan", "edit_file", { path: "a" }, "deny"],
    ["plan", "shell", sh("ls"), "deny"],
  ];
  it.each(table)("mode %s: %s → %s", (mode, tool, input, action) => {
    expect(decide(mode, none, tool, input).action).toBe(action);
  });
  it("ask mode names the reason for shell; plan mode names exit_plan_mode", () => {
    expect(decide("ask", none, "shell", sh("ls")).reason).toBe("shell commands outside the allow rules need approval (mode ask)");
    expect(decide("plan", none, "write_file", file("a")).reason).toBe(PLAN_MODE_REASON);
    expect(PLAN_MODE_REASON).toBe("plan mode: only reading is allowed; propose your plan with exit_plan_mode");
  });
  it("plan mode wins over allow rules (and ask rules); deny rules still apply", () => {
    expect(decide("plan", { ...none, allow: ["write_file(src/**)", "shell"] }, "write_file", file("src/a"))).toMatchObject({ action: "deny", reason: PLAN_MODE_REASON });
    expect(decide("plan", { ...none, allow: ["shell"] }, "shell", sh("ls"))).toMatchObject({ action: "deny" });
    expect(decide("plan", { ...none, ask: ["shell"] }, "shell", sh("ls"))).toMatchObject({ action: "deny" });
    expect(decide("plan", { ...none, deny: ["read_file(.env*)"] }, "read_file", { path: ".env" })).toMatchObject({ action: "deny", rule: "read_file(.env*)" });
    expect(decide("plan", { ...none, ask: ["read_file(.env*)"] }, "read_file", { path: ".env" })).toMatchObject({ action: "ask" });
  });
  it("ask rules apply in auto mode; allow rules open shell in ask mode", () => {
    expect(decide("auto", { ...none, ask: ["write_file(**/*.lock)"] }, "write_file", file("a/yarn.lock"))).toMatchObject({ action: "ask" });
    expect(decide("ask", { ...none, allow: ["shell(npm test*)"] }, "shell", sh("npm test"))).toMatchObject({ action: "allow", rule: "shell(npm test*)" });
  });
  it("a malformed rule matches nothing", () => {
    expect(decide("auto", { ...none, deny: ["shell(", "Shell", ""] }, "shell", sh("ls")).action).toBe("allow");
  });
});

describe("suggestRule", () => {
  it("is the exact call, as a valid rule that matches it", () => {
    const cases: [string, unknown, string][] = [
      ["shell", sh("  npm  test "), "shell(npm test)"],
      ["shell", sh("make && make install"), "shell(make && make install)"],
      ["shell", sh("rm *.log"), "shell(rm *.log)"],
      ["write_file", file("./src/a.ts"), "write_file(src/a.ts)"],
      ["edit_file", { path: "/workspace/b (1).ts" }, "edit_file(b (1).ts)"],
      ["glob", { pattern: "**/*.ts" }, "glob(**/*.ts)"],
      ["todo_write", { items: [] }, "todo_write"],
    ];
    for (const [tool, input, rule] of cases) {
      expect(suggestRule(tool, input)).toBe(rule);
      expect(RULE_RE.test(rule)).toBe(true);
      expect(matchRule(rule, tool, input)).toBe(true);
    }
  });
  it("a wildcard in the command is kept: the rule then matches more (documented)", () => {
    expect(matchRule(suggestRule("shell", sh("rm *.log")), "shell", sh("rm important.txt x.log"))).toBe(true);
  });
  it("a long command is cut to fit the grammar and ends with *", () => {
    const rule = suggestRule("shell", sh(`echo ${"a".repeat(600)}`));
    expect(RULE_RE.test(rule)).toBe(true);
    expect(rule.endsWith("*)")).toBe(true);
  });
});

describe("what the red team found", () => {
  const none = { allow: [], ask: [], deny: [] };
  it("asks before edits under .git/ in mode ask (hooks and config run code later)", () => {
    for (const p of [".git/hooks/pre-commit", "./.git/config", "/workspace/.git/info/attributes", "src/../.git/config"]) {
      expect(decide("ask", none, "write_file", { path: p, content: "x" })).toMatchObject({ action: "ask", reason: GIT_DIR_REASON });
    }
    expect(decide("ask", none, "write_file", { path: "src/.gitignore", content: "x" }).action).toBe("allow");
    expect(decide("auto", none, "write_file", { path: ".git/config", content: "x" }).action).toBe("allow");
  });
  it("takes the strictest of the path as written and where it leads", () => {
    const rules = { allow: ["write_file(src/**)"], ask: [], deny: ["write_file(.env*)"] };
    const written = decide("ask", rules, "write_file", { path: "src/link", content: "x" });
    const real = decide("ask", rules, "write_file", { path: "/workspace/.env", content: "x" });
    expect(strictest([written, real]).action).toBe("deny");
  });
  it("turns read_file deny and ask rules into grep exclusions", () => {
    expect(readExclusions({ allow: ["read_file(src/**)"], ask: ["read_file(**/*.pem)"], deny: ["read_file(.env*)", "shell(cat*)"] })).toEqual(["!.env*", "!**/*.pem"]);
    expect(readExclusions({ allow: [], ask: [], deny: ["read_file"] })).toEqual(["*"]);
  });
});

describe("MCP tools and task", () => {
  const none = { allow: [], ask: [], deny: [] };
  it("rules name MCP tools exactly or with * within the name, any case, digits and hyphens", () => {
    for (const rule of ["mcp__github__create_issue", "mcp__github__*", "mcp__*", "mcp__My-Server2__Get_Thing-3", "mcp__*__search"]) expect(RULE_RE.test(rule), rule).toBe(true);
    expect(matchRule("mcp__github__create_issue", "mcp__github__create_issue", {})).toBe(true);
    expect(matchRule("mcp__github__create_issue", "mcp__github__create_issues", {})).toBe(false);
    expect(matchRule("mcp__github__*", "mcp__github__create_issue", {})).toBe(true);
    expect(matchRule("mcp__github__*", "mcp__gitlab__create_issue", {})).toBe(false);
    expect(matchRule("mcp__*", "mcp__My-Server2__Get_Thing-3", {})).toBe(true);
    expect(matchRule("mcp__My-Server2__*", "mcp__My-Server2__Get_Thing-3", {})).toBe(true);
    expect(matchRule("mcp__my-server2__*", "mcp__My-Server2__Get_Thing-3", {})).toBe(false);
    expect(matchRule("mcp__*__search", "mcp__docs__search", {})).toBe(true);
    // A wildcard is only for MCP names: it never reaches a built-in tool.
    expect(RULE_RE.test("shell*")).toBe(false);
    expect(matchRule("mcp__*", "shell", { command: "ls" })).toBe(false);
    expect(matchRule("mcp__*", "mcp_x", {})).toBe(false);
  });
  it("an MCP tool is never reading: mode ask asks, mode plan refuses unless a rule names it, a deny rule refuses it", () => {
    const t = "mcp__fixture__echo";
    expect(decide("auto", none, t, { text: "hi" })).toMatchObject({ action: "allow" });
    expect(decide("ask", none, t, {})).toEqual({ action: "ask", reason: ASK_MODE_MCP_REASON });
    expect(decide("plan", none, t, {})).toEqual({ action: "deny", reason: PLAN_MODE_MCP_REASON });
    expect(decide("ask", { ...none, allow: ["mcp__fixture__*"] }, t, {})).toMatchObject({ action: "allow", rule: "mcp__fixture__*" });
    expect(decide("plan", { ...none, allow: ["mcp__fixture__echo"] }, t, {})).toMatchObject({ action: "allow" });
    expect(decide("plan", { ...none, ask: ["mcp__*"] }, t, {})).toMatchObject({ action: "ask" });
    expect(decide("auto", { ...none, deny: ["mcp__fixture__*"], allow: ["mcp__*"] }, t, {})).toEqual({ action: "deny", reason: "matches deny rule mcp__fixture__*", rule: "mcp__fixture__*" });
    expect(decide("plan", { ...none, deny: ["mcp__*"], allow: ["mcp__fixture__echo"] }, t, {})).toMatchObject({ action: "deny" });
  });
  it("approve and remember suggests the tool's own name, a valid rule", () => {
    const rule = suggestRule("mcp__My-Server2__Get_Thing-3", { a: 1 });
    expect(rule).toBe("mcp__My-Server2__Get_Thing-3");
    expect(RULE_RE.test(rule)).toBe(true);
    expect(decide("ask", { ...none, allow: [rule] }, "mcp__My-Server2__Get_Thing-3", {}).action).toBe("allow");
  });
  it("rules and hooks are validated with MCP names; a pattern on an MCP tool is refused with why", () => {
    expect(RulesSchema.safeParse({ allow: ["mcp__github__*", "mcp__*"], deny: ["mcp__Fixture-1__echo"] }).success).toBe(true);
    const bad = RulesSchema.safeParse({ deny: ["mcp__github__create_issue(x)"] });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain("MCP tools take no pattern");
    expect(HookSchema.safeParse({ command: "true", tools: ["mcp__github__create_issue", "shell"] }).success).toBe(true);
    expect(HookSchema.safeParse({ command: "true", tools: ["mcp__*"] }).success).toBe(false);
  });
  it("task: no approval in mode ask (its tools are decided each), only read-only in mode plan", () => {
    expect(decide("ask", none, "task", { description: "d", prompt: "p" }).action).toBe("allow");
    expect(decide("plan", none, "task", { description: "d", prompt: "p", readOnly: true }).action).toBe("allow");
    expect(decide("plan", none, "task", { description: "d", prompt: "p" })).toEqual({ action: "deny", reason: PLAN_MODE_TASK_REASON });
    expect(decide("plan", { ...none, allow: ["task"] }, "task", { description: "d", prompt: "p", readOnly: false }).action).toBe("deny");
    expect(decide("ask", { ...none, deny: ["task"] }, "task", { description: "d", prompt: "p", readOnly: true }).action).toBe("deny");
    expect(decide("ask", { ...none, ask: ["task"] }, "task", { description: "d", prompt: "p" }).action).toBe("ask");
  });
});

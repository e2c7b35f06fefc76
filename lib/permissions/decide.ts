// Whether a tool call runs, asks a person, or is refused: the harness decides, never the model.
// Pure and free of anything but types, so the sandbox worker bundles it and the host (approval
// cards, "approve and remember") uses the very same code. The rule grammar is in
// lib/protocol/permissions.ts.
//
// Order: deny rules (first match → deny), plan mode (anything but reading → deny), ask rules
// (→ ask), allow rules (→ allow), then the mode's default:
//   auto: allow;
//   ask:  reading, todo_write, exit_plan_mode, remember/recall/report and file edits allow; shell (and any other tool) asks;
//   plan: reading, todo_write, exit_plan_mode and remember/recall/report allow; everything else is denied, allow rules
//         or not (plan wins over allow; deny rules still apply).
//
// Two kinds of tool beside the built-in ones:
//   MCP tools (`mcp__<server>__<tool>`) may do anything their server does (create an issue, write
//   a database): never counted as reading. Mode ask: they need approval unless a rule allows them.
//   Mode plan: refused unless an allow (or ask) rule names them — a person who writes
//   `allow: mcp__docs__search` says that tool is fine while planning. Rules name them with `*`
//   wildcards within the name (`mcp__github__*`, `mcp__*`).
//   task (a subagent): every tool the subagent calls is decided on its own, so the call itself
//   needs no approval in mode ask; in mode plan it runs only read-only (`readOnly: true`).
//
// Main arguments (what a `tool(pattern)` rule is matched against):
//   shell                            the command, trimmed, runs of blanks as one space;
//   read_file, write_file, edit_file the path relative to the workspace (`./` and `/workspace/`
//                                    stripped, `a/../b` folded). A path that leaves the workspace
//                                    never matches an allow rule; deny and ask rules see it as
//                                    folded and as written;
//   glob, grep                       the pattern;
//   anything else                    none: only the bare `tool` rule matches.
//
// Patterns. Paths (and glob patterns): `**` any characters including `/` (`**/` also matches no
// directory at all), `*` any characters but `/`, `?` one character but `/`. Commands (and grep
// patterns): `*` matches anything, spaces and `/` included; everything else, `?` too, is literal.
//
// Shell commands and control operators (`;` `&&` `||` `|` `&` newline, backtick, `$(`, `>`, `<`):
//  - an allow rule matches a command part by part: the command and the pattern are cut at those
//    operators, and they must have the same operators in the same order, each part of the command
//    matched by the pattern's part. `shell(npm test*)` allows `npm test -- --watch` but never
//    `npm test; curl evil`, `npm test > /etc/x` or `npm test $(curl evil)`; `shell(make && make
//    install)` allows exactly that chain. The cut ignores quoting, so `echo "a;b"` is two parts:
//    an allow rule is then stricter than it could be, never looser.
//  - an allow rule's `*` never matches `${` or `$[` (prompt expansion `${a@P}` and arithmetic
//    `$[a]` run a `$(…)` hidden in a value written with $'\x24' escapes): the command may hold no
//    more of them than the pattern spells out.
//  - deny and ask rules match the whole command, each part, each run of up to 8 consecutive parts
//    and each run to the end of the command, `*` crossing operators: `shell(git push*)` denies
//    `cd x && git push origin`. Each part is also tried as bash reads it: quotes and backslashes
//    removed (`"git" push`, `g\it push`), backslash-newlines joined, the command's directory
//    dropped (`/usr/bin/git`), leading `VAR=value`, `(`/`{`, keywords (`if`, `then`, `do`, `!`)
//    dropped, after a wrapper (`env`, `sudo -u x`, `timeout 5`, `nice -n 1`, `xargs -I{}`, …) every
//    command it might run, git without its global options (`git -C . push`), and the script given
//    to `bash -c`, `sh -c`, `eval`, `env -S` (nested up to 3 times). Deny rules on shell are still
//    a safety net, not a sandbox: `$(echo git) push`, an alias, a symlinked binary or a script that
//    pushes are not recognised. The sandbox (its own uid, the egress policy) is the boundary.
//  - deny and ask rules on read_file also catch a grep whose `path` or `glob` names such a file.
//
// No escapes: a `*` or `?` in a path or command is a wildcard in a rule. suggestRule() therefore
// returns, for a command or path holding them, a rule that also matches more than this one call
// (`shell(rm *.log)` allows `rm a.log b.log` too); the person sees the rule before remembering it.

import { escapeRe } from "./glob";
import { RULE_RE } from "./rule-grammar";
import { allowsCommand, catchesCommand, commandGlob, normalizeCommand } from "./shell-match";

export type PermissionMode = "auto" | "ask" | "plan";
export type RuleSet = { allow: readonly string[]; ask: readonly string[]; deny: readonly string[] };
export type Action = "allow" | "ask" | "deny";
export type Decision = { action: Action; reason: string; rule?: string };
export type DecideOptions = { workspace?: string };

/**
 * Tools that only read (or only talk to the person): allowed in plan and ask mode. remember only
 * proposes (a person accepts it before it reaches anyone), recall reads the team's memory and
 * report gives a check's verdict: none of them touches the workspace or the network.
 */
export const READ_ONLY_TOOLS: readonly string[] = ["read_file", "glob", "grep", "todo_write", "exit_plan_mode", "remember", "recall", "report"];
/** File edits: allowed without asking in ask mode. */
export const EDIT_TOOLS: readonly string[] = ["write_file", "edit_file"];
const PATH_TOOLS = ["read_file", "write_file", "edit_file"];
const WORKSPACE = "/workspace";


export const isMcpTool = (tool: string) => tool.startsWith("mcp__");
const TASK_TOOL = "task";
/** A task call that hands the subagent only the reading tools. */
const readOnlyTask = (tool: string, input: unknown) => tool === TASK_TOOL && typeof input === "object" && input !== null && (input as { readOnly?: unknown }).readOnly === true;

export const ASK_MODE_SHELL_REASON = "shell commands outside the allow rules need approval (mode ask)";
export const GIT_DIR_REASON = "edits under .git/ can make later commands run code (hooks, config); they need approval (mode ask)";
export const PLAN_MODE_REASON = "plan mode: only reading is allowed; propose your plan with exit_plan_mode";
export const PLAN_MODE_TASK_REASON = "plan mode: a subagent may only read; call task with readOnly: true, or propose your plan with exit_plan_mode";
export const PLAN_MODE_MCP_REASON = "plan mode: MCP tools run only where an allow rule names them; propose your plan with exit_plan_mode";
export const ASK_MODE_MCP_REASON = "MCP tools outside the allow rules need approval (mode ask)";

export function decide(mode: PermissionMode, rules: RuleSet, tool: string, input: unknown, opts: DecideOptions = {}): Decision {
  for (const rule of rules.deny) {
    if (matchRule(rule, tool, input, { ...opts, as: "deny" }) || grepReads(rule, tool, input, opts)) return { action: "deny", reason: `matches deny rule ${rule.trim()}`, rule: rule.trim() };
  }
  if (mode === "plan" && tool === TASK_TOOL && !readOnlyTask(tool, input)) return { action: "deny", reason: PLAN_MODE_TASK_REASON };
  if (mode === "plan" && !READ_ONLY_TOOLS.includes(tool) && tool !== TASK_TOOL && !isMcpTool(tool)) return { action: "deny", reason: PLAN_MODE_REASON };
  for (const rule of rules.ask) {
    if (matchRule(rule, tool, input, { ...opts, as: "ask" }) || grepReads(rule, tool, input, opts)) return { action: "ask", reason: `matches ask rule ${rule.trim()}`, rule: rule.trim() };
  }
  for (const rule of rules.allow) {
    if (matchRule(rule, tool, input, { ...opts, as: "allow" })) return { action: "allow", reason: `matches allow rule ${rule.trim()}`, rule: rule.trim() };
  }
  if (mode === "auto") return { action: "allow", reason: "mode auto" };
  if (isMcpTool(tool)) return mode === "plan" ? { action: "deny", reason: PLAN_MODE_MCP_REASON } : { action: "ask", reason: ASK_MODE_MCP_REASON };
  if (tool === TASK_TOOL) return { action: "allow", reason: mode === "plan" ? "plan mode: a read-only subagent is allowed" : "mode ask: a subagent's tools are each decided on their own" };
  if (mode === "plan") return { action: "allow", reason: "plan mode: reading is allowed" };
  if (READ_ONLY_TOOLS.includes(tool)) return { action: "allow", reason: "mode ask: reading is allowed" };
  if (EDIT_TOOLS.includes(tool)) {
    // .git/ is where an edit turns into code that later commands run (hooks, config's fsmonitor,
    // pager, aliases): in mode ask, a person sees those edits first.
    const target = mainArgument(tool, input, opts);
    if (target !== null && (target === ".git" || target.startsWith(".git/"))) return { action: "ask", reason: GIT_DIR_REASON };
    return { action: "allow", reason: "mode ask: file edits are allowed" };
  }
  if (tool === "shell") return { action: "ask", reason: ASK_MODE_SHELL_REASON };
  return { action: "ask", reason: `${tool} outside the allow rules needs approval (mode ask)` };
}

type Argument = { kind: "command" | "path" | "pattern"; value: string; raw: string; escapes: boolean };

function argumentOf(tool: string, input: unknown, workspace = WORKSPACE): Argument | null {
  const field = (name: string): string | null => {
    if (typeof input !== "object" || input === null) return null;
    const v = (input as Record<string, unknown>)[name];
    return typeof v === "string" ? v : null;
  };
  if (tool === "shell") {
    const command = field("command");
    return command === null ? null : { kind: "command", value: normalizeCommand(command), raw: command, escapes: false };
  }
  if (PATH_TOOLS.includes(tool)) {
    const p = field("path");
    if (p === null) return null;
    const { rel, escapes } = relativePath(p, workspace);
    return { kind: "path", value: rel, raw: p, escapes };
  }
  if (tool === "glob" || tool === "grep") {
    const pattern = field("pattern");
    return pattern === null ? null : { kind: tool === "glob" ? "path" : "pattern", value: pattern, raw: pattern, escapes: false };
  }
  return null;
}

/** What `tool(pattern)` rules are matched against; null when only the bare `tool` rule applies. */
export function mainArgument(tool: string, input: unknown, opts: DecideOptions = {}): string | null {
  return argumentOf(tool, input, opts.workspace)?.value ?? null;
}

/**
 * Whether `pattern` (a rule: `tool` or `tool(pattern)`) matches the call. `as` is the list the rule
 * is in: allow rules match strictly (commands part by part, never a path outside the workspace),
 * deny and ask rules generously (any part of a command, a path as written too). Default: allow.
 */
export function matchRule(pattern: string, tool: string, input: unknown, opts: DecideOptions & { as?: Action } = {}): boolean {
  const m = RULE_RE.exec(pattern.trim());
  if (!m || !namesTool(m[1], tool)) return false;
  if (m[2] === undefined) return true;
  const arg = argumentOf(tool, input, opts.workspace);
  if (!arg) return false;
  const strict = (opts.as ?? "allow") === "allow";
  if (arg.kind === "command") return strict ? allowsCommand(m[2], arg.value) : catchesCommand(m[2], arg.value);
  if (arg.kind === "pattern") return commandGlob(normalizeCommand(m[2])).test(arg.value);
  const re = pathGlob(m[2]);
  if (arg.escapes) return !strict && (re.test(arg.value) || re.test(arg.raw));
  return re.test(arg.value);
}

/** Whether a rule's tool part names the tool: exactly, or for MCP tools a name with `*` wildcards. */
function namesTool(name: string, tool: string): boolean {
  if (name === tool) return true;
  if (!name.includes("*") || !isMcpTool(name) || !isMcpTool(tool)) return false;
  return new RegExp(`^${name.split("*").map(escapeRe).join("[A-Za-z0-9_-]*")}$`).test(tool);
}

/** The allow rule "approve and remember" adds for this call (see the header on wildcards). */
export function suggestRule(tool: string, input: unknown, opts: DecideOptions = {}): string {
  const arg = argumentOf(tool, input, opts.workspace);
  if (!arg || !arg.value) return tool;
  // A rule holds at most 500 characters of pattern: a longer argument is kept up to there, then `*`.
  const value = arg.value.length > 500 ? `${arg.value.slice(0, 499)}*` : arg.value;
  return `${tool}(${value})`;
}

/**
 * Deny and ask rules on read_file also hold for grep, which prints the lines of the files it
 * searches: a grep whose `path` is such a file (as read_file would see it), or whose `glob` names
 * one, is caught. A grep of a whole directory is not (decide() cannot list it): the grep tool
 * itself leaves out the files read_file rules deny.
 */
function grepReads(rule: string, tool: string, input: unknown, opts: DecideOptions): boolean {
  if (tool !== "grep" || typeof input !== "object" || input === null) return false;
  const m = RULE_RE.exec(rule.trim());
  if (!m || m[1] !== "read_file" || m[2] === undefined) return false;
  const { path, glob } = input as Record<string, unknown>;
  for (const p of [path, glob]) {
    if (typeof p === "string" && p && matchRule(rule, "read_file", { path: p }, { ...opts, as: "deny" })) return true;
  }
  return false;
}

// ---- paths

function relativePath(p: string, workspace: string): { rel: string; escapes: boolean } {
  const root = normalizePosix(workspace).replace(/\/+$/, "") || "/";
  const abs = p.startsWith("/") ? normalizePosix(p) : normalizePosix(`${root}/${p}`);
  if (abs === root) return { rel: ".", escapes: false };
  const prefix = root === "/" ? "/" : `${root}/`;
  if (abs.startsWith(prefix)) return { rel: abs.slice(prefix.length), escapes: false };
  // Outside: relative ones as folded from the workspace (../x), absolute ones as they are.
  return { rel: p.startsWith("/") ? abs : normalizePosix(p).replace(/^\.\//, ""), escapes: true };
}

/** path.posix.normalize without node: folds `.`, `..` and repeated slashes. */
function normalizePosix(p: string): string {
  const absolute = p.startsWith("/");
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (!seg || seg === ".") continue;
    if (seg === "..") {
      if (out.length && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
      continue;
    }
    out.push(seg);
  }
  const joined = out.join("/");
  return absolute ? `/${joined}` : joined || ".";
}



/** A path glob: `**` anything, `**\/` zero or more directories, `*` within a directory, `?` one character. */
export function pathGlob(pattern: string): RegExp {
  let re = "";
  let p = pattern.trim();
  if (p.startsWith("./")) p = p.slice(2);
  if (p.startsWith(`${WORKSPACE}/`)) p = p.slice(WORKSPACE.length + 1);
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "*" && p[i + 1] === "*") {
      if (p[i + 2] === "/") {
        re += "(?:.*/)?";
        i += 2;
      } else {
        re += ".*";
        i += 1;
      }
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, "s");
}

// ---- commands

/** Trimmed, with runs of spaces and tabs as one space. */
const STRICTNESS: Record<Action, number> = { allow: 0, ask: 1, deny: 2 };

/**
 * The stricter of several decisions for one call: a file tool's path as written and the path it
 * really reaches through symlinks are both decided, and the call gets the strictest answer (a link
 * with an allowed name never opens a denied file).
 */
export function strictest(decisions: Decision[]): Decision {
  return decisions.reduce((a, b) => (STRICTNESS[b.action] > STRICTNESS[a.action] ? b : a));
}

/** Patterns of read_file rules, as ripgrep exclusion globs (grep never prints a file those rules keep from reading). */
export function readExclusions(rules: RuleSet): string[] {
  const out: string[] = [];
  for (const rule of [...rules.deny, ...rules.ask]) {
    const m = RULE_RE.exec(rule.trim());
    if (!m || m[1] !== "read_file") continue;
    if (m[2] === undefined) return ["*"];
    out.push(`!${m[2].replace(/^\.\//, "").replace(/^\/workspace\//, "")}`);
  }
  return out;
}

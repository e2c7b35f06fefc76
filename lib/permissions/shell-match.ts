// Matching shell commands against rule patterns (lib/permissions/decide.ts): an allow rule must
// match the command part by part with the same control operators; deny and ask rules catch any
// part, run of parts, or the plain form of a part (quotes, paths, wrappers and nested shells
// removed). Split from decide.ts, which decides; this file only matches.
import { escapeRe } from "./glob";

export const normalizeCommand = (s: string) => s.replace(/[ \t]+/g, " ").trim();

/** A command glob: `*` matches anything; nothing else is special. */
export function commandGlob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split("*").map(escapeRe).join("[\\s\\S]*")}$`);
}

const OPERATORS = ["&&", "||", "$(", ";", "|", "&", "\n", "`", ">", "<"] as const;

/** Splits at control operators (ignoring quotes): parts (trimmed) and the operators between them. */
function tokenize(command: string): { parts: string[]; ops: string[] } {
  const parts: string[] = [];
  const ops: string[] = [];
  let cur = "";
  for (let i = 0; i < command.length; ) {
    const op = OPERATORS.find((o) => command.startsWith(o, i));
    if (op) {
      parts.push(cur.trim());
      ops.push(op);
      cur = "";
      i += op.length;
    } else {
      cur += command[i++];
    }
  }
  parts.push(cur.trim());
  return { parts, ops };
}

/** Allow rules: same operators in the same order, each part matched by the pattern's part. */
export function allowsCommand(pattern: string, command: string): boolean {
  const p = tokenize(normalizeCommand(pattern));
  const c = tokenize(command);
  if (p.ops.length !== c.ops.length || p.ops.some((op, i) => op !== c.ops[i])) return false;
  return p.parts.every((part, i) => commandGlob(part).test(c.parts[i]) && !hidesCode(part, c.parts[i]));
}

/**
 * Expansions that run code without a `$(` or a backtick in the text: `${a@P}` (prompt expansion),
 * `$[a]` and `${b[a]}`/`${b:a}`/`${!a}` (arithmetic and indirection evaluate a value such as
 * `x[$(cmd)]`, written with $'\x24' escapes). A `*` of an allow rule never matches them: the
 * command part may hold no more of them than the pattern part spells out.
 */
const CODE_EXPANSIONS = ["${", "$["];
const count = (s: string, sub: string) => s.split(sub).length - 1;
const hidesCode = (pattern: string, part: string) => CODE_EXPANSIONS.some((x) => count(part, x) > count(pattern, x));

/** Deny and ask rules: the whole command, or any run of consecutive parts, or a part in its plainer forms. */
export function catchesCommand(pattern: string, command: string, depth = 0): boolean {
  const re = commandGlob(normalizeCommand(pattern));
  if (re.test(command)) return true;
  // bash drops a backslash-newline before anything else: `git \<newline>push` is `git push`.
  const text = normalizeCommand(command.replace(/\\\r?\n/g, ""));
  if (re.test(text)) return true;
  const { parts, ops } = tokenize(text);
  const n = parts.length;
  const join = (i: number, j: number) => parts.slice(i, j + 1).reduce((acc, part, k) => (k ? `${acc} ${ops[i + k - 1]} ${part}` : part), "").replace(/[ \t]+/g, " ").trim();
  for (let i = 0; i < n; i++) {
    // Runs of up to 8 parts, and every run to the end (the whole command was tried above).
    for (let j = i; j < Math.min(n, i + 8); j++) if (re.test(join(i, j))) return true;
    if (i > 0 && n - i > 8 && re.test(join(i, n - 1))) return true;
    const scripts: string[] = [];
    for (const form of plainForms(parts[i], scripts)) if (re.test(form)) return true;
    // `bash -c "…"`, `sh -c '…'`, `eval …`, `env -S '…'`: the script is a command of its own.
    if (depth < 3) for (const script of scripts) if (catchesCommand(pattern, script, depth + 1)) return true;
  }
  return false;
}

/** Run a command given to them (their options, and what follows the options, may be anything). */
const WRAPPERS = new Set(["env", "command", "exec", "nohup", "time", "nice", "builtin", "sudo", "doas", "timeout", "setsid", "stdbuf", "xargs", "ionice", "chrt", "taskset", "unbuffer", "flock", "chroot", "runuser", "su", "watch", "strace", "ltrace", "nsenter", "unshare", "busybox", "parallel"]);
/** Words that open a compound command; what follows is a command. */
const KEYWORDS = new Set(["!", "if", "then", "elif", "else", "do", "while", "until", "{", "(", "coproc"]);
const SHELLS = new Set(["bash", "sh", "dash", "zsh", "ksh", "mksh", "ash", "rbash"]);
/** git's options before its subcommand that take a separate value. */
const GIT_VALUE_OPTIONS = new Set(["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env", "--super-prefix", "--list-cmds", "--attr-source"]);
const MAX_FORMS = 400;
const MAX_WORDS = 200;
const basename = (w: string) => (w.includes("/") ? w.slice(w.lastIndexOf("/") + 1) : w);

/**
 * A command part as bash would see it, in every form a deny rule should catch: quotes and
 * backslashes removed (`"git" push`, `g\it push`), the command's directory dropped
 * (`/usr/bin/git`), leading assignments and keywords dropped (`A=1`, `if`, `!`, `do`), and for a
 * wrapper (`env`, `sudo -u x`, `timeout 5`, `xargs -I{}`, ...) every command it might run, for git
 * the call without its global options (`git -C dir push` is `git push`). Scripts handed to a shell
 * (`bash -c`, `eval`, `env -S`) are pushed to `scripts`.
 */
function plainForms(part: string, scripts: string[]): string[] {
  const out: string[] = [];
  const starts = [part];
  // A body after a `(` or `{` anywhere in the part (`f() { git push`).
  for (let i = 0; i < part.length && starts.length < 20; i++) if (part[i] === "(" || part[i] === "{") starts.push(part.slice(i + 1));
  const queue: string[][] = [];
  for (const start of starts) {
    const s = start.replace(/^[({\s]+/, "").replace(/[)}\s]+$/, "");
    out.push(s);
    queue.push(shellWords(s).slice(0, MAX_WORDS));
  }
  const seen = new Set<string>();
  while (queue.length && out.length < MAX_FORMS) {
    let w = queue.shift()!;
    // Assignments and keywords first.
    while (w.length && (/^[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=/.test(w[0]) || KEYWORDS.has(w[0]))) w = w.slice(1);
    while (w.length && /^[)}]+$/.test(w[w.length - 1])) w = w.slice(0, -1);
    if (!w.length) continue;
    const key = w.join("\u0000");
    if (seen.has(key)) continue;
    seen.add(key);
    const name = basename(w[0]);
    const words = [name, ...w.slice(1)];
    out.push(words.join(" "));
    if (WRAPPERS.has(name)) {
      // Whatever comes after the wrapper's own words: every later word may start the command.
      for (let k = 1; k < words.length; k++) queue.push(words.slice(k));
      if (name === "env") words.forEach((x, k) => (x === "-S" || x === "--split-string") && words[k + 1] && scripts.push(words[k + 1]));
      words.forEach((x) => x.startsWith("--split-string=") && scripts.push(x.slice("--split-string=".length)));
    } else if (name === "eval") {
      scripts.push(words.slice(1).join(" "));
    } else if (SHELLS.has(name)) {
      const c = words.findIndex((x, k) => k > 0 && /^-[A-Za-z]*c[A-Za-z]*$/.test(x));
      if (c > 0 && words[c + 1] !== undefined) scripts.push(words[c + 1]);
    } else if (name === "git") {
      let k = 1;
      while (k < words.length && words[k].startsWith("-")) k += GIT_VALUE_OPTIONS.has(words[k]) ? 2 : 1;
      if (k > 1 && k < words.length) out.push(["git", ...words.slice(k)].join(" "));
    }
  }
  return out;
}

/** The words of a command part as bash reads them: quotes and backslash escapes removed (no expansions). */
function shellWords(s: string): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "\\") {
      cur += s[i + 1] ?? "";
      i++;
    } else if (c === "'" || (c === "$" && s[i + 1] === "'")) {
      if (c === "$") i++;
      const end = s.indexOf("'", i + 1);
      cur += end < 0 ? s.slice(i + 1) : s.slice(i + 1, end);
      i = end < 0 ? s.length : end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === "\\" && j + 1 < s.length && '$`"\\\n'.includes(s[j + 1])) j++;
        cur += s[j];
      }
      i = j;
    } else cur += c;
  }
  if (inWord) words.push(cur);
  return words;
}


// Lists workspace files matching a glob. Node 18 has no fs.glob: ripgrep lists the files
// (honouring .gitignore) and a small glob-to-regex matcher picks them.
import path from "node:path";
import { z } from "zod";
import { ToolError } from "../errors";
import { agentUserOf } from "../agent-user";
import { run } from "../exec";
import { defineTool } from "./tool";

const MAX_RESULTS = 500;

const parameters = z.object({
  pattern: z.string().min(1).describe('Glob such as "**/*.ts" or "src/*.json". A pattern without "/" matches file names in any directory.'),
});

export const glob = defineTool({
  name: "glob",
  description: `Find files in the workspace by glob pattern (*, **, ?, [abc], {a,b}); .gitignore'd files are skipped. Returns sorted paths, at most ${MAX_RESULTS}.`,
  parameters,
  async execute({ pattern }, ctx) {
    const relative = toRelativePattern(ctx.workspace, pattern);
    const listed = await run("rg", ["--files", "--hidden", "--glob", "!.git"], { cwd: ctx.workspace, user: agentUserOf(ctx.config), signal: ctx.signal });
    if (listed.code === 2 && !listed.stdout) throw new ToolError(`listing files failed: ${listed.stderr.trim()}`);
    const re = globToRegExp(relative);
    const byName = !relative.includes("/");
    const files = listed.stdout
      .split("\n")
      .filter((f) => f && (re.test(f) || (byName && re.test(path.posix.basename(f)))))
      .sort();
    if (!files.length) return { output: `No files match ${pattern}.` };
    const more = files.length > MAX_RESULTS ? `\n[${files.length - MAX_RESULTS} more files; use a narrower pattern]` : "";
    return { output: files.slice(0, MAX_RESULTS).join("\n") + more };
  },
});

function toRelativePattern(workspace: string, pattern: string): string {
  if (!path.isAbsolute(pattern)) return pattern.replace(/^(\.\/)+/, "");
  const rel = path.relative(workspace, pattern);
  if (rel.startsWith("..")) throw new ToolError(`${pattern} is outside the workspace ${workspace}; use a pattern relative to it.`);
  return rel || "**";
}

/** Translates a glob to an anchored regex over "/"-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  let inBraces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      const slash = glob[i + 2] === "/";
      re += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const close = glob.indexOf("]", i + 1);
      if (close < 0) re += "\\[";
      else {
        const body = glob.slice(i + 1, close).replace(/^!/, "^").replace(/\\/g, "\\\\");
        re += `[${body}]`;
        i = close;
      }
    } else if (c === "{") {
      inBraces++;
      re += "(?:";
    } else if (c === "}" && inBraces) {
      inBraces--;
      re += ")";
    } else if (c === "," && inBraces) re += "|";
    else re += c.replace(/[.+^$()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

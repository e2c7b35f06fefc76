// Every path a tool touches is inside the workspace: relative paths are taken from it, and
// absolute ones must point into it. Writes also refuse symlinks that lead out of it.
import fs from "node:fs/promises";
import path from "node:path";
import { ToolError } from "../errors";

const isOutside = (rel: string) => rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);

/** Absolute path of `p` inside `workspace`; throws a ToolError the model can act on otherwise. */
export function resolveInWorkspace(workspace: string, p: string): string {
  const abs = path.resolve(workspace, p);
  if (isOutside(path.relative(workspace, abs))) {
    throw new ToolError(`${p} is outside the workspace ${workspace}; use a path inside it (relative paths start from ${workspace}).`);
  }
  return abs;
}

/** Like resolveInWorkspace, and the real location (after symlinks) must be inside too. */
export async function resolveForWrite(workspace: string, p: string): Promise<string> {
  const abs = resolveInWorkspace(workspace, p);
  const root = await fs.realpath(workspace);
  // The deepest part of the path that exists decides where a write really lands.
  let probe = abs;
  for (;;) {
    try {
      const real = await fs.realpath(probe);
      if (isOutside(path.relative(root, real))) {
        throw new ToolError(`${p} leads outside the workspace through a symlink (to ${real}); write inside ${workspace} instead.`);
      }
      return abs;
    } catch (err) {
      if (err instanceof ToolError) throw err;
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      const link = await fs.lstat(probe).catch(() => null);
      if (link?.isSymbolicLink()) throw new ToolError(`${p} goes through a symlink whose target does not exist; refusing to write through it.`);
      probe = path.dirname(probe);
    }
  }
}

/** The path relative to the workspace, for messages and commit bodies. */
export const relativeTo = (workspace: string, abs: string) => path.relative(workspace, abs) || ".";

// The changed files as a directory tree for the sidebar: folders first, single-child folder
// chains collapsed into one entry ("src/components/review"), +/− totals per folder.
import type { DiffFile } from "../../../lib/protocol/review";

export interface TreeFile {
  kind: "file";
  name: string;
  path: string;
  /** Position in the diff's file list (what the diff view renders). */
  index: number;
  file: DiffFile;
}

export interface TreeDir {
  kind: "dir";
  name: string;
  path: string;
  children: TreeNode[];
  additions: number;
  deletions: number;
}

export type TreeNode = TreeFile | TreeDir;

export function buildFileTree(files: readonly DiffFile[]): TreeNode[] {
  const root: TreeDir = { kind: "dir", name: "", path: "", children: [], additions: 0, deletions: 0 };
  files.forEach((file, index) => {
    const parts = file.path.split("/").filter((p) => p !== "");
    if (parts.length === 0) parts.push(file.path);
    let dir = root;
    dir.additions += file.additions;
    dir.deletions += file.deletions;
    for (let i = 0; i < parts.length - 1; i++) {
      const path = parts.slice(0, i + 1).join("/");
      let next = dir.children.find((c): c is TreeDir => c.kind === "dir" && c.name === parts[i]);
      if (!next) {
        next = { kind: "dir", name: parts[i], path, children: [], additions: 0, deletions: 0 };
        dir.children.push(next);
      }
      next.additions += file.additions;
      next.deletions += file.deletions;
      dir = next;
    }
    dir.children.push({ kind: "file", name: parts[parts.length - 1], path: file.path, index, file });
  });
  return root.children.map(compress).sort(byKindThenName);
}

function compress(node: TreeNode): TreeNode {
  if (node.kind === "file") return node;
  let dir = node;
  while (dir.children.length === 1 && dir.children[0].kind === "dir") {
    const only: TreeDir = dir.children[0];
    dir = { ...only, name: `${dir.name}/${only.name}` };
  }
  return { ...dir, children: dir.children.map(compress).sort(byKindThenName) };
}

// Code-point order, not locale order: the same on every machine, and the order git prints.
function byKindThenName(a: TreeNode, b: TreeNode): number {
  if (a.kind !== b.kind) return a.kind === "dir" ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export interface TreeRow {
  node: TreeNode;
  depth: number;
}

/** Depth-first rows to render, skipping the contents of collapsed folders. */
export function flattenTree(nodes: readonly TreeNode[], collapsed: ReadonlySet<string> = new Set(), depth = 0, out: TreeRow[] = []): TreeRow[] {
  for (const node of nodes) {
    out.push({ node, depth });
    if (node.kind === "dir" && !collapsed.has(node.path)) flattenTree(node.children, collapsed, depth + 1, out);
  }
  return out;
}

/** One letter per status, as in `git status --short` (B for binary). */
export function statusMark(file: DiffFile): string {
  if (file.binary || file.status === "binary") return "B";
  return { added: "A", deleted: "D", modified: "M", renamed: "R", copied: "C" }[file.status];
}

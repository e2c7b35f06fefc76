"use client";
// The changed files by folder, with +/− counts and a status letter; a click scrolls the diff to
// the file. Names are text, whatever characters they hold. On a phone, a select stands in.
import { memo, useEffect, useMemo, useState } from "react";
import type { DiffFile } from "../../lib/protocol/review";
import { buildFileTree, flattenTree, statusMark, type TreeNode } from "./lib/file-tree";
import { diffSource } from "./use-diff";

// Past this many files the tree opens with its folders shut: thousands of rows cost the page
// more than the reader gains before they pick a folder.
const LARGE_TREE = 300;
const NONE: ReadonlySet<string> = new Set();

function allDirs(nodes: readonly TreeNode[], out = new Set<string>()): Set<string> {
  for (const n of nodes) {
    if (n.kind === "dir") {
      out.add(n.path);
      allDirs(n.children, out);
    }
  }
  return out;
}

const MARK_STYLE: Record<string, string> = {
  A: "text-emerald-800 dark:text-emerald-400",
  D: "text-red-700 dark:text-red-400",
  M: "text-amber-800 dark:text-amber-400",
  R: "text-sky-700 dark:text-sky-400",
  C: "text-sky-700 dark:text-sky-400",
  B: "text-zinc-500",
};
const MARK_TITLE: Record<string, string> = { A: "added", D: "deleted", M: "modified", R: "renamed", C: "copied", B: "binary" };

export const FileTree = memo(function FileTree({ files, onSelect }: { files: readonly DiffFile[]; onSelect(index: number): void }) {
  // A diff's pages bring hunks, never new paths or counts: the tree is built once per diff.
  const source = diffSource(files);
  const tree = useMemo(() => buildFileTree(files), [source, files.length]);
  const [chosen, setCollapsed] = useState<ReadonlySet<string> | null>(null);
  const collapsed = useMemo(() => chosen ?? (files.length > LARGE_TREE ? allDirs(tree) : NONE), [chosen, files.length, tree]);
  const rows = useMemo(() => flattenTree(tree, collapsed), [tree, collapsed]);
  const toggle = (path: string) =>
    setCollapsed(() => {
      const next = new Set(collapsed);
      if (!next.delete(path)) next.add(path);
      return next;
    });

  if (files.length === 0) return <p className="px-3 py-2 text-xs text-muted">No files changed.</p>;
  return (
    <ul data-testid="file-tree" className="py-1 text-xs">
      {rows.map(({ node, depth }) => {
        const pad = { paddingLeft: `${0.75 + depth * 0.9}rem` };
        if (node.kind === "dir") {
          const open = !collapsed.has(node.path);
          return (
            <li key={`d:${node.path}`}>
              <button type="button" data-testid="file-dir" data-path={node.path} aria-expanded={open} onClick={() => toggle(node.path)} style={pad} className="flex w-full items-center gap-1 py-0.5 pr-3 text-left text-muted hover:bg-sunken">
                <span aria-hidden className="w-3 shrink-0">{open ? "▾" : "▸"}</span>
                <span className="min-w-0 flex-1 truncate" title={node.path}>{node.name}/</span>
                <Counts additions={node.additions} deletions={node.deletions} />
              </button>
            </li>
          );
        }
        const mark = statusMark(node.file);
        return (
          <li key={`f:${node.index}`}>
            <button type="button" data-testid="file-entry" data-path={node.path} data-status={node.file.status} onClick={() => onSelect(node.index)} style={pad} className="flex w-full items-center gap-1 py-0.5 pr-3 text-left hover:bg-sunken">
              <span title={MARK_TITLE[mark]} className={`w-3 shrink-0 font-mono font-semibold ${MARK_STYLE[mark]}`}>{mark}</span>
              <span className="min-w-0 flex-1 truncate font-mono" title={node.path}>{node.name}</span>
              <Counts additions={node.file.additions} deletions={node.file.deletions} />
            </button>
          </li>
        );
      })}
    </ul>
  );
});

/**
 * The phone's file picker: a native select, which the phone shows as its own full-screen list.
 * Only on a phone-sized screen: elsewhere thousands of hidden options would only weigh on the page.
 */
export function FileSelect({ files, onSelect }: { files: readonly DiffFile[]; onSelect(index: number): void }) {
  const phone = usePhoneWidth();
  // Pages bring hunks, never paths or counts: the options are built once per diff.
  const source = diffSource(files);
  const options = useMemo(
    () => files.map((f, i) => (
      <option key={`${i}:${f.path}`} value={i}>
        {statusMark(f)} {f.path} (+{f.additions} −{f.deletions})
      </option>
    )),
    [source, files.length],
  );
  if (!phone) return null;
  if (files.length === 0) return <span className="min-w-0 truncate text-xs text-muted">No files changed.</span>;
  return (
    <>
      <label htmlFor="review-file-select" className="sr-only">
        Go to a file
      </label>
      <select
        id="review-file-select"
        data-testid="file-select"
        value=""
        onChange={(e) => onSelect(Number(e.target.value))}
        className="min-w-0 flex-1 rounded-md border border-line bg-canvas px-2 py-1.5 font-mono text-xs"
      >
        <option value="" disabled>
          {files.length} {files.length === 1 ? "file" : "files"}: go to…
        </option>
        {options}
      </select>
    </>
  );
}

function Counts({ additions, deletions }: { additions: number; deletions: number }) {
  return (
    <span className="shrink-0 font-mono text-[11px]">
      <span className="text-emerald-800 dark:text-emerald-400">+{additions}</span> <span className="text-red-700 dark:text-red-400">−{deletions}</span>
    </span>
  );
}

const PHONE = "(max-width: 767px)";

function usePhoneWidth(): boolean {
  const [phone, setPhone] = useState(false);
  useEffect(() => {
    const mq = window.matchMedia(PHONE);
    setPhone(mq.matches);
    const on = () => setPhone(mq.matches);
    mq.addEventListener("change", on);
    return () => mq.removeEventListener("change", on);
  }, []);
  return phone;
}

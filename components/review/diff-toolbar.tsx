"use client";
// Above the files: what the diff covers, the layout switch, and notices (truncated, outdated).
import type { DiffJson } from "../../lib/protocol/review";
import { shortSha } from "../lib/format";
import type { DiffMode } from "./file-body";

interface Props {
  diff: DiffJson;
  mode: DiffMode;
  onMode(m: DiffMode): void;
  /** The branch has moved past what this diff shows. */
  stale: boolean;
  onReload(): void;
}

export function DiffToolbar({ diff, mode, onMode, stale, onReload }: Props) {
  let additions = 0;
  let deletions = 0;
  for (const f of diff.files) {
    additions += f.additions;
    deletions += f.deletions;
  }
  const modeBtn = (m: DiffMode) => `px-2.5 py-1 text-xs ${mode === m ? "bg-accent/10 font-medium text-accent" : "text-muted hover:text-fg"}`;
  return (
    <div className="mb-3 space-y-2">
      <div className="flex flex-wrap items-center gap-3 text-xs text-muted">
        <span data-testid="diff-summary">
          {diff.files.length} {diff.files.length === 1 ? "file" : "files"} changed,{" "}
          <span className="text-emerald-800 dark:text-emerald-400">+{additions}</span> <span className="text-red-700 dark:text-red-400">−{deletions}</span>
          <span className="ml-2 font-mono">
            {shortSha(diff.from)}..{shortSha(diff.to)}
          </span>
        </span>
        <div role="group" aria-label="Diff layout" className="ml-auto flex overflow-hidden rounded-md border border-line bg-panel">
          <button type="button" data-testid="diff-mode-unified" aria-pressed={mode === "unified"} onClick={() => onMode("unified")} className={modeBtn("unified")}>
            Unified
          </button>
          <button type="button" data-testid="diff-mode-split" aria-pressed={mode === "split"} onClick={() => onMode("split")} className={`border-l border-line ${modeBtn("split")}`}>
            Side by side
          </button>
        </div>
      </div>
      {diff.truncated && (
        <p data-testid="diff-truncated" className="rounded-md bg-amber-500/10 px-3 py-1.5 text-xs text-amber-800 dark:text-amber-300">
          This diff is too large to show completely; some files are left out. Download the patch to read all of it.
        </p>
      )}
      {stale && (
        <p data-testid="diff-stale" className="flex items-center gap-2 rounded-md bg-sky-500/10 px-3 py-1.5 text-xs text-sky-800 dark:text-sky-300">
          The agent has added checkpoints since this diff was loaded.
          <button type="button" data-testid="diff-reload" onClick={onReload} className="font-medium underline">
            Show the latest
          </button>
        </p>
      )}
    </div>
  );
}

"use client";
// One file of the diff (the list renders it only near the viewport): its header, its lines (or,
// until its page of hunks arrives, a placeholder of about their height), folded when very large.
import { memo, startTransition, useMemo, useState } from "react";
import type { DiffFile, ThreadDto } from "../../lib/protocol/review";
import { FileBody, type DiffMode } from "./file-body";
import type { LineActions } from "./line-extras";
import { isFolded, lineCount } from "./lib/diff-size";
import { languageFor } from "./lib/language";
import type { LineRef } from "./lib/line-keys";
import type { Draft } from "./use-drafts";
import { demandHunks, hunksError } from "./use-diff";

interface Props {
  file: DiffFile;
  index: number;
  mode: DiffMode;
  /** The keyboard is on this file (j/k). */
  current?: boolean;
  /** Height of the placeholder while the hunks load. */
  placeholderPx: number;
  threads?: ReadonlyMap<string, ThreadDto[]>;
  drafts?: readonly Draft[];
  open?: LineRef | null;
  /** Absent: read-only (the session's Diff tab). */
  actions?: LineActions;
}

/** The id of the empty element at file `index`'s place in the list (diff-list's anchors). */
export const fileAnchorId = (index: number) => `review-file-${index}`;

export const DiffFileView = memo(function DiffFileView({ file, index, mode, current = false, placeholderPx, threads, drafts, open, actions }: Props) {
  const [expanded, setExpanded] = useState(false);
  const lang = useMemo(() => languageFor(file.path), [file.path]);
  const folded = isFolded(file) && !expanded;
  const failed = hunksError(file);
  const expand = () => {
    // A folded file's hunks (a huge one's whole diff) load only now.
    demandHunks(file, file.tooLarge);
    startTransition(() => setExpanded(true));
  };
  let body;
  if (file.binary || file.status === "binary") body = <Note>Binary file not shown.</Note>;
  else if (folded) body = <Folded file={file} threads={threads?.size ?? 0} onExpand={expand} />;
  else if (failed !== null) body = <Failed message={failed} onRetry={() => demandHunks(file, file.tooLarge && expanded, true)} />;
  else if (file.deferred || (expanded && file.tooLarge && file.hunks.length === 0)) body = <Loading px={placeholderPx} />;
  else if (file.hunks.length === 0) body = <Note>{file.tooLarge ? "This file's diff is too large to show here; download the patch to read it." : "No changes to the content."}</Note>;
  else body = <FileBody file={file} mode={mode} lang={lang} threads={threads} drafts={drafts} open={open} actions={actions} />;

  return (
    <section data-testid="diff-file" data-path={file.path} data-index={index} data-current={current || undefined} data-file-section className="scroll-mt-2 rounded-md border border-line bg-panel data-current:ring-2 data-current:ring-accent">
      <FileHeader file={file} />
      {body}
    </section>
  );
});

function FileHeader({ file }: { file: DiffFile }) {
  return (
    <header className={`sticky top-0 z-10 flex flex-wrap items-center gap-x-3 gap-y-0.5 border-b border-line bg-sunken px-3 py-2 text-xs`}>
      <span data-testid="diff-file-path" className="min-w-0 break-all font-mono font-medium text-fg">
        {file.path}
      </span>
      {(file.status === "renamed" || file.status === "copied") && file.oldPath !== null && (
        <span data-testid="diff-file-renamed" className="text-muted">
          {file.status === "renamed" ? "renamed" : "copied"} from <span className="break-all font-mono">{file.oldPath}</span>
        </span>
      )}
      {file.status === "added" && <Tag tone="emerald">new file</Tag>}
      {file.status === "deleted" && <Tag tone="red">deleted</Tag>}
      {(file.binary || file.status === "binary") && <Tag tone="zinc">binary file</Tag>}
      <span className="ml-auto shrink-0 font-mono">
        <span className="text-emerald-800 dark:text-emerald-400">+{file.additions}</span>{" "}
        <span className="text-red-700 dark:text-red-400">−{file.deletions}</span>
      </span>
    </header>
  );
}

const TONES = {
  emerald: "bg-emerald-500/15 text-emerald-800 dark:text-emerald-300",
  red: "bg-red-500/15 text-red-700 dark:text-red-300",
  zinc: "bg-zinc-500/15 text-zinc-600 dark:text-zinc-300",
};

function Tag({ tone, children }: { tone: keyof typeof TONES; children: string }) {
  return <span className={`rounded px-1.5 py-0.5 font-medium ${TONES[tone]}`}>{children}</span>;
}

// Where the lines will be, about as tall, until the file's page of hunks arrives.
function Loading({ px }: { px: number }) {
  return (
    <div data-file-placeholder data-testid="diff-file-loading" style={{ height: px }} className="px-3 py-2.5 text-xs text-muted">
      Loading the diff…
    </div>
  );
}

// A page of hunks the server could not give: what it said, and a way to ask again.
function Failed({ message, onRetry }: { message: string; onRetry(): void }) {
  return (
    <div role="alert" data-testid="diff-file-error" className="flex flex-wrap items-center gap-3 px-3 py-2.5 text-xs text-red-700 dark:text-red-400">
      <span className="min-w-0 break-words">{message}</span>
      <button type="button" data-testid="diff-file-retry" onClick={onRetry} className="rounded-md border border-line bg-panel px-2 py-0.5 text-fg hover:border-accent">
        Try again
      </button>
    </div>
  );
}

function Note({ children }: { children: string }) {
  return <p className="px-3 py-2.5 text-xs text-muted">{children}</p>;
}

function Folded({ file, threads, onExpand }: { file: DiffFile; threads: number; onExpand(): void }) {
  const n = lineCount(file);
  return (
    <div className="flex items-center gap-3 px-3 py-2 text-xs text-muted">
      <span>
        {file.tooLarge ? `Large diff not loaded: ${n.toLocaleString("en-US")} changed lines.` : `Large diff: ${n.toLocaleString("en-US")} lines.`}
        {threads > 0 && ` ${threads} commented ${threads === 1 ? "line" : "lines"} inside.`}
      </span>
      <button type="button" data-testid="diff-expand" onClick={onExpand} className="rounded-md border border-line bg-panel px-2 py-0.5 text-fg hover:border-accent">
        {file.tooLarge ? "Load diff" : "Show diff"}
      </button>
    </div>
  );
}

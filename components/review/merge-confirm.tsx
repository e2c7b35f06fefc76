"use client";
// The confirmation before a merge: strategy, target branch, how many commits and files. When the
// review is not settled (unresolved threads, changes requested) it asks why to merge anyway, and
// Merge stays off until there is a reason (kept in the audit trail). Like ConfirmDialog: a modal
// dialog, Cancel has the focus, Escape cancels, focus returns to the opener.
import { useId, useState } from "react";
import { useModal } from "../lib/use-modal";

interface Props {
  strategy: string;
  baseBranch: string;
  branch: string;
  commits: number;
  files: number;
  /** What merging overrides ("2 review threads are unresolved"); null when nothing. */
  needsOverride: string | null;
  onConfirm(overrideReason: string | undefined): void;
  onCancel(): void;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

export function MergeConfirm({ strategy, baseBranch, branch, commits, files, needsOverride, onConfirm, onCancel }: Props) {
  const { dialog, focus: cancel } = useModal();
  const id = useId();
  const [reason, setReason] = useState("");
  const ready = !needsOverride || reason.trim().length > 0;

  return (
    <dialog
      ref={dialog}
      role="alertdialog"
      aria-modal="true"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-facts`}
      data-testid="confirm-dialog"
      onClose={onCancel}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg border border-line bg-panel p-4 text-left text-sm text-fg shadow-xl backdrop:bg-black/40"
    >
      <h2 id={`${id}-title`} className="text-base font-semibold">
        Merge into {baseBranch}?
      </h2>
      <dl id={`${id}-facts`} data-testid="merge-facts" className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
        <dt className="text-muted">Strategy</dt>
        <dd data-testid="merge-fact-strategy">{strategy}</dd>
        <dt className="text-muted">Target</dt>
        <dd data-testid="merge-fact-target" className="break-all font-mono text-xs leading-5">
          {baseBranch} ← {branch}
        </dd>
        <dt className="text-muted">Brings</dt>
        <dd data-testid="merge-fact-size">
          {plural(commits, "commit")}, {plural(files, "file")}
        </dd>
      </dl>
      <p className="mt-2 text-muted">This pushes to the origin.</p>
      {needsOverride && (
        <div className="mt-3 rounded-md border border-amber-500/40 bg-amber-500/10 p-2">
          <label htmlFor={`${id}-reason`} className="block text-amber-800 dark:text-amber-200" data-testid="merge-override-needed">
            The review is not settled: {needsOverride}. Say why you merge anyway (kept in the audit log).
          </label>
          <textarea
            id={`${id}-reason`}
            data-testid="merge-override-reason"
            rows={2}
            maxLength={1000}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            className="mt-1.5 w-full resize-y rounded border border-line bg-canvas px-2 py-1 text-sm outline-none focus:border-accent"
          />
        </div>
      )}
      <div className="mt-4 flex justify-end gap-2">
        <button ref={cancel} type="button" data-testid="confirm-cancel" onClick={onCancel} className="rounded-md border border-line bg-canvas px-3 py-1 hover:border-accent">
          Cancel
        </button>
        <button
          type="button"
          data-testid="confirm-ok"
          disabled={!ready}
          title={ready ? undefined : "Give a reason first."}
          onClick={() => onConfirm(needsOverride ? reason.trim() : undefined)}
          className="rounded-md bg-emerald-700 px-3 py-1 font-medium text-white hover:bg-emerald-800 disabled:cursor-not-allowed disabled:opacity-50"
        >
          {needsOverride ? "Merge anyway" : "Merge"}
        </button>
      </div>
    </dialog>
  );
}

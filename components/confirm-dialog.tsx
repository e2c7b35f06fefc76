"use client";
// The confirmation before an action that changes a branch people rely on (merge, push, reset):
// a modal dialog that says exactly what will happen. Cancel has the focus, so a stray Enter or
// click does nothing; Escape cancels; focus returns to the button that opened it. Shown while
// mounted: the caller renders it only when it asks.
import { useId } from "react";
import { useModal } from "./lib/use-modal";

interface Props {
  title: string;
  /** What will happen, in full: which branch, where to, what it costs. */
  message: string;
  confirmLabel: string;
  tone?: "danger" | "primary";
  onConfirm(): void;
  onCancel(): void;
}

export function ConfirmDialog({ title, message, confirmLabel, tone = "primary", onConfirm, onCancel }: Props) {
  const { dialog, focus: cancel } = useModal();
  const id = useId();

  const confirmClass = tone === "danger" ? "bg-red-600 hover:bg-red-700" : "bg-emerald-700 hover:bg-emerald-800";
  return (
    <dialog
      ref={dialog}
      role="alertdialog"
      aria-modal="true"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-message`}
      data-testid="confirm-dialog"
      // Escape: the browser closes the dialog (and may not let us cancel that); follow it.
      onClose={onCancel}
      className="m-auto max-w-md rounded-lg border border-line bg-panel p-4 text-left text-sm text-fg shadow-xl backdrop:bg-black/40"
    >
      <h2 id={`${id}-title`} className="text-base font-semibold">
        {title}
      </h2>
      <p id={`${id}-message`} data-testid="confirm-message" className="mt-2 break-words">
        {message}
      </p>
      <div className="mt-4 flex justify-end gap-2">
        <button ref={cancel} type="button" data-testid="confirm-cancel" onClick={onCancel} className="rounded-md border border-line bg-canvas px-3 py-1 hover:border-accent">
          Cancel
        </button>
        <button type="button" data-testid="confirm-ok" onClick={onConfirm} className={`rounded-md px-3 py-1 font-medium text-white ${confirmClass}`}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

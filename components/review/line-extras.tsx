"use client";
// What hangs under a diff line: its review threads, the reviewer's pending comments, and the
// open comment box.
import { useState, type FormEvent } from "react";
import type { ThreadDto } from "../../lib/protocol/review";
import type { LineRef } from "./lib/line-keys";
import { ThreadView } from "./thread-view";
import type { Draft } from "./use-drafts";

export interface LineActions {
  sessionId: string;
  canReview: boolean;
  openComment(ref: LineRef): void;
  cancelComment(): void;
  addDraft(ref: LineRef, body: string): void;
  removeDraft(id: string): void;
  threadChanged(): void;
}

interface Props {
  threads: readonly ThreadDto[];
  drafts: readonly Draft[];
  open: LineRef | null;
  actions: LineActions;
}

export function LineExtras({ threads, drafts, open, actions }: Props) {
  if (threads.length === 0 && drafts.length === 0 && !open) return null;
  return (
    <div className="space-y-2 border-y border-line bg-canvas px-2 py-2 font-sans text-sm md:px-4">
      {threads.map((t) => (
        <ThreadView key={t.id} thread={t} sessionId={actions.sessionId} canReview={actions.canReview} onChanged={actions.threadChanged} />
      ))}
      {drafts.map((d) => (
        <PendingComment key={d.id} draft={d} onRemove={() => actions.removeDraft(d.id)} />
      ))}
      {open && <CommentBox key={`${open.side}:${open.line}`} at={open} onAdd={(body) => actions.addDraft(open, body)} onCancel={actions.cancelComment} />}
    </div>
  );
}

function PendingComment({ draft, onRemove }: { draft: Draft; onRemove(): void }) {
  return (
    <div data-testid="pending-comment" data-line={draft.line} data-side={draft.side} className="rounded-md border border-amber-500/40 bg-amber-500/5 px-3 py-2">
      <div className="mb-1 flex flex-wrap items-center gap-2 text-xs">
        <span className="rounded bg-amber-500/15 px-1.5 py-0.5 font-medium text-amber-800 dark:text-amber-300">Pending</span>
        <span className="text-muted">
          {draft.side === "old" ? "old" : "new"} line {draft.line}
        </span>
        <button type="button" data-testid="pending-remove" onClick={onRemove} className="ml-auto text-muted hover:text-red-600">
          Remove
        </button>
      </div>
      <p className="whitespace-pre-wrap break-words">{draft.body}</p>
    </div>
  );
}

function CommentBox({ at, onAdd, onCancel }: { at: LineRef; onAdd(body: string): void; onCancel(): void }) {
  const [body, setBody] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (body.trim()) onAdd(body);
  };
  return (
    <form onSubmit={submit} data-testid="comment-box" className="rounded-md border border-line bg-panel p-2">
      <label className="mb-1 block text-xs text-muted" htmlFor={`comment-${at.side}-${at.line}`}>
        Comment on {at.side} line {at.line}
      </label>
      <textarea
        id={`comment-${at.side}-${at.line}`}
        data-testid="comment-input"
        autoFocus
        rows={3}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) e.currentTarget.form?.requestSubmit();
          if (e.key === "Escape") onCancel();
        }}
        placeholder="Leave a comment (Markdown). It is sent with your review."
        className="w-full resize-y rounded-md border border-line bg-canvas px-2 py-1.5 text-sm outline-none focus:border-accent focus:ring-1 focus:ring-accent"
      />
      <div className="mt-1.5 flex justify-end gap-2">
        <button type="button" data-testid="comment-cancel" onClick={onCancel} className="rounded-md px-2.5 py-1 text-sm text-muted hover:text-fg">
          Cancel
        </button>
        <button type="submit" data-testid="comment-add" disabled={!body.trim()} className="rounded-md bg-accent px-2.5 py-1 text-sm font-medium text-white disabled:opacity-50">
          Add to review
        </button>
      </div>
    </form>
  );
}

"use client";
// One review thread: its comments, a reply box and the resolve toggle. After a change the page
// reloads the review summary (onChanged), which is the source of truth.
import { useState, type FormEvent } from "react";
import type { ThreadDto } from "../../lib/protocol/review";
import { MarkdownText } from "../markdown";
import { replyToThread, resolveThread } from "./lib/review-api";

interface Props {
  thread: ThreadDto;
  sessionId: string;
  canReview: boolean;
  onChanged(): void;
  /** Outdated threads show where they were and the code they were about. */
  showContext?: boolean;
}

export function ThreadView({ thread, sessionId, canReview, onChanged, showContext = false }: Props) {
  const [reply, setReply] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run(call: () => Promise<{ ok: true } | { ok: false; message: string }>, after?: () => void) {
    setBusy(true);
    setError(null);
    const res = await call();
    setBusy(false);
    if (!res.ok) return setError(res.message);
    after?.();
    onChanged();
  }
  const send = (e: FormEvent) => {
    e.preventDefault();
    if (reply.trim()) void run(() => replyToThread(sessionId, thread.id, reply), () => setReply(""));
  };

  return (
    <div data-testid="thread" data-thread-id={thread.id} data-resolved={thread.resolved} className={`rounded-md border border-line bg-panel ${thread.resolved ? "opacity-75" : ""}`}>
      {showContext && (
        <div className="border-b border-line px-3 py-1.5 text-xs text-muted">
          <span className="font-mono break-all">{thread.path}</span> · {thread.side} line {thread.line}
          {thread.quotedCode && <pre className="mt-1 overflow-x-auto rounded bg-sunken px-2 py-1 font-mono text-fg">{thread.quotedCode}</pre>}
        </div>
      )}
      <ul className="divide-y divide-line">
        {thread.comments.map((c) => (
          <li key={c.id} data-testid="thread-comment" className="px-3 py-2">
            <div className="mb-0.5 text-xs break-words text-muted">
              <span className="font-medium text-fg">{c.author.name}</span> · {new Date(c.createdAt).toLocaleString()}
            </div>
            <MarkdownText text={c.body} />
          </li>
        ))}
      </ul>
      <form onSubmit={send} className="flex flex-wrap items-end gap-2 border-t border-line px-3 py-2">
        <textarea
          data-testid="thread-reply-input"
          aria-label="Reply"
          rows={1}
          value={reply}
          disabled={!canReview}
          onChange={(e) => setReply(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) e.currentTarget.form?.requestSubmit();
          }}
          placeholder={canReview ? "Reply…" : "Only members can reply."}
          className="min-h-8 min-w-40 flex-1 resize-y rounded-md border border-line bg-canvas px-2 py-1 text-sm outline-none focus:border-accent disabled:opacity-60"
        />
        <button type="submit" data-testid="thread-reply-send" disabled={!canReview || busy || !reply.trim()} className="rounded-md border border-line px-2.5 py-1 text-sm disabled:opacity-50">
          Reply
        </button>
        <button
          type="button"
          data-testid="thread-resolve"
          aria-pressed={thread.resolved}
          disabled={!canReview || busy}
          onClick={() => void run(() => resolveThread(sessionId, thread.id, !thread.resolved))}
          className="rounded-md border border-line px-2.5 py-1 text-sm disabled:opacity-50"
        >
          {thread.resolved ? "Unresolve" : "Resolve"}
        </button>
      </form>
      {error && (
        <p role="alert" data-testid="thread-error" className="px-3 pb-2 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

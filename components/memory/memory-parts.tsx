"use client";
// Pieces the Memory page and the transcript's memory cards share: the state badge, where an
// entry came from, and the inline editor (which shows the server's refusal, e.g. a secret).
import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { MEMORY_TEXT_MAX, type MemoryEntryDto, type MemoryState } from "../../lib/protocol/memory";
import { useSubmit } from "../lib/use-submit";
import { ErrorNote, inputClass, primaryButton, secondaryButton } from "../ui/form";
import { shortId, STATE_WORDS } from "./memory-api";

const STATE_TONE: Record<MemoryState, string> = {
  proposed: "bg-amber-500/20 text-amber-800 dark:text-amber-300",
  accepted: "bg-emerald-500/15 text-emerald-800 dark:text-emerald-300",
  archived: "bg-zinc-500/15 text-zinc-600 dark:text-zinc-400",
  rejected: "bg-red-500/15 text-red-700 dark:text-red-300",
};

export function MemoryStateBadge({ state }: { state: MemoryState }) {
  return (
    <span data-testid="memory-state" data-state={state} className={`rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ${STATE_TONE[state]}`}>
      {STATE_WORDS[state]}
    </span>
  );
}

/** "from session abc12345, turn 7" (a link) or "written by Ana". */
export function MemorySource({ source }: { source: MemoryEntryDto["source"] }) {
  if (source.sessionId) {
    return (
      <span data-testid="memory-source">
        from session{" "}
        <Link href={`/sessions/${encodeURIComponent(source.sessionId)}`} className="font-mono text-accent hover:underline">
          {shortId(source.sessionId)}
        </Link>
        {source.turn !== null && `, turn ${source.turn}`}
      </span>
    );
  }
  return <span data-testid="memory-source">{source.by ? `written by ${source.by}` : "source unknown"}</span>;
}

interface EditorProps {
  initial: string;
  /** Offer "Save and accept" too (a proposed entry). */
  canAccept: boolean;
  /** Answers the message to show when the server refused, else null. */
  onSave(text: string, accept: boolean): Promise<string | null>;
  onCancel(): void;
}

export function MemoryEditor({ initial, canAccept, onSave, onCancel }: EditorProps) {
  const id = useId();
  const [text, setText] = useState(initial);
  const { busy, error, run } = useSubmit();
  const [accepting, setAccepting] = useState(false);
  const blank = text.trim() === "";

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const accept = (e.nativeEvent as SubmitEvent).submitter?.dataset.accept === "1";
    setAccepting(accept);
    // useSubmit leaves the form busy after a success: the caller closes the editor then.
    void run(() => onSave(text, accept));
  }

  return (
    <form onSubmit={submit} aria-label="Edit memory entry" data-testid="memory-editor" className="space-y-2">
      <label htmlFor={`${id}-text`} className="sr-only">
        Entry text (markdown)
      </label>
      <textarea id={`${id}-text`} data-testid="memory-edit-text" className={`${inputClass} min-h-24 font-mono`} value={text}
        onChange={(e) => setText(e.target.value)} maxLength={MEMORY_TEXT_MAX} aria-describedby={error ? `${id}-err` : undefined} autoFocus />
      {error && (
        <div id={`${id}-err`}>
          <ErrorNote testId="memory-edit-error">{error}</ErrorNote>
        </div>
      )}
      <div className="flex flex-wrap gap-2">
        <button type="submit" data-testid="memory-edit-save" disabled={busy || blank} className={canAccept ? secondaryButton : primaryButton}>
          {busy && !accepting ? "Saving…" : "Save"}
        </button>
        {canAccept && (
          <button type="submit" data-testid="memory-edit-save-accept" data-accept="1" disabled={busy || blank} className={primaryButton}>
            {busy && accepting ? "Saving…" : "Save and accept"}
          </button>
        )}
        <button type="button" data-testid="memory-edit-cancel" onClick={onCancel} className={secondaryButton}>
          Cancel
        </button>
      </div>
    </form>
  );
}

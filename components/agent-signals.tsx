"use client";
// What the agent loop reports besides text and tools: waits for the model, context compactions,
// plan milestones and refusals. Quiet by design: they explain a pause, they are not the story.
import { useEffect, useState } from "react";
import type { TranscriptItem } from "./lib/transcript";
import { MarkdownText } from "./markdown";
import { TodoList } from "./todo-panel";

type Of<K extends TranscriptItem["kind"]> = Extract<TranscriptItem, { kind: K }>;

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const n = (x: number) => x.toLocaleString("en-US");

// Milliseconds left until `deadline`, ticking once a second while `active`; the timer stops by
// itself when the wait is over, so a page full of old retries runs no timers.
function useRemaining(deadline: number, maxMs: number, active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => {
      const at = Date.now();
      setNow(at);
      if (at >= deadline) clearInterval(t);
    }, 1000);
    return () => clearInterval(t);
  }, [deadline, active]);
  // Clamped: the event's time comes from another clock.
  return Math.min(maxMs, Math.max(0, deadline - now));
}

export function RetryNotice({ item }: { item: Of<"retry"> }) {
  const remaining = useRemaining(Date.parse(item.at) + item.waitMs, item.waitMs, !item.settled);
  const reason = capitalize(item.reason);
  // The event numbers the attempt that failed (sandbox/worker/model-call.ts); people want the one coming.
  const next = item.attempt + 1;
  const text = item.settled
    ? `${reason} — retried ${item.retries === 1 ? "once" : `${item.retries} times`}`
    : remaining > 0
      ? `${reason} — retrying in ${Math.ceil(remaining / 1000)} s, attempt ${next}`
      : `${reason} — retrying now, attempt ${next}`;
  return (
    <div data-testid="retry-notice" data-settled={item.settled} data-attempt={next} className="flex items-center gap-2 px-1 text-xs text-muted">
      <span aria-hidden className="text-amber-600 dark:text-amber-400">↻</span>
      <span data-testid="retry-text" className="min-w-0 break-words">
        {text}
      </span>
    </div>
  );
}

export function CompactionDivider({ item }: { item: Of<"compaction"> }) {
  const [open, setOpen] = useState(false);
  const how = item.strategy === "summary" ? "summary" : `${n(item.cleared ?? 0)} old tool ${item.cleared === 1 ? "result" : "results"} cleared`;
  return (
    <div data-testid="compaction-event" data-strategy={item.strategy} className="flex flex-col items-center gap-1">
      <div className="flex w-full items-center gap-2 text-[11px] text-muted">
        <span className="h-px flex-1 bg-line" />
        <span data-testid="compaction-text" className="text-center">
          Context compacted: {n(item.tokensBefore)} → {n(item.tokensAfter)} tokens ({how})
        </span>
        <span className="h-px flex-1 bg-line" />
      </div>
      {item.summary && (
        <>
          <button
            type="button"
            data-testid="compaction-summary-toggle"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
            className="text-[11px] text-accent hover:underline"
          >
            {open ? "Hide the summary" : "Show the summary the agent carries on from"}
          </button>
          {open && (
            <div data-testid="compaction-summary" className="w-full rounded-md border border-line bg-sunken px-3 py-2 text-xs">
              <MarkdownText text={item.summary} />
            </div>
          )}
        </>
      )}
    </div>
  );
}

export function TodoMarker({ item }: { item: Of<"todo"> }) {
  const steps = `${item.items.length} ${item.items.length === 1 ? "step" : "steps"}`;
  if (item.phase === "done") {
    return (
      <div data-testid="todo-event" data-phase="done" className="flex items-center gap-2 px-1 text-xs">
        <span aria-hidden className="text-emerald-600 dark:text-emerald-400">✓</span>
        <span className="font-medium">Plan complete: all {steps} done</span>
      </div>
    );
  }
  return (
    <div data-testid="todo-event" data-phase="plan" className="rounded-md border border-line bg-panel px-3 py-2">
      <p className="mb-1 text-xs font-medium">Plan: {steps}</p>
      <TodoList items={item.items} />
    </div>
  );
}

export function RefusalNotice({ item }: { item: Of<"refusal"> }) {
  return (
    <div role="note" data-testid="refusal-event" className="rounded-md border border-amber-500/40 bg-amber-500/10 px-3 py-2 text-sm text-amber-900 dark:text-amber-200">
      <span className="mr-2 text-xs font-semibold uppercase">Model declined</span>
      <span className="whitespace-pre-wrap break-words">{item.message}</span>
    </div>
  );
}

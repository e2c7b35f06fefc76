"use client";
// The agent's plan (its todo tool), live: a checklist beside the transcript on wide screens, and
// a collapsible strip above the composer on a phone. The transcript only marks a new plan and its
// completion; this panel shows every update.
import type { TodoEntry } from "./lib/transcript";

const STATUS_LABEL = { pending: "to do", in_progress: "in progress", completed: "done" } as const;
const GLYPH = { pending: "○", in_progress: "◐", completed: "✓" } as const;

/** The checklist itself, also used by the transcript's plan marker. */
export function TodoList({ items }: { items: readonly TodoEntry[] }) {
  return (
    <ul className="flex flex-col gap-0.5 text-xs" data-testid="todo-list">
      {items.map((t, i) => (
        <li
          // Items carry no id and the whole list is replaced at each update: position is the identity.
          key={i}
          data-testid="todo-item"
          data-status={t.status}
          aria-current={t.status === "in_progress" ? "step" : undefined}
          className={`flex items-start gap-2 rounded px-1.5 py-0.5 ${
            t.status === "in_progress" ? "bg-accent/10 font-medium text-fg" : t.status === "completed" ? "text-muted line-through" : "text-fg"
          }`}
        >
          <span aria-hidden className={`w-3 shrink-0 text-center ${t.status === "completed" ? "text-emerald-600 dark:text-emerald-400" : t.status === "in_progress" ? "text-accent" : "text-muted"}`}>
            {GLYPH[t.status]}
          </span>
          <span className="sr-only">{STATUS_LABEL[t.status]}: </span>
          <span className="min-w-0 break-words">{t.content}</span>
        </li>
      ))}
    </ul>
  );
}

const doneCount = (items: readonly TodoEntry[]) => items.filter((t) => t.status === "completed").length;

/** Both placements; CSS shows the one that fits the screen. Renders nothing without a plan. */
export function TodoPanel({ items, variant }: { items: readonly TodoEntry[] | null; variant: "side" | "inline" }) {
  if (!items || items.length === 0) return null;
  const done = doneCount(items);
  const current = items.find((t) => t.status === "in_progress");
  const count = (
    <span data-testid="todo-count" className="tabular-nums text-muted">
      {done}/{items.length} done
    </span>
  );

  if (variant === "side") {
    return (
      <aside data-testid="todo-panel" data-variant="side" aria-label="Plan" className="hidden w-72 shrink-0 overflow-y-auto border-l border-line bg-panel p-3 lg:block">
        <h2 className="mb-2 flex items-baseline justify-between text-xs font-semibold">
          Plan {count}
        </h2>
        <TodoList items={items} />
      </aside>
    );
  }
  // Collapsed by default on a phone: the summary line says where the agent is.
  return (
    <details data-testid="todo-panel" data-variant="inline" className="group shrink-0 border-t border-line bg-panel lg:hidden">
      <summary data-testid="todo-toggle" className="flex cursor-pointer list-none items-center gap-2 px-4 py-1.5 text-xs">
        <span aria-hidden className="text-muted group-open:rotate-90">▸</span>
        <span className="font-semibold">Plan</span>
        {count}
        {current && <span className="min-w-0 flex-1 truncate text-fg">· {current.content}</span>}
      </summary>
      <div className="max-h-48 overflow-y-auto px-3 pb-2">
        <TodoList items={items} />
      </div>
    </details>
  );
}

"use client";
// A memory entry the agent proposed (`remember`), shown in the transcript. (Placeholder: the
// memory UI work makes it accept / edit / reject inline.)
import type { MemoryItem } from "../lib/transcript";

export function MemoryCard({ item }: { item: MemoryItem }) {
  return (
    <div data-testid="memory-card" data-entry-id={item.entryId} className="rounded-md border border-line px-3 py-2 text-sm">
      <span className="mr-2 text-xs font-semibold uppercase text-muted">Proposed memory</span>
      <span className="whitespace-pre-wrap break-words">{item.text}</span>
    </div>
  );
}

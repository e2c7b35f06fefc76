"use client";
// The scrolling transcript. It follows new output while the reader is at the bottom and stays
// put once they scroll up, with a button to jump back.
import type { TranscriptState } from "./lib/transcript";
import { useStickToBottom } from "./lib/use-stick-to-bottom";
import { TranscriptEntry } from "./transcript-item";

interface Props {
  state: TranscriptState;
  loading: boolean;
}

export function TranscriptView({ state, loading }: Props) {
  const { ref, onScroll, atBottom, scrollToBottom } = useStickToBottom<HTMLDivElement>(state);

  return (
    <div className="relative min-h-0 flex-1">
      <div ref={ref} onScroll={onScroll} data-testid="transcript" className="h-full overflow-y-auto px-4 py-4">
        <div className="mx-auto flex max-w-4xl flex-col gap-3">
          {state.items.map((item) => (
            <TranscriptEntry key={item.seq} item={item} />
          ))}
          {loading && <p className="text-center text-xs text-muted">Loading history…</p>}
        </div>
      </div>
      {!atBottom && (
        <button
          type="button"
          data-testid="scroll-to-bottom"
          onClick={scrollToBottom}
          className="absolute right-6 bottom-4 rounded-full border border-line bg-panel px-3 py-1 text-xs shadow hover:bg-sunken"
        >
          ↓ Latest
        </button>
      )}
    </div>
  );
}

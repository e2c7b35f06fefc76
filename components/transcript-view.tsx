"use client";
// The scrolling transcript. It follows new output while the reader is at the bottom and stays
// put once they scroll up, with a button to jump back. Opened from a search hit (`?at=SEQ`), it
// scrolls to that event once the replay has brought it, and marks it for a moment.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { eventItemSeq, type TranscriptItem, type TranscriptState } from "./lib/transcript";
import { useStickToBottom } from "./lib/use-stick-to-bottom";
import { HighlightContext, useHighlighterLoader } from "./review/use-highlighter";
import { nestTasks } from "./session/task-nesting";
import { TranscriptEntry } from "./transcript-item";

const FLASH_MS = 2_500;

interface Props {
  state: TranscriptState;
  loading: boolean;
}

export function TranscriptView({ state, loading }: Props) {
  const { ref, onScroll, atBottom, scrollToBottom, unpin } = useStickToBottom<HTMLDivElement>(state);
  const highlight = useHighlighterLoader();
  const at = useTargetSeq();
  // A subagent's steps render inside their task block; a search hit on one marks the block.
  const nesting = useMemo(() => nestTasks(state.items), [state.items]);
  const target = useMemo(() => (at === null || state.lastSeq < at ? null : eventItemSeq(nesting.top, at)), [at, state.lastSeq, nesting]);
  const stepsOf = (item: TranscriptItem) => (item.kind === "tool" ? nesting.children.get(item.callId) : undefined);
  const targetRef = useRef<HTMLDivElement>(null);
  const [flash, setFlash] = useState(false);
  const reached = useRef(false);

  // Once, when the event has arrived: stop following the bottom and bring it to the middle.
  useLayoutEffect(() => {
    if (reached.current || target === null || !targetRef.current) return;
    reached.current = true;
    unpin();
    targetRef.current.scrollIntoView({ block: "center" });
    setFlash(true);
  }, [target, unpin]);
  useEffect(() => {
    if (!flash) return;
    const t = setTimeout(() => setFlash(false), FLASH_MS);
    return () => clearTimeout(t);
  }, [flash]);

  return (
    <HighlightContext value={highlight}>
      <div className="relative min-h-0 flex-1">
        <div ref={ref} onScroll={onScroll} data-testid="transcript" className="h-full overflow-y-auto px-4 py-4">
          <div className="mx-auto flex max-w-4xl flex-col gap-3">
            {nesting.top.map((item) =>
              item.seq === target ? (
                <div
                  key={item.seq}
                  ref={targetRef}
                  id={`e-${item.seq}`}
                  data-testid="transcript-target"
                  data-flash={flash}
                  className={`scroll-my-8 rounded-md ring-offset-4 ring-offset-canvas transition-[background-color,box-shadow] duration-700 ${flash ? "bg-amber-300/20 ring-2 ring-amber-400" : "ring-0"}`}
                >
                  <TranscriptEntry item={item} steps={stepsOf(item)} />
                </div>
              ) : (
                <TranscriptEntry key={item.seq} item={item} steps={stepsOf(item)} />
              ),
            )}
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
    </HighlightContext>
  );
}

/** The event a link asked for: `?at=SEQ` (a search hit) or `#e-SEQ`; read after mount (no window on the server). */
function useTargetSeq(): number | null {
  const [seq, setSeq] = useState<number | null>(null);
  useEffect(() => {
    const raw = new URLSearchParams(window.location.search).get("at") ?? /^#e-(\d+)$/.exec(window.location.hash)?.[1];
    const n = Number(raw);
    if (raw && Number.isInteger(n) && n > 0) setSeq(n);
  }, []);
  return seq;
}

"use client";
// Keeps a scroll container pinned to its bottom while new content arrives, unless the person
// scrolled up to read: then it leaves them where they are.
import { useCallback, useLayoutEffect, useRef, useState } from "react";

const SLACK_PX = 48;

export function useStickToBottom<T extends HTMLElement>(dep: unknown) {
  const ref = useRef<T | null>(null);
  const pinned = useRef(true);
  const [atBottom, setAtBottom] = useState(true);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight <= SLACK_PX;
    pinned.current = bottom;
    setAtBottom(bottom);
  }, []);

  // Runs after every content change, before paint, so there is no visible jump.
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [dep]);

  const scrollToBottom = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    pinned.current = true;
    setAtBottom(true);
    el.scrollTop = el.scrollHeight;
  }, []);

  /** Stop following (the page scrolled to something older on purpose). */
  const unpin = useCallback(() => {
    pinned.current = false;
    setAtBottom(false);
  }, []);

  return { ref, onScroll, atBottom, scrollToBottom, unpin };
}

"use client";
// Feeds a session's events to the companion's fold (reactions.ts) as they reach this tab. It
// listens on the tab's one socket beside useSessionEvents (which owns the subscription) and must
// mount with it, so it sees the replay from the start: the replay teaches it the state, only
// events past the replay (seq above `replayTarget`) may make it speak.
import { useEffect, useRef } from "react";
import { SessionEventSchema, type SessionEvent } from "../../lib/events/schema";
import type { Companion } from "../../lib/protocol/companion";
import { getSocket } from "../lib/socket";
import { acceptBatch } from "../lib/transcript";
import { checkWait, observe, startWatch, type Line } from "./reactions";

const WAIT_CHECK_MS = 10_000;

/** Calls `onLine` with each line the companion says in this session. */
export function useCompanionLines(sessionId: string, replayTarget: number | null, companion: Companion | null, onLine: (line: Line) => void): void {
  const replayRef = useRef(replayTarget);
  const companionRef = useRef(companion);
  const onLineRef = useRef(onLine);
  useEffect(() => {
    replayRef.current = replayTarget;
    companionRef.current = companion;
    onLineRef.current = onLine;
  });

  useEffect(() => {
    const socket = getSocket();
    let watch = startWatch(Date.now());
    let lastSeq = 0;
    const ctx = () => ({ live: replayRef.current !== null, now: Date.now(), companion: companionRef.current?.hidden ? null : companionRef.current });

    const onEvents = (msg: { sessionId: string; events: unknown[] }) => {
      if (msg.sessionId !== sessionId || !Array.isArray(msg.events)) return;
      const events = msg.events.flatMap((raw): SessionEvent[] => (hasSeq(raw) ? [readEvent(raw)] : []));
      // The same gapless rule as the transcript: a gap is refilled by its resubscription.
      const batch = acceptBatch(lastSeq, events);
      lastSeq = batch.lastSeq;
      for (const e of batch.accepted) {
        const c = ctx();
        const r = observe(watch, e, { ...c, live: c.live && e.seq > (replayRef.current ?? Infinity) });
        watch = r.watch;
        if (r.line) onLineRef.current(r.line);
      }
    };
    const timer = setInterval(() => {
      const r = checkWait(watch, ctx());
      watch = r.watch;
      if (r.line) onLineRef.current(r.line);
    }, WAIT_CHECK_MS);

    socket.on("events", onEvents);
    return () => {
      clearInterval(timer);
      socket.off("events", onEvents);
    };
  }, [sessionId]);
}

const hasSeq = (v: unknown): v is { seq: number } => typeof v === "object" && v !== null && typeof (v as { seq?: unknown }).seq === "number";

// An event this page can't read keeps its place in the sequence (as in the transcript) and means nothing to the companion.
function readEvent(raw: { seq: number }): SessionEvent {
  const parsed = SessionEventSchema.safeParse(raw);
  return parsed.success ? parsed.data : { seq: raw.seq, type: "error", ts: "", data: { message: "" } };
}

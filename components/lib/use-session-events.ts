"use client";
// Live event stream of one session over socket.io. Incoming events collect in a ref and are
// folded into React state at most every FLUSH_MS, so a command printing a million lines costs
// ten renders a second, not a million.
import { useEffect, useRef, useState } from "react";
import { SessionEventSchema, type SessionEvent } from "../../lib/events/schema";
import { getSocket } from "./socket";
import { acceptBatch, applyEvents, EMPTY_TRANSCRIPT, type TranscriptState } from "./transcript";

const FLUSH_MS = 100;
const BUSY_RETRY_MS = 1000;

export type Connection = "connecting" | "live" | "offline";

export interface SessionStream {
  state: TranscriptState;
  connection: Connection;
  /** The seq the server held when we subscribed; the replay is done once state reaches it. */
  replayTarget: number | null;
  error: string | null;
}

type Seqd = { seq: number; raw: unknown };

export function useSessionEvents(sessionId: string | null): SessionStream {
  const [state, setState] = useState<TranscriptState>(EMPTY_TRANSCRIPT);
  const [connection, setConnection] = useState<Connection>("connecting");
  const [replayTarget, setReplayTarget] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Highest seq received without a gap, whether still pending or already applied.
  const lastRef = useRef(0);

  useEffect(() => {
    if (!sessionId) return;
    const socket = getSocket();
    let disposed = false;
    let pending: SessionEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    let lastFlush = 0;

    const flush = () => {
      timer = null;
      lastFlush = Date.now();
      const batch = pending;
      pending = [];
      if (batch.length > 0 && !disposed) setState((s) => applyEvents(s, batch));
    };
    const schedule = () => {
      if (timer !== null) return;
      timer = setTimeout(flush, Math.max(0, FLUSH_MS - (Date.now() - lastFlush)));
    };

    // The server acknowledges a subscribe only after its whole replay, so while one is in flight
    // a live event may run ahead of the replay: drop it (the replay brings it) instead of
    // resubscribing, which would start a second replay.
    let subscribing = false;
    let retry: ReturnType<typeof setTimeout> | null = null;
    const subscribe = () => {
      subscribing = true;
      const after = lastRef.current;
      socket.emit("subscribe", { sessionId, after }, (ack) => {
        if (disposed) return;
        // The connection has too many subscribes running (the page's other sessions share it):
        // again shortly, still counting as subscribing so that a gap meanwhile starts no other.
        if (!ack.ok && ack.busy) return void (retry = setTimeout(subscribe, BUSY_RETRY_MS));
        subscribing = false;
        if (!ack.ok) {
          setError(ack.error);
          return;
        }
        setError(null);
        setReplayTarget(ack.lastSeq);
        if (lastRef.current >= ack.lastSeq) return;
        // Still short of what the server holds: try again, but only while that makes progress.
        if (lastRef.current > after) subscribe();
        else setError(`events ${lastRef.current + 1} to ${ack.lastSeq} did not arrive; reload the page`);
      });
    };

    const onEvents = (msg: { sessionId: string; events: unknown[] }) => {
      if (disposed || msg.sessionId !== sessionId || !Array.isArray(msg.events)) return;
      const seqd = msg.events.flatMap((raw): Seqd[] => (hasSeq(raw) ? [{ seq: raw.seq, raw }] : []));
      const r = acceptBatch(lastRef.current, seqd);
      lastRef.current = r.lastSeq;
      for (const e of r.accepted) pending.push(toEvent(e));
      if (r.accepted.length > 0) schedule();
      if (r.gap && !subscribing) subscribe();
    };
    const onConnect = () => {
      setConnection("live");
      subscribe();
    };
    const onDisconnect = () => {
      // An unanswered subscribe dies with the connection; "connect" sends a fresh one.
      subscribing = false;
      if (retry !== null) clearTimeout(retry);
      setConnection("offline");
    };

    socket.on("events", onEvents);
    socket.on("connect", onConnect);
    socket.on("disconnect", onDisconnect);
    socket.on("connect_error", onDisconnect);
    if (socket.connected) onConnect();

    return () => {
      disposed = true;
      if (timer !== null) clearTimeout(timer);
      if (retry !== null) clearTimeout(retry);
      socket.off("events", onEvents);
      socket.off("connect", onConnect);
      socket.off("disconnect", onDisconnect);
      socket.off("connect_error", onDisconnect);
      if (socket.connected) socket.emit("unsubscribe", { sessionId });
      // A remount (React strict mode, or the same session again) replays from scratch.
      lastRef.current = 0;
      setState(EMPTY_TRANSCRIPT);
    };
  }, [sessionId]);

  return { state, connection, replayTarget, error };
}

const hasSeq = (v: unknown): v is { seq: number } =>
  typeof v === "object" && v !== null && typeof (v as { seq?: unknown }).seq === "number";

// An event the browser can't read still takes its place in the sequence (or every later event
// would look like a gap); it shows up as an error line instead.
function toEvent({ seq, raw }: Seqd): SessionEvent {
  const parsed = SessionEventSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const type = (raw as { type?: unknown }).type;
  return {
    seq,
    type: "error",
    ts: new Date().toISOString(),
    data: { message: `This page can't display event ${seq} (type ${String(type)}).`, source: "host" },
  };
}

"use client";
// A shared session over plain HTTP (a signed-out viewer has no socket): page through the
// events, then, for a live link, ask for anything new every few seconds while the session can
// still change. A pinned link is complete after its first read.
import { useEffect, useState } from "react";
import { z } from "zod";
import { SessionEventSchema, TERMINAL_STATUSES, type SessionEvent } from "../../lib/events/schema";
import { SessionDtoSchema, type SessionDto } from "../../lib/protocol/api";
import { apiJson } from "./api";
import { applyEvents, currentStatus, EMPTY_TRANSCRIPT, type TranscriptState } from "./transcript";

const POLL_MS = 4_000;

const PageSchema = z.object({
  session: SessionDtoSchema,
  events: z.array(z.unknown()),
  pinnedSeq: z.number().int().nullable(),
  hasMore: z.boolean(),
});

export type SharedLoad =
  | { kind: "loading" }
  | { kind: "signin" }
  | { kind: "missing" }
  | { kind: "error"; message: string }
  | { kind: "ok"; session: SessionDto; pinnedSeq: number | null; state: TranscriptState };

export function useSharedSession(token: string): SharedLoad {
  const [load, setLoad] = useState<SharedLoad>({ kind: "loading" });

  useEffect(() => {
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | null = null;
    let state = EMPTY_TRANSCRIPT;
    let loaded = false;

    const read = async (): Promise<void> => {
      const res = await apiJson(`/api/share-links/${encodeURIComponent(token)}?after=${state.lastSeq}`, PageSchema, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      if (!res.ok) {
        // Once shown, a passing failure keeps the transcript and tries again; a revoked link ends it.
        if (res.status === 401) return setLoad({ kind: "signin" });
        if (res.status === 404) return setLoad({ kind: "missing" });
        if (!loaded) return setLoad({ kind: "error", message: res.message });
        timer = setTimeout(read, POLL_MS);
        return;
      }
      const { session, pinnedSeq, hasMore } = res.data;
      state = applyEvents(state, parseEvents(res.data.events));
      loaded = true;
      setLoad({ kind: "ok", session, pinnedSeq, state });
      if (hasMore) return read();
      if (pinnedSeq === null && !TERMINAL_STATUSES.includes(currentStatus(state, session.status))) timer = setTimeout(read, POLL_MS);
    };
    void read();

    return () => {
      ctl.abort();
      if (timer !== null) clearTimeout(timer);
    };
  }, [token]);

  return load;
}

// An event this page can't read is left out; the transcript fold doesn't need every seq.
function parseEvents(raw: unknown[]): SessionEvent[] {
  return raw.flatMap((e) => {
    const parsed = SessionEventSchema.safeParse(e);
    return parsed.success ? [parsed.data] : [];
  });
}

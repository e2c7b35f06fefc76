"use client";
// Pending review comments: they pile up as the reviewer reads and go out together with the
// review. Kept in sessionStorage per session, so a reload doesn't throw them away.
import { useCallback, useEffect, useState } from "react";
import { z } from "zod";
import type { LineRef } from "./lib/line-keys";

const DraftSchema = z.object({ id: z.string(), path: z.string(), side: z.enum(["old", "new"]), line: z.number().int(), body: z.string() });
export type Draft = z.infer<typeof DraftSchema>;

export interface Drafts {
  drafts: Draft[];
  add(ref: LineRef, body: string): void;
  remove(id: string): void;
  clear(): void;
}

export function useDrafts(sessionId: string): Drafts {
  const key = `dockside.review-drafts.${sessionId}`;
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [restored, setRestored] = useState(false);

  // Read after mount: storage does not exist during the server render.
  useEffect(() => {
    const parsed = z.array(DraftSchema).safeParse(safeJson(sessionStorage.getItem(key)));
    if (parsed.success) setDrafts(parsed.data);
    setRestored(true);
  }, [key]);

  useEffect(() => {
    if (!restored) return;
    if (drafts.length === 0) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, JSON.stringify(drafts));
  }, [key, drafts, restored]);

  const add = useCallback((ref: LineRef, body: string) => {
    setDrafts((d) => [...d, { id: `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, path: ref.path, side: ref.side, line: ref.line, body }]);
  }, []);
  const remove = useCallback((id: string) => setDrafts((d) => d.filter((x) => x.id !== id)), []);
  const clear = useCallback(() => setDrafts([]), []);
  return { drafts, add, remove, clear };
}

function safeJson(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

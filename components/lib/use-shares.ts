"use client";
// A session's share links: list, create (live, or pinned at an event), revoke.
import { useCallback, useState } from "react";
import { z } from "zod";
import { ShareDtoSchema, type ShareDto } from "../../lib/protocol/teams";
import { apiJson } from "./api";

const ListSchema = z.object({ shares: z.array(ShareDtoSchema) });

export interface Shares {
  /** Active links; null until first loaded. */
  shares: ShareDto[] | null;
  /** The link just created: its URL is only in the create answer. */
  created: ShareDto | null;
  busy: boolean;
  error: string | null;
  load: () => Promise<void>;
  create: (pinnedSeq: number | null) => Promise<void>;
  revoke: (id: string) => Promise<void>;
}

export function useShares(sessionId: string): Shares {
  const [shares, setShares] = useState<ShareDto[] | null>(null);
  const [created, setCreated] = useState<ShareDto | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const base = `/api/sessions/${encodeURIComponent(sessionId)}/shares`;

  const load = useCallback(async () => {
    const res = await apiJson(base, ListSchema);
    if (!res.ok) {
      setError(res.message);
      return;
    }
    setShares(res.data.shares.filter((s) => s.revokedAt === null));
  }, [base]);

  const create = useCallback(
    async (pinnedSeq: number | null) => {
      setBusy(true);
      setError(null);
      const res = await apiJson(base, ShareDtoSchema, { method: "POST", body: pinnedSeq === null ? {} : { pinnedSeq } });
      setBusy(false);
      if (!res.ok) {
        setError(res.message);
        return;
      }
      setCreated(res.data);
      await load();
    },
    [base, load],
  );

  const revoke = useCallback(
    async (id: string) => {
      setError(null);
      const res = await apiJson(`/api/shares/${encodeURIComponent(id)}`, null, { method: "DELETE" });
      if (!res.ok) setError(res.message);
      setCreated((c) => (c?.id === id ? null : c));
      await load();
    },
    [load],
  );

  return { shares, created, busy, error, load, create, revoke };
}

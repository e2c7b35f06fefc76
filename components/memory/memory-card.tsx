"use client";
// A memory entry the agent proposed (`remember`), in the transcript: what it proposed, for whom
// (this repository or the whole team), where the entry stands now (read from the API when the card
// mounts, updated after an action) and, for members, Accept / Edit / Reject without leaving the
// session. The Memory page has the rest (history, archive).
import Link from "next/link";
import { memo, useContext, useEffect, useState } from "react";
import type { MemoryEntryDto, MemoryPatch } from "../../lib/protocol/memory";
import { apiJson } from "../lib/api";
import type { MemoryItem } from "../lib/transcript";
import { MarkdownText } from "../markdown";
import { ApprovalContext } from "../session/approval-card";
import { ErrorNote } from "../ui/form";
import { entryPath, MemoryDetailSchema, patchEntry } from "./memory-api";
import { MemoryEditor, MemoryStateBadge } from "./memory-parts";

type Load = { kind: "loading" } | { kind: "ok"; entry: MemoryEntryDto } | { kind: "hidden" } | { kind: "error"; message: string };

export const MemoryCard = memo(function MemoryCard({ item }: { item: MemoryItem }) {
  // memory.write needs a member of the session's team, as deciding approvals does; the session
  // page computes that for the session's own team (which may not be the header's active one).
  const canWrite = useContext(ApprovalContext).canDecide;
  const [load, setLoad] = useState<Load>({ kind: "loading" });
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    void (async () => {
      const res = await apiJson(entryPath(item.entryId), MemoryDetailSchema, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      if (res.ok) setLoad({ kind: "ok", entry: res.data.entry });
      // A shared link's reader is not in the team: the proposal alone is what they see.
      else if (res.status === 401 || res.status === 403) setLoad({ kind: "hidden" });
      else setLoad({ kind: "error", message: res.status === 404 ? "This entry no longer exists." : res.message });
    })();
    return () => ctl.abort();
  }, [item.entryId]);

  async function change(body: MemoryPatch): Promise<string | null> {
    const res = await patchEntry(item.entryId, body);
    if (!res.ok) return res.message;
    setLoad({ kind: "ok", entry: res.data });
    return null;
  }

  async function decide(state: "accepted" | "rejected") {
    setBusy(true);
    setError(null);
    setError(await change({ state }));
    setBusy(false);
  }

  const entry = load.kind === "ok" ? load.entry : null;
  const state = entry?.state ?? null;
  const edited = entry !== null && entry.text !== item.text;
  const canAct = canWrite && entry !== null && !editing;

  return (
    <section
      aria-label="Proposed memory entry"
      data-testid="memory-card"
      data-entry-id={item.entryId}
      data-state={state ?? "unknown"}
      className={`rounded-md border bg-panel text-sm ${state === "proposed" ? "border-amber-500/60" : "border-line"}`}
    >
      <header className="flex flex-wrap items-center gap-x-2 gap-y-1 border-b border-line px-3 py-1.5 text-xs">
        <span className="font-semibold">Memory</span>
        <span className="text-muted" data-testid="memory-scope">
          {item.scope === "team" ? "for the whole team" : "for this repository"}
        </span>
        <span className="ml-auto flex items-center gap-2">
          {state && <MemoryStateBadge state={state} />}
          {load.kind === "loading" && <span className="text-muted">loading…</span>}
          <Link href={`/memory${state ? `?state=${state}` : ""}#memory-${encodeURIComponent(item.entryId)}`} data-testid="memory-page-link" className="text-accent hover:underline">
            Memory page
          </Link>
        </span>
      </header>
      <div className="space-y-2 px-3 py-2">
        {editing && entry ? (
          <MemoryEditor
            initial={entry.text}
            canAccept={entry.state !== "accepted"}
            onCancel={() => setEditing(false)}
            onSave={async (text, accept) => {
              const failure = await change(accept ? { text, state: "accepted" } : { text });
              if (!failure) setEditing(false);
              return failure;
            }}
          />
        ) : (
          <>
            <div data-testid="memory-text">
              <MarkdownText text={item.text} />
            </div>
            {edited && (
              <div data-testid="memory-current-text" className="border-l-2 border-line pl-2 text-muted">
                <p className="text-xs font-medium">Now reads:</p>
                <MarkdownText text={entry.text} />
              </div>
            )}
          </>
        )}
        {load.kind === "error" && <ErrorNote testId="memory-load-error">{load.message}</ErrorNote>}
        {error && <ErrorNote testId="memory-action-error">{error}</ErrorNote>}
        {canAct && (
          <div className="flex flex-wrap gap-3 text-sm">
            {entry.state !== "accepted" && (
              <button type="button" data-testid="memory-accept" disabled={busy} onClick={() => void decide("accepted")} className="font-medium text-emerald-700 hover:underline disabled:opacity-50 dark:text-emerald-400">
                Accept
              </button>
            )}
            {(entry.state === "proposed" || entry.state === "accepted") && (
              <button type="button" data-testid="memory-edit" disabled={busy} onClick={() => setEditing(true)} className="text-accent hover:underline disabled:opacity-50">
                Edit
              </button>
            )}
            {entry.state === "proposed" && (
              <button type="button" data-testid="memory-reject" disabled={busy} onClick={() => void decide("rejected")} className="text-red-700 hover:underline disabled:opacity-50 dark:text-red-300">
                Reject
              </button>
            )}
          </div>
        )}
      </div>
    </section>
  );
});

"use client";
// One entry on the Memory page: its text (markdown), scope, source, dates and version; for
// members the actions its state allows (accept, edit, archive, reject); "History" lists every
// version with who changed it, when and why.
import Link from "next/link";
import { useId, useState } from "react";
import type { MemoryEntryDto, MemoryPatch } from "../../lib/protocol/memory";
import { timeAgo } from "../lib/format";
import { useApiData } from "../lib/use-api-data";
import { useNow } from "../lib/use-now";
import { MarkdownText } from "../markdown";
import { ErrorNote } from "../ui/form";
import { entryPath, MemoryDetailSchema, patchEntry, scopeLabel, shortId } from "./memory-api";
import { MemoryEditor, MemorySource, MemoryStateBadge } from "./memory-parts";

const action = "hover:underline disabled:opacity-50";

export function MemoryEntryCard({ entry, canWrite, onChanged }: { entry: MemoryEntryDto; canWrite: boolean; onChanged: () => void }) {
  const now = useNow();
  const historyId = useId();
  const [editing, setEditing] = useState(false);
  const [history, setHistory] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function change(body: MemoryPatch): Promise<string | null> {
    const res = await patchEntry(entry.id, body);
    if (!res.ok) return res.message;
    onChanged();
    return null;
  }

  async function move(state: "accepted" | "archived" | "rejected") {
    setBusy(true);
    setError(null);
    const failure = await change({ state });
    setBusy(false);
    setError(failure);
  }

  const live = entry.state === "proposed" || entry.state === "accepted";
  return (
    <li id={`memory-${entry.id}`} data-testid="memory-entry" data-entry-id={entry.id} data-state={entry.state} className="scroll-mt-4 space-y-2 rounded-md border border-line bg-panel p-3 text-sm">
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted">
        <MemoryStateBadge state={entry.state} />
        <span data-testid="memory-scope" className="font-medium text-fg">
          {scopeLabel(entry)}
        </span>
        <MemorySource source={entry.source} />
        <span title={entry.createdAt}>· added {timeAgo(entry.createdAt, now)}</span>
        {entry.updatedAt !== entry.createdAt && <span title={entry.updatedAt}>· changed {timeAgo(entry.updatedAt, now)}</span>}
        <span data-testid="memory-version">· version {entry.version}</span>
        {entry.uses > 0 && <span>· given to {entry.uses === 1 ? "1 session" : `${entry.uses} sessions`}</span>}
      </div>
      {editing ? (
        <MemoryEditor
          initial={entry.text}
          canAccept={entry.state === "proposed"}
          onCancel={() => setEditing(false)}
          onSave={async (text, accept) => {
            const failure = await change(accept ? { text, state: "accepted" } : { text });
            if (!failure) setEditing(false);
            return failure;
          }}
        />
      ) : (
        <div data-testid="memory-text">
          <MarkdownText text={entry.text} />
        </div>
      )}
      {error && <ErrorNote testId="memory-action-error">{error}</ErrorNote>}
      <div className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
        {canWrite && !editing && (
          <>
            {entry.state !== "accepted" && (
              <button type="button" data-testid="memory-accept" disabled={busy} onClick={() => void move("accepted")} className={`font-medium text-emerald-800 dark:text-emerald-400 ${action}`}>
                {entry.state === "proposed" ? "Accept" : "Restore"}
              </button>
            )}
            {live && (
              <button type="button" data-testid="memory-edit" disabled={busy} onClick={() => setEditing(true)} className={`text-accent ${action}`}>
                Edit
              </button>
            )}
            {entry.state === "accepted" && (
              <button type="button" data-testid="memory-archive" disabled={busy} onClick={() => void move("archived")} className={`text-muted hover:text-fg ${action}`}>
                Archive
              </button>
            )}
            {entry.state === "proposed" && (
              <button type="button" data-testid="memory-reject" disabled={busy} onClick={() => void move("rejected")} className={`text-red-700 dark:text-red-300 ${action}`}>
                Reject
              </button>
            )}
          </>
        )}
        <button type="button" data-testid="memory-history-toggle" aria-expanded={history} aria-controls={historyId} onClick={() => setHistory(!history)} className={`ml-auto text-accent ${action}`}>
          {history ? "Hide history" : "History"}
        </button>
      </div>
      <div id={historyId} hidden={!history}>
        {/* Keyed by version: an edit made here shows up in the history at once. */}
        {history && <MemoryHistory key={entry.version} id={entry.id} />}
      </div>
    </li>
  );
}

function MemoryHistory({ id }: { id: string }) {
  const now = useNow();
  const { data, error } = useApiData(entryPath(id), MemoryDetailSchema);
  if (error) return <ErrorNote testId="memory-history-error">{error}</ErrorNote>;
  if (!data) return <p className="text-xs text-muted">Loading history…</p>;
  const versions = [...data.versions].sort((a, b) => b.version - a.version);
  return (
    <ol data-testid="memory-history" className="space-y-2 border-l-2 border-line pl-3">
      {versions.map((v) => (
        <li key={v.version} data-testid="memory-version-row" className="space-y-1 text-xs">
          <p className="flex flex-wrap gap-x-2 text-muted">
            <span className="font-medium text-fg">version {v.version}</span>
            <span>
              {v.author ??
                (v.sessionId ? (
                  <>
                    the agent of session{" "}
                    <Link href={`/sessions/${encodeURIComponent(v.sessionId)}`} className="font-mono text-accent hover:underline">
                      {shortId(v.sessionId)}
                    </Link>
                  </>
                ) : (
                  "Dockside"
                ))}
            </span>
            <span title={v.createdAt}>{timeAgo(v.createdAt, now)}</span>
            {v.note && <span className="italic">{v.note}</span>}
            {/* The state the version left the entry in, unless the note already says it. */}
            {v.note !== v.state && <span>({v.state})</span>}
          </p>
          <p className="break-words whitespace-pre-wrap">{v.text}</p>
        </li>
      ))}
    </ol>
  );
}

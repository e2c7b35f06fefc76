"use client";
// "Suggested by consolidation": what the background job proposes after enough new sessions on a
// repository (merge duplicates, archive what later sessions contradicted, make relative dates
// absolute). Nothing changes until a person accepts.
import { useState } from "react";
import type { MemoryEntryDto, MemoryProposalDto } from "../../lib/protocol/memory";
import { send, useApiData } from "../lib/use-api-data";
import { MarkdownText } from "../markdown";
import { ErrorNote, primaryButton, secondaryButton } from "../ui/form";
import { entryPath, MemoryDetailSchema } from "./memory-api";

const KIND_WORDS: Record<MemoryProposalDto["kind"], { title: string; entries: string }> = {
  merge: { title: "Merge duplicates", entries: "These entries say the same thing:" },
  archive: { title: "Archive as contradicted", entries: "Later sessions contradicted:" },
  rewrite: { title: "Make dates absolute", entries: "This entry uses relative dates:" },
};

interface Props {
  proposals: MemoryProposalDto[];
  /** Entries already loaded by the page, by id; others are read one by one. */
  known: ReadonlyMap<string, MemoryEntryDto>;
  canWrite: boolean;
  onDecided: () => void;
}

export function MemoryProposals({ proposals, known, canWrite, onDecided }: Props) {
  if (proposals.length === 0) return null;
  return (
    <section aria-labelledby="memory-proposals-heading" data-testid="memory-proposals" className="rounded-lg border border-line bg-panel">
      <h2 id="memory-proposals-heading" className="border-b border-line px-4 py-2.5 text-sm font-semibold">
        Suggested by consolidation ({proposals.length})
      </h2>
      <ul className="space-y-3 p-4">
        {proposals.map((p) => (
          <Proposal key={p.id} proposal={p} known={known} canWrite={canWrite} onDecided={onDecided} />
        ))}
      </ul>
    </section>
  );
}

function Proposal({ proposal, known, canWrite, onDecided }: { proposal: MemoryProposalDto } & Omit<Props, "proposals">) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const words = KIND_WORDS[proposal.kind];

  async function decide(decision: "accept" | "reject") {
    setBusy(true);
    setError(null);
    const failure = await send(`/api/memory/proposals/${encodeURIComponent(proposal.id)}`, "POST", { decision });
    setBusy(false);
    if (failure) return setError(failure);
    onDecided();
  }

  return (
    <li data-testid="memory-proposal" data-kind={proposal.kind} className="space-y-2 rounded-md border border-line p-3 text-sm">
      <p className="font-medium">{words.title}</p>
      <p className="text-muted" data-testid="memory-proposal-reason">
        {proposal.reason}
      </p>
      <div className="space-y-1">
        <p className="text-xs font-medium text-muted">{words.entries}</p>
        <ul className="space-y-1">
          {proposal.entryIds.map((id) => (
            <li key={id} data-testid="memory-proposal-entry" className="border-l-2 border-line pl-2">
              <EntryText id={id} known={known.get(id)} />
            </li>
          ))}
        </ul>
      </div>
      {proposal.text !== null && (
        <div className="space-y-1">
          <p className="text-xs font-medium text-muted">{proposal.kind === "merge" ? "Merged into one entry:" : "Would read:"}</p>
          <div data-testid="memory-proposal-text" className="border-l-2 border-emerald-500/60 pl-2">
            <MarkdownText text={proposal.text} />
          </div>
        </div>
      )}
      {error && <ErrorNote testId="memory-proposal-error">{error}</ErrorNote>}
      {canWrite && (
        <div className="flex flex-wrap gap-2">
          <button type="button" data-testid="memory-proposal-accept" disabled={busy} onClick={() => void decide("accept")} className={primaryButton}>
            Accept
          </button>
          <button type="button" data-testid="memory-proposal-reject" disabled={busy} onClick={() => void decide("reject")} className={secondaryButton}>
            Reject
          </button>
        </div>
      )}
    </li>
  );
}

function EntryText({ id, known }: { id: string; known: MemoryEntryDto | undefined }) {
  // Only entries outside the page's current filter are fetched.
  const { data, error } = useApiData(known ? null : entryPath(id), MemoryDetailSchema);
  const entry = known ?? data?.entry;
  if (entry) return <MarkdownText text={entry.text} />;
  return <p className="text-xs text-muted">{error ?? "Loading…"}</p>;
}

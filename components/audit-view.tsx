"use client";
// The team's audit log (admins and owners): who did what, in words, newest first, a page at a time.
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { z } from "zod";
import { can } from "../lib/auth/roles";
import { AuditEntryDtoSchema, type AuditEntryDto } from "../lib/protocol/teams";
import { apiJson } from "./lib/api";
import { auditDetails, auditVerb } from "./lib/audit-words";
import { useActiveTeam } from "./me-provider";
import { ErrorNote } from "./ui/form";

const PageSchema = z.object({ entries: z.array(AuditEntryDtoSchema), nextCursor: z.union([z.string(), z.number()]).nullable().optional() });

export function AuditView() {
  const active = useActiveTeam();
  const allowed = active !== null && can(active.team.role, "audit.read");
  const [entries, setEntries] = useState<AuditEntryDto[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async (after: string | null) => {
    setLoading(true);
    const res = await apiJson(`/api/audit${after ? `?cursor=${encodeURIComponent(after)}` : ""}`, PageSchema);
    setLoading(false);
    if (!res.ok) {
      setError(res.message);
      return;
    }
    setError(null);
    setCursor(res.data.nextCursor == null ? null : String(res.data.nextCursor));
    setEntries((prev) => (after ? [...prev, ...res.data.entries.filter((e) => !prev.some((p) => p.id === e.id))] : res.data.entries));
  }, []);

  useEffect(() => {
    if (allowed) void load(null);
  }, [allowed, load]);

  if (!active) return null;
  if (!allowed) {
    return (
      <p data-testid="audit-forbidden" className="p-6 text-sm text-muted">
        Only admins and owners of {active.team.name} can read its audit log.
      </p>
    );
  }
  return (
    <div className="h-full overflow-y-auto" tabIndex={0} role="region" aria-label="Audit log">
      <div className="mx-auto max-w-6xl space-y-4 px-4 py-6">
        <h1 className="text-base font-semibold">Audit log of {active.team.name}</h1>
        {error && <ErrorNote testId="audit-error">{error}</ErrorNote>}
        {!loading && !error && entries.length === 0 && <p data-testid="audit-empty" className="text-sm text-muted">Nothing recorded yet.</p>}
        {entries.length > 0 && (
          <ul data-testid="audit-table" className="divide-y divide-line rounded-lg border border-line bg-panel text-sm">
            {entries.map((e) => (
              <AuditRow key={e.id} entry={e} />
            ))}
          </ul>
        )}
        {cursor !== null && (
          <button type="button" data-testid="audit-load-more" onClick={() => void load(cursor)} disabled={loading} className="text-sm text-accent hover:underline disabled:opacity-50">
            {loading ? "Loading…" : "Load more"}
          </button>
        )}
      </div>
    </div>
  );
}

// One entry as a sentence ("Ada started the session “Fix the login test”"), then when and the
// details it recorded. Codes and ids stay in title attributes for whoever needs them.
function AuditRow({ entry: e }: { entry: AuditEntryDto }) {
  const details = auditDetails(e.data);
  const { verb, namesTarget } = auditVerb(e);
  const target = e.target.href ? (
    <Link href={e.target.href} data-testid="audit-target" className="font-medium text-accent hover:underline" title={`${e.targetType} ${e.targetId}`}>
      {e.target.label}
    </Link>
  ) : (
    <span data-testid="audit-target" className="font-medium" title={`${e.targetType} ${e.targetId}`}>
      {e.target.label}
    </span>
  );
  return (
    <li data-testid="audit-row" data-action={e.action} className="space-y-0.5 px-3 py-2 wrap-anywhere">
      <p>
        <span data-testid="audit-actor" className="font-medium">{e.actorName ?? "Dockside"}</span>{" "}
        <span data-testid="audit-action" title={e.action}>{verb}</span> {namesTarget && target}
        {e.target.detail && <span className="text-muted"> ({e.target.detail})</span>}
      </p>
      <p className="text-xs text-muted">
        <time dateTime={e.createdAt} title={e.createdAt}>{new Date(e.createdAt).toLocaleString()}</time>
        {details && <span data-testid="audit-details"> · {details}</span>}
      </p>
    </li>
  );
}

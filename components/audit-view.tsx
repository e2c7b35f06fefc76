"use client";
// The team's audit log (admins and owners): who did what, newest first, a page at a time.
import { useCallback, useEffect, useState } from "react";
import { z } from "zod";
import { can } from "../lib/auth/roles";
import { AuditEntryDtoSchema, type AuditEntryDto } from "../lib/protocol/teams";
import { apiJson } from "./lib/api";
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
          <table data-testid="audit-table" className="w-full rounded-lg border border-line bg-panel text-sm">
            <thead className="text-left text-xs text-muted">
              <tr>
                <th className="px-3 py-2 font-medium">When</th>
                <th className="px-3 py-2 font-medium">Who</th>
                <th className="px-3 py-2 font-medium">Action</th>
                <th className="px-3 py-2 font-medium">Target</th>
                <th className="px-3 py-2 font-medium">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-action={e.action} className="border-t border-line align-top">
                  <td className="px-3 py-1.5 whitespace-nowrap text-muted" title={e.createdAt}>{new Date(e.createdAt).toLocaleString()}</td>
                  <td className="px-3 py-1.5">{e.actorName ?? "system"}</td>
                  <td className="px-3 py-1.5 font-mono text-xs" data-testid="audit-action">{e.action}</td>
                  <td className="px-3 py-1.5 font-mono text-xs text-muted">{e.targetType}:{e.targetId}</td>
                  <td className="max-w-md px-3 py-1.5 font-mono text-xs break-all text-muted">{details(e.data)}</td>
                </tr>
              ))}
            </tbody>
          </table>
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

// Details are whatever the action recorded: shown as compact `key: value` text.
function details(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
}

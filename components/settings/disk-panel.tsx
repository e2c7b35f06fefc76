"use client";
// Settings → Disk (admins): how full the data directory's disk is, what Dockside keeps there by
// kind, and the retention settings garbage collection applies (set by the operator's environment).
import { DiskUsageSchema, type DiskUsage } from "../../lib/gc/disk-usage-schema";
import type { TeamDto } from "../../lib/protocol/teams";
import { formatBytes } from "../lib/format";
import { useApiData } from "../lib/use-api-data";
import { ErrorNote, Panel, secondaryButton } from "../ui/form";

const KINDS: { key: keyof DiskUsage["usage"]; label: string }[] = [
  { key: "sessionFilesystems", label: "Sessions' filesystems" },
  { key: "hostRepositories", label: "Host repositories" },
  { key: "environments", label: "Environment cache" },
  { key: "mirrors", label: "Repository mirrors" },
  { key: "database", label: "Database" },
];

const keep = (n: number, unit: string, off: string) => (n ? `${n} ${unit}${n === 1 ? "" : "s"}` : off);

export function DiskPanel({ team }: { team: TeamDto }) {
  const { data, error, reload } = useApiData(`/api/teams/${encodeURIComponent(team.id)}/disk`, DiskUsageSchema);
  const used = data ? data.totalBytes - data.freeBytes : 0;
  const share = data && data.totalBytes > 0 ? Math.min(1, used / data.totalBytes) : 0;
  return (
    <Panel title="Disk" testId="disk-panel">
      <p className="text-xs text-muted">The disk of this Dockside's data directory, shared by every team. Figures are the space each kind takes on the disk.</p>
      {error && <ErrorNote testId="disk-panel-error">{error}</ErrorNote>}
      {data === null && !error && <p className="text-sm text-muted">Measuring…</p>}
      {data && (
        <>
          <div className="space-y-1">
            <p className="text-sm" data-testid="disk-free">
              {formatBytes(data.freeBytes)} free of {formatBytes(data.totalBytes)} <span className="font-mono text-xs text-muted">({data.dataDir})</span>
            </p>
            <div className="h-2 overflow-hidden rounded bg-line" role="meter" aria-label="Disk used" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)}>
              <div className={`h-full ${share > 0.9 ? "bg-red-600" : "bg-accent"}`} style={{ width: `${Math.round(share * 100)}%` }} />
            </div>
          </div>
          <table className="w-full text-sm" data-testid="disk-usage">
            <tbody>
              {KINDS.map((k) => (
                <tr key={k.key} className="border-b border-line last:border-0" data-kind={k.key}>
                  <td className="py-1">{k.label}{k.key === "sessionFilesystems" && <span className="text-xs text-muted"> ({data.sessions} on this host)</span>}</td>
                  <td className="py-1 text-right tabular-nums">{formatBytes(data.usage[k.key])}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="text-xs text-muted" data-testid="disk-retention">
            <p>Stopped sandboxes are removed after {keep(data.retention.sandboxHours, "hour", "never (kept)")}; a follow-up makes a new one.</p>
            <p>
              {data.retention.archiveDays
                ? `Workspaces of sessions ended ${keep(data.retention.archiveDays, "day", "")} ago are archived: the branch stays; a follow-up restores it.`
                : "Workspaces of ended sessions are kept."}
            </p>
            <p>Mirrors of repositories no team registers are removed after {keep(data.retention.mirrorDays, "day", "never (kept)")} unused.</p>
            <p>Environment cache limit {formatBytes(data.retention.environmentCacheBytes)}; new sessions are refused below {formatBytes(data.retention.minFreeBytes)} free.</p>
          </div>
          <button type="button" className={secondaryButton} onClick={() => void reload()}>Measure again</button>
        </>
      )}
    </Panel>
  );
}

"use client";
// Sharing a session as a read-only link: live (follows the session as it goes on) or pinned at
// the latest event held now ("up to now"). The panel lists the links and revokes them.
import { useState } from "react";
import { useShares } from "../lib/use-shares";
import { CopyButton } from "../ui/copy-button";
import { ErrorNote, inputClass, primaryButton, secondaryButton } from "../ui/form";

interface Props {
  sessionId: string;
  /** The latest event this page holds: what "up to now" pins. */
  lastSeq: number;
  /** Whether the team lets share links open without an account. */
  publicLinks: boolean;
}

export function ShareControl({ sessionId, lastSeq, publicLinks }: Props) {
  const s = useShares(sessionId);
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState<"live" | "pinned">("live");

  async function share() {
    setOpen(true);
    await s.create(mode === "pinned" && lastSeq > 0 ? lastSeq : null);
  }
  function toggle() {
    if (!open) void s.load();
    setOpen(!open);
  }

  return (
    <>
      <select data-testid="share-mode" aria-label="What the link shows" value={mode} onChange={(e) => setMode(e.target.value as "live" | "pinned")}
        className="rounded-md border border-line bg-canvas px-2 py-1 text-xs">
        <option value="live">Live: follows the session</option>
        <option value="pinned" disabled={lastSeq === 0}>
          Up to now (event {lastSeq})
        </option>
      </select>
      <button type="button" data-testid="share-create" onClick={share} disabled={s.busy} className={`${primaryButton} py-1 text-xs`}>
        {s.busy ? "Sharing…" : "Share"}
      </button>
      <button type="button" data-testid="share-toggle" aria-expanded={open} onClick={toggle} className={`${secondaryButton} py-1 text-xs`}>
        Links {open ? "▴" : "▾"}
      </button>
      {open && (
        <div data-testid="share-panel" className="basis-full space-y-2 rounded-md border border-line bg-canvas p-3">
          {s.created?.url && (
            <div className="space-y-1">
              <div className="flex gap-2">
                <input data-testid="share-url" readOnly value={s.created.url} aria-label="Share link" onFocus={(e) => e.currentTarget.select()}
                  className={`${inputClass} font-mono text-xs`} />
                <CopyButton text={s.created.url} testId="share-copy" />
              </div>
              <p className="text-xs text-muted">
                {s.created.pinnedSeq !== null ? `Shows the session up to event ${s.created.pinnedSeq}. ` : "Follows the session as it goes on. "}
                {publicLinks ? "Anyone with the link can view it." : "Only signed-in members of this team can open it."}
              </p>
            </div>
          )}
          {s.error && <ErrorNote testId="share-error">{s.error}</ErrorNote>}
          {s.shares?.length === 0 && <p className="text-xs text-muted">No active share links.</p>}
          {s.shares && s.shares.length > 0 && (
            <ul className="divide-y divide-line text-xs">
              {s.shares.map((sh) => (
                <li key={sh.id} data-testid="share-row" data-share-id={sh.id} className="flex items-center gap-3 py-1.5">
                  <span className="font-medium">{sh.pinnedSeq !== null ? `Up to event ${sh.pinnedSeq}` : "Live"}</span>
                  <span className="text-muted" title={sh.createdAt}>created {new Date(sh.createdAt).toLocaleString()}</span>
                  <button type="button" data-testid="share-revoke" onClick={() => void s.revoke(sh.id)}
                    className="ml-auto text-red-700 hover:underline dark:text-red-300">
                    Revoke
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </>
  );
}

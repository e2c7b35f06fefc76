"use client";
// Invitation links (admins and owners): pick a role, create a link, copy it to the person.
// There is no mail server; the link is shown here once and only its hash is kept.
import { useState } from "react";
import { z } from "zod";
import type { Role } from "../../lib/auth/roles";
import { InvitationDtoSchema, type InvitationDto, type TeamDto } from "../../lib/protocol/teams";
import { useApiList } from "../lib/use-api-list";
import { apiJson } from "../lib/api";
import { grantableRoles } from "../lib/team-permissions";
import { CopyButton } from "../ui/copy-button";
import { ErrorNote, inputClass, Panel, primaryButton } from "../ui/form";
import { TableHead } from "../ui/table-head";

const ListSchema = z.object({ invitations: z.array(InvitationDtoSchema) });
const pickInvitations = (d: z.infer<typeof ListSchema>): InvitationDto[] => d.invitations;

export function InvitationsPanel({ team }: { team: TeamDto }) {
  const roles = grantableRoles(team.role);
  const [role, setRole] = useState<Role>("member");
  const [created, setCreated] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const base = `/api/teams/${encodeURIComponent(team.id)}/invitations`;

  const { items, error, setError, reload: load } = useApiList(base, ListSchema, pickInvitations);
  const list = items ?? [];

  async function create() {
    setBusy(true);
    setError(null);
    const res = await apiJson(base, InvitationDtoSchema, { method: "POST", body: { role } });
    setBusy(false);
    if (!res.ok) {
      setError(res.message);
      return;
    }
    setCreated(res.data.url ?? null);
    await load();
  }

  async function revoke(id: string) {
    setError(null);
    const res = await apiJson(`/api/invitations/${encodeURIComponent(id)}`, null, { method: "DELETE" });
    if (!res.ok) setError(res.message);
    await load();
  }

  return (
    <Panel title="Invitations">
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor="invite-role" className="text-sm text-muted">
          Invite as
        </label>
        <select id="invite-role" data-testid="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)}
          className="rounded-md border border-line bg-canvas px-2 py-1 text-sm">
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <button type="button" data-testid="invite-create" onClick={create} disabled={busy} className={primaryButton}>
          {busy ? "Creating…" : "Create invitation link"}
        </button>
      </div>
      {created && (
        <div className="space-y-1">
          <div className="flex gap-2">
            <input data-testid="invite-url" readOnly value={created} aria-label="Invitation link" onFocus={(e) => e.currentTarget.select()}
              className={`${inputClass} font-mono text-xs`} />
            <CopyButton text={created} testId="invite-copy" />
          </div>
          <p className="text-xs text-muted">Send this link to the person you invite. It works once, for seven days; it is not shown again.</p>
        </div>
      )}
      {error && <ErrorNote testId="invite-error">{error}</ErrorNote>}
      {list.length > 0 && (
        <table data-testid="invitations-table" className="w-full text-sm">
          <TableHead columns={["Role", "Created", "State"]} />
          <tbody>
            {list.map((inv) => {
              const state = invitationState(inv, Date.now());
              return (
                <tr key={inv.id} data-testid="invitation-row" data-invitation-id={inv.id} data-state={state} className="border-t border-line">
                  <td className="py-1.5 pr-3">{inv.role}</td>
                  <td className="py-1.5 pr-3 text-muted" title={inv.createdAt}>
                    {new Date(inv.createdAt).toLocaleDateString()}
                    {inv.createdBy && <> by {inv.createdBy}</>}
                  </td>
                  <td className="py-1.5 pr-3 text-muted" data-testid="invitation-state">{stateWords(inv, state)}</td>
                  <td className="py-1.5 text-right">
                    {state === "pending" && (
                      <button type="button" data-testid="invitation-revoke" onClick={() => void revoke(inv.id)}
                        className="text-sm text-red-700 hover:underline dark:text-red-300">
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

// "accepted by Ines", "pending until 12/7/2026": who used a link, or how long it still works.
function stateWords(inv: InvitationDto, state: ReturnType<typeof invitationState>): string {
  if (state === "accepted") return inv.acceptedBy ? `used by ${inv.acceptedBy}` : "used";
  if (state === "pending") return `unused, works until ${new Date(inv.expiresAt).toLocaleDateString()}`;
  return state;
}

function invitationState(inv: InvitationDto, now: number): "pending" | "accepted" | "revoked" | "expired" {
  if (inv.revokedAt) return "revoked";
  if (inv.acceptedAt) return "accepted";
  if (Date.parse(inv.expiresAt) < now) return "expired";
  return "pending";
}

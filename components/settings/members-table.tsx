"use client";
// Team members with their roles. Admins change viewers' and members' roles and remove them;
// owners manage everyone; anyone can leave.
import { useState } from "react";
import { z } from "zod";
import { ROLES, type Role } from "../../lib/auth/roles";
import { MemberDtoSchema, type MemberDto, type TeamDto } from "../../lib/protocol/teams";
import { useApiList } from "../lib/use-api-list";
import { apiJson } from "../lib/api";
import { canChangeRole, canRemove, grantableRoles } from "../lib/team-permissions";
import { ErrorNote, Panel } from "../ui/form";
import { TableHead } from "../ui/table-head";

const ListSchema = z.object({ members: z.array(MemberDtoSchema) });
const pickMembers = (d: z.infer<typeof ListSchema>): MemberDto[] => d.members;

export function MembersTable({ team, selfId }: { team: TeamDto; selfId: string }) {
  const [busyId, setBusyId] = useState<string | null>(null);
  const base = `/api/teams/${encodeURIComponent(team.id)}/members`;

  const { items: members, error, setError, reload: load } = useApiList(base, ListSchema, pickMembers);

  async function changeRole(m: MemberDto, role: Role) {
    setBusyId(m.userId);
    setError(null);
    const res = await apiJson(`${base}/${encodeURIComponent(m.userId)}`, MemberDtoSchema, { method: "PATCH", body: { role } });
    setBusyId(null);
    if (!res.ok) setError(res.message);
    await load();
  }

  async function remove(m: MemberDto) {
    // No confirm step: a removed member comes back with a new invitation link.
    const self = m.userId === selfId;
    setBusyId(m.userId);
    setError(null);
    const res = await apiJson(`${base}/${encodeURIComponent(m.userId)}`, null, { method: "DELETE" });
    setBusyId(null);
    if (!res.ok) {
      setError(res.message);
      return;
    }
    // Leaving changes which teams this person has: start over from the history page.
    if (self) window.location.assign("/");
    else await load();
  }

  return (
    <Panel title="Members">
      {error && <ErrorNote testId="members-error">{error}</ErrorNote>}
      {members === null && !error && <p className="text-sm text-muted">Loading members…</p>}
      {members && (
        <table data-testid="members-table" className="w-full text-sm">
          <TableHead columns={["Name", "Email", "Role"]} />
          <tbody>
            {members.map((m) => {
              const self = m.userId === selfId;
              const editable = canChangeRole(team.role, m.role);
              // A role the actor can't grant still shows as the member's current value.
              const options = editable ? ROLES.filter((r) => grantableRoles(team.role).includes(r) || r === m.role) : [m.role];
              return (
                <tr key={m.userId} data-testid="member-row" data-user-id={m.userId} className="border-t border-line">
                  <td className="py-1.5 pr-3 font-medium wrap-anywhere">
                    {m.name}
                    {self && <span className="ml-1 text-xs text-muted">(you)</span>}
                  </td>
                  <td className="py-1.5 pr-3 text-muted wrap-anywhere">{m.email}</td>
                  <td className="py-1.5 pr-3">
                    <select
                      data-testid="member-role"
                      aria-label={`Role of ${m.name}`}
                      value={m.role}
                      disabled={!editable || busyId === m.userId}
                      onChange={(e) => void changeRole(m, e.target.value as Role)}
                      className="rounded-md border border-line bg-canvas px-2 py-1 text-sm disabled:opacity-60"
                    >
                      {options.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="py-1.5 text-right">
                    {canRemove(team.role, m.role, self) && (
                      <button type="button" data-testid="member-remove" onClick={() => void remove(m)} disabled={busyId === m.userId}
                        className="text-sm text-red-700 hover:underline disabled:opacity-50 dark:text-red-300">
                        {self ? "Leave" : "Remove"}
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

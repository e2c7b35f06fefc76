// What the settings page offers a person, by their role. The server decides (lib/auth/roles.ts
// and lib/teams/members.ts); this only hides controls that would be refused, so the rules match:
// admins manage viewers and members, only owners touch the admin and owner roles.
import { atLeast, can, ROLES, type Role } from "../../lib/auth/roles";

/** Roles the actor may hand out, in invitations and role changes. */
export function grantableRoles(actor: Role): Role[] {
  if (actor === "owner") return [...ROLES];
  if (can(actor, "member.manage")) return ROLES.filter((r) => !atLeast(r, "admin"));
  return [];
}

/** Whether the actor may change this member's role. */
export function canChangeRole(actor: Role, target: Role): boolean {
  if (!can(actor, "member.manage")) return false;
  return actor === "owner" || !atLeast(target, "admin");
}

/** Anyone may leave a team; removing someone else follows the role-change rule. */
export function canRemove(actor: Role, target: Role, isSelf: boolean): boolean {
  return isSelf || canChangeRole(actor, target);
}

// Roles and what each may do: the single table every route, socket message and token call is
// checked against (through authorize()).
import { z } from "zod";

export const ROLES = ["viewer", "member", "admin", "owner"] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** The least role allowed to perform each action. */
export const ACTION_ROLE = {
  "session.read": "viewer",
  "session.export": "viewer",
  "session.create": "member",
  "session.message": "member",
  "session.stop": "member",
  "session.review": "member",
  /** Approve or deny a tool call or a plan the agent asked about; change a session's permission mode. */
  "session.approve": "member",
  /** Read the team's memory (entries, versions, proposals). */
  "memory.read": "viewer",
  /** Write entries; accept, edit, archive or reject proposed ones; decide consolidation proposals. */
  "memory.write": "member",
  /** See routines and their runs; see and resolve alerts. */
  "routine.read": "viewer",
  /** Create routines, run them now, change or delete one's own (admins: any). */
  "routine.manage": "member",
  "alert.resolve": "member",
  "share.create": "member",
  "share.revoke": "member",
  "team.read": "viewer",
  "token.own": "viewer",
  "member.manage": "admin",
  "invite.create": "admin",
  "repo.manage": "admin",
  "settings.manage": "admin",
  "audit.read": "admin",
  "admin.manage": "owner",
  "team.delete": "owner",
} as const satisfies Record<string, Role>;
export type Action = keyof typeof ACTION_ROLE;

export function can(role: Role, action: Action): boolean {
  return RANK[role] >= RANK[ACTION_ROLE[action]];
}

export function atLeast(role: Role, min: Role): boolean {
  return RANK[role] >= RANK[min];
}

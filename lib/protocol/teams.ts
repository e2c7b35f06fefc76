// Shapes of the accounts, teams, tokens, shares and audit API (shared by routes, UI and tests).
import { z } from "zod";
import { Role } from "../auth/roles";

export const UserDtoSchema = z.object({ id: z.string(), name: z.string(), email: z.string() });
export const TeamDtoSchema = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  allowPublicLinks: z.boolean(),
  role: Role,
});
export const MeDtoSchema = z.object({ user: UserDtoSchema, teams: z.array(TeamDtoSchema), activeTeamId: z.string().nullable() });
export const MemberDtoSchema = z.object({ userId: z.string(), name: z.string(), email: z.string(), role: Role, joinedAt: z.string() });
export const InvitationDtoSchema = z.object({
  id: z.string(),
  role: Role,
  createdAt: z.string(),
  expiresAt: z.string(),
  acceptedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  /** Only in the answer that created it: the link to copy. */
  url: z.string().optional(),
});
export const ApiTokenDtoSchema = z.object({
  id: z.string(),
  name: z.string(),
  teamId: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  /** Only in the answer that created it. */
  token: z.string().optional(),
});
export const ShareDtoSchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  pinnedSeq: z.number().int().nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  createdBy: z.string().nullable(),
  /** Only in the answer that created it. */
  url: z.string().optional(),
});
export const AuditEntryDtoSchema = z.object({
  id: z.string(),
  action: z.string(),
  actorName: z.string().nullable(),
  targetType: z.string(),
  targetId: z.string(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

export type UserDto = z.infer<typeof UserDtoSchema>;
export type TeamDto = z.infer<typeof TeamDtoSchema>;
export type MeDto = z.infer<typeof MeDtoSchema>;
export type MemberDto = z.infer<typeof MemberDtoSchema>;
export type InvitationDto = z.infer<typeof InvitationDtoSchema>;
export type ApiTokenDto = z.infer<typeof ApiTokenDtoSchema>;
export type ShareDto = z.infer<typeof ShareDtoSchema>;
export type AuditEntryDto = z.infer<typeof AuditEntryDtoSchema>;

const name = z.string().trim().min(1, "name is required").max(100);
export const CreateTeamInputSchema = z.object({ name });
export const UpdateTeamInputSchema = z.object({
  name: name.optional(),
  allowPublicLinks: z.boolean().optional(),
});
export const SwitchTeamInputSchema = z.object({ teamId: z.string().min(1).max(64) });
export const CreateInvitationInputSchema = z.object({ role: Role.default("member") });
export const ChangeRoleInputSchema = z.object({ role: Role });
export const CreateTokenInputSchema = z.object({ name: name.default("API token"), teamId: z.string().min(1).max(64).optional() });
export const CreateShareInputSchema = z.object({ pinnedSeq: z.number().int().positive().optional() });

// Shapes of the accounts, teams, tokens, shares and audit API (shared by routes, UI and tests).
import { z } from "zod";
import { CompanionSchema } from "./companion";
import { Role } from "../auth/roles";
import { safeText } from "./text";

/** The most text a team's instructions may hold (they are sent with every model call). */
export const TEAM_INSTRUCTIONS_MAX = 20_000;

export const UserDtoSchema = z.object({ id: z.string(), name: z.string(), email: z.string() });
export const TeamDtoSchema = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  allowPublicLinks: z.boolean(),
  role: Role,
});
/** A team with its spending and agent settings (GET and PATCH /api/teams/:id). */
export const TeamDetailDtoSchema = TeamDtoSchema.extend({
  /** USD given to each new session unless it asks for its own (null: none). */
  defaultBudgetUsd: z.number().nullable(),
  /** USD the team may spend on the model per calendar month, UTC (null: no cap). */
  monthlyCapUsd: z.number().nullable(),
  /** What the team spent this calendar month (UTC). */
  monthCostUsd: z.number(),
  /** The team's own instructions to the agent. */
  instructions: z.string(),
});
export const MeDtoSchema = z.object({
  user: UserDtoSchema,
  teams: z.array(TeamDtoSchema),
  activeTeamId: z.string().nullable(),
  /** The person's companion (lib/companion): absent only from callers that predate it. */
  companion: CompanionSchema.optional(),
});
export const MemberDtoSchema = z.object({ userId: z.string(), name: z.string(), email: z.string(), role: Role, joinedAt: z.string() });
export const InvitationDtoSchema = z.object({
  id: z.string(),
  role: Role,
  createdAt: z.string(),
  expiresAt: z.string(),
  acceptedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  /** Names of who made the link and who used it (null: unknown, or not used yet). */
  createdBy: z.string().nullable().optional(),
  acceptedBy: z.string().nullable().optional(),
  /** Only in the answer that created it: the link to copy. */
  url: z.string().optional(),
});
/** What an invitation link offers (GET /api/invitations/<token>, signed out too). */
export const InvitationOfferDtoSchema = z.object({
  teamName: z.string(),
  role: Role,
  /** The name of the person who made the link (null: their account is gone). */
  invitedBy: z.string().nullable(),
  valid: z.boolean(),
  reason: z.string().optional(),
});
/** Sent with a sign-up made through an invitation link: the new account joins its team at once. */
export const INVITATION_HEADER = "x-dockside-invitation";
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
/** What an audit entry points at, in words: a session's first line, a member's name, ... */
export const AuditTargetDtoSchema = z.object({
  label: z.string(),
  /** A second line: a member's email, a repository's location. */
  detail: z.string().optional(),
  /** The page that shows it, when there is one. */
  href: z.string().optional(),
});
export const AuditEntryDtoSchema = z.object({
  id: z.string(),
  action: z.string(),
  actorName: z.string().nullable(),
  /** null: Dockside itself or the command line. */
  actorId: z.string().nullable(),
  targetType: z.string(),
  targetId: z.string(),
  target: AuditTargetDtoSchema,
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

export type UserDto = z.infer<typeof UserDtoSchema>;
export type TeamDto = z.infer<typeof TeamDtoSchema>;
export type TeamDetailDto = z.infer<typeof TeamDetailDtoSchema>;
export type MeDto = z.infer<typeof MeDtoSchema>;
export type MemberDto = z.infer<typeof MemberDtoSchema>;
export type InvitationDto = z.infer<typeof InvitationDtoSchema>;
export type InvitationOfferDto = z.infer<typeof InvitationOfferDtoSchema>;
export type ApiTokenDto = z.infer<typeof ApiTokenDtoSchema>;
export type ShareDto = z.infer<typeof ShareDtoSchema>;
export type AuditTargetDto = z.infer<typeof AuditTargetDtoSchema>;
export type AuditEntryDto = z.infer<typeof AuditEntryDtoSchema>;

const name = safeText().trim().min(1, "name is required").max(100);
const usd = z.number().positive("an amount must be above $0").max(1_000_000);
export const CreateTeamInputSchema = z.object({ name });
export const UpdateTeamInputSchema = z.object({
  name: name.optional(),
  allowPublicLinks: z.boolean().optional(),
  /** null removes it. */
  defaultBudgetUsd: usd.nullable().optional(),
  monthlyCapUsd: usd.nullable().optional(),
  instructions: safeText().max(TEAM_INSTRUCTIONS_MAX, `team instructions are at most ${TEAM_INSTRUCTIONS_MAX.toLocaleString("en-US")} characters (they are sent with every model call)`).optional(),
});
export const SwitchTeamInputSchema = z.object({ teamId: z.string().min(1).max(64) });
export const CreateInvitationInputSchema = z.object({ role: Role.default("member") });
export const ChangeRoleInputSchema = z.object({ role: Role });
export const CreateTokenInputSchema = z.object({ name: name.default("API token"), teamId: z.string().min(1).max(64).optional() });
export const CreateShareInputSchema = z.object({ pinnedSeq: z.number().int().positive().optional() });

// Shapes of the repositories API (GET/POST /api/repos, PATCH/DELETE /api/repos/:id), shared by
// routes, the settings UI, the new-session form and tests. The environment parts (setup script,
// egress, secrets, cached environments) are in ./environments.
import { z } from "zod";
import { PermissionSettingsPatchSchema } from "./api";
import { RepositoryEnvironmentDtoSchema, RepositoryEnvironmentPatchSchema } from "./environments";
import { HooksSchema, PermissionMode, RulesSchema } from "./permissions";
import { safeText } from "./text";

export const RepositoryDtoSchema = z.object({
  id: z.string(),
  kind: z.enum(["local", "https"]),
  /** The normalized key (real path or URL) that identifies the repository. */
  location: z.string(),
  /** What sessions clone: enter this in the new-session form. */
  source: z.string(),
  name: z.string(),
  protectedBranches: z.array(z.string()),
  /** Whether a push token is stored (the token itself is never sent back). */
  hasPushToken: z.boolean(),
  createdAt: z.string(),
  /** Permission rules of the repository, added to the team's (null: none). */
  rules: RulesSchema.nullable(),
  /** Hooks run in the sandbox around tool calls and at the end of turns (null: none). */
  hooks: HooksSchema.nullable(),
  /** Mode new sessions of the repository get (null: the team's). */
  defaultMode: PermissionMode.nullable(),
});
/** PATCH /api/repos/:id answers with the registration and its environment settings. */
export const RepositoryDetailDtoSchema = RepositoryDtoSchema.extend({ environment: RepositoryEnvironmentDtoSchema });
export const RepositoryListSchema = z.object({ repositories: z.array(RepositoryDtoSchema) });

const branch = z.string().trim().min(1).max(255).regex(/^(?!-)[^\s~^:?*[\\\u0000-\u001f\u007f]+$/, "not a valid branch name");
const displayName = safeText().trim().min(1, "name must not be empty").max(100);

export const CreateRepositoryInputSchema = z.object({
  repo: safeText().trim().min(1, "repo is required: an https URL or a path to a local git repository").max(2000),
  name: displayName.optional(),
  protectedBranches: z.array(branch).max(50).optional(),
});
export const UpdateRepositoryInputSchema = z.object({
  name: displayName.optional(),
  protectedBranches: z.array(branch).max(50).optional(),
  /** A new push token, or null to clear the stored one. */
  pushToken: z.string().min(1).max(4096).nullable().optional(),
  /** setupScript, egress, secrets (see RepositoryEnvironmentPatchSchema). */
  ...RepositoryEnvironmentPatchSchema.shape,
  /** rules ({allow, ask, deny}, added to the team's) and defaultMode; null clears. */
  ...PermissionSettingsPatchSchema.shape,
  /** Hooks (lib/protocol/permissions.ts); null clears. */
  hooks: HooksSchema.nullable().optional(),
});

export type RepositoryDto = z.infer<typeof RepositoryDtoSchema>;
export type RepositoryDetailDto = z.infer<typeof RepositoryDetailDtoSchema>;
export type CreateRepositoryInput = z.infer<typeof CreateRepositoryInputSchema>;
export type UpdateRepositoryInput = z.infer<typeof UpdateRepositoryInputSchema>;

// Shapes of a repository's environment: its setup script, egress policy and secrets
// (PATCH /api/repos/:id, PATCH /api/teams/:id), and the cached environments (snapshots) made by
// setup. Shared by routes, the settings UI, the egress proxy and tests. zod only: the worker
// bundles part of this file.
import { z } from "zod";
import { safeText } from "./text";

/** What a phase may reach: nothing, the allowlist, or anything public (never private addresses). */
export const EGRESS_MODES = ["none", "allowlist", "open"] as const;
export const EgressMode = z.enum(EGRESS_MODES);
export type EgressMode = z.infer<typeof EgressMode>;

/**
 * Named sets of domains a team can allow in one word. Suffix patterns match subdomains only on a
 * dot boundary (`*.npmjs.org` matches `registry.npmjs.org`, never `evilnpmjs.org` or `npmjs.org`).
 */
export const EGRESS_PRESETS = {
  npm: ["registry.npmjs.org", "registry.yarnpkg.com", "*.npmjs.org"],
  pypi: ["pypi.org", "files.pythonhosted.org", "*.pythonhosted.org"],
  crates: ["crates.io", "static.crates.io", "index.crates.io"],
  go: ["proxy.golang.org", "sum.golang.org", "storage.googleapis.com"],
  maven: ["repo.maven.apache.org", "repo1.maven.org", "plugins.gradle.org", "services.gradle.org"],
  debian: ["deb.debian.org", "security.debian.org"],
  github: ["github.com", "api.github.com", "codeload.github.com", "objects.githubusercontent.com", "raw.githubusercontent.com"],
} as const satisfies Record<string, readonly string[]>;
export type EgressPreset = keyof typeof EGRESS_PRESETS;
export const EGRESS_PRESET_NAMES = Object.keys(EGRESS_PRESETS) as EgressPreset[];

// A lowercase DNS name of letters, digits and hyphens (no IP literals: they are refused by the
// proxy anyway, and an allowlist of addresses would bypass its private-range checks).
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
export const DOMAIN_RE = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})+$`);
export const SUFFIX_RE = new RegExp(`^\\*\\.(?=.{1,251}$)${LABEL}(?:\\.${LABEL})+$`);

/** One allowlist entry: an exact domain, `*.suffix`, or a preset name. */
export const EgressAllowEntry = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .superRefine((s, ctx) => {
    const ok = (EGRESS_PRESET_NAMES as string[]).includes(s) || (DOMAIN_RE.test(s) && !/^[0-9.]+$/.test(s)) || SUFFIX_RE.test(s);
    if (!ok) ctx.addIssue({ code: "custom", message: `"${s.slice(0, 80)}" is not a domain (example.com), a *.suffix pattern (*.example.com) or a preset (${EGRESS_PRESET_NAMES.join(", ")})` });
  });

export const EgressPolicySchema = z.strictObject({
  setup: EgressMode,
  agent: EgressMode,
  allow: z.array(EgressAllowEntry).max(200),
});
export type EgressPolicy = z.infer<typeof EgressPolicySchema>;

/** A partial policy (a repository overrides its team's default field by field). */
export const EgressPatchSchema = z.strictObject({
  setup: EgressMode.optional(),
  agent: EgressMode.optional(),
  allow: z.array(EgressAllowEntry).max(200).optional(),
});
export type EgressPatch = z.infer<typeof EgressPatchSchema>;

/** Without any settings: setup reaches the package registries, the agent reaches nothing. */
export const DEFAULT_EGRESS: EgressPolicy = { setup: "allowlist", agent: "none", allow: ["npm", "pypi", "crates", "go", "maven", "debian", "github"] };

/** The repository's settings over the team's, over the default. */
export function effectiveEgress(team: EgressPatch | null | undefined, repo: EgressPatch | null | undefined): EgressPolicy {
  return { ...DEFAULT_EGRESS, ...strip(team), ...strip(repo) };
}
function strip(p: EgressPatch | null | undefined): EgressPatch {
  return Object.fromEntries(Object.entries(p ?? {}).filter(([, v]) => v !== undefined)) as EgressPatch;
}

/** Environment variable names a secret may have (and nothing the sandbox relies on). */
export const SECRET_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const RESERVED_NAMES = /^(PATH|HOME|USER|SHELL|LANG|PWD|HTTPS?_PROXY|https?_proxy|NO_PROXY|no_proxy|ALL_PROXY|all_proxy|DOCKSIDE_.*|LD_.*|NODE_OPTIONS|GIT_.*)$/;
export const SecretName = z
  .string()
  .regex(SECRET_NAME_RE, "a secret's name is an environment variable name: letters, digits and _, not starting with a digit")
  .superRefine((s, ctx) => {
    if (RESERVED_NAMES.test(s)) ctx.addIssue({ code: "custom", message: `${s} is reserved by the sandbox; choose another name` });
  });

/**
 * `secrets` in a PATCH: a value (setup only), `{value, agent: true}` (also in the agent's
 * environment), `{agent}` alone (change the flag, keep the value), or null (delete).
 */
export const SecretInput = z.union([
  safeText().min(1).max(16_384),
  z.strictObject({ value: safeText().min(1).max(16_384).optional(), agent: z.boolean().optional() }),
  z.null(),
]);
// Names are checked over the whole record (zod reports a bad record key only as "Invalid key in
// record", which tells a person nothing), each with its own message at its own path.
export const SecretsPatchSchema = z.record(z.string().max(128), SecretInput).superRefine((r, ctx) => {
  const names = Object.keys(r);
  if (names.length > 100) ctx.addIssue({ code: "custom", message: "at most 100 secrets at once" });
  for (const name of names) {
    const checked = SecretName.safeParse(name);
    if (!checked.success) ctx.addIssue({ code: "custom", path: [name], message: checked.error.issues[0]?.message ?? "not a valid name" });
  }
});
export type SecretsPatch = z.infer<typeof SecretsPatchSchema>;

/** What a read says about a secret: never its value. */
export const SecretDtoSchema = z.object({ name: z.string(), agent: z.boolean(), updatedAt: z.string() });
export type SecretDto = z.infer<typeof SecretDtoSchema>;

export const SetupScript = safeText().max(64 * 1024, "a setup script is limited to 64 KiB");

/** The environment part of a repository as the API returns it. */
export const RepositoryEnvironmentDtoSchema = z.object({
  setupScript: z.string().nullable(),
  /** Whether the repository's own `.dockside/setup.sh` runs when no team script is set (the team's switch). */
  allowRepoSetupScript: z.boolean(),
  /** The repository's own overrides, and the policy sessions get after the team's default. */
  egress: EgressPatchSchema,
  effectiveEgress: EgressPolicySchema,
  secrets: z.array(SecretDtoSchema),
});
export type RepositoryEnvironmentDto = z.infer<typeof RepositoryEnvironmentDtoSchema>;

/** A cached environment: the result of a setup, reused by sessions with the same key. */
export const EnvironmentSnapshotDtoSchema = z.object({
  id: z.string(),
  repositoryId: z.string(),
  key: z.string(),
  /** What the key was made of, for people: "lockfiles package-lock.json@1a2b3c4", "commit 1a2b3c4". */
  basis: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  /** How long the setup took when it ran (what a hit saves). */
  setupMs: z.number().int().nonnegative(),
  uses: z.number().int().nonnegative(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  sessionId: z.string().nullable(),
});
export type EnvironmentSnapshotDto = z.infer<typeof EnvironmentSnapshotDtoSchema>;
export const EnvironmentListSchema = z.object({
  environments: z.array(EnvironmentSnapshotDtoSchema),
  totalBytes: z.number().int().nonnegative(),
  limitBytes: z.number().int().nonnegative(),
});
export type EnvironmentList = z.infer<typeof EnvironmentListSchema>;

/** The team's environment defaults (GET /api/teams/:id/environment). */
export const TeamEnvironmentDtoSchema = z.object({
  egress: EgressPatchSchema,
  effectiveEgress: EgressPolicySchema,
  allowRepoSetupScript: z.boolean(),
  secrets: z.array(SecretDtoSchema),
});
export type TeamEnvironmentDto = z.infer<typeof TeamEnvironmentDtoSchema>;

/** The environment fields of PATCH /api/repos/:id. */
export const RepositoryEnvironmentPatchSchema = z.object({
  /** The team's setup script for this repository; null or "" removes it. */
  setupScript: SetupScript.nullable().optional(),
  /** Overrides over the team's default; null removes them all. */
  egress: EgressPatchSchema.nullable().optional(),
  secrets: SecretsPatchSchema.optional(),
});
/** The environment fields of PATCH /api/teams/:id. */
export const TeamEnvironmentPatchSchema = z.object({
  egress: EgressPatchSchema.nullable().optional(),
  allowRepoSetupScript: z.boolean().optional(),
  secrets: SecretsPatchSchema.optional(),
});

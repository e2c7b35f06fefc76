// What the audit trail says about an environment change (a repository's or the team's).
import type { SecretsChange } from "./secrets";

/** What the audit trail says about an environment change: sizes and names, never a script's text or a secret's value. */
export function environmentAudit(patch: { setupScript?: string | null; egress?: unknown; allowRepoSetupScript?: boolean }, secrets: SecretsChange): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if (patch.setupScript !== undefined) data.setupScript = patch.setupScript?.trim() ? `set (${patch.setupScript.length} characters)` : "removed";
  if (patch.egress !== undefined) data.egress = patch.egress === null ? "reset" : patch.egress;
  if (patch.allowRepoSetupScript !== undefined) data.allowRepoSetupScript = patch.allowRepoSetupScript;
  if (Object.keys(secrets).length) data.secrets = secrets;
  return data;
}

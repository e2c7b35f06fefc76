// Stores a push token for an https repository (encrypted; used by host-side git only).
import { authorize } from "@/lib/auth/authorize";
import { recordAudit } from "@/lib/audit/record";
import { readJson, route } from "@/lib/http/handler";
import { RepoCredentialInputSchema } from "@/lib/protocol/teams";
import { setRepoCredential } from "@/lib/review/credentials";

export const dynamic = "force-dynamic";

export const PUT = route<{ id: string }>(async ({ req, params, caller }) => {
  const access = await authorize(caller, params.id, "repo.manage", "team not found");
  const { repo, token } = await readJson(req, RepoCredentialInputSchema);
  await setRepoCredential(access.teamId, new URL(repo).toString(), token);
  await recordAudit({ teamId: access.teamId, actor: caller.user, action: "team.updated", targetType: "repo", targetId: repo, data: { credential: "set" } });
  return { ok: true, repo };
});

// Removes a registration. Sessions keep their history (their link is cleared); new sessions, merges
// and pushes on the repository are refused until it is registered again.
import { recordAudit } from "../audit/record";
import type { Access } from "../auth/authorize";
import { db } from "../db/client";
import type { Repository } from "../db/generated/client";

export async function removeRepository(access: Access, repo: Repository): Promise<void> {
  await db().repository.delete({ where: { id: repo.id } });
  await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "repo.removed", targetType: "repository", targetId: repo.id, data: { location: repo.location } });
}

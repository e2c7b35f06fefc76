// Removes a registration. Sessions keep their history (their link is cleared); new sessions, merges
// and pushes on the repository are refused until it is registered again. Its secrets and cached
// environments go with it (rows by cascade, the environments' files here).
import { recordAudit } from "../audit/record";
import type { Access } from "../auth/authorize";
import { db } from "../db/client";
import type { Repository } from "../db/generated/client";
import { removeSnapshotFiles } from "../environments/snapshots";

export async function removeRepository(access: Access, repo: Repository): Promise<void> {
  await db().repository.delete({ where: { id: repo.id } });
  removeSnapshotFiles([repo.id]);
  await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "repo.removed", targetType: "repository", targetId: repo.id, data: { location: repo.location } });
}

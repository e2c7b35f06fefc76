// The team's registered repositories, newest first.
import type { Access } from "../auth/authorize";
import { db } from "../db/client";
import type { RepositoryDto } from "../protocol/repos";
import { toRepositoryDto } from "./dto";

export async function listRepositories(access: Access): Promise<RepositoryDto[]> {
  const rows = await db().repository.findMany({ where: { teamId: access.teamId }, orderBy: { createdAt: "desc" } });
  return rows.map(toRepositoryDto);
}

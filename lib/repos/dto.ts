// The API shape of a registration: everything but the sealed push token (only whether one is set).
import type { Repository } from "../db/generated/client";
import type { RepositoryDto } from "../protocol/repos";

export function toRepositoryDto(r: Repository): RepositoryDto {
  return {
    id: r.id,
    kind: r.kind === "local" ? "local" : "https",
    location: r.location,
    source: r.source,
    name: r.name,
    protectedBranches: r.protectedBranches,
    hasPushToken: r.pushSecret !== null,
    createdAt: r.createdAt.toISOString(),
  };
}

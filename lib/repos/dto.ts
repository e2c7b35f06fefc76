// The API shape of a registration: everything but the sealed push token (only whether one is set),
// with its permission settings (rules, hooks, default mode).
import type { Repository } from "../db/generated/client";
import type { RepositoryDto } from "../protocol/repos";
import { storedHooks, storedMode, storedRules } from "../approvals/stored";

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
    rules: storedRules(r.rules, `repository ${r.id}`),
    hooks: storedHooks(r.hooks, `repository ${r.id}`),
    defaultMode: storedMode(r.defaultMode),
  };
}

// One cached environment of a repository: admins and owners delete it.
import { deleteEnvironments } from "@/lib/environments/snapshots";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/http/handler";
import { authorizeRepository } from "@/lib/repos/authorize-repository";

export const dynamic = "force-dynamic";

export const DELETE = route<{ id: string; envId: string }>(async ({ params, caller }) => {
  const { access, repo } = await authorizeRepository(caller, params.id, "repo.manage");
  if (!/^[0-9a-f-]{36}$/.test(params.envId)) throw new AppError("not_found", "cached environment not found");
  return deleteEnvironments(access, repo.id, params.envId);
});

// A repository's cached environments (setup snapshots): members list them, admins and owners
// delete them (the next session runs the setup again).
import { deleteEnvironments, listEnvironments } from "@/lib/environments/snapshots";
import { route } from "@/lib/http/handler";
import { authorizeRepository } from "@/lib/repos/authorize-repository";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const { access, repo } = await authorizeRepository(caller, params.id, "team.read");
  return listEnvironments(access.teamId, repo.id);
});

export const DELETE = route<{ id: string }>(async ({ params, caller }) => {
  const { access, repo } = await authorizeRepository(caller, params.id, "repo.manage");
  return deleteEnvironments(access, repo.id);
});

// A repository's environment settings: setup script, egress overrides and the policy sessions
// get, secrets (names only). Changed through PATCH /api/repos/:id.
import { repositoryEnvironment } from "@/lib/environments/repository-environment";
import { route } from "@/lib/http/handler";
import { authorizeRepository } from "@/lib/repos/authorize-repository";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const { repo } = await authorizeRepository(caller, params.id, "team.read");
  return repositoryEnvironment(repo);
});

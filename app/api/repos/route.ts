// The active team's registered repositories: members list them, admins and owners register new ones.
import { activeTeam, authorize } from "@/lib/auth/authorize";
import { json, readJson, route } from "@/lib/http/handler";
import { CreateRepositoryInputSchema } from "@/lib/protocol/repos";
import { toRepositoryDto } from "@/lib/repos/dto";
import { listRepositories } from "@/lib/repos/list-repositories";
import { addRepository } from "@/lib/repos/register-repository";

export const dynamic = "force-dynamic";

export const GET = route(async ({ caller }) => {
  const access = await authorize(caller, await activeTeam(caller), "team.read");
  return { repositories: await listRepositories(access) };
});

export const POST = route(async ({ req, caller }) => {
  const access = await authorize(caller, await activeTeam(caller), "repo.manage");
  const row = await addRepository(access, await readJson(req, CreateRepositoryInputSchema));
  return json(201, toRepositoryDto(row));
});

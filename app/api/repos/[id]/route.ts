// One registration: admins and owners change its name, protected branches, push token and
// environment (setup script, egress, secrets: see lib/protocol/environments.ts), or remove it.
import { json, readJson, route } from "@/lib/http/handler";
import { UpdateRepositoryInputSchema } from "@/lib/protocol/repos";
import { authorizeRepository } from "@/lib/repos/authorize-repository";
import { removeRepository } from "@/lib/repos/remove-repository";
import { updateRepository } from "@/lib/repos/update-repository";

export const dynamic = "force-dynamic";

export const PATCH = route<{ id: string }>(async ({ req, params, caller }) => {
  const { access, repo } = await authorizeRepository(caller, params.id, "repo.manage");
  return updateRepository(access, repo, await readJson(req, UpdateRepositoryInputSchema));
});

export const DELETE = route<{ id: string }>(async ({ params, caller }) => {
  const { access, repo } = await authorizeRepository(caller, params.id, "repo.manage");
  await removeRepository(access, repo);
  return json(200, { ok: true });
});

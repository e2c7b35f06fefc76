// Loads a registration and authorizes `action` in its team: outsiders get 404, like everything a team owns.
import { authorize, type Access } from "../auth/authorize";
import type { Caller } from "../auth/caller";
import type { Action } from "../auth/roles";
import { db } from "../db/client";
import type { Repository } from "../db/generated/client";
import { AppError } from "../errors";

export async function authorizeRepository(caller: Caller, id: string, action: Action): Promise<{ access: Access; repo: Repository }> {
  const repo = /^[0-9a-f-]{36}$/.test(id) ? await db().repository.findUnique({ where: { id } }) : null;
  if (!repo) throw new AppError("not_found", "repository not found");
  const access = await authorize(caller, repo.teamId, action, "repository not found");
  return { access, repo };
}

// Checks shared by creating and changing a routine: the repository registration, the model and
// the schedule (stored with its next slot). Each refusal says what to do instead.
import { env } from "../config/env";
import { db } from "../db/client";
import type { Repository } from "../db/generated/client";
import { AppError } from "../errors";
import { parseRepoSource } from "../git/repo-source";
import { modelInfo } from "../models/table";
import type { Schedule } from "../protocol/routines";
import { checkSchedule, nextSlot } from "./schedule";

const REGISTER = "register it first in Settings → Repositories (an admin can), then create the routine";

/** The team's registration named by `repo`: its id, its location or its URL. */
export async function findRegistration(teamId: string, repo: string): Promise<Repository> {
  if (/^[0-9a-f-]{36}$/.test(repo)) {
    const byId = await db().repository.findFirst({ where: { id: repo, teamId } });
    if (!byId) throw new AppError("not_found", `repository ${repo} not found in your team: ${REGISTER}`);
    return byId;
  }
  const source = parseRepoSource(repo);
  const found = await db().repository.findUnique({ where: { teamId_location: { teamId, location: source.key } } });
  if (!found) throw new AppError("invalid", `${source.display} is not registered to your team: ${REGISTER}`);
  return found;
}

/** A model of the table, or one this server names (DOCKSIDE_MODEL, DOCKSIDE_MODELS: a proxy's aliases). */
export function checkModel(model: string): void {
  const e = env();
  const named = [e.DOCKSIDE_MODEL, ...e.DOCKSIDE_MODELS.split(",").map((m) => m.trim())];
  if (modelInfo(model).known || named.includes(model)) return;
  throw new AppError("invalid", `model "${model}" is not one this server offers (GET /api/models lists them)`);
}

/** The stored schedule columns; the next run is the first slot after `now` (nothing fires backwards). */
export function scheduleColumns(schedule: Schedule | null, now: Date): { cron: string | null; tz: string | null; nextRunAt: Date | null } {
  if (!schedule) return { cron: null, tz: null, nextRunAt: null };
  const s = checkSchedule(schedule);
  return { cron: s.cron, tz: s.tz, nextRunAt: nextSlot(s, now) };
}

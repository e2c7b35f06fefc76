// Which entries a `repo` parameter means: a registration of the team (by id, location or URL as
// given), or "team" for the team-wide entries. Another team's repository is not found (404).
import fs from "node:fs";
import path from "node:path";
import { db } from "../db/client";
import { AppError } from "../errors";
import { repoKey } from "../git/repo-source";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The ways a person may write a registration's location: as stored, as a URL key, or the real path. */
function candidates(input: string): string[] {
  const out = new Set([input, input.replace(/\/+$/, ""), repoKey(input)]);
  if (/^https?:\/\//i.test(input)) {
    try {
      out.add(repoKey(new URL(input).toString()));
    } catch {
      // not a URL after all: the other forms stay
    }
  }
  if (path.isAbsolute(input)) {
    try {
      out.add(fs.realpathSync(input));
    } catch {
      // no such directory here: compare as written
    }
  }
  return [...out];
}

/** The repository `input` names in the team, or a 404 that says how to name one. */
export async function resolveRepository(teamId: string, input: string): Promise<{ id: string; location: string }> {
  const repo = input.trim();
  const row = UUID.test(repo)
    ? await db().repository.findFirst({ where: { id: repo, teamId }, select: { id: true, location: true } })
    : await db().repository.findFirst({ where: { teamId, OR: [{ location: { in: candidates(repo) } }, { source: repo }] }, select: { id: true, location: true } });
  if (!row) throw new AppError("not_found", `repository not found: ${repo.slice(0, 200)} is not registered in your team (give its id or location as listed in Settings → Repositories, or "team" for team-wide entries)`);
  return row;
}

/** `repo` of a list: undefined (every entry), null ("team": team-wide only) or a repository id. */
export async function repoFilter(teamId: string, input: string | undefined): Promise<string | null | undefined> {
  if (input === undefined || input.trim() === "") return undefined;
  if (input.trim().toLowerCase() === "team") return null;
  return (await resolveRepository(teamId, input)).id;
}

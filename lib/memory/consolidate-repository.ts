// Consolidation on the database: which repositories are due (enough new sessions since the last
// look, and entries to look at), and writing the proposals for one of them (its entries and the
// team-wide ones). Proposals only: entries change when a person accepts one.
import crypto from "node:crypto";
import { env } from "../config/env";
import { db } from "../db/client";
import { proposalKey, proposalsFor } from "./consolidate";

/** Entries of one scope looked at in one pass (oldest first); a team with more gets the rest next time. */
const MAX_ENTRIES = 500;

/** Repositories with at least DOCKSIDE_MEMORY_CONSOLIDATE_AFTER sessions since their last consolidation (or ever) and at least 2 entries in reach. */
export async function dueRepositories(after = env().DOCKSIDE_MEMORY_CONSOLIDATE_AFTER): Promise<string[]> {
  const rows = await db().$queryRaw<{ id: string }[]>`
    SELECT r.id FROM repositories r
    WHERE (SELECT count(*) FROM sessions s
           WHERE s.repository_id = r.id AND (r.memory_consolidated_at IS NULL OR s.created_at > r.memory_consolidated_at)) >= ${after}
      AND (SELECT count(*) FROM memory_entries e
           WHERE e.team_id = r.team_id AND (e.repository_id = r.id OR e.repository_id IS NULL) AND e.state IN ('proposed', 'accepted')) >= 2
    ORDER BY r.memory_consolidated_at ASC NULLS FIRST
    LIMIT 100`;
  return rows.map((r) => r.id);
}

/** Writes the proposals for the repository's entries and the team-wide ones, and marks it consolidated; answers how many were written. */
export async function consolidateRepository(repositoryId: string): Promise<number> {
  const repo = await db().repository.findUnique({ where: { id: repositoryId }, select: { teamId: true } });
  if (!repo) return 0;
  return db().$transaction(async (tx) => {
    // One pass per team at a time: two would each write the same team-wide proposals.
    await tx.$executeRaw`SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(${`memory-consolidate:${repo.teamId}`}, 0))) AS locked`;
    let written = 0;
    for (const scope of [repositoryId, null]) {
      const entries = await tx.memoryEntry.findMany({
        where: { teamId: repo.teamId, repositoryId: scope, state: { in: ["proposed", "accepted"] } },
        select: { id: true, text: true, state: true, createdAt: true, sourceSessionId: true, createdByName: true },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        take: MAX_ENTRIES,
      });
      if (!entries.length) continue;
      // Never the same open proposal twice, nor again what a person already rejected.
      const known = await tx.memoryProposal.findMany({ where: { teamId: repo.teamId, repositoryId: scope, state: { in: ["proposed", "rejected"] } }, select: { kind: true, entryIds: true, text: true, state: true } });
      const open = new Set(known.filter((k) => k.state === "proposed").map(proposalKey));
      const rejected = new Set(known.filter((k) => k.state === "rejected").map((k) => `${proposalKey(k)}|${k.text ?? ""}`));
      for (const d of proposalsFor(entries)) {
        if (open.has(proposalKey(d)) || rejected.has(`${proposalKey(d)}|${d.text ?? ""}`)) continue;
        await tx.memoryProposal.create({ data: { id: crypto.randomUUID(), teamId: repo.teamId, repositoryId: scope, kind: d.kind, entryIds: d.entryIds, text: d.text, reason: d.reason } });
        open.add(proposalKey(d));
        written++;
      }
    }
    await tx.repository.update({ where: { id: repositoryId }, data: { memoryConsolidatedAt: new Date() } });
    return written;
  });
}

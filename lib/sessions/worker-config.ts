// The worker's configuration, built from the session row (the truth) when a sandbox starts or is
// reattached. The map is only a cache that saves queries per poll: a miss (another process
// started the sandbox, a reload raced a restart) rebuilds it from the row.
import { env } from "../config/env";
import { db } from "../db/client";
import { AppError } from "../errors";
import { environmentNote } from "../environments/environment-note";
import { sessionSecrets } from "../environments/secrets";
import { memoryNoteFor } from "../memory/agent";
import { workerMcp } from "../mcp/worker-view";
import { storedServers } from "../mcp/stored";
import { modelInfo } from "../models/table";
import type { WorkerConfig } from "../protocol/worker";

export interface ConfigRow {
  id: string;
  teamId: string;
  repositoryId: string | null;
  model: string;
  branch: string;
  baseCommit: string | null;
  sandboxUid: number;
  thinkingBudget: number | null;
  prompt: string;
  routineId: string | null;
  /** The MCP servers snapshotted at creation (lib/mcp/stored.ts); read from the row when left out. */
  mcpServers?: unknown;
}

interface Cached {
  model: string;
  branch: string;
  baseCommit: string;
  sandboxUid: number;
  thinkingBudget?: number | null;
  teamInstructions: string;
  agentEnv: Record<string, string>;
  environmentNote: string;
  memoryNote: string;
  routineKind: "task" | "check" | null;
  mcp: Pick<WorkerConfig, "mcpStdio" | "mcpRemote">;
}

export class WorkerConfigs {
  private cache = new Map<string, Cached>();
  private loading = new Map<string, Promise<void>>();

  /** The worker's configuration; on a miss, starts rebuilding it and asks the worker to retry. */
  get(id: string): WorkerConfig {
    const row = this.cache.get(id);
    if (!row) {
      void this.reload(id);
      throw new AppError("unavailable", "this session's configuration is being loaded; retry");
    }
    const e = env();
    return {
      sessionId: id,
      model: row.model,
      branch: row.branch,
      baseCommit: row.baseCommit,
      agentUid: row.sandboxUid,
      agentGid: row.sandboxUid,
      maxTurns: e.DOCKSIDE_MAX_TURNS,
      shellTimeoutS: e.DOCKSIDE_SHELL_TIMEOUT_S,
      toolOutputCap: 30_000,
      maxTokens: 16_384,
      contextTokens: e.DOCKSIDE_CONTEXT_TOKENS ?? modelInfo(row.model).contextWindow,
      maxOutputTokens: modelInfo(row.model).maxOutput,
      thinkingBudget: row.thinkingBudget ?? null,
      teamInstructions: row.teamInstructions,
      agentEnv: row.agentEnv,
      environmentNote: row.environmentNote,
      memoryNote: row.memoryNote,
      routineKind: row.routineKind,
      ...row.mcp,
    };
  }

  /** Rebuilds the cached configuration from the session's row (one load at a time per session). */
  reload(id: string): Promise<void> {
    let p = this.loading.get(id);
    if (!p) {
      p = db()
        .session.findUnique({ where: { id } })
        .then((row) => (row ? this.load(row) : undefined))
        .catch((err) => console.error(`[sessions] config ${id}`, err))
        .finally(() => this.loading.delete(id));
      this.loading.set(id, p);
    }
    return p;
  }

  /** The base commit, recorded once the workspace is made (a fresh session's config is loaded alongside it). */
  based(id: string, baseCommit: string | null): void {
    const cached = this.cache.get(id);
    if (cached) cached.baseCommit = baseCommit ?? "";
  }

  /** Builds the configuration as it is when the sandbox starts: it stays put for the whole run (the cached prefix). */
  async load(row: ConfigRow): Promise<void> {
    // Independent reads, at once (each is a round trip of the session's start).
    const [team, secrets, note, memoryNote, routine, mcpJson] = await Promise.all([
      db().team.findUnique({ where: { id: row.teamId }, select: { instructions: true } }),
      sessionSecrets(row.teamId, row.repositoryId),
      environmentNote(row.teamId, row.repositoryId),
      // The team's accepted memory, as it is when the sandbox starts (the worker fixes its system
      // prompt once, so a later change reaches the next session, never this one's cached prefix).
      memoryNoteFor(row.teamId, row.repositoryId, row.prompt).catch((err) => {
        console.error("[memory] note", row.id, err);
        return "";
      }),
      row.routineId ? db().routine.findUnique({ where: { id: row.routineId }, select: { kind: true } }) : null,
      row.mcpServers !== undefined ? row.mcpServers : db().session.findUnique({ where: { id: row.id }, select: { mcpServers: true } }).then((r) => r?.mcpServers),
    ]);
    // Secrets marked for the agent, as they are when the sandbox starts (the rest reach setup only).
    const agentEnv = Object.fromEntries(secrets.filter((s) => s.agent).map((s) => [s.name, s.value]));
    const routineKind = routine?.kind === "check" ? "check" : routine ? "task" : null;
    const mcp = workerMcp(storedServers(mcpJson, `session ${row.id}`));
    this.cache.set(row.id, { mcp, model: row.model, branch: row.branch, baseCommit: row.baseCommit ?? "", sandboxUid: row.sandboxUid, thinkingBudget: row.thinkingBudget, teamInstructions: team?.instructions ?? "", agentEnv, environmentNote: note, memoryNote, routineKind });
  }
}

-- Memory, routines, alerts and the companion (issue 11).
ALTER TABLE "repositories" ADD COLUMN "memory_consolidated_at" TIMESTAMP(3);

CREATE TABLE "memory_entries" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "repository_id" TEXT,
    "text" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'proposed',
    "version" INTEGER NOT NULL DEFAULT 1,
    "source_session_id" TEXT,
    "source_turn" INTEGER,
    "source_call_id" TEXT,
    "created_by_id" TEXT,
    "created_by_name" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uses" INTEGER NOT NULL DEFAULT 0,
    "last_used_at" TIMESTAMP(3),
    "search" tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce("text", ''))) STORED,
    CONSTRAINT "memory_entries_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "memory_entries_source_session_id_source_call_id_key" ON "memory_entries"("source_session_id", "source_call_id");
CREATE INDEX "memory_entries_team_id_repository_id_state_idx" ON "memory_entries"("team_id", "repository_id", "state");
CREATE INDEX "memory_entries_search_idx" ON "memory_entries" USING GIN ("search");
ALTER TABLE "memory_entries" ADD CONSTRAINT "memory_entries_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "memory_entries" ADD CONSTRAINT "memory_entries_repository_id_fkey" FOREIGN KEY ("repository_id") REFERENCES "repositories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "memory_versions" (
    "id" TEXT NOT NULL,
    "entry_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "author_id" TEXT,
    "author_name" TEXT,
    "session_id" TEXT,
    "note" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "memory_versions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "memory_versions_entry_id_version_key" ON "memory_versions"("entry_id", "version");
ALTER TABLE "memory_versions" ADD CONSTRAINT "memory_versions_entry_id_fkey" FOREIGN KEY ("entry_id") REFERENCES "memory_entries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "memory_proposals" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "repository_id" TEXT,
    "kind" TEXT NOT NULL,
    "entry_ids" TEXT[],
    "text" TEXT,
    "reason" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'proposed',
    "decided_by_id" TEXT,
    "decided_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "memory_proposals_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "memory_proposals_team_id_state_idx" ON "memory_proposals"("team_id", "state");

CREATE TABLE "routines" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "repository_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prompt" TEXT NOT NULL,
    "base_branch" TEXT,
    "kind" TEXT NOT NULL DEFAULT 'task',
    "mode" TEXT,
    "budget_usd" DOUBLE PRECISION,
    "model" TEXT,
    "cron" TEXT,
    "tz" TEXT,
    "next_run_at" TIMESTAMP(3),
    "daily_cap" INTEGER NOT NULL DEFAULT 24,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "token_hash" TEXT NOT NULL,
    "created_by_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "routines_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "routines_token_hash_key" ON "routines"("token_hash");
CREATE INDEX "routines_enabled_next_run_at_idx" ON "routines"("enabled", "next_run_at");
CREATE INDEX "routines_team_id_idx" ON "routines"("team_id");
ALTER TABLE "routines" ADD CONSTRAINT "routines_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "routines" ADD CONSTRAINT "routines_repository_id_fkey" FOREIGN KEY ("repository_id") REFERENCES "repositories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "routine_runs" (
    "id" TEXT NOT NULL,
    "routine_id" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "slot" TIMESTAMP(3),
    "missed" INTEGER NOT NULL DEFAULT 0,
    "text" TEXT,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "error" TEXT,
    "session_id" TEXT,
    "verdict" TEXT,
    "summary" TEXT,
    "fired_by_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "routine_runs_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "routine_runs_session_id_key" ON "routine_runs"("session_id");
CREATE UNIQUE INDEX "routine_runs_routine_id_slot_key" ON "routine_runs"("routine_id", "slot");
CREATE INDEX "routine_runs_routine_id_created_at_idx" ON "routine_runs"("routine_id", "created_at");
CREATE INDEX "routine_runs_state_idx" ON "routine_runs"("state");
ALTER TABLE "routine_runs" ADD CONSTRAINT "routine_runs_routine_id_fkey" FOREIGN KEY ("routine_id") REFERENCES "routines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "sessions" ADD COLUMN "routine_id" TEXT;
CREATE INDEX "sessions_routine_id_idx" ON "sessions"("routine_id");
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_routine_id_fkey" FOREIGN KEY ("routine_id") REFERENCES "routines"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "alerts" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "session_id" TEXT,
    "routine_id" TEXT,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMP(3),
    "resolved_by" TEXT,
    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "alerts_key_key" ON "alerts"("key");
CREATE INDEX "alerts_team_id_resolved_at_created_at_idx" ON "alerts"("team_id", "resolved_at", "created_at");
CREATE INDEX "alerts_session_id_idx" ON "alerts"("session_id");

CREATE TABLE "companions" (
    "user_id" TEXT NOT NULL,
    "name" TEXT,
    "hidden" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "companions_pkey" PRIMARY KEY ("user_id")
);

ALTER TABLE "memory_proposals" ADD CONSTRAINT "memory_proposals_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Issue 14: a merge runs as a background job (pg-boss) whose state and progress live here, so
-- every instance and every watcher sees it, and a merge whose process died is resumed or failed
-- by whoever finds its heartbeat stale. At most one queued or running merge per session.
CREATE TABLE "merge_jobs" (
    "id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "strategy" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "step" TEXT NOT NULL DEFAULT 'queued',
    "done" INTEGER,
    "total" INTEGER,
    "message" TEXT NOT NULL,
    "override_reason" TEXT,
    "overridden" TEXT,
    "requested_by_id" TEXT NOT NULL,
    "requested_by_name" TEXT NOT NULL,
    "requested_by_email" TEXT NOT NULL,
    "base_head" TEXT,
    "result_commit" TEXT,
    "error" TEXT,
    "conflicts" JSONB NOT NULL DEFAULT '[]',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "heartbeat_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "merge_jobs_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "merge_jobs_session_id_created_at_idx" ON "merge_jobs" ("session_id", "created_at");
CREATE UNIQUE INDEX "merge_jobs_one_active" ON "merge_jobs" ("session_id") WHERE "state" IN ('queued', 'running');
CREATE INDEX "merge_jobs_active_heartbeat_idx" ON "merge_jobs" ("heartbeat_at") WHERE "state" IN ('queued', 'running');
ALTER TABLE "merge_jobs" ADD CONSTRAINT "merge_jobs_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

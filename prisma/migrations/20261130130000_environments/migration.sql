-- Environments: setup scripts, egress policies, secrets and cached environments (issue 9).
ALTER TABLE "teams" ADD COLUMN "egress" JSONB;
ALTER TABLE "teams" ADD COLUMN "allow_repo_setup_script" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "repositories" ADD COLUMN "setup_script" TEXT;
ALTER TABLE "repositories" ADD COLUMN "egress" JSONB;
ALTER TABLE "sessions" ADD COLUMN "setup_finished_at" TIMESTAMP(3);

CREATE TABLE "secrets" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "repository_id" TEXT,
    "name" TEXT NOT NULL,
    "sealed" TEXT NOT NULL,
    "agent" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "secrets_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "secrets_team_id_repository_id_name_key" ON "secrets"("team_id", "repository_id", "name");
-- Team-wide secrets have no repository: NULLs are distinct in a unique index, so name them once more.
CREATE UNIQUE INDEX "secrets_team_wide_name_key" ON "secrets"("team_id", "name") WHERE "repository_id" IS NULL;
ALTER TABLE "secrets" ADD CONSTRAINT "secrets_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "secrets" ADD CONSTRAINT "secrets_repository_id_fkey" FOREIGN KEY ("repository_id") REFERENCES "repositories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "environment_snapshots" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "repository_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "basis" TEXT NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "setup_ms" INTEGER NOT NULL,
    "uses" INTEGER NOT NULL DEFAULT 0,
    "session_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "environment_snapshots_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "environment_snapshots_repository_id_key_key" ON "environment_snapshots"("repository_id", "key");
CREATE INDEX "environment_snapshots_last_used_at_idx" ON "environment_snapshots"("last_used_at");
ALTER TABLE "environment_snapshots" ADD CONSTRAINT "environment_snapshots_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "environment_snapshots" ADD CONSTRAINT "environment_snapshots_repository_id_fkey" FOREIGN KEY ("repository_id") REFERENCES "repositories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

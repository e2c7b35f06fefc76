-- Repositories belong to teams: a registration per repository carries its protected branches and
-- push token. Existing sessions are backfilled with registrations of their team (a local path used by
-- several teams goes to the team that used it first; the others must ask that team), then the
-- team-level protected branches and repo_credentials move into them and are dropped.
CREATE TABLE "repositories" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "protected_branches" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "push_secret" TEXT,
    "created_by_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "repositories_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "repositories_team_id_location_key" ON "repositories"("team_id", "location");
CREATE UNIQUE INDEX "repositories_local_location_key" ON "repositories"("location") WHERE "kind" = 'local';
ALTER TABLE "repositories" ADD CONSTRAINT "repositories_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "sessions" ADD COLUMN "repository_id" TEXT;
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_repository_id_fkey" FOREIGN KEY ("repository_id") REFERENCES "repositories"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "sessions_repository_id_idx" ON "sessions"("repository_id");
CREATE INDEX "sessions_created_by_id_status_idx" ON "sessions"("created_by_id", "status");
-- https push tokens first (they carry the secret), keyed like lib/git/repo-source.ts repoKey().
INSERT INTO "repositories" ("id", "team_id", "kind", "location", "source", "name", "protected_branches", "push_secret", "created_at") SELECT DISTINCT ON (c."team_id", regexp_replace(c."repo", '(\.git)?/*$', '')) gen_random_uuid()::text, c."team_id", 'https', regexp_replace(c."repo", '(\.git)?/*$', ''), c."repo", regexp_replace(regexp_replace(c."repo", '(\.git)?/*$', ''), '^.*/', ''), t."protected_branches", c."secret", c."created_at" FROM "repo_credentials" c JOIN "teams" t ON t."id" = c."team_id" ORDER BY c."team_id", regexp_replace(c."repo", '(\.git)?/*$', ''), c."created_at" DESC;
INSERT INTO "repositories" ("id", "team_id", "kind", "location", "source", "name", "protected_branches", "created_by_id", "created_at") SELECT DISTINCT ON (s."team_id", regexp_replace(s."repo", '(\.git)?/*$', '')) gen_random_uuid()::text, s."team_id", 'https', regexp_replace(s."repo", '(\.git)?/*$', ''), s."repo", regexp_replace(regexp_replace(s."repo", '(\.git)?/*$', ''), '^.*/', ''), t."protected_branches", s."created_by_id", s."created_at" FROM "sessions" s JOIN "teams" t ON t."id" = s."team_id" WHERE s."repo" LIKE 'https://%' ORDER BY s."team_id", regexp_replace(s."repo", '(\.git)?/*$', ''), s."created_at" ON CONFLICT DO NOTHING;
INSERT INTO "repositories" ("id", "team_id", "kind", "location", "source", "name", "protected_branches", "created_by_id", "created_at") SELECT DISTINCT ON (s."repo") gen_random_uuid()::text, s."team_id", 'local', s."repo", s."repo", regexp_replace(s."repo", '^.*/', ''), t."protected_branches", s."created_by_id", s."created_at" FROM "sessions" s JOIN "teams" t ON t."id" = s."team_id" WHERE s."repo" LIKE '/%' ORDER BY s."repo", s."created_at" ON CONFLICT DO NOTHING;
UPDATE "sessions" SET "repository_id" = r."id" FROM "repositories" r WHERE r."team_id" = "sessions"."team_id" AND r."location" = (CASE WHEN "sessions"."repo" LIKE 'https://%' THEN regexp_replace("sessions"."repo", '(\.git)?/*$', '') ELSE "sessions"."repo" END);
DROP TABLE "repo_credentials";
ALTER TABLE "teams" DROP COLUMN "protected_branches";

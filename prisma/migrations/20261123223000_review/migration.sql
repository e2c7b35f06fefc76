-- AlterTable
ALTER TABLE "teams" ADD COLUMN     "protected_branches" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "merged_commit" TEXT,
ADD COLUMN     "review_state" TEXT NOT NULL DEFAULT 'needs_review';

-- CreateTable
CREATE TABLE "reviews" (
    "id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "author_id" TEXT NOT NULL,
    "author_name" TEXT NOT NULL,
    "verdict" TEXT NOT NULL,
    "body" TEXT,
    "head_commit" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reviews_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "review_threads" (
    "id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "line" INTEGER NOT NULL,
    "side" TEXT NOT NULL,
    "quoted_code" TEXT NOT NULL,
    "commit_sha" TEXT NOT NULL,
    "resolved_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "review_threads_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "review_comments" (
    "id" TEXT NOT NULL,
    "thread_id" TEXT NOT NULL,
    "author_id" TEXT NOT NULL,
    "author_name" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "review_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "review_comments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "repo_credentials" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "repo" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "repo_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "reviews_session_id_created_at_idx" ON "reviews"("session_id", "created_at");

-- CreateIndex
CREATE INDEX "review_threads_session_id_idx" ON "review_threads"("session_id");

-- CreateIndex
CREATE INDEX "review_comments_thread_id_idx" ON "review_comments"("thread_id");

-- CreateIndex
CREATE UNIQUE INDEX "repo_credentials_team_id_repo_key" ON "repo_credentials"("team_id", "repo");

-- AddForeignKey
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "review_threads" ADD CONSTRAINT "review_threads_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "review_comments" ADD CONSTRAINT "review_comments_thread_id_fkey" FOREIGN KEY ("thread_id") REFERENCES "review_threads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "repo_credentials" ADD CONSTRAINT "repo_credentials_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Several Docker engines (issue 12): which engine a session's sandbox runs on.
ALTER TABLE "sessions" ADD COLUMN "engine" TEXT;

-- Issue 13: "needs attention" is a fact about a session a person must act on (the model failed, the
-- budget ran out, an approval waits, the sandbox failed), kept beside the status rather than folded
-- into it: a session whose model call failed is idle (a follow-up works) but not a success.
ALTER TABLE "sessions" ADD COLUMN "attention" TEXT;
ALTER TABLE "sessions" ADD COLUMN "attention_reason" TEXT;
ALTER TABLE "sessions" ADD COLUMN "attention_at" TIMESTAMP(3);
CREATE INDEX "sessions_team_id_attention_idx" ON "sessions" ("team_id", "attention") WHERE "attention" IS NOT NULL;

-- Merge guard rails: who overrode unresolved threads or "changes requested", and why (also audited).
ALTER TABLE "sessions" ADD COLUMN "merged_at" TIMESTAMP(3);
ALTER TABLE "sessions" ADD COLUMN "merged_by_id" TEXT;

-- Cost and budgets (issue 8): token totals by kind and cost on the session row, session and team
-- budgets, thinking, team instructions, and the team's spend per month.
ALTER TABLE "sessions" ADD COLUMN "cache_read_tokens" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "sessions" ADD COLUMN "cache_write_tokens" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "sessions" ADD COLUMN "cost_usd" DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE "sessions" ADD COLUMN "budget_usd" DOUBLE PRECISION;
ALTER TABLE "sessions" ADD COLUMN "thinking_budget" INTEGER;

ALTER TABLE "teams" ADD COLUMN "default_budget_usd" DOUBLE PRECISION;
ALTER TABLE "teams" ADD COLUMN "monthly_cap_usd" DOUBLE PRECISION;
ALTER TABLE "teams" ADD COLUMN "instructions" TEXT NOT NULL DEFAULT '';

CREATE TABLE "team_usage_months" (
    "team_id" TEXT NOT NULL,
    "month" DATE NOT NULL,
    "cost_usd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    CONSTRAINT "team_usage_months_pkey" PRIMARY KEY ("team_id", "month")
);
ALTER TABLE "team_usage_months" ADD CONSTRAINT "team_usage_months_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Audit entries outlive the team they describe (the deletion itself is audited).
ALTER TABLE "audit_entries" DROP CONSTRAINT "audit_entries_team_id_fkey";

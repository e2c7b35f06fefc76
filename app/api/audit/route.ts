import { activeTeam, authorize } from "@/lib/auth/authorize";
import { listAudit, AuditQuerySchema } from "@/lib/audit/list-audit";
import { readQuery, route } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

export const GET = route(async ({ req, caller }) => {
  const { teamId } = await authorize(caller, await activeTeam(caller), "audit.read");
  return listAudit(teamId, readQuery(req, AuditQuerySchema));
});

import { authorizeSession } from "@/lib/auth/authorize";
import { exportSession, ExportQuerySchema } from "@/lib/export/export-session";
import { readQuery, route } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ req, params, caller }) => {
  const { teamId } = await authorizeSession(caller, params.id, "session.export");
  const { format } = readQuery(req, ExportQuerySchema);
  const out = await exportSession(teamId, params.id, format);
  return new Response(out.body, {
    headers: {
      "content-type": out.contentType,
      "content-disposition": `attachment; filename="${out.filename}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
});

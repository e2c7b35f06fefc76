import { NextResponse } from "next/server";
import { publicRoute, readQuery } from "@/lib/http/handler";
import { SharedSessionQuerySchema, viewSharedSession } from "@/lib/shares/view-shared-session";

export const dynamic = "force-dynamic";

// Public: anonymous visitors may open links of teams that allow it (the lib decides).
export const GET = publicRoute<{ token: string }>(async ({ req, params, caller }) => {
  const shared = await viewSharedSession(caller, params.token, readQuery(req, SharedSessionQuerySchema));
  return NextResponse.json(shared, { headers: { "cache-control": "private, no-store", "referrer-policy": "no-referrer" } });
});

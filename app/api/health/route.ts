import { NextResponse } from "next/server";
import { publicRoute } from "@/lib/http/handler";
import { runtime } from "@/lib/runtime/boot";

export const dynamic = "force-dynamic";

export const GET = publicRoute(async () => {
  const health = await runtime().health();
  return NextResponse.json(health, { status: health.database.ok ? 200 : 503 });
});

import { NextResponse } from "next/server";
import { publicRoute } from "@/lib/http/handler";
import { runtime } from "@/lib/runtime/boot";
import { checkUp } from "@/lib/runtime/health";

export const dynamic = "force-dynamic";

// Without credentials: only whether Dockside is up. The engine's address, versions, the image
// and error texts describe the host and are for signed-in callers only.
export const GET = publicRoute(async ({ caller }) => {
  if (!caller) {
    const up = await checkUp();
    return NextResponse.json({ ok: up }, { status: up ? 200 : 503 });
  }
  const health = await runtime().health();
  return NextResponse.json(health, { status: health.database.ok ? 200 : 503 });
});

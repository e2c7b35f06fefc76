// better-auth's endpoints: /api/auth/sign-up/email, /sign-in/email, /sign-out, /get-session, ...
import { auth } from "@/lib/auth/auth";
import { ensureRuntime } from "@/lib/runtime/boot";

export const dynamic = "force-dynamic";

async function handle(req: Request): Promise<Response> {
  await ensureRuntime();
  return auth().handler(req);
}

export { handle as GET, handle as POST };

// The routine's webhook (CI, another tool): no Dockside account, only the routine's own bearer
// token, compared by its hash. A missing or wrong token, for this routine or any other id, is the
// same 401, so the answer never tells whether a routine exists.
import { clientIp, rateLimit } from "@/lib/auth/rate-limit";
import { json, publicRoute } from "@/lib/http/handler";
import { fireRoutine, readFireInput, routineForToken } from "@/lib/routines/fire";

export const dynamic = "force-dynamic";

export const POST = publicRoute<{ id: string }>(async ({ req, params }) => {
  const routine = await routineForToken(params.id, req.headers.get("authorization"));
  if (!routine) {
    // Wrong tokens count like wrong API tokens: 30 a minute per address, then 429.
    await rateLimit(`bad-token:${clientIp(req.headers)}`, 30, 60_000);
    const res = json(401, { error: { code: "unauthorized", message: "send the routine's token as `Authorization: Bearer rt_…` (shown when the routine was created or its token rotated)" } });
    res.headers.set("www-authenticate", 'Bearer realm="dockside-routine"');
    return res;
  }
  const { text } = await readFireInput(req);
  return json(201, await fireRoutine(routine, { trigger: "webhook", text, actor: null }));
});

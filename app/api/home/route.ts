// The home page's summary: what needs the person in the active team (any member, viewers too).
import { callerHomeSummary } from "@/lib/home/summary";
import { readQuery, route } from "@/lib/http/handler";
import { HomeQuerySchema } from "@/lib/protocol/home";

export const dynamic = "force-dynamic";

export const GET = route(async ({ req, caller }) => {
  return callerHomeSummary(caller, readQuery(req, HomeQuerySchema).scope);
});

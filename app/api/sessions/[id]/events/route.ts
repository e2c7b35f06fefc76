import { readQuery, route } from "@/lib/http/handler";
import { readEvents } from "@/lib/events/store";
import { EventsQuerySchema } from "@/lib/protocol/api";
import { getSession } from "@/lib/sessions/dto";
import { callerTeam } from "@/lib/sessions/team";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ req, params }) => {
  const session = await getSession(await callerTeam(req), params.id);
  const { after, limit } = readQuery(req, EventsQuerySchema);
  const events = await readEvents(session.id, after, limit);
  const last = events.length ? events[events.length - 1].seq : after;
  return { events, lastSeq: session.lastSeq, hasMore: last < session.lastSeq };
});

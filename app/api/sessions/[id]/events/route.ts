import { authorizeSession } from "@/lib/auth/authorize";
import { readQuery, route } from "@/lib/http/handler";
import { readEvents } from "@/lib/events/store";
import { EventsQuerySchema } from "@/lib/protocol/api";
import { getSession } from "@/lib/sessions/dto";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ req, params, caller }) => {
  const { teamId } = await authorizeSession(caller, params.id, "session.read");
  const session = await getSession(teamId, params.id);
  const { after, limit } = readQuery(req, EventsQuerySchema);
  const events = await readEvents(session.id, after, limit);
  const last = events.length ? events[events.length - 1].seq : after;
  return { events, lastSeq: session.lastSeq, hasMore: last < session.lastSeq };
});

// socket.io messages between browser and server. The server validates every client message.
import { z } from "zod";
import type { SessionEvent } from "../events/schema";
import type { SessionDto } from "./api";
import type { NotificationDto } from "./permissions";
import type { MergeJob } from "./review";

export const SubscribeSchema = z.object({ sessionId: z.string().min(1).max(64), after: z.number().int().min(0).default(0) });
export const UnsubscribeSchema = z.object({ sessionId: z.string().min(1).max(64) });
/** `busy`: the connection has too many subscribes replaying or waiting; retry after a moment. */
export type SubscribeAck = { ok: true; lastSeq: number } | { ok: false; error: string; busy?: boolean };

export interface Watcher {
  id: string;
  name: string;
}

export interface ServerToClient {
  /** Events of a subscribed session, in sequence order; may repeat seqs already held (dedupe by seq). */
  events: (msg: { sessionId: string; events: SessionEvent[] }) => void;
  /** A session's row changed (status, tokens, head): for lists. Sent to `subscribe:list` clients of its team. */
  "session:update": (s: SessionDto) => void;
  /** Who is watching a subscribed session right now (one entry per person). */
  presence: (msg: { sessionId: string; watchers: Watcher[] }) => void;
  /** A notification for the signed-in person in their active team (lib/notifications). */
  notification: (dto: NotificationDto) => void;
  /** A merge of a subscribed session started, moved a step or ended (lib/review/merge-job.ts). */
  merge: (msg: { sessionId: string; merge: MergeJob }) => void;
}

export interface ClientToServer {
  subscribe: (msg: z.input<typeof SubscribeSchema>, ack: (r: SubscribeAck) => void) => void;
  unsubscribe: (msg: z.input<typeof UnsubscribeSchema>) => void;
  "subscribe:list": (ack?: (r: { ok: boolean }) => void) => void;
}

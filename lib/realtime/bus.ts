// Where stored events go live. server.ts installs the socket.io publisher; until then (CLI,
// tests without a server) publishing is a no-op. Kept on globalThis for the same reason as the
// runtime (two module graphs in one process).
import type { SessionEvent } from "../events/schema";
import type { SessionDto } from "../protocol/api";
import type { NotificationDto } from "../protocol/permissions";
import type { MergeJob } from "../protocol/review";

export interface Publisher {
  events(sessionId: string, events: SessionEvent[]): void;
  session(dto: SessionDto): void;
  /** Drops live connections whose access just ended (member removed, token revoked, team deleted). */
  revoke(target: { userIds?: string[]; tokenId?: string }): void;
  /** A notification for one person in one team (lib/notifications): to their sockets acting in that team. */
  notification?(userId: string, teamId: string, dto: NotificationDto): void;
  /** A session's merge job changed: to the session's room (its subscribers, already authorized). */
  merge?(sessionId: string, merge: MergeJob): void;
}

const g = globalThis as unknown as { __docksidePublisher?: Publisher };

export function setPublisher(p: Publisher | undefined): void {
  g.__docksidePublisher = p;
}

export function publisher(): Publisher {
  return g.__docksidePublisher ?? { events: () => {}, session: () => {}, revoke: () => {}, notification: () => {} };
}

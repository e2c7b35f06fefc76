// The client's address for rate limits, set by server.ts on every request (overwriting whatever
// the client sent): the socket's peer, or X-Forwarded-For's first hop only behind a proxy we were
// told to trust (DOCKSIDE_TRUST_PROXY=1). Otherwise anyone could pick a fresh "address" per try.
import type { IncomingMessage } from "node:http";

export const CLIENT_IP_HEADER = "x-dockside-client-ip";

export function clientAddress(req: IncomingMessage): string {
  if (process.env.DOCKSIDE_TRUST_PROXY === "1") {
    const xff = req.headers["x-forwarded-for"];
    const first = (Array.isArray(xff) ? xff[0] : xff)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? "unknown";
}

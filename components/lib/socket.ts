// One socket.io connection per browser tab, shared by every view; socket.io reconnects on its
// own and each hook resubscribes on "connect".
import { io, type Socket } from "socket.io-client";
import type { ClientToServer, ServerToClient } from "../../lib/protocol/socket";
import { redirectToSignIn } from "./auth-paths";

export type AppSocket = Socket<ServerToClient, ClientToServer>;

let socket: AppSocket | null = null;

export function getSocket(): AppSocket {
  if (socket) return socket;
  // WebSocket first: behind a load balancer without sticky sessions, long polling would land on
  // another instance ("Session ID unknown"); polling stays as the fallback (docs/operations.md).
  socket = io({ transports: ["websocket", "polling"] });
  // The handshake carries the session cookie; once it has expired the server refuses every
  // reconnect with "unauthorized...", and socket.io stops retrying a refusal: sign in again.
  socket.on("connect_error", (err) => {
    if (/^unauthorized/i.test(err.message)) redirectToSignIn();
  });
  // The server drops connections whose access ended (removed from a team, token revoked, signed
  // out). socket.io does not retry those by itself: reconnect once, and the handshake and each
  // subscription are checked afresh (a signed-out tab lands on sign-in through connect_error).
  socket.on("disconnect", (reason) => {
    if (reason === "io server disconnect") setTimeout(() => socket?.connect(), 1000);
  });
  return socket;
}

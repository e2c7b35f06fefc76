// One socket.io connection per browser tab, shared by every view; socket.io reconnects on its
// own and each hook resubscribes on "connect".
import { io, type Socket } from "socket.io-client";
import type { ClientToServer, ServerToClient } from "../../lib/protocol/socket";

export type AppSocket = Socket<ServerToClient, ClientToServer>;

let socket: AppSocket | null = null;

export function getSocket(): AppSocket {
  socket ??= io();
  return socket;
}

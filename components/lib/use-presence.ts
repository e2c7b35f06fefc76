"use client";
// Who else has a session open, from the server's `presence` messages. The server sends them to
// the session's room, which this tab joins through useSessionEvents' subscribe.
import { useEffect, useState } from "react";
import type { Watcher } from "../../lib/protocol/socket";
import { getSocket } from "./socket";

export function usePresence(sessionId: string): Watcher[] {
  const [watchers, setWatchers] = useState<Watcher[]>([]);

  useEffect(() => {
    const socket = getSocket();
    const onPresence = (msg: { sessionId: string; watchers: Watcher[] }) => {
      if (msg.sessionId !== sessionId || !Array.isArray(msg.watchers)) return;
      setWatchers(uniqueById(msg.watchers));
    };
    // Disconnected, this tab no longer knows who is there; the next subscribe brings a fresh list.
    const onDisconnect = () => setWatchers([]);
    socket.on("presence", onPresence);
    socket.on("disconnect", onDisconnect);
    return () => {
      socket.off("presence", onPresence);
      socket.off("disconnect", onDisconnect);
    };
  }, [sessionId]);

  return watchers;
}

function uniqueById(list: Watcher[]): Watcher[] {
  const seen = new Map<string, Watcher>();
  for (const w of list) {
    if (w && typeof w.id === "string" && typeof w.name === "string" && !seen.has(w.id)) seen.set(w.id, w);
  }
  return [...seen.values()];
}

// Asking the instance that runs a session to act on it. With several instances, an API request
// lands on any of them, but only the lease holder (lib/runner/lease.ts) has the session's worker
// channel and watches its container: a follow-up, a stop or a decision taken elsewhere is stored
// in PostgreSQL first (the truth) and then announced here, so the holder acts at once instead of
// at its next poll. Carried by socket.io's adapter (server-side emits between instances); with
// one instance, or none connected, a notice is simply not needed.
import { z } from "zod";

export const ControlNoticeSchema = z.object({
  sessionId: z.string().regex(/^[a-z0-9]{6,32}$/),
  /**
   * message: a follow-up is stored (start the sandbox again, or wake the worker's poll);
   * stop: a stop is asked for on the row; wake: a workspace op is queued;
   * approval: a decision landed; permissions: the mode or the rules changed.
   */
  op: z.enum(["message", "stop", "wake", "approval", "permissions"]),
});
export type ControlNotice = z.infer<typeof ControlNoticeSchema>;

interface State {
  send?: (n: ControlNotice) => void;
  handlers: Set<(n: ControlNotice) => void>;
}
// On globalThis: server.ts and Next's route handlers are two module graphs in one process.
const g = globalThis as unknown as { __docksideControl?: State };
const state = (): State => (g.__docksideControl ??= { handlers: new Set() });

/** To the other instances (never back to this one: the caller acted locally already). */
export function announce(n: ControlNotice): void {
  state().send?.(n);
}

/** Installed by the socket server: how notices leave this instance. */
export function setControlTransport(send: ((n: ControlNotice) => void) | undefined): void {
  state().send = send;
}

/** A notice from another instance (validated: it crossed the database). */
export function controlReceived(raw: unknown): void {
  const n = ControlNoticeSchema.safeParse(raw);
  if (!n.success) return;
  for (const h of state().handlers) h(n.data);
}

/** The orchestrator's handler; returns the unsubscribe. */
export function onControl(fn: (n: ControlNotice) => void): () => void {
  state().handlers.add(fn);
  return () => void state().handlers.delete(fn);
}

"use client";
// Follow-up messages and the stop button. A follow-up sent while the agent works is queued for
// its next step; sent to an idle or stopped session it starts a new turn.
import { useState, type FormEvent } from "react";
import { createPortal } from "react-dom";
import { LIVE_STATUSES, type SessionStatus } from "../lib/events/status";
import { ConfirmDialog } from "./confirm-dialog";
import { apiJson } from "./lib/api";
import { useShortcuts } from "./lib/shortcuts";

const STOPPABLE: readonly SessionStatus[] = LIVE_STATUSES;

interface Props {
  sessionId: string;
  status: SessionStatus;
  canStop?: boolean;
  /** Told once the server accepted a stop (the activity line says "stopping…" until it ends). */
  onStopAsked?: () => void;
}

export function SessionControls({ sessionId, status, canStop = true, onStopAsked }: Props) {
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const [stopping, setStopping] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const base = `/api/sessions/${encodeURIComponent(sessionId)}`;
  const stoppable = canStop && STOPPABLE.includes(status);
  // A stray key must not stop an agent: `s` asks first (the button stops at once).
  const [confirmStop, setConfirmStop] = useState(false);
  useShortcuts("session", {
    "mod+Enter": { description: "Send the message (in the message box)" },
    Escape: { description: "Leave the message box" },
    ...(stoppable && { s: { description: "Stop the session", run: () => setConfirmStop(true) } }),
  });

  async function send(e: FormEvent) {
    e.preventDefault();
    if (!text.trim() || sending) return;
    setSending(true);
    setError(null);
    const res = await apiJson(`${base}/messages`, null, { method: "POST", body: { text } });
    setSending(false);
    if (!res.ok) {
      setError(res.message);
      return;
    }
    setText("");
  }

  async function stop() {
    setStopping(true);
    setError(null);
    const res = await apiJson(`${base}/stop`, null, { method: "POST" });
    setStopping(false);
    if (!res.ok) setError(res.message);
    else onStopAsked?.();
  }

  return (
    <form onSubmit={send} aria-label="Follow-up" className="shrink-0 border-t border-line bg-panel px-4 py-3">
      <div className="mx-auto flex max-w-4xl items-end gap-2">
        <label htmlFor="followup" className="sr-only">
          Follow-up message
        </label>
        <textarea
          id="followup"
          data-testid="followup-input"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) e.currentTarget.form?.requestSubmit();
            if (e.key === "Escape") e.currentTarget.blur();
          }}
          rows={2}
          placeholder={followupHint(status)}
          className="min-h-10 flex-1 resize-y rounded-md border border-line bg-canvas px-2.5 py-1.5 text-sm outline-none placeholder:text-muted/70 focus:border-accent focus:ring-1 focus:ring-accent disabled:opacity-60"
        />
        <button
          type="submit"
          data-testid="followup-send"
          disabled={sending || !text.trim()}
          className="rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-white hover:opacity-90 disabled:opacity-50"
        >
          {sending ? "Sending…" : "Send"}
        </button>
        {stoppable && (
          <button
            type="button"
            data-testid="stop-button"
            onClick={stop}
            disabled={stopping}
            className="rounded-md border border-red-500/40 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-500/10 disabled:opacity-50 dark:text-red-300"
          >
            {stopping ? "Stopping…" : "Stop"}
          </button>
        )}
      </div>
      {/* In the body: this form sits in the transcript's panel, hidden while the Diff tab shows. */}
      {confirmStop && stoppable && createPortal(
        <ConfirmDialog
          title="Stop this session?"
          message="The agent stops where it is and its sandbox shuts down. The workspace stays; a follow-up starts the agent again."
          confirmLabel="Stop"
          tone="danger"
          onCancel={() => setConfirmStop(false)}
          onConfirm={() => {
            setConfirmStop(false);
            void stop();
          }}
        />,
        document.body,
      )}
      {error && (
        <p role="alert" data-testid="followup-error" className="mx-auto mt-2 max-w-4xl text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </form>
  );
}

function followupHint(status: SessionStatus): string {
  if (status === "idle" || status === "stopped") return "Send a follow-up to start a new turn (Ctrl+Enter)";
  // A failed session starts its sandbox again from its saved state (as Retry does).
  if (status === "failed") return "Send a message to go on from where it failed (Ctrl+Enter)";
  return "Send a follow-up; the agent reads it at its next step (Ctrl+Enter)";
}

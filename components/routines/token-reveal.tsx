"use client";
// A routine's webhook token, shown once (at creation or after a rotation), with the call a CI job
// makes to fire it: the text becomes part of the run's prompt.
import { useEffect, useRef } from "react";
import { CopyButton } from "../ui/copy-button";

export function fireCurl(origin: string, routineId: string, token: string): string {
  return `curl -X POST -H "Authorization: Bearer ${token}" -H "Content-Type: application/json" -d '{"text":"CI failed on main"}' ${origin}/api/routines/${encodeURIComponent(routineId)}/fire`;
}

export function TokenReveal({ name, routineId, token, onDone }: { name: string; routineId: string; token: string; onDone: () => void }) {
  const curl = fireCurl(window.location.origin, routineId, token);
  const box = useRef<HTMLDivElement>(null);
  // A rotation starts from a card further down: bring the token into view.
  useEffect(() => box.current?.scrollIntoView({ block: "nearest" }), [token]);
  return (
    <div ref={box} role="status" data-testid="routine-token" className="space-y-2 rounded-md border border-amber-500/40 bg-amber-500/10 p-3 text-sm">
      <p>
        Webhook token of <span className="font-medium">{name}</span>. It is shown only now: store it where the caller keeps secrets (rotate it
        to get a new one).
      </p>
      <div className="flex items-center gap-2">
        <code data-testid="routine-token-value" className="min-w-0 flex-1 font-mono text-xs break-all">
          {token}
        </code>
        <CopyButton text={token} testId="routine-token-copy" />
      </div>
      <p className="text-xs text-muted">Fire it from CI (the text is added to the prompt):</p>
      <div className="flex items-start gap-2">
        <pre data-testid="routine-curl" className="min-w-0 flex-1 rounded bg-canvas p-2 font-mono text-xs break-all whitespace-pre-wrap">
          {curl}
        </pre>
        <CopyButton text={curl} testId="routine-curl-copy" />
      </div>
      <button type="button" data-testid="routine-token-done" className="text-xs text-accent hover:underline" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

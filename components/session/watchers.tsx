"use client";
// Who has this session open right now (the server's presence list, this tab included).
import type { Watcher } from "../../lib/protocol/socket";

export function Watchers({ watchers }: { watchers: Watcher[] }) {
  return (
    <div data-testid="watchers" className="flex items-center gap-1.5 text-xs text-muted" aria-label="Watching now">
      {watchers.length > 0 && <span>Watching:</span>}
      {watchers.map((w) => (
        <span key={w.id} data-testid="watcher" data-user-id={w.id} title={w.name}
          className="inline-flex items-center gap-1 rounded-full bg-sunken px-2 py-0.5 text-fg">
          <span aria-hidden className="size-1.5 rounded-full bg-emerald-500" />
          {w.name}
        </span>
      ))}
    </div>
  );
}

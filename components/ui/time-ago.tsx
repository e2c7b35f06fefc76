"use client";
// "3m ago" with the local date and time on hover, safe to render on the server: the page's first
// render (server and hydration) leaves the title out, since the server's time zone and locale are
// not the reader's; it is set once mounted. The label may be a minute off the server's clock
// until `now` next moves (suppressHydrationWarning: that is expected, not a bug).
import { useEffect, useState } from "react";
import { timeAgo } from "../lib/format";

export function TimeAgo({ iso, now, className }: { iso: string; now: number; className?: string }) {
  const [title, setTitle] = useState<string | undefined>(undefined);
  useEffect(() => setTitle(new Date(iso).toLocaleString()), [iso]);
  return (
    <time dateTime={iso} title={title} className={className} suppressHydrationWarning>
      {timeAgo(iso, now)}
    </time>
  );
}

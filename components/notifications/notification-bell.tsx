"use client";
// The notification centre in the header: a bell with the unread count, a panel of the latest
// notifications (each linking to its session), "mark all read", live over socket.io. Browser
// notifications only after a person turned them on here or in Settings (a click asks the browser).
import Link from "next/link";
import { useCallback, useEffect, useId, useRef, useState } from "react";
import { z } from "zod";
import { NotificationDtoSchema, NotificationListSchema, type NotificationDto } from "../../lib/protocol/permissions";
import { apiJson } from "../lib/api";
import { askBrowserPermission, browserPermission, sessionHref, showBrowserNotification, type BrowserPermission } from "../lib/browser-notifications";
import { timeAgo } from "../lib/format";
import { getSocket } from "../lib/socket";
import { useNow } from "../lib/use-now";

const KEEP = 50;
/** The person's prefs as the API answers them (a wrapper or the object itself). */
const PrefsAnswer = z.union([z.object({ prefs: z.object({ browser: z.boolean() }) }), z.object({ browser: z.boolean() })]);
const wantsBrowser = (d: z.infer<typeof PrefsAnswer>): boolean => ("prefs" in d ? d.prefs.browser : d.browser);

type LooseSocket = { on(e: string, f: (d: unknown) => void): void; off(e: string, f: (d: unknown) => void): void };

export function NotificationBell() {
  const id = useId();
  const [items, setItems] = useState<NotificationDto[]>([]);
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [permission, setPermission] = useState<BrowserPermission>("unsupported");
  const wantBrowser = useRef(true);
  const root = useRef<HTMLDivElement>(null);
  const now = useNow();

  const load = useCallback(async () => {
    const res = await apiJson("/api/notifications", NotificationListSchema);
    if (!res.ok) {
      // Not there yet (an older server) or a passing failure: the bell stays quiet.
      if (res.status !== 404) setError(res.message);
      return;
    }
    setError(null);
    setItems(res.data.notifications.slice(0, KEEP));
    setUnread(res.data.unread);
  }, []);

  useEffect(() => {
    setPermission(browserPermission());
    void load();
    void apiJson("/api/me/notification-prefs", PrefsAnswer).then((r) => {
      if (r.ok) wantBrowser.current = wantsBrowser(r.data);
    });
    const socket = getSocket() as unknown as LooseSocket;
    const onNotification = (raw: unknown) => {
      const parsed = NotificationDtoSchema.safeParse(raw);
      if (!parsed.success) return;
      const n = parsed.data;
      setItems((list) => (list.some((x) => x.id === n.id) ? list : [n, ...list].slice(0, KEEP)));
      if (!n.readAt) setUnread((u) => u + 1);
      showBrowserNotification(n, wantBrowser.current);
    };
    // A reconnect may have missed some: catch up from the API.
    const onConnect = () => void load();
    socket.on("notification", onNotification);
    socket.on("connect", onConnect);
    return () => {
      socket.off("notification", onNotification);
      socket.off("connect", onConnect);
    };
  }, [load]);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        document.getElementById(`${id}-button`)?.focus();
      }
    };
    const onDown = (e: PointerEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onDown);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onDown);
    };
  }, [open, id]);

  async function markRead(ids?: string[]) {
    setError(null);
    const res = await apiJson("/api/notifications/read", null, { method: "POST", body: ids ? { ids } : {} });
    if (!res.ok) return setError(res.message);
    const stamp = new Date().toISOString();
    setItems((list) => list.map((n) => (!ids || ids.includes(n.id) ? { ...n, readAt: n.readAt ?? stamp } : n)));
    setUnread((u) => (ids ? Math.max(0, u - ids.filter((i) => items.some((n) => n.id === i && !n.readAt)).length) : 0));
  }

  async function turnOn() {
    setPermission(await askBrowserPermission());
  }

  return (
    <div ref={root} className="relative">
      <button
        type="button"
        id={`${id}-button`}
        data-testid="notification-bell"
        aria-expanded={open}
        aria-controls={`${id}-panel`}
        aria-label={unread > 0 ? `Notifications, ${unread} unread` : "Notifications"}
        onClick={() => setOpen(!open)}
        className="relative flex size-8 items-center justify-center rounded-md text-muted hover:bg-sunken hover:text-fg"
      >
        <svg aria-hidden viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round">
          <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        {unread > 0 && (
          <span
            data-testid="notification-count"
            className="absolute -top-0.5 -right-0.5 min-w-4 rounded-full bg-amber-500 px-1 text-center text-[10px] leading-4 font-semibold text-white"
          >
            {unread > 99 ? "99+" : unread}
          </span>
        )}
      </button>
      {open && (
        <div
          id={`${id}-panel`}
          role="region"
          aria-label="Notifications"
          data-testid="notification-panel"
          className="fixed inset-x-2 top-12 z-50 max-h-[70vh] overflow-hidden rounded-lg border border-line bg-panel shadow-lg sm:absolute sm:inset-x-auto sm:top-10 sm:right-0 sm:w-96"
        >
          <div className="flex items-center gap-2 border-b border-line px-3 py-2">
            <h2 className="text-sm font-semibold">Notifications</h2>
            <button
              type="button"
              data-testid="notifications-mark-all"
              disabled={unread === 0}
              onClick={() => void markRead()}
              className="ml-auto text-xs text-accent hover:underline disabled:text-muted disabled:no-underline"
            >
              Mark all read
            </button>
          </div>
          {permission === "default" && (
            <div className="flex flex-wrap items-center gap-2 border-b border-line bg-sunken/50 px-3 py-2 text-xs">
              <span className="text-muted">Get a browser notification when this tab is in the background.</span>
              <button type="button" data-testid="browser-notifications-on" onClick={() => void turnOn()} className="text-accent hover:underline">
                Turn on browser notifications
              </button>
            </div>
          )}
          {permission === "denied" && (
            <p className="border-b border-line px-3 py-2 text-xs text-muted">Browser notifications are blocked for this site in your browser&apos;s settings.</p>
          )}
          {error && (
            <p role="alert" data-testid="notifications-error" className="px-3 py-2 text-xs text-red-700 dark:text-red-400">
              {error}
            </p>
          )}
          <ul className="max-h-[55vh] divide-y divide-line overflow-y-auto" data-testid="notification-list">
            {items.length === 0 && (
              <li className="px-3 py-6 text-center text-sm text-muted" data-testid="notifications-empty">
                Nothing yet.
              </li>
            )}
            {items.map((n) => (
              <NotificationRow key={n.id} n={n} now={now} onOpen={() => {
                setOpen(false);
                if (!n.readAt) void markRead([n.id]);
              }} />
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function NotificationRow({ n, now, onOpen }: { n: NotificationDto; now: number; onOpen: () => void }) {
  const href = sessionHref(n);
  const body = (
    <>
      <span className="flex items-baseline gap-2">
        {!n.readAt && <span aria-label="unread" className="size-2 shrink-0 translate-y-[-1px] rounded-full bg-amber-500" />}
        <span className="min-w-0 flex-1 font-medium break-words" data-testid="notification-title">
          {n.title}
        </span>
        <time dateTime={n.createdAt} className="shrink-0 text-xs text-muted" title={new Date(n.createdAt).toLocaleString()}>
          {timeAgo(n.createdAt, now)}
        </time>
      </span>
      {n.body && <span className="mt-0.5 block text-xs break-words text-muted" data-testid="notification-body">{n.body}</span>}
    </>
  );
  return (
    <li data-testid="notification-item" data-event={n.event} data-read={n.readAt ? "true" : "false"}>
      {href ? (
        <Link href={href} onClick={onOpen} className="block px-3 py-2 text-sm hover:bg-sunken focus-visible:bg-sunken">
          {body}
        </Link>
      ) : (
        <div className="px-3 py-2 text-sm">{body}</div>
      )}
    </li>
  );
}

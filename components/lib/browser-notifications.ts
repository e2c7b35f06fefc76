// The browser's Notifications API, carefully: permission is asked only from a person's click,
// never on load; a notification shows only when permitted, wanted and the tab is hidden.
import type { NotificationDto } from "../../lib/protocol/permissions";

export type BrowserPermission = NotificationPermission | "unsupported";

export function browserPermission(): BrowserPermission {
  if (typeof window === "undefined" || !("Notification" in window)) return "unsupported";
  return Notification.permission;
}

/** Call from a click handler only. */
export async function askBrowserPermission(): Promise<BrowserPermission> {
  if (browserPermission() === "unsupported") return "unsupported";
  try {
    return await Notification.requestPermission();
  } catch {
    return browserPermission();
  }
}

export const sessionHref = (n: NotificationDto) => (n.sessionId ? `/sessions/${encodeURIComponent(n.sessionId)}` : null);

/** Shows `n` as a browser notification when the person allowed them and is looking elsewhere. */
export function showBrowserNotification(n: NotificationDto, wanted: boolean): boolean {
  if (!wanted || browserPermission() !== "granted" || document.visibilityState !== "hidden") return false;
  try {
    const shown = new Notification(n.title, { body: n.body, tag: n.id });
    const href = sessionHref(n);
    shown.onclick = () => {
      window.focus();
      if (href) window.location.assign(href);
      shown.close();
    };
    return true;
  } catch {
    // Some browsers only allow notifications from a service worker: the in-page bell still has it.
    return false;
  }
}

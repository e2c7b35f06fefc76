"use client";
// The session page's tab says where the session stands ("● running — fix the login bug · Dockside",
// "✓ idle — …", "⚠ needs attention — …"), and its favicon gets a red dot when the session needs
// attention or finishes while the tab is hidden: the dot goes once the person looks again.
import { useEffect, useRef, useState } from "react";
import { isWorking, STATUS_LABELS, type SessionStatus } from "../../lib/events/status";

interface TabStatus {
  status: SessionStatus;
  needsAttention: boolean;
  /** What the session is about: the first line of its prompt. */
  what: string;
}

/** The tab title for a session. */
export function tabTitle({ status, needsAttention, what }: TabStatus): string {
  const state = needsAttention ? "⚠ needs attention" : `${symbol(status)} ${STATUS_LABELS[status]}`;
  const line = what.split("\n")[0].trim();
  const short = line.length > 60 ? `${line.slice(0, 59)}…` : line;
  return `${state}${short ? ` — ${short}` : ""} · Dockside`;
}

function symbol(status: SessionStatus): string {
  if (isWorking(status)) return "●";
  if (status === "idle") return "✓";
  return status === "failed" ? "⚠" : "■";
}

export function useTabStatus(tab: TabStatus): void {
  const title = tabTitle(tab);
  useEffect(() => {
    document.title = title;
  }, [title]);

  // Something a person wants to know happened while they looked elsewhere.
  const [badge, setBadge] = useState(false);
  const before = useRef({ working: isWorking(tab.status), attention: tab.needsAttention });
  const working = isWorking(tab.status);
  useEffect(() => {
    const prev = before.current;
    before.current = { working, attention: tab.needsAttention };
    const finished = prev.working && !working;
    const needsMe = !prev.attention && tab.needsAttention;
    if ((finished || needsMe) && document.visibilityState === "hidden") setBadge(true);
  }, [working, tab.needsAttention]);
  useEffect(() => {
    const seen = () => document.visibilityState === "visible" && setBadge(false);
    document.addEventListener("visibilitychange", seen);
    return () => document.removeEventListener("visibilitychange", seen);
  }, []);
  useEffect(() => {
    if (!badge) return;
    const link = document.createElement("link");
    link.rel = "icon";
    link.dataset.testid = "favicon-badge";
    let gone = false;
    void badgedIcon().then((href) => {
      if (gone) return;
      link.href = href;
      document.head.appendChild(link);
    });
    return () => {
      gone = true;
      link.remove();
    };
  }, [badge]);
}

/** The app's icon with a red dot in its corner, as a data URL. */
async function badgedIcon(): Promise<string> {
  const size = 64;
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext("2d");
  if (!ctx) return "/icon.svg";
  const img = new Image();
  img.src = document.querySelector<HTMLLinkElement>('link[rel~="icon"]:not([data-testid])')?.href ?? "/icon.svg";
  await img.decode().catch(() => undefined);
  if (img.complete && img.naturalWidth) ctx.drawImage(img, 0, 0, size, size);
  ctx.beginPath();
  ctx.arc(size * 0.75, size * 0.25, size * 0.22, 0, 2 * Math.PI);
  ctx.fillStyle = "#dc2626";
  ctx.fill();
  ctx.lineWidth = size * 0.06;
  ctx.strokeStyle = "#ffffff";
  ctx.stroke();
  return canvas.toDataURL("image/png");
}

"use client";
// Above the transcript while a call waits for a person: says so and jumps to the card (scrolled
// into view and focused, so the keyboard lands on its buttons). On arrival at a session that
// waits, the page points at the card by itself once.
import { useEffect, useRef } from "react";
import type { ApprovalItem } from "../lib/transcript";
import { approvalAnchor } from "./approval-card";

export function focusApproval(approvalId: string, behavior: ScrollBehavior = "smooth"): void {
  const el = document.getElementById(approvalAnchor(approvalId));
  if (!el) return;
  el.scrollIntoView({ block: "center", behavior });
  el.focus({ preventScroll: true });
}

interface Props {
  pending: readonly ApprovalItem[];
  canDecide: boolean;
  /** The history replay is done: the cards are all there. */
  ready: boolean;
  /** Shows the transcript first (the page may be on another tab). */
  onShow: () => void;
}

export function ApprovalBanner({ pending, canDecide, ready, onShow }: Props) {
  const first = pending[0];
  const pointed = useRef(false);

  useEffect(() => {
    if (!ready || !first || pointed.current) return;
    pointed.current = true;
    // After the transcript's own stick-to-bottom scroll of this render.
    const t = setTimeout(() => focusApproval(first.approvalId, "auto"), 50);
    return () => clearTimeout(t);
  }, [ready, first]);

  if (!first) return null;
  const many = pending.length > 1 ? ` (${pending.length} calls)` : "";
  return (
    <div
      role="status"
      data-testid="approval-banner"
      className="flex shrink-0 flex-wrap items-center gap-x-3 gap-y-1 border-b border-amber-500/40 bg-amber-500/10 px-4 py-2 text-sm text-amber-900 dark:text-amber-200"
    >
      <span aria-hidden>⚑</span>
      <span className="font-medium">
        {canDecide ? "Waiting for your approval" : "Waiting for a team member's approval"}
        {many}
      </span>
      <a
        href={`#${approvalAnchor(first.approvalId)}`}
        data-testid="approval-jump"
        onClick={(e) => {
          e.preventDefault();
          onShow();
          requestAnimationFrame(() => focusApproval(first.approvalId));
        }}
        className="underline underline-offset-2 hover:no-underline"
      >
        {first.approvalKind === "plan" ? "Review the plan" : `Review the ${first.tool} call`}
      </a>
    </div>
  );
}

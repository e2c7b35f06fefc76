"use client";
// A session opened through a share link: the same header and transcript as the session page,
// read-only (no follow-up box, no stop, no sharing), with a banner that says so.
import Link from "next/link";
import { signInHref } from "../lib/auth-paths";
import { currentStatus } from "../lib/transcript";
import { useSharedSession } from "../lib/use-shared-session";
import { SessionHeader } from "../session-header";
import { TranscriptView } from "../transcript-view";

export function ShareView({ token }: { token: string }) {
  const load = useSharedSession(token);

  if (load.kind === "loading") return <p className="p-6 text-sm text-muted">Loading shared session…</p>;
  if (load.kind === "signin") {
    return (
      <div data-testid="share-signin" className="mx-auto max-w-md space-y-2 px-4 py-16 text-center">
        <h1 className="text-base font-semibold">Sign in to view this shared session</h1>
        <p className="text-sm text-muted">Its team shares sessions with signed-in members only.</p>
        <Link href={signInHref(`/share/${encodeURIComponent(token)}`)} data-testid="share-signin-link" className="text-sm text-accent hover:underline">
          Sign in
        </Link>
      </div>
    );
  }
  if (load.kind === "missing") {
    return (
      <div data-testid="share-not-found" className="mx-auto max-w-md px-4 py-16 text-center">
        <h1 className="text-base font-semibold">This share link doesn&apos;t work</h1>
        <p className="mt-1 text-sm text-muted">It was revoked, or never existed. Ask whoever sent it for a new one.</p>
      </div>
    );
  }
  if (load.kind === "error") {
    return (
      <p role="alert" data-testid="share-error" className="p-6 text-sm text-red-700 dark:text-red-400">
        {load.message}
      </p>
    );
  }

  const { session, pinnedSeq, state } = load;
  const status = currentStatus(state, session.status);
  const failureReason = status === "failed" ? (state.statusReason ?? session.failureReason ?? "The session failed.") : null;
  const tokens = pinnedSeq === null
    ? { input: Math.max(state.inputTokens, session.inputTokens), output: Math.max(state.outputTokens, session.outputTokens) }
    : { input: state.inputTokens, output: state.outputTokens };
  return (
    <div className="flex h-full min-h-0 flex-col">
      <p data-testid="share-banner" className="shrink-0 border-b border-sky-500/30 bg-sky-500/10 px-4 py-1.5 text-xs text-sky-900 dark:text-sky-200">
        Shared read-only view.
        {pinnedSeq !== null ? (
          <span data-testid="share-pinned"> Pinned at event {pinnedSeq}: what happened later isn&apos;t shown.</span>
        ) : (
          <span> Updates as the session goes on.</span>
        )}
      </p>
      <SessionHeader session={session} status={status} failureReason={failureReason} tokens={tokens} />
      <TranscriptView state={state} loading={false} />
    </div>
  );
}

"use client";
// Client-side gate for every page but the public ones: signed-out visitors go to sign-in (and
// come back here after), people without a team get the way to join or create one.
import { usePathname } from "next/navigation";
import { useCallback, useEffect, useState, useSyncExternalStore, type ReactNode } from "react";
import { PendingInvitations } from "./auth/pending-invitations";
import { CreateTeamForm } from "./create-team-form";
import { isPublicPath, redirectToSignIn } from "./lib/auth-paths";
import { useMe } from "./me-provider";
import { secondaryButton } from "./ui/form";

// Pages whose server render shows their content (read-first pages: the review's diff paints before
// any script). Every other page appears once the browser has taken over: a form rendered by the
// server would take a click or typing that hydration then drops.
const SERVER_RENDERED = [/^\/sessions\/[^/]+\/review$/];
const noSubscribe = () => () => {};

/** False in the server's render and in hydration (they must match), true from then on. */
function useHydrated(): boolean {
  return useSyncExternalStore(noSubscribe, () => true, () => false);
}

export function AuthGate({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const { state, reload } = useMe();
  const open = isPublicPath(pathname);
  const hydrated = useHydrated();

  useEffect(() => {
    if (!open && state.kind === "signedOut") redirectToSignIn();
  }, [open, state.kind]);

  if (open) return children;
  if (state.kind === "loading") return <p className="p-6 text-sm text-muted">Loading…</p>;
  if (state.kind === "signedOut") return <p className="p-6 text-sm text-muted">Redirecting to sign in…</p>;
  if (state.kind === "error") {
    return (
      <div className="space-y-3 p-6">
        <p role="alert" data-testid="me-error" className="text-sm text-red-700 dark:text-red-400">
          {state.message}
        </p>
        <button type="button" onClick={reload} className={secondaryButton}>
          Try again
        </button>
      </div>
    );
  }
  if (state.me.teams.length === 0) return <NoTeam />;
  if (!hydrated && !SERVER_RENDERED.some((r) => r.test(pathname))) return <p className="p-6 text-sm text-muted">Loading…</p>;
  return children;
}

function NoTeam() {
  const [invited, setInvited] = useState(false);
  const onLoaded = useCallback((any: boolean) => setInvited(any), []);
  return (
    <div data-testid="no-team" className="mx-auto max-w-lg space-y-4 px-4 py-16">
      <h1 className="text-lg font-semibold">{invited ? "You have an invitation" : "You\u2019re not in a team yet"}</h1>
      <PendingInvitations onLoaded={onLoaded} />
      <p className="text-sm text-muted">
        {invited
          ? "Or create a team of your own:"
          : "To join your team, open the invitation link an admin of the team sends you. Or create a team of your own:"}
      </p>
      <CreateTeamForm />
    </div>
  );
}

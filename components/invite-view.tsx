"use client";
// An invitation link: what it offers, and either "Join team" (signed in) or the way to an
// account that comes back here (signed out).
import Link from "next/link";
import { useEffect, useState } from "react";
import { z } from "zod";
import { Role } from "../lib/auth/roles";
import { apiJson } from "./lib/api";
import { signInHref, signUpHref } from "./lib/auth-paths";
import { switchTeam } from "./lib/switch-team";
import { useMe } from "./me-provider";
import { ErrorNote, primaryButton } from "./ui/form";

const OfferSchema = z.object({ teamName: z.string(), role: Role, valid: z.boolean(), reason: z.string().optional() });
type Offer = z.infer<typeof OfferSchema>;
type Load = { kind: "loading" } | { kind: "error"; message: string } | { kind: "ok"; offer: Offer };

export function InviteView({ token }: { token: string }) {
  const [load, setLoad] = useState<Load>({ kind: "loading" });

  useEffect(() => {
    const ctl = new AbortController();
    void (async () => {
      const res = await apiJson(`/api/invitations/${encodeURIComponent(token)}`, OfferSchema, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      if (res.ok) setLoad({ kind: "ok", offer: res.data });
      else setLoad({ kind: "error", message: res.status === 404 ? "This invitation link doesn't exist. Ask for a new one." : res.message });
    })();
    return () => ctl.abort();
  }, [token]);

  return (
    <div className="mx-auto max-w-md space-y-4 px-4 py-16">
      {load.kind === "loading" && <p className="text-sm text-muted">Loading invitation…</p>}
      {load.kind === "error" && <ErrorNote testId="invite-invalid">{load.message}</ErrorNote>}
      {load.kind === "ok" && <OfferCard token={token} offer={load.offer} />}
    </div>
  );
}

function OfferCard({ token, offer }: { token: string; offer: Offer }) {
  const { state } = useMe();
  const here = `/invite/${encodeURIComponent(token)}`;
  return (
    <div data-testid="invite" className="space-y-4 rounded-lg border border-line bg-panel p-4">
      <h1 className="text-lg font-semibold">
        Join <span data-testid="invite-team">{offer.teamName}</span>
      </h1>
      <p className="text-sm text-muted">
        You are invited as <span data-testid="invite-role" className="font-medium text-fg">{offer.role}</span>.
      </p>
      {!offer.valid && <ErrorNote testId="invite-invalid">{capitalize(offer.reason ?? "This invitation can no longer be used.")}</ErrorNote>}
      {offer.valid && state.kind === "loading" && <p className="text-sm text-muted">Checking your account…</p>}
      {offer.valid && state.kind === "ok" && <Accept token={token} signedInAs={state.me.user.name} />}
      {offer.valid && (state.kind === "signedOut" || state.kind === "error") && (
        <p className="text-sm">
          <Link href={signUpHref(here)} data-testid="invite-signup" className="text-accent hover:underline">
            Create an account
          </Link>{" "}
          or{" "}
          <Link href={signInHref(here)} data-testid="invite-signin" className="text-accent hover:underline">
            sign in
          </Link>{" "}
          to join.
        </p>
      )}
    </div>
  );
}

function Accept({ token, signedInAs }: { token: string; signedInAs: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function accept() {
    setBusy(true);
    setError(null);
    const res = await apiJson(`/api/invitations/${encodeURIComponent(token)}/accept`, z.object({ teamId: z.string() }), { method: "POST" });
    // Land in the team just joined.
    const failure = res.ok ? await switchTeam(res.data.teamId, "/") : res.message;
    if (failure) {
      setBusy(false);
      setError(failure);
    }
  }

  return (
    <div className="space-y-2">
      <button type="button" data-testid="invite-accept" onClick={accept} disabled={busy} className={primaryButton}>
        {busy ? "Joining…" : "Join team"}
      </button>
      <p className="text-xs text-muted">Signed in as {signedInAs}.</p>
      {error && <ErrorNote testId="invite-error">{error}</ErrorNote>}
    </div>
  );
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

"use client";
// An invitation link: signed out, "Sign up to join <team> as <role>" (the new account joins in
// the same request); signed in, one "Join <team>" click. The browser remembers the link until it is
// used, so the "no team yet" page can still offer it (components/auth/remembered-invitations.ts).
import Link from "next/link";
import { useEffect, useState } from "react";
import { InvitationOfferDtoSchema, type InvitationOfferDto } from "../lib/protocol/teams";
import { JoinButton } from "./auth/join-button";
import { forgetInvitation, rememberInvitation } from "./auth/remembered-invitations";
import { SignUpForm } from "./auth/sign-up-form";
import { apiJson } from "./lib/api";
import { useMe } from "./me-provider";
import { ErrorNote } from "./ui/form";

type Load = { kind: "loading" } | { kind: "error"; message: string } | { kind: "ok"; offer: InvitationOfferDto };

export function InviteView({ token }: { token: string }) {
  const [load, setLoad] = useState<Load>({ kind: "loading" });

  useEffect(() => {
    const ctl = new AbortController();
    void (async () => {
      const res = await apiJson(`/api/invitations/${encodeURIComponent(token)}`, InvitationOfferDtoSchema, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      if (res.ok && res.data.valid) rememberInvitation(token);
      else forgetInvitation(token);
      setLoad(res.ok ? { kind: "ok", offer: res.data } : { kind: "error", message: capitalize(res.message) });
    })();
    return () => ctl.abort();
  }, [token]);

  if (load.kind === "ok" && load.offer.valid) return <Offer token={token} offer={load.offer} />;
  return (
    <div className="mx-auto max-w-md space-y-4 px-4 py-16">
      {load.kind === "loading" && <p className="text-sm text-muted">Loading invitation…</p>}
      {load.kind === "error" && <ErrorNote testId="invite-invalid">{load.message}</ErrorNote>}
      {load.kind === "ok" && (
        <div data-testid="invite" className="space-y-3 rounded-lg border border-line bg-panel p-4">
          <h1 className="text-lg font-semibold">
            Invitation to <span data-testid="invite-team">{load.offer.teamName}</span>
          </h1>
          <ErrorNote testId="invite-invalid">{capitalize(load.offer.reason ?? "this invitation link can no longer be used")}</ErrorNote>
          <Link href="/" className="text-sm text-accent hover:underline">
            Go to Dockside
          </Link>
        </div>
      )}
    </div>
  );
}

function Offer({ token, offer }: { token: string; offer: InvitationOfferDto }) {
  const { state } = useMe();
  const here = `/invite/${encodeURIComponent(token)}`;
  if (state.kind === "loading") return <p className="p-6 text-sm text-muted">Checking your account…</p>;
  if (state.kind !== "ok") return <SignUpForm next={here} invitation={{ token, offer }} />;
  return (
    <div className="mx-auto max-w-md px-4 py-16">
      <div data-testid="invite" className="space-y-4 rounded-lg border border-line bg-panel p-4">
        <h1 className="text-lg font-semibold">
          Join <span data-testid="invite-team">{offer.teamName}</span>
        </h1>
        <p className="text-sm text-muted">
          {offer.invitedBy ?? "A team admin"} invited you as <span data-testid="invite-role" className="font-medium text-fg">{offer.role}</span>.
        </p>
        <JoinButton token={token} teamName={offer.teamName} />
        <p className="text-xs text-muted">
          Signed in as {state.me.user.name} ({state.me.user.email}).
        </p>
      </div>
    </div>
  );
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

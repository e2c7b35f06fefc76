"use client";
// The invitation links this browser opened and has not used, on the "no team yet" page: someone
// who signed up elsewhere first joins with one click instead of hunting for the link again.
import { useEffect, useState } from "react";
import { InvitationOfferDtoSchema, type InvitationOfferDto } from "../../lib/protocol/teams";
import { apiJson } from "../lib/api";
import { JoinButton } from "./join-button";
import { forgetInvitation, rememberedInvitations } from "./remembered-invitations";

type Pending = { token: string; offer: InvitationOfferDto };

/** Lists the usable ones; `onLoaded` says whether there were any. */
export function PendingInvitations({ onLoaded }: { onLoaded: (any: boolean) => void }) {
  const [pending, setPending] = useState<Pending[]>([]);

  useEffect(() => {
    const ctl = new AbortController();
    void (async () => {
      const found: Pending[] = [];
      for (const token of rememberedInvitations()) {
        const res = await apiJson(`/api/invitations/${encodeURIComponent(token)}`, InvitationOfferDtoSchema, { signal: ctl.signal });
        if (ctl.signal.aborted) return;
        if (res.ok && res.data.valid) found.push({ token, offer: res.data });
        // Used, revoked, expired or unknown: nothing left to offer.
        else if (res.ok || res.status === 404) forgetInvitation(token);
      }
      setPending(found);
      onLoaded(found.length > 0);
    })();
    return () => ctl.abort();
  }, [onLoaded]);

  if (pending.length === 0) return null;
  return (
    <ul data-testid="pending-invitations" className="space-y-3">
      {pending.map(({ token, offer }) => (
        <li key={token} data-testid="pending-invitation" className="space-y-2 rounded-lg border border-line bg-panel p-4">
          <p className="text-sm">
            {offer.invitedBy ?? "A team admin"} invited you to <span className="font-medium">{offer.teamName}</span> as {offer.role}.
          </p>
          <JoinButton token={token} teamName={offer.teamName} />
        </li>
      ))}
    </ul>
  );
}

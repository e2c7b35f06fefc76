"use client";
// Account creation. better-auth signs the new account in straight away. On an empty install the
// first account becomes owner of the first team (lib/teams/first-user.ts) and names it here;
// through an invitation link the account joins the link's team in the same request.
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { MeDtoSchema, type InvitationOfferDto } from "../../lib/protocol/teams";
import { apiJson } from "../lib/api";
import { signUp } from "../lib/auth-client";
import { safeNext, signInHref } from "../lib/auth-paths";
import { useSubmit } from "../lib/use-submit";
import { ErrorNote, Field, inputClass, primaryButton } from "../ui/form";
import { AuthCard } from "./auth-card";
import { forgetInvitation } from "./remembered-invitations";

// Matches the server's minimum (lib/auth/auth.ts); checked here so the message is immediate.
const MIN_PASSWORD = 8;

type Props = {
  next?: string;
  /** No account exists yet: this one will own the first team. */
  firstRun?: boolean;
  /** Signing up through an invitation link. */
  invitation?: { token: string; offer: InvitationOfferDto };
};

export function SignUpForm({ next, firstRun = false, invitation }: Props) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [teamName, setTeamName] = useState("");
  const { busy, error, setError, run } = useSubmit();

  function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (password.length < MIN_PASSWORD) {
      setError(`Use at least ${MIN_PASSWORD} characters for the password.`);
      return;
    }
    void run(async () => {
      const res = invitation
        ? await signUp(name.trim(), email.trim(), password, invitation.token)
        : await signUp(name.trim(), email.trim(), password);
      if (!res.ok) return res.message;
      if (invitation) forgetInvitation(invitation.token);
      if (firstRun && teamName.trim()) await nameFirstTeam(teamName.trim());
      // Through an invitation the new account is in exactly one team: it opens there.
      window.location.assign(invitation ? "/" : safeNext(next));
    });
  }

  const offer = invitation?.offer;
  return (
    <AuthCard
      title={offer ? `Sign up to join ${offer.teamName} as ${offer.role}` : firstRun ? "Set up Dockside" : "Create your Dockside account"}
      footer={
        // On an empty install there is nobody to sign in as.
        firstRun && !offer ? null : (
          <>
            Already have an account?{" "}
            <Link href={signInHref(next)} data-testid="signin-link" className="text-accent underline hover:no-underline">
              {offer ? `Sign in to join ${offer.teamName}` : "Sign in"}
            </Link>
          </>
        )
      }
    >
      {offer && (
        <p data-testid="signup-invitation" className="mb-3 text-sm text-muted">
          {offer.invitedBy ?? "A team admin"} invited you to <span data-testid="invite-team" className="font-medium text-fg">{offer.teamName}</span> as{" "}
          <span data-testid="invite-role">{offer.role}</span>. Your account joins the team as soon as you create it.
        </p>
      )}
      {firstRun && !offer && (
        <p data-testid="signup-first-run" className="mb-3 text-sm text-muted">
          Nobody has an account here yet. This first account will own this Dockside and its first team; from Settings you can then add repositories and
          invite the others.
        </p>
      )}
      <form data-testid="signup-form" onSubmit={submit} aria-label="Sign up" className="space-y-3">
        <Field label="Your name" htmlFor="signup-name">
          <input id="signup-name" data-testid="signup-name" className={inputClass} value={name}
            onChange={(e) => setName(e.target.value)} autoComplete="name" maxLength={100} required autoFocus />
        </Field>
        <Field label="Email" htmlFor="signup-email">
          <input id="signup-email" data-testid="signup-email" type="email" className={inputClass} value={email}
            onChange={(e) => setEmail(e.target.value)} autoComplete="email" required />
        </Field>
        <Field label={`Password (at least ${MIN_PASSWORD} characters)`} htmlFor="signup-password">
          <input id="signup-password" data-testid="signup-password" type="password" className={inputClass} value={password}
            onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" required />
        </Field>
        {firstRun && !offer && (
          <Field label="Team name (you can change it later)" htmlFor="signup-team">
            <input id="signup-team" data-testid="signup-team" className={inputClass} value={teamName} placeholder="Default team"
              onChange={(e) => setTeamName(e.target.value)} maxLength={100} autoComplete="organization" />
          </Field>
        )}
        {error && <ErrorNote testId="auth-error">{error}</ErrorNote>}
        <button type="submit" data-testid="signup-submit" disabled={busy} className={`${primaryButton} w-full`}>
          {busy ? "Creating account…" : offer ? `Create account and join ${offer.teamName}` : "Create account"}
        </button>
      </form>
    </AuthCard>
  );
}

// The first account owns the first team (made by the sign-up itself): give it the name asked for.
// A failure here is no reason to stop: the team keeps its name, which Settings can change.
async function nameFirstTeam(name: string): Promise<void> {
  const me = await apiJson("/api/me", MeDtoSchema);
  const team = me.ok ? me.data.teams.find((t) => t.role === "owner") : undefined;
  if (team && team.name !== name) await apiJson(`/api/teams/${encodeURIComponent(team.id)}`, null, { method: "PATCH", body: { name } });
}

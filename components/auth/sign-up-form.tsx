"use client";
// Account creation. better-auth signs the new account in straight away; the very first account
// on a fresh install becomes owner of the first team, later ones join through invitations.
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { signUp } from "../lib/auth-client";
import { safeNext, signInHref } from "../lib/auth-paths";
import { useSubmit } from "../lib/use-submit";
import { ErrorNote, Field, inputClass, primaryButton } from "../ui/form";
import { AuthCard } from "./auth-card";

// Matches the server's minimum (lib/auth/auth.ts); checked here so the message is immediate.
const MIN_PASSWORD = 8;

export function SignUpForm({ next }: { next?: string }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, setError, run } = useSubmit();

  function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (password.length < MIN_PASSWORD) {
      setError(`Use at least ${MIN_PASSWORD} characters for the password.`);
      return;
    }
    void run(async () => {
      const res = await signUp(name.trim(), email.trim(), password);
      if (!res.ok) return res.message;
      window.location.assign(safeNext(next));
    });
  }

  return (
    <AuthCard
      title="Create your Dockside account"
      footer={
        <>
          Already have an account?{" "}
          <Link href={signInHref(next)} data-testid="signin-link" className="text-accent underline hover:no-underline">
            Sign in
          </Link>
        </>
      }
    >
      <form data-testid="signup-form" onSubmit={submit} aria-label="Sign up" className="space-y-3">
        <Field label="Name" htmlFor="signup-name">
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
        {error && <ErrorNote testId="auth-error">{error}</ErrorNote>}
        <button type="submit" data-testid="signup-submit" disabled={busy} className={`${primaryButton} w-full`}>
          {busy ? "Creating account…" : "Create account"}
        </button>
      </form>
    </AuthCard>
  );
}

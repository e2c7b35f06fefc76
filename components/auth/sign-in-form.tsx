"use client";
// Email and password sign-in; afterwards a full page load of `next`, so the socket and the
// header start fresh with the new session cookie.
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { signIn } from "../lib/auth-client";
import { safeNext, signUpHref } from "../lib/auth-paths";
import { useSubmit } from "../lib/use-submit";
import { ErrorNote, Field, inputClass, primaryButton } from "../ui/form";
import { AuthCard } from "./auth-card";

export function SignInForm({ next }: { next?: string }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, run } = useSubmit();

  function submit(e: FormEvent) {
    e.preventDefault();
    void run(async () => {
      const res = await signIn(email.trim(), password);
      if (!res.ok) return res.message;
      window.location.assign(safeNext(next));
    });
  }

  return (
    <AuthCard
      title="Sign in to Dockside"
      footer={
        <>
          No account yet?{" "}
          <Link href={signUpHref(next)} data-testid="signup-link" className="text-accent underline hover:no-underline">
            Create one
          </Link>
        </>
      }
    >
      <form data-testid="signin-form" onSubmit={submit} aria-label="Sign in" className="space-y-3">
        <Field label="Email" htmlFor="signin-email">
          <input id="signin-email" data-testid="signin-email" type="email" className={inputClass} value={email}
            onChange={(e) => setEmail(e.target.value)} autoComplete="email" required autoFocus />
        </Field>
        <Field label="Password" htmlFor="signin-password">
          <input id="signin-password" data-testid="signin-password" type="password" className={inputClass} value={password}
            onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />
        </Field>
        {error && <ErrorNote testId="auth-error">{error}</ErrorNote>}
        <button type="submit" data-testid="signin-submit" disabled={busy} className={`${primaryButton} w-full`}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </AuthCard>
  );
}

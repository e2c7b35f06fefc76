// Sign-up through an invitation link: better-auth's sign-up with the link's token in a header, so
// the same request puts the new account in the team (lib/auth/invitation-sign-up.ts) and a link
// that can no longer be used refuses before any account is made.
import { INVITATION_HEADER } from "../../lib/protocol/teams";
import type { AuthResult } from "../lib/auth-client";

export async function signUpInvited(name: string, email: string, password: string, invitation: string): Promise<AuthResult> {
  let res: Response;
  try {
    res = await fetch("/api/auth/sign-up/email", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", [INVITATION_HEADER]: invitation },
      body: JSON.stringify({ name, email, password }),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    return { ok: false, message: "Can't reach the Dockside server. Check that it is running." };
  }
  if (res.ok) return { ok: true };
  if (res.status === 429) return { ok: false, message: "Too many attempts. Wait a minute, then try again." };
  const body = (await res.json().catch(() => null)) as { message?: unknown } | null;
  const message = typeof body?.message === "string" && body.message ? body.message : `The server answered ${res.status}. Try again.`;
  return { ok: false, message: message.charAt(0).toUpperCase() + message.slice(1) };
}

// Sign-in, sign-up and sign-out against better-auth's endpoints. Plain fetch rather than its
// client library: three calls don't need it, and its errors arrive here as one message to show.
import { INVITATION_HEADER } from "../../lib/protocol/teams";

export type AuthResult = { ok: true } | { ok: false; message: string };

export const signIn = (email: string, password: string) => post("/api/auth/sign-in/email", { email, password });
/**
 * `invitation`: the link's token, so the same request puts the new account in the team
 * (lib/auth/invitation-sign-up.ts) and a link that can no longer be used refuses before any account is made.
 */
export const signUp = (name: string, email: string, password: string, invitation?: string) =>
  post("/api/auth/sign-up/email", { name, email, password }, invitation ? { [INVITATION_HEADER]: invitation } : {});
export const signOut = () => post("/api/auth/sign-out", {});

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<AuthResult> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
      body: JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    return { ok: false, message: "Can't reach the Dockside server. Check that it is running." };
  }
  if (res.ok) return { ok: true };
  if (res.status === 429) return { ok: false, message: "Too many attempts. Wait a minute, then try again." };
  const message = (await readMessage(res)) ?? `The server answered ${res.status}. Try again.`;
  return { ok: false, message: message.charAt(0).toUpperCase() + message.slice(1) };
}

// better-auth answers `{ message, code }`; Dockside's own routes `{ error: { message } }`.
async function readMessage(res: Response): Promise<string | null> {
  try {
    const body: unknown = await res.json();
    if (typeof body !== "object" || body === null) return null;
    const b = body as { message?: unknown; error?: { message?: unknown } };
    if (typeof b.message === "string" && b.message) return b.message;
    if (typeof b.error?.message === "string" && b.error.message) return b.error.message;
    return null;
  } catch {
    return null;
  }
}

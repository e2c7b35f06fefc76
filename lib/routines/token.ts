// A routine's webhook token: `rt_` + 256 random bits, shown once; only its SHA-256 is stored.
import { hashSecret, newSecret, ROUTINE_TOKEN_PREFIX } from "../auth/tokens";

const PREFIX = ROUTINE_TOKEN_PREFIX;

export function newRoutineToken(): { token: string; hash: string } {
  const token = newSecret(PREFIX);
  return { token, hash: hashSecret(token) };
}

/** The hash to look a presented token up by; null for what cannot be a routine token. */
export function presentedTokenHash(authorization: string | null): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  if (!m || !m[1].startsWith(PREFIX) || m[1].length > 200) return null;
  return hashSecret(m[1]);
}

// What the release check looks for inside shipped files. Narrower than lib/memory/secrets.ts on
// purpose: that scanner reads prose a person wrote and also refuses JWTs, connection strings and
// `password = …` assignments, which bundled library code is full of. Here only formats that are a
// credential wherever they appear, so a hit always means "this must not ship".

export interface SecretHit {
  kind: string;
  /** The first characters of the match only: enough to find it, too few to use it. */
  preview: string;
}

interface Pattern {
  kind: string;
  re: RegExp;
}

const PATTERNS: Pattern[] = [
  // A key block with its body (armour alone is what docs, comments and scanners' tests contain).
  { kind: "private key block", re: /-{5}BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-{5}\s*(?:[A-Za-z0-9-]+: [^\n]*\n\s*)*[A-Za-z0-9+/=\s]{100,}/g },
  { kind: "Anthropic API key", re: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { kind: "GitHub token", re: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b/g },
  { kind: "GitHub token", re: /\bgithub_pat_[A-Za-z0-9_]{22,}/g },
  { kind: "AWS access key id", re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { kind: "AWS secret access key", re: /\baws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/gi },
  { kind: "Slack token", re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: "Stripe live key", re: /\b(?:sk|rk)_live_[A-Za-z0-9]{16,}/g },
  { kind: "Google API key", re: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g },
  { kind: "npm token", re: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { kind: "GitLab token", re: /\bglpat-[A-Za-z0-9_-]{20,}/g },
  { kind: "Dockside API token", re: /\bdsk_[A-Za-z0-9_-]{32,}/g },
];

/**
 * Test fixtures and docs carry obvious stand-ins (AKIAIOSFODNN7EXAMPLE, ghp_abcdefghij…, xxxx,
 * dsk_unknownunknown…):
 * a match holding one is a placeholder, never a key someone was issued.
 */
export function isPlaceholder(match: string): boolean {
  if (/example|dummy|placeholder|redacted/i.test(match)) return true;
  if (/(.)\1{7,}/.test(match) || /(.{3,})\1\1/.test(match)) return true;
  const lower = match.toLowerCase();
  return ["abcdefgh", "bcdefghi", "01234567", "12345678"].some((run) => lower.includes(run));
}

/** Every credential-shaped match in `text` that is not a placeholder. */
export function findShippedSecrets(text: string): SecretHit[] {
  const hits: SecretHit[] = [];
  for (const p of PATTERNS) {
    for (const m of text.matchAll(p.re)) {
      if (isPlaceholder(m[0])) continue;
      hits.push({ kind: p.kind, preview: `${m[0].slice(0, 12).replace(/\s+/g, " ")}…` });
    }
  }
  return hits;
}

/** Names that are secrets or local state whatever they hold (checked on every path segment). */
export function badFileName(relPath: string): string | null {
  const segments = relPath.split("/");
  const base = segments[segments.length - 1];
  if (segments.includes(".data")) return "Dockside's data directory (.data/)";
  if (/^\.env(\..*)?$/.test(base) && !/^\.env\.(example|sample|template)$/.test(base)) return "an environment file (.env*)";
  if (/\.(pem|key|p12|pfx|jks|keystore)$/i.test(base)) return "a key or certificate store";
  if (/^id_(rsa|dsa|ecdsa|ed25519)/.test(base)) return "an SSH key";
  if ([".netrc", ".pgpass", ".git-credentials", "postgres.password", "credentials", "credentials.json"].includes(base)) return "a credentials file";
  if (segments.includes(".aws") || segments.includes(".ssh") || (segments.includes(".docker") && base === "config.json")) return "a credentials directory";
  return null;
}

/** An .npmrc only matters when it carries registry credentials. */
export function npmrcWithToken(text: string): boolean {
  return /(_authToken|_auth|_password)\s*=/.test(text);
}

// Memory never stores credentials: every text an agent proposes or a person writes or edits is
// scanned here first. Patterns are the well-known token formats, private keys, connection strings
// with a password, long random values assigned to password/secret/token names, and the current
// values of the team's own secrets. Refusals name the kind, never the value.
import { db } from "../db/client";
import { sessionSecrets } from "../environments/secrets";
import { AppError } from "../errors";
import { holdsValue, scanForms } from "./secret-forms";

export interface SecretHit {
  kind: string;
  /** What it looks like, for a person: "a GitHub token (ghp_…)". */
  reason: string;
}

interface Pattern {
  kind: string;
  reason: string;
  re: RegExp;
  /** Further check on the match (group 1 when the pattern has one): weeds out prose and identifiers. */
  accept?: (value: string) => boolean;
}

/** At least two of lower case, upper case and digits: random tokens do, identifiers and words rarely. */
const mixed = (s: string) => [/[a-z]/, /[A-Z]/, /[0-9]/].filter((r) => r.test(s)).length >= 2;

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / s.length) * Math.log2(n / s.length);
  return bits;
}

/** A reference to a value kept elsewhere ($VAR, ${VAR}, <password>, process.env.X, ***), not a value. */
const placeholder = (v: string) => /^(\$|<|\{|%|\*{3}|…|\.\.\.|x{4,}$)/i.test(v) || /^(process\.env|env\.|os\.environ|secrets\.)/i.test(v);

/** `user:password` where the password is one: not a placeholder, not digits (a gid), not the user again (a group). */
function userPassword(pair: string): boolean {
  const [user, pw] = [pair.slice(0, pair.indexOf(":")), pair.slice(pair.indexOf(":") + 1)];
  return !placeholder(pw) && !/^\d+$/.test(pw) && pw !== user;
}

/** A Basic header's value that decodes to user:password (printable, both parts there, the password no placeholder). */
function basicCredentials(b64: string): boolean {
  const decoded = Buffer.from(b64, "base64").toString("utf8");
  const m = /^([\x21-\x7e]+):([\x20-\x7e]+)$/.exec(decoded);
  return !!m && !placeholder(m[2]);
}

const PATTERNS: Pattern[] = [
  // Any case and spacing of the armour line: "-----begin rsa private key-----" is still the key.
  { kind: "private_key", reason: "a private key (-----BEGIN … PRIVATE KEY-----)", re: /-{3,}\s*BEGIN[A-Z0-9 ]*PRIVATE\s+KEY(?:\s+BLOCK)?\s*-{3,}/i },
  // The body without its armour lines: PKCS#1 / PKCS#8 (MII…IBA…, not a certificate's MII…CCA…), SEC1 EC, OpenSSH.
  { kind: "private_key", reason: "a private key (its base64 body)", re: /(?<![A-Za-z0-9+/])(MII[A-Za-z0-9+/]{3}IBA[A-Za-z0-9+/]{60,}|MHcCAQEE[A-Za-z0-9+/]{60,}|b3BlbnNzaC1rZXktdjE[A-Za-z0-9+/]{60,})/ },
  { kind: "aws_access_key", reason: "an AWS access key id (AKIA…/ASIA…)", re: /\b((?:AKIA|ASIA)[0-9A-Z]{16})\b/i },
  {
    kind: "aws_secret_key",
    reason: "an AWS secret access key",
    re: /\baws[\w .-]{0,30}?secret[\w .-]{0,30}?["'\s:=]{1,6}([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/i,
    accept: mixed,
  },
  { kind: "github_token", reason: "a GitHub token (ghp_…)", re: /\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,})\b/ },
  { kind: "github_token", reason: "a GitHub token (github_pat_…)", re: /\b(github_pat_[A-Za-z0-9_]{22,})/ },
  { kind: "anthropic_key", reason: "an Anthropic API key (sk-ant-…)", re: /\b(sk-ant-[A-Za-z0-9_-]{20,})/ },
  { kind: "openai_key", reason: "an API key (sk-…)", re: /\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,})/, accept: mixed },
  { kind: "slack_token", reason: "a Slack token (xox…-)", re: /\b(xox[abposr]-[A-Za-z0-9-]{10,})/ },
  { kind: "stripe_key", reason: "a Stripe live key (sk_live_…/rk_live_…)", re: /\b((?:sk|rk)_live_[A-Za-z0-9]{16,})/ },
  { kind: "google_api_key", reason: "a Google API key (AIza…)", re: /\b(AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/ },
  { kind: "npm_token", reason: "an npm token (npm_…)", re: /\b(npm_[A-Za-z0-9]{36})\b/ },
  { kind: "jwt", reason: "a JSON Web Token (eyJ….….…)", re: /\b(eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})/ },
  { kind: "dockside_token", reason: "a Dockside token (dsk_…, inv_…, shr_…, rt_…)", re: /\b((?:dsk|inv|shr|rt)_[A-Za-z0-9_-]{32,})/, accept: mixed },
  // Every scheme, not a list: postgresql+psycopg2://, sqlserver://, clickhouse://, ldap://, ssh:// carry passwords alike.
  {
    kind: "connection_string",
    reason: "a connection string with a password (scheme://user:password@host)",
    re: /\b[a-z][a-z0-9+.-]{1,30}:\/\/[^\s:@/]*:([^\s@/]+)@[^\s]/i,
    accept: (pw) => !placeholder(pw),
  },
  // JDBC / ODBC / URL parameters (?password=, ;Pwd=) and libpq's key=value form (host=… password=…).
  { kind: "connection_string", reason: "a connection string with a password (password=…)", re: /[?&;](?:password|passwd|pwd|sslpassword)=([^\s&;'"]{4,})/i, accept: (pw) => !placeholder(pw) },
  { kind: "connection_string", reason: "a connection string with a password (password=…)", re: /\bhost=\S+[^\n]*?\bpassword=([^\s'"]{4,})/i, accept: (pw) => !placeholder(pw) },
  // What curl commands carry: a bearer token, basic credentials (base64 of user:password), -u user:password.
  {
    kind: "authorization",
    reason: "an Authorization header's credentials (Bearer …)",
    re: /\bbearer\s+([A-Za-z0-9._~+/-]{20,}=*)/i,
    accept: (v) => !placeholder(v) && mixed(v) && /[0-9]/.test(v) && entropy(v) >= 3.5,
  },
  { kind: "authorization", reason: "an Authorization header's credentials (Basic …)", re: /\bbasic\s+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])/i, accept: basicCredentials },
  // Not `docker run -u 1000:1000` nor `-u www-data:www-data` (a user and a group).
  { kind: "authorization", reason: "a user and password given to a command (-u user:password)", re: /(?:^|\s)(?:-u|--user)\s*["']?([^\s:"'$]+:[^\s"']{6,})/, accept: userPassword },
  { kind: "webhook_url", reason: "a Slack or Discord webhook URL (anyone holding it can post)", re: /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/]{20,}|discord(?:app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]{20,}/i },
  { kind: "gitlab_token", reason: "a GitLab token (glpat-…)", re: /\b(gl(?:pat|dt|rt|ptt)-[A-Za-z0-9_-]{20,})/ },
  { kind: "huggingface_token", reason: "a Hugging Face token (hf_…)", re: /\b(hf_[A-Za-z0-9]{30,})\b/, accept: mixed },
  { kind: "sendgrid_key", reason: "a SendGrid key (SG.….…)", re: /\b(SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,})/ },
  {
    kind: "assignment",
    reason: "a credential assigned to a password, secret, key or token name",
    re: /\b[\w.-]*(?:password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?key|auth[_-]?token|token)["']?\s*[:=]\s*["'`]?([^\s"'`,;)]{16,})/i,
    accept: (v) => !placeholder(v) && mixed(v) && /[0-9]/.test(v) && entropy(v) >= 3.5,
  },
];

/** Values shorter than this are not looked for in texts ("1", "true" would refuse ordinary prose). */
const KNOWN_MIN = 6;

/** The first credential in `text`, or null. `knownValues`: the current values of the team's secrets (never echoed). */
export function findSecret(text: string, knownValues: readonly string[] = []): SecretHit | null {
  // Each form of the text (as written, as a person reads it, lines closed up): see secret-forms.ts.
  for (const form of scanForms(text)) {
    for (const p of PATTERNS) {
      const re = new RegExp(p.re.source, p.re.flags.includes("g") ? p.re.flags : `${p.re.flags}g`);
      for (const m of form.matchAll(re)) {
        if (!p.accept || p.accept(m[1] ?? m[0])) return { kind: p.kind, reason: p.reason };
      }
    }
  }
  if (knownValues.some((v) => v.length >= KNOWN_MIN && holdsValue(text, v))) {
    return { kind: "team_secret", reason: "the value of one of your team's secrets" };
  }
  return null;
}

/** Refuses (422) a text holding a credential, saying what it looks like and what to do instead. */
export function assertNoSecret(text: string, knownValues: readonly string[] = []): void {
  const hit = findSecret(text, knownValues);
  if (!hit) return;
  const advice =
    hit.kind === "team_secret"
      ? "it is already stored as a secret: refer to it by its name instead"
      : hit.kind === "connection_string"
        ? "leave the password out (scheme://user@host) and store it as a secret in Settings → Environments instead"
        : "store it as a secret in Settings → Environments instead";
  const what = hit.kind === "team_secret" ? `this contains ${hit.reason}` : `this looks like ${hit.reason}`;
  throw new AppError("invalid", `memory never stores credentials: ${what}; ${advice}`, { details: { secretKind: hit.kind } });
}

/**
 * The current values of every secret of the team: team-wide and every repository's, not only those
 * a session of one repository gets. A team-wide entry reaches every repository's sessions, and a
 * repository's secret that shadows a team-wide one of the same name leaves that value secret too.
 */
export async function knownSecretValues(teamId: string): Promise<string[]> {
  const repositories = await db().secret.findMany({ where: { teamId, repositoryId: { not: null } }, select: { repositoryId: true }, distinct: ["repositoryId"] });
  const scopes = [null, ...repositories.map((r) => r.repositoryId)];
  const values = await Promise.all(scopes.map(async (id) => (await sessionSecrets(teamId, id)).map((s) => s.value)));
  return [...new Set(values.flat())];
}

// The credential scanner: every kind it knows is refused with its reason (never the value), and
// the ordinary things memory is for (commands, env var names, shas, URLs) pass.
import { describe, expect, it } from "vitest";
import { isAppError } from "../errors";
import { assertNoSecret, findSecret } from "./secrets";

// Built at run time so this file holds no string a scanner would flag as a real credential.
const rep = (alphabet: string, n: number) => Array.from({ length: n }, (_, i) => alphabet[(i * 7 + 3) % alphabet.length]).join("");
const ALNUM = "aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz";
const b64url = (n: number) => rep(`${ALNUM}-_`, n);

const REFUSED: [string, string, RegExp][] = [
  ["aws_access_key", `the deploy key is AKIA${rep("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`, /AWS access key id/],
  ["aws_access_key", `temporary: ASIA${rep("QRSTUVWXYZ234567", 16)}`, /AWS access key id/],
  ["aws_secret_key", `aws_secret_access_key = ${rep(`${ALNUM}/+`, 40)}`, /AWS secret access key/],
  ["aws_secret_key", `The AWS secret key: ${rep(`${ALNUM}/+`, 40)}`, /AWS secret access key/],
  ["github_token", `push with ghp_${rep(ALNUM, 36)}`, /GitHub token \(ghp_…\)/],
  ["github_token", `gho_${rep(ALNUM, 36)}`, /GitHub token/],
  ["github_token", `ghu_${rep(ALNUM, 36)} and ghs_${rep(ALNUM, 36)}`, /GitHub token/],
  ["github_token", `refresh: ghr_${rep(ALNUM, 40)}`, /GitHub token/],
  ["github_token", `github_pat_${rep(`${ALNUM}_`, 60)}`, /GitHub token \(github_pat_…\)/],
  ["anthropic_key", `ANTHROPIC_API_KEY is sk-ant-api03-${b64url(80)}`, /Anthropic API key/],
  ["openai_key", `use sk-proj-${rep(ALNUM, 40)} for embeddings`, /API key \(sk-…\)/],
  ["openai_key", `sk-${rep(ALNUM, 48)}`, /API key \(sk-…\)/],
  ["slack_token", `bot token xoxb-${rep("0123456789", 12)}-${rep(ALNUM, 24)}`, /Slack token/],
  ["slack_token", `xoxp-${rep("0123456789", 12)}-${rep(ALNUM, 24)}`, /Slack token/],
  ["stripe_key", `sk_live_${rep(ALNUM, 24)}`, /Stripe live key/],
  ["stripe_key", `restricted rk_live_${rep(ALNUM, 24)}`, /Stripe live key/],
  ["google_api_key", `maps key AIza${b64url(35)}`, /Google API key/],
  ["npm_token", `publish with npm_${rep(ALNUM, 36)}`, /npm token/],
  ["jwt", `Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${b64url(43)}`, /JSON Web Token/],
  ["private_key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", /private key/],
  ["private_key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=", /private key/],
  ["private_key", "-----BEGIN PRIVATE KEY-----", /private key/],
  ["connection_string", "the test database is postgres://app:hunter2@db.internal:5432/app", /connection string with a password/],
  ["connection_string", "DATABASE_URL=postgresql://user:pass@host/db", /connection string/],
  ["connection_string", "mysql://root:toor@127.0.0.1/shop", /connection string/],
  ["connection_string", "mongodb+srv://admin:S3cr3t@cluster0.example.mongodb.net/test", /connection string/],
  ["connection_string", "mongodb://u:p4ss@localhost:27017", /connection string/],
  ["connection_string", "redis://default:redispw@cache:6379/0", /connection string/],
  ["connection_string", "amqp://guest:guest@rabbit:5672/", /connection string/],
  ["connection_string", "clone https://bot:s3cret@git.example.com/acme/app.git", /connection string/],
  ["dockside_token", `the API token is dsk_${b64url(43)}`, /Dockside token/],
  ["dockside_token", `invite link key inv_${b64url(43)}`, /Dockside token/],
  ["dockside_token", `shr_${b64url(43)}`, /Dockside token/],
  ["dockside_token", `fire with rt_${b64url(43)}`, /Dockside token/],
  ["assignment", `password=${rep(ALNUM, 24)}`, /credential assigned/],
  ["assignment", `client_secret: "${rep(ALNUM, 32)}"`, /credential assigned/],
  ["assignment", `API_KEY=${rep(ALNUM, 20)}`, /credential assigned/],
  ["assignment", `set token=${rep(`${ALNUM}.`, 30)} in .env`, /credential assigned/],
];

const PASSES = [
  "the token is read from GITHUB_TOKEN",
  "Run the tests with `npm test`; the linter with `npm run lint`.",
  "run `npm test` before pushing",
  "The release commit was 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39",
  "Clone from https://github.com/acme/app.git; the API lives at https://api.example.com/v1",
  "Connect with postgres://localhost/app_test (no password in CI)",
  "DATABASE_URL=postgresql://app@localhost:5432/app",
  "postgres://app:${PGPASSWORD}@db/app is how the compose file builds it",
  "token: process.env.GITHUB_TOKEN",
  "password=$DB_PASSWORD in the CI job",
  "password: hunter2 is the fixture user's password in seeds.ts",
  "the API key goes in the X-Api-Key header; tokens expire after 15 minutes",
  "sk-learn is spelt scikit-learn",
  "Start the server with `DOCKSIDE_DATA_DIR=.data node server.ts`",
  "Private keys live in Vault, never in the repository (BEGIN blocks are refused by the pre-commit hook).",
  "use snake_case like rt_handler_for_routine_tokens_in_lib",
  "The jwt middleware reads the `Authorization: Bearer` header",
  "pnpm install --frozen-lockfile, then `pnpm -r build`",
];

describe("findSecret", () => {
  it.each(REFUSED)("refuses %s: %s", (kind, text, reason) => {
    const hit = findSecret(text);
    expect(hit?.kind).toBe(kind);
    expect(hit?.reason).toMatch(reason);
  });

  it.each(PASSES.map((t) => [t]))("lets ordinary text pass: %s", (text) => {
    expect(findSecret(text)).toBeNull();
  });

  it("finds the current value of a team secret without echoing it", () => {
    const value = "tiny-but-real-9f8e";
    const hit = findSecret(`the staging password is ${value} for now`, ["1", value]);
    expect(hit).toEqual({ kind: "team_secret", reason: "the value of one of your team's secrets" });
    expect(JSON.stringify(hit)).not.toContain(value);
    // Very short values ("1", "true") are not looked for: they would refuse ordinary prose.
    expect(findSecret("retry 1 time", ["1"])).toBeNull();
  });
});

describe("assertNoSecret", () => {
  it("refuses with a 422 that names what it looks like and what to do", () => {
    const text = `push with ghp_${rep(ALNUM, 36)}`;
    let err: unknown;
    try {
      assertNoSecret(text);
    } catch (e) {
      err = e;
    }
    expect(isAppError(err) && err.status).toBe(422);
    expect((err as Error).message).toBe("memory never stores credentials: this looks like a GitHub token (ghp_…); store it as a secret in Settings → Environments instead");
    expect((err as Error).message).not.toContain(text.slice(13));
    expect(() => assertNoSecret("postgres://a:b1@h/db")).toThrow(/leave the password out/);
    expect(() => assertNoSecret("the value is abcdef123", ["abcdef123"])).toThrow(/this contains the value of one of your team's secrets; it is already stored as a secret: refer to it by its name instead/);
    expect(() => assertNoSecret("run `npm test`", ["abcdef123"])).not.toThrow();
  });
});

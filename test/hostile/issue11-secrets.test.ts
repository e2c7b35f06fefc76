// A hostile agent (or a careless person) against memory's credential scanner: every disguise that
// keeps a credential usable by whoever reads the entry, tried on findSecret and through the real
// writes (rememberFromAgent, POST /api/memory, PATCH, a merge proposal). What is refused stays
// here asserting the refusal; what no cheap rule recovers is listed in docs/security.md:
// a value reversed or split by spaces, an encryption, a secret shorter than 6 characters.
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { connectDb, db } from "../../lib/db/client";
import { applySecrets } from "../../lib/environments/secrets";
import type { NewEvent } from "../../lib/events/schema";
import { makeMember, makeSession, makeTeam } from "../../lib/history/test-fixtures";
import { rememberFromAgent } from "../../lib/memory/agent";
import { createEntry, patchEntry } from "../../lib/memory/entries";
import { decideProposal } from "../../lib/memory/proposals";
import { findSecret } from "../../lib/memory/secrets";
import type { AgentCallContext } from "../../lib/sessions/agent-context";

// Built at run time so this file holds no string a scanner would flag as a real credential.
const rep = (alphabet: string, n: number) => Array.from({ length: n }, (_, i) => alphabet[(i * 7 + 3) % alphabet.length]).join("");
const ALNUM = "aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz";
const GH = `ghp_${rep(ALNUM, 36)}`;
const PW = "S3cretPw9x";
const b64 = (s: string) => Buffer.from(s).toString("base64");

const DISGUISED: [string, string][] = [
  ["split over two lines", `push with ${GH.slice(0, 20)}\n${GH.slice(20)}`],
  ["split over lines with CRLF and indentation", `push with\r\n    ${GH.slice(0, 12)}\r\n    ${GH.slice(12)}`],
  ["a zero-width space after the prefix", `push with ${GH.slice(0, 4)}\u200b${GH.slice(4)}`],
  ["a soft hyphen in the middle", `push with ${GH.slice(0, 20)}\u00ad${GH.slice(20)}`],
  ["a word joiner and a BOM", `push with ${GH.slice(0, 8)}\u2060${GH.slice(8, 30)}\ufeff${GH.slice(30)}`],
  ["a Cyrillic р in the prefix", `push with ghр_${GH.slice(4)}`],
  ["a fullwidth prefix", `push with ｇｈｐ_${GH.slice(4)}`],
  ["base64", `the token, base64: ${b64(GH)}`],
  ["base64url inside a JSON blob", `config blob ${Buffer.from(JSON.stringify({ token: GH })).toString("base64url")}`],
  ["URL-encoded", `token ${encodeURIComponent(GH).replace(/_/g, "%5F")}`],
  ["in a fenced code block", `\`\`\`sh\ngit push https://x-access-token@github.com # ${GH}\n\`\`\``],
  ["an AWS key id in lower case", `akia${rep("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16).toLowerCase()}`],
  ["a private key header in lower case", "-----begin rsa private key-----\nMIIEow"],
  ["a private key header with spaces", "----- BEGIN OPENSSH PRIVATE KEY -----"],
  ["a PKCS#1 key body without its header", `MIIEowIBAAKCAQEA${rep(`${ALNUM}+/`, 120)}`],
  ["a PKCS#8 key body split in PEM lines", `MIIEvQIBADANBgkqhkiG9w0BAQEFAASC${rep(`${ALNUM}+/`, 32)}\n${rep(`${ALNUM}+/`, 64)}`],
  ["an OpenSSH key body", `b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ${rep(`${ALNUM}+/`, 70)}`],
  ["postgresql+psycopg2://", `postgresql+psycopg2://app:${PW}@db/app`],
  ["sqlserver://", `sqlserver://sa:${PW}@db:1433`],
  ["clickhouse://", `clickhouse://default:${PW}@ch:9000/db`],
  ["ldap://", `ldap://cn=admin:${PW}@ldap.example.com`],
  ["ssh://", `ssh://deploy:${PW}@git.example.com/repo.git`],
  ["JDBC with ?password=", `jdbc:postgresql://db:5432/app?user=app&password=${PW}`],
  ["ODBC with Pwd=", `Driver={ODBC Driver 18};Server=db;Uid=sa;Pwd=${PW};`],
  ["libpq key=value", `host=db port=5432 user=app password=${PW} dbname=app`],
  ["an Authorization: Bearer header", `curl -H "Authorization: Bearer ${rep(ALNUM, 40)}" https://api.example.com`],
  ["an Authorization: Basic header", `curl -H "Authorization: Basic ${b64(`admin:${PW}`)}" https://api.example.com`],
  ["curl -u user:password", `curl -u admin:${PW} https://api.example.com`],
  ["a Slack webhook URL", `post to https://hooks.slack.com/services/T0123ABCD/B0123ABCD/${rep(ALNUM, 24)}`],
  ["a GitLab token", `glpat-${rep(ALNUM, 20)}`],
  ["a Hugging Face token", `hf_${rep(ALNUM, 34)}`],
];

// Ordinary memory: none of these may be refused by the wider rules.
const ORDINARY = [
  "Public certificate for the test TLS server: MIIDdzCCAl+gAwIBAgIUJ3xyz" + "A".repeat(70),
  "ssh://git@github.com/acme/app.git is the mirror; redis://localhost:6379/0 the cache",
  "call the API with `curl -H \"Authorization: Bearer $API_TOKEN\"`",
  "curl -u admin:$ADMIN_PASSWORD https://staging.example.com",
  "Run the image as `docker run -u 1000:1000 app`, or `-u www-data:www-data` in production",
  "jdbc:postgresql://db:5432/app?user=app&password=${DB_PASSWORD}",
  "host=localhost dbname=app (the password comes from ~/.pgpass)",
  "The image digest is sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  "Release ids look like 7c9e6679-7425-40de-944b-e07fc1ce4e01",
  "👩‍💻 The on-call rota is in docs/oncall.md ❤️",
  "Сборка: `npm run build` (Russian docs in docs/ru)",
  "Basic auth is off in dev; Bearer tokens expire after 15 minutes",
  "Wrap long lines at 100 characters:\nthe linter enforces it\nin CI",
  "Decode test fixtures with `base64 -d fixtures/blob.b64`; they are PNG images",
];

describe("findSecret: disguised credentials are still refused", () => {
  it.each(DISGUISED)("%s", (_what, text) => {
    expect(findSecret(text)).not.toBeNull();
  });

  it.each(ORDINARY.map((t) => [t]))("ordinary text passes: %s", (text) => {
    expect(findSecret(text)).toBeNull();
  });
});

describe("findSecret: a team or session secret's value in disguise", () => {
  const VALUE = "Zq8-team-secret-Value-93kd";
  it.each([
    ["as written", `use ${VALUE}`],
    ["in upper case", `use ${VALUE.toUpperCase()}`],
    ["in lower case", `use ${VALUE.toLowerCase()}`],
    ["split over two lines", `use ${VALUE.slice(0, 10)}\n${VALUE.slice(10)}`],
    ["with zero-width characters", `use ${[...VALUE].join("\u200b")}`],
    ["base64", `use ${b64(VALUE)}`],
    ["base64 of user:value", `credentials blob ${b64(`deploy:${VALUE}`)}`],
    ["base64 at every alignment", `blob ${b64(`xy${VALUE}z`)}`],
    ["hex", `use ${Buffer.from(VALUE).toString("hex")}`],
    ["URL-encoded", `use ${encodeURIComponent(`p@ss:${VALUE}`)}`],
  ])("%s", (_what, text) => {
    const known = _what === "URL-encoded" ? [`p@ss:${VALUE}`] : [VALUE];
    expect(findSecret(text, known)).toEqual({ kind: "team_secret", reason: "the value of one of your team's secrets" });
  });

  it("a short value is only looked for as written (squashing spaces would refuse prose)", () => {
    expect(findSecret("run the test 12 times", ["test12"])).toBeNull();
    expect(findSecret("the value test12 is the fixture's", ["test12"])).not.toBeNull();
  });
});

// ---- through the real writes, on PostgreSQL

interface World {
  team: string;
  repo: string;
  other: string;
  person: Awaited<ReturnType<typeof makeMember>>;
  ctx: AgentCallContext & { events: NewEvent[] };
}

async function world(masks: string[] = []): Promise<World> {
  const team = await makeTeam();
  const [repo, other] = [crypto.randomUUID(), crypto.randomUUID()];
  for (const id of [repo, other]) await db().repository.create({ data: { id, teamId: team, kind: "https", location: `https://git.example.com/${id}`, source: `https://git.example.com/${id}`, name: id.slice(0, 8) } });
  const person = await makeMember(team, "member", "Writer");
  const session = await makeSession(team, { createdById: person.user.id, events: [{ type: "user.message", data: { text: "go" } }] });
  await db().session.update({ where: { id: session }, data: { repositoryId: repo } });
  const events: NewEvent[] = [];
  return { team, repo, other, person, ctx: { sessionId: session, masks, events, record: async (e) => void events.push(...e) } };
}

beforeAll(() => {
  connectDb(process.env.DATABASE_URL!);
});

describe("writes refuse disguised secrets and store nothing", () => {
  it("the agent's remember: a session secret's value, base64-encoded or split over lines", async () => {
    const w = await world(["sess-Secret-Value-4242"]);
    for (const [i, text] of [`the key, encoded: ${b64("sess-Secret-Value-4242")}`, "key: sess-Secret-\nValue-4242", `push with ${GH.slice(0, 4)}\u200b${GH.slice(4)}`].entries()) {
      await expect(rememberFromAgent(w.ctx, { callId: `c${i}`, text, scope: "repository" })).rejects.toMatchObject({ code: "invalid" });
    }
    expect(await db().memoryEntry.count({ where: { sourceSessionId: w.ctx.sessionId } })).toBe(0);
    expect(w.ctx.events).toEqual([]);
  });

  it("a team-wide entry may not hold another repository's secret, nor a team-wide value a repository's secret shadows", async () => {
    const w = await world();
    await db().$transaction(async (tx) => {
      await applySecrets(tx, w.team, w.other, { DEPLOY_KEY: "other-Repo-Secret-77" });
      await applySecrets(tx, w.team, null, { API_KEY: "team-Wide-Shadowed-55" });
      await applySecrets(tx, w.team, w.repo, { API_KEY: "repo-Own-Value-66" });
    });
    const access = { caller: w.person, teamId: w.team, role: "member" as const };
    // A person writing for the whole team, or for this repository.
    await expect(createEntry(access, { text: "deploy with other-Repo-Secret-77" })).rejects.toThrow(/value of one of your team's secrets/);
    await expect(createEntry(access, { repo: w.repo, text: "the old key team-Wide-Shadowed-55 still works" })).rejects.toThrow(/value of one of your team's secrets/);
    // The agent of a session on `repo` proposing for the team.
    await expect(rememberFromAgent(w.ctx, { callId: "x1", text: "other-Repo-Secret-77 deploys", scope: "team" })).rejects.toMatchObject({ code: "invalid" });
    // An edit that brings one in.
    const entry = await createEntry(access, { repo: w.repo, text: "Deploys go through `make deploy`" });
    await expect(patchEntry(access, entry.id, { text: "Deploys go through `make deploy KEY=other-Repo-Secret-77`" })).rejects.toMatchObject({ code: "invalid" });
    expect(await db().memoryEntry.count({ where: { teamId: w.team } })).toBe(1);
  });

  it("a merge of two halves that each passed is scanned as a whole when a person accepts it", async () => {
    const w = await world();
    const access = { caller: w.person, teamId: w.team, role: "member" as const };
    const a = await createEntry(access, { repo: w.repo, text: `Release token for the deploy script: ${GH.slice(0, 20)}` });
    const b = await createEntry(access, { repo: w.repo, text: `${GH.slice(20)} release token deploy script` });
    // Consolidation would propose this merge of two entries about the same thing (lib/memory/consolidate.ts).
    const id = crypto.randomUUID();
    await db().memoryProposal.create({ data: { id, teamId: w.team, repositoryId: w.repo, kind: "merge", entryIds: [a.id, b.id], text: `${a.text.trim()}\n${b.text}`, reason: "these say the same thing" } });
    await expect(decideProposal(access, id, "accept")).rejects.toThrow(/memory never stores credentials/);
    expect((await db().memoryProposal.findUniqueOrThrow({ where: { id } })).state).toBe("proposed");
    expect((await db().memoryEntry.findUniqueOrThrow({ where: { id: a.id } })).version).toBe(1);
  });
});

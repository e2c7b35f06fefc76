// History list and search at scale: 10,000 sessions and 1,000,000 events in an embedded
// PostgreSQL, measured through the same lib functions the API calls (median of several runs).
// BENCH_HISTORY_DIR=<dir> keeps (and reuses) the seeded cluster there instead of a temp dir.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { connectDb, disconnectDb } from "../lib/db/client";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";
import { listSessions } from "../lib/sessions/list-sessions";
import { ListSessionsQuerySchema } from "../lib/history/query";
import { median, writeResult } from "./harness";

const SESSIONS = 10_000;
const EVENTS_PER_SESSION = 100; // on average: pairs of sessions get 100 ± k events
const RUNS = 9;
const TEAM = "bench";

// Ordinary words of a coding agent's transcript; drawn with a skew so a few are very common.
const WORDS = `the file test function error build module import export type interface update fix add remove
change config server client request response handler route component state hook render props value
return async await promise callback event listener stream buffer parse format validate schema query
database table column index migration user session token auth login password cache memory timeout
retry queue worker job task command script install package dependency version release deploy docker
container image network port host path directory folder read write open close start stop run check
lint compile bundle typescript javascript node npm yarn react next prisma postgres sql json yaml
string number boolean array object map set list item key field method class instance constructor
default option flag argument parameter variable constant global local scope closure loop branch
commit merge rebase diff patch pull push remote origin main feature bugfix hotfix review comment
refactor rename extract inline move split join sort filter reduce find match replace trim slice
header footer layout page view modal button input form label select checkbox dropdown tooltip
style theme color font size width height margin padding border shadow animation transition
log warn info debug trace metric alert monitor health status ready live probe endpoint api rest
graphql socket websocket upload download image video audio pdf csv export report chart graph
email notification message channel thread reply mention reaction emoji avatar profile account
billing invoice payment subscription plan price discount coupon order cart checkout shipping
search results pagination cursor offset limit total count page size next previous first last
permission role admin owner member viewer invite team organization workspace project repository
environment variable secret key certificate domain dns proxy load balancer cluster node replica
backup restore snapshot archive compress encrypt decrypt hash salt signature verify sign issue
performance latency throughput benchmark profile optimize slow fast leak spike regression flaky
unit integration end coverage mock stub fixture snapshot assertion expect describe suite case
carefully quickly first then now next also because however instead already still again maybe`.split(/\s+/);

// Run once per statement (the script's statements contain no `;` inside bodies).
const SEED = `
SET maintenance_work_mem = '1GB';
SET synchronous_commit = off;
INSERT INTO teams (id, name, slug) VALUES ('${TEAM}', 'Bench', 'bench'), ('other', 'Other', 'other');
INSERT INTO users (id, name, email) SELECT 'user' || i, 'User ' || i, 'user' || i || '@bench.test' FROM generate_series(1, 25) i;
INSERT INTO members (team_id, user_id, role) SELECT '${TEAM}', 'user' || i, 'member' FROM generate_series(1, 25) i;
CREATE TEMP TABLE sentences AS SELECT i, (SELECT string_agg(($1::text[])[1 + floor(array_length($1::text[], 1) * power(random(), 2.2))::int], ' ') FROM generate_series(1, 5 + i % 12) WHERE i >= 0) AS t FROM generate_series(0, 19999) i;
CREATE TEMP TABLE lines AS SELECT i, CASE WHEN i % 50 = 0 THEN 'Error: ENOENT: no such file or directory, open ''/workspace/' || s.t || '.json'''
  WHEN i % 4 = 0 THEN 'src/' || split_part(s.t, ' ', 1) || '/' || split_part(s.t, ' ', 2) || '.ts:' || (i % 300) || ':' || (i % 80) || ' - error TS' || (2000 + i % 800) || ': ' || s.t
  WHEN i % 4 = 1 THEN '  ✓ ' || s.t || ' (' || (i % 900) || ' ms)'
  WHEN i % 4 = 2 THEN 'npm warn deprecated ' || split_part(s.t, ' ', 1) || '@' || (i % 9) || '.' || (i % 20) || '.0: ' || s.t
  ELSE '$ ' || s.t END AS t FROM sentences s;
CREATE INDEX ON sentences (i);
CREATE INDEX ON lines (i);
CREATE TEMP TABLE seed_sessions AS SELECT n AS num, CASE WHEN n <= ${SESSIONS} THEN '${TEAM}' ELSE 'other' END AS team_id,
  'bench' || lpad(n::text, 6, '0') AS id,
  CASE WHEN n > ${SESSIONS} THEN 20 WHEN n % 2 = 0 THEN ${EVENTS_PER_SESSION} + (n / 2 * 37) % 90 ELSE ${EVENTS_PER_SESSION} - ((n + 1) / 2 * 37) % 90 END AS events,
  now() - (n * interval '3 minutes') - ((n * 7919) % 120) * interval '1 second' AS created_at,
  'https://github.com/acme/' || ($1::text[])[1 + (n / 7) % 60] AS repo,
  (ARRAY['idle','idle','idle','idle','stopped','stopped','stopped','failed','running','queued'])[1 + (n * 7) % 10] AS status,
  'user' || (1 + (n * 11) % 25) AS created_by_id,
  s.t || ' ' || s2.t AS prompt
  FROM generate_series(1::bigint, ${SESSIONS + 200}) n JOIN sentences s ON s.i = (n * 31) % 20000 JOIN sentences s2 ON s2.i = (n * 57 + 11) % 20000;
INSERT INTO sessions (id, team_id, repo, base_branch, branch, prompt, model, status, input_tokens, output_tokens, last_seq, created_at, updated_at, created_by_id)
  SELECT id, team_id, repo, 'main', 'dockside/' || left(id, 8), prompt, 'claude-sonnet-5-5', status, events * 900, events * 60, events, created_at, created_at + interval '1 hour', created_by_id FROM seed_sessions;
DROP INDEX IF EXISTS events_search_idx;
INSERT INTO events (session_id, seq, type, ts, data)
  SELECT s.id, g, k.type, s.created_at + g * interval '2 seconds', CASE k.type
    WHEN 'user.message' THEN jsonb_build_object('text', CASE WHEN g = 1 THEN s.prompt ELSE a.t END, 'author', 'User', 'authorId', s.created_by_id)
    WHEN 'status' THEN jsonb_build_object('status', CASE WHEN g = 2 THEN 'queued' ELSE 'idle' END)
    WHEN 'assistant.text' THEN jsonb_build_object('block', 'b' || g, 'text', a.t || '. ' || b.t || CASE WHEN s.num > 3000 AND g % 3 = 0 THEN '. Marmot' ELSE '.' END)
    WHEN 'tool.call' THEN jsonb_build_object('callId', 'c' || g, 'name', 'shell', 'input', jsonb_build_object('command', 'npm run ' || split_part(a.t, ' ', 1) || ' -- ' || split_part(b.t, ' ', 2)))
    WHEN 'tool.output' THEN jsonb_build_object('callId', 'c' || k.call, 'stream', 'stdout', 'text', o1.t || E'\\n' || o2.t || E'\\n' || o3.t || CASE WHEN g % 3 = 0 THEN E'\\n' || o4.t ELSE '' END)
    WHEN 'tool.result' THEN jsonb_build_object('callId', 'c' || k.call, 'isError', g % 9 = 0, 'exitCode', CASE WHEN g % 9 = 0 THEN 1 ELSE 0 END, 'output', left(o1.t, 200), 'truncated', false, 'durationMs', g * 17 % 5000)
    WHEN 'usage' THEN jsonb_build_object('model', 'claude-sonnet-5-5', 'inputTokens', 900 + g, 'outputTokens', 60 + g % 100)
    ELSE jsonb_build_object('sha', md5(s.id || g) || left(md5(g || s.id), 8), 'message', initcap(a.t), 'filesChanged', 1 + g % 7, 'insertions', g % 120, 'deletions', g % 40) END
  FROM seed_sessions s CROSS JOIN LATERAL generate_series(1::bigint, s.events) g
  CROSS JOIN LATERAL (SELECT slot, CASE WHEN g = 1 THEN 'user.message' WHEN g = 2 THEN 'status' WHEN g % 47 = 0 THEN 'user.message' WHEN g % 31 = 0 THEN 'commit'
    ELSE (ARRAY['assistant.text','tool.call','tool.output','tool.output','tool.result','usage','assistant.text','tool.call','tool.output','tool.result'])[1 + slot] END AS type,
    CASE WHEN slot < 6 THEN g - slot + 1 ELSE g - slot + 7 END AS call FROM (SELECT (g + 7) % 10 AS slot) z) k
  JOIN sentences a ON a.i = (s.num * 7919 + g * 104729) % 20000
  JOIN sentences b ON b.i = (s.num * 104723 + g * 7907 + 5) % 20000
  JOIN lines o1 ON o1.i = (s.num * 15485863 + g * 32452843) % 20000
  JOIN lines o2 ON o2.i = (s.num * 49979687 + g * 86028121 + 1) % 20000
  JOIN lines o3 ON o3.i = (s.num * 67867967 + g * 15485867 + 2) % 20000
  JOIN lines o4 ON o4.i = (s.num * 32452867 + g * 49979693 + 3) % 20000
  ORDER BY s.created_at, g;
UPDATE events SET data = jsonb_set(data, '{text}', to_jsonb(data->>'text' || ' Zanzibar')) WHERE type = 'assistant.text' AND id % 20011 = 3;
CREATE INDEX events_search_idx ON events USING GIN (search);
VACUUM ANALYZE`;

async function seed(url: string): Promise<number> {
  const t = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of SEED.split(";\n").map((s) => s.trim()).filter(Boolean)) {
      await client.query(sql, sql.includes("$1") ? [WORDS] : []);
    }
  } finally {
    await client.end();
  }
  return (performance.now() - t) / 1000;
}

async function time(fn: () => Promise<unknown>): Promise<{ ms: number; result: unknown }> {
  const t = performance.now();
  const result = await fn();
  return { ms: performance.now() - t, result };
}

async function measure(name: string, query: Record<string, string>, pages = 1) {
  const parsed = ListSessionsQuerySchema.parse(query);
  const samples: number[] = [];
  let found = 0;
  // One untimed run first: the first call of each query shape pays for Prisma's compilation.
  for (let r = -1; r < RUNS; r++) {
    let cursor: string | undefined;
    // Earlier pages are walked outside the timing: only the last page's request is measured.
    for (let p = 1; p < pages; p++) cursor = (await listSessions(TEAM, { ...parsed, cursor })).nextCursor ?? undefined;
    const { ms, result } = await time(() => listSessions(TEAM, { ...parsed, cursor }));
    if (r >= 0) samples.push(ms);
    found = (result as { sessions: unknown[] }).sessions.length;
  }
  const ms = Number(median(samples).toFixed(1));
  console.log(`[bench] ${name}: ${ms} ms (${found} rows)`);
  return { query: { ...query, ...(pages > 1 ? { page: pages } : {}) }, medianMs: ms, rows: found };
}

const keep = process.env.BENCH_HISTORY_DIR;
const dir = keep ? path.resolve(keep) : fs.mkdtempSync(path.join(os.tmpdir(), "dockside-bench-history-"));
fs.mkdirSync(dir, { recursive: true });
fs.chmodSync(dir, 0o755);
const db = await startEmbeddedPostgres(path.join(dir, "db"), 55777);
try {
  await migrate(db.url);
  const client = connectDb(db.url);
  const seeded = (await client.session.count({ where: { teamId: TEAM } })) > 0;
  const seedSeconds = seeded ? null : Number((await seed(db.url)).toFixed(1));
  const events = await client.event.count();
  const sessions = await client.session.count({ where: { teamId: TEAM } });
  console.log(`[bench] ${sessions} sessions, ${events} events${seedSeconds ? `, seeded in ${seedSeconds} s` : ""}`);
  // Warm the JIT and the connection pool, so the first figure is not the cost of starting up.
  for (let i = 0; i < 30; i++) await listSessions(TEAM, ListSessionsQuerySchema.parse(i % 2 ? {} : { q: "test" }));
  const results = [
    await measure("first page", {}),
    await measure("status + repo", { status: "failed", repo: `https://github.com/acme/${WORDS[27]}` }),
    await measure("page 50", {}, 50),
    await measure("search: rare word", { q: "zanzibar" }),
    await measure("search: common word", { q: "file" }),
    await measure("search: tool output only", { q: "ENOENT" }),
    await measure("search: two words", { q: "flaky migration" }),
    // The hard case: common overall, but none of the 3,000 newest sessions has it (an old codename).
    await measure("search: word only in old sessions", { q: "marmot" }),
    await measure("search: common word, page 20", { q: "file" }, 20),
  ];
  // Other work on the machine skews the figures; the load average says how much there was.
  writeResult("history", { sessions, events, seedSeconds, runs: RUNS, pageSize: 50, loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))), results });
} finally {
  await disconnectDb();
  await db.stop();
  if (!keep) fs.rmSync(dir, { recursive: true, force: true });
}

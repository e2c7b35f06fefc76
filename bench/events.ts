// Event persistence: worker batches of tool.output appended through the real code path (the one
// LiveSession takes: planWorkerBatch with masks inside appendPlanned, fenced by the session's
// lease) into an embedded PostgreSQL, one session and ten at once; side by side with the raw
// operation, one multi-row INSERT (unnest) of the same rows with `pg`, and with appendEvents
// unfenced. Each figure is the median of RUNS runs, with the spread (min–max).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { connectDb, db, disconnectDb } from "../lib/db/client";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";
import { appendEvents, appendPlanned } from "../lib/events/store";
import { acquireLease, checkFence, releaseAllLeases } from "../lib/runner/lease";
import { stopInstance } from "../lib/runner/instance";
import { planWorkerBatch } from "../lib/sessions/worker-events";
import type { WorkerEventBatch } from "../lib/protocol/worker";
import { median, writeResult } from "./harness";

const RUNS = Number(process.env.BENCH_EVENTS_RUNS ?? 5);
const EVENTS_PER_RUN = Number(process.env.BENCH_EVENTS_PER_RUN ?? 50_000);
// BENCH_EVENTS_BATCHES / BENCH_EVENTS_SESSIONS (comma-separated) run part of the grid.
const list = (v: string | undefined, all: number[]) => (v ? v.split(",").map(Number) : all);
const BATCHES = list(process.env.BENCH_EVENTS_BATCHES, [100, 500, 1000]);
const SESSIONS = list(process.env.BENCH_EVENTS_SESSIONS, [1, 10]);
const TEAM = "bench";
const MASKS = ["sk-bench-secret-value-1234", "hunter2-password"];

type Batch = WorkerEventBatch["events"];

// Lines like a build's output (80–200 bytes), now and then one holding a secret to mask.
function outputBatch(firstWid: number, size: number): Batch {
  return Array.from({ length: size }, (_, i) => {
    const n = firstWid + i;
    const secret = n % 97 === 0 ? ` token=${MASKS[0]}` : "";
    const text = `src/module${n % 300}/file${n % 41}.ts:${n % 500}:${n % 80} - error TS${2000 + (n % 800)}: Property 'value${n % 13}' does not exist on type 'Props'.${secret}${" ".repeat(n % 90)}\n`;
    return { wid: n, type: "tool.output", data: { callId: `call${Math.floor(n / 1000)}`, stream: n % 5 ? "stdout" : "stderr", text } };
  }) as Batch;
}

const bytesOf = (batch: Batch) => batch.reduce((s, e) => s + Buffer.byteLength((e.data as { text: string }).text), 0);

let nextSession = 0;
async function newSessions(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => `bench-ev-${String(++nextSession).padStart(6, "0")}`);
  await db().session.createMany({
    data: ids.map((id) => ({ id, teamId: TEAM, repo: "/r", baseBranch: "main", branch: `dockside/${id.slice(-8)}`, prompt: "p", model: "m", status: "running" })),
  });
  return ids;
}

type Writer = (sessionId: string, batch: Batch) => Promise<void>;

const policy = { stopAsked: false, outputCapBytes: 200n * 1024n * 1024n, dropped: new Map<string, number>(), masks: MASKS };

/** The worker path as LiveSession.storeWorkerEvents takes it, fenced by the session's lease. */
const workerSessions: string[] = [];
async function fencedWriter(ids: string[]): Promise<Writer> {
  workerSessions.push(...ids);
  const epochs = new Map<string, number>();
  for (const id of ids) epochs.set(id, (await acquireLease(id))!.epoch);
  return async (id, batch) => {
    const epoch = epochs.get(id)!;
    await appendPlanned(id, (row) => planWorkerBatch(batch, row, policy), (tx) => checkFence(tx, id, epoch));
  };
}

const unfencedWriter: Writer = async (id, batch) => {
  await appendEvents(id, batch.map(({ wid: _w, ...e }) => e) as never, { wids: batch.map((e) => e.wid) });
};

/** The raw operation: the same rows in one multi-row INSERT per batch, seq numbered here. */
const rawSessions: string[] = [];
function rawWriter(pool: pg.Pool, ids: string[]): Writer {
  rawSessions.push(...ids);
  const seqs = new Map<string, number>();
  return async (id, batch) => {
    let seq = seqs.get(id) ?? 0;
    const now = new Date().toISOString();
    const rows = batch.map((e) => [id, ++seq, e.type, now, JSON.stringify(e.data)]);
    seqs.set(id, seq);
    await pool.query(
      `INSERT INTO events (session_id, seq, type, ts, data) SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[], $5::jsonb[])`,
      [0, 1, 2, 3, 4].map((c) => rows.map((r) => r[c])),
    );
  };
}

/** Writes EVENTS_PER_RUN events spread over `sessions`, each session's batches in order. */
async function run(sessions: number, batchSize: number, make: (ids: string[]) => Promise<Writer>): Promise<{ eventsPerS: number; mbPerS: number }> {
  const ids = await newSessions(sessions);
  const write = await make(ids);
  const perSession = Math.floor(EVENTS_PER_RUN / sessions / batchSize);
  const batches = Array.from({ length: perSession }, (_, b) => outputBatch(1 + b * batchSize, batchSize));
  const bytes = batches.reduce((s, b) => s + bytesOf(b), 0) * sessions;
  const t = performance.now();
  await Promise.all(ids.map(async (id) => {
    for (const b of batches) await write(id, b);
  }));
  const s = (performance.now() - t) / 1000;
  const events = perSession * batchSize * sessions;
  return { eventsPerS: Math.round(events / s), mbPerS: Number((bytes / 2 ** 20 / s).toFixed(1)) };
}

async function measure(label: string, sessions: number, batchSize: number, make: (ids: string[]) => Promise<Writer>) {
  const samples: { eventsPerS: number; mbPerS: number }[] = [];
  await run(sessions, batchSize, make); // untimed: the JIT and the pool warm up
  for (let r = 0; r < RUNS; r++) samples.push(await run(sessions, batchSize, make));
  const eps = samples.map((x) => x.eventsPerS);
  const out = { medianEventsPerS: median(eps), minEventsPerS: Math.min(...eps), maxEventsPerS: Math.max(...eps), medianMBPerS: median(samples.map((x) => x.mbPerS)) };
  console.log(`[bench] ${label} (${sessions} session${sessions > 1 ? "s" : ""}, batches of ${batchSize}): ${out.medianEventsPerS} events/s (${out.minEventsPerS}–${out.maxEventsPerS}), ${out.medianMBPerS} MB/s`);
  return out;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-bench-events-"));
fs.chmodSync(dir, 0o755);
const embedded = await startEmbeddedPostgres(path.join(dir, "db"), 55778);
const pool = new pg.Pool({ connectionString: embedded.url, max: 20 });
try {
  await migrate(embedded.url);
  connectDb(embedded.url);
  await db().team.create({ data: { id: TEAM, name: "Bench", slug: "bench" } });
  const results = [];
  for (const sessions of SESSIONS) {
    for (const batch of BATCHES) {
      const raw = await measure("raw INSERT", sessions, batch, async (ids) => rawWriter(pool, ids));
      const unfenced = await measure("appendEvents", sessions, batch, async () => unfencedWriter);
      const fenced = await measure("worker path, fenced", sessions, batch, fencedWriter);
      results.push({
        sessions,
        batch,
        raw,
        appendEvents: unfenced,
        workerPathFenced: fenced,
        ratioFencedToRaw: Number((fenced.medianEventsPerS / raw.medianEventsPerS).toFixed(2)),
        ratioAppendToRaw: Number((unfenced.medianEventsPerS / raw.medianEventsPerS).toFixed(2)),
      });
    }
  }
  // Every event stored and searchable: the generated tsvector column is filled for each row.
  // Masked on the worker path (appendEvents stores what it is given: LiveSession masks first; the raw rows are as given).
  const check = await pool.query(
    `SELECT count(*)::int AS events, count(search)::int AS searchable,
       count(*) FILTER (WHERE session_id = ANY($2::text[]) AND data->>'text' LIKE '%' || $3 || '%')::int AS "unmaskedOnWorkerPath"
     FROM events WHERE session_id LIKE 'bench-ev-%' AND NOT session_id = ANY($1::text[])`,
    [rawSessions, workerSessions, MASKS[0]],
  );
  const target = 50_000;
  writeResult("events", {
    runs: RUNS,
    eventsPerRun: EVENTS_PER_RUN,
    target: { eventsPerS: target },
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    stored: check.rows[0],
    results,
  });
} finally {
  await releaseAllLeases().catch(() => {});
  await stopInstance().catch(() => {});
  await pool.end();
  await disconnectDb();
  await embedded.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

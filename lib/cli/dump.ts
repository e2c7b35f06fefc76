// The database part of a backup, without pg_dump (the embedded binaries ship none): every table of
// the public schema as COPY text, read in one REPEATABLE READ snapshot, so the dump is consistent
// while Dockside writes. The schema is not dumped: restore runs the same migrations the backup
// was at, loads the rows, then runs the newer ones. pg-boss's schema is left out: its schedules
// are registered again at start, and its queue is work in flight, not history.
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { z } from "zod";

export const DatabaseManifest = z.object({
  migrations: z.array(z.string()),
  tables: z.array(z.object({ table: z.string(), columns: z.array(z.string()), rows: z.number().int(), file: z.string() })),
  sequences: z.array(z.object({ name: z.string(), value: z.string(), called: z.boolean() })),
});
export type DatabaseManifest = z.infer<typeof DatabaseManifest>;

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function dumpDatabase(url: string, dir: string): Promise<DatabaseManifest> {
  fs.mkdirSync(dir, { recursive: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const migrations = (await client.query<{ name: string }>(`SELECT migration_name AS name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`)).rows.map((r) => r.name);
    const tables: DatabaseManifest["tables"] = [];
    for (const table of await publicTables(client)) {
      const columns = await storedColumns(client, table);
      const file = `${table}.copy`;
      const stream = client.query(copyTo(`COPY (SELECT ${columns.map(q).join(", ")} FROM public.${q(table)}) TO STDOUT`));
      await pipeline(stream, fs.createWriteStream(path.join(dir, file), { mode: 0o600 }));
      tables.push({ table, columns, rows: stream.rowCount, file });
    }
    // Sequences are not transactional: their value now is at least the snapshot's, which is safe.
    const sequences = (await client.query<{ name: string; value: string | null }>(`SELECT sequencename AS name, last_value::text AS value FROM pg_sequences WHERE schemaname = 'public'`)).rows
      .filter((r) => r.value !== null)
      .map((r) => ({ name: r.name, value: r.value!, called: true }));
    await client.query("COMMIT");
    return { migrations, tables, sequences };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Loads a dump into a database migrated to the dump's migrations: empties the tables, copies the
 * rows (parents before children; without foreign-key checks where the login may skip them),
 * sets the sequences. One transaction: a failure leaves the database as it was.
 */
export async function loadDatabase(url: string, dir: string, manifest: DatabaseManifest): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query("SAVEPOINT replica");
    // A superuser (the embedded cluster's login) may load rows without firing triggers and
    // checks: rows are restored as they were. Otherwise the order below satisfies the keys.
    await client.query("SET LOCAL session_replication_role = replica").catch(() => client.query("ROLLBACK TO SAVEPOINT replica"));
    const existing = new Set(await publicTables(client));
    const missing = manifest.tables.filter((t) => !existing.has(t.table)).map((t) => t.table);
    if (missing.length) throw new Error(`the database lacks tables the backup has (${missing.join(", ")}): it was not migrated to the backup's level`);
    if (existing.size) await client.query(`TRUNCATE ${[...existing].map((t) => `public.${q(t)}`).join(", ")} CASCADE`);
    let rows = 0;
    for (const t of await parentsFirst(client, manifest.tables)) {
      const stream = client.query(copyFrom(`COPY public.${q(t.table)} (${t.columns.map(q).join(", ")}) FROM STDIN`));
      await pipeline(fs.createReadStream(path.join(dir, t.file)), stream);
      rows += stream.rowCount;
    }
    for (const s of manifest.sequences) await client.query("SELECT setval($1::regclass, $2::bigint, $3)", [`public.${q(s.name)}`, s.value, s.called]);
    await client.query("COMMIT");
    return rows;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    await client.end().catch(() => {});
  }
}

async function publicTables(client: pg.Client): Promise<string[]> {
  const r = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_prisma_migrations' ORDER BY c.relname`,
  );
  return r.rows.map((row) => row.name);
}

/** Columns that hold data (generated ones, like the search vectors, are computed again). */
async function storedColumns(client: pg.Client, table: string): Promise<string[]> {
  const r = await client.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
    [`public.${q(table)}`],
  );
  return r.rows.map((row) => row.name);
}

/** Tables ordered so that a referenced table comes before those referring to it (cycles: as listed). */
async function parentsFirst<T extends { table: string }>(client: pg.Client, tables: T[]): Promise<T[]> {
  const r = await client.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
     JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE k.contype = 'f' AND n.nspname = 'public' AND c.oid <> p.oid`,
  );
  const parents = new Map<string, Set<string>>();
  for (const { child, parent } of r.rows) parents.set(child, (parents.get(child) ?? new Set()).add(parent));
  const out: T[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const byName = new Map(tables.map((t) => [t.table, t]));
  const visit = (name: string) => {
    if (placed.has(name) || visiting.has(name)) return;
    visiting.add(name);
    for (const p of parents.get(name) ?? []) visit(p);
    visiting.delete(name);
    placed.add(name);
    const t = byName.get(name);
    if (t) out.push(t);
  };
  for (const t of tables) visit(t.table);
  return out;
}

// Appends run in pipelined transactions (lib/db/pg.ts): statements issued together still run in
// order inside one transaction, and a failure anywhere stores nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { connectDb, db } from "./client";
import { pgTransaction } from "./pg";

const opts = { statementTimeoutMs: 5_000, maxWaitMs: 5_000 };
const table = `pg_pipeline_test_${process.pid}`;

describe("pipelined transactions (real PostgreSQL)", () => {
  beforeAll(async () => {
    connectDb(process.env.DATABASE_URL!);
    await db().$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS ${table} (n int PRIMARY KEY)`);
  });

  it("runs statements issued without waiting in order, in one transaction, committed with the last", async () => {
    const seen = await pgTransaction(async (tx) => {
      const a = tx.query<{ xid: string }>(`INSERT INTO ${table} VALUES (1) RETURNING txid_current()::text AS xid`);
      const b = tx.query<{ n: number; xid: string }>(`SELECT count(*)::int AS n, txid_current()::text AS xid FROM ${table} WHERE n = 1`);
      const first = (await a).rows[0];
      const row = (await b).rows[0];
      await tx.queryAndCommit(`INSERT INTO ${table} VALUES (2)`);
      return { n: row.n, sameTransaction: row.xid === first.xid };
    }, opts);
    // The SELECT saw the INSERT issued before it, in the same transaction.
    expect(seen).toEqual({ n: 1, sameTransaction: true });
    expect(await db().$queryRawUnsafe(`SELECT n FROM ${table} WHERE n IN (1, 2) ORDER BY n`)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("stores nothing when the statement sent with the COMMIT fails, and the connection serves the next transaction", async () => {
    await expect(
      pgTransaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} VALUES (10)`);
        await tx.queryAndCommit(`INSERT INTO ${table} VALUES (10)`); // duplicate key
      }, opts),
    ).rejects.toThrow(/duplicate key/);
    await expect(
      pgTransaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} VALUES (11)`);
        throw new Error("the plan refused");
      }, opts),
    ).rejects.toThrow("the plan refused");
    expect(await db().$queryRawUnsafe(`SELECT n FROM ${table} WHERE n >= 10`)).toEqual([]);
    // Every pooled connection still works (none was left inside a transaction).
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => pgTransaction((tx) => tx.queryAndCommit(`INSERT INTO ${table} VALUES (${100 + i})`), opts)));
    expect(results).toHaveLength(12);
    expect(await db().$queryRawUnsafe(`SELECT count(*)::int AS n FROM ${table} WHERE n >= 100`)).toEqual([{ n: 12 }]);
  });

  it("refuses a statement after the commit", async () => {
    await expect(
      pgTransaction(async (tx) => {
        await tx.queryAndCommit(`INSERT INTO ${table} VALUES (50)`);
        await tx.query(`INSERT INTO ${table} VALUES (51)`);
      }, opts),
    ).rejects.toThrow(/already committed/);
    expect(await db().$queryRawUnsafe(`SELECT n FROM ${table} WHERE n IN (50, 51)`)).toEqual([{ n: 50 }]);
  });
});

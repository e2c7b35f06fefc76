// Plain `pg` beside Prisma, for the one write path where Prisma's engine is the cost: the event
// append (megabytes of tool output per batch; through the engine every parameter is serialised and
// copied twice more, ~2× the time of the same statement on pg). One pool serves both: connectDb()
// hands this pool to Prisma's adapter, so raw transactions take the same connections, with the same
// settings, and end with the client.
import pg from "pg";
import { nudgeSupervisor } from "./unavailable";

const g = globalThis as unknown as { __docksidePgPool?: pg.Pool; __docksideAppendPool?: pg.Pool; __docksidePgUrl?: string };

const CONNECTION_OPTIONS = "-c idle_in_transaction_session_timeout=15000";

/**
 * The process-wide pool for `databaseUrl` (connectDb() calls this and gives it to Prisma).
 * idle_in_transaction_session_timeout: see lib/db/client.ts.
 */
export function createPool(databaseUrl: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 20, options: CONNECTION_OPTIONS });
  // An idle connection that breaks emits "error" on the pool: unheard, it would crash the process
  // (Prisma's adapter listens too, but only from its first query on).
  pool.on("error", () => nudgeSupervisor());
  g.__docksidePgPool = pool;
  g.__docksidePgUrl = databaseUrl;
  return pool;
}

/** Forgets the pools (disconnectDb(): Prisma's $disconnect ends the shared one; the append pool ends here). */
export function forgetPool(): void {
  g.__docksidePgPool = undefined;
  void g.__docksideAppendPool?.end().catch(() => undefined);
  g.__docksideAppendPool = undefined;
}

/**
 * The transactions' own pool, in pipeline mode: a statement is written as soon as it is issued,
 * without waiting for the answer to the one before, so a transaction's statements that do not
 * depend on each other share a round trip (BEGIN, the fence and the row lock; the last write and
 * COMMIT). Under load each round trip is two waits for a CPU, so this is most of an append's
 * latency. Apart from Prisma's pool: its queries keep their one-at-a-time behaviour.
 */
function appendPool(): pg.Pool {
  if (g.__docksideAppendPool) return g.__docksideAppendPool;
  if (!g.__docksidePgUrl) throw new Error("database not connected: connectDb() must run at start-up");
  const p = new pg.Pool({ connectionString: g.__docksidePgUrl, max: 10, options: CONNECTION_OPTIONS, pipeline: true } as pg.PoolConfig);
  p.on("error", () => nudgeSupervisor());
  g.__docksideAppendPool = p;
  return p;
}

/** What a fence needs of a transaction (lib/runner/lease.ts checkFence): Prisma's and PgTx both have it. */
export interface SqlTx {
  $queryRaw<T = unknown>(strings: TemplateStringsArray, ...values: unknown[]): PromiseLike<T>;
}

/**
 * A transaction's connection. `$queryRaw` / `$executeRaw` take a tagged template like Prisma's
 * (values become $1..$n parameters), so SQL written for a Prisma transaction runs here unchanged.
 */
export interface PgTx extends SqlTx {
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<T>>;
  $queryRaw<T = unknown>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T>;
  $executeRaw(strings: TemplateStringsArray, ...values: unknown[]): Promise<number>;
  /**
   * The transaction's last statement, sent together with its COMMIT (one round trip); nothing
   * may be issued after it. Resolves once both are answered: the transaction is committed.
   */
  queryAndCommit(text: string, values?: unknown[]): Promise<void>;
}

export interface PgTxOptions {
  /** How long to wait for a free connection (all 20 busy under load) before failing. */
  maxWaitMs: number;
  /**
   * Each statement's limit (a lock held elsewhere): past it PostgreSQL cancels the statement and
   * the transaction rolls back. A stalled caller is ended by idle_in_transaction_session_timeout.
   */
  statementTimeoutMs: number;
}

/**
 * Runs `fn` in a transaction on a pooled connection: committed if it returns, rolled back if it
 * throws. Statements are pipelined (see appendPool): `fn` may issue several before awaiting any,
 * and they run in the order issued, inside the transaction (BEGIN is written first).
 */
export async function pgTransaction<T>(fn: (tx: PgTx) => Promise<T>, opts: PgTxOptions): Promise<T> {
  const client = await connect(opts.maxWaitMs);
  // A connection that breaks while checked out emits "error": unheard, it would crash the process.
  const onError = () => nudgeSupervisor();
  client.on("error", onError);
  let unusable: Error | undefined;
  let committed = false;
  try {
    // Sent, not awaited: it travels with fn's first statements. Answers come in order, so a
    // statement of fn that is answered comes after BEGIN was; txOf refuses to issue anything once
    // BEGIN is known to have failed (nothing then runs outside the transaction).
    const state: TxState = { begun: "pending" };
    const begin = client.query(`BEGIN; SET LOCAL statement_timeout = ${Math.floor(opts.statementTimeoutMs)}`).then(
      () => void (state.begun = "ok"),
      (err: Error) => {
        state.begun = err;
        throw err;
      },
    );
    begin.catch(() => undefined);
    const result = await fn(txOf(client, state, () => (committed = true)));
    await begin;
    if (!committed) await client.query("COMMIT");
    return result;
  } catch (err) {
    if (!committed) await client.query("ROLLBACK").catch((e: Error) => void (unusable = e));
    throw err;
  } finally {
    client.removeListener("error", onError);
    // A connection that could not roll back is closed, not given back to the pool.
    client.release(unusable);
  }
}

type TxState = { begun: "pending" | "ok" | Error };

/** A pooled connection, or an error once `maxWaitMs` passed without one (the late one is given back). */
function connect(maxWaitMs: number): Promise<pg.PoolClient> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new Error(`timeout exceeded when trying to connect: no database connection was free for ${maxWaitMs} ms`));
    }, maxWaitMs);
    appendPool().connect().then(
      (client) => {
        clearTimeout(timer);
        if (late) client.release();
        else resolve(client);
      },
      (err: Error) => {
        clearTimeout(timer);
        if (!late) reject(err);
        nudgeSupervisor();
      },
    );
  });
}

function txOf(client: pg.PoolClient, state: TxState, onCommit: () => void): PgTx {
  let closed = false;
  const query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => {
    if (state.begun instanceof Error) return Promise.reject(state.begun);
    if (closed) return Promise.reject(new Error("the transaction was already committed"));
    return client.query<R>(text, values);
  };
  return {
    query,
    $queryRaw: async <T>(strings: TemplateStringsArray, ...values: unknown[]) => (await query(sqlOf(strings), values)).rows as T,
    $executeRaw: async (strings, ...values) => (await query(sqlOf(strings), values)).rowCount ?? 0,
    async queryAndCommit(text, values) {
      const last = query(text, values);
      closed = true;
      const commit = client.query("COMMIT");
      // A failed statement aborts the transaction: PostgreSQL then answers the COMMIT with a
      // rollback, and the statement's error is what the caller gets.
      const [a, b] = await Promise.allSettled([last, commit]);
      if (a.status === "rejected") throw a.reason;
      if (b.status === "rejected") throw b.reason;
      onCommit();
    },
  };
}

/** `a ${x} b ${y}` → "a $1 b $2". */
function sqlOf(strings: TemplateStringsArray): string {
  return strings.reduce((sql, part, i) => (i === 0 ? part : `${sql}$${i}${part}`), "");
}

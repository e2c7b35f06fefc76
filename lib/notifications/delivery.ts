// Webhook delivery: a small poller over webhook_deliveries, started with the server.
//
// Why not pg-boss / graphile-worker: the delivery rows already are the queue. The schema keeps
// each delivery's status, attempts, last answer and next attempt (shown in Settings, indexed on
// (status, next_attempt_at)), and events are enqueued from both module graphs of the process
// (LiveSession in server.ts's, the review routes in Next's bundle) and the CLI. With a job library
// the state would live twice (its job table and ours, kept in step by hand) and every graph would
// need its own client of it; here enqueueing is one INSERT, and what the worker needs is ~40 lines
// of SQL it owns. Several processes may run the poller: a claim is `FOR UPDATE SKIP LOCKED` and a
// lease (next_attempt_at pushed past the request's timeout), so a row is sent by one process at a
// time, and a process that dies mid-request leaves the row to be retried when its lease ends
// (pending rows survive restarts).
//
// Each attempt: the URL is checked again (webhook-url.ts) and the request goes to the address just
// checked; POST with the JSON body, X-Dockside-Event, X-Dockside-Delivery and
// X-Dockside-Signature: sha256=<hex HMAC-SHA256(secret, body)>; 10 s timeout; redirects are not
// followed (a 3xx is a failed attempt). 2xx: delivered. Otherwise retried after 5 s, 30 s, 2 min,
// 10 min, 1 h, then failed (6 attempts).
import crypto from "node:crypto";
import http from "node:http";
import https from "node:https";
import { db } from "../db/client";
import type { Lookup } from "../egress/decide";
import { open } from "../review/credentials";
import { checkWebhookUrl, pinnedLookup, type CheckedUrl } from "./webhook-url";

export const BACKOFF_MS = [5_000, 30_000, 120_000, 600_000, 3_600_000];
export const TIMEOUT_MS = 10_000;

export interface DeliveryOptions {
  /** Waits after failed attempts 1, 2, ...; attempts in all = its length + 1. */
  backoffMs?: number[];
  timeoutMs?: number;
  /** Default: DOCKSIDE_WEBHOOK_ALLOW_PRIVATE=1. */
  allowPrivate?: boolean;
  lookup?: Lookup;
  /** Rows claimed per round. */
  batch?: number;
  /** Poll interval of the loop (new deliveries in this process also wake it at once). */
  intervalMs?: number;
}

interface Claimed {
  id: string;
  webhook_id: string;
  event: string;
  body: string;
  attempts: number;
}

/** Claims due rows (lease: next_attempt_at moves past the timeout) and delivers them; answers how many were attempted. */
export async function processDueDeliveries(opts: DeliveryOptions = {}): Promise<number> {
  const timeoutMs = opts.timeoutMs ?? TIMEOUT_MS;
  const leaseS = Math.ceil(timeoutMs / 1000) + 30;
  const rows = await db().$queryRaw<Claimed[]>`
    UPDATE webhook_deliveries d
    SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => ${leaseS}::int)
    WHERE d.id IN (
      SELECT id FROM webhook_deliveries
      WHERE status = 'pending' AND next_attempt_at <= now()
      ORDER BY next_attempt_at
      LIMIT ${opts.batch ?? 10}::int
      FOR UPDATE SKIP LOCKED)
    RETURNING d.id, d.webhook_id, d.event, d.body, d.attempts`;
  await Promise.all(rows.map((r) => deliverClaimed(r, opts).catch((err) => console.error("[webhooks] delivery", r.id, err))));
  return rows.length;
}

async function deliverClaimed(row: Claimed, opts: DeliveryOptions): Promise<void> {
  const backoff = opts.backoffMs ?? BACKOFF_MS;
  const maxAttempts = backoff.length + 1;
  const hook = await db().webhook.findUnique({ where: { id: row.webhook_id } });
  if (!hook) return; // removed meanwhile (its deliveries go with it)
  let outcome: { ok: boolean; status: number | null; error: string | null };
  if (row.attempts > maxAttempts) outcome = { ok: false, status: null, error: "out of attempts" };
  else {
    try {
      const checked = await checkWebhookUrl(hook.url, { allowPrivate: opts.allowPrivate, lookup: opts.lookup });
      const secret = open(hook.sealed);
      const signature = crypto.createHmac("sha256", secret).update(row.body).digest("hex");
      const answer = await post(checked, row.body, { "x-dockside-event": row.event, "x-dockside-delivery": row.id, "x-dockside-signature": `sha256=${signature}` }, opts.timeoutMs ?? TIMEOUT_MS);
      const ok = answer.status >= 200 && answer.status < 300;
      const why = answer.status >= 300 && answer.status < 400 ? "redirects are not followed" : answer.text.replace(/\s+/g, " ").trim().slice(0, 200);
      outcome = { ok, status: answer.status, error: ok ? null : `HTTP ${answer.status}${why ? `: ${why}` : ""}` };
    } catch (err) {
      outcome = { ok: false, status: null, error: (err as Error).message.slice(0, 500) };
    }
  }
  const last = !outcome.ok && row.attempts >= maxAttempts;
  await db().webhookDelivery.updateMany({
    where: { id: row.id, status: "pending" },
    data: {
      status: outcome.ok ? "delivered" : last ? "failed" : "pending",
      lastStatus: outcome.status,
      lastError: outcome.error,
      nextAttemptAt: outcome.ok || last ? null : new Date(Date.now() + backoff[Math.min(row.attempts, backoff.length) - 1]),
    },
  });
}

function post(checked: CheckedUrl, body: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; text: string }> {
  const client = checked.url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err: Error | null, value?: { status: number; text: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value!);
    };
    const req = client.request(
      checked.url,
      {
        method: "POST",
        agent: false,
        lookup: pinnedLookup(checked.address),
        headers: { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "user-agent": "Dockside-Webhooks" },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        const finish = () => {
          done(null, { status: res.statusCode ?? 0, text });
          res.destroy();
        };
        res.on("data", (chunk: string) => {
          text += chunk;
          if (text.length >= 1024) finish(); // enough to say why; the rest is not read
        });
        res.on("end", finish);
        res.on("error", (err) => done(err));
      },
    );
    const timer = setTimeout(() => {
      done(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`));
      req.destroy();
    }, timeoutMs);
    req.on("error", (err) => done(err));
    req.end(body);
  });
}

export interface WebhookWorker {
  /** Look for due deliveries now (new rows in this process call it). */
  kick(): void;
  stop(): Promise<void>;
}

const g = globalThis as unknown as { __docksideWebhookWorker?: WebhookWorker };

/** Starts the delivery loop of this process (once; later calls answer the running one). Pending rows from before a restart are picked up. */
export function startWebhookDelivery(opts: DeliveryOptions = {}): WebhookWorker {
  if (g.__docksideWebhookWorker) return g.__docksideWebhookWorker;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  const round = async () => {
    do {
      again = false;
      try {
        // Drain: a full batch means more may be due.
        while (!stopped && (await processDueDeliveries(opts)) >= (opts.batch ?? 10));
      } catch (err) {
        console.error("[webhooks] poll failed", err);
      }
    } while (again && !stopped);
  };
  const kick = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = round().finally(() => (running = null));
  };
  const timer = setInterval(kick, opts.intervalMs ?? 2_000);
  timer.unref();
  const worker: WebhookWorker = {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      if (g.__docksideWebhookWorker === worker) g.__docksideWebhookWorker = undefined;
    },
  };
  g.__docksideWebhookWorker = worker;
  kick();
  return worker;
}

export function kickWebhookDelivery(): void {
  g.__docksideWebhookWorker?.kick();
}

"use client";
// Settings → Webhooks (admins and owners): where the team's events are POSTed, signed with a
// secret shown once at creation, with each hook's recent deliveries.
import { useId, useState, type FormEvent } from "react";
import { z } from "zod";
import { NOTIFICATION_EVENTS, WebhookDtoSchema, type WebhookDto } from "../../lib/protocol/permissions";
import type { TeamDto } from "../../lib/protocol/teams";
import { apiJson } from "../lib/api";
import { timeAgo } from "../lib/format";
import { useApiData } from "../lib/use-api-data";
import { useNow } from "../lib/use-now";
import { CopyButton } from "../ui/copy-button";
import { ErrorNote, Field, inputClass, Panel, primaryButton } from "../ui/form";

const ListSchema = z.object({ webhooks: z.array(WebhookDtoSchema) });
const CreatedSchema = z.object({ id: z.string(), secret: z.string() });

export const EVENT_WORDS: Record<(typeof NOTIFICATION_EVENTS)[number], string> = {
  "session.needs_approval": "a session needs approval",
  "session.idle": "a session finished its turn (idle)",
  "session.failed": "a session failed",
  "session.budget": "a session reached its budget",
  "review.requested": "a review is requested",
  "review.comment_addressed": "review comments were addressed",
  "session.alert": "a session needs attention (stuck, looping, budget at 80 %, near its memory or disk limit)",
  "routine.attention": "a check routine asks for attention",
  "memory.proposed": "an agent proposed a memory entry",
};

export function WebhooksPanel({ team }: { team: TeamDto }) {
  const path = `/api/teams/${encodeURIComponent(team.id)}/webhooks`;
  const { data, error, reload } = useApiData(path, ListSchema);
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);

  async function remove(hook: WebhookDto) {
    if (!window.confirm(`Delete the webhook to ${hook.url}? Its pending deliveries are dropped.`)) return;
    setRowError(null);
    const res = await apiJson(`${path}/${encodeURIComponent(hook.id)}`, null, { method: "DELETE" });
    if (!res.ok) return setRowError(res.message);
    await reload();
  }

  return (
    <Panel title="Webhooks" testId="webhooks-panel">
      <p className="text-xs text-muted">
        Dockside POSTs a JSON body for each chosen event, signed with HMAC-SHA256 of the body under the webhook&apos;s secret. Failed deliveries are
        retried with a growing wait.
      </p>
      {error && !data && <ErrorNote testId="webhooks-error">{error}</ErrorNote>}
      {rowError && <ErrorNote testId="webhook-delete-error">{rowError}</ErrorNote>}
      {data && data.webhooks.length === 0 && (
        <p data-testid="webhooks-empty" className="text-sm text-muted">
          No webhooks yet.
        </p>
      )}
      {data && data.webhooks.length > 0 && (
        <ul className="space-y-2">
          {data.webhooks.map((h) => (
            <WebhookRow key={h.id} hook={h} onDelete={() => void remove(h)} />
          ))}
        </ul>
      )}
      {created && (
        <div role="status" data-testid="webhook-secret" className="space-y-1 rounded-md border border-amber-500/40 bg-amber-500/10 p-3 text-sm">
          <p>
            Secret for <span className="break-all">{created.url}</span>. It is shown only now: copy it into the receiving service.
          </p>
          <div className="flex items-center gap-2">
            <code data-testid="webhook-secret-value" className="min-w-0 flex-1 font-mono text-xs break-all">
              {created.secret}
            </code>
            <CopyButton text={created.secret} testId="webhook-secret-copy" />
          </div>
          <button type="button" className="text-xs text-accent hover:underline" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      <AddWebhook path={path} onCreated={async (c) => {
        setCreated(c);
        await reload();
      }} />
    </Panel>
  );
}

function WebhookRow({ hook, onDelete }: { hook: WebhookDto; onDelete: () => void }) {
  const now = useNow();
  const [open, setOpen] = useState(false);
  const id = useId();
  const last = hook.deliveries[0];
  return (
    <li data-testid="webhook-row" data-webhook-id={hook.id} className="space-y-1 rounded-md border border-line p-3 text-sm">
      <div className="flex flex-wrap items-start gap-x-3 gap-y-1">
        <p className="min-w-0 flex-1 basis-56 font-mono text-xs break-all" data-testid="webhook-url">
          {hook.url}
        </p>
        <button type="button" data-testid="webhook-delete" onClick={onDelete} className="text-sm text-red-700 hover:underline dark:text-red-300">
          Delete
        </button>
      </div>
      <p className="text-xs text-muted" data-testid="webhook-events">
        {hook.events.includes("*") ? "all events" : hook.events.join(", ")}
      </p>
      <p className="text-xs" data-testid="webhook-last">
        {last ? (
          <>
            Last delivery: <DeliveryState status={last.status} /> {last.event}, {timeAgo(last.createdAt, now)}
          </>
        ) : (
          <span className="text-muted">No deliveries yet.</span>
        )}
      </p>
      {hook.deliveries.length > 0 && (
        <>
          <button type="button" aria-expanded={open} aria-controls={id} data-testid="webhook-deliveries-toggle" onClick={() => setOpen(!open)} className="text-xs text-accent hover:underline">
            {open ? "Hide" : "Show"} recent deliveries ({hook.deliveries.length})
          </button>
          <div id={id} hidden={!open} className="overflow-x-auto">
            {open && (
              <table className="w-full text-left text-xs" data-testid="webhook-deliveries">
                <thead className="text-muted">
                  <tr>
                    <th className="py-1 pr-2 font-medium">Event</th>
                    <th className="py-1 pr-2 font-medium">State</th>
                    <th className="py-1 pr-2 font-medium">Attempts</th>
                    <th className="py-1 pr-2 font-medium">Last answer</th>
                    <th className="py-1 font-medium">When</th>
                  </tr>
                </thead>
                <tbody>
                  {hook.deliveries.map((d) => (
                    <tr key={d.id} data-testid="webhook-delivery" data-status={d.status} className="border-t border-line align-top">
                      <td className="py-1 pr-2">{d.event}</td>
                      <td className="py-1 pr-2">
                        <DeliveryState status={d.status} />
                        {d.status === "pending" && d.nextAttemptAt && <span className="block text-muted">next {new Date(d.nextAttemptAt).toLocaleTimeString()}</span>}
                      </td>
                      <td className="py-1 pr-2 tabular-nums">{d.attempts}</td>
                      <td className="py-1 pr-2 break-all">
                        {d.lastStatus !== null ? `HTTP ${d.lastStatus}` : ""}
                        {d.lastError && <span className="block text-red-700 dark:text-red-300">{d.lastError}</span>}
                      </td>
                      <td className="py-1 whitespace-nowrap text-muted">{timeAgo(d.createdAt, now)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </>
      )}
    </li>
  );
}

function DeliveryState({ status }: { status: "pending" | "delivered" | "failed" }) {
  const tone = status === "delivered" ? "text-emerald-800 dark:text-emerald-400" : status === "failed" ? "text-red-700 dark:text-red-300" : "text-amber-800 dark:text-amber-300";
  return <span className={`font-medium ${tone}`}>{status}</span>;
}

function AddWebhook({ path, onCreated }: { path: string; onCreated: (c: { url: string; secret: string }) => Promise<void> }) {
  const id = useId();
  const [url, setUrl] = useState("");
  const [all, setAll] = useState(true);
  const [events, setEvents] = useState<string[]>(["session.needs_approval", "session.failed"]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const chosen = all ? ["*"] : events;
    if (chosen.length === 0) return setError("events: choose at least one event, or all");
    setBusy(true);
    setError(null);
    const res = await apiJson(path, CreatedSchema, { method: "POST", body: { url: url.trim(), events: chosen } });
    setBusy(false);
    if (!res.ok) return setError(res.message);
    const was = url.trim();
    setUrl("");
    await onCreated({ url: was, secret: res.data.secret });
  }

  return (
    <form onSubmit={submit} aria-label="Add a webhook" className="space-y-2 border-t border-line pt-3" data-testid="webhook-add-form">
      <Field label="Webhook URL" htmlFor={`${id}-url`}>
        <input id={`${id}-url`} data-testid="webhook-url-input" className={inputClass} value={url} onChange={(e) => setUrl(e.target.value)}
          placeholder="https://example.com/hooks/dockside" type="url" required autoComplete="off" spellCheck={false} aria-describedby={error ? `${id}-err` : undefined} />
      </Field>
      <fieldset className="space-y-1 text-sm">
        <legend className="text-xs font-medium text-muted">Events</legend>
        <label className="flex items-center gap-2">
          <input type="checkbox" data-testid="webhook-all-events" checked={all} onChange={(e) => setAll(e.target.checked)} />
          All events (also ones added later)
        </label>
        {!all && (
          <div className="grid gap-1 pl-1 sm:grid-cols-2">
            {NOTIFICATION_EVENTS.map((ev) => (
              <label key={ev} className="flex items-start gap-2">
                <input type="checkbox" className="mt-1" data-testid={`webhook-event-${ev}`} checked={events.includes(ev)}
                  onChange={(e) => setEvents(e.target.checked ? [...events, ev] : events.filter((x) => x !== ev))} />
                <span>
                  <code className="font-mono text-xs">{ev}</code> <span className="text-xs text-muted">{EVENT_WORDS[ev]}</span>
                </span>
              </label>
            ))}
          </div>
        )}
      </fieldset>
      {error && (
        <p id={`${id}-err`} role="alert" data-testid="webhook-add-error" className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      <button type="submit" data-testid="webhook-add" disabled={busy || !url.trim()} className={primaryButton}>
        {busy ? "Adding…" : "Add webhook"}
      </button>
    </form>
  );
}

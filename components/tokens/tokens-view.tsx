"use client";
// Personal API tokens for the CLI and scripts. Each acts as its owner within one team; the
// secret is shown once, right after creation, and only its hash is kept.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { z } from "zod";
import { ApiTokenDtoSchema, type ApiTokenDto } from "../../lib/protocol/teams";
import { apiJson } from "../lib/api";
import { useActiveTeam } from "../me-provider";
import { CopyButton } from "../ui/copy-button";
import { ErrorNote, Field, inputClass, Panel, primaryButton } from "../ui/form";
import { TokenRow } from "./token-row";
import { TableHead } from "../ui/table-head";

const ListSchema = z.object({ tokens: z.array(ApiTokenDtoSchema) });

export function TokensView() {
  const active = useActiveTeam();
  const [tokens, setTokens] = useState<ApiTokenDto[] | null>(null);
  const [name, setName] = useState("");
  const [teamId, setTeamId] = useState(active?.team.id ?? "");
  const [secret, setSecret] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const res = await apiJson("/api/tokens", ListSchema);
    if (res.ok) setTokens(res.data.tokens);
    else setError(res.message);
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function create(e: FormEvent) {
    e.preventDefault();
    if (busy || !name.trim()) return;
    setBusy(true);
    setError(null);
    const res = await apiJson("/api/tokens", ApiTokenDtoSchema, { method: "POST", body: { name: name.trim(), ...(teamId ? { teamId } : {}) } });
    setBusy(false);
    if (!res.ok) {
      setError(res.message);
      return;
    }
    setSecret(res.data.token ?? null);
    setName("");
    await load();
  }

  async function revoke(id: string) {
    setError(null);
    const res = await apiJson(`/api/tokens/${encodeURIComponent(id)}`, null, { method: "DELETE" });
    if (!res.ok) setError(res.message);
    await load();
  }

  if (!active) return null;
  const teams = active.me.teams;
  const teamName = (id: string) => teams.find((t) => t.id === id)?.name ?? "a team you left";

  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto max-w-4xl space-y-6 px-4 py-6">
        <h1 className="text-base font-semibold">API tokens</h1>
        <Panel title="New token">
          <p className="text-sm text-muted">
            A token acts as you, with your role, in one team. Send it as <code className="font-mono">Authorization: Bearer &lt;token&gt;</code>.
          </p>
          <form onSubmit={create} aria-label="New API token" className="grid gap-3 sm:grid-cols-[2fr_1fr_auto] sm:items-end">
            <Field label="Name" htmlFor="token-name">
              <input id="token-name" data-testid="token-name" className={inputClass} value={name} onChange={(e) => setName(e.target.value)}
                placeholder="laptop CLI" maxLength={100} required autoComplete="off" />
            </Field>
            <Field label="Team" htmlFor="token-team">
              <select id="token-team" data-testid="token-team" className={inputClass} value={teamId} onChange={(e) => setTeamId(e.target.value)}>
                {teams.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </Field>
            <button type="submit" data-testid="token-create" disabled={busy || !name.trim()} className={primaryButton}>
              {busy ? "Creating…" : "Create token"}
            </button>
          </form>
          {secret && (
            <div data-testid="token-created" className="space-y-2 rounded-md border border-amber-500/40 bg-amber-500/10 p-3">
              <p data-testid="token-warning" className="text-sm font-medium text-amber-900 dark:text-amber-200">
                Copy this token now. It is shown only once; if you lose it, revoke it and create another.
              </p>
              <div className="flex gap-2">
                <input data-testid="token-value" readOnly value={secret} aria-label="New API token" onFocus={(e) => e.currentTarget.select()}
                  className={`${inputClass} font-mono text-xs`} />
                <CopyButton text={secret} testId="token-copy" />
              </div>
            </div>
          )}
          {error && <ErrorNote testId="token-error">{error}</ErrorNote>}
        </Panel>
        <Panel title="Your tokens">
          {tokens === null && !error && <p className="text-sm text-muted">Loading tokens…</p>}
          {tokens?.length === 0 && <p data-testid="tokens-empty" className="text-sm text-muted">No tokens yet.</p>}
          {tokens && tokens.length > 0 && (
            <table data-testid="tokens-table" className="w-full text-sm">
              <TableHead columns={["Name", "Token", "Team", "Created", "Last used"]} />
              <tbody>
                {tokens.map((t) => (
                  <TokenRow key={t.id} token={t} teamName={teamName(t.teamId)} onRevoke={revoke} />
                ))}
              </tbody>
            </table>
          )}
        </Panel>
      </div>
    </div>
  );
}

"use client";
// The form of one MCP server (add or edit): a stdio server's command, arguments and environment,
// or a remote server's url and headers. Stored secret values are never shown: blank keeps them.
import { useId, type FormEvent } from "react";
import { inputClass, primaryButton, secondaryButton } from "../ui/form";

export interface Draft {
  /** Editing a saved server (its name is fixed: a new name is a new server). */
  existing: boolean;
  name: string;
  kind: "stdio" | "remote";
  command: string;
  /** One argument a line. */
  args: string;
  url: string;
  secrets: { key: string; value: string; stored: boolean }[];
}

interface Props {
  draft: Draft;
  onChange: (d: Draft) => void;
  busy: boolean;
  onSubmit: (e: FormEvent) => void;
  onCancel: () => void;
}

export function McpServerForm({ draft: d, onChange, busy, onSubmit, onCancel }: Props) {
  const id = useId();
  const set = (p: Partial<Draft>) => onChange({ ...d, ...p });
  const setSecret = (i: number, p: Partial<Draft["secrets"][number]>) => set({ secrets: d.secrets.map((s, j) => (j === i ? { ...s, ...p } : s)) });
  const stdio = d.kind === "stdio";
  return (
    <form onSubmit={onSubmit} data-testid="mcp-form" className="space-y-3 rounded-md border border-line p-3">
      <p className="text-sm font-medium">{d.existing ? `Edit ${d.name}` : stdio ? "New stdio server" : "New remote server"}</p>
      <label className="block space-y-1 text-xs" htmlFor={`${id}-name`}>
        <span className="font-medium text-muted">Name (letters, digits, _ or -; part of its tools&apos; names)</span>
        <input id={`${id}-name`} data-testid="mcp-name" className={inputClass} value={d.name} disabled={d.existing} required maxLength={24}
          onChange={(e) => set({ name: e.target.value })} autoComplete="off" placeholder="tracker" />
      </label>
      {stdio ? (
        <>
          <label className="block space-y-1 text-xs" htmlFor={`${id}-cmd`}>
            <span className="font-medium text-muted">Command (run in the session&apos;s sandbox, in /workspace)</span>
            <input id={`${id}-cmd`} data-testid="mcp-command" className={`${inputClass} font-mono`} value={d.command} required
              onChange={(e) => set({ command: e.target.value })} autoComplete="off" placeholder="npx" />
          </label>
          <label className="block space-y-1 text-xs" htmlFor={`${id}-args`}>
            <span className="font-medium text-muted">Arguments, one a line</span>
            <textarea id={`${id}-args`} data-testid="mcp-args" className={`${inputClass} font-mono`} rows={2} value={d.args}
              onChange={(e) => set({ args: e.target.value })} placeholder="-y&#10;@example/mcp-server" />
          </label>
        </>
      ) : (
        <label className="block space-y-1 text-xs" htmlFor={`${id}-url`}>
          <span className="font-medium text-muted">URL (streamable HTTP; its host must be allowed by the agent&apos;s egress policy)</span>
          <input id={`${id}-url`} data-testid="mcp-url" type="url" className={`${inputClass} font-mono`} value={d.url} required
            onChange={(e) => set({ url: e.target.value })} autoComplete="off" placeholder="https://mcp.example.com/mcp" />
        </label>
      )}
      <fieldset className="space-y-2">
        <legend className="text-xs font-medium text-muted">{stdio ? "Environment" : "Headers"}</legend>
        {stdio ? (
          <p className="rounded bg-amber-500/15 px-2 py-1 text-xs text-amber-900 dark:text-amber-200" data-testid="mcp-env-warning">
            Visible to the agent: a stdio server runs in the sandbox, so the agent can read these values. Never put a credential here the
            agent must not see; use a remote server, whose headers stay on Dockside.
          </p>
        ) : (
          <p className="text-xs text-muted">Added by Dockside to every request; never sent to the sandbox.</p>
        )}
        {d.secrets.map((s, i) => (
          <div key={i} className="flex flex-wrap gap-1" data-testid="mcp-secret-row">
            <input aria-label={stdio ? "Variable name" : "Header name"} data-testid="mcp-secret-key" className={`${inputClass} min-w-0 flex-1 basis-32 font-mono`}
              value={s.key} disabled={s.stored} onChange={(e) => setSecret(i, { key: e.target.value })} placeholder={stdio ? "API_KEY" : "Authorization"} autoComplete="off" />
            <input aria-label={`Value of ${s.key || "the new entry"}`} data-testid="mcp-secret-value" type="password" className={`${inputClass} min-w-0 flex-1 basis-40`}
              value={s.value} onChange={(e) => setSecret(i, { value: e.target.value })} placeholder={s.stored ? "set: leave blank to keep" : "value"} autoComplete="off" />
            <button type="button" data-testid="mcp-secret-remove" className={secondaryButton} onClick={() => set({ secrets: d.secrets.filter((_, j) => j !== i) })}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" data-testid="mcp-secret-add" className="text-xs text-accent hover:underline"
          onClick={() => set({ secrets: [...d.secrets, { key: "", value: "", stored: false }] })}>
          {stdio ? "Add a variable" : "Add a header"}
        </button>
      </fieldset>
      <div className="flex flex-wrap gap-2">
        <button type="submit" data-testid="mcp-save" disabled={busy} className={primaryButton}>Save</button>
        <button type="button" className={secondaryButton} onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

"use client";
// MCP servers of a team or a repository (Integrations): list, add a stdio or a remote server,
// edit, remove. Secret values (stdio env, remote headers) are write-only: the page only knows
// their names; a value left blank while editing keeps the stored one (the API's null).
import { useId, useState, type FormEvent } from "react";
import type { McpServerDto, McpServersDto } from "../../lib/mcp/dto";
import { ConfirmDialog } from "../confirm-dialog";
import { ErrorNote, inputClass, primaryButton, secondaryButton } from "../ui/form";
import { McpServerForm, type Draft } from "./mcp-server-form";

interface Props {
  data: McpServersDto;
  editable: boolean;
  /** Sends `{mcpServers: patch}`; answers an error message, or null when saved (and reloaded). */
  onPatch: (patch: Record<string, unknown>) => Promise<string | null>;
}

const linkButton = "text-xs text-accent hover:underline disabled:opacity-50";

export function McpServersEditor({ data, editable, onPatch }: Props) {
  const [editing, setEditing] = useState<Draft | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function patch(p: Record<string, unknown>): Promise<boolean> {
    setBusy(true);
    setError(null);
    const failure = await onPatch(p);
    setBusy(false);
    if (failure) setError(failure);
    return !failure;
  }
  async function save(e: FormEvent, d: Draft) {
    e.preventDefault();
    if (await patch({ [d.name.trim()]: draftToPatch(d) })) setEditing(null);
  }

  return (
    <div className="space-y-3" data-testid="mcp-editor">
      <p className="text-xs text-muted">
        Tools from these servers reach the agent as <code>mcp__server__tool</code>, behind the same permission rules and approvals as its
        own tools; a session keeps the servers it started with. A remote server is reached by Dockside, never the sandbox: its headers stay
        here, and only hosts the egress policy for the agent allows are connected to.
      </p>
      <ServerList servers={data.servers} editable={editable} busy={busy} onEdit={(s) => setEditing(toDraft(s))} onRemove={setRemoving} testId="mcp-server" />
      {data.inherited.length > 0 && (
        <div className="space-y-1">
          <p className="text-xs font-medium text-muted">From the team (a server here of the same name replaces it)</p>
          <ServerList servers={data.inherited} editable={false} busy testId="mcp-inherited" />
        </div>
      )}
      {error && <ErrorNote testId="mcp-error">{error}</ErrorNote>}
      {editable && !editing && (
        <div className="flex flex-wrap gap-2">
          <button type="button" data-testid="mcp-add-stdio" className={secondaryButton} onClick={() => setEditing(blank("stdio"))}>
            Add a stdio server
          </button>
          <button type="button" data-testid="mcp-add-remote" className={secondaryButton} onClick={() => setEditing(blank("remote"))}>
            Add a remote server
          </button>
        </div>
      )}
      {editing && <McpServerForm draft={editing} onChange={setEditing} busy={busy} onSubmit={(e) => void save(e, editing)} onCancel={() => setEditing(null)} />}
      {removing !== null && (
        <ConfirmDialog
          title={`Remove the MCP server ${removing}?`}
          message="New sessions will not have its tools; sessions already running keep them until they end."
          confirmLabel="Remove"
          tone="danger"
          onConfirm={() => void patch({ [removing]: null }).then((ok) => ok && setRemoving(null))}
          onCancel={() => setRemoving(null)}
        />
      )}
    </div>
  );
}

function ServerList({ servers, editable, busy, onEdit, onRemove, testId }: { servers: McpServerDto[]; editable: boolean; busy: boolean; onEdit?: (s: McpServerDto) => void; onRemove?: (name: string) => void; testId: string }) {
  const id = useId();
  if (!servers.length) return testId === "mcp-server" ? <p className="text-sm text-muted" data-testid="mcp-empty">No MCP servers.</p> : null;
  return (
    <ul className="divide-y divide-line rounded-md border border-line" aria-describedby={id}>
      {servers.map((s) => (
        <li key={s.name} data-testid={testId} data-name={s.name} className="space-y-1 px-3 py-2 text-sm">
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <code className="font-mono font-medium break-all">{s.name}</code>
            <span className="rounded bg-line/60 px-1.5 text-[11px]">{s.kind === "stdio" ? "stdio, in the sandbox" : "remote, through Dockside"}</span>
            {editable && (
              <span className="ml-auto flex gap-3">
                <button type="button" data-testid="mcp-edit" className={linkButton} disabled={busy} onClick={() => onEdit?.(s)}>Edit</button>
                <button type="button" data-testid="mcp-remove" className={`${linkButton} text-red-700 dark:text-red-300`} disabled={busy} onClick={() => onRemove?.(s.name)}>Remove</button>
              </span>
            )}
          </div>
          <p className="font-mono text-xs break-all text-muted">{s.kind === "stdio" ? [s.command, ...s.args].join(" ") : s.url}</p>
          {(s.kind === "stdio" ? s.env : s.headers).length > 0 && (
            <p className="text-xs text-muted" data-testid="mcp-secret-names">
              {s.kind === "stdio" ? "env" : "headers"}: {(s.kind === "stdio" ? s.env : s.headers).map((n) => `${n} (set)`).join(", ")}
            </p>
          )}
        </li>
      ))}
    </ul>
  );
}

const blank = (kind: Draft["kind"]): Draft => ({ existing: false, name: "", kind, command: "", args: "", url: "", secrets: [] });

function toDraft(s: McpServerDto): Draft {
  const names = s.kind === "stdio" ? s.env : s.headers;
  return { existing: true, name: s.name, kind: s.kind, command: s.kind === "stdio" ? s.command : "", args: s.kind === "stdio" ? s.args.join("\n") : "", url: s.kind === "remote" ? s.url : "", secrets: names.map((key) => ({ key, value: "", stored: true })) };
}

/** The API's patch of one server: a blank value of a stored secret keeps it (null). */
function draftToPatch(d: Draft): Record<string, unknown> {
  const secrets = Object.fromEntries(d.secrets.filter((s) => s.key.trim()).map((s) => [s.key.trim(), s.value === "" && s.stored ? null : s.value]));
  if (d.kind === "remote") return { url: d.url.trim(), headers: secrets };
  const args = d.args.split("\n").map((a) => a.trim()).filter(Boolean);
  return { command: d.command.trim(), ...(args.length ? { args } : {}), env: secrets };
}

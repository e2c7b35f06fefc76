"use client";
// Editors for permission settings, shared by a repository's Permissions section and the team's
// panel: the default mode, rules (allow / ask / deny lists of `tool` or `tool(pattern)`) and, for
// repositories, hooks. The server's 422 message shows next to the editor that sent it.
import { useId, useState } from "react";
import { EMPTY_HOOKS, PERMISSION_MODES, RULE_RE, type Hook, type Hooks, type PermissionMode, type Rules } from "../../lib/protocol/permissions";
import { MODE_WORDS } from "../session/permission-lines";
import { ErrorNote, inputClass, primaryButton, secondaryButton } from "../ui/form";

type Save<T> = (value: T) => Promise<string | null>;

function useSaver() {
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  async function run(action: () => Promise<string | null>) {
    setBusy(true);
    setNote(null);
    const failure = await action();
    setBusy(false);
    setNote(failure ? { ok: false, text: failure } : { ok: true, text: "Saved." });
  }
  return { busy, note, setNote, run };
}

// ---- default mode

export function DefaultModeEditor({ value, editable, inherit, onSave, testId = "default-mode" }: {
  value: PermissionMode | null;
  editable: boolean;
  /** What null means here: "the team's default", "auto (Dockside's default)". */
  inherit: string;
  onSave: Save<PermissionMode | null>;
  testId?: string;
}) {
  const id = useId();
  const { busy, note, run } = useSaver();
  return (
    <div className="space-y-1">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <label htmlFor={id} className="text-xs font-medium text-muted">
          Default mode of new sessions
        </label>
        <select
          id={id}
          data-testid={testId}
          value={value ?? ""}
          disabled={!editable || busy}
          onChange={(e) => void run(() => onSave((e.target.value || null) as PermissionMode | null))}
          className="rounded-md border border-line bg-canvas px-2 py-1 text-sm"
        >
          <option value="">{inherit}</option>
          {PERMISSION_MODES.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        {note?.ok && <span data-testid={`${testId}-saved`} className="text-xs text-emerald-800 dark:text-emerald-400">{note.text}</span>}
      </div>
      <ul className="text-xs text-muted">
        {PERMISSION_MODES.map((m) => (
          <li key={m}>
            <span className="font-medium text-fg">{m}</span>: {MODE_WORDS[m].hint}
          </li>
        ))}
      </ul>
      {note && !note.ok && <ErrorNote testId={`${testId}-error`}>{note.text}</ErrorNote>}
    </div>
  );
}

// ---- rules

const LISTS = [
  { key: "deny", label: "Deny", hint: "never runs; the agent is told why" },
  { key: "ask", label: "Ask", hint: "waits for a person, in any mode" },
  { key: "allow", label: "Allow", hint: "runs without asking, in ask mode too" },
] as const;

const toText = (list: readonly string[]) => list.join("\n");
const toList = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);

export function RulesEditor({ rules, editable, onSave, onClear }: { rules: Rules | null; editable: boolean; onSave: Save<Rules>; onClear?: () => Promise<string | null> }) {
  const id = useId();
  const stored = rules ?? { allow: [], ask: [], deny: [] };
  const [texts, setTexts] = useState(() => ({ allow: toText(stored.allow), ask: toText(stored.ask), deny: toText(stored.deny) }));
  const [shown, setShown] = useState(stored);
  if (shown !== stored && JSON.stringify(shown) !== JSON.stringify(stored)) {
    setShown(stored);
    setTexts({ allow: toText(stored.allow), ask: toText(stored.ask), deny: toText(stored.deny) });
  }
  const { busy, note, setNote, run } = useSaver();
  const draft: Rules = { allow: toList(texts.allow), ask: toList(texts.ask), deny: toList(texts.deny) };
  const bad = [...draft.deny, ...draft.ask, ...draft.allow].filter((r) => !RULE_RE.test(r));
  const dirty = JSON.stringify(draft) !== JSON.stringify({ allow: stored.allow, ask: stored.ask, deny: stored.deny });

  return (
    <div className="space-y-2" data-testid="rules-editor">
      <p id={`${id}-hint`} className="text-xs text-muted">
        One rule per line: a tool name, or <code className="font-mono">tool(pattern)</code>, e.g.{" "}
        <code className="font-mono">shell(npm test*)</code>, <code className="font-mono">shell(git push*)</code>,{" "}
        <code className="font-mono">write_file(src/**)</code>, <code className="font-mono">read_file(.env*)</code>, an MCP server&apos;s tools{" "}
        <code className="font-mono">mcp__github__*</code>. Commands match with{" "}
        <code className="font-mono">*</code> as anything; paths with <code className="font-mono">*</code> inside a folder and{" "}
        <code className="font-mono">**</code> across folders. Checked in order <strong>deny → ask → allow</strong>: the first match wins.
      </p>
      <div className="grid gap-3 sm:grid-cols-3">
        {LISTS.map((l) => (
          <div key={l.key} className="min-w-0 space-y-1">
            <label htmlFor={`${id}-${l.key}`} className="block text-xs font-medium">
              {l.label} <span className="font-normal text-muted">— {l.hint}</span>
            </label>
            <textarea
              id={`${id}-${l.key}`}
              data-testid={`rules-${l.key}`}
              value={texts[l.key]}
              readOnly={!editable}
              onChange={(e) => {
                setTexts({ ...texts, [l.key]: e.target.value });
                setNote(null);
              }}
              rows={4}
              spellCheck={false}
              aria-describedby={`${id}-hint`}
              placeholder={editable ? (l.key === "allow" ? "shell(npm test*)\nwrite_file(src/**)" : l.key === "deny" ? "shell(rm -rf*)\nread_file(.env*)" : "shell(git push*)") : "none"}
              className={`${inputClass} resize-y font-mono text-xs`}
            />
          </div>
        ))}
      </div>
      {bad.length > 0 && (
        <p data-testid="rules-invalid" className="text-xs text-amber-800 dark:text-amber-300">
          Not a rule: {bad.map((b) => `"${b}"`).join(", ")} (write tool or tool(pattern))
        </p>
      )}
      {note && !note.ok && <ErrorNote testId="rules-error">{note.text}</ErrorNote>}
      {editable && (
        <div className="flex flex-wrap items-center gap-2">
          <button type="button" data-testid="rules-save" className={primaryButton} disabled={busy || !dirty} onClick={() => void run(() => onSave(draft))}>
            {busy ? "Saving…" : "Save rules"}
          </button>
          {onClear && rules !== null && (
            <button type="button" data-testid="rules-clear" className={secondaryButton} disabled={busy} onClick={() => void run(onClear)}>
              Remove all rules
            </button>
          )}
          {note?.ok && !dirty && <span data-testid="rules-saved" className="text-sm text-emerald-800 dark:text-emerald-400">{note.text}</span>}
        </div>
      )}
    </div>
  );
}

// ---- hooks

const HOOK_KINDS = [
  { key: "pre_tool", label: "Before a tool call", hint: "a non-zero exit blocks the call; its output goes to the agent" },
  { key: "post_tool", label: "After a tool call", hint: "a non-zero exit turns the result into an error with the hook's output" },
  { key: "stop", label: "At the end of a turn", hint: "a non-zero exit sends its output back to the agent, who goes on" },
] as const;
type HookKind = (typeof HOOK_KINDS)[number]["key"];

interface HookDraft {
  command: string;
  tools: string;
  timeoutS: string;
}
const toDraft = (h: Hook): HookDraft => ({ command: h.command, tools: (h.tools ?? []).join(", "), timeoutS: String(h.timeoutS ?? 120) });
function fromDraft(d: HookDraft): Hook {
  const tools = d.tools.split(",").map((t) => t.trim()).filter(Boolean);
  const timeout = Number(d.timeoutS);
  return { command: d.command.trim(), ...(tools.length ? { tools } : {}), timeoutS: Number.isInteger(timeout) && timeout > 0 ? timeout : 120 };
}
type Drafts = Record<HookKind, HookDraft[]> & { stopMaxRuns: string };
const draftsOf = (h: Hooks): Drafts => ({
  pre_tool: h.pre_tool.map(toDraft),
  post_tool: h.post_tool.map(toDraft),
  stop: h.stop.map(toDraft),
  stopMaxRuns: String(h.stopMaxRuns),
});
function hooksOf(d: Drafts): Hooks {
  const runs = Number(d.stopMaxRuns);
  return {
    pre_tool: d.pre_tool.filter((h) => h.command.trim()).map(fromDraft),
    post_tool: d.post_tool.filter((h) => h.command.trim()).map(fromDraft),
    stop: d.stop.filter((h) => h.command.trim()).map(fromDraft),
    stopMaxRuns: Number.isInteger(runs) ? runs : 3,
  };
}

export function HooksEditor({ hooks, editable, onSave }: { hooks: Hooks | null; editable: boolean; onSave: Save<Hooks | null> }) {
  const id = useId();
  const stored = hooks ?? EMPTY_HOOKS;
  const [drafts, setDrafts] = useState<Drafts>(() => draftsOf(stored));
  const [shown, setShown] = useState(stored);
  if (shown !== stored && JSON.stringify(shown) !== JSON.stringify(stored)) {
    setShown(stored);
    setDrafts(draftsOf(stored));
  }
  const { busy, note, setNote, run } = useSaver();
  const next = hooksOf(drafts);
  const dirty = JSON.stringify(next) !== JSON.stringify(hooksOf(draftsOf(stored)));
  const empty = next.pre_tool.length + next.post_tool.length + next.stop.length === 0;

  function edit(kind: HookKind, i: number, patch: Partial<HookDraft>) {
    setDrafts({ ...drafts, [kind]: drafts[kind].map((h, j) => (j === i ? { ...h, ...patch } : h)) });
    setNote(null);
  }

  return (
    <div className="space-y-3" data-testid="hooks-editor">
      <p className="text-xs text-muted">
        Commands run in the sandbox as the agent, in /workspace, with <code className="font-mono">TOOL_NAME</code> and{" "}
        <code className="font-mono">TOOL_INPUT</code> (JSON) in their environment; after a call also <code className="font-mono">TOOL_OUTPUT</code>.
        Limit a hook to some tools by name (comma-separated), or leave it empty for every tool.
      </p>
      {HOOK_KINDS.map((k) => (
        <fieldset key={k.key} className="space-y-2 rounded-md border border-line p-2" data-testid={`hooks-${k.key}`}>
          <legend className="px-1 text-xs font-medium">
            {k.label} <span className="font-normal text-muted">— {k.hint}</span>
          </legend>
          {drafts[k.key].length === 0 && <p className="text-xs text-muted">None.</p>}
          {drafts[k.key].map((h, i) => (
            <div key={i} className="grid gap-2 sm:grid-cols-[1fr_10rem_5rem_auto]" data-testid="hook-row">
              <input aria-label={`${k.label}: command ${i + 1}`} data-testid="hook-command-input" className={`${inputClass} font-mono text-xs`} value={h.command}
                readOnly={!editable} onChange={(e) => edit(k.key, i, { command: e.target.value })} placeholder="npm run lint --silent" spellCheck={false} />
              {k.key !== "stop" ? (
                <input aria-label={`${k.label}: tools of hook ${i + 1}`} data-testid="hook-tools-input" className={`${inputClass} font-mono text-xs`} value={h.tools}
                  readOnly={!editable} onChange={(e) => edit(k.key, i, { tools: e.target.value })} placeholder="all tools" spellCheck={false} />
              ) : (
                <span className="hidden sm:block" />
              )}
              <input aria-label={`${k.label}: timeout in seconds of hook ${i + 1}`} data-testid="hook-timeout-input" className={`${inputClass} text-xs`} value={h.timeoutS}
                inputMode="numeric" readOnly={!editable} onChange={(e) => edit(k.key, i, { timeoutS: e.target.value })} title="timeout in seconds" />
              {editable && (
                <button type="button" data-testid="hook-remove" className="text-xs text-red-700 hover:underline dark:text-red-300"
                  onClick={() => setDrafts({ ...drafts, [k.key]: drafts[k.key].filter((_, j) => j !== i) })}>
                  Remove
                </button>
              )}
            </div>
          ))}
          {editable && (
            <button type="button" data-testid={`hook-add-${k.key}`} className="text-xs text-accent hover:underline"
              onClick={() => setDrafts({ ...drafts, [k.key]: [...drafts[k.key], { command: "", tools: "", timeoutS: "120" }] })}>
              + Add a hook
            </button>
          )}
        </fieldset>
      ))}
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <label htmlFor={`${id}-runs`} className="text-xs font-medium text-muted">
          Stop hooks send the agent back at most
        </label>
        <input id={`${id}-runs`} data-testid="hooks-stop-max-runs" className={`${inputClass} w-16 text-xs`} inputMode="numeric" value={drafts.stopMaxRuns}
          readOnly={!editable} onChange={(e) => setDrafts({ ...drafts, stopMaxRuns: e.target.value })} />
        <span className="text-xs text-muted">times per turn</span>
      </div>
      {note && !note.ok && <ErrorNote testId="hooks-error">{note.text}</ErrorNote>}
      {editable && (
        <div className="flex flex-wrap items-center gap-2">
          <button type="button" data-testid="hooks-save" className={primaryButton} disabled={busy || !dirty} onClick={() => void run(() => onSave(empty && next.stopMaxRuns === 3 ? null : next))}>
            {busy ? "Saving…" : "Save hooks"}
          </button>
          {note?.ok && !dirty && <span data-testid="hooks-saved" className="text-sm text-emerald-800 dark:text-emerald-400">{note.text}</span>}
        </div>
      )}
    </div>
  );
}

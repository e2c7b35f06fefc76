"use client";
// A call waiting for a person: what exactly would run (the command, the file and its content, the
// plan), why it needs a person, and — while pending, for members and up — the decision buttons.
// Its approval.decided event turns it into a record of who decided what.
import { createContext, memo, useContext, useId, useState } from "react";
import { ApprovalDtoSchema, type ApprovalDecision } from "../../lib/protocol/permissions";
import { apiJson } from "../lib/api";
import type { ApprovalItem, ApprovalOutcome } from "../lib/transcript";
import { MarkdownText } from "../markdown";
import { Tag } from "../tool-call";
import { inputClass } from "../ui/form";

export interface ApprovalPermissions {
  /** Members and up decide. */
  canDecide: boolean;
  /** Admins and owners may also add an allow rule ("approve and always allow"). */
  canRemember: boolean;
  /** The allow rule "always allow" would add, per approval id (from GET /api/sessions/:id/approvals). */
  suggestedRules: ReadonlyMap<string, string>;
}

const NOBODY: ApprovalPermissions = { canDecide: false, canRemember: false, suggestedRules: new Map() };
export const ApprovalContext = createContext<ApprovalPermissions>(NOBODY);

export const approvalAnchor = (approvalId: string) => `approval-${approvalId}`;

type Outcome = Pick<ApprovalOutcome, "decision" | "by" | "message" | "rule" | "mode">;

export const ApprovalCard = memo(function ApprovalCard({ item }: { item: ApprovalItem }) {
  const perms = useContext(ApprovalContext);
  // What this tab decided, shown until the approval.decided event arrives (and then replaced by it).
  const [local, setLocal] = useState<Outcome | null>(null);
  const outcome: Outcome | null = item.decision ?? local;
  const state = outcome?.decision ?? "pending";
  const plan = item.approvalKind === "plan";

  return (
    <section
      id={approvalAnchor(item.approvalId)}
      tabIndex={-1}
      aria-label={plan ? "Plan approval" : `Approval for ${item.tool}`}
      data-testid="approval-card"
      data-approval-id={item.approvalId}
      data-kind={item.approvalKind}
      data-state={state}
      className={`scroll-mt-4 overflow-hidden rounded-md border bg-panel outline-none focus-visible:ring-2 focus-visible:ring-accent ${
        state === "pending" ? "border-amber-500/60" : state === "denied" ? "border-red-500/40" : "border-line"
      }`}
    >
      <header className={`flex flex-wrap items-center gap-x-2 gap-y-1 px-3 py-1.5 text-xs ${state === "pending" ? "bg-amber-500/10" : ""}`}>
        <span aria-hidden className="text-amber-600 dark:text-amber-400">
          ⚑
        </span>
        <span className="font-semibold">{plan ? "Plan to approve" : "Needs approval"}</span>
        {!plan && (
          <code className="font-mono font-semibold" data-testid="approval-tool">
            {item.tool}
          </code>
        )}
        <span className="ml-auto">
          <StateTag state={state} />
        </span>
      </header>
      <div className="space-y-2 border-t border-line px-3 py-2">
        {item.reason && (
          <p data-testid="approval-reason" className="text-xs text-muted">
            {item.reason}
          </p>
        )}
        <CallBody item={item} />
        {outcome ? (
          <OutcomeLine outcome={outcome} plan={plan} />
        ) : perms.canDecide ? (
          <DecisionForm item={item} perms={perms} onDecided={setLocal} />
        ) : (
          <p data-testid="approval-waiting" className="text-xs text-muted">
            Waiting for a member of the team to decide.
          </p>
        )}
      </div>
    </section>
  );
});

function StateTag({ state }: { state: string }) {
  switch (state) {
    case "approved":
      return (
        <Tag tone="green" testId="approval-state">
          approved
        </Tag>
      );
    case "denied":
      return (
        <Tag tone="red" testId="approval-state">
          denied
        </Tag>
      );
    case "cancelled":
      return (
        <Tag tone="gray" testId="approval-state">
          cancelled
        </Tag>
      );
    default:
      return (
        <span data-testid="approval-state" className="rounded bg-amber-500/20 px-1.5 py-px text-[11px] font-medium text-amber-800 dark:text-amber-300">
          needs approval
        </span>
      );
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const pre = "max-h-72 overflow-auto rounded bg-sunken px-2 py-1.5 font-mono text-xs whitespace-pre-wrap break-all";

/** The exact call: the command, the path and what would be written, the plan. */
function CallBody({ item }: { item: ApprovalItem }) {
  const input = item.input;
  const rec = isRecord(input) ? input : null;
  if (item.approvalKind === "plan") {
    const text = str(input) ?? str(rec?.plan) ?? str(rec?.text) ?? str(rec?.content);
    return (
      <div data-testid="approval-plan" className="max-h-96 overflow-auto rounded border border-line px-3 py-2 text-sm">
        {text !== null ? <MarkdownText text={text} /> : <pre className={pre}>{json(input)}</pre>}
      </div>
    );
  }
  const command = str(rec?.command) ?? (Array.isArray(rec?.command) ? (rec.command as unknown[]).map(String).join(" ") : null);
  if (command !== null) {
    return (
      <pre data-testid="approval-command" className={pre}>
        <code>{command}</code>
      </pre>
    );
  }
  const path = str(rec?.path) ?? str(rec?.file_path);
  if (path !== null) {
    const content = str(rec?.content);
    const oldText = str(rec?.old_string);
    const newText = str(rec?.new_string);
    return (
      <div className="space-y-1">
        <p className="text-xs">
          <span className="text-muted">file </span>
          <code data-testid="approval-path" className="font-mono break-all">
            {path}
          </code>
        </p>
        {content !== null && (
          <pre data-testid="approval-content" aria-label={`New content of ${path}`} tabIndex={0} className={pre}>
            {content}
          </pre>
        )}
        {oldText !== null && (
          <pre data-testid="approval-old" aria-label="Text replaced" tabIndex={0} className={`${pre} text-red-800 dark:text-red-200`}>
            {prefixLines(oldText, "- ")}
          </pre>
        )}
        {newText !== null && (
          <pre data-testid="approval-new" aria-label="Replacement" tabIndex={0} className={`${pre} text-emerald-800 dark:text-emerald-200`}>
            {prefixLines(newText, "+ ")}
          </pre>
        )}
      </div>
    );
  }
  return (
    <pre data-testid="approval-input" className={pre}>
      {json(input)}
    </pre>
  );
}

const prefixLines = (text: string, p: string) =>
  text
    .split("\n")
    .map((l) => p + l)
    .join("\n");

function json(v: unknown): string {
  try {
    return JSON.stringify(v, null, 2) ?? "";
  } catch {
    return String(v);
  }
}

function OutcomeLine({ outcome, plan }: { outcome: Outcome; plan: boolean }) {
  const who = outcome.by ? ` by ${outcome.by}` : "";
  const what =
    outcome.decision === "approved"
      ? `Approved${who}`
      : outcome.decision === "denied"
        ? plan
          ? `Sent back for revision${who}`
          : `Denied${who}`
        : `Cancelled${who || " (the session stopped)"}`;
  return (
    <div data-testid="approval-outcome" className="space-y-1 text-sm">
      <p>
        <span className="font-medium">{what}</span>
        {plan && outcome.decision === "approved" && outcome.mode && (
          <span className="text-muted"> — continues in {outcome.mode} mode</span>
        )}
      </p>
      {outcome.message && (
        <p data-testid="approval-message" className="rounded border-l-2 border-line pl-2 whitespace-pre-wrap break-words text-muted">
          {outcome.message}
        </p>
      )}
      {outcome.rule && (
        <p data-testid="approval-rule" className="text-xs text-muted">
          Allow rule added: <code className="font-mono text-fg">{outcome.rule}</code>
        </p>
      )}
    </div>
  );
}

const btn = "rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-50";
const approveBtn = `${btn} bg-emerald-700 text-white hover:bg-emerald-800`;
const otherBtn = `${btn} border border-line bg-panel hover:bg-sunken`;
const denyBtn = `${btn} border border-red-500/40 text-red-700 hover:bg-red-500/10 dark:text-red-300`;

function DecisionForm({ item, perms, onDecided }: { item: ApprovalItem; perms: ApprovalPermissions; onDecided: (o: Outcome) => void }) {
  const id = useId();
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const plan = item.approvalKind === "plan";
  const rule = perms.suggestedRules.get(item.approvalId) ?? null;

  async function decide(body: ApprovalDecision) {
    if (busy) return;
    setBusy(true);
    setError(null);
    const msg = message.trim();
    if (msg) body.message = msg;
    const res = await apiJson(`/api/approvals/${encodeURIComponent(item.approvalId)}`, ApprovalDtoSchema, { method: "POST", body });
    setBusy(false);
    if (!res.ok) {
      setError(
        res.status === 409
          ? `Already decided: ${res.message}`
          : res.status === 403
            ? `Your role can't do this: ${res.message}`
            : res.message,
      );
      return;
    }
    const d = res.data;
    const decision = d.status === "pending" ? (body.decision === "approve" ? "approved" : "denied") : d.status;
    onDecided({ decision, by: d.decidedBy ?? undefined, message: d.message ?? undefined, rule: body.remember ? (rule ?? undefined) : undefined, mode: body.mode });
  }

  function deny() {
    // A revision needs to say what to change; a denial's reason is optional (it helps the agent).
    if (plan && !message.trim()) {
      setError("Say what should change in the plan.");
      document.getElementById(`${id}-msg`)?.focus();
      return;
    }
    void decide({ decision: "deny" });
  }

  return (
    <div className="space-y-2" data-testid="approval-actions">
      <label htmlFor={`${id}-msg`} className="block text-xs font-medium text-muted">
        {plan ? "What should change (for Revise), or a note with your approval" : "Message to the agent (optional; tells it why when you deny)"}
      </label>
      <textarea
        id={`${id}-msg`}
        data-testid="approval-message-input"
        value={message}
        onChange={(e) => {
          setMessage(e.target.value);
          setError(null);
        }}
        rows={2}
        maxLength={4000}
        className={`${inputClass} resize-y`}
        placeholder={plan ? "e.g. also add tests for the parser" : "e.g. don't push; open a pull request instead"}
      />
      <div className="flex flex-wrap gap-2">
        {plan ? (
          <>
            <button type="button" data-testid="approve-plan-ask" disabled={busy} className={approveBtn} onClick={() => void decide({ decision: "approve", mode: "ask" })}>
              Approve (ask)
            </button>
            <button type="button" data-testid="approve-plan-auto" disabled={busy} className={otherBtn} onClick={() => void decide({ decision: "approve", mode: "auto" })}>
              Approve (auto)
            </button>
            <button type="button" data-testid="revise-plan" disabled={busy} className={denyBtn} onClick={deny}>
              Revise
            </button>
          </>
        ) : (
          <>
            <button type="button" data-testid="approve-button" disabled={busy} className={approveBtn} onClick={() => void decide({ decision: "approve" })}>
              Approve
            </button>
            {perms.canRemember && (
              <button
                type="button"
                data-testid="approve-always-button"
                disabled={busy}
                className={`${otherBtn} max-w-full text-left`}
                onClick={() => void decide({ decision: "approve", remember: true })}
              >
                Approve and always allow
                {rule && (
                  <>
                    {" "}
                    <code data-testid="approval-suggested-rule" className="font-mono text-xs break-all text-muted">
                      {rule}
                    </code>
                  </>
                )}
              </button>
            )}
            <button type="button" data-testid="deny-button" disabled={busy} className={denyBtn} onClick={deny}>
              Deny
            </button>
          </>
        )}
      </div>
      {plan && <p className="text-xs text-muted">Ask: the agent asks before running commands outside the allow rules. Auto: it runs what the rules allow.</p>}
      {error && (
        <p role="alert" data-testid="approval-error" className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

"use client";
// Per checkpoint: reset the session branch to it (after a confirmation dialog: later checkpoints
// go) or fork a new session from it with a new prompt.
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ConfirmDialog } from "../confirm-dialog";
import { shortSha } from "../lib/format";
import { forkSession, resetBranch } from "./lib/review-api";

export type CommitAction = "reset" | "fork";

interface Props {
  sessionId: string;
  sha: string;
  isHead: boolean;
  canReview: boolean;
  open: CommitAction | null;
  onOpen(kind: CommitAction | null): void;
  onReset(): void;
}

const LINK = "text-muted hover:text-accent disabled:opacity-50 disabled:hover:text-muted";
const BTN = "rounded-md px-2 py-0.5 text-xs font-medium disabled:opacity-50";

export function CommitActions({ sessionId, sha, isHead, canReview, open, onOpen, onReset }: Props) {
  const router = useRouter();
  const [prompt, setPrompt] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const blocked = canReview ? undefined : "Only members can change the branch.";

  async function reset() {
    setBusy(true);
    setError(null);
    const res = await resetBranch(sessionId, sha);
    setBusy(false);
    if (!res.ok) return setError(res.message);
    onReset();
  }

  async function fork(e: FormEvent) {
    e.preventDefault();
    if (!prompt.trim()) return;
    setBusy(true);
    setError(null);
    const res = await forkSession(sessionId, sha, prompt);
    setBusy(false);
    if (!res.ok) return setError(res.message);
    router.push(`/sessions/${encodeURIComponent(res.data.id)}`);
  }

  return (
    <div className="mt-0.5">
      <div className="flex gap-3">
        <button type="button" data-testid="commit-reset" disabled={!canReview || isHead || busy} title={blocked ?? (isHead ? "The branch is already here." : "Move the session branch back to this checkpoint")} onClick={() => onOpen(open === "reset" ? null : "reset")} className={LINK}>
          Reset branch here
        </button>
        <button type="button" data-testid="commit-fork" disabled={!canReview} title={blocked ?? "Start a new session from this checkpoint"} onClick={() => onOpen(open === "fork" ? null : "fork")} className={LINK}>
          Fork from here
        </button>
      </div>
      {open === "reset" && (
        <ConfirmDialog
          title="Reset the branch?"
          message={`Reset the branch to ${shortSha(sha)}? Later checkpoints leave the branch.`}
          confirmLabel="Reset branch"
          tone="danger"
          onCancel={() => onOpen(null)}
          onConfirm={() => {
            onOpen(null);
            void reset();
          }}
        />
      )}
      {open === "fork" && (
        <form onSubmit={fork} data-testid="commit-fork-panel" className="mt-1 rounded-md border border-line bg-canvas p-2">
          <label htmlFor={`fork-${sha}`} className="mb-1 block text-muted">What should the new session do from here?</label>
          <textarea id={`fork-${sha}`} data-testid="commit-fork-prompt" autoFocus rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} className="w-full resize-y rounded border border-line bg-panel px-2 py-1 text-xs outline-none focus:border-accent" />
          <div className="mt-1.5 flex gap-2">
            <button type="submit" data-testid="commit-fork-submit" disabled={busy || !prompt.trim()} className={`${BTN} bg-accent text-white`}>
              Start session
            </button>
            <button type="button" onClick={() => onOpen(null)} className={`${BTN} text-muted`}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {error && (
        <p role="alert" data-testid="commit-error" className="mt-1 text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

"use client";
// The session page: loads the session, then follows its event log live over socket.io.
import { useRouter } from "next/navigation";
import { SessionNotFound } from "./session-not-found";
import { useEffect, useMemo, useState, type ReactNode } from "react";
import { isTerminal } from "../lib/events/status";
import { ApprovalListSchema, SessionDtoSchema, type SessionDto } from "../lib/protocol/api";
import { DEFAULT_MODE } from "../lib/protocol/permissions";
import { apiJson } from "./lib/api";
import { useShortcuts } from "./lib/shortcuts";
import { attentionOfItems } from "./lib/session-attention";
import { useTabStatus } from "./lib/use-tab-status";
import { ActivityLine } from "./session/activity-line";
import { currentStatus, pendingApprovals } from "./lib/transcript";
import { usePresence } from "./lib/use-presence";
import { useSessionEvents } from "./lib/use-session-events";
import { DiffView } from "./diff-view";
import { allows, useMe, useRoleIn } from "./me-provider";
import { CompanionDock } from "./companion/companion-dock";
import { ApprovalBanner } from "./session/approval-banner";
import { ApprovalContext, type ApprovalPermissions } from "./session/approval-card";
import { BudgetControl } from "./session/budget-control";
import { ModeControl } from "./session/mode-control";
import { ExportLinks } from "./session/export-links";
import { ReviewLink } from "./review/review-link";
import { McpToolsPanel } from "./session/mcp-lines";
import { ShareControl } from "./session/share-control";
import { Watchers } from "./session/watchers";
import { SessionControls } from "./session-controls";
import { SessionHeader } from "./session-header";
import { TodoPanel } from "./todo-panel";
import { TranscriptView } from "./transcript-view";

type Load = { kind: "loading" } | { kind: "missing" } | { kind: "error"; message: string } | { kind: "ok"; session: SessionDto };
type Tab = "transcript" | "diff";

export function SessionView({ id }: { id: string }) {
  const [load, setLoad] = useState<Load>({ kind: "loading" });

  useEffect(() => {
    const ctl = new AbortController();
    void (async () => {
      const res = await apiJson(`/api/sessions/${encodeURIComponent(id)}`, SessionDtoSchema, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      if (res.ok) setLoad({ kind: "ok", session: res.data });
      else if (res.status === 404) setLoad({ kind: "missing" });
      else setLoad({ kind: "error", message: res.message });
    })();
    return () => ctl.abort();
  }, [id]);

  if (load.kind === "loading") return <p className="p-6 text-sm text-muted">Loading session…</p>;
  if (load.kind === "missing") return <SessionNotFound id={id} />;
  if (load.kind === "error") {
    return (
      <p role="alert" data-testid="session-load-error" className="p-6 text-sm text-red-700 dark:text-red-400">
        {load.message}
      </p>
    );
  }
  return <LoadedSession session={load.session} />;
}

function LoadedSession({ session }: { session: SessionDto }) {
  const { state, connection, replayTarget, error } = useSessionEvents(session.id);
  const [tab, setTab] = useState<Tab>("transcript");
  const router = useRouter();
  useShortcuts("session", {
    d: { description: "Switch between the transcript and the diff", run: () => setTab((t) => (t === "diff" ? "transcript" : "diff")) },
    r: { description: "Review the changes", run: () => router.push(`/sessions/${encodeURIComponent(session.id)}/review`) },
  });
  const status = currentStatus(state, session.status);
  const failureReason = status === "failed" ? (state.statusReason ?? session.failureReason ?? "The session failed.") : null;
  // The DTO is a snapshot from page load; the events catch up with and then pass it.
  const tokens = {
    input: Math.max(state.inputTokens, session.inputTokens),
    output: Math.max(state.outputTokens, session.outputTokens),
    costUsd: state.costUsd,
  };
  const replaying = replayTarget === null || state.lastSeq < replayTarget;
  const watchers = usePresence(session.id);
  // Roles are per team, and this session's team may not be the one selected in the header.
  const role = useRoleIn(session.teamId);
  const { state: me } = useMe();
  const publicLinks = me.kind === "ok" && me.me.teams.some((t) => t.id === session.teamId && t.allowPublicLinks);
  const canDecide = allows(role, "session.approve");
  const suggestedRules = useSuggestedRules(session.id, state.approvalIndex.size);
  const approvalPerms = useMemo<ApprovalPermissions>(
    () => ({ canDecide, canRemember: allows(role, "repo.manage"), suggestedRules }),
    [canDecide, role, suggestedRules],
  );
  const pending = pendingApprovals(state);
  const mode = state.mode ?? session.mode ?? DEFAULT_MODE;
  const attention = useMemo(() => attentionOfItems(state.items, session.attention), [state.items, session.attention]);
  useTabStatus({ status, needsAttention: attention !== null, what: session.prompt });
  const [stopAsked, setStopAsked] = useState(false);
  const ended = isTerminal(status);
  useEffect(() => {
    if (ended) setStopAsked(false);
  }, [ended]);

  const actions = (
    <>
      <Watchers watchers={watchers} />
      <BudgetControl session={session} canEdit={allows(role, "session.message")} />
      <McpToolsPanel items={state.items} />
      <ModeControl sessionId={session.id} mode={mode} canEdit={canDecide} />
      <span className="ml-auto" />
      <ReviewLink sessionId={session.id} />
      <ExportLinks sessionId={session.id} />
      {allows(role, "share.create") && <ShareControl sessionId={session.id} lastSeq={state.lastSeq} publicLinks={publicLinks} />}
    </>
  );

  return (
    <div className="flex h-full min-h-0 flex-col">
      <SessionHeader session={session} status={status} failureReason={failureReason} tokens={tokens} connection={connection} actions={actions}
        attention={attention} canRetry={allows(role, "session.message")} />
      {error && (
        <p role="alert" data-testid="subscribe-error" className="shrink-0 bg-red-500/10 px-4 py-2 text-sm text-red-700 dark:text-red-300">
          Live updates unavailable: {error}
        </p>
      )}
      <ApprovalBanner pending={pending} canDecide={canDecide} ready={!replaying} onShow={() => setTab("transcript")} />
      <div role="tablist" aria-label="Session views" className="flex shrink-0 gap-1 border-b border-line bg-panel px-4">
        <TabButton id="transcript" current={tab} onSelect={setTab}>
          Transcript
        </TabButton>
        <TabButton id="diff" current={tab} onSelect={setTab}>
          Diff{state.commits > 0 ? ` (${state.commits} ${state.commits === 1 ? "commit" : "commits"})` : ""}
        </TabButton>
      </div>
      {/* Both panels stay mounted so switching keeps the transcript's scroll position. */}
      {/* The plan sits beside the transcript on wide screens, above the composer on a phone. */}
      <div role="tabpanel" hidden={tab !== "transcript"} className="flex min-h-0 flex-1">
        <div className="flex min-h-0 min-w-0 flex-1 flex-col">
          <ApprovalContext.Provider value={approvalPerms}>
            <TranscriptView state={state} loading={replaying && connection === "live"} />
          </ApprovalContext.Provider>
          {!replaying && <ActivityLine items={state.items} status={status} stopping={stopAsked} canDecide={canDecide} />}
          <TodoPanel items={state.todos} variant="inline" />
          <CompanionDock sessionId={session.id} replayTarget={replayTarget} />
          {allows(role, "session.message") ? (
            <SessionControls sessionId={session.id} status={status} canStop={allows(role, "session.stop")} onStopAsked={() => setStopAsked(true)} />
          ) : (
            <p data-testid="read-only-note" className="shrink-0 border-t border-line bg-panel px-4 py-2 text-center text-xs text-muted">
              You can follow this session; your role (viewer) can&apos;t send messages or stop it.
            </p>
          )}
        </div>
        <TodoPanel items={state.todos} variant="side" />
      </div>
      {tab === "diff" && (
        <div role="tabpanel" className="min-h-0 flex-1">
          <DiffView sessionId={session.id} version={state.commits} />
        </div>
      )}
    </div>
  );
}

/** The allow rule each approval would add with "always allow", refetched when a new approval arrives. */
function useSuggestedRules(sessionId: string, approvals: number): ReadonlyMap<string, string> {
  const [rules, setRules] = useState<ReadonlyMap<string, string>>(() => new Map());
  useEffect(() => {
    if (approvals === 0) return;
    const ctl = new AbortController();
    void (async () => {
      const res = await apiJson(`/api/sessions/${encodeURIComponent(sessionId)}/approvals`, ApprovalListSchema, { signal: ctl.signal });
      if (!res.ok || ctl.signal.aborted) return;
      setRules(new Map(res.data.approvals.filter((a) => a.suggestedRule).map((a) => [a.id, a.suggestedRule!])));
    })();
    return () => ctl.abort();
  }, [sessionId, approvals]);
  return rules;
}

function TabButton({ id, current, onSelect, children }: { id: Tab; current: Tab; onSelect: (t: Tab) => void; children: ReactNode }) {
  const selected = id === current;
  return (
    <button
      type="button"
      role="tab"
      data-testid={`tab-${id}`}
      aria-selected={selected}
      onClick={() => onSelect(id)}
      className={`-mb-px border-b-2 px-3 py-2 text-sm ${selected ? "border-accent font-medium text-fg" : "border-transparent text-muted hover:text-fg"}`}
    >
      {children}
    </button>
  );
}

"use client";
// Search box and filters above the history. Typing waits for a pause before it searches
// (Enter searches at once); selects and dates apply straight away.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { z } from "zod";
import { SESSION_STATUSES, type SessionStatus } from "../../lib/events/schema";
import { ATTENTION_KINDS, ATTENTION_LABELS, STATUS_LABELS } from "../../lib/events/status";
import { MemberDtoSchema, type MemberDto } from "../../lib/protocol/teams";
import { apiJson } from "../lib/api";
import { takeSearchFocusRequest } from "../lib/shortcuts";
import type { AttentionFilter, HistoryFilters as Filters, ReviewFilter } from "../lib/history-query";
import { inputClass } from "../ui/form";

const DEBOUNCE_MS = 300;
const MembersSchema = z.object({ members: z.array(MemberDtoSchema) });
const small = "rounded-md border border-line bg-canvas px-2 py-1.5 text-sm";

interface Props {
  value: Filters;
  onChange: (patch: Partial<Filters>) => void;
  teamId: string;
}

export function HistoryFilters({ value, onChange, teamId }: Props) {
  const [q, setQ] = useState(value.q);
  const [repo, setRepo] = useState(value.repo);
  const members = useMembers(teamId);
  const search = useRef<HTMLInputElement>(null);
  // `/` pressed on another page came here to search.
  useEffect(() => {
    if (takeSearchFocusRequest()) search.current?.focus();
  }, []);
  // The latest onChange, so the debounce timers don't restart when the parent re-renders.
  const change = useRef(onChange);
  useEffect(() => {
    change.current = onChange;
  });

  useEffect(() => {
    const t = setTimeout(() => change.current({ q }), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [q]);
  useEffect(() => {
    const t = setTimeout(() => change.current({ repo }), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [repo]);

  function submit(e: FormEvent) {
    e.preventDefault();
    onChange({ q, repo });
  }

  return (
    <form role="search" onSubmit={submit} aria-label="Search sessions" className="space-y-2 border-b border-line px-4 py-3">
      <label htmlFor="history-search" className="sr-only">
        Search prompts, messages and tool output
      </label>
      <input ref={search} id="history-search" data-testid="history-search" type="search" className={inputClass} value={q} onChange={(e) => setQ(e.target.value)}
        placeholder="Search prompts, messages and tool output" autoComplete="off" spellCheck={false} />
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <select data-testid="history-status" aria-label="Status" className={small} value={value.status}
          onChange={(e) => onChange({ status: e.target.value as SessionStatus | "" })}>
          <option value="">Any status</option>
          {SESSION_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
        <select data-testid="history-attention" aria-label="Needs attention" className={small} value={value.attention}
          onChange={(e) => onChange({ attention: e.target.value as AttentionFilter })}>
          <option value="">All sessions</option>
          <option value="any">⚠ Needs attention</option>
          {ATTENTION_KINDS.map((k) => (
            <option key={k} value={k}>
              ⚠ {ATTENTION_LABELS[k]}
            </option>
          ))}
        </select>
        <select data-testid="history-review" aria-label="Review" className={small} value={value.review}
          onChange={(e) => onChange({ review: e.target.value as ReviewFilter })}>
          <option value="">Any review state</option>
          <option value="waiting">Waiting for review</option>
          <option value="merged">Merged</option>
        </select>
        <input data-testid="history-repo" aria-label="Repository" className={`${small} w-56 max-w-full`} value={repo} onChange={(e) => setRepo(e.target.value)}
          placeholder="Repository" autoComplete="off" spellCheck={false} />
        <select data-testid="history-author" aria-label="Started by" className={small} value={value.author} onChange={(e) => onChange({ author: e.target.value })}>
          <option value="">Anyone</option>
          {members.map((m) => (
            <option key={m.userId} value={m.userId}>
              {m.name}
            </option>
          ))}
        </select>
        <label className="flex items-center gap-1 text-muted">
          From
          <input type="date" data-testid="history-from" className={small} value={value.from} max={value.to || undefined} onChange={(e) => onChange({ from: e.target.value })} />
        </label>
        <label className="flex items-center gap-1 text-muted">
          To
          <input type="date" data-testid="history-to" className={small} value={value.to} min={value.from || undefined} onChange={(e) => onChange({ to: e.target.value })} />
        </label>
      </div>
    </form>
  );
}

// Members fill the "started by" choices; without them the filter just offers "Anyone".
function useMembers(teamId: string): MemberDto[] {
  const [members, setMembers] = useState<MemberDto[]>([]);
  useEffect(() => {
    const ctl = new AbortController();
    void (async () => {
      const res = await apiJson(`/api/teams/${encodeURIComponent(teamId)}/members`, MembersSchema, { signal: ctl.signal });
      if (res.ok) setMembers(res.data.members);
    })();
    return () => ctl.abort();
  }, [teamId]);
  return members;
}

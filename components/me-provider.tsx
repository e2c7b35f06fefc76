"use client";
// Who is signed in and in which team, read by the page's server render (or, failing that, from
// /api/me once per page load) and shared by the header, the auth gate and every view that hides
// controls a role can't use.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { can, type Action, type Role } from "../lib/auth/roles";
import { MeDtoSchema, type MeDto, type TeamDto } from "../lib/protocol/teams";
import { apiJson } from "./lib/api";

export type MeState = { kind: "loading" } | { kind: "signedOut" } | { kind: "error"; message: string } | { kind: "ok"; me: MeDto };

interface MeContextValue {
  state: MeState;
  reload: () => void;
}

const MeContext = createContext<MeContextValue>({ state: { kind: "loading" }, reload: () => {} });

/** `initial`: the root layout's server render read it already (lib/teams/initial-me.ts); asked for only on reload() then. */
export function MeProvider({ initial = null, children }: { initial?: MeDto | null; children: ReactNode }) {
  const [state, setState] = useState<MeState>(initial ? { kind: "ok", me: initial } : { kind: "loading" });
  const [version, setVersion] = useState(0);
  const given = version === 0 && initial !== null;

  useEffect(() => {
    if (given) return;
    const ctl = new AbortController();
    void (async () => {
      const res = await apiJson("/api/me", MeDtoSchema, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      if (res.ok) setState({ kind: "ok", me: res.data });
      else if (res.status === 401) setState({ kind: "signedOut" });
      else setState({ kind: "error", message: res.message });
    })();
    return () => ctl.abort();
  }, [version, given]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return <MeContext.Provider value={{ state, reload }}>{children}</MeContext.Provider>;
}

export function useMe(): MeContextValue {
  return useContext(MeContext);
}

/** The signed-in person and the team the UI works in; null while loading, signed out or teamless. */
export function useActiveTeam(): { me: MeDto; team: TeamDto } | null {
  const { state } = useMe();
  if (state.kind !== "ok") return null;
  const team = state.me.teams.find((t) => t.id === state.me.activeTeamId) ?? state.me.teams[0];
  return team ? { me: state.me, team } : null;
}

/** The caller's role in a given team (a session's team may differ from the active one). */
export function useRoleIn(teamId: string | null | undefined): Role | null {
  const { state } = useMe();
  if (state.kind !== "ok" || !teamId) return null;
  return state.me.teams.find((t) => t.id === teamId)?.role ?? null;
}

/** Whether `role` allows `action`; no role (not loaded, not a member) allows nothing. */
export const allows = (role: Role | null, action: Action): boolean => role !== null && can(role, action);

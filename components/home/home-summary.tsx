"use client";
// The top of the home page: what needs the person, for them ("Mine") or the whole team. Sections
// with something in them show as cards; the empty ones fold into one quiet line. A team without
// any session sees its first step instead.
import { useState } from "react";
import { can } from "../../lib/auth/roles";
import { HOME_SECTIONS, type HomeScope, type HomeSectionKey, type HomeSummary } from "../../lib/protocol/home";
import { useNow } from "../lib/use-now";
import { useActiveTeam } from "../me-provider";
import { HomeAlerts } from "./home-alerts";
import { HomeSectionCard } from "./home-section";
import { seeAllHref } from "./see-all";
import { useHomeSummary } from "./use-home-summary";

/** How an empty section reads in the one quiet line: "Nothing running, … or merged this week." */
const EMPTY_WORDS: Record<HomeSectionKey, string> = {
  approval: "waiting for approval",
  attention: "needing attention",
  running: "running",
  review: "waiting for review",
  merged: "merged this week",
};

// The person's choice outlives a remount of the page ("see all" starts the history afresh).
let chosenScope: HomeScope | null = null;

/** `initial`: the summary as the page's server render read it (lib/home/initial.ts), shown at once. */
export function HomeSummaryView({ initial = null }: { initial?: HomeSummary | null }) {
  const active = useActiveTeam();
  const [scope, setScope] = useState<HomeScope | null>(() => chosenScope);
  const choose = (s: HomeScope) => {
    chosenScope = s;
    setScope(s);
  };
  const { data, error, reload } = useHomeSummary(scope, initial);
  const now = useNow();
  if (!active) return null;
  if (!data) {
    return error ? (
      <p role="alert" data-testid="home-error" className="text-sm text-red-700 dark:text-red-400">
        {error}
      </p>
    ) : null;
  }
  const mayCreate = can(active.team.role, "session.create");
  if (data.teamIsNew) return <FirstStep mayCreate={mayCreate} />;

  const full = HOME_SECTIONS.filter((k) => data.sections[k].total > 0);
  const empty = HOME_SECTIONS.filter((k) => data.sections[k].total === 0);
  const cards = full.map((k) => (
    <HomeSectionCard key={k} kind={k} section={data.sections[k]} seeAll={seeAllHref(k, data.scope, active.me.user.id)} now={now} />
  ));
  // Alerts sit after the sessions that need a decision (approval, attention), before the rest.
  const split = full.filter((k) => k === "approval" || k === "attention").length;
  const alerts = data.alerts.length ? (
    <HomeAlerts key="alerts" alerts={data.alerts} now={now} mayResolve={can(active.team.role, "alert.resolve")} onChange={reload} />
  ) : null;

  return (
    <section aria-labelledby="home-heading" data-testid="home" data-scope={data.scope} className="space-y-3">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <h2 id="home-heading" className="text-base font-semibold">
          {data.scope === "mine" ? "What needs you" : "What needs the team"}
        </h2>
        <ScopeToggle value={data.scope} onChange={choose} />
      </div>
      {error && (
        <p role="alert" data-testid="home-error" className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      {(cards.length > 0 || alerts) && (
        <div className="grid gap-3 md:grid-cols-2">
          {cards.slice(0, split)}
          {alerts}
          {cards.slice(split)}
        </div>
      )}
      {empty.length > 0 && (
        <p data-testid="home-empty-line" className="text-sm text-muted">
          {empty.length === HOME_SECTIONS.length && !alerts ? "All clear: nothing " : "Nothing "}
          {joinWords(empty.map((k) => EMPTY_WORDS[k]))}
          {data.scope === "mine" ? " among your sessions." : " in the team."}
        </p>
      )}
    </section>
  );
}

function ScopeToggle({ value, onChange }: { value: HomeScope; onChange: (s: HomeScope) => void }) {
  const button = (s: HomeScope, label: string) => (
    <button type="button" data-testid={`home-scope-${s}`} aria-pressed={value === s} onClick={() => onChange(s)}
      className={`px-3 py-1.5 text-sm ${value === s ? "bg-accent text-white" : "hover:bg-sunken"}`}>
      {label}
    </button>
  );
  return (
    <div role="group" aria-label="Whose sessions" className="ml-auto inline-flex overflow-hidden rounded-md border border-line">
      {button("mine", "Mine")}
      {button("team", "Team")}
    </div>
  );
}

function FirstStep({ mayCreate }: { mayCreate: boolean }) {
  function start() {
    const input = document.getElementById("repo");
    input?.scrollIntoView({ behavior: "smooth", block: "center" });
    input?.focus({ preventScroll: true });
  }
  return (
    <section aria-labelledby="first-step-heading" data-testid="home-first-step" className="rounded-lg border border-accent/40 bg-panel p-4">
      <h2 id="first-step-heading" className="text-base font-semibold">
        {mayCreate ? "Start your team's first session" : "No sessions yet"}
      </h2>
      <p className="mt-1 text-sm text-muted">
        {mayCreate
          ? "Name a repository and describe a task. The agent works on its own copy in a sandbox; you watch it live and review its changes before anything is merged."
          : "When someone in your team starts a session, what is running, waiting or failed shows up here."}
      </p>
      {mayCreate && (
        <button type="button" data-testid="home-start" onClick={start} className="mt-3 rounded-md bg-accent px-3 py-2 text-sm font-medium text-white">
          Start a session
        </button>
      )}
    </section>
  );
}

/** ["a", "b", "c"] → "a, b or c". */
function joinWords(words: string[]): string {
  return words.length < 2 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}

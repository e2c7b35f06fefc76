"use client";
// Creates a team (the caller becomes its owner) and switches to it.
import { useState, type FormEvent } from "react";
import { TeamDtoSchema } from "../lib/protocol/teams";
import { apiJson } from "./lib/api";
import { useSubmit } from "./lib/use-submit";
import { switchTeam } from "./lib/switch-team";
import { ErrorNote, inputClass, primaryButton } from "./ui/form";

export function CreateTeamForm({ goTo }: { goTo?: string }) {
  const [name, setName] = useState("");
  const { busy, error, run } = useSubmit();

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return;
    void run(async () => {
      const res = await apiJson("/api/teams", TeamDtoSchema, { method: "POST", body: { name: name.trim() } });
      return res.ok ? await switchTeam(res.data.id, goTo) : res.message;
    });
  }

  return (
    <form onSubmit={submit} aria-label="Create a team" data-testid="new-team-form" className="space-y-2">
      <div className="flex gap-2">
        <label htmlFor="new-team-name" className="sr-only">
          Team name
        </label>
        <input
          id="new-team-name"
          data-testid="new-team-name"
          className={inputClass}
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Team name"
          maxLength={100}
          required
          autoComplete="off"
        />
        <button type="submit" data-testid="new-team-create" disabled={busy || !name.trim()} className={`${primaryButton} shrink-0`}>
          {busy ? "Creating…" : "Create team"}
        </button>
      </div>
      {error && <ErrorNote testId="new-team-error">{error}</ErrorNote>}
    </form>
  );
}

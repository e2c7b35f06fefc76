"use client";
// A repository's Permissions section (Settings → Repositories): the mode its new sessions get,
// its rules (added to the team's: both apply) and its hooks. Admins and owners edit.
import type { RepositoryDto } from "../../lib/protocol/repos";
import { send } from "../lib/use-api-data";
import { Section } from "./repo-environment";
import { DefaultModeEditor, HooksEditor, RulesEditor } from "./permissions-editor";

export function RepoPermissions({ repo, manage, onChanged }: { repo: RepositoryDto; manage: boolean; onChanged: () => Promise<void> }) {
  const path = `/api/repos/${encodeURIComponent(repo.id)}`;
  async function patch(body: Record<string, unknown>): Promise<string | null> {
    const failure = await send(path, "PATCH", body);
    if (!failure) await onChanged();
    return failure;
  }
  return (
    <div className="space-y-5" data-testid="repo-permissions">
      <Section title="Mode">
        <DefaultModeEditor value={repo.defaultMode ?? null} editable={manage} inherit="the team's default" onSave={(defaultMode) => patch({ defaultMode })} testId="repo-default-mode" />
      </Section>
      <Section title="Rules">
        <p className="text-xs text-muted">These add to the team&apos;s rules (Settings → Permissions): a team&apos;s deny cannot be undone here.</p>
        <RulesEditor rules={repo.rules ?? null} editable={manage} onSave={(rules) => patch({ rules })} onClear={() => patch({ rules: null })} />
      </Section>
      <Section title="Hooks">
        <HooksEditor hooks={repo.hooks ?? null} editable={manage} onSave={(hooks) => patch({ hooks })} />
      </Section>
    </div>
  );
}

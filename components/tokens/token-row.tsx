import type { ApiTokenDto } from "../../lib/protocol/teams";

/** One token: its name and prefix (enough to recognize it), where and when it was used. */
export function TokenRow({ token: t, teamName, onRevoke }: { token: ApiTokenDto; teamName: string; onRevoke: (id: string) => void }) {
  const revoked = t.revokedAt !== null;
  return (
    <tr data-testid="token-row" data-token-id={t.id} data-state={revoked ? "revoked" : "active"} className={`border-t border-line ${revoked ? "text-muted" : ""}`}>
      <td className="py-1.5 pr-3 font-medium">{t.name}</td>
      <td className="py-1.5 pr-3 font-mono text-xs text-muted">{t.prefix}…</td>
      <td className="py-1.5 pr-3">{teamName}</td>
      <td className="py-1.5 pr-3 text-muted" title={t.createdAt}>{new Date(t.createdAt).toLocaleDateString()}</td>
      <td className="py-1.5 pr-3 text-muted">{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : "never"}</td>
      <td className="py-1.5 text-right">
        {revoked ? (
          <span data-testid="token-revoked" className="text-xs">revoked</span>
        ) : (
          <button type="button" data-testid="token-revoke" onClick={() => onRevoke(t.id)} className="text-sm text-red-700 hover:underline dark:text-red-300">
            Revoke
          </button>
        )}
      </td>
    </tr>
  );
}

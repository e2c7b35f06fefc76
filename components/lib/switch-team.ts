// Switching teams sets a cookie the server reads on every call; a full reload then rebuilds
// everything (lists, socket rooms, roles) for the new team rather than patching it in place.
import { apiJson } from "./api";

export async function switchTeam(teamId: string, goTo?: string): Promise<string | null> {
  const res = await apiJson("/api/me/team", null, { method: "POST", body: { teamId } });
  if (!res.ok) return res.message;
  if (goTo) window.location.assign(goTo);
  else window.location.reload();
  return null;
}
